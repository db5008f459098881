package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

// benchGate measures the gate check, with burden estimate and budget
// lookups, for a report to every village of a county, of a province and of
// the country, and the rate of checks of single-unit demands.
func benchGate(args []string) error {
	fs := flag.NewFlagSet("lighten-bench gate", flag.ContinueOnError)
	data := fs.String("data", defaultDataDir(), "folder with the national files")
	reps := fs.Int("reps", 15, "repetitions of each large check")
	secs := fs.Duration("for", 5*time.Second, "how long to run single-unit checks")
	loads := fs.Int("loads", 200, "admitted demands already loading units this month")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lighten-bench-gate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "gate.db"), store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	us, err := units.ReadDir(*data)
	if err != nil {
		return err
	}
	if _, err := db.ImportUnits(ctx, store.System, us, nil); err != nil {
		return err
	}
	tree, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	var county units.Office
	if err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		county = units.Office{UnitCode: "430922", Name: "桃江县农业农村局"}
		return tx.CreateOffice(ctx, &county)
	}); err != nil {
		return err
	}
	due := calendar.Default().AddWorkdays(calendar.DateOf(time.Now()), 10).Time().Add(10 * time.Hour)
	report := func(t gate.Targets) *gate.Demand {
		return &gate.Demand{OfficeID: county.ID, IssuerUnit: "430922", Kind: gate.Report, Title: "春耕生产情况统计",
			Body: "请各村填报春耕面积、农机数量和种粮大户名单。", Targets: t, Due: due,
			Asks: gate.Asks{Fields: []gate.Field{{Name: "春耕面积"}, {Name: "农机数量"}, {Name: "种粮大户"}}}}
	}
	// Earlier admissions load units this month, so budget lookups find
	// real numbers: county-wide reports across the country and a few
	// national ones.
	counties := tree.Under(units.County, "")
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < *loads; i++ {
		t := gate.Targets{Level: units.Village, Under: counties[rng.IntN(len(counties))].Code}
		if i%50 == 0 {
			t.Under = ""
		}
		d := report(t)
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.CreateDemand(ctx, d) }); err != nil {
			return err
		}
		if _, _, err := db.SubmitDemand(ctx, store.System, d.ID); err != nil {
			return err
		}
	}
	fmt.Printf("%d units; %d admitted demands already load this month\n\n", tree.Len(), *loads)
	fmt.Println("| gate check of a report to every village of | villages | cold (first) | median | p90 | goal |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, c := range []struct {
		name, under, goal string
		limit             time.Duration
	}{
		{"a county (430922 桃江县)", "430922", "≤ 10 ms", 10 * time.Millisecond},
		{"a province (43 湖南省)", "43", "≤ 100 ms", 100 * time.Millisecond},
		{"the country", "", "≤ 1 s", time.Second},
	} {
		var ds []time.Duration
		var n int
		var cold time.Duration
		for i := 0; i <= *reps; i++ {
			d := report(gate.Targets{Level: units.Village, Under: c.under})
			t0 := time.Now()
			res, err := db.CheckDemand(ctx, d)
			if err != nil {
				return err
			}
			el := time.Since(t0)
			if i == 0 {
				cold = el
				continue
			}
			ds = append(ds, el)
			n = res.Targets
		}
		med := pct(ds, 50)
		verdict := "met"
		if med > c.limit {
			verdict = "NOT met"
		}
		fmt.Printf("| %s | %d | %s | %s | %s | %s: %s |\n", c.name, n, ms3(cold), ms3(med), ms3(pct(ds, 90)), c.goal, verdict)
	}

	if err := benchDuties(ctx, db, tree, county, due, *reps); err != nil {
		return err
	}

	villages := tree.Under(units.Village, "")
	var done atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(*secs)
	var firstErr error
	var once sync.Once
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 1))
			for time.Now().Before(stop) {
				d := report(gate.Targets{Units: []string{villages[r.IntN(len(villages))].Code}})
				if _, err := db.CheckDemand(ctx, d); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				done.Add(1)
			}
		}(uint64(w))
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	rate := float64(done.Load()) / secs.Seconds()
	verdict := "met"
	if rate < 5000 {
		verdict = "NOT met"
	}
	fmt.Printf("\nsingle-village checks: %.0f/s over %s with 4 goroutines on %d cores (goal ≥ 5,000/s: %s)\n", rate, *secs, numCPU(), verdict)
	return nil
}

// benchDuties times the duty check of a task to every township of the
// country, under a national template and county adjustments.
func benchDuties(ctx context.Context, db *store.DB, tree *units.Tree, office units.Office, due time.Time, reps int) error {
	tmpl := &duties.List{Owner: "", Level: units.Township, Effective: time.Date(2026, 1, 1, 0, 0, 0, 0, gate.China)}
	for i := 1; i <= 60; i++ {
		cat := duties.Own
		switch {
		case i%5 == 0:
			cat = duties.Negative
		case i%3 == 0:
			cat = duties.Assist
		}
		m := duties.Matter{Code: fmt.Sprintf("T%02d", i), Name: fmt.Sprintf("乡镇事项%02d", i), Category: cat, Basis: "示例依据"}
		if cat == duties.Assist {
			m.Lead = "县直部门"
		}
		tmpl.Matters = append(tmpl.Matters, m)
	}
	lists := []*duties.List{tmpl}
	// A hundred counties adjust the template with a matter of their own.
	counties := tree.Under(units.County, "")
	for i := 0; i < 100; i++ {
		c := counties[i*len(counties)/100]
		lists = append(lists, &duties.List{Owner: c.Code, Level: units.Township, Effective: tmpl.Effective,
			Matters: []duties.Matter{{Code: "C01", Name: c.Name + "特色产业服务", Category: duties.Own}}})
	}
	for _, l := range lists {
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveDutyList(ctx, l) }); err != nil {
			return err
		}
	}
	task := func() *gate.Demand {
		return &gate.Demand{OfficeID: office.ID, IssuerUnit: "430922", Kind: gate.Task, Title: "全国乡镇事项", Matter: "T01",
			Targets: gate.Targets{Level: units.Township}, Due: due, Means: &gate.Means{Funds: 1000}, Asks: gate.Asks{OtherMinutes: 60}}
	}
	var ds []time.Duration
	var n int
	for i := 0; i <= reps; i++ {
		t0 := time.Now()
		res, err := db.CheckDemand(ctx, task())
		if err != nil {
			return err
		}
		if i > 0 {
			ds = append(ds, time.Since(t0))
		}
		n = res.Targets
	}
	verdict := "met"
	if pct(ds, 50) > 200*time.Millisecond {
		verdict = "NOT met"
	}
	fmt.Printf("\n| duty check of a task to every township of the country | townships | lists in force | median | p90 | goal |\n|---|---|---|---|---|---|\n")
	fmt.Printf("| whole gate check (duty lists, budgets, every rule) | %d | %d | %s | %s | ≤ 200 ms: %s |\n", n, len(lists), ms3(pct(ds, 50)), ms3(pct(ds, 90)), verdict)
	return nil
}
