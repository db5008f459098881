package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/demo"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/web"
)

// The goal the load issue sets for mixed work.
const (
	loadP99Goal = 100 * time.Millisecond
	hangAfter   = 30 * time.Second // the client's timeout: a request this slow is a hang
)

// loadOpts are the flags of `lighten-bench load`.
type loadOpts struct {
	pg        string
	users     int
	dur       time.Duration
	think     time.Duration
	fields    int
	burst     int
	burstFor  time.Duration
	noSQLite  bool
	verbose   bool
	skipMixed bool
	submit    float64 // share of a cadre's requests that are submissions
	draft     float64 // share of an issuer's requests that are drafts
	profile   string
}

// The classes of work a simulated user does.
var loadClasses = []string{"inbox", "submit", "check", "draft", "review", "page: inbox", "page: units"}

// loadStats is what the users saw, by class.
type loadStats struct {
	mu      sync.Mutex
	lat     map[string][]time.Duration
	busy    map[string]int64
	errs    map[string]int64
	hangs   map[string]int64
	firstEr map[string]string
	// answers in the first and the last quarter of the run, to see work
	// growing slower as the run fills the database
	early, late map[string][]time.Duration
	start, stop time.Time
}

func newLoadStats() *loadStats {
	return &loadStats{lat: map[string][]time.Duration{}, busy: map[string]int64{}, errs: map[string]int64{}, hangs: map[string]int64{}, firstEr: map[string]string{},
		early: map[string][]time.Duration{}, late: map[string][]time.Duration{}}
}

func (s *loadStats) add(class string, d time.Duration, status int, body []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil && isTimeout(err):
		s.hangs[class]++
	case err != nil:
		s.errs[class]++
		if s.firstEr[class] == "" {
			s.firstEr[class] = err.Error()
		}
	case status == http.StatusServiceUnavailable && bytes.Contains(body, []byte(`"`+web.CodeBusy+`"`)):
		s.busy[class]++
		s.lat[class] = append(s.lat[class], d)
	case status >= 400:
		s.errs[class]++
		if s.firstEr[class] == "" {
			s.firstEr[class] = fmt.Sprintf("%d %.300s", status, body)
		}
	default:
		s.lat[class] = append(s.lat[class], d)
		if q := s.stop.Sub(s.start) / 4; q > 0 {
			switch at := time.Now(); {
			case at.Before(s.start.Add(q)):
				s.early[class] = append(s.early[class], d)
			case at.After(s.stop.Add(-q)):
				s.late[class] = append(s.late[class], d)
			}
		}
	}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &t) && t.Timeout())
}

// loadResult is one database's run.
type loadResult struct {
	kind             store.Dialect
	villages, towns  int
	users            int
	secs             float64
	stats            *loadStats
	burst            *burstResult
	cadres, issuers  int
	burden, pageUser int
	chain            int64 // audit records after the run, all verified
	chainSecs        float64
}

// burstResult is the concurrent submissions run.
type burstResult struct {
	clients             int
	sent, ok, busy      int64
	errs, hangs         int64
	firstErr            string
	secs                float64
	fields              int
	lat                 []time.Duration
	baseRows            int64
	baseBefore, baseAft float64 // seconds of the bare insert before and after
}

// benchLoad runs simulated users of mixed work against a server on a
// county on SQLite and PostgreSQL, then concurrent submissions alone.
func benchLoad(args []string) error {
	fs := flag.NewFlagSet("lighten-bench load", flag.ContinueOnError)
	var o loadOpts
	fs.StringVar(&o.pg, "postgres", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server for a temporary schema; empty to skip PostgreSQL")
	fs.IntVar(&o.users, "users", 200, "concurrent simulated users")
	fs.DurationVar(&o.dur, "for", 5*time.Minute, "how long the users work")
	fs.DurationVar(&o.think, "think", 500*time.Millisecond, "mean pause of a user between requests (uniform between 0 and twice this)")
	fs.IntVar(&o.fields, "fields", 20, "fields of the county's report the cadres fill in")
	fs.IntVar(&o.burst, "burst", 100, "concurrent clients sending submissions, after the mixed work; 0 to leave out")
	fs.DurationVar(&o.burstFor, "burst-for", 15*time.Second, "how long the concurrent submissions run")
	fs.BoolVar(&o.noSQLite, "no-sqlite", false, "leave out SQLite")
	fs.BoolVar(&o.skipMixed, "no-mixed", false, "leave out the mixed work (only the concurrent submissions)")
	fs.BoolVar(&o.verbose, "v", false, "print the server's warnings")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of each database's mixed work to FILE-DB")
	fs.Float64Var(&o.submit, "submit-share", 0.3, "share of a cadre's requests that are submissions (the rest read the inbox)")
	fs.Float64Var(&o.draft, "draft-share", 0.2, "share of an issuer's requests that save a draft (the rest are gate checks)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rs, err := onFreshDatabases(!o.noSQLite, o.pg, func(k store.Dialect, dsn string) (*loadResult, error) { return runLoad(k, dsn, o) })
	if err != nil {
		return err
	}
	fmt.Print(loadTables(rs, o))
	return nil
}

// loadSetup is the county the users work in.
type loadSetup struct {
	db        *store.DB
	report    int64
	elems     []*collect.Element
	villages  []units.Unit
	towns     []units.Unit
	cadreTok  map[string]string // village code → token
	issuerTok []string
	burdenTok []string
	due       time.Time
}

func setupCounty(ctx context.Context, db *store.DB, fields int) (*loadSetup, error) {
	s := &loadSetup{db: db, cadreTok: map[string]string{}}
	us, err := demo.Units()
	if err != nil {
		return nil, err
	}
	if _, err := db.ImportUnits(ctx, store.System, us, nil); err != nil {
		return nil, err
	}
	tree, err := db.Tree(ctx)
	if err != nil {
		return nil, err
	}
	s.villages = tree.Under(units.Village, demo.County)
	s.towns, _ = tree.Children(demo.County, 0, -1)
	if len(s.villages) == 0 || len(s.towns) == 0 {
		return nil, fmt.Errorf("the demo county %s has no villages", demo.County)
	}
	s.due = calendar.Default().AddWorkdays(calendar.DateOf(time.Now()), 15).Time().Add(10 * time.Hour)
	var stats units.Office
	var statsIssuer units.Person
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		burden := units.Office{UnitCode: demo.County, Name: "桃江县减轻基层负担工作办公室", Burden: true}
		if err := tx.CreateOffice(ctx, &burden); err != nil {
			return err
		}
		for i := 0; i < 4; i++ {
			p, err := tx.CreatePerson(ctx, store.NewPerson{Login: fmt.Sprintf("jianfu-%d", i), Name: fmt.Sprintf("减负办%d", i), UnitCode: demo.County,
				OfficeID: burden.ID, Grants: []units.Grant{{Role: units.RoleBurden, UnitCode: demo.County}}})
			if err != nil {
				return err
			}
			_, tok, err := tx.CreateAPIToken(ctx, p, "bench", 0)
			if err != nil {
				return err
			}
			s.burdenTok = append(s.burdenTok, tok)
		}
		for i, name := range []string{"统计局", "民政局", "农业农村局", "卫生健康局", "教育局", "应急管理局", "自然资源局", "市场监督管理局"} {
			o := units.Office{UnitCode: demo.County, Name: "桃江县" + name}
			if err := tx.CreateOffice(ctx, &o); err != nil {
				return err
			}
			for j := 0; j < 2; j++ {
				p, err := tx.CreatePerson(ctx, store.NewPerson{Login: fmt.Sprintf("issuer-%d-%d", i, j), Name: name + strconv.Itoa(j), UnitCode: demo.County,
					OfficeID: o.ID, Grants: []units.Grant{{Role: units.RoleIssuer, UnitCode: demo.County}}})
				if err != nil {
					return err
				}
				_, tok, err := tx.CreateAPIToken(ctx, p, "bench", 0)
				if err != nil {
					return err
				}
				s.issuerTok = append(s.issuerTok, tok)
				if i == 0 && j == 0 {
					stats, statsIssuer = o, p
				}
			}
		}
		for i := 0; i < fields; i++ {
			e := &collect.Element{Code: fmt.Sprintf("V%02d", i+1), Name: fmt.Sprintf("村级基本情况%02d", i+1), Type: collect.Integer,
				Measure: "个", Period: collect.Year, ValidDays: 365, Owner: stats.ID, Min: ptrTo(0.0), Status: collect.Approved}
			if err := tx.SaveElement(ctx, e); err != nil {
				return err
			}
			s.elems = append(s.elems, e)
		}
		for _, v := range s.villages {
			p, err := tx.CreatePerson(ctx, store.NewPerson{Login: "cun-" + v.Code, Name: v.Name + "填报员", UnitCode: v.Code,
				Grants: []units.Grant{{Role: units.RoleCadre, UnitCode: v.Code}}})
			if err != nil {
				return err
			}
			if _, s.cadreTok[v.Code], err = tx.CreateAPIToken(ctx, p, "bench", 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The county's report that every village fills in.
	actor := store.Actor{ID: statsIssuer.ID, Login: statsIssuer.Login}
	d := &gate.Demand{OfficeID: stats.ID, IssuerUnit: stats.UnitCode, Kind: gate.Report, Title: "村级基本情况年报",
		Body: "请各村填报村级基本情况。", Targets: gate.Targets{Level: units.Village, Under: demo.County}, Due: s.due}
	for _, e := range s.elems {
		d.Asks.Fields = append(d.Asks.Fields, gate.Field{Name: e.Name, Element: e.Code})
	}
	if err := db.Write(ctx, actor, func(tx *store.Tx) error { return tx.CreateDemand(ctx, d) }); err != nil {
		return nil, err
	}
	rec, _, err := db.SubmitDemand(ctx, actor, d.ID)
	if err != nil {
		return nil, err
	}
	if rec.Status == gate.InReview {
		if rec, err = db.DecideDemand(ctx, store.System, d.ID, true, "基准测试"); err != nil {
			return nil, err
		}
	}
	if rec.Status != gate.Admitted && rec.Status != gate.Active {
		return nil, fmt.Errorf("the county's report was not admitted: %s %+v", rec.Status, rec.Findings)
	}
	s.report = rec.ID
	return s, nil
}

// values is a valid submission body for village v.
func (s *loadSetup) submission(v, key string, rng *rand.Rand) []byte {
	vals := map[string]string{}
	for _, e := range s.elems {
		vals[e.Code] = strconv.Itoa(rng.IntN(5000))
	}
	b, _ := json.Marshal(map[string]any{"unit": v, "values": vals, "client_key": key})
	return b
}

// demandInput is an issuer's report to the villages of a township.
func (s *loadSetup) demandInput(town string, rng *rand.Rand) []byte {
	in := web.DemandInput{Kind: gate.Report, Title: "春耕生产情况统计", Body: "请填报春耕生产情况。",
		Targets: gate.Targets{Level: units.Village, Under: town}, Due: &s.due}
	for _, j := range rng.Perm(len(s.elems))[:min(5, len(s.elems))] {
		in.Asks.Fields = append(in.Asks.Fields, gate.Field{Name: s.elems[j].Name, Element: s.elems[j].Code})
	}
	b, _ := json.Marshal(in)
	return b
}

type loadClient struct {
	c    *http.Client
	base string
}

func (c *loadClient) do(method, path, token string, body []byte) (int, []byte, time.Duration, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	t0 := time.Now()
	resp, err := c.c.Do(req)
	if err != nil {
		return 0, nil, time.Since(t0), err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, b, time.Since(t0), err
}

func runLoad(k store.Dialect, dsn string, o loadOpts) (*loadResult, error) {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	s, err := setupCounty(ctx, db, o.fields)
	if err != nil {
		return nil, err
	}
	level := slog.LevelError + 1
	if o.verbose {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	srv := httptest.NewServer(web.New(db, web.Options{Logger: logger, Version: "bench"}))
	defer srv.Close()
	n := max(o.users, o.burst)
	client := &loadClient{base: srv.URL, c: &http.Client{Timeout: hangAfter,
		Transport: &http.Transport{MaxIdleConns: n, MaxIdleConnsPerHost: n, DisableCompression: true}}}
	res := &loadResult{kind: k, villages: len(s.villages), towns: len(s.towns), users: o.users, stats: newLoadStats()}
	logf("%s: the county: %d townships, %d villages, report %d with %d fields", k, len(s.towns), len(s.villages), s.report, len(s.elems))

	if !o.skipMixed {
		if o.profile != "" {
			f, err := os.Create(o.profile + "-" + string(k))
			if err != nil {
				return nil, err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return nil, err
			}
		}
		mixedLoad(s, client, o, res)
		if o.profile != "" {
			pprof.StopCPUProfile()
		}
		logf("%s: mixed work: %d users for %.0f s", k, o.users, res.secs)
	}
	if o.burst > 0 {
		if res.burst, err = burstLoad(ctx, k, dsn, s, client, o); err != nil {
			return nil, err
		}
	}
	// The chain every change of the run was recorded in, verified from its
	// first record: how fast a restore's verify reads a chain.
	t0 := time.Now()
	if res.chain, err = db.VerifyAudit(ctx); err != nil {
		return nil, fmt.Errorf("the audit chain after the run: %w", err)
	}
	res.chainSecs = time.Since(t0).Seconds()
	logf("%s: audit chain of %d records verified in %.2f s", k, res.chain, res.chainSecs)
	return res, nil
}

// mixedLoad runs the users: cadres (60%) reading their inbox and
// submitting the report's values, issuers (20%) checking and drafting
// reports, the burden office (10%) reading the review queue, and people
// reading pages (10%: a village's inbox, a township's unit page).
func mixedLoad(s *loadSetup, c *loadClient, o loadOpts, res *loadResult) {
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(o.dur)
	res.stats.start, res.stats.stop = start, stop
	var seq atomic.Int64
	for u := 0; u < o.users; u++ {
		role := "cadre"
		switch r := u % 10; {
		case r == 6 || r == 7:
			role = "issuer"
			res.issuers++
		case r == 8:
			role = "burden"
			res.burden++
		case r == 9:
			role = "pages"
			res.pageUser++
		default:
			res.cadres++
		}
		wg.Add(1)
		go func(u int, role string) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(u), 99))
			village := s.villages[(u*7919)%len(s.villages)]
			town := s.towns[u%len(s.towns)]
			rep := strconv.FormatInt(s.report, 10)
			for {
				pause := time.Duration(rng.Int64N(int64(2*o.think) + 1))
				if time.Now().Add(pause).After(stop) {
					return
				}
				time.Sleep(pause)
				var class, method, path, tok string
				var body []byte
				switch role {
				case "cadre":
					tok = s.cadreTok[village.Code]
					if rng.Float64() >= o.submit {
						class, method, path = "inbox", "GET", "/api/v1/units/"+village.Code+"/inbox"
					} else {
						class, method, path = "submit", "POST", "/api/v1/units/"+village.Code+"/reports/"+rep+"/submission"
						body = s.submission(village.Code, "load-"+strconv.FormatInt(seq.Add(1), 10), rng)
					}
				case "issuer":
					tok = s.issuerTok[u%len(s.issuerTok)]
					body = s.demandInput(s.towns[rng.IntN(len(s.towns))].Code, rng)
					if rng.Float64() >= o.draft {
						class, method, path = "check", "POST", "/api/v1/demands/check"
					} else {
						class, method, path = "draft", "POST", "/api/v1/demands"
					}
				case "burden":
					tok = s.burdenTok[u%len(s.burdenTok)]
					class, method, path = "review", "GET", "/api/v1/review"
				case "pages":
					tok = s.cadreTok[village.Code]
					if rng.IntN(2) == 0 {
						class, method, path = "page: inbox", "GET", "/units/"+village.Code+"/inbox"
					} else {
						class, method, path = "page: units", "GET", "/units/"+town.Code
					}
				}
				status, b, d, err := c.do(method, path, tok, body)
				res.stats.add(class, d, status, b, err)
			}
		}(u, role)
	}
	wg.Wait()
	res.secs = time.Since(start).Seconds()
}

// burstLoad sends submissions from o.burst clients at once, as fast as
// they are answered, for o.burstFor, then times a plain batched insert
// of the same number of values before and after it (bareInsert, as
// collect's ingest baseline).
func burstLoad(ctx context.Context, k store.Dialect, dsn string, s *loadSetup, c *loadClient, o loadOpts) (*burstResult, error) {
	raw, err := (&collectSetup{kind: k, dsn: dsn}).rawDB()
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	r := &burstResult{clients: o.burst, fields: len(s.elems)}
	rep := strconv.FormatInt(s.report, 10)
	var stored0 int64
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM submissions WHERE demand_id = $1`, s.report).Scan(&stored0); err != nil {
		return nil, err
	}
	// A first baseline, of the rows a rate of 1,000 submissions/s would
	// write; the second, after, of the rows actually written.
	guess := int64(1000*o.burstFor.Seconds()) * int64(len(s.elems))
	if r.baseBefore, err = bareInsert(ctx, raw, k, guess, len(s.elems)); err != nil {
		return nil, err
	}
	r.baseBefore = float64(guess) / r.baseBefore // rows/s
	var sent, ok, busy, errs, hangs atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(o.burstFor)
	// Every client starts at once: a barrier, then all send.
	gate := make(chan struct{})
	for w := 0; w < o.burst; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			var lat []time.Duration
			<-gate
			for i := 0; time.Now().Before(stop); i++ {
				v := s.villages[(w+i*o.burst)%len(s.villages)]
				body := s.submission(v.Code, fmt.Sprintf("burst-%d-%d", w, i), rng)
				sent.Add(1)
				status, b, d, err := c.do("POST", "/api/v1/units/"+v.Code+"/reports/"+rep+"/submission", s.cadreTok[v.Code], body)
				switch {
				case err != nil && isTimeout(err):
					hangs.Add(1)
				case err == nil && status == http.StatusCreated:
					ok.Add(1)
					lat = append(lat, d)
				case err == nil && status == http.StatusServiceUnavailable && bytes.Contains(b, []byte(`"`+web.CodeBusy+`"`)):
					busy.Add(1)
					lat = append(lat, d)
				default:
					errs.Add(1)
					mu.Lock()
					if r.firstErr == "" {
						if err != nil {
							r.firstErr = err.Error()
						} else {
							r.firstErr = fmt.Sprintf("%d %.300s", status, b)
						}
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			r.lat = append(r.lat, lat...)
			mu.Unlock()
		}(w)
	}
	close(gate)
	wg.Wait()
	r.secs = time.Since(start).Seconds()
	r.sent, r.ok, r.busy, r.errs, r.hangs = sent.Load(), ok.Load(), busy.Load(), errs.Load(), hangs.Load()
	var stored int64
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM submissions WHERE demand_id = $1`, s.report).Scan(&stored); err != nil {
		return nil, err
	}
	if stored-stored0 != r.ok {
		return nil, fmt.Errorf("concurrent submissions: %d acknowledged, %d stored", r.ok, stored-stored0)
	}
	r.baseRows = max(r.ok*int64(len(s.elems)), 1)
	secs, err := bareInsert(ctx, raw, k, r.baseRows, len(s.elems))
	if err != nil {
		return nil, err
	}
	r.baseAft = float64(r.baseRows) / secs
	logf("%s: %d clients: %d sent, %d stored, %d busy, %d errors, %d hangs in %.1f s; baseline %.0f / %.0f rows/s",
		k, o.burst, r.sent, r.ok, r.busy, r.errs, r.hangs, r.secs, r.baseBefore, r.baseAft)
	return r, nil
}

func loadTables(rs []*loadResult, o loadOpts) string {
	var b strings.Builder
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
	if !o.skipMixed {
		fmt.Fprintf(&b, "Mixed work: %d users for %s, pause between requests uniform in [0, %s], server and clients in one process (httptest)\n\n",
			o.users, o.dur, 2*o.think)
		b.WriteString("| database | users (cadres / issuers / burden / pages) | requests | requests/s | p50 | p95 | p99 | busy 503 | other errors | hangs (> 30 s) | goal: p99 ≤ 100 ms, 0 errors but 503, 0 hangs |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range rs {
			var all []time.Duration
			var busy, errs, hangs int64
			for _, c := range loadClasses {
				all = append(all, r.stats.lat[c]...)
				busy += r.stats.busy[c]
				errs += r.stats.errs[c]
				hangs += r.stats.hangs[c]
			}
			n := int64(len(all)) + errs + hangs
			p99 := pct(all, 99)
			verdict := "met"
			if p99 > loadP99Goal || errs > 0 || hangs > 0 {
				verdict = "not met"
			}
			fmt.Fprintf(&b, "| %s | %d (%d / %d / %d / %d) | %d | %.0f | %s | %s | %s | %d | %d | %d | %s |\n", r.kind, r.users, r.cadres, r.issuers, r.burden, r.pageUser,
				n, float64(n)/r.secs, ms(pct(all, 50)), ms(pct(all, 95)), ms(p99), busy, errs, hangs, verdict)
		}
		b.WriteString("\nBy class:\n\n| database | class | requests | p50 | p95 | p99 | busy 503 | other errors | hangs | p50: first / last quarter of the run |\n|---|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range rs {
			for _, c := range loadClasses {
				l := r.stats.lat[c]
				n := int64(len(l)) + r.stats.errs[c] + r.stats.hangs[c]
				fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %d | %d | %d | %s / %s |\n", r.kind, c, n, ms(pct(l, 50)), ms(pct(l, 95)), ms(pct(l, 99)),
					r.stats.busy[c], r.stats.errs[c], r.stats.hangs[c], ms(pct(r.stats.early[c], 50)), ms(pct(r.stats.late[c], 50)))
			}
		}
		for _, r := range rs {
			cs := slices.Sorted(func(yield func(string) bool) {
				for c := range r.stats.firstEr {
					if !yield(c) {
						return
					}
				}
			})
			for _, c := range cs {
				fmt.Fprintf(&b, "\n%s, %s, first error: %s\n", r.kind, c, r.stats.firstEr[c])
			}
		}
	}
	if o.burst > 0 {
		fmt.Fprintf(&b, "\nConcurrent submissions: %d clients at once, each sending the next as soon as the last is answered, for %s, %d fields a submission\n\n",
			o.burst, o.burstFor, o.fields)
		b.WriteString("| database | sent | answered | stored (201) | busy 503 | other errors | hangs | submissions/s | values/s | p50 | p99 | baseline rows/s (before / after) | values/s ÷ baseline |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range rs {
			x := r.burst
			if x == nil {
				continue
			}
			vps := float64(x.ok*int64(x.fields)) / x.secs
			base := (x.baseBefore + x.baseAft) / 2
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %.0f | %.0f | %s | %s | %.0f / %.0f | %.3f |\n", r.kind, x.sent, x.sent-x.hangs, x.ok, x.busy, x.errs, x.hangs,
				float64(x.ok)/x.secs, vps, ms(pct(x.lat, 50)), ms(pct(x.lat, 99)), x.baseBefore, x.baseAft, vps/base)
			if x.firstErr != "" {
				fmt.Fprintf(&b, "\n%s, first error: %s\n", r.kind, x.firstErr)
			}
		}
	}
	b.WriteString("\nThe audit chain after the run, verified from its first record:\n\n| database | records | seconds | records/s |\n|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %d | %.2f | %.0f |\n", r.kind, r.chain, r.chainSecs, float64(r.chain)/r.chainSecs)
	}
	return b.String()
}
