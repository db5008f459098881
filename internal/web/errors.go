package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"lighten/internal/i18n"
	"lighten/internal/store"
)

// Error codes are stable: API clients may rely on them.
const (
	CodeInvalid      = "invalid"      // the request is malformed or a field is wrong
	CodeUnauthorized = "unauthorized" // no valid sign-in
	CodeForbidden    = "forbidden"    // signed in, but not allowed here
	CodeNotFound     = "not_found"    // no such thing (or not visible to you)
	CodeConflict     = "conflict"     // it already exists
	CodeTooMany      = "too_many"     // rate limited
	CodeInternal     = "internal"     // a fault of lighten's
	CodeUnavailable  = "unavailable"  // the database does not answer
	CodeCrossOrigin  = "cross_origin" // a cross-site request was refused
	CodeTooLarge     = "too_large"    // the body is too large
)

var statusOf = map[string]int{
	CodeInvalid:      http.StatusBadRequest,
	CodeUnauthorized: http.StatusUnauthorized,
	CodeForbidden:    http.StatusForbidden,
	CodeNotFound:     http.StatusNotFound,
	CodeConflict:     http.StatusConflict,
	CodeTooMany:      http.StatusTooManyRequests,
	CodeInternal:     http.StatusInternalServerError,
	CodeUnavailable:  http.StatusServiceUnavailable,
	CodeCrossOrigin:  http.StatusForbidden,
	CodeTooLarge:     http.StatusRequestEntityTooLarge,
}

// Error is an error a person can act on: a stable code, a message in both
// languages, and the field it concerns, if any.
type Error struct {
	Code    string    `json:"code"`
	Message i18n.Text `json:"message"`
	Field   string    `json:"field,omitempty"`
	cause   error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s (%v)", e.Code, e.Message.EN, e.cause)
	}
	return e.Code + ": " + e.Message.EN
}

func (e *Error) Unwrap() error { return e.cause }

// Status is the HTTP status for the error's code.
func (e *Error) Status() int {
	if s, ok := statusOf[e.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorf makes an Error from a catalogue key.
func errorf(code, key string, args ...any) *Error {
	return &Error{Code: code, Message: i18n.Both(key, args...)}
}

// invalid is a field error.
func invalid(field, key string, args ...any) *Error {
	e := errorf(CodeInvalid, key, args...)
	e.Field = field
	return e
}

// asError turns any error into an *Error, keeping lighten's faults out of
// the message.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &Error{Code: CodeNotFound, Message: i18n.Both("error.not_found"), cause: err}
	case errors.Is(err, store.ErrConflict):
		var ce *store.ConflictError
		if errors.As(err, &ce) {
			return &Error{Code: CodeConflict, Message: ce.Message(), Field: ce.Field, cause: err}
		}
		return &Error{Code: CodeConflict, Message: i18n.Both("error.conflict", err.Error()), cause: err}
	case errors.Is(err, store.ErrState), errors.Is(err, store.ErrForbidden):
		// Refusals by status or by who acts, wherever a handler did not
		// translate them itself.
		if e, ok := gateError(err).(*Error); ok {
			return e
		}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The request ended (the client left, or the server is stopping)
		// before its work did: nothing was stored.
		return &Error{Code: CodeUnavailable, Message: i18n.Both("error.cancelled"), cause: err}
	}
	if store.Unavailable(err) {
		return &Error{Code: CodeUnavailable, Message: i18n.Both("error.unavailable"), cause: err}
	}
	return &Error{Code: CodeInternal, Message: i18n.Both("error.internal"), cause: err}
}

// unavailableRetry is how many seconds a client is told to wait when the
// database does not answer.
const unavailableRetry = "5"

// setRetryAfter tells the client when to try again, for answers that
// mean "not now" rather than "not this".
func setRetryAfter(w http.ResponseWriter, e *Error) {
	if e.Code == CodeUnavailable {
		w.Header().Set("Retry-After", unavailableRetry)
	}
}

// writeError answers an API request with a JSON error.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := asError(err)
	switch e.Code {
	case CodeInternal:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case CodeUnavailable:
		s.log.Warn("database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	setRetryAfter(w, e)
	writeJSON(w, e.Status(), map[string]*Error{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Debug("write response", "err", err)
	}
}
