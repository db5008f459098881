package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/auth"
	"lighten/internal/store"
	"lighten/internal/units"
)

// maxForm bounds a form body; the UI's forms are a few short fields.
const maxForm = 64 << 10

func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errorf(CodeTooLarge, "error.too_large", maxForm)
		}
		return errorf(CodeInvalid, "ui.form.bad")
	}
	return checkValues(r.PostForm)
}

type rightView struct {
	Action access.Action
	Places []placeView
}

type tokenView struct {
	Token   store.APIToken
	Expired bool
}

type meView struct {
	Person units.Person
	Place  string
	Office *units.Office
	Roles  []grantView
	Rights []rightView
	Tokens []tokenView

	Done      string // what the last form did
	NewSecret string // a new token's secret, shown once
	NewName   string
	TokenName string
	TokenDays int
	MaxDays   int
	MinLength int
	TokenErr  string
	PassErr   string
}

// Notices after a form, by the done= parameter of the redirect.
var doneKeys = map[string]string{
	"password": "ui.me.done.password",
	"revoked":  "ui.me.done.revoked",
}

func (s *Server) meView(r *http.Request, c *Ctx) (meView, error) {
	ctx := r.Context()
	v := meView{Person: c.Person, TokenDays: 90, MaxDays: int(auth.TokenMax / (24 * time.Hour)), MinLength: auth.MinPasswordLength}
	m, err := s.me(ctx, c)
	if err != nil {
		return v, err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return v, err
	}
	v.Office = m.Office
	v.Place = place(t, c, c.Person.UnitCode)
	v.Roles = grantsOf(t, c, c.Person.Grants)
	for _, a := range sortedActions() {
		sc, ok := m.Rights[string(a)]
		if !ok {
			continue
		}
		rv := rightView{Action: a}
		for _, code := range sc {
			rv.Places = append(rv.Places, placeView{Code: code, Name: place(t, c, code)})
		}
		v.Rights = append(v.Rights, rv)
	}
	ts, err := s.db.APITokens(ctx, c.Person.ID)
	if err != nil {
		return v, err
	}
	now := s.db.Now()
	for _, tk := range ts {
		v.Tokens = append(v.Tokens, tokenView{Token: tk, Expired: now.After(tk.Expires)})
	}
	if k, ok := doneKeys[r.URL.Query().Get("done")]; ok {
		v.Done = c.T(k)
	}
	return v, nil
}

func (s *Server) uiMe(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := s.meView(r, c)
	if err != nil {
		return err
	}
	return s.page(w, r, c, http.StatusOK, "me", c.T("ui.me.title"), v)
}

// formError shows the me page again with a form's error next to the form;
// errors that are not the person's to fix become the error page.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, c *Ctx, err error, set func(*meView, string)) error {
	var e *Error
	if !errors.As(err, &e) || e.Code == CodeInternal || e.Code == CodeUnavailable {
		return err
	}
	v, verr := s.meView(r, c)
	if verr != nil {
		return verr
	}
	set(&v, e.Message.In(c.Lang))
	v.TokenName = r.PostFormValue("name")
	if d, derr := strconv.Atoi(r.PostFormValue("days")); derr == nil {
		v.TokenDays = d
	}
	return s.page(w, r, c, e.Status(), "me", c.T("ui.me.title"), v)
}

func (s *Server) uiCreateToken(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	tokenErr := func(v *meView, msg string) { v.TokenErr = msg }
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		return s.formError(w, r, c, invalid("name", "ui.tokens.name_required"), tokenErr)
	}
	maxDays := int(auth.TokenMax / (24 * time.Hour))
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil || days < 1 || days > maxDays {
		return s.formError(w, r, c, invalid("days", "error.token_days", maxDays), tokenErr)
	}
	var secret string
	err = s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		var err error
		_, secret, err = tx.CreateAPIToken(r.Context(), c.Person, name, time.Duration(days)*24*time.Hour)
		return err
	})
	if err != nil {
		return err
	}
	v, err := s.meView(r, c)
	if err != nil {
		return err
	}
	// The secret is in this answer only; the store keeps its digest.
	v.NewSecret, v.NewName = secret, name
	return s.page(w, r, c, http.StatusOK, "me", c.T("ui.me.title"), v)
}

func (s *Server) uiRevokeToken(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.RevokeAPIToken(r.Context(), c.Person, id) }); err != nil {
		return err
	}
	http.Redirect(w, r, "/me?done=revoked#tokens", http.StatusSeeOther)
	return nil
}

func (s *Server) uiPassword(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	passErr := func(v *meView, msg string) { v.PassErr = msg }
	if err := s.checkCurrentPassword(ctx, r, c.Person.Login, r.PostFormValue("current")); err != nil {
		return s.formError(w, r, c, err, passErr)
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("confirm") {
		return s.formError(w, r, c, invalid("confirm", "ui.password.mismatch"), passErr)
	}
	newHash, err := hashPassword(pw)
	if err != nil {
		return s.formError(w, r, c, err, passErr)
	}
	// Changing the password ends every session, this one too; a person
	// signed in by this browser stays signed in here with a fresh one.
	// It revokes the person's API tokens too (the page says so): a stolen
	// token must not outlive the password.
	var token string
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		if _, err := tx.SetPassword(ctx, c.Person, newHash, false); err != nil {
			return err
		}
		if c.Session != "" {
			token, err = tx.CreateSession(ctx, c.Person, "password")
		}
		return err
	})
	if err != nil {
		return err
	}
	if token != "" {
		s.setSessionCookie(w, token)
	}
	http.Redirect(w, r, "/me?done=password", http.StatusSeeOther)
	return nil
}

type signInView struct {
	Login string
	Next  string
	Error string
}

func (s *Server) uiSignInForm(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v := signInView{Next: localPath(r.URL.Query().Get("next"))}
	return s.page(w, r, c, http.StatusOK, "signin", c.T("ui.signin.title"), v)
}

func (s *Server) uiSignIn(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := signInView{Login: strings.TrimSpace(r.PostFormValue("login")), Next: localPath(r.PostFormValue("next"))}
	password := r.PostFormValue("password")
	if v.Login == "" || password == "" {
		v.Error = c.T("ui.signin.missing")
		return s.page(w, r, c, http.StatusBadRequest, "signin", c.T("ui.signin.title"), v)
	}
	_, token, err := s.signIn(r.Context(), v.Login, password, s.clientAddress(r))
	var e *Error
	if errors.As(err, &e) {
		// Wrong password, or locked after too many: say so on the form.
		v.Error = e.Message.In(c.Lang)
		return s.page(w, r, c, e.Status(), "signin", c.T("ui.signin.title"), v)
	}
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
	return nil
}

func (s *Server) uiSignOut(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := s.signOut(r.Context(), w, c); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// signInURL is where a page that needs a person sends the public.
func signInURL(next string) string { return "/signin?next=" + url.QueryEscape(next) }
