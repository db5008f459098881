// Package web turns lighten into HTTP: a JSON API under /api/v1 described by
// an OpenAPI document, and a bilingual server-rendered UI.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// Options configure a Server.
type Options struct {
	Logger *slog.Logger
	// SecureCookies marks cookies Secure; set it when served over HTTPS.
	SecureCookies bool
	// TrustProxy takes the client address from X-Forwarded-For, for servers
	// behind a load balancer.
	TrustProxy bool
	Version    string
	// BaseURL is the address the public reaches the server at
	// ("https://lighten.example.gov.cn"), for the full addresses the server
	// gives out, such as an inspector's iCal feed. Without it they are made
	// from the request: its host, and https when the request came over TLS
	// (or, with TrustProxy, said so in X-Forwarded-Proto).
	BaseURL string
	// Limits bound the work served at once (admit.go).
	Limits Limits
}

// absURL is the full address of a path on this server.
func (s *Server) absURL(r *http.Request, path string) string {
	if b := strings.TrimRight(strings.TrimSpace(s.opt.BaseURL), "/"); b != "" {
		return b + path
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.opt.TrustProxy {
		if p := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Proto"), ",")[0])); p == "https" || p == "http" {
			scheme = p
		}
		if h := strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Host"), ",")[0]); h != "" {
			host = h
		}
	}
	return scheme + "://" + host + path
}

// Server is lighten's HTTP handler. It keeps no state of its own beyond
// caches: sessions and counters live in the database, so any number of
// servers can share one.
type Server struct {
	db      *store.DB
	log     *slog.Logger
	opt     Options
	routes  []*route
	metrics *metrics
	mux     *http.ServeMux
	handler http.Handler
	admits  *admitter
}

// New builds the server and its routes.
func New(db *store.DB, opt Options) *Server {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	s := &Server{db: db, log: opt.Logger, opt: opt, metrics: newMetrics(db), admits: newAdmitter(opt.Limits)}
	for _, group := range [][]*route{s.apiRoutes(), s.demandRoutes(), s.dutyRoutes(), s.collectRoutes(), s.collectFileRoutes(), s.drawRoutes(), s.visitRoutes()} {
		for _, rt := range group {
			rt.API = true
			s.routes = append(s.routes, rt)
		}
	}
	s.routes = append(s.routes, s.uiRoutes()...)
	mux := http.NewServeMux()
	s.mux = mux
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, s.admit(rt))
	}
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.metrics.handler())
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errorf(CodeCrossOrigin, "error.cross_origin"))
	}))
	s.handler = s.metrics.instrument(cop.Handler(mux))
	return s
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.handler.ServeHTTP(w, r)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": string(s.db.Dialect)})
}

// authLevel is what a route needs before its handler runs.
type authLevel int

const (
	public   authLevel = iota // anyone
	signedIn                  // a person (the handler checks scope)
)

// route is one endpoint. API routes are documented in the OpenAPI document
// built from this table, so the two cannot drift apart.
type route struct {
	Method  string
	Pattern string
	API     bool
	Auth    authLevel
	// Action is the right the handler checks against the place in the
	// tree it acts on; documentation and the authorization tests use it.
	Action  access.Action
	Summary string
	Tag     string
	Params  []param
	Body    any // a value of the request body's type
	Result  any // a value of the response's type
	Status  int // success status; 200 unless set
	h       handler
}

type param struct {
	Name, In, Type, Desc string
	Required             bool
}

type handler func(w http.ResponseWriter, r *http.Request, c *Ctx) error

// Ctx is what a handler knows about the request.
type Ctx struct {
	P       access.Principal
	Person  units.Person // zero for the public
	Lang    i18n.Lang
	Session string // the session secret, when signed in by cookie
	Token   bool   // signed in by API token
	s       *Server
}

// Tree is the unit tree index.
func (c *Ctx) Tree(ctx context.Context) (*units.Tree, error) { return c.s.db.Tree(ctx) }

// Actor is the person acting, for the audit.
func (c *Ctx) Actor() store.Actor { return store.Actor{ID: c.Person.ID, Login: c.Person.Login} }

// Require fails unless the principal may do a at code.
func (c *Ctx) Require(a access.Action, code string) error {
	if !c.P.SignedIn() && !access.Public(a) {
		return errorf(CodeUnauthorized, "error.unauthorized")
	}
	if !c.P.Can(a, code) {
		return errorf(CodeForbidden, "error.forbidden", placeName(code), string(a))
	}
	return nil
}

// T renders a catalogue key in the request's language.
func (c *Ctx) T(key string, args ...any) string { return i18n.T(c.Lang, key, args...) }

func (s *Server) wrap(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.API {
			// Answers of the API are about people and places: never kept
			// by a cache, never read as anything but what they say they are.
			// A handler that serves something cacheable says so itself.
			w.Header().Set("Cache-Control", "no-store")
		}
		c, err := s.context(r)
		if err == nil && rt.Auth == signedIn && !c.P.SignedIn() {
			err = errorf(CodeUnauthorized, "error.unauthorized")
		}
		if err == nil {
			err = checkInput(r)
		}
		if err == nil {
			err = rt.h(w, r, c)
		}
		if err != nil {
			if rt.API {
				s.writeError(w, r, err)
			} else {
				s.fail(w, r, err)
			}
		}
	})
}

const sessionCookie = "lighten_session"
const langCookie = "lighten_lang"

// context resolves who is asking (session cookie or bearer token) and in
// which language.
func (s *Server) context(r *http.Request) (*Ctx, error) {
	c := &Ctx{s: s, P: access.Anonymous, Lang: requestLang(r)}
	var p units.Person
	var err error
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		p, err = s.db.PersonByAPIToken(r.Context(), strings.TrimPrefix(h, "Bearer "))
		if errors.Is(err, store.ErrNotFound) {
			return c, errorf(CodeUnauthorized, "error.unauthorized")
		}
		c.Token = true
	} else if ck, cerr := r.Cookie(sessionCookie); cerr == nil && ck.Value != "" {
		p, err = s.db.PersonBySession(r.Context(), ck.Value)
		if errors.Is(err, store.ErrNotFound) {
			return c, nil // an ended session is simply the public
		}
		c.Session = ck.Value
	} else {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	c.Person = p
	c.P = principalOf(p)
	return c, nil
}

func principalOf(p units.Person) access.Principal {
	return access.Principal{PersonID: p.ID, Login: p.Login, Name: p.Name, Grants: p.Grants}
}

func requestLang(r *http.Request) i18n.Lang {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	if ck, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(ck.Value); ok {
			return l
		}
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

// clientAddress is the address failed sign-ins are counted against.
func (s *Server) clientAddress(r *http.Request) string {
	if s.opt.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			return strings.TrimSpace(strings.Split(f, ",")[0])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Routes describes the server's routes, for tests and documentation.
type RouteInfo struct {
	Method, Pattern string
	API             bool
	Public          bool
	Action          access.Action
}

// Routes lists every route the server serves (besides /healthz and /metrics).
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, rt := range s.routes {
		out = append(out, RouteInfo{Method: rt.Method, Pattern: rt.Pattern, API: rt.API, Public: rt.Auth == public, Action: rt.Action})
	}
	return out
}

// placeName is a unit code for a message, or "the whole country" for "".
func placeName(code string) any {
	if code == "" {
		return i18n.Both("error.country")
	}
	return code
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
