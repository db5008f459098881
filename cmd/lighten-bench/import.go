package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"lighten/internal/store"
	"lighten/internal/units"
)

// importGoals are the limits for the national import.
var importGoals = map[store.Dialect]time.Duration{store.SQLite: 15 * time.Second, store.Postgres: 30 * time.Second}

const importRSSGoal = 1 << 30

// benchImport imports the whole national tree into fresh SQLite and
// PostgreSQL databases, each run in a child process of its own so that its
// peak memory is its own, and compares the rate with bare multi-row inserts
// into a table without an index.
func benchImport(args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	data := fs.String("data", defaultDataDir(), "folder with provinces.csv.gz … villages.csv.gz")
	pg := fs.String("postgres", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server for a temporary schema; empty to skip PostgreSQL")
	runs := fs.Int("runs", 3, "runs per database")
	out := fs.String("out", "", "also write the table to this file")
	child := fs.String("child", "", "") // internal: run one measurement in this process
	dsn := fs.String("dsn", "", "")     // internal: the child's database
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: lighten-bench import [--data DIR] [--postgres URL] [--runs N] [--out FILE]")
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
		return importChild(*child, *dsn, *data)
	}
	if *runs < 1 {
		return fmt.Errorf("--runs must be at least 1")
	}
	if _, err := os.Stat(filepath.Join(*data, "villages.csv.gz")); err != nil {
		return fmt.Errorf("no national tree at %s (give --data): %w", *data, err)
	}

	var rows []importRow
	kinds := []store.Dialect{store.SQLite}
	if *pg != "" {
		kinds = append(kinds, store.Postgres)
	}
	for _, k := range kinds {
		row, err := measureImport(k, *data, *pg, *runs)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		rows = append(rows, row)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Machine: %s\n\n", machine())
	fmt.Fprintf(&b, "National tree from %s, %d runs per database, each in a fresh database and a process of its own.\n\n", *data, *runs)
	b.WriteString("| database | units | median s | min s | max s | units/s | reading s | writing units/s | baseline rows/s | writing ÷ baseline | re-run s | peak RSS MiB | goal |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %.2f | %.2f | %.2f | %.0f | %.2f | %.0f | %.0f | %.2f | %.2f | %.0f | %s |\n",
			r.kind, r.units, r.median, r.min, r.max, float64(r.units)/r.median, r.read,
			float64(r.units)/r.write, r.baseline, float64(r.units)/r.write/r.baseline, r.rerun,
			float64(r.peakRSS)/(1<<20), r.verdict())
	}
	b.WriteString(`
Seconds are medians over the runs of a whole import into an empty database: reading and checking
the five files, then writing every unit in one transaction. Writing units/s leaves the reading out.
The baseline is multi-row INSERT of the same rows into a bare table with no index, in one
transaction. Re-run is a second import of the same files into the filled database (nothing changes).
Peak RSS is the largest resident size of an import process, re-run included.
`)
	fmt.Print(b.String())
	if *out != "" {
		if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if !r.met() {
			return fmt.Errorf("%s missed its goal: %s", r.kind, r.verdict())
		}
	}
	return nil
}

type importRow struct {
	kind             store.Dialect
	units            int
	median, min, max float64 // seconds
	read, write      float64 // median seconds spent reading the files, and writing the units
	rerun            float64 // median seconds of a second import of the same files
	peakRSS          int64   // bytes, the largest of the import runs
	baseline         float64 // median rows/s
}

func (r importRow) met() bool {
	return r.median <= importGoals[r.kind].Seconds() && r.peakRSS <= importRSSGoal
}

func (r importRow) verdict() string {
	mark := "met"
	if !r.met() {
		mark = "MISSED"
	}
	return fmt.Sprintf("≤ %.0f s, ≤ 1 GiB: %s", importGoals[r.kind].Seconds(), mark)
}

// importChildResult is what a child process reports on its standard output.
type importChildResult struct {
	Units        int     `json:"units"`
	ReadSeconds  float64 `json:"read_seconds"`
	Seconds      float64 `json:"seconds"`
	RerunSeconds float64 `json:"rerun_seconds"`
	RowsPerSec   float64 `json:"rows_per_second"`
}

func measureImport(k store.Dialect, data, pg string, runs int) (importRow, error) {
	row := importRow{kind: k}
	var secs, reads, writes, reruns, bases []float64
	for i := 0; i < runs; i++ {
		for _, mode := range []string{"import", "baseline"} {
			dsn, cleanup, err := importFreshDatabase(k, pg)
			if err != nil {
				return row, err
			}
			res, rss, err := importRunChild(mode+"-"+string(k), dsn, data)
			cleanup()
			if err != nil {
				return row, err
			}
			if mode == "baseline" {
				bases = append(bases, res.RowsPerSec)
				fmt.Fprintf(os.Stderr, "%s run %d: baseline %.0f rows/s\n", k, i+1, res.RowsPerSec)
				continue
			}
			row.units = res.Units
			secs = append(secs, res.Seconds)
			reads = append(reads, res.ReadSeconds)
			writes = append(writes, res.Seconds-res.ReadSeconds)
			reruns = append(reruns, res.RerunSeconds)
			row.peakRSS = max(row.peakRSS, rss)
			fmt.Fprintf(os.Stderr, "%s run %d: %d units in %.2f s (reading %.2f s), re-run %.2f s, peak RSS %d MiB\n",
				k, i+1, res.Units, res.Seconds, res.ReadSeconds, res.RerunSeconds, rss>>20)
		}
	}
	row.median, row.min, row.max = importMedian(secs), slices.Min(secs), slices.Max(secs)
	row.read, row.write, row.rerun, row.baseline = importMedian(reads), importMedian(writes), importMedian(reruns), importMedian(bases)
	return row, nil
}

func importMedian(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// importRunChild re-runs this program on one measurement and returns its result
// and the child's peak resident memory.
func importRunChild(mode, dsn, data string) (importChildResult, int64, error) {
	exe, err := os.Executable()
	if err != nil {
		return importChildResult{}, 0, err
	}
	var stdout bytes.Buffer
	cmd := exec.Command(exe, "import", "--child", mode, "--dsn", dsn, "--data", data)
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return importChildResult{}, 0, fmt.Errorf("%s: %w", mode, err)
	}
	var res importChildResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return res, 0, fmt.Errorf("%s: read result %q: %w", mode, stdout.String(), err)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return res, rss, nil
}

// importFreshDatabase makes an empty database: a file in a temporary folder, or a
// schema of its own on the PostgreSQL server.
// onFreshDatabases runs one measurement on SQLite (unless left out) and on
// PostgreSQL (when pg names a server), each in a fresh database holding the
// national tree, and gathers the results in that order.
func onFreshDatabases[R any](sqlite bool, pg string, run func(k store.Dialect, dsn string) (R, error)) ([]R, error) {
	var kinds []store.Dialect
	if sqlite {
		kinds = append(kinds, store.SQLite)
	}
	if pg != "" {
		kinds = append(kinds, store.Postgres)
	}
	var out []R
	for _, k := range kinds {
		dsn, cleanup, err := importFreshDatabase(k, pg)
		if err != nil {
			return nil, err
		}
		r, err := run(k, dsn)
		cleanup()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func importFreshDatabase(k store.Dialect, pg string) (string, func(), error) {
	if k == store.SQLite {
		dir, err := os.MkdirTemp("", "lighten-bench-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "lighten.db"), func() { os.RemoveAll(dir) }, nil
	}
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "bench_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema on %s: %w", pg, err)
	}
	cleanup := func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	}
	u, err := url.Parse(pg)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), cleanup, nil
}

// importChild is one measurement, run in a process of its own.
func importChild(mode, dsn, data string) error {
	ctx := context.Background()
	var res importChildResult
	var err error
	switch mode {
	case "import-sqlite", "import-postgres":
		res, err = importTimed(ctx, dsn, data)
	case "baseline-sqlite":
		res, err = importBaseline(ctx, "sqlite", "file:"+dsn+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_txlock=immediate", data)
	case "baseline-postgres":
		res, err = importBaseline(ctx, "pgx", dsn, data)
	default:
		return fmt.Errorf("unknown measurement %q", mode)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// importTimed times what `lighten import units` does after opening the
// database: reading the files and writing them in one transaction.
func importTimed(ctx context.Context, dsn, data string) (importChildResult, error) {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return importChildResult{}, err
	}
	defer db.Close()
	start := time.Now()
	all, err := units.ReadDir(data)
	if err != nil {
		return importChildResult{}, err
	}
	read := time.Since(start)
	st, err := db.ImportUnits(ctx, store.System, all, nil)
	if err != nil {
		return importChildResult{}, err
	}
	took := time.Since(start)
	n, err := db.CountUnitsSQL(ctx, "")
	if err != nil {
		return importChildResult{}, err
	}
	if st.Added != len(all) || n != len(all) {
		return importChildResult{}, fmt.Errorf("imported %+v, %d in the database; expected %d added", st, n, len(all))
	}

	again := time.Now()
	all, err = units.ReadDir(data)
	if err != nil {
		return importChildResult{}, err
	}
	st, err = db.ImportUnits(ctx, store.System, all, nil)
	if err != nil {
		return importChildResult{}, err
	}
	if st.Unchanged != len(all) {
		return importChildResult{}, fmt.Errorf("re-import %+v; expected all unchanged", st)
	}
	return importChildResult{Units: len(all), ReadSeconds: read.Seconds(), Seconds: took.Seconds(),
		RerunSeconds: time.Since(again).Seconds(), RowsPerSec: float64(len(all)) / took.Seconds()}, nil
}

// importBaseline times multi-row INSERT of the same rows into a bare table
// with no index to keep, for comparison with the import.
func importBaseline(ctx context.Context, driver, dsn, data string) (importChildResult, error) {
	all, err := units.ReadDir(data)
	if err != nil {
		return importChildResult{}, err
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return importChildResult{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE bare (code TEXT, name TEXT, level INTEGER, parent TEXT, placeholder BOOLEAN)`); err != nil {
		return importChildResult{}, err
	}
	const batch = 1000
	// Plain "?" on SQLite, which binds numbered parameters in quadratic time.
	stmt := func(n int) string {
		var b strings.Builder
		b.WriteString("INSERT INTO bare (code, name, level, parent, placeholder) VALUES ")
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			if driver == "sqlite" {
				b.WriteString("(?,?,?,?,?)")
				continue
			}
			p := 5*i + 1
			fmt.Fprintf(&b, "($%d,$%d,$%d,$%d,$%d)", p, p+1, p+2, p+3, p+4)
		}
		return b.String()
	}
	start := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return importChildResult{}, err
	}
	defer tx.Rollback()
	full, err := tx.PrepareContext(ctx, stmt(batch))
	if err != nil {
		return importChildResult{}, err
	}
	args := make([]any, 0, 5*batch)
	for lo := 0; lo < len(all); lo += batch {
		hi := min(lo+batch, len(all))
		args = args[:0]
		for _, u := range all[lo:hi] {
			args = append(args, u.Code, u.Name, int(u.Level), u.Parent, u.Placeholder)
		}
		if hi-lo == batch {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, stmt(hi-lo), args...)
		}
		if err != nil {
			return importChildResult{}, err
		}
	}
	full.Close()
	if err := tx.Commit(); err != nil {
		return importChildResult{}, err
	}
	took := time.Since(start)
	return importChildResult{Units: len(all), Seconds: took.Seconds(), RowsPerSec: float64(len(all)) / took.Seconds()}, nil
}

// defaultDataDir is ../shared/data/china-division beside the checkout,
// found from the working directory upwards.
func defaultDataDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return "../shared/data/china-division"
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(d), "shared", "data", "china-division")
		}
		if filepath.Dir(d) == d {
			return "../shared/data/china-division"
		}
	}
}

// machine describes the computer the figures come from.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	mem := "unknown memory"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64); err == nil {
					mem = fmt.Sprintf("%.1f GiB memory", float64(kb)/(1<<20))
				}
			}
		}
	}
	return fmt.Sprintf("%d cores (%s), %s, %s, %s/%s", runtime.NumCPU(), cpu, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
