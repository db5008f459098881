// Package auth holds password hashing, session and API tokens, and the
// policy for failed sign-ins. Sessions and counters live in the database, so
// any number of servers can share one.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommended option, with 64 MiB).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// HashPassword hashes a password with argon2id into the PHC string format.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLength {
		return "", fmt.Errorf("password too short: %d characters, at least %d expected", len(password), MinPasswordLength)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// ErrBadHash is returned for a stored hash that is not argon2id.
var ErrBadHash = errors.New("stored password hash is not a valid argon2id hash")

// CheckPassword reports whether password matches the stored hash.
func CheckPassword(stored, password string) (bool, error) {
	parts := strings.Split(stored, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewToken makes a random secret with a readable prefix ("lts_" for a
// session, "ltk_" for an API token). Only its digest is stored.
func NewToken(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Digest is what the store keeps of a token.
func Digest(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

// Token prefixes.
const (
	SessionPrefix = "lts_"
	APIPrefix     = "ltk_"
)

// Session lifetimes.
const (
	SessionIdle = 12 * time.Hour       // a session unused this long ends
	SessionMax  = 7 * 24 * time.Hour   // and none lives longer than this
	TokenMax    = 365 * 24 * time.Hour // longest life of an API token
)

// Failed sign-in policy, within Window: after MaxFailures failures of one
// login from one address, that login is refused from that address (others
// elsewhere, the real person included, still sign in); after
// MaxFailuresPerAddress failures from one address, for any logins, that
// address is refused; after MaxFailuresPerLogin failures of one login from
// all addresses together, a guess spread over many addresses, the login is
// refused everywhere. Refusals last until the window has passed, or until an
// administrator whose scope covers the person clears the lock.
const (
	MaxFailures           = 5
	MaxFailuresPerAddress = 20
	MaxFailuresPerLogin   = 100
	Window                = 15 * time.Minute
)

// Identity is what an identity provider asserts about a person who signed
// in: a password check here, or an OIDC provider's ID token (a provider
// plugs in by implementing Provider and mapping its subject to a login).
type Identity struct {
	Login  string
	Method string // "password", "token", "oidc:<issuer>"
}

// Provider is the seam for single sign-on: something that turns an external
// assertion into an Identity. lighten ships the password provider; an OIDC
// provider (authorization code flow, ID token verified against the issuer's
// keys) implements the same interface and is registered at start-up.
type Provider interface {
	Name() string
	// AuthURL is where the browser goes to sign in; state ties the
	// callback to this browser.
	AuthURL(state string) string
	// Exchange turns the provider's callback parameters into an identity.
	Exchange(code, state string) (Identity, error)
}
