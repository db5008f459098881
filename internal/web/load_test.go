package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
)

// loadDeadline bounds a test that drives concurrent requests: a hang fails
// the test instead of hanging the suite. It is generous; nothing waits
// for it unless something is stuck.
const loadDeadline = 90 * time.Second

// newLoadFixture is newFixture with the store's and the server's options.
func newLoadFixture(t *testing.T, kind store.Dialect, sopt store.Options, wopt Options) *fixture {
	t.Helper()
	db := storetest.Open(t, kind, sopt)
	if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
		t.Fatal(err)
	}
	wopt.Version = "test"
	f := &fixture{t: t, db: db, srv: New(db, wopt)}
	f.ts = httptest.NewServer(f.srv)
	t.Cleanup(f.ts.Close)
	return f
}

// answer is one response, as a goroutine reports it.
type answer struct {
	status int
	body   []byte
	header http.Header
	err    error
}

// call sends a JSON request under ctx, safe to use from any goroutine.
func (f *fixture) call(ctx context.Context, method, path, token string, body any) answer {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{err: err}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, f.ts.URL+path, rd)
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: b, header: resp.Header, err: err}
}

// reportEnv is an admitted village report on HH and POP, with a cadre of
// each of its two villages and the issuer's token.
type reportEnv struct {
	report  *store.DemandRecord
	issuer  string
	burden  string
	village [2]string
	codes   [2]string
}

func (f *fixture) reportEnv(t *testing.T) reportEnv {
	t.Helper()
	stats, _, statsToken := f.issuerIn("tongji", "430922")
	_, burden := f.person("jianfu", "430922", "burden@430922")
	env := reportEnv{issuer: statsToken, burden: burden, codes: [2]string{"430922100201", "430922100202"}}
	for i, code := range env.codes {
		_, env.village[i] = f.person(fmt.Sprintf("cun%d", i), code, "cadre@"+code)
	}
	for _, e := range []collect.Element{
		{Code: "HH", Name: "户数", NameEN: "Households", Type: collect.Integer, Period: collect.Year, Owner: stats.ID},
		{Code: "POP", Name: "户籍人口", NameEN: "Registered population", Type: collect.Integer, Period: collect.Year, Owner: stats.ID},
	} {
		if status, body := f.do("POST", "/api/v1/elements", burden, e); status != 201 {
			t.Fatalf("element %s: %d %s", e.Code, status, body)
		}
	}
	_, body := f.do("POST", "/api/v1/demands", statsToken, villageReport(demandInput(""), "HH", "POP"))
	rec := decodeJSON[store.DemandRecord](t, body)
	_, body = f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", statsToken, nil)
	env.report = decodeJSON[CheckResult](t, body).Demand
	if env.report == nil || env.report.Status != gate.Admitted {
		t.Fatalf("report not admitted: %s", body)
	}
	return env
}

func (e reportEnv) path(i int) string {
	return "/api/v1/units/" + e.codes[i] + "/reports/" + itoa(e.report.ID) + "/submission"
}

// 100 submissions at once, with gate checks and changes to the dictionary
// among them, all finish, on pools of two connections for transactions
// and two for reads: no lock of the store is held while waiting for a
// connection, and no transaction waits for a second connection of its
// own pool. (With one pool of 16 shared, and a lock held over the
// dictionary's read, 20 submissions hung for good on PostgreSQL.)
func TestConcurrentSubmissionsFinish(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			f := newLoadFixture(t, kind, store.Options{Writers: 2, Readers: 2}, Options{Limits: Limits{Ingest: 1000, Writes: 1000, Reads: 1000}})
			env := f.reportEnv(t)
			ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
			defer cancel()
			const n = 100
			answers := make(chan answer, 2*n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					sub := collect.Submission{Values: map[string]string{"HH": itoa(int64(100 + i)), "POP": "900"}, Key: fmt.Sprintf("k%d", i)}
					a := f.call(ctx, "POST", env.path(i%2), env.village[i%2], sub)
					if a.err == nil && a.status != http.StatusCreated {
						a.err = fmt.Errorf("submission %d: %d %s", i, a.status, a.body)
					}
					answers <- a
				}()
				if i%10 == 0 {
					// A gate check reads the fresh-value sets; a changed
					// element makes every server read the dictionary again.
					wg.Add(2)
					go func() {
						defer wg.Done()
						a := f.call(ctx, "POST", "/api/v1/demands/check", env.issuer, villageReport(demandInput(""), "HH", "POP"))
						if a.err == nil && a.status != http.StatusOK {
							a.err = fmt.Errorf("check: %d %s", a.status, a.body)
						}
						answers <- a
					}()
					go func() {
						defer wg.Done()
						e := collect.Element{Code: fmt.Sprintf("X%d", i), Name: "其他", Type: collect.Integer, Period: collect.Year, Owner: env.report.OfficeID}
						a := f.call(ctx, "POST", "/api/v1/elements", env.burden, e)
						if a.err == nil && a.status != http.StatusCreated {
							a.err = fmt.Errorf("element: %d %s", a.status, a.body)
						}
						answers <- a
					}()
				}
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-ctx.Done():
				t.Fatalf("concurrent submissions still unanswered after %s: the store hangs", loadDeadline)
			}
			close(answers)
			for a := range answers {
				if a.err != nil {
					t.Error(a.err)
				}
			}
			top, _, err := f.db.CompletenessSQL(context.Background(), env.report, "430922100", false)
			if err != nil {
				t.Fatal(err)
			}
			if top.Submitted != 2 {
				t.Errorf("units submitted: %d, want 2", top.Submitted)
			}
			for i, code := range env.codes {
				h, err := f.db.History(context.Background(), code, "HH", "2026")
				if err != nil {
					t.Fatal(err)
				}
				if len(h) != n/2 {
					t.Errorf("village %d holds %d values of HH, want %d", i, len(h), n/2)
				}
			}
		})
	}
}

// Retries of one submission sent at once, with the same client_key, store
// it once and all answer as retries do: the first 201, every other 200 as
// a duplicate of the same submission, never 409.
func TestConcurrentRetriesOfOneSubmission(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			f := newLoadFixture(t, kind, store.Options{}, Options{Limits: Limits{Ingest: 1000}})
			env := f.reportEnv(t)
			ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
			defer cancel()
			const n = 50
			// Rounds, each of n retries of a submission of its own: the
			// race is narrow, and each round is a chance to lose it.
			for round := range 4 {
				key := fmt.Sprintf("phone-%d", round)
				answers := make(chan answer, n)
				sub := collect.Submission{Values: map[string]string{"HH": itoa(int64(120 + round)), "POP": "480"}, Key: key}
				for range n {
					go func() { answers <- f.call(ctx, "POST", env.path(0), env.village[0], sub) }()
				}
				created, ids := 0, map[int64]bool{}
				for range n {
					var a answer
					select {
					case a = <-answers:
					case <-ctx.Done():
						t.Fatal("retries unanswered")
					}
					if a.err != nil {
						t.Fatal(a.err)
					}
					var res SubmissionResult
					if err := json.Unmarshal(a.body, &res); err != nil || res.Submission == 0 {
						t.Fatalf("%s: answer %d %s", key, a.status, a.body)
					}
					ids[res.Submission] = true
					switch {
					case a.status == http.StatusCreated && !res.Duplicate && res.Values == 2:
						created++
					case a.status == http.StatusOK && res.Duplicate:
					default:
						t.Errorf("%s: answer %d %s, want 201 once and 200 duplicate", key, a.status, a.body)
					}
				}
				if created != 1 || len(ids) != 1 {
					t.Errorf("%s: %d stored as new, %d submission ids; want 1 and 1", key, created, len(ids))
				}
			}
			h, err := f.db.History(context.Background(), env.codes[0], "HH", "2026")
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != 4 {
				t.Errorf("%d values of HH stored, want one a round (4)", len(h))
			}
		})
	}
}

// holdWriter keeps submissions from being stored until release is called:
// SQLite's write lock, or on PostgreSQL the submissions table.
func holdWriter(t *testing.T, kind store.Dialect, dsn string) (release func()) {
	t.Helper()
	ctx := context.Background()
	var db *sql.DB
	var err error
	if kind == store.SQLite {
		db, err = sql.Open("sqlite", "file:"+dsn+"?_txlock=immediate")
	} else {
		db, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if kind == store.Postgres {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE submissions IN EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			tx.Rollback()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// With room for N submissions at once, N+k sent while the database's
// writer is held: N are admitted and wait, k are answered 503 "busy" with
// Retry-After at once, having stored nothing, and reads go on answering.
// When the writer is free the N are stored.
func TestSubmissionsBeyondTheLimitAreBusy(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			dsn := storetest.DSN(t, kind)
			db, err := store.Open(context.Background(), dsn, store.Options{LockTimeout: loadDeadline, Writers: storetest.TestConns, Readers: storetest.TestConns})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
				t.Fatal(err)
			}
			const n, k = 2, 3
			f := &fixture{t: t, db: db, srv: New(db, Options{Version: "test", Limits: Limits{Ingest: n, Wait: 10 * time.Millisecond}})}
			f.ts = httptest.NewServer(f.srv)
			t.Cleanup(f.ts.Close)
			env := f.reportEnv(t)
			admitted := make(chan struct{}, n+k)
			f.srv.admits.admitted = func(c class) {
				if c == classIngest {
					admitted <- struct{}{}
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
			defer cancel()
			// Signing in with a token notes its use, through the writer, at
			// most once a minute: done before the writer is held.
			for i := range env.village {
				if a := f.call(ctx, "GET", "/api/v1/units/"+env.codes[i]+"/reports/"+itoa(env.report.ID), env.village[i], nil); a.status != http.StatusOK {
					t.Fatalf("form: %d %s %v", a.status, a.body, a.err)
				}
			}
			release := holdWriter(t, kind, dsn)
			send := func(i int) answer {
				sub := collect.Submission{Values: map[string]string{"HH": itoa(int64(i)), "POP": "900"}, Key: fmt.Sprintf("k%d", i)}
				return f.call(ctx, "POST", env.path(i%2), env.village[i%2], sub)
			}
			waiting := make(chan answer, n)
			for i := range n {
				go func() { waiting <- send(i) }()
			}
			for range n {
				select {
				case <-admitted:
				case <-ctx.Done():
					t.Fatal("submissions not admitted")
				}
			}
			for i := n; i < n+k; i++ {
				a := send(i)
				if a.err != nil {
					t.Fatal(a.err)
				}
				e := decodeJSON[map[string]*Error](t, a.body)["error"]
				if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || e == nil || e.Code != CodeBusy ||
					e.Message.ZH == "" || e.Message.EN == "" || e.Message.ZH == e.Message.EN {
					t.Fatalf("submission beyond the limit: %d %v %s", a.status, a.header, a.body)
				}
			}
			// Reads are admitted apart, and the readers are free.
			if a := f.call(ctx, "GET", "/api/v1/units/"+env.codes[0]+"/reports/"+itoa(env.report.ID), env.village[0], nil); a.err != nil || a.status != http.StatusOK {
				t.Fatalf("a read while submissions are saturated: %d %s %v", a.status, a.body, a.err)
			}
			release()
			for range n {
				select {
				case a := <-waiting:
					if a.err != nil || a.status != http.StatusCreated {
						t.Errorf("an admitted submission: %d %s %v", a.status, a.body, a.err)
					}
				case <-ctx.Done():
					t.Fatal("admitted submissions never finished")
				}
			}
			top, _, err := db.CompletenessSQL(context.Background(), env.report, "430922100", false)
			if err != nil {
				t.Fatal(err)
			}
			if top.Submitted != n {
				t.Errorf("%d units submitted, want %d: one refused as busy was stored", top.Submitted, n)
			}
		})
	}
}

// The routes named as submissions or imports, or as reads sent with POST,
// are in the route table.
func TestAdmissionClassesNameRoutes(t *testing.T) {
	t.Parallel()
	s := New(nil, Options{})
	have := map[string]bool{}
	for _, rt := range s.Routes() {
		have[rt.Method+" "+rt.Pattern] = true
	}
	for _, m := range []map[string]bool{ingestRoutes, readRoutes} {
		for key := range m {
			if !have[key] {
				t.Errorf("%s is not a route", key)
			}
		}
	}
}

// A submission that cannot be stored before its deadline (the database's
// writer held) is answered 503 "busy" with Retry-After, and nothing of it
// is stored: overload is an answer, never a hang.
func TestSubmissionPastItsDeadlineIsBusy(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			dsn := storetest.DSN(t, kind)
			db, err := store.Open(context.Background(), dsn, store.Options{LockTimeout: loadDeadline, Writers: storetest.TestConns, Readers: storetest.TestConns})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
				t.Fatal(err)
			}
			f := &fixture{t: t, db: db, srv: New(db, Options{Version: "test", Limits: Limits{Timeout: 300 * time.Millisecond}})}
			f.ts = httptest.NewServer(f.srv)
			t.Cleanup(f.ts.Close)
			env := f.reportEnv(t)
			ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
			defer cancel()
			if a := f.call(ctx, "GET", "/api/v1/units/"+env.codes[0]+"/reports/"+itoa(env.report.ID), env.village[0], nil); a.status != http.StatusOK {
				t.Fatalf("form: %d %s %v", a.status, a.body, a.err)
			}
			release := holdWriter(t, kind, dsn)
			defer release()
			a := f.call(ctx, "POST", env.path(0), env.village[0], collect.Submission{Values: map[string]string{"HH": "1", "POP": "2"}, Key: "late"})
			if a.err != nil {
				t.Fatal(a.err)
			}
			e := decodeJSON[map[string]*Error](t, a.body)["error"]
			if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || e == nil || e.Code != CodeBusy {
				t.Fatalf("a submission past its deadline: %d %v %s", a.status, a.header, a.body)
			}
			release()
			if h, err := db.History(context.Background(), env.codes[0], "HH", "2026"); err != nil || len(h) != 0 {
				t.Fatalf("stored after busy: %v %v", h, err)
			}
		})
	}
}
