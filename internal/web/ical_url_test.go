package web

import (
	"net/http"
	"strings"
	"testing"

	"lighten/internal/store"
)

// The iCal feed's address is given in full: the request's scheme and host,
// what a trusted proxy says it was, or the configured base URL.
func TestICalFeedAddress(t *testing.T) {
	e := newVisitEnv(t, store.SQLite)
	f := e.f
	token := e.tokens[e.leader]
	status, body := f.do("POST", "/api/v1/me/calendar", token, nil)
	feed := decodeJSON[CalendarFeed](t, body)
	if status != http.StatusOK || feed.URL != f.ts.URL+"/ical/"+feed.Token+".ics" {
		t.Fatalf("feed: %d %s", status, body)
	}
	if st, b := f.do("GET", feed.URL, "", nil); st != http.StatusOK || !strings.Contains(string(b), "BEGIN:VCALENDAR") {
		t.Fatalf("the address does not serve the feed: %d %.200s", st, b)
	}
	// On the page: the full address to copy, with how.
	c := f.uiClient("en")
	who := e.people[e.leader]
	c.signIn(who.Login)
	uiMust(t, c.get("/visits?feed=1"), http.StatusOK, `value="`+f.ts.URL+`/ical/`, `.ics" readonly`, "Select and copy the whole address")
	zh := f.uiClient("zh")
	zh.signIn(who.Login)
	uiMust(t, zh.get("/visits?feed=1"), http.StatusOK, "日历订阅地址", "添加订阅日历")

	// Behind a trusted proxy, its scheme and host; with a base URL, that.
	req := httptestRequest(t, "POST", "/api/v1/me/calendar")
	req.Host = "10.0.0.5:8080"
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Set("X-Forwarded-Host", "lighten.taojiang.gov.cn")
	for _, c := range []struct {
		opt  Options
		want string
	}{
		{Options{}, "http://10.0.0.5:8080/ical/T.ics"},
		{Options{TrustProxy: true}, "https://lighten.taojiang.gov.cn/ical/T.ics"},
		{Options{BaseURL: "https://jianfu.example.cn/"}, "https://jianfu.example.cn/ical/T.ics"},
	} {
		s := &Server{opt: c.opt}
		if got := s.absURL(req, "/ical/T.ics"); got != c.want {
			t.Errorf("%+v: %s, want %s", c.opt, got, c.want)
		}
	}
	// A client's own X-Forwarded-Host, to which the proxy appended the
	// real one, does not choose the address given out.
	req.Header.Set("X-Forwarded-Host", "evil.example, lighten.taojiang.gov.cn")
	req.Header.Set("X-Forwarded-Proto", "http, https")
	s := &Server{opt: Options{TrustProxy: true}}
	if got := s.absURL(req, "/ical/T.ics"); got != "https://lighten.taojiang.gov.cn/ical/T.ics" {
		t.Errorf("spoofed host: %s", got)
	}
}

func httptestRequest(t *testing.T, method, path string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://example.invalid"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
