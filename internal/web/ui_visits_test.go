package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/visits"
)

// upload sends a photo to a visit's page or API route as a signed-in
// client does.
func upload(t *testing.T, f *fixture, path, token, name string, data []byte) (int, string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("photo", name)
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", f.ts.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept-Language", "en")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// The plan office's pages: its plans, a new draft with an item and its
// checklist, field errors that name the row, and the gate's dry run.
func TestUIPlans(t *testing.T) {
	e := newVisitEnv(t, store.SQLite)
	f := e.f
	c := f.uiClient("en")
	c.signIn("yingji")
	r := c.get("/plans")
	uiMust(t, r, http.StatusOK, visitPlanTitle, "Approved", `href="/plans/`+itoa(e.plan.ID)+`"`, `action="/plans"`, `name="item.0.checklist"`)
	r = c.get("/plans/" + itoa(e.plan.ID))
	uiMust(t, r, http.StatusOK, visitItemCode, "应急预案是否张贴", `href="/draws/`+itoa(e.draw.ID)+`"`, "scoring")
	uiMustNot(t, r, `action="/plans/`+itoa(e.plan.ID)+`"`) // approved: no longer a form

	form := url.Values{"title": {"2027年度检查计划"}, "year": {"2027"}, "item.0.code": {"NY-2027-1"}, "item.0.title": {"耕地保护专项检查"},
		"item.0.kind": {"special"}, "item.0.scope": {"430922"}, "item.0.level": {"village"}, "item.0.rate": {"abc"}, "item.0.team": {"2"},
		"item.0.from": {"2027-04-06"}, "item.0.to": {"2027-04-30"}, "item.0.checklist": {"G1 | 耕地台账是否建立\nG2 | 耕地面积 | AREA | scoring"}}
	uiMust(t, c.post("/plans", form), http.StatusBadRequest, "items[0].rate", "Item 1, field &#34;rate&#34;")
	form.Set("item.0.rate", "10")
	form.Set("item.0.scope", "430923")
	uiMust(t, c.post("/plans", form), http.StatusForbidden)
	form.Set("item.0.scope", "430922")
	r = c.post("/plans", form)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/plans/") {
		t.Fatalf("create: %d %s %s", r.status, r.location, r.body)
	}
	page := r.location
	r = c.get(page)
	uiMust(t, r, http.StatusOK, "NY-2027-1", "G2 | 耕地面积 | AREA | scoring", `name="item.1.code"`, "Draft")
	id := strings.TrimPrefix(page, "/plans/")
	var p *visits.Plan
	p, err := f.db.Plan(context.Background(), mustID(t, id))
	if err != nil || len(p.Items) != 1 || p.Items[0].Rate != 0.1 || len(p.Items[0].Checklist) != 2 || !p.Items[0].Checklist[1].Scoring ||
		p.Items[0].Checklist[1].Element != "AREA" {
		t.Fatalf("saved plan: %+v %v", p, err)
	}
	// A second item, and a bad checklist line named by its row.
	form.Set("item.1.code", "NY-2027-2")
	form.Set("item.1.title", "高标准农田调研")
	form.Set("item.1.kind", "research")
	form.Set("item.1.scope", "430922100")
	form.Set("item.1.level", "village")
	form.Set("item.1.rate", "50")
	form.Set("item.1.team", "2")
	form.Set("item.1.from", "2027-05-10")
	form.Set("item.1.to", "2027-05-14")
	form.Set("item.1.checklist", "R1")
	uiMust(t, c.post(page, form), http.StatusBadRequest, "items[1].checklist[0]")
	form.Set("item.1.checklist", "R1 | 农田建设情况")
	if r = c.post(page, form); r.status != http.StatusSeeOther || r.location != page+"?done=saved" {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	if p, _ = f.db.Plan(context.Background(), p.ID); len(p.Items) != 2 || p.Items[1].Kind != visits.Research {
		t.Fatalf("after save: %+v", p)
	}
	// The gate's dry run shows its findings on the page.
	r = c.post(page+"/submit", url.Values{"dry": {"1"}})
	uiMust(t, r, http.StatusOK, "The gate&#39;s findings", "Under the rules in force, the gate would")
	uiMustNot(t, r, "<strong>Approved</strong>", "<strong>In review</strong>") // a dry run decides nothing
	// Another office's issuer sees neither form nor plan.
	f.issuerIn("nongye", "430922")
	o := f.uiClient("en")
	o.signIn("nongye")
	uiMust(t, o.post(page, form), http.StatusForbidden)
	uiMust(t, o.post(page+"/submit", nil), http.StatusForbidden)
	// Submitting decides; a decided plan no longer changes.
	r = c.post(page+"/submit", nil)
	if r.status != http.StatusSeeOther && r.status != http.StatusOK {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	if p, _ = f.db.Plan(context.Background(), p.ID); p.Status == visits.PlanDraft {
		t.Fatalf("submitted plan still a draft")
	}
	uiMust(t, c.post(page, form), http.StatusConflict)
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			t.Fatalf("not an id: %q", s)
		}
		n = n*10 + int64(ch-'0')
	}
	return n
}

// The burden office's pages: the register and the schedule runs.
func TestUIRegisterAndSchedule(t *testing.T) {
	e := newVisitEnv(t, store.SQLite)
	f := e.f
	f.person("jianfu", "430922", "burden@430922")
	c := f.uiClient("en")
	c.signIn("jianfu")
	r := c.get("/schedule")
	uiMust(t, r, http.StatusOK, "Joint scheduling", "Run "+itoa(e.run.ID), visitItemCode, `href="/inspectors"`)
	uiMustNot(t, r, e.visit.Unit, e.targetName())
	r = c.get("/inspectors")
	uiMust(t, r, http.StatusOK, "JC-001", "检查员1", "430922101")
	add := url.Values{"number": {"JC-009"}, "name": {"新检查员"}, "office": {itoa(e.office.ID)}, "person": {"0"}, "works": {"439999"},
		"capacity": {"2"}, "max_travel": {"240"}}
	uiMust(t, c.post("/inspectors", add), http.StatusNotFound, "works: There is no unit with code 439999.")
	add.Set("works", "430923100")
	if r = c.post("/inspectors", add); r.status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	uiMust(t, c.get("/inspectors?done=saved"), http.StatusOK, "JC-009", "Register updated.")
	uiMust(t, c.post("/inspectors", add), http.StatusConflict)
	uiMust(t, c.post("/schedule", url.Values{"scope": {"430922"}, "from": {"2026-06-12"}, "to": {"2026-06-08"}}), http.StatusBadRequest, "2026-06-12")
	// The form previews; the preview's own form applies it.
	window := url.Values{"scope": {"430922"}, "from": {"2026-06-08"}, "to": {"2026-06-12"}}
	r = c.post("/schedule", window)
	uiMust(t, r, http.StatusOK, "Preview: what the run over", "draws not yet revealed", "Confirm and apply this run")
	uiMustNot(t, r, e.visit.Unit, e.targetName())
	if runs, _ := f.db.ScheduleRuns(context.Background(), "430922"); len(runs) != 1 {
		t.Fatalf("the preview stored a run: %d", len(runs))
	}
	_, rest, _ := strings.Cut(r.body, `name="confirm" value="`)
	token, _, _ := strings.Cut(rest, `"`)
	window.Set("confirm", token)
	if r = c.post("/schedule", window); r.status != http.StatusSeeOther {
		t.Fatalf("run: %d %s", r.status, r.body)
	}
	runs, err := f.db.ScheduleRuns(context.Background(), "430922")
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs: %d %v", len(runs), err)
	}
	window.Set("confirm", "stale")
	uiMust(t, c.post("/schedule", window), http.StatusConflict, "changed since its preview")
	// An issuer has neither page.
	i := f.uiClient("en")
	i.signIn("yingji")
	uiMust(t, i.get("/schedule"), http.StatusForbidden)
	uiMust(t, i.get("/inspectors"), http.StatusForbidden)
}

// An inspector's day on a phone: the visit sealed the day before, the
// leader's start on the day, the field record with its checks, claims,
// findings, point and photos; the feed; and after the window, the
// published results that link to the draw.
func TestUIVisitDay(t *testing.T) {
	e := newVisitEnv(t, store.SQLite)
	f := e.f
	leader := e.people[e.leader].Login
	member := e.people[e.member].Login
	id := itoa(e.visit.ID)
	// The unit reported its households before the visit: 320.
	_, burden := f.person("jianfu", "430922", "burden@430922")
	_, cadre := f.person("cun", e.visit.Unit, "cadre@"+e.visit.Unit)
	hh := collect.Element{Code: "HH", Name: "户数", Type: collect.Integer, Period: collect.Year, ValidDays: 365, Owner: e.office.ID}
	if st, b := f.do("POST", "/api/v1/elements", burden, hh); st != 201 {
		t.Fatalf("element: %d %s", st, b)
	}
	due := calendar.NewDate(2026, 6, 10).Time().Add(10 * time.Hour)
	in := villageReport(DemandInput{Kind: gate.Report, Title: "户数统计", Body: "请填报户数。", Due: &due}, "HH")
	st, b := f.do("POST", "/api/v1/demands", e.token, in)
	report := decodeJSON[store.DemandRecord](t, b)
	st, b = f.do("POST", "/api/v1/demands/"+itoa(report.ID)+"/submit", e.token, nil)
	if res := decodeJSON[CheckResult](t, b); st != 200 || res.Demand.Status != gate.Admitted {
		t.Fatalf("report: %d %s", st, b)
	}
	if st, b := f.do("POST", "/api/v1/units/"+e.visit.Unit+"/reports/"+itoa(report.ID)+"/submission", cadre,
		collect.Submission{Values: map[string]string{"HH": "320"}}); st != 201 {
		t.Fatalf("submission: %d %s", st, b)
	}
	*e.now = visitDay(e.visit.Day.AddDays(-1))
	c := f.uiClient("en")
	c.signIn(leader)
	r := c.get("/visits")
	uiMust(t, r, http.StatusOK, "My visits", e.visit.Day.String(), "The target is sealed", e.leader+", "+e.member, "安全生产专项检查")
	uiMustNot(t, r, `action="/visits/`+id+`/start"`, e.targetName())
	uiMust(t, c.post("/visits/"+id+"/start", nil), http.StatusConflict, "A visit starts only on its day")
	uiMust(t, c.get("/visits/"+id), http.StatusOK, "Sealed visit")

	*e.now = visitDay(e.visit.Day)
	c.signIn(leader)
	m := f.uiClient("en")
	m.signIn(member)
	uiMustNot(t, m.get("/visits"), `action="/visits/`+id+`/start"`)
	uiMust(t, m.post("/visits/"+id+"/start", nil), http.StatusForbidden)
	r = c.get("/visits")
	uiMust(t, r, http.StatusOK, `action="/visits/`+id+`/start"`)
	r = c.post("/visits/"+id+"/start", nil)
	if r.status != http.StatusSeeOther || r.location != "/visits/"+id {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	r = c.get(r.location)
	uiMust(t, r, http.StatusOK, e.targetName(), "应急预案是否张贴", `name="check.`+visitItemCode+`.C1"`, `name="claim.0.element" value="HH"`,
		`accept="image/jpeg,image/png" capture="environment"`, `id="lat"`, "visit.")
	form := url.Values{"check." + visitItemCode + ".C1": {"fail"}, "check." + visitItemCode + ".C1.note": {"预案未张贴"},
		"check." + visitItemCode + ".C2": {"bad"}, "claim.0.element": {"HH"}, "claim.0.label": {"户数"}, "claim.0.claimed": {"320"},
		"claim.0.seen": {"300"}, "finding.0.text": {"应急预案未上墙"}, "finding.0.severity": {"major"}, "lat": {"28.5261"}, "lon": {"112.1416"},
		"accuracy": {"12"}}
	uiMust(t, c.post("/visits/"+id, form), http.StatusBadRequest, "checks[1].result", "pass, fail or na")
	form.Set("check."+visitItemCode+".C2", "pass")
	if r = c.post("/visits/"+id, form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	rec, err := f.db.FieldRecord(context.Background(), e.visit.ID)
	if err != nil || rec == nil || len(rec.Checks) != 2 || rec.Checks[0].Result != "fail" || rec.Point == nil || rec.Point.Lat != 28.5261 ||
		len(rec.Findings) != 1 || rec.Findings[0].Severity != "major" || len(rec.Claims) != 1 || rec.Claims[0].Seen != "300" {
		t.Fatalf("record: %+v %v", rec, err)
	}
	if rec.Claims[0].Reported != "320" || !rec.Claims[0].Discrepancy {
		t.Errorf("claim against the reported value: %+v", rec.Claims[0])
	}
	r = m.get("/visits/" + id + "?done=saved")
	uiMust(t, r, http.StatusOK, "Field record saved.", "应急预案未上墙", "28.526100, 112.141600", "Reported: 320", "Differs from the reported value")

	// Photos: images only, kept with their checksum.
	status, _, body := upload(t, f, "/visits/"+id+"/photos", e.tokens[e.member], "notes.txt", []byte("not a picture"))
	if status != http.StatusBadRequest || !strings.Contains(body, "must be an image") {
		t.Fatalf("text as photo: %d %s", status, body)
	}
	status, loc, body := upload(t, f, "/visits/"+id+"/photos", e.tokens[e.member], "board.png", tinyPNG)
	if status != http.StatusSeeOther || loc != "/visits/"+id+"?done=photo" {
		t.Fatalf("photo: %d %s", status, body)
	}
	sum := sha256.Sum256(tinyPNG)
	r = c.get("/visits/" + id)
	uiMust(t, r, http.StatusOK, hex.EncodeToString(sum[:]), `<img src="/api/v1/photos/`)
	photo := regexp.MustCompile(`/api/v1/photos/(\d+)`).FindStringSubmatch(r.body)[1]
	st, b = f.do("GET", "/api/v1/photos/"+photo, e.tokens[e.leader], nil) // the team
	if st != 200 || !bytes.Equal(b, tinyPNG) {
		t.Fatalf("photo bytes: %d", st)
	}
	if st, _ = f.do("GET", "/api/v1/photos/"+photo, e.token, nil); st != 404 { // the plan's office, while sealed
		t.Fatalf("the plan's office reads a sealed visit's photo: %d", st)
	}
	req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/photos/"+photo, nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens[e.member])
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.Header.Get("X-Content-SHA256") != hex.EncodeToString(sum[:]) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("photo headers: %v %v", resp.Header, err)
	}
	resp.Body.Close()
	_, _, other := f.issuerIn("nongye", "430922")
	if st, _ := f.do("GET", "/api/v1/photos/"+photo, other, nil); st != 404 {
		t.Errorf("another office reads the photo: %d", st)
	}
	if st, _ := f.do("GET", "/api/v1/photos/"+photo, e.tokens[e.other], nil); st != 404 {
		t.Errorf("an inspector outside the team reads the photo: %d", st)
	}

	// The feed: the started visit with its place.
	st, b = f.do("POST", "/api/v1/me/calendar", e.tokens[e.leader], nil)
	feed := decodeJSON[CalendarFeed](t, b).URL
	st, b = f.do("GET", feed, "", nil)
	if st != 200 || !strings.Contains(string(b), "BEGIN:VEVENT") || !strings.Contains(string(b), "LOCATION:") ||
		!strings.Contains(string(b), "DTSTART;VALUE=DATE:"+strings.ReplaceAll(e.visit.Day.String(), "-", "")) {
		t.Fatalf("feed: %d %s", st, b)
	}
	if st, _ := f.do("GET", "/ical/not-a-token.ics", "", nil); st != 404 {
		t.Errorf("unknown feed: %d", st)
	}

	// Done: the record closes.
	form.Set("done", "1")
	if r = c.post("/visits/"+id, form); r.status != http.StatusSeeOther {
		t.Fatalf("done: %d %s", r.status, r.body)
	}
	uiMust(t, c.post("/visits/"+id, form), http.StatusConflict)

	// Before the window ends and the draw is revealed, nothing is published.
	pub := f.uiClient("en")
	results := "/plans/" + itoa(e.plan.ID) + "/results"
	uiMust(t, pub.get(results), http.StatusOK, "Nothing published yet.")
	uiMustNot(t, pub.get(results), e.targetName())
	*e.now = time.Date(2026, 6, 15, 9, 0, 0, 0, gate.China)
	if st, b := f.do("POST", "/api/v1/draws/"+itoa(e.draw.ID)+"/reveal", e.token, nil); st != 200 {
		t.Fatalf("reveal: %d %s", st, b)
	}
	r = pub.get(results)
	uiMust(t, r, http.StatusOK, "Published results: "+visitPlanTitle, e.targetName(), "应急预案未上墙", `href="/draws/`+itoa(e.draw.ID)+`"`,
		`<table class="stats stack">`, `data-label="Findings"`) // a card a row on a phone
	st, b = f.do("GET", "/api/v1"+results, "", nil)
	res := decodeJSON[PlanResults](t, b)
	if st != 200 || len(res.Items) != 1 || len(res.Items[0].Visits) != 1 || res.Items[0].Visits[0].Unit != e.visit.Unit ||
		res.Items[0].Visits[0].Failed != 1 || res.Names[e.visit.Unit] == "" {
		t.Fatalf("results: %d %s", st, b)
	}
}
