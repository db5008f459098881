package web

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"lighten/internal/auth"
	"lighten/internal/store"
	"lighten/internal/units"
)

// signIn checks a login and password, refusing further attempts after too
// many failures, and starts a session.
func (s *Server) signIn(ctx context.Context, login, password, address string) (units.Person, string, error) {
	return signIn(ctx, s.db, auth.CheckPassword, login, password, addressKey(address))
}

// addressKey is what failed sign-ins are counted against for an address:
// the address itself for IPv4, its /64 network for IPv6, since one
// machine holds a whole /64 and could otherwise try from each address in
// turn.
func addressKey(address string) string {
	ip := net.ParseIP(address)
	if ip == nil || ip.To4() != nil {
		return address
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// passwordCheck verifies a password against a stored hash (auth.CheckPassword;
// tests count the calls).
type passwordCheck func(stored, password string) (bool, error)

// signIn does the work of every sign-in. Whatever the reason an attempt
// fails (unknown login, disabled person, a lock-out, no password, a wrong
// password), it costs exactly one password-hash verification, against a
// dummy hash when there is no hash worth checking, so that how long the
// answer takes does not tell which reason it was. Failures are counted per
// login and address together (see auth.MaxFailures).
func signIn(ctx context.Context, db *store.DB, check passwordCheck, login, password, address string) (units.Person, string, error) {
	c, err := db.SignInFailures(ctx, login, address, db.Now().Add(-auth.Window))
	if err != nil {
		return units.Person{}, "", err
	}
	locked := c.Pair >= auth.MaxFailures || c.Address >= auth.MaxFailuresPerAddress || c.Login >= auth.MaxFailuresPerLogin
	p, hash, err := db.PersonByLogin(ctx, login)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return units.Person{}, "", err
	}
	eligible := err == nil && !p.Disabled && hash != "" && !locked
	if !eligible {
		hash = dummyHash()
	}
	ok, err := check(hash, password)
	if err != nil {
		return units.Person{}, "", err
	}
	ok = ok && eligible
	if locked {
		return units.Person{}, "", errorf(CodeTooMany, "error.signin_locked", int(math.Ceil(auth.Window.Minutes())))
	}
	if !ok {
		if err := db.RecordSignInFailure(ctx, login, address); err != nil {
			return units.Person{}, "", err
		}
		return units.Person{}, "", errorf(CodeUnauthorized, "error.signin_failed")
	}
	if err := db.ClearSignInFailures(ctx, login, address); err != nil {
		return units.Person{}, "", err
	}
	var token string
	err = db.Write(ctx, store.Actor{ID: p.ID, Login: p.Login}, func(tx *store.Tx) error {
		token, err = tx.CreateSession(ctx, p, "password")
		return err
	})
	return p, token, err
}

// dummyHash is made on first use: hashing costs 64 MiB and a tenth of a
// second, which a program that never signs anyone in should not pay.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword("not a password of anyone")
	return h
})

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.opt.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(auth.SessionMax / time.Second),
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.opt.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// signOut ends the request's session.
func (s *Server) signOut(ctx context.Context, w http.ResponseWriter, c *Ctx) error {
	s.clearSessionCookie(w)
	if c.Session == "" {
		return nil
	}
	return s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.EndSession(ctx, c.Person, c.Session) })
}

// checkCurrentPassword checks the password a signed-in person gives to
// change it, as a sign-in is checked: the same lock-out per login and
// address, and a wrong one counted, so that whoever holds a stolen session
// or token cannot guess the password behind it at leisure.
func (s *Server) checkCurrentPassword(ctx context.Context, r *http.Request, login, current string) error {
	address := addressKey(s.clientAddress(r))
	c, err := s.db.SignInFailures(ctx, login, address, s.db.Now().Add(-auth.Window))
	if err != nil {
		return err
	}
	_, hash, err := s.db.PersonByLogin(ctx, login)
	if err != nil {
		return err
	}
	locked := c.Pair >= auth.MaxFailures || c.Address >= auth.MaxFailuresPerAddress || c.Login >= auth.MaxFailuresPerLogin
	if locked {
		hash = dummyHash()
	}
	ok, err := auth.CheckPassword(hash, current)
	if err != nil {
		return err
	}
	if locked {
		return errorf(CodeTooMany, "error.signin_locked", int(math.Ceil(auth.Window.Minutes())))
	}
	if !ok {
		if err := s.db.RecordSignInFailure(ctx, login, address); err != nil {
			return err
		}
		return invalid("current", "error.password_wrong")
	}
	return nil
}
