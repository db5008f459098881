package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lighten/internal/calendar"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
)

// A run that would move a planned visit is shown first: the preview counts
// the change by item and names no unit, day, team or visit while the draw
// is sealed; the run is applied only with the preview's token; the team of
// a visit whose leader saw the day is told on their visits page and feed;
// the old visit's id answers 404 and names no other visit. Once the draw is
// revealed the preview lists each visit with its unit.
func TestScheduleRunPreviewAndNotice(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			ctx := context.Background()
			_, burden := f.person("jianfu", "430922", "burden@430922")
			old := itoa(e.visit.ID)
			// The leader sees the day in their list.
			if status, body := f.do("GET", "/api/v1/me/visits", e.tokens[e.leader], nil); status != http.StatusOK || !strings.Contains(string(body), `"notices":[]`) {
				t.Fatalf("my visits: %d %s", status, body)
			}
			// The member falls ill on the visit's day.
			list, _ := f.db.Inspectors(ctx, store.InspectorFilter{})
			for _, in := range list {
				if in.Number == e.member {
					in.Away = []calendar.Date{e.visit.Day}
					if err := f.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveInspector(ctx, &in) }); err != nil {
						t.Fatal(err)
					}
				}
			}
			window := ScheduleBody{Scope: "430922", From: "2026-06-08", To: "2026-06-12"}
			status, body := f.do("POST", "/api/v1/schedule-runs", burden, window)
			// While the draw is sealed a run needs its preview whether or
			// not it would replace anything: the answer does not tell.
			if status != http.StatusConflict || !strings.Contains(string(body), "This run serves draws not yet revealed: preview it first") {
				t.Fatalf("a run replacing a visit without its preview: %d %s", status, body)
			}
			status, body = f.do("POST", "/api/v1/schedule-runs/preview", burden, window)
			if status != http.StatusOK {
				t.Fatalf("preview: %d %s", status, body)
			}
			for _, leak := range []string{e.visit.Unit, e.targetName(), `"day":`, `"new_day":`, `"team":`, e.leader, e.member, `"visit":`, `"unit":"4`} {
				if strings.Contains(string(body), leak) {
					t.Fatalf("the sealed preview names %q: %s", leak, body)
				}
			}
			var pv SchedulePreviewView
			if err := json.Unmarshal(body, &pv); err != nil {
				t.Fatal(err)
			}
			// Sealed: not a change, not a figure — they depend on the
			// sealed team, which the register's keeper could probe.
			if !pv.Sealed || pv.Token == "" || len(pv.Changes) != 0 || pv.Replaced != 0 || pv.Stats.Visits != 0 ||
				!strings.Contains(pv.Summary.EN, "Until they are, what it would keep, move, add or drop is not shown, nor any figure") {
				t.Fatalf("preview: %s", body)
			}
			if runs, _ := f.db.ScheduleRuns(ctx, "430922"); len(runs) != 1 {
				t.Fatalf("the preview stored a run: %d", len(runs))
			}
			stale := window
			stale.Confirm = strings.Repeat("0", 64)
			if status, body := f.do("POST", "/api/v1/schedule-runs", burden, stale); status != http.StatusConflict || !strings.Contains(string(body), "changed since its preview") {
				t.Fatalf("another token: %d %s", status, body)
			}
			window.Confirm = pv.Token
			status, body = f.do("POST", "/api/v1/schedule-runs", burden, window)
			if status != http.StatusCreated {
				t.Fatalf("confirmed run: %d %s", status, body)
			}
			var run RunView
			json.Unmarshal(body, &run)
			if !run.Sealed || run.Replaced != 0 || run.Notified != 0 {
				t.Fatalf("run: %s", body)
			}
			if stored, _ := f.db.ScheduleRuns(ctx, "430922"); len(stored) != 2 || stored[0].Replaced != 1 || stored[0].Notified != 1 {
				t.Fatalf("the run's own figures, kept for after the reveal: %+v", stored)
			}
			// The old id names nothing now, for the team as for anyone.
			if status, _ := f.do("GET", "/api/v1/visits/"+old, e.tokens[e.leader], nil); status != http.StatusNotFound {
				t.Fatalf("the replaced visit answers %d", status)
			}
			// The leader is told, in both languages, on the feed and page.
			status, body = f.do("GET", "/api/v1/me/visits", e.tokens[e.leader], nil)
			var mine MyVisits
			json.Unmarshal(body, &mine)
			if status != http.StatusOK || len(mine.Notices) != 1 || mine.Notices[0].Visit != e.visit.ID || mine.Notices[0].Day != e.visit.Day ||
				!strings.Contains(mine.Notices[0].Message.EN, "visit "+old+" (planned for "+e.visit.Day.String()+")") || mine.Notices[0].Message.ZH == "" {
				t.Fatalf("notices: %d %s", status, body)
			}
			for _, v := range mine.Visits {
				if v.ID == e.visit.ID {
					t.Fatalf("the old id names a visit again: %+v", v)
				}
			}
			c := f.uiClient("zh")
			c.signIn(e.people[e.leader].Login)
			uiMust(t, c.get("/visits"), http.StatusOK, "检查变动通知", "检查 "+old+"（原定 "+e.visit.Day.String()+"）")
			// The other inspector was never on the team: no notice.
			status, body = f.do("GET", "/api/v1/me/visits", e.tokens[e.other], nil)
			if status != http.StatusOK || !strings.Contains(string(body), `"notices":[]`) {
				t.Fatalf("a notice to someone off the team: %d %s", status, body)
			}

			// Revealed, the preview lists each visit with its place.
			*e.now = visitDay(calendar.NewDate(2026, 7, 20))
			rec, err := f.db.DrawByID(ctx, e.draw.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.RevealDraw(ctx, rec) }); err != nil {
				t.Fatal(err)
			}
			window.Confirm = ""
			status, body = f.do("POST", "/api/v1/schedule-runs/preview", burden, window)
			if status != http.StatusOK || !strings.Contains(string(body), e.targetName()) || !strings.Contains(string(body), `"sealed":false`) {
				t.Fatalf("revealed preview: %d %s", status, body)
			}
		})
	}
}

// The schedule page's own default window, a month from tomorrow, is taken
// even across the year end.
func TestScheduleFormDefaultWindowAcrossYearEnd(t *testing.T) {
	t.Parallel()
	e := newVisitEnv(t, store.SQLite)
	f := e.f
	*e.now = visitDay(calendar.NewDate(2026, 12, 3))
	f.person("jianfu", "430922", "burden@430922")
	c := f.uiClient("en")
	c.signIn("jianfu")
	r := c.get("/schedule")
	uiMust(t, r, http.StatusOK, `value="2026-12-04"`, `value="2027-01-02"`)
	r = c.post("/schedule", url.Values{"scope": {"430922"}, "from": {"2026-12-04"}, "to": {"2027-01-02"}})
	// Nothing is drawn then: the answer says so, not that the window is wrong.
	uiMust(t, r, http.StatusConflict, "Nothing is drawn under 430922 for 2026-12-04 to 2027-01-02")
	uiMustNot(t, r, "spans two years", "same year")
}

// postPhoto posts the field record's form as a browser does, with a photo.
func postPhoto(c *uiClient, path string, fields url.Values, name string, file []byte) uiResponse {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("photo", name)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	req, err := http.NewRequest("POST", c.f.ts.URL+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return uiResponse{status: resp.StatusCode, body: string(b), header: resp.Header, location: resp.Header.Get("Location")}
}

// A photo sent with a record that has a fault is kept, and the page shows
// the fault with everything typed, not the stored record; a record with a
// line offered but not filled in is saved.
func TestPhotoWithFaultyRecordKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	e := newVisitEnv(t, store.SQLite)
	*e.now = visitDay(e.visit.Day)
	c := e.f.uiClient("en")
	c.signIn(e.people[e.leader].Login)
	id := itoa(e.visit.ID)
	if r := c.post("/visits/"+id+"/start", nil); r.status != http.StatusSeeOther {
		t.Fatalf("start: %d", r.status)
	}
	var img bytes.Buffer
	png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4)))
	form := url.Values{"check." + visitItemCode + ".C1": {"bad"}, "check." + visitItemCode + ".C1.note": {"预案未张贴"},
		"claim.0.element": {"HH"}, "claim.0.label": {"户数是否属实"}, "claim.0.claimed": {""}, "claim.0.seen": {""},
		"finding.0.text": {"应急预案未上墙"}, "finding.0.severity": {"major"}, "upload": {"1"}}
	r := postPhoto(c, "/visits/"+id, form, "board.png", img.Bytes())
	uiMust(t, r, http.StatusBadRequest, "pass, fail or na", `value="预案未张贴"`, "应急预案未上墙", "/api/v1/photos/")
	form.Set("check."+visitItemCode+".C1", "fail")
	if r = postPhoto(c, "/visits/"+id, form, "board2.png", img.Bytes()); r.status != http.StatusSeeOther {
		t.Fatalf("record and photo: %d %s", r.status, r.body)
	}
	rec, err := e.f.db.FieldRecord(context.Background(), e.visit.ID)
	if err != nil || rec == nil || len(rec.Checks) != 1 || rec.Checks[0].Note != "预案未张贴" || len(rec.Claims) != 0 || len(rec.Photos) != 2 {
		t.Fatalf("record: %+v %v", rec, err)
	}
}
