package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lighten/internal/auth"
	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// testClock is a clock the test moves, read by every server of a cluster
// from any goroutine.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// cluster is n servers, each with its own store.DB (its own pools and
// caches, as separate processes have), on one PostgreSQL schema, all
// reading the same clock.
type cluster struct {
	t     *testing.T
	clock *testClock
	srv   []*fixture
}

// newCluster opens n servers on one fresh PostgreSQL schema holding us.
func newCluster(t *testing.T, n int, start time.Time, us []units.Unit) *cluster {
	t.Helper()
	dsn := storetest.DSN(t, store.Postgres)
	c := &cluster{t: t, clock: &testClock{now: start}}
	for i := 0; i < n; i++ {
		db, err := store.Open(context.Background(), dsn, store.Options{Now: c.clock.Now, Writers: storetest.TestConns, Readers: storetest.TestConns})
		if err != nil {
			t.Fatalf("open server %d: %v", i, err)
		}
		t.Cleanup(func() { db.Close() })
		if i == 0 {
			if _, err := db.ImportUnits(context.Background(), store.System, us, nil); err != nil {
				t.Fatal(err)
			}
		}
		f := &fixture{t: t, db: db, srv: New(db, Options{Version: "test"})}
		f.ts = newTestServer(t, f.srv)
		c.srv = append(c.srv, f)
	}
	return c
}

// all runs every job at once and waits for them, failing the test if they
// are not all done by ctx's deadline (a hang fails instead of hanging).
func (c *cluster) all(ctx context.Context, what string, jobs ...func()) {
	c.t.Helper()
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func() { defer wg.Done(); job() }()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		c.t.Fatalf("%s: still unanswered when the test's deadline passed: the servers hang", what)
	}
}

// hit sends a request to server f under ctx, from any goroutine: cred is
// an API token (sent as a bearer) or a session (sent as the cookie); body
// is JSON unless it is raw bytes, sent with contentType.
func (f *fixture) hit(ctx context.Context, method, path, cred string, body any, contentType ...string) answer {
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
		if len(contentType) > 0 {
			ct = contentType[0]
		}
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return answer{err: err}
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, f.ts.URL+path, rd)
	if err != nil {
		return answer{err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", ct)
	}
	switch {
	case strings.HasPrefix(cred, auth.SessionPrefix):
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cred})
	case cred != "":
		req.Header.Set("Authorization", "Bearer "+cred)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: b, header: resp.Header, err: err}
}

// sessionOf is the session cookie an answer set.
func sessionOf(a answer) string {
	for _, ck := range (&http.Response{Header: a.header}).Cookies() {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	return ""
}

// Three servers on one PostgreSQL, driven at once: a session made on one
// works on the others and a revoked token or ended session stops working
// on every server within AuthCacheTTL; failed sign-ins count across
// servers; a draw run on all three at once draws once and stays sealed on
// every server until revealed through one; schedule runs started on all
// three at once leave each drawn target of each item exactly one visit;
// element and DHIS2 imports on one server while submissions go through the
// others (retried on another server when one is busy) lose no acknowledged
// write and store none twice; the audit chain verifies at the end.
func TestThreeServersOnOnePostgres(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
	defer cancel()

	// Twelve villages in 桃花江镇: the plan's pool.
	us := slices.Clone(fixtureUnits)
	for i := 3; i <= 12; i++ {
		us = append(us, units.Unit{Code: fmt.Sprintf("430922100%03d", 200+i), Name: fmt.Sprintf("测试%d村", i), Level: units.Village, Parent: "430922100"})
	}
	var pool []string
	for _, u := range us {
		if u.Level == units.Village && strings.HasPrefix(u.Code, "430922") {
			pool = append(pool, u.Code)
		}
	}
	c := newCluster(t, 3, time.Date(2026, 6, 1, 9, 0, 0, 0, gate.China), us)
	A, B, C := c.srv[0], c.srv[1], c.srv[2]

	// Set up through the first server: a report to the villages (HH, POP),
	// DIBAO for DHIS2 imports, an inspection office with a register of
	// four and an approved plan of two items over the pool.
	env := A.reportEnv(t)
	statsOffice := env.report.OfficeID
	if status, body := A.do("POST", "/api/v1/elements", env.burden, collect.Element{Code: "DIBAO", Name: "低保户数", Type: collect.Integer,
		Period: collect.Year, ValidDays: 365, Owner: statsOffice}); status != 201 {
		t.Fatalf("element DIBAO: %d %s", status, body)
	}
	year := collect.PeriodOf(collect.Year, workday(10))
	office, _, issuer := A.issuerIn("yingji", "430922")
	inspectors := map[string]string{} // register number → token
	for i := 1; i <= 4; i++ {
		n := fmt.Sprintf("JC-%03d", i)
		p, tok := A.person(fmt.Sprintf("inspector-%d", i), "430922101", "inspector@430922")
		inspectors[n] = tok
		in := visits.RegisteredInspector{Number: n, Name: fmt.Sprintf("检查员%d", i), OfficeID: office.ID, PersonID: p.ID,
			Works: "430922101", Capacity: 2, MaxTravel: 300, Active: true}
		if err := A.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveInspector(ctx, &in) }); err != nil {
			t.Fatal(err)
		}
	}
	item := func(code string, from, to calendar.Date) visits.Item {
		return visits.Item{Code: code, Title: "安全生产专项检查", Kind: visits.Special, Scope: "430922", Level: units.Village,
			Rate: 0.5, Team: 2, From: from, To: to, Checklist: []visits.CheckItem{{Code: "C1", Text: "应急预案是否张贴", Scoring: true}}}
	}
	plan := &visits.Plan{OfficeID: office.ID, Year: 2026, Title: visitPlanTitle, Items: []visits.Item{
		item("AQ-2026-06", calendar.NewDate(2026, 6, 8), calendar.NewDate(2026, 6, 12)),
		item("AQ-2026-09", calendar.NewDate(2026, 9, 7), calendar.NewDate(2026, 9, 11)),
	}}
	if err := A.db.Write(ctx, store.System, func(tx *store.Tx) error {
		if err := tx.SavePlan(ctx, plan); err != nil {
			return err
		}
		return tx.SetPlanStatus(ctx, plan.ID, visits.PlanApproved)
	}); err != nil {
		t.Fatal(err)
	}
	// Each item's draw is committed on all three servers at once: one
	// commits, the others are told the item is drawn.
	draws := make([]int64, len(plan.Items))
	commits := make([][]int, len(plan.Items))
	var commitMu sync.Mutex
	var commitJobs []func()
	for i, it := range plan.Items {
		for j, s := range c.srv {
			commitJobs = append(commitJobs, func() {
				a := s.hit(ctx, "POST", "/api/v1/plans/"+itoa(plan.ID)+"/items/"+itoa(it.ID)+"/draw", issuer, nil)
				if a.err != nil {
					t.Errorf("commit the draw of %s on server %d: %v", it.Code, j, a.err)
					return
				}
				commitMu.Lock()
				defer commitMu.Unlock()
				commits[i] = append(commits[i], a.status)
				if a.status == 201 {
					var rec store.DrawRecord
					if err := json.Unmarshal(a.body, &rec); err != nil {
						t.Errorf("commit the draw of %s: %s %v", it.Code, a.body, err)
					}
					draws[i] = rec.ID
				}
			})
		}
	}
	c.all(ctx, "commit the draws", commitJobs...)
	for i, it := range plan.Items {
		slices.Sort(commits[i])
		if !slices.Equal(commits[i], []int{201, 409, 409}) || draws[i] == 0 {
			t.Fatalf("the draw of %s committed on three servers at once answered %v, want one 201 and two 409", it.Code, commits[i])
		}
		if p, err := B.db.Plan(ctx, plan.ID); err != nil || p.Items[i].DrawID != draws[i] {
			t.Fatalf("item %s draws %d, committed %d (%v)", it.Code, p.Items[i].DrawID, draws[i], err)
		}
	}

	// acked records every write a server acknowledged, to find afterwards.
	var mu sync.Mutex
	ackedHH := map[string][]string{} // unit → HH values acknowledged
	ackedKeys := map[string]string{} // client key → unit
	submit := func(i int, via []*fixture, unit, token string) {
		key := fmt.Sprintf("k%d", i)
		sub := collect.Submission{Values: map[string]string{"HH": itoa(int64(1000 + i)), "POP": "90000"}, Key: key}
		path := "/api/v1/units/" + unit + "/reports/" + itoa(env.report.ID) + "/submission"
		// A busy server (503) did nothing: the client retries the same
		// submission, with the same key, on the next server.
		for try := 0; ; try++ {
			a := via[(i+try)%len(via)].hit(ctx, "POST", path, token, sub)
			if a.err == nil && a.status == http.StatusServiceUnavailable && ctx.Err() == nil {
				continue
			}
			if a.err != nil || (a.status != http.StatusCreated && a.status != http.StatusOK) {
				t.Errorf("submission %s: %d %s %v", key, a.status, a.body, a.err)
				return
			}
			mu.Lock()
			if prev, ok := ackedKeys[key]; ok && prev != unit {
				t.Errorf("key %s acknowledged for %s and %s", key, prev, unit)
			}
			if _, ok := ackedKeys[key]; !ok {
				ackedHH[unit] = append(ackedHH[unit], sub.Values["HH"])
			}
			ackedKeys[key] = unit
			mu.Unlock()
			return
		}
	}
	village := func(i int) (string, string) { return env.codes[i%2], env.village[i%2] }

	// Wave 1. Every draw is run on all three servers at once with
	// different public values; submissions go through B and C while A
	// imports elements and DHIS2 values; a cadre signs in on A and works
	// on B and C with the session; another's wrong passwords are spread
	// over the three servers.
	var runMu sync.Mutex
	runs := map[int64][]int{}
	var jobs []func()
	for _, d := range draws {
		for i, s := range c.srv {
			jobs = append(jobs, func() {
				a := s.hit(ctx, "POST", "/api/v1/draws/"+itoa(d)+"/run", issuer, PublicValueBody{Value: fmt.Sprintf("福利彩票 2026060期 server %d", i)})
				if a.err != nil {
					t.Errorf("run draw %d on server %d: %v", d, i, a.err)
					return
				}
				runMu.Lock()
				runs[d] = append(runs[d], a.status)
				runMu.Unlock()
			})
		}
	}
	const wave1 = 40
	for i := 0; i < wave1; i++ {
		jobs = append(jobs, func() {
			unit, token := village(i)
			submit(i, []*fixture{B, C}, unit, token)
		})
	}
	const newElements = 20
	elementsAcked := false
	jobs = append(jobs, func() {
		var csv strings.Builder
		csv.WriteString("code,name,type,period,owner\n")
		for i := 0; i < newElements; i++ {
			fmt.Fprintf(&csv, "IMP%02d,导入指标%d,integer,year,%d\n", i, i, statsOffice)
		}
		a := A.hit(ctx, "POST", "/api/v1/elements/import", env.burden, []byte(csv.String()), "text/csv")
		if a.err != nil || a.status != 201 {
			t.Errorf("element import: %d %s %v", a.status, a.body, a.err)
			return
		}
		mu.Lock()
		elementsAcked = true
		mu.Unlock()
	})
	ackedDIBAO := map[string][]string{} // unit → DIBAO values acknowledged
	jobs = append(jobs, func() {
		for round := 0; round < 3; round++ {
			var vals []string
			for j, unit := range pool {
				vals = append(vals, fmt.Sprintf(`{"dataElement":"DIBAO","orgUnit":"%s","value":"%d"}`, unit, 100*round+j))
			}
			body := `{"period":"` + year + `","dataValues":[` + strings.Join(vals, ",") + `]}`
			a := A.hit(ctx, "POST", "/api/v1/dhis2/dataValueSets", env.issuer, []byte(body), "application/json")
			if a.err != nil || a.status != 201 {
				t.Errorf("DHIS2 import %d: %d %s %v", round, a.status, a.body, a.err)
				return
			}
			mu.Lock()
			for j, unit := range pool {
				ackedDIBAO[unit] = append(ackedDIBAO[unit], itoa(int64(100*round+j)))
			}
			mu.Unlock()
		}
	})
	var session, madeToken string
	var madeTokenID int64
	jobs = append(jobs, func() {
		a := A.hit(ctx, "POST", "/api/v1/session", "", SignInBody{Login: "cun0", Password: fixturePassword})
		session = sessionOf(a)
		if a.err != nil || a.status != 200 || session == "" {
			t.Errorf("sign in on A: %d %s %v", a.status, a.body, a.err)
			return
		}
		for _, s := range []*fixture{B, C} {
			a := s.hit(ctx, "GET", "/api/v1/me", session, nil)
			if a.err != nil || a.status != 200 || !strings.Contains(string(a.body), `"login":"cun0"`) {
				t.Errorf("A's session on another server: %d %s %v", a.status, a.body, a.err)
			}
		}
		// A token made on B with the session works on C, for a submission.
		a = B.hit(ctx, "POST", "/api/v1/me/tokens", session, NewTokenBody{Name: "手机", Days: 30})
		if a.err != nil || a.status != 201 {
			t.Errorf("token on B: %d %s %v", a.status, a.body, a.err)
			return
		}
		var nt NewToken
		if err := json.Unmarshal(a.body, &nt); err != nil || nt.Secret == "" {
			t.Errorf("token on B: %s %v", a.body, err)
			return
		}
		madeToken, madeTokenID = nt.Secret, nt.Token.ID
		submit(5000, []*fixture{C}, env.codes[0], madeToken)
	})
	jobs = append(jobs, func() {
		for i := 0; i < 5; i++ {
			a := c.srv[i%3].hit(ctx, "POST", "/api/v1/session", "", SignInBody{Login: "cun1", Password: "not the password"})
			if a.err != nil || a.status != http.StatusUnauthorized {
				t.Errorf("wrong password %d on server %d: %d %s %v", i, i%3, a.status, a.body, a.err)
			}
		}
		// Five failures spread over three servers lock the login on all.
		for i, s := range c.srv {
			a := s.hit(ctx, "POST", "/api/v1/session", "", SignInBody{Login: "cun1", Password: fixturePassword})
			if a.err != nil || a.status != http.StatusTooManyRequests || sessionOf(a) != "" {
				t.Errorf("sign-in after five failures on three servers, on server %d: %d %s %v", i, a.status, a.body, a.err)
			}
		}
	})
	c.all(ctx, "wave 1", jobs...)
	if t.Failed() {
		t.FailNow()
	}
	for _, d := range draws {
		slices.Sort(runs[d])
		if !slices.Equal(runs[d], []int{200, 409, 409}) {
			t.Errorf("draw %d run on three servers at once answered %v, want one 200 and two 409", d, runs[d])
		}
	}
	sealedEverywhere := func(when string) {
		t.Helper()
		for i, s := range c.srv {
			for _, d := range draws[1:] {
				for _, tok := range []string{"", issuer, env.burden, inspectors["JC-001"]} {
					a := s.hit(ctx, "GET", "/api/v1/draws/"+itoa(d), tok, nil)
					rec := decodeJSON[store.DrawRecord](t, a.body)
					if a.status != 200 || rec.Status != "drawn" || rec.Draw.Digest == "" || rec.Draw.Selected != nil || rec.Draw.Secret != "" ||
						strings.Contains(string(a.body), `"selected":[`) {
						t.Errorf("%s: draw %d on server %d: %d %s", when, d, i, a.status, a.body)
					}
				}
				a := s.hit(ctx, "GET", "/draws/"+itoa(d)+"/record.json", "", nil)
				if r := decodeJSON[visits.Draw](t, a.body); a.status != 200 || r.Selected != nil || r.Secret != "" || r.Teams != nil || r.Digest == "" {
					t.Errorf("%s: draw %d's record on server %d: %d %s", when, d, i, a.status, a.body)
				}
			}
		}
	}
	sealedEverywhere("after the runs")

	// Wave 2. Schedule runs over both items are started on all three
	// servers at once; the token made on B and the session made on A are
	// ended (the token revoked on A, the session signed out on B) while
	// the others still hold them; more submissions go through all three.
	for _, s := range []*fixture{A, B, C} {
		for _, cred := range []string{madeToken, session} {
			if a := s.hit(ctx, "GET", "/api/v1/me", cred, nil); a.status != 200 {
				t.Fatalf("before the revocation: %d %s", a.status, a.body)
			}
		}
	}
	jobs = nil
	var runViews []RunView
	for i, s := range c.srv {
		jobs = append(jobs, func() {
			// Each previews, then confirms: a run over sealed draws that
			// meets another's window needs its preview, and a preview made
			// before another run was applied no longer holds (409).
			window := ScheduleBody{Scope: "430922", From: "2026-06-08", To: "2026-09-11"}
			p := s.hit(ctx, "POST", "/api/v1/schedule-runs/preview", env.burden, window)
			if p.err != nil || p.status != 200 {
				t.Errorf("schedule preview on server %d: %d %s %v", i, p.status, p.body, p.err)
				return
			}
			var pv SchedulePreviewView
			json.Unmarshal(p.body, &pv)
			window.Confirm = pv.Token
			a := s.hit(ctx, "POST", "/api/v1/schedule-runs", env.burden, window)
			if a.err == nil && a.status == http.StatusConflict {
				return
			}
			if a.err != nil || a.status != 201 {
				t.Errorf("schedule run on server %d: %d %s %v", i, a.status, a.body, a.err)
				return
			}
			var rv RunView
			if err := json.Unmarshal(a.body, &rv); err != nil {
				t.Errorf("schedule run on server %d: %s %v", i, a.body, err)
				return
			}
			runMu.Lock()
			runViews = append(runViews, rv)
			runMu.Unlock()
		})
	}
	jobs = append(jobs, func() {
		a := A.hit(ctx, "DELETE", "/api/v1/me/tokens/"+itoa(madeTokenID), session, nil)
		if a.err != nil || a.status != http.StatusNoContent {
			t.Errorf("revoke on A: %d %s %v", a.status, a.body, a.err)
		}
		if a := A.hit(ctx, "GET", "/api/v1/me", madeToken, nil); a.status != http.StatusUnauthorized {
			t.Errorf("a token revoked on A still works on A: %d", a.status)
		}
	}, func() {
		a := B.hit(ctx, "DELETE", "/api/v1/session", session, nil)
		if a.err != nil || a.status != http.StatusNoContent {
			t.Errorf("sign out on B: %d %s %v", a.status, a.body, a.err)
		}
		if a := B.hit(ctx, "GET", "/api/v1/me", session, nil); a.status != http.StatusUnauthorized {
			t.Errorf("a session ended on B still works on B: %d", a.status)
		}
	})
	const wave2 = 30
	for i := wave1; i < wave1+wave2; i++ {
		jobs = append(jobs, func() {
			unit, token := village(i)
			submit(i, c.srv, unit, token)
		})
	}
	c.all(ctx, "wave 2", jobs...)
	if t.Failed() {
		t.FailNow()
	}
	// Every server refuses both once AuthCacheTTL has passed since.
	c.clock.Add(store.AuthCacheTTL)
	for i, s := range c.srv {
		for what, cred := range map[string]string{"revoked token": madeToken, "ended session": session} {
			if a := s.hit(ctx, "GET", "/api/v1/me", cred, nil); a.status != http.StatusUnauthorized {
				t.Errorf("%s works on server %d %v after it ended: %d", what, i, store.AuthCacheTTL, a.status)
			}
		}
	}

	// No drawn target of an item has two visits, none has none, and no
	// unit outside the draw has one: read through another server's store.
	if len(runViews) == 0 {
		t.Fatalf("no schedule run was applied")
	}
	for _, rv := range runViews {
		if !rv.Sealed || rv.Stats.Unscheduled != 0 || len(rv.Unscheduled) != 0 {
			t.Errorf("schedule run: %+v", rv)
		}
	}
	// Every server lists the runs applied, sealed: no unit named.
	for i, s := range c.srv {
		a := s.hit(ctx, "GET", "/api/v1/schedule-runs", env.burden, nil)
		listed := decodeJSON[[]RunView](t, a.body)
		if a.status != 200 || len(listed) != len(runViews) {
			t.Errorf("schedule runs on server %d: %d %s", i, a.status, a.body)
		}
		for _, rv := range listed {
			if !rv.Sealed || slices.ContainsFunc(pool, func(u string) bool { return strings.Contains(string(a.body), u) }) {
				t.Errorf("schedule run %d on server %d names a unit while sealed: %s", rv.ID, i, a.body)
			}
		}
	}
	visitsOf := func(code string) map[string][]visits.ScheduledVisit {
		t.Helper()
		vs, err := C.db.VisitsOfItem(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		by := map[string][]visits.ScheduledVisit{}
		for _, v := range vs {
			by[v.Unit] = append(by[v.Unit], v)
		}
		return by
	}
	want := len(pool) / 2 // rate 0.5 of twelve
	for _, it := range plan.Items {
		by := visitsOf(it.Code)
		if len(by) != want {
			t.Errorf("%s: visits to %d units, want %d drawn targets", it.Code, len(by), want)
		}
		for unit, vs := range by {
			if len(vs) != 1 || len(vs[0].Team) != 2 || !slices.Contains(pool, unit) {
				t.Errorf("%s: unit %s has visits %+v", it.Code, unit, vs)
			}
		}
	}
	sealedEverywhere("after the schedule runs")

	// Wave 3, after the first item's window: its draw is revealed on all
	// three servers at once (one reveals, the others are told it already
	// is), the second item's too (refused everywhere: sealed).
	c.clock.Set(time.Date(2026, 6, 13, 10, 0, 0, 0, gate.China))
	var reveals []int
	var sealedReveals []int
	jobs = nil
	for i, s := range c.srv {
		jobs = append(jobs, func() {
			a := s.hit(ctx, "POST", "/api/v1/draws/"+itoa(draws[0])+"/reveal", issuer, nil)
			b := s.hit(ctx, "POST", "/api/v1/draws/"+itoa(draws[1])+"/reveal", issuer, nil)
			if a.err != nil || b.err != nil {
				t.Errorf("reveal on server %d: %v %v", i, a.err, b.err)
				return
			}
			runMu.Lock()
			reveals, sealedReveals = append(reveals, a.status), append(sealedReveals, b.status)
			runMu.Unlock()
		}, func() {
			unit, token := village(i)
			submit(wave1+wave2+i, c.srv, unit, token)
		})
	}
	c.all(ctx, "wave 3", jobs...)
	slices.Sort(reveals)
	if !slices.Equal(reveals, []int{200, 409, 409}) || !slices.Equal(sealedReveals, []int{409, 409, 409}) {
		t.Errorf("reveals at once: %v, of the sealed draw %v", reveals, sealedReveals)
	}
	by := visitsOf(plan.Items[0].Code)
	for i, s := range c.srv {
		a := s.hit(ctx, "GET", "/api/v1/draws/"+itoa(draws[0]), "", nil)
		rec := decodeJSON[store.DrawRecord](t, a.body)
		if rec.Status != "revealed" || len(rec.Draw.Selected) != want {
			t.Fatalf("revealed draw on server %d: %s", i, a.body)
		}
		if err := visits.Verify(&rec.Draw); err != nil {
			t.Errorf("revealed draw on server %d does not verify: %v", i, err)
		}
		got := slices.Sorted(func(yield func(string) bool) {
			for u := range by {
				if !yield(u) {
					return
				}
			}
		})
		sel := slices.Sorted(slices.Values(rec.Draw.Selected))
		if !slices.Equal(got, sel) {
			t.Errorf("visited %v, drawn %v", got, sel)
		}
	}
	sealedEverywhere("after the first draw's reveal")
	// The second item's visits stay the team's: another inspector gets the
	// 404 of a missing visit on every server, the leader the visit.
	for unit, vs := range visitsOf(plan.Items[1].Code) {
		v := vs[0]
		var outsider string
		for n, tok := range inspectors {
			if !slices.Contains(v.Team, n) {
				outsider = tok
			}
		}
		for i, s := range c.srv {
			if a := s.hit(ctx, "GET", "/api/v1/visits/"+itoa(v.ID), outsider, nil); a.status != 404 || strings.Contains(string(a.body), unit) {
				t.Errorf("a sealed visit to %s seen by another inspector on server %d: %d %s", unit, i, a.status, a.body)
			}
			if a := s.hit(ctx, "GET", "/api/v1/visits/"+itoa(v.ID), inspectors[v.Leader()], nil); a.status != 200 {
				t.Errorf("the leader's visit on server %d: %d %s", i, a.status, a.body)
			}
		}
	}

	// Every acknowledged write is there, once; the imports too.
	for unit, vals := range ackedHH {
		h, err := B.db.History(ctx, unit, "HH", year)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range h {
			got = append(got, v.Value)
		}
		slices.Sort(got)
		slices.Sort(vals)
		if !slices.Equal(got, vals) {
			t.Errorf("%s holds HH %v, acknowledged %v", unit, got, vals)
		}
	}
	if n := len(ackedKeys); n != wave1+wave2+3+1 {
		t.Errorf("acknowledged %d submissions, want %d", n, wave1+wave2+4)
	}
	for unit, vals := range ackedDIBAO {
		h, err := C.db.History(ctx, unit, "DIBAO", year)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range h {
			got = append(got, v.Value)
		}
		slices.Sort(got)
		slices.Sort(vals)
		if !slices.Equal(got, vals) {
			t.Errorf("%s holds DIBAO %v, imported %v", unit, got, vals)
		}
	}
	if len(ackedDIBAO) != len(pool) || !elementsAcked {
		t.Errorf("imports acknowledged: DIBAO at %d units, elements %v", len(ackedDIBAO), elementsAcked)
	}
	for i, s := range c.srv {
		a := s.hit(ctx, "GET", "/api/v1/elements", env.burden, nil)
		for j := 0; j < newElements; j++ {
			if !strings.Contains(string(a.body), fmt.Sprintf(`"IMP%02d"`, j)) {
				t.Errorf("imported element IMP%02d missing on server %d", j, i)
			}
		}
		for _, path := range []string{"/healthz", "/readyz"} {
			if a := s.hit(ctx, "GET", path, "", nil); a.status != 200 {
				t.Errorf("%s on server %d: %d %s", path, i, a.status, a.body)
			}
		}
	}
	if n, err := A.db.VerifyAudit(ctx); err != nil || n == 0 {
		t.Errorf("audit chain after three servers: %d records, %v", n, err)
	}
}

// eventually asks cond until it holds or the test's bound passes: for what
// another server takes in when it next asks the database (at most a second
// after the change, by treeRecheck), without a fixed sleep.
func eventually(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not so before the test's deadline", what)
		case <-tick.C:
		}
	}
}

// What one server changes in the caches every server keeps (the policy in
// force, the data dictionary, the unit tree) is seen at once by that server
// and by the others when they next ask the database; a submission naming
// an element another server has just added is taken at once, on a server
// whose dictionary does not know it yet.
func TestServersTakeInEachOthersChanges(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
	defer cancel()
	c := newCluster(t, 3, time.Date(2026, 6, 1, 9, 0, 0, 0, gate.China), fixtureUnits)
	A, B, C := c.srv[0], c.srv[1], c.srv[2]
	env := A.reportEnv(t)
	leadTime := func(s *fixture) int {
		a := s.hit(ctx, "GET", "/api/v1/policies/430922", "", nil)
		var v PolicyView
		if err := json.Unmarshal(a.body, &v); err != nil || a.status != 200 {
			t.Fatalf("policy: %d %s %v", a.status, a.body, err)
		}
		for _, p := range v.Params {
			if p.ID == "lead.time.report" {
				return p.Value
			}
		}
		t.Fatalf("no lead.time.report in %s", a.body)
		return 0
	}
	elements := func(s *fixture) string {
		return string(s.hit(ctx, "GET", "/api/v1/elements", "", nil).body)
	}
	unit := func(s *fixture, code string) int {
		return s.hit(ctx, "GET", "/api/v1/units/"+code, "", nil).status
	}
	// Every server has read each cache once.
	for _, s := range c.srv {
		if leadTime(s) != 5 || strings.Contains(elements(s), `"NEW"`) || unit(s, "430922100299") != 404 {
			t.Fatal("before the changes")
		}
	}

	// The policy, changed on A.
	if a := A.hit(ctx, "PUT", "/api/v1/policies/430922", env.burden, PolicyBody{Params: map[string]int{"lead.time.report": 7}, Note: "春耕期间从严"}); a.status != 200 {
		t.Fatalf("save policy: %d %s", a.status, a.body)
	}
	if got := leadTime(A); got != 7 {
		t.Errorf("the server that saved the policy still has %d", got)
	}
	for _, s := range []*fixture{B, C} {
		eventually(t, ctx, "the policy saved on A in force on another server", func() bool { return leadTime(s) == 7 })
	}

	// An element added on A, and at once a report asking it, submitted to
	// on B, whose dictionary has not read it yet.
	stats := env.report.OfficeID
	if a := A.hit(ctx, "POST", "/api/v1/elements", env.burden, collect.Element{Code: "NEW", Name: "新指标", Type: collect.Integer, Period: collect.Year, Owner: stats}); a.status != 201 {
		t.Fatalf("element: %d %s", a.status, a.body)
	}
	a := A.hit(ctx, "POST", "/api/v1/demands", env.issuer, villageReport(demandInput(""), "NEW"))
	rec := decodeJSON[store.DemandRecord](t, a.body)
	a = A.hit(ctx, "POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", env.issuer, nil)
	if res := decodeJSON[CheckResult](t, a.body); res.Demand == nil || res.Demand.Status != gate.Admitted {
		t.Fatalf("report asking NEW: %s", a.body)
	}
	a = B.hit(ctx, "POST", "/api/v1/units/"+env.codes[0]+"/reports/"+itoa(rec.ID)+"/submission", env.village[0],
		collect.Submission{Values: map[string]string{"NEW": "3"}, Key: "new-1"})
	if a.status != 201 {
		t.Errorf("a submission naming an element another server just added: %d %s", a.status, a.body)
	}
	for _, s := range c.srv {
		eventually(t, ctx, "the element added on A listed on every server", func() bool { return strings.Contains(elements(s), `"NEW"`) })
	}

	// A village imported (through A's store, as lighten import units does).
	more := append(slices.Clone(fixtureUnits), units.Unit{Code: "430922100299", Name: "新建村", Level: units.Village, Parent: "430922100"})
	if _, err := A.db.ImportUnits(ctx, store.System, more, nil); err != nil {
		t.Fatal(err)
	}
	if got := unit(A, "430922100299"); got != 200 {
		t.Errorf("the importing server does not know the new village: %d", got)
	}
	for _, s := range []*fixture{B, C} {
		eventually(t, ctx, "the imported village known to another server", func() bool { return unit(s, "430922100299") == 200 })
	}
	if n, err := C.db.VerifyAudit(ctx); err != nil || n == 0 {
		t.Errorf("audit chain: %d records, %v", n, err)
	}
}
