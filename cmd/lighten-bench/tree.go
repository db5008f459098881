package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/web"
)

// benchTree measures unit search and subtree counts over the whole national
// tree, through the HTTP API as a client sees them, against the same
// lookups done with SQL in the same run.
func benchTree(args []string) error {
	fs := flag.NewFlagSet("lighten-bench tree", flag.ContinueOnError)
	data := fs.String("data", defaultDataDir(), "folder with the national files")
	dbPath := fs.String("db", "", "an SQLite database that already holds the national tree (skips the import)")
	n := fs.Int("n", 2000, "searches to time")
	reps := fs.Int("reps", 200, "repetitions of each subtree count")
	seed := fs.Uint64("seed", 1, "seed of the random queries")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	path := *dbPath
	if path == "" {
		dir, err := os.MkdirTemp("", "lighten-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "national.db")
	}
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if *dbPath == "" {
		us, err := units.ReadDir(*data)
		if err != nil {
			return err
		}
		if _, err := db.ImportUnits(ctx, store.System, us, nil); err != nil {
			return err
		}
	}
	start := time.Now()
	tree, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	build := time.Since(start)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	fmt.Printf("tree of %d units indexed in %.2f s; Go heap in use after GC: %.0f MiB\n\n", tree.Len(), build.Seconds(), float64(ms.HeapInuse)/(1<<20))

	ts := httptest.NewServer(web.New(db, web.Options{}))
	defer ts.Close()
	client := ts.Client()
	get := func(path string) (time.Duration, error) {
		t0 := time.Now()
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		return time.Since(t0), err
	}

	// Queries are two or three characters taken from real names, as people
	// type them, plus code prefixes.
	rng := rand.New(rand.NewPCG(*seed, 2))
	all, _ := db.LoadUnits(ctx)
	queries := make([]string, *n)
	for i := range queries {
		u := all[rng.IntN(len(all))]
		r := []rune(u.Name)
		switch {
		case i%10 == 9:
			queries[i] = u.Code[:min(len(u.Code), 6)]
		case len(r) >= 3 && i%2 == 0:
			k := rng.IntN(len(r) - 2)
			queries[i] = string(r[k : k+3])
		case len(r) >= 2:
			k := rng.IntN(len(r) - 1)
			queries[i] = string(r[k : k+2])
		default:
			queries[i] = string(r)
		}
	}
	var api, sqlLike []time.Duration
	for _, q := range queries {
		d, err := get("/api/v1/units?q=" + url.QueryEscape(q))
		if err != nil {
			return err
		}
		api = append(api, d)
	}
	// The baseline: the same search as a LIKE scan in SQLite, on a sample.
	for _, q := range queries[:min(len(queries), 100)] {
		t0 := time.Now()
		if err := db.SearchUnitsSQL(ctx, q, 20); err != nil {
			return err
		}
		sqlLike = append(sqlLike, time.Since(t0))
	}
	fmt.Println("| unit search, 665k units | p50 | p99 | max | n |")
	fmt.Println("|---|---|---|---|---|")
	fmt.Printf("| GET /api/v1/units?q=… (in-memory index, over HTTP) | %s | %s | %s | %d |\n", ms3(pct(api, 50)), ms3(pct(api, 99)), ms3(pct(api, 100)), len(api))
	fmt.Printf("| baseline: SQL `name LIKE '%%q%%'` on SQLite | %s | %s | %s | %d |\n", ms3(pct(sqlLike, 50)), ms3(pct(sqlLike, 99)), ms3(pct(sqlLike, 100)), len(sqlLike))
	fmt.Printf("\nratio of p50s (SQL / index): %.0f×\n\n", float64(pct(sqlLike, 50))/float64(pct(api, 50)))

	fmt.Println("| subtree count | units below | in-memory tree p50 | GET /api/v1/units/{code} p50 | p99 | baseline SQL COUNT p50 |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, c := range []struct{ name, code string }{{"county 430922 桃江县", "430922"}, {"province 43 湖南省", "43"}, {"country", ""}} {
		var mem, httpd, sqld []time.Duration
		var total int
		for i := 0; i < *reps; i++ {
			t0 := time.Now()
			total = tree.SubtreeCounts(c.code)[0]
			mem = append(mem, time.Since(t0))
			t0 = time.Now()
			if _, err := db.CountUnitsSQL(ctx, c.code); err != nil {
				return err
			}
			sqld = append(sqld, time.Since(t0))
			if c.code != "" {
				d, err := get("/api/v1/units/" + c.code)
				if err != nil {
					return err
				}
				httpd = append(httpd, d)
			} else {
				d, err := get("/api/v1/units?parent=")
				if err != nil {
					return err
				}
				httpd = append(httpd, d)
			}
		}
		fmt.Printf("| %s | %d | %s | %s | %s | %s |\n", c.name, total, ms3(pct(mem, 50)), ms3(pct(httpd, 50)), ms3(pct(httpd, 99)), ms3(pct(sqld, 50)))
	}
	return nil
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	i := (len(s) - 1) * p / 100
	return s[i]
}

func ms3(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/1e6) }
