package auth

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q", h)
	}
	if ok, err := CheckPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := CheckPassword(h, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Fatal("two hashes of one password share a salt")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Fatal("short password accepted")
	}
	if _, err := CheckPassword("$2a$10$bcrypt", "x"); err != ErrBadHash {
		t.Fatalf("foreign hash: %v", err)
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken(SessionPrefix), NewToken(SessionPrefix)
	if a == b || !strings.HasPrefix(a, SessionPrefix) || len(a) < 40 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if Digest(a) == Digest(b) || len(Digest(a)) != 64 {
		t.Fatal("digests")
	}
}
