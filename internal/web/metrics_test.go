package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"lighten/internal/store/storetest"
)

// metricsOf reads the server's metrics as the private address serves them.
func metricsOf(f *fixture) (int, string) {
	rec := httptest.NewRecorder()
	f.srv.Metrics().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Code, rec.Body.String()
}

// The public address serves no metrics: they are
// served on an address of their own (lighten serve --metrics-addr). And
// no label tells of sealed visits: every route of a team's visits — the
// visit, its start, its record, its photos, the feed, the pages — is
// counted as route "visits" with its status class, so a start, a record
// read or a refusal cannot be told from the others.
func TestMetricsPrivateAndSealed(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := newVisitEnv(t, kind)
			f := e.f
			for _, tok := range []string{"", e.token} {
				if status, body := f.do("GET", "/metrics", tok, nil); status != 404 || strings.Contains(string(body), "lighten_http_requests_total") {
					t.Fatalf("public /metrics: %d %.200s", status, body)
				}
			}
			id := itoa64(e.visit.ID)
			*e.now = visitDay(e.visit.Day)
			for _, r := range []struct{ method, path, token string }{
				{"GET", "/api/v1/visits/" + id, e.tokens[e.member]},
				{"POST", "/api/v1/visits/" + id + "/start", e.tokens[e.leader]},
				{"GET", "/api/v1/visits/" + id + "/record", e.token},
				{"GET", "/api/v1/visits/" + id + "/record/versions", e.tokens[e.leader]},
				{"GET", "/api/v1/photos/123456789012", e.tokens[e.leader]},
				{"GET", "/api/v1/me/visits", e.tokens[e.other]},
				{"GET", "/visits/" + id, e.tokens[e.member]},
				{"GET", "/ical/nothing.ics", ""},
			} {
				f.do(r.method, r.path, r.token, nil)
			}
			status, body := metricsOf(f)
			if status != 200 || !strings.Contains(body, `route="visits"`) {
				t.Fatalf("metrics: %d\n%s", status, body)
			}
			for _, line := range strings.Split(body, "\n") {
				if !strings.HasPrefix(line, "lighten_http_") {
					continue
				}
				for _, leak := range []string{"/visits", "/photos", "/ical", "/record", "/start"} {
					if strings.Contains(line, leak) {
						t.Errorf("a metric tells of visits: %s", line)
					}
				}
				if strings.Contains(line, `route="visits"`) && !strings.Contains(line, `xx"`) && strings.Contains(line, "status=") {
					t.Errorf("a visits metric keeps its status: %s", line)
				}
			}
		})
	}
}
