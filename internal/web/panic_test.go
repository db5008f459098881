package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"lighten/internal/store"
)

// TestPanicIsAnsweredAndLogged: a handler that panics gets an internal
// error answer and a log line with its stack; the server goes on serving.
func TestPanicIsAnsweredAndLogged(t *testing.T) {
	t.Parallel()
	f := newFixture(t, store.SQLite)
	var logs bytes.Buffer
	f.srv.log = slog.New(slog.NewTextHandler(&logs, nil))
	h := f.srv.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/boom") {
			var m map[string]int
			m["x"]++ // a nil map: the kind of fault a reader's bug makes
		}
		w.WriteHeader(http.StatusTeapot)
	}))
	for _, p := range []string{"/api/v1/boom", "/boom"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", p, nil)
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Fatalf("the panic escaped: %v", v)
				}
			}()
			h.ServeHTTP(rec, req)
		}()
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("%s: status %d, want 500", p, rec.Code)
		}
		if api := strings.HasPrefix(p, "/api/"); api != strings.Contains(rec.Body.String(), `"code":"internal"`) {
			t.Fatalf("%s: answered %s", p, rec.Body.String())
		}
	}
	if !strings.Contains(logs.String(), "request panicked") || !strings.Contains(logs.String(), "assignment to entry in nil map") {
		t.Fatalf("log: %s", logs.String())
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/fine", nil))
	if rec.Code != http.StatusTeapot {
		t.Fatalf("after a panic: %d", rec.Code)
	}
}
