package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"lighten/internal/i18n"
	"lighten/internal/store"
)

// CodeBusy says the server has more work of the kind asked than it takes
// at once, or could not finish the request in time: nothing was done, and
// the request may be sent again after Retry-After seconds.
const CodeBusy = "busy"

func init() { statusOf[CodeBusy] = http.StatusServiceUnavailable }

// Limits bound the work a server takes at once. Requests are admitted per
// class up to a number at a time; one that finds its class full waits at
// most Wait for room, then is answered 503 with the code "busy" and
// Retry-After, having done nothing. Every admitted request has a deadline
// (Timeout), after which it is answered the same way. Zero fields take the
// defaults.
type Limits struct {
	// Ingest bounds submissions of values and imports of files at once:
	// the work that waits for the database's writer.
	Ingest int
	// Writes bounds other changes at once.
	Writes int
	// Reads bounds reads at once: pages, the inbox, lists, gate checks.
	Reads int
	// Wait is how long a request waits for room in its class.
	Wait time.Duration
	// Timeout is each request's deadline.
	Timeout time.Duration
}

// The defaults of Limits.
const (
	DefaultIngest  = 16
	DefaultWrites  = 32
	DefaultReads   = 256
	DefaultWait    = time.Second
	DefaultTimeout = 110 * time.Second // below serve's write timeout (120 s), so the answer still goes out
)

func busyMessage() i18n.Text { return i18n.Both("error.busy", retryAfter) }

// retryAfter is what a busy answer asks the client to wait, in seconds.
const retryAfter = 2

// class is a kind of work, each admitted up to its own limit.
type class int

const (
	classRead class = iota
	classWrite
	classIngest
	nClasses
)

// ingestRoutes are the routes that submit values or import files. A test
// checks that each is in the route table.
var ingestRoutes = map[string]bool{
	"POST /api/v1/units/{code}/reports/{id}/submission":      true,
	"POST /api/v1/units/{code}/reports/{id}/submission.xlsx": true,
	"POST /api/v1/reports/{id}/submissions":                  true,
	"POST /api/v1/dhis2/dataValueSets":                       true,
	"POST /api/v1/elements/import":                           true,
	"POST /api/v1/duty-lists":                                true,
	"POST /units/{code}/reports/{id}":                        true,
	"POST /units/{code}/reports/{id}/upload":                 true,
	"POST /units/{code}/duties":                              true,
}

// readRoutes are the routes sent with POST that change nothing: the
// gate's dry runs.
var readRoutes = map[string]bool{
	"POST /api/v1/demands/check":      true,
	"POST /api/v1/demands/{id}/check": true,
	"POST /demands/check":             true,
}

func classOf(rt *route) class {
	key := rt.Method + " " + rt.Pattern
	switch {
	case ingestRoutes[key]:
		return classIngest
	case rt.Method == http.MethodGet || rt.Method == http.MethodHead || readRoutes[key]:
		return classRead
	}
	return classWrite
}

// admitter holds the room of each class.
type admitter struct {
	slots   [nClasses]chan struct{}
	wait    time.Duration
	timeout time.Duration
	// admitted, when set (tests), is told of each request admitted.
	admitted func(class)
}

func newAdmitter(l Limits) *admitter {
	pick := func(n, def int) int {
		if n > 0 {
			return n
		}
		return def
	}
	a := &admitter{wait: l.Wait, timeout: l.Timeout}
	if a.wait <= 0 {
		a.wait = DefaultWait
	}
	if a.timeout <= 0 {
		a.timeout = DefaultTimeout
	}
	a.slots[classRead] = make(chan struct{}, pick(l.Reads, DefaultReads))
	a.slots[classWrite] = make(chan struct{}, pick(l.Writes, DefaultWrites))
	a.slots[classIngest] = make(chan struct{}, pick(l.Ingest, DefaultIngest))
	return a
}

// enter waits for room in a class, at most a.wait; it reports whether
// the request was admitted.
func (a *admitter) enter(ctx context.Context, c class) bool {
	select {
	case a.slots[c] <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(a.wait)
	defer t.Stop()
	select {
	case a.slots[c] <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

func (a *admitter) leave(c class) { <-a.slots[c] }

// admit serves a route within its class's limit and under a deadline.
// Work the database could not take in time (the deadline passed, a
// statement or lock timeout on PostgreSQL, a busy SQLite) is answered as
// busy too, rather than as lighten's fault.
func (s *Server) admit(rt *route) http.Handler {
	c := classOf(rt)
	inner := *rt
	h := rt.h
	inner.h = func(w http.ResponseWriter, r *http.Request, x *Ctx) error {
		err := h(w, r, x)
		if err != nil && (store.Overloaded(err) || errors.Is(r.Context().Err(), context.DeadlineExceeded)) {
			var e *Error
			if !errors.As(err, &e) {
				return &Error{Code: CodeBusy, Message: busyMessage(), cause: err}
			}
		}
		return err
	}
	next := s.wrap(&inner)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w = retryAfterWriter{w}
		if !s.admits.enter(r.Context(), c) {
			if r.Context().Err() != nil {
				return // the client is gone
			}
			err := &Error{Code: CodeBusy, Message: busyMessage()}
			if rt.API {
				w.Header().Set("Cache-Control", "no-store")
				s.writeError(w, r, err)
			} else {
				s.fail(w, r, err)
			}
			return
		}
		defer s.admits.leave(c)
		if s.admits.admitted != nil {
			s.admits.admitted(c)
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.admits.timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// retryAfterWriter adds Retry-After to every 503 that has none.
type retryAfterWriter struct{ http.ResponseWriter }

func (w retryAfterWriter) WriteHeader(status int) {
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the connection.
func (w retryAfterWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
