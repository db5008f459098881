// Package web turns lighten into HTTP: a JSON API under /api/v1 described by
// an OpenAPI document, and a bilingual server-rendered UI.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
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
	// TrustedProxies is how many proxies of one's own stand in front of the
	// server (with TrustProxy; 0 counts as 1). The client address is the
	// X-Forwarded-For entry the outermost of them appended: the
	// TrustedProxies-th from the right. Entries left of it are whatever
	// the client sent, and are never believed.
	TrustedProxies int
	Version        string
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
	if p := strings.ToLower(s.forwarded(r, "X-Forwarded-Proto")); p == "https" || p == "http" {
		scheme = p
	}
	if h := s.forwarded(r, "X-Forwarded-Host"); h != "" {
		host = h
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
	mux.HandleFunc("GET /readyz", s.readyz)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errorf(CodeCrossOrigin, "error.cross_origin"))
	}))
	s.handler = s.recoverPanics(s.metrics.instrument(cop.Handler(mux)))
	return s
}

// recoverPanics answers a request whose handler panicked with an internal
// error, and logs the panic with its stack: one request's fault never
// takes the server down with it.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &wroteHeader{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // the server's own way to drop a connection
			}
			s.log.Error("request panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !rw.wrote {
				s.fail(rw, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(rw, r)
	})
}

// wroteHeader remembers whether an answer was begun.
type wroteHeader struct {
	http.ResponseWriter
	wrote bool
}

func (w *wroteHeader) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *wroteHeader) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *wroteHeader) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.handler.ServeHTTP(w, r)
}

// Health is what /healthz and /readyz answer: whether the database
// answers, and the schema version it holds — never where it is or who
// connects to it.
type Health struct {
	Status   string `json:"status"` // "ok", or "unavailable"
	Database string `json:"database"`
	Schema   int64  `json:"schema,omitempty"`
	// Current is false while the database's schema is older or newer than
	// this lighten's (readiness fails then).
	Current bool `json:"current"`
}

func (s *Server) health(ctx context.Context) (Health, bool) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	h := Health{Status: "ok", Database: string(s.db.Dialect)}
	have, know, err := s.db.Health(ctx)
	if err != nil {
		s.log.Warn("health check", "err", err)
		h.Status = "unavailable"
		return h, false
	}
	h.Schema, h.Current = have, have == know
	return h, true
}

// healthz says whether the server can reach its database.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	h, ok := s.health(r.Context())
	if !ok {
		w.Header().Set("Retry-After", unavailableRetry)
		writeJSON(w, http.StatusServiceUnavailable, h)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// readyz says whether the server should be sent requests: its database
// answers and holds the schema this lighten knows.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	h, ok := s.health(r.Context())
	if !ok || !h.Current {
		w.Header().Set("Retry-After", unavailableRetry)
		writeJSON(w, http.StatusServiceUnavailable, h)
		return
	}
	writeJSON(w, http.StatusOK, h)
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
// With TrustProxy it is the X-Forwarded-For entry that the outermost trusted
// proxy appended (every header line of it read in order, as one list): the
// TrustedProxies-th entry from the right. A client may write entries of its
// own to the left; they are ignored, so that spoofing them neither escapes
// the per-address limit nor charges another address's. With fewer entries
// than trusted proxies the leftmost is taken, which a trusted proxy wrote.
func (s *Server) clientAddress(r *http.Request) string {
	if a := s.forwarded(r, "X-Forwarded-For"); a != "" {
		return a
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// forwarded is what the trusted proxies say in a X-Forwarded-… header:
// every line read as one list, the entry the outermost trusted proxy wrote
// (the N-th from the right, N the trusted proxies), "" without TrustProxy.
func (s *Server) forwarded(r *http.Request, header string) string {
	if !s.opt.TrustProxy {
		return ""
	}
	var hops []string
	for _, line := range r.Header.Values(header) {
		for _, h := range strings.Split(line, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	if len(hops) == 0 {
		return ""
	}
	return hops[max(len(hops)-max(s.opt.TrustedProxies, 1), 0)]
}

// Routes describes the server's routes, for tests and documentation.
type RouteInfo struct {
	Method, Pattern string
	API             bool
	Public          bool
	Action          access.Action
}

// Routes lists every route the server serves (besides /healthz; metrics are
// served apart, by Metrics).
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
