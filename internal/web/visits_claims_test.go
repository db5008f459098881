package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/visits"
)

// TestClaimsOnlyOfChecklistElements: a team's claim compares what it sees
// with what the unit reported of an element its checklist names. A claim
// naming any other element — one whose readers are another office — is
// refused and reads no value.
func TestClaimsOnlyOfChecklistElements(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := newVisitEnv(t, kind)
			f := e.f
			ctx := context.Background()
			other := f.office("430922", "卫健局")
			secret := collect.Element{Code: "SECRET", Name: "门诊人次", Type: collect.Integer, Period: collect.Year, ValidDays: 365,
				Owner: other.ID, Readers: []int64{other.ID}, Status: collect.Approved}
			if err := f.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveElement(ctx, &secret) }); err != nil {
				t.Fatal(err)
			}
			id := itoa64(e.visit.ID)
			*e.now = visitDay(e.visit.Day)
			if status, body := f.do("POST", "/api/v1/visits/"+id+"/start", e.tokens[e.leader], nil); status != 200 {
				t.Fatalf("start: %d %s", status, body)
			}
			b := fieldBody()
			b.Checks[0].Item = e.visit.Items[0].Item
			b.Claims = []visits.Claim{{Element: "SECRET", Label: "门诊人次", Claimed: "1", Seen: "2"}}
			status, body := f.do("PUT", "/api/v1/visits/"+id+"/record", e.tokens[e.member], b)
			if status != 400 || !strings.Contains(string(body), `"field":"claims[0].element"`) || !strings.Contains(string(body), "SECRET") {
				t.Fatalf("a claim of an element no checklist names: %d %s", status, body)
			}
			// The checklist's own element is compared as before.
			b.Claims = []visits.Claim{{Element: "HH", Label: "户数", Claimed: "320", Seen: "300"}}
			if status, body := f.do("PUT", "/api/v1/visits/"+id+"/record", e.tokens[e.member], b); status != 200 {
				t.Fatalf("a claim of the checklist's element: %d %s", status, body)
			}
		})
	}
}

// TestPhotosPerVisitBounded: a visit keeps at most MaxPhotosPerVisit
// photos; one more is refused, saying so.
func TestPhotosPerVisitBounded(t *testing.T) {
	t.Parallel()
	e := newVisitEnv(t, store.SQLite)
	f := e.f
	id := itoa64(e.visit.ID)
	*e.now = visitDay(e.visit.Day)
	if status, body := f.do("POST", "/api/v1/visits/"+id+"/start", e.tokens[e.leader], nil); status != 200 {
		t.Fatalf("start: %d %s", status, body)
	}
	jpeg := gpsJPEG(t)
	for i := 0; i < store.MaxPhotosPerVisit; i++ {
		if status, _, body := upload(t, f, "/api/v1/visits/"+id+"/photos", e.tokens[e.member], "p.jpg", jpeg); status != 201 {
			t.Fatalf("photo %d: %d %s", i, status, body)
		}
	}
	status, _, body := upload(t, f, "/api/v1/visits/"+id+"/photos", e.tokens[e.member], "p.jpg", jpeg)
	if status != 400 || !strings.Contains(body, "at most 200 photos") {
		t.Fatalf("one photo too many: %d %s", status, body)
	}
}

// TestVisitsTodayFirst: an inspector's list starts with the day's work,
// whatever came before it.
func TestVisitsTodayFirst(t *testing.T) {
	t.Parallel()
	today := calendar.NewDate(2026, 6, 10)
	vs := []VisitView{
		{ID: 1, Day: calendar.NewDate(2026, 6, 1), Status: visits.Done},
		{ID: 2, Day: calendar.NewDate(2026, 6, 3), Status: visits.Done},
		{ID: 3, Day: calendar.NewDate(2026, 6, 20), Status: visits.Planned},
		{ID: 4, Day: today, Status: visits.Planned},
		{ID: 5, Day: calendar.NewDate(2026, 6, 12), Status: visits.Planned},
		{ID: 6, Day: calendar.NewDate(2026, 6, 9), Status: visits.Started},
	}
	orderForToday(vs, today)
	var got []int64
	for _, v := range vs {
		got = append(got, v.ID)
	}
	if want := []int64{6, 4, 5, 3, 2, 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// TestPasswordChangeEndsTheCalendarFeed: an inspector's iCal address is a
// secret like a token; changing the password ends it with the tokens.
func TestPasswordChangeEndsTheCalendarFeed(t *testing.T) {
	t.Parallel()
	e := newVisitEnv(t, store.SQLite)
	f := e.f
	status, body := f.do("POST", "/api/v1/me/calendar", e.tokens[e.leader], nil)
	if status != 200 && status != 201 {
		t.Fatalf("feed: %d %s", status, body)
	}
	var feed struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(body, &feed); err != nil || feed.URL == "" {
		t.Fatalf("feed: %s %v", body, err)
	}
	if status, _ := f.do("GET", feed.URL, "", nil); status != 200 {
		t.Fatalf("the feed before: %d", status)
	}
	if status, body := f.do("POST", "/api/v1/me/password", e.tokens[e.leader], PasswordBody{Current: fixturePassword, Password: "a new long password"}); status != 200 ||
		!strings.Contains(string(body), `"feeds_ended":1`) {
		t.Fatalf("password: %d %s", status, body)
	}
	if status, _ := f.do("GET", feed.URL, "", nil); status != 404 {
		t.Fatalf("the feed after the password changed: %d", status)
	}
}
