package web

import (
	"context"
	"errors"
	"math"
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
	since := s.db.Now().Add(-auth.Window)
	byLogin, byAddr, err := s.db.SignInFailures(ctx, login, address, since)
	if err != nil {
		return units.Person{}, "", err
	}
	if byLogin >= auth.MaxFailures || byAddr >= auth.MaxFailuresPerAddress {
		return units.Person{}, "", errorf(CodeTooMany, "error.signin_locked", int(math.Ceil(auth.Window.Minutes())))
	}
	p, hash, err := s.db.PersonByLogin(ctx, login)
	ok := false
	if err == nil && !p.Disabled && hash != "" {
		ok, err = auth.CheckPassword(hash, password)
	} else if errors.Is(err, store.ErrNotFound) {
		// Spend the same time as a real check, so that timing does not
		// tell which logins exist.
		auth.CheckPassword(dummyHash(), password)
		err = nil
	}
	if err != nil {
		return units.Person{}, "", err
	}
	if !ok {
		if err := s.db.RecordSignInFailure(ctx, login, address); err != nil {
			return units.Person{}, "", err
		}
		return units.Person{}, "", errorf(CodeUnauthorized, "error.signin_failed")
	}
	if err := s.db.ClearSignInFailures(ctx, login); err != nil {
		return units.Person{}, "", err
	}
	var token string
	err = s.db.Write(ctx, store.Actor{ID: p.ID, Login: p.Login}, func(tx *store.Tx) error {
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
