package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/xuri/excelize/v2"

	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/web"
)

// Goals the collect-once issue sets.
const (
	prefillCheckGoal = time.Second
	ingestGoal       = 500.0 // submissions/s of a 250-field report
	exportGoal       = 60 * time.Second
	exportRSSGoal    = 500 << 20
)

var completenessGoals = []time.Duration{25 * time.Millisecond, 100 * time.Millisecond, 500 * time.Millisecond}

// collectOpts are the flags of `lighten-bench collect`.
type collectOpts struct {
	data, pg   string
	reps       int
	compReps   int
	memlimit   string
	ingestFor  time.Duration
	fixFor     time.Duration
	clients    int
	area       string
	fields     int
	held       float64
	submitted  float64
	cpuprofile string
	skip       map[string]bool
	unsynced   bool
}

// benchCollect measures collect-once against the goals on the
// national tree: the gate check of a national report with values already
// held, ingest through the HTTP API, completeness over a county, a province
// and the country, and the Excel export of a national answer. Each runs on
// SQLite and PostgreSQL with its baseline measured in the same run.
func benchCollect(args []string) error {
	fs := flag.NewFlagSet("lighten-bench collect", flag.ContinueOnError)
	var o collectOpts
	fs.StringVar(&o.data, "data", defaultDataDir(), "folder with the national files")
	fs.StringVar(&o.pg, "postgres", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server for a temporary schema; empty to skip PostgreSQL")
	fs.IntVar(&o.reps, "reps", 10, "warm repetitions of each national gate check")
	fs.IntVar(&o.compReps, "comp-reps", 20, "repetitions of each completeness query")
	fs.StringVar(&o.memlimit, "memlimit", "", "also run the Excel export with GOMEMLIMIT set to this (e.g. 400MiB)")
	fs.DurationVar(&o.ingestFor, "for", 30*time.Second, "how long to run ingest through the API")
	fs.DurationVar(&o.fixFor, "corrections-for", 15*time.Second, "how long to send corrections (units submitting again) after ingest; 0 to leave them out")
	fs.IntVar(&o.clients, "clients", 16, "concurrent HTTP clients during ingest")
	fs.StringVar(&o.area, "area", "37", "unit whose villages the 250-field report goes to")
	fs.IntVar(&o.fields, "fields", 250, "fields of the ingested report")
	fs.Float64Var(&o.held, "held", 0.3, "share of the national report's values already held")
	fs.Float64Var(&o.submitted, "submitted", 0.6, "share of villages that have submitted, for completeness")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write CPU profiles of the cold gate check and of ingest to FILE-cold-check-DB and FILE-DB")
	fs.BoolVar(&o.unsynced, "unsynced", false, "SQLite: acknowledge commits before they are synced (synchronous=NORMAL), to measure what syncing costs")
	skip := fs.String("skip", "", "comma-separated parts to leave out: gate (and the held values), ingest, completeness, export; sqlite leaves out the SQLite database")
	out := fs.String("out", "", "also write the tables to this file")
	child := fs.String("child", "", "") // internal: one export in this process
	dsn := fs.String("dsn", "", "")
	report := fs.Int64("report", 0, "")
	token := fs.String("token", "", "")
	file := fs.String("file", "", "")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: lighten-bench collect [flags]")
		fs.VisitAll(func(f *flag.Flag) {
			if f.Usage != "" {
				fmt.Fprintf(fs.Output(), "  --%s\t%s (default %q)\n", f.Name, f.Usage, f.DefValue)
			}
		})
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *child != "" {
		return exportChild(*child, *dsn, *report, *token, *file)
	}
	o.skip = map[string]bool{}
	for _, s := range strings.Split(*skip, ",") {
		if s = strings.TrimSpace(s); s != "" {
			o.skip[s] = true
		}
	}
	if _, err := os.Stat(filepath.Join(o.data, "villages.csv.gz")); err != nil {
		return fmt.Errorf("no national tree at %s (give --data): %w", o.data, err)
	}
	results, err := onFreshDatabases(!o.skip["sqlite"], o.pg, func(k store.Dialect, dsn string) (*collectResult, error) {
		return runCollect(k, dsn, o)
	})
	if err != nil {
		return err
	}
	text := collectTables(results, o)
	fmt.Print(text)
	if *out != "" {
		return os.WriteFile(*out, []byte(text), 0o644)
	}
	return nil
}

// collectResult is everything measured on one database.
type collectResult struct {
	kind     store.Dialect
	villages int
	// the gate check of the national report
	held, prefilled     int64
	loadSecs            float64
	noneCold, heldCold  time.Duration
	heldBuild           time.Duration // the first check after the load: sets built from the values
	none, withHeld      []time.Duration
	noneTotal, heldLeft int // minutes per village asked, before and after prefill
	status              gate.Status
	// completeness
	submitted int64
	comp      []compRow
	// ingest: first submissions, then corrections
	ingest []*ingestRow
	// export
	exports []exportRow
}

type compRow struct {
	name                 string
	expected, submitted  int
	store, http, baseSQL []time.Duration
}

type ingestRow struct {
	phase              string // "first submissions" or "corrections"
	area               string
	villages, counties int
	subs, first        int64
	secs               float64
	latency            []time.Duration
	baseRows           int64
	baseSecs           float64
	// CPU seconds spent during the run by this process (server, clients
	// and, on SQLite, the database) and by the whole machine.
	cpuSelf, cpuAll float64
	cpuDB           float64 // PostgreSQL's server processes
	walBytes        float64 // write-ahead log written, on PostgreSQL
}

type exportRow struct {
	what             string
	rows, bytes      int64
	secs             float64
	peakRSS, idleRSS int64
	isBaseline       bool
}

// collectSetup is the database and what the benchmark made in it.
type collectSetup struct {
	kind     store.Dialect
	dsn      string
	unsynced bool // SQLite commits acknowledged before they are synced
	db       *store.DB
	tree     *units.Tree
	villages []units.Unit
	office   units.Office
	issuer   units.Person
	token    string
	due      time.Time
	national []*collect.Element // the 50 elements of the national report
	// nationalID is the national report once stored and through the gate.
	nationalID int64
}

func (s *collectSetup) nationalReport() *gate.Demand {
	d := &gate.Demand{OfficeID: s.office.ID, IssuerUnit: s.office.UnitCode, Kind: gate.Report, Title: "农村基本情况年报",
		Body: "请各村填报农村基本情况。", Targets: gate.Targets{Level: units.Village}, Due: s.due}
	for _, e := range s.national {
		d.Asks.Fields = append(d.Asks.Fields, gate.Field{Name: e.Name, Element: e.Code})
	}
	return d
}

// rawDB opens the same database without the store, for baselines.
func (s *collectSetup) rawDB() (*sql.DB, error) {
	if s.kind == store.Postgres {
		return sql.Open("pgx", s.dsn)
	}
	// The baseline syncs its commits as the store's writer does.
	sync := "FULL"
	if s.unsynced {
		sync = "NORMAL"
	}
	return sql.Open("sqlite", "file:"+s.dsn+"?_pragma=journal_mode(WAL)&_pragma=synchronous("+sync+")&_pragma=busy_timeout(10000)&_time_format=sqlite")
}

func (s *collectSetup) options() store.Options { return store.Options{UnsyncedCommits: s.unsynced} }

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func runCollect(k store.Dialect, dsn string, o collectOpts) (*collectResult, error) {
	ctx := context.Background()
	res := &collectResult{kind: k}
	s := &collectSetup{kind: k, dsn: dsn, unsynced: o.unsynced}
	var err error
	if s.db, err = store.Open(ctx, dsn, s.options()); err != nil {
		return nil, err
	}
	defer func() { s.db.Close() }()
	t0 := time.Now()
	us, err := units.ReadDir(o.data)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.ImportUnits(ctx, store.System, us, nil); err != nil {
		return nil, err
	}
	if s.tree, err = s.db.Tree(ctx); err != nil {
		return nil, err
	}
	s.villages = s.tree.Under(units.Village, "")
	res.villages = len(s.villages)
	logf("%s: %d units imported in %.1f s", k, s.tree.Len(), time.Since(t0).Seconds())
	s.due = calendar.Default().AddWorkdays(calendar.DateOf(time.Now()), 10).Time().Add(10 * time.Hour)

	// The statistics bureau owns the dictionary and issues the reports; its
	// issuer reads answers and completeness.
	err = s.db.Write(ctx, store.System, func(tx *store.Tx) error {
		s.office = units.Office{UnitCode: "43", Name: "湖南省统计局"}
		if err := tx.CreateOffice(ctx, &s.office); err != nil {
			return err
		}
		var err error
		s.issuer, err = tx.CreatePerson(ctx, store.NewPerson{Login: "tongji", Name: "统计员", UnitCode: "43", OfficeID: s.office.ID,
			Grants: []units.Grant{{Role: units.RoleIssuer, UnitCode: "43"}}})
		if err != nil {
			return err
		}
		_, s.token, err = tx.CreateAPIToken(ctx, s.issuer, "bench", 0)
		if err != nil {
			return err
		}
		for i := 1; i <= 50; i++ {
			e := &collect.Element{Code: fmt.Sprintf("N%02d", i), Name: fmt.Sprintf("农村基本情况%02d", i), Type: collect.Integer,
				Measure: "个", Period: collect.Year, ValidDays: 365, Owner: s.office.ID, Min: ptrTo(0.0), Status: collect.Approved}
			if err := tx.SaveElement(ctx, e); err != nil {
				return err
			}
			s.national = append(s.national, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	if !o.skip["gate"] {
		if err := benchPrefill(ctx, s, o, res); err != nil {
			return nil, err
		}
	}
	if !o.skip["completeness"] {
		if err := benchCompleteness(ctx, s, o, res); err != nil {
			return nil, err
		}
	}
	if !o.skip["export"] {
		if err := benchExport(ctx, s, o, res); err != nil {
			return nil, err
		}
	}
	if !o.skip["ingest"] {
		if res.ingest, err = benchIngest(ctx, s, o); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func ptrTo[T any](v T) *T { return &v }

// mix is splitmix64: a fixed, well-spread choice of which values are held.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func chosen(share float64, keys ...uint64) bool {
	var x uint64 = 1
	for _, k := range keys {
		x = mix(x ^ k)
	}
	return float64(x%1_000_000) < share*1_000_000
}

// timeChecks runs the check reps+1 times: the first is cold.
func timeChecks(ctx context.Context, db *store.DB, d func() *gate.Demand, reps int) (time.Duration, []time.Duration, *gate.Result, error) {
	var cold time.Duration
	var ds []time.Duration
	var last *gate.Result
	for i := 0; i <= reps; i++ {
		t0 := time.Now()
		r, err := db.CheckDemand(ctx, d())
		if err != nil {
			return 0, nil, nil, err
		}
		if i == 0 {
			cold = time.Since(t0)
		} else {
			ds = append(ds, time.Since(t0))
		}
		last = r
	}
	return cold, ds, last, nil
}

// benchPrefill times the gate check of the national 50-field report with
// nothing held, then loads the held values in bulk, opens the database
// again as a server starting would, and times the check with prefill.
func benchPrefill(ctx context.Context, s *collectSetup, o collectOpts, res *collectResult) error {
	if _, err := s.db.GateEnv(ctx); err != nil {
		return err
	}
	var r *gate.Result
	var err error
	res.noneCold, res.none, r, err = timeChecks(ctx, s.db, s.nationalReport, o.reps)
	if err != nil {
		return err
	}
	if r.Targets != len(s.villages) || r.Prefilled != 0 {
		return fmt.Errorf("check without values: %d targets, %d prefilled", r.Targets, r.Prefilled)
	}
	res.noneTotal = r.Burden.PerUnit
	logf("%s: check without values held: cold %s, median %s", s.kind, ms3(res.noneCold), ms3(pct(res.none, 50)))

	period := collect.PeriodOf(collect.Year, s.nationalReport().FiguresDate())
	t0 := time.Now()
	vi, ej := 0, 0
	res.held, err = s.db.LoadValues(ctx, s.issuer.ID, s.db.Now(), "bench", func() (store.BulkValue, bool) {
		for vi < len(s.villages) {
			for ej < len(s.national) {
				j := ej
				ej++
				if chosen(o.held, uint64(vi), uint64(j)) {
					return store.BulkValue{Unit: s.villages[vi].Code, ElementID: s.national[j].ID, Period: period,
						Value: strconv.FormatUint(mix(uint64(vi*64+j))%2000, 10)}, true
				}
			}
			vi, ej = vi+1, 0
		}
		return store.BulkValue{}, false
	})
	if err != nil {
		return err
	}
	res.loadSecs = time.Since(t0).Seconds()
	logf("%s: %d values held, loaded in %.1f s (%.0f rows/s)", s.kind, res.held, res.loadSecs, float64(res.held)/res.loadSecs)

	// The first check of a server after the load finds no saved sets and
	// builds them from the values (then saves them); the server then
	// restarts, as after an upgrade, and the cold check loads them.
	if err := s.reopen(ctx); err != nil {
		return err
	}
	t0 = time.Now()
	if r, err = s.db.CheckDemand(ctx, s.nationalReport()); err != nil {
		return err
	}
	res.heldBuild = time.Since(t0)
	if r.Prefilled != res.held {
		return fmt.Errorf("first check with values held: %d prefilled, %d held", r.Prefilled, res.held)
	}
	logf("%s: first check after the load, sets built from the values: %s", s.kind, ms3(res.heldBuild))
	if err := s.reopen(ctx); err != nil {
		return err
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile + "-cold-check-" + string(s.kind))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		_, err = s.db.CheckDemand(ctx, s.nationalReport())
		pprof.StopCPUProfile()
		if err != nil {
			return err
		}
		if err := s.reopen(ctx); err != nil {
			return err
		}
	}
	res.heldCold, res.withHeld, r, err = timeChecks(ctx, s.db, s.nationalReport, o.reps)
	if err != nil {
		return err
	}
	if r.Prefilled != res.held {
		return fmt.Errorf("check with values held: %d prefilled, %d held", r.Prefilled, res.held)
	}
	res.prefilled, res.heldLeft = r.Prefilled, r.Burden.PerUnit
	logf("%s: check with %d values held: cold %s, median %s", s.kind, res.held, ms3(res.heldCold), ms3(pct(res.withHeld, 50)))
	return nil
}

// reopen closes the database and opens it again with empty caches, as a
// server starting; the tree, calendar and policies are read before any
// timing, as a server does at start.
func (s *collectSetup) reopen(ctx context.Context) error {
	s.db.Close()
	var err error
	if s.db, err = store.Open(ctx, s.dsn, s.options()); err != nil {
		return err
	}
	if s.tree, err = s.db.Tree(ctx); err != nil {
		return err
	}
	s.villages = s.tree.Under(units.Village, "")
	_, err = s.db.GateEnv(ctx)
	return err
}

// benchCompleteness submits the national report through the gate, records
// submissions of a share of the villages in bulk (a tenth of them late),
// and times completeness over a county, a province and the country: in the
// store, through the API, and as a bare SQL count (the baseline).
func benchCompleteness(ctx context.Context, s *collectSetup, o collectOpts, res *collectResult) error {
	rec, err := s.nationalRecord(ctx)
	if err != nil {
		return err
	}
	res.status = rec.Status
	now := s.db.Now()
	i := 0
	res.submitted, err = s.db.LoadSubmissions(ctx, func() (store.BulkSubmission, bool) {
		for ; i < len(s.villages); i++ {
			if chosen(o.submitted, uint64(i), 0xc0de) {
				at := now
				if i%10 == 0 {
					at = rec.When().Add(time.Hour)
				}
				b := store.BulkSubmission{DemandID: rec.ID, Unit: s.villages[i].Code, Key: "bench-" + strconv.Itoa(i), PersonID: s.issuer.ID, At: at, Values: 50}
				i++
				return b, true
			}
		}
		return store.BulkSubmission{}, false
	})
	if err != nil {
		return err
	}
	logf("%s: %d submissions recorded", s.kind, res.submitted)
	raw, err := s.rawDB()
	if err != nil {
		return err
	}
	defer raw.Close()
	srv := httptest.NewServer(web.New(s.db, web.Options{}))
	defer srv.Close()
	for _, c := range []struct{ name, under string }{{"a county (430922 桃江县)", "430922"}, {"a province (43 湖南省)", "43"}, {"the country", ""}} {
		row := compRow{name: c.name}
		var q string
		qargs := []any{rec.ID}
		if c.under == "" {
			q = `SELECT COUNT(DISTINCT unit_code) FROM submissions WHERE demand_id = $1`
		} else {
			q = `SELECT COUNT(DISTINCT unit_code) FROM submissions WHERE demand_id = $1 AND unit_code >= $2 AND unit_code < $3`
			qargs = append(qargs, c.under, c.under+":")
		}
		url := srv.URL + "/api/v1/reports/" + strconv.FormatInt(rec.ID, 10) + "/completeness?under=" + c.under
		for rep := 0; rep <= o.compReps; rep++ {
			t0 := time.Now()
			top, _, err := s.db.Completeness(ctx, rec, c.under, true)
			if err != nil {
				return err
			}
			d1 := time.Since(t0)
			t0 = time.Now()
			body, err := httpGet(srv.Client(), url, s.token)
			if err != nil {
				return err
			}
			d2 := time.Since(t0)
			var view web.CompletenessView
			if err := json.Unmarshal(body, &view); err != nil || view.Total.Submitted != top.Submitted {
				return fmt.Errorf("completeness through the API: %v %s", err, body)
			}
			t0 = time.Now()
			var n int
			if err := raw.QueryRowContext(ctx, q, qargs...).Scan(&n); err != nil {
				return err
			}
			d3 := time.Since(t0)
			if n != top.Submitted {
				return fmt.Errorf("completeness of %s: %d submitted, SQL counts %d", c.name, top.Submitted, n)
			}
			row.expected, row.submitted = top.Expected, top.Submitted
			if rep > 0 { // the first warms caches
				row.store, row.http, row.baseSQL = append(row.store, d1), append(row.http, d2), append(row.baseSQL, d3)
			}
		}
		logf("%s: completeness of %s: %d of %d, p50 %s", s.kind, c.name, row.submitted, row.expected, ms3(pct(row.store, 50)))
		res.comp = append(res.comp, row)
	}
	return nil
}

// nationalRecord stores the national report and runs the gate on it, once.
func (s *collectSetup) nationalRecord(ctx context.Context) (*store.DemandRecord, error) {
	d := s.nationalReport()
	if err := s.db.Write(ctx, store.Actor{ID: s.issuer.ID, Login: s.issuer.Login}, func(tx *store.Tx) error { return tx.CreateDemand(ctx, d) }); err != nil {
		return nil, err
	}
	rec, _, err := s.db.SubmitDemand(ctx, store.Actor{ID: s.issuer.ID, Login: s.issuer.Login}, d.ID)
	if err == nil {
		s.nationalID = rec.ID
	}
	return rec, err
}

func httpGet(c *http.Client, url, token string) ([]byte, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return b, err
}

// benchExport exports the national report's answer (one row per village)
// to Excel in a process of its own, through the API route when the server
// has one, and the same answer as CSV through the API as the baseline.
func benchExport(ctx context.Context, s *collectSetup, o collectOpts, res *collectResult) error {
	if s.nationalID == 0 {
		rec, err := s.nationalRecord(ctx)
		if err != nil {
			return err
		}
		res.status = rec.Status
	}
	xlsx := exportMode{mode: "xlsx-direct", what: "Excel, `store.EachAnswer` into excelize's StreamWriter (no route yet)"}
	for _, r := range web.New(s.db, web.Options{}).Routes() {
		if r.Method == "GET" && r.Pattern == "/api/v1/reports/{id}/answer.xlsx" {
			xlsx = exportMode{mode: "xlsx", what: "Excel, `GET /api/v1/reports/{id}/answer.xlsx`"}
		}
	}
	modes := []exportMode{xlsx}
	if o.memlimit != "" {
		m := xlsx
		m.what, m.memlimit = m.what+", GOMEMLIMIT="+o.memlimit, o.memlimit
		modes = append(modes, m)
	}
	modes = append(modes, exportMode{mode: "csv", what: "baseline: CSV, `GET /api/v1/reports/{id}/answer?format=csv` (a line per value)"})
	dir, err := os.MkdirTemp("", "lighten-bench-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, m := range modes {
		file := filepath.Join(dir, "answer."+strings.TrimSuffix(m.mode, "-direct"))
		cr, rss, err := runExportChild(m, s.dsn, s.nationalID, s.token, file)
		if err != nil {
			return err
		}
		row := exportRow{what: m.what, bytes: cr.Bytes, secs: cr.Seconds, peakRSS: rss, idleRSS: cr.IdleRSS, isBaseline: m.mode == "csv"}
		if m.mode == "csv" {
			row.rows, err = countLines(file)
		} else {
			row.rows, err = xlsxRows(file)
		}
		if err != nil {
			return err
		}
		logf("%s: %s: %d rows, %.1f MiB in %.1f s, peak RSS %d MiB", s.kind, m.what, row.rows, float64(row.bytes)/(1<<20), row.secs, rss>>20)
		res.exports = append(res.exports, row)
		os.Remove(file)
	}
	return nil
}

// exportMode is one export a child process makes.
type exportMode struct {
	mode, what string
	memlimit   string // GOMEMLIMIT for the child, if set
}

// exportResult is what an export child reports on its standard output.
type exportResult struct {
	Seconds float64 `json:"seconds"`
	Bytes   int64   `json:"bytes"`
	IdleRSS int64   `json:"idle_rss"` // peak resident size before the export began
	PeakRSS int64   `json:"peak_rss"` // peak resident size at the end
}

func runExportChild(m exportMode, dsn string, report int64, token, file string) (exportResult, int64, error) {
	mode := m.mode
	exe, err := os.Executable()
	if err != nil {
		return exportResult{}, 0, err
	}
	var stdout bytes.Buffer
	cmd := exec.Command(exe, "collect", "--child", mode, "--dsn", dsn, "--report", strconv.FormatInt(report, 10), "--token", token, "--file", file)
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if m.memlimit != "" {
		cmd.Env = append(os.Environ(), "GOMEMLIMIT="+m.memlimit)
	}
	if err := cmd.Run(); err != nil {
		return exportResult{}, 0, fmt.Errorf("export %s: %w", mode, err)
	}
	var res exportResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return res, 0, fmt.Errorf("export %s: read result %q: %w", mode, stdout.String(), err)
	}
	// Not rusage: a child started by fork and exec inherits its parent's
	// high-water mark there, and this parent holds far more than the child.
	return res, res.PeakRSS, nil
}

// exportChild is one export, in a process of its own so that its peak
// memory is its own. It opens the database and indexes the tree first, as
// a running server has, and notes the peak so far.
func exportChild(mode, dsn string, report int64, token, file string) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Tree(ctx); err != nil {
		return err
	}
	runtime.GC()
	idle := peakRSS()
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	t0 := time.Now()
	switch mode {
	case "xlsx", "csv":
		srv := httptest.NewServer(web.New(db, web.Options{}))
		defer srv.Close()
		url := srv.URL + "/api/v1/reports/" + strconv.FormatInt(report, 10) + "/answer"
		if mode == "xlsx" {
			url += ".xlsx"
		} else {
			url += "?format=csv"
		}
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
		}
		if _, err := io.Copy(f, resp.Body); err != nil {
			return err
		}
	case "xlsx-direct":
		if err := answerXLSX(ctx, db, report, f); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown export %q", mode)
	}
	if err := f.Sync(); err != nil {
		return err
	}
	took := time.Since(t0)
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(exportResult{Seconds: took.Seconds(), Bytes: st.Size(), IdleRSS: idle, PeakRSS: peakRSS()})
}

// answerXLSX writes a report's answer as one sheet, a row per target and a
// column per element, streamed: what an Excel answer route would do.
func answerXLSX(ctx context.Context, db *store.DB, id int64, w io.Writer) error {
	rec, err := db.Demand(ctx, id)
	if err != nil {
		return err
	}
	elems, order, err := db.ReportElements(ctx, &rec.Demand)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	head := []any{"单位代码 unit", "单位名称 name"}
	for _, e := range order {
		head = append(head, e.Code+" "+e.Name)
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := make([]any, len(head))
	n := 1
	err = db.EachAnswer(ctx, rec, elems, "", func(a store.Answer) error {
		n++
		row[0], row[1] = a.Unit.Code, a.Unit.Name
		for i, e := range order {
			row[i+2] = nil
			if v, ok := a.Values[e.Code]; ok {
				if f, ok := collect.Number(v.Value); ok && (e.Type == collect.Integer || e.Type == collect.Decimal) {
					row[i+2] = f
				} else {
					row[i+2] = v.Value
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, row)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return x.Write(w)
}

// peakRSS is this process's peak resident size so far (VmHWM, which
// starts afresh at exec).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// xlsxRows counts the rows of the first sheet of a workbook by scanning its
// XML, without loading it.
func xlsxRows(path string) (int64, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return 0, err
	}
	defer z.Close()
	for _, f := range z.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return 0, err
		}
		defer r.Close()
		return countToken(r, []byte("<row "))
	}
	return 0, errors.New("no worksheet in the workbook")
}

func countLines(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return countToken(f, []byte("\n"))
}

// countToken counts occurrences of tok in r, reading it in chunks.
func countToken(r io.Reader, tok []byte) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	buf := make([]byte, 1<<20)
	var n int64
	var carry []byte
	for {
		k, err := br.Read(buf)
		chunk := append(carry, buf[:k]...)
		n += int64(bytes.Count(chunk, tok))
		// Keep a tail shorter than the token, which cannot hold a whole one
		// already counted.
		keep := min(len(chunk), len(tok)-1)
		carry = append(carry[:0:0], chunk[len(chunk)-keep:]...)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// benchIngest sends a 250-field report's submissions through the HTTP API
// for the set time, from concurrent clients each submitting one village's
// values per request with a key of its own, and fails on any refusal. The
// baseline is multi-row INSERT of as many values into a bare table.
func benchIngest(ctx context.Context, s *collectSetup, o collectOpts) ([]*ingestRow, error) {
	if _, ok := s.tree.Get(o.area); !ok && o.area != "" {
		return nil, fmt.Errorf("--area %s: no such unit", o.area)
	}
	villages := slices.Clone(s.tree.Under(units.Village, o.area))
	counties := s.tree.Under(units.County, o.area)
	if len(villages) == 0 {
		return nil, fmt.Errorf("--area %s: no villages", o.area)
	}
	// The dictionary: mostly counts, some amounts, choices, yes/no and
	// text, with cross-element rules such as households ≤ population.
	elems := make([]*collect.Element, o.fields)
	var rules []collect.Rule
	var office units.Office
	actor := store.Actor{ID: s.issuer.ID, Login: s.issuer.Login}
	err := s.db.Write(ctx, store.System, func(tx *store.Tx) error {
		office = units.Office{UnitCode: o.area, Name: "统计局"}
		if o.area == "" {
			office.UnitCode = "43"
		}
		if err := tx.CreateOffice(ctx, &office); err != nil {
			return err
		}
		for i := range elems {
			e := &collect.Element{Code: fmt.Sprintf("S%03d", i+1), Name: fmt.Sprintf("村级统计指标%03d", i+1), Period: collect.Year,
				ValidDays: 365, Owner: office.ID, Status: collect.Approved}
			switch i % 10 {
			case 6:
				e.Type = collect.Decimal
			case 7:
				e.Type, e.Choices = collect.Choice, []string{"有", "无", "不适用"}
			case 8:
				e.Type = collect.Bool
			case 9:
				e.Type = collect.Text
			default:
				e.Type, e.Min = collect.Integer, ptrTo(0.0)
			}
			if err := tx.SaveElement(ctx, e); err != nil {
				return err
			}
			elems[i] = e
		}
		for i := 0; i+1 < len(elems) && len(rules) < 5; i += 10 {
			r := collect.Rule{Left: elems[i].Code, Op: "<=", Right: elems[i+1].Code}
			if err := tx.SaveRule(ctx, &r); err != nil {
				return err
			}
			rules = append(rules, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d := &gate.Demand{OfficeID: office.ID, IssuerUnit: office.UnitCode, Kind: gate.Report, Title: "村级综合统计年报",
		Body: "请各村填报村级综合统计年报。", Targets: gate.Targets{Level: units.Village, Under: o.area}, Due: s.due}
	for _, e := range elems {
		d.Asks.Fields = append(d.Asks.Fields, gate.Field{Name: e.Name, Element: e.Code})
	}
	if err := s.db.Write(ctx, actor, func(tx *store.Tx) error { return tx.CreateDemand(ctx, d) }); err != nil {
		return nil, err
	}
	rec, _, err := s.db.SubmitDemand(ctx, actor, d.ID)
	if err != nil {
		return nil, err
	}
	if rec.Status == gate.InReview {
		if rec, err = s.db.DecideDemand(ctx, store.System, d.ID, true, "基准测试"); err != nil {
			return nil, err
		}
	}
	if rec.Status != gate.Admitted && rec.Status != gate.Active {
		return nil, fmt.Errorf("the %d-field report was not admitted: %s %+v", len(elems), rec.Status, rec.Findings)
	}
	// A cadre of each county submits for its villages.
	tokens := map[string]string{}
	err = s.db.Write(ctx, store.System, func(tx *store.Tx) error {
		for _, c := range counties {
			p, err := tx.CreatePerson(ctx, store.NewPerson{Login: "cadre-" + c.Code, Name: c.Name + "填报员", UnitCode: c.Code,
				Grants: []units.Grant{{Role: units.RoleCadre, UnitCode: c.Code}}})
			if err != nil {
				return err
			}
			if _, tokens[c.Code], err = tx.CreateAPIToken(ctx, p, "bench", 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	countyOf := func(v string) string { return v[:6] }

	// Valid value sets, made before the clock starts so that clients cost
	// the server little.
	rng := rand.New(rand.NewPCG(42, 42))
	variants := make([][]byte, 64)
	for k := range variants {
		vals := map[string]string{}
		for i, e := range elems {
			switch e.Type {
			case collect.Decimal:
				vals[e.Code] = fmt.Sprintf("%.2f", rng.Float64()*1000)
			case collect.Choice:
				vals[e.Code] = e.Choices[rng.IntN(len(e.Choices))]
			case collect.Bool:
				vals[e.Code] = []string{"是", "否"}[rng.IntN(2)]
			case collect.Text:
				vals[e.Code] = fmt.Sprintf("村民小组%d个，主要产业为水稻和蔬菜种植", rng.IntN(20))
			default:
				vals[e.Code] = strconv.Itoa(rng.IntN(5000))
				if i > 0 && i%10 == 1 { // the right side of a rule
					l, _ := strconv.Atoi(vals[elems[i-1].Code])
					vals[e.Code] = strconv.Itoa(l + rng.IntN(5000))
				}
			}
		}
		b, err := json.Marshal(vals)
		if err != nil {
			return nil, err
		}
		variants[k] = b
	}
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(villages), func(i, j int) { villages[i], villages[j] = villages[j], villages[i] })

	srv := httptest.NewServer(web.New(s.db, web.Options{}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients, DisableCompression: true}}
	prefix := srv.URL + "/api/v1/units/"
	suffix := "/reports/" + strconv.FormatInt(rec.ID, 10) + "/submission"

	// The CPU profile covers the first submissions.
	pprofOn := false
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile + "-" + string(s.kind))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		pprofOn = true
		defer func() {
			if pprofOn {
				pprof.StopCPUProfile()
			}
		}()
	}
	raw, err := s.rawDB()
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	// load sends submissions from o.clients clients for d, the i-th one
	// for village pick(i), each with its own client key, and measures.
	load := func(phase string, d time.Duration, keyPrefix string, pick func(i int64) units.Unit) (*ingestRow, error) {
		row := &ingestRow{phase: phase, area: o.area, villages: len(villages), counties: len(counties)}
		// Start from a quiet disk: what earlier parts wrote (9.3 million
		// values loaded in bulk) is copied back and flushed first, so that
		// the kernel writing it out does not fall inside the run.
		if s.kind == store.SQLite {
			if _, err := raw.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				return nil, err
			}
		}
		syscall.Sync()
		// On PostgreSQL, how much write-ahead log the run writes.
		var lsn0 string
		if s.kind == store.Postgres {
			if err := raw.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn0); err != nil {
				return nil, err
			}
		}
		var stored0 int64
		if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM submissions WHERE demand_id = $1`, rec.ID).Scan(&stored0); err != nil {
			return nil, err
		}
		cpu0, pg0 := processCPU(), postgresCPU()
		busy0, total0 := machineCPU()
		var next, done, failed atomic.Int64
		var firstErr error
		var once sync.Once
		lat := make([][]time.Duration, o.clients)
		start := time.Now()
		stop := start.Add(d)
		var wg sync.WaitGroup
		for w := 0; w < o.clients; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				var body bytes.Buffer
				for time.Now().Before(stop) && failed.Load() == 0 {
					i := next.Add(1) - 1
					v := pick(i)
					body.Reset()
					body.WriteString(`{"unit":"` + v.Code + `","values":`)
					body.Write(variants[i%int64(len(variants))])
					body.WriteString(`,"client_key":"` + keyPrefix + strconv.FormatInt(i, 10) + `"}`)
					req, _ := http.NewRequest("POST", prefix+v.Code+suffix, bytes.NewReader(body.Bytes()))
					req.Header.Set("Authorization", "Bearer "+tokens[countyOf(v.Code)])
					req.Header.Set("Content-Type", "application/json")
					t0 := time.Now()
					resp, err := client.Do(req)
					if err == nil {
						var b []byte
						b, err = io.ReadAll(resp.Body)
						resp.Body.Close()
						if err == nil && resp.StatusCode != http.StatusCreated {
							err = fmt.Errorf("village %s: %d %s", v.Code, resp.StatusCode, b)
						}
					}
					if err != nil {
						failed.Add(1)
						once.Do(func() { firstErr = err })
						return
					}
					lat[w] = append(lat[w], time.Since(t0))
					done.Add(1)
				}
			}(w)
		}
		wg.Wait()
		row.secs = time.Since(start).Seconds()
		busy1, total1 := machineCPU()
		row.cpuSelf, row.cpuDB = processCPU()-cpu0, postgresCPU()-pg0
		if total1 > total0 {
			row.cpuAll = (busy1 - busy0) / (total1 - total0) * float64(runtime.NumCPU()) * row.secs
		}
		row.subs = done.Load()
		for _, l := range lat {
			row.latency = append(row.latency, l...)
		}
		if firstErr != nil {
			return nil, fmt.Errorf("ingest, %s: %d submissions stored, then %w", phase, row.subs, firstErr)
		}
		client.CloseIdleConnections()
		if s.kind == store.Postgres {
			if err := raw.QueryRowContext(ctx, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)`, lsn0).Scan(&row.walBytes); err != nil {
				return nil, err
			}
		}
		// Everything acknowledged is stored, once.
		var stored int64
		if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM submissions WHERE demand_id = $1`, rec.ID).Scan(&stored); err != nil {
			return nil, err
		}
		if stored-stored0 != row.subs {
			return nil, fmt.Errorf("ingest, %s: %d submissions acknowledged, %d stored", phase, row.subs, stored-stored0)
		}
		logf("%s: ingest, %s: %d submissions in %.1f s (%.0f/s); CPU: this process %.1f s, PostgreSQL %.1f s, the machine %.1f s of %.1f s; WAL %.0f KiB a submission",
			s.kind, phase, row.subs, row.secs, float64(row.subs)/row.secs, row.cpuSelf, row.cpuDB, row.cpuAll, row.secs*float64(runtime.NumCPU()),
			row.walBytes/float64(max(row.subs, 1))/1024)
		return row, nil
	}

	// First submissions: each village once, in a shuffled order (should
	// the villages run out, the rest are corrections, and counted so).
	first, err := load("first submissions", o.ingestFor, "bench-", func(i int64) units.Unit { return villages[i%int64(len(villages))] })
	if pprofOn {
		pprof.StopCPUProfile()
		pprofOn = false
	}
	if err != nil {
		return nil, err
	}
	first.first = min(first.subs, int64(len(villages)))
	rows := []*ingestRow{first}
	// Corrections: villages that submitted send their values again, each
	// superseding its 250 current values.
	if o.fixFor > 0 {
		sent := first.first
		fix, err := load("corrections", o.fixFor, "fix-", func(i int64) units.Unit { return villages[i%sent] })
		if err != nil {
			return nil, err
		}
		rows = append(rows, fix)
	}
	// Values: 250 a submission, and one current value per village and
	// element.
	var nVals, nCurrent int64
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN current THEN 1 ELSE 0 END), 0) FROM vals WHERE demand_id = $1`, rec.ID).Scan(&nVals, &nCurrent); err != nil {
		return nil, err
	}
	var total int64
	for _, r := range rows {
		total += r.subs
	}
	if nVals != total*int64(len(elems)) || nCurrent != first.first*int64(len(elems)) {
		return nil, fmt.Errorf("ingest: %d submissions acknowledged; %d values stored (%d expected), %d current (%d expected)",
			total, nVals, total*int64(len(elems)), nCurrent, first.first*int64(len(elems)))
	}
	first.baseRows = first.subs * int64(len(elems))
	if first.baseSecs, err = bareInsert(ctx, raw, s.kind, first.baseRows, len(elems)); err != nil {
		return nil, err
	}
	logf("%s: baseline: %d rows in %.1f s (%.0f rows/s)", s.kind, first.baseRows, first.baseSecs, float64(first.baseRows)/first.baseSecs)
	for _, r := range rows[1:] {
		r.baseRows, r.baseSecs = first.baseRows, first.baseSecs
	}
	return rows, nil
}

// bareInsert times multi-row INSERT of n values, per rows a statement (one
// submission's worth) and 40 statements a transaction, into a bare table
// shaped like the values table, with no index.
func bareInsert(ctx context.Context, raw *sql.DB, k store.Dialect, n int64, per int) (float64, error) {
	raw.SetMaxOpenConns(1)
	if _, err := raw.ExecContext(ctx, `CREATE TABLE bench_bare_vals (unit_code TEXT, element_id BIGINT, period TEXT, value TEXT,
		demand_id BIGINT, person_id BIGINT, at TIMESTAMP, source TEXT, current BOOLEAN)`); err != nil {
		return 0, err
	}
	defer raw.ExecContext(ctx, `DROP TABLE bench_bare_vals`)
	stmt := func(rows int) string {
		var b strings.Builder
		b.WriteString(`INSERT INTO bench_bare_vals (unit_code, element_id, period, value, demand_id, person_id, at, source, current) VALUES `)
		for r := range rows {
			if r > 0 {
				b.WriteByte(',')
			}
			if k == store.SQLite {
				b.WriteString("(?,?,?,?,?,?,?,?,?)")
				continue
			}
			p := 9*r + 1
			fmt.Fprintf(&b, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", p, p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8)
		}
		return b.String()
	}
	now := time.Now().UTC()
	args := make([]any, 0, 9*per)
	start := time.Now()
	var written int64
	for written < n {
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		for s := 0; s < 40 && written < n; s++ {
			rows := int(min(int64(per), n-written))
			args = args[:0]
			for r := range rows {
				args = append(args, "370702001001", int64(r+1), "2026", strconv.Itoa(r*7), int64(1), int64(1), now, "report", true)
			}
			if _, err := tx.ExecContext(ctx, stmt(rows), args...); err != nil {
				tx.Rollback()
				return 0, err
			}
			written += int64(rows)
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return time.Since(start).Seconds(), nil
}

// processCPU is the CPU time this process has used, in seconds.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// postgresCPU is the CPU time, in seconds, used so far by the processes
// named postgres on this machine (the local server's backends).
func postgresCPU() float64 {
	ds, _ := os.ReadDir("/proc")
	var ticks float64
	for _, d := range ds {
		b, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil || !bytes.Contains(b, []byte("(postgres)")) {
			continue
		}
		_, rest, _ := strings.Cut(string(b), ") ")
		f := strings.Fields(rest)
		if len(f) > 12 {
			u, _ := strconv.ParseFloat(f[11], 64)
			s, _ := strconv.ParseFloat(f[12], 64)
			ticks += u + s
		}
	}
	return ticks / 100 // USER_HZ
}

// machineCPU reads the busy and total time of all cores from /proc/stat,
// in clock ticks.
func machineCPU() (busy, total float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		x, _ := strconv.ParseFloat(v, 64)
		total += x
		if i != 3 && i != 4 { // idle and iowait
			busy += x
		}
	}
	return busy, total
}

// collectTables renders the figures as markdown.
func collectTables(rs []*collectResult, o collectOpts) string {
	var b strings.Builder
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Fprintf(&b, "Machine: %s\n\n", machine())

	if !o.skip["gate"] {
		fmt.Fprintf(&b, "Gate check (`store.DB.CheckDemand`) of a report of 50 elements to every village of the country; %d warm runs after the cold one.\n\n", o.reps)
		b.WriteString("The first check after the bulk load finds no saved fresh-value sets and builds them from the values (and saves them); the server is then started again, and \"cold\" is its first check, which loads the saved sets.\n\n")
		b.WriteString("| database | villages | values held | prefilled by the check | bulk load of held values | first check, sets built | cold (first after start) | median | p90 | minutes asked per village | goal: cold and median ≤ 1 s |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range rs {
			fmt.Fprintf(&b, "| %s, baseline: nothing held | %d | 0 | 0 | — | — | %s | %s | %s | %d | — |\n", r.kind, r.villages,
				ms3(r.noneCold), ms3(pct(r.none, 50)), ms3(pct(r.none, 90)), r.noneTotal)
			med := pct(r.withHeld, 50)
			fmt.Fprintf(&b, "| %s, %.0f%% held | %d | %d | %d | %.1f s (%.0f rows/s) | %s | %s | %s | %s | %d | %s |\n", r.kind, o.held*100, r.villages,
				r.held, r.prefilled, r.loadSecs, float64(r.held)/r.loadSecs, ms3(r.heldBuild), ms3(r.heldCold), ms3(med), ms3(pct(r.withHeld, 90)), r.heldLeft,
				verdict(med <= prefillCheckGoal && r.heldCold <= prefillCheckGoal))
		}
	}

	if !o.skip["ingest"] {
		fmt.Fprintf(&b, "\nIngest through `POST /api/v1/units/{code}/reports/{id}/submission`: %d fields a submission, %d HTTP clients over loopback for %s, every submission with its own client key and every one required to succeed; villages submit once each, in a shuffled order. Then corrections for %s: villages that submitted send their values again, each superseding its %d current values. Baseline: multi-row INSERT of as many values as the first submissions stored into a bare table of the same database (%d rows a statement, 40 statements a transaction).\n\n",
			o.fields, o.clients, o.ingestFor, o.fixFor, o.fields, o.fields)
		b.WriteString("| database | villages (counties) | submissions | first / corrections | submissions/s | values/s | p50 | p99 | CPU ms a submission: lighten + PostgreSQL | machine busy | baseline rows/s | values/s ÷ baseline | goal |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range rs {
			for _, in := range r.ingest {
				rate := float64(in.subs) / in.secs
				vps := rate * float64(o.fields)
				base := float64(in.baseRows) / in.baseSecs
				cpu := fmt.Sprintf("%.2f", in.cpuSelf*1000/float64(in.subs))
				if r.kind == store.Postgres {
					cpu += fmt.Sprintf(" + %.2f", in.cpuDB*1000/float64(in.subs))
				}
				goal := "≥ 500/s: " + verdict(rate >= ingestGoal)
				if in.phase != "first submissions" {
					goal = "—"
				}
				fmt.Fprintf(&b, "| %s, %s | %d (%d) under %s | %d | %d / %d | %.0f | %.0f | %s | %s | %s | %.0f%% | %.0f | %.3f | %s |\n", r.kind, in.phase, in.villages, in.counties, in.area,
					in.subs, in.first, in.subs-in.first, rate, vps, ms3(pct(in.latency, 50)), ms3(pct(in.latency, 99)), cpu,
					in.cpuAll*100/(in.secs*float64(runtime.NumCPU())), base, vps/base, goal)
			}
		}
	}

	if !o.skip["completeness"] {
		fmt.Fprintf(&b, "\nCompleteness of the national report with %.0f%% of villages submitted (a tenth of them late): `store.DB.Completeness` with a line per child unit, as the API answers it; the same through `GET /api/v1/reports/{id}/completeness?under=…`; baseline a bare SQL `COUNT(DISTINCT unit_code)` over the code range. p50 and p90 of %d runs after a first.\n\n", o.submitted*100, o.compReps)
		b.WriteString("| database | completeness over | expected | submitted | store p50 | store p90 | API p50 | baseline SQL p50 | goal |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range rs {
			for i, c := range r.comp {
				med := pct(c.store, 50)
				fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s | %s | %s | ≤ %s: %s |\n", r.kind, c.name, c.expected, c.submitted, ms3(med), ms3(pct(c.store, 90)),
					ms3(pct(c.http, 50)), ms3(pct(c.baseSQL, 50)), strings.TrimSuffix(ms3(completenessGoals[i]), ".000 ms")+" ms", verdict(med <= completenessGoals[i]))
			}
		}
	}

	if !o.skip["export"] {
		fmt.Fprintf(&b, "\nExport of the national report's answer (every village, a column per element, the held values) in a process of its own; peak RSS is that process's largest resident size, \"before\" its peak once the database is open and the tree indexed, as in a running server.\n\n")
		b.WriteString("| database | export | rows | MiB | seconds | peak RSS MiB | before export MiB | goal |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|\n")
		for _, r := range rs {
			for _, e := range r.exports {
				goal := "—"
				if !e.isBaseline {
					goal = "≤ 60 s, ≤ 500 MiB: " + verdict(e.secs <= exportGoal.Seconds() && e.peakRSS <= exportRSSGoal)
				}
				fmt.Fprintf(&b, "| %s | %s | %d | %.1f | %.1f | %d | %d | %s |\n", r.kind, e.what, e.rows, float64(e.bytes)/(1<<20), e.secs, e.peakRSS>>20, e.idleRSS>>20, goal)
			}
		}
	}
	return b.String()
}
