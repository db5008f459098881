package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// benchVisits measures joint scheduling on a national quarter, its quality
// against an exact solver on small windows, and the verifiable draw over
// the national pool of villages.
func benchVisits(args []string) error {
	fs := flag.NewFlagSet("lighten-bench visits", flag.ContinueOnError)
	data := fs.String("data", defaultDataDir(), "folder with the national files")
	runs := fs.Int("runs", 3, "runs of the national schedule")
	items := fs.Int("items", 10000, "plan items in the national quarter")
	nInsp := fs.Int("inspectors", 20000, "inspectors in the national quarter")
	instances := fs.Int("instances", 30, "small windows solved exactly")
	cbc := fs.String("cbc", "/usr/bin/cbc", "the exact solver (coinor-cbc)")
	cbcSecs := fs.Int("cbc-seconds", 300, "time limit of one exact solve")
	cbcCache := fs.String("cbc-cache", "", "a folder keeping cbc's solutions by model, to re-run without solving again")
	drawRuns := fs.Int("draw-runs", 7, "runs of the national draw and its verification")
	seed := fs.Uint64("seed", 1, "seed of the synthetic parts")
	only := fs.String("only", "", "run one part: national, quality or draw")
	fs.IntVar(&solverOptions.Anneal, "anneal", 0, "the scheduler's annealing steps per piece (0: its default)")
	fs.IntVar(&solverOptions.ExactVisits, "exact-visits", 0, "the largest piece searched exactly (0: the default)")
	fs.IntVar(&solverOptions.ExactNodes, "exact-nodes", 0, "nodes of an exact search (0: the default)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the national schedule to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	us, err := units.ReadDir(*data)
	if err != nil {
		return err
	}
	tree := units.NewTree(0, us)
	villages := tree.Under(units.Village, "")
	fmt.Printf("%d units, %d villages\n\n", tree.Len(), len(villages))

	if *only == "" || *only == "national" {
		if err := benchNational(tree, *items, *nInsp, *runs, *seed, *profile); err != nil {
			return err
		}
	}
	if *only == "" || *only == "quality" {
		if err := benchQuality(*instances, *cbc, *cbcSecs, *cbcCache, *seed); err != nil {
			return err
		}
	}
	if *only == "" || *only == "draw" {
		return benchDraw(villages, *drawRuns)
	}
	return nil
}

// solverOptions are the scheduler's options for every part.
var solverOptions visits.Options

// secretOf is a deterministic draw secret, so that runs repeat.
func secretOf(parts ...string) []byte {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return h[:]
}

// draw runs a verifiable draw of k or a rate of pool (sorted codes).
func draw(plan string, pool []string, rate float64, min int) ([]string, error) {
	d := &visits.Draw{Plan: plan, MinPerTier: min, Tiers: []visits.Tier{{Name: "all", Rate: rate, Units: pool}}}
	secret := secretOf("bench", plan)
	d.Prepare(secret)
	d.PublicValue = "beacon " + plan
	return d.Run(secret)
}

// hashPoint places something deterministically: a fraction in [0, 1) from
// a code.
func hashFrac(code string, salt byte) float64 {
	h := sha256.Sum256(append([]byte(code), salt))
	return float64(binary.BigEndian.Uint64(h[:8])>>11) / (1 << 53)
}

// offset moves a point by up to r km in a direction fixed by the code.
func offset(p visits.Point, code string, r float64) visits.Point {
	dist := r * math.Sqrt(hashFrac(code, 1))
	ang := 2 * math.Pi * hashFrac(code, 2)
	return visits.Point{
		Lat: p.Lat + dist*math.Cos(ang)/111.0,
		Lon: p.Lon + dist*math.Sin(ang)/(111.0*math.Cos(p.Lat*math.Pi/180)),
	}
}

var offices = []string{"市场监管局", "应急管理局", "生态环境局", "农业农村局", "住房和城乡建设局", "卫生健康局", "教育局",
	"交通运输局", "水利局", "自然资源局", "文化和旅游局", "民政局", "人力资源和社会保障局", "消防救援大队", "林业局"}

// nationalWindow builds a quarter for the whole country. The national files
// carry no coordinates, so places are synthetic but shaped like the real
// ones: city seats spread over China, county seats within 60 km of their
// city's, villages within 10–30 km of their county seat, one village in ten
// without a place (it takes its county seat's).
func nationalWindow(tree *units.Tree, nItems, nInsp int, seed uint64) (*visits.Window, error) {
	rng := rand.New(rand.NewPCG(seed, 11))
	cal := calendar.Default()
	w := &visits.Window{Places: map[string]visits.Point{}, Units: map[string]visits.UnitRecord{}}
	for d := calendar.NewDate(2026, time.October, 1); d.Before(calendar.NewDate(2027, time.January, 1)); d = d.AddDays(1) {
		if cal.IsWorkday(d) {
			w.Days = append(w.Days, d)
		}
	}
	type county struct {
		code    string
		city    string
		village []string
		insp    []string
	}
	var counties []*county
	byCity := map[string][]*county{}
	cityInsp := map[string][]string{}
	total := 0
	for _, c := range tree.Under(units.County, "") {
		vs := tree.Under(units.Village, c.Code)
		if len(vs) == 0 {
			continue
		}
		city := c.Code[:4]
		cseat, ok := w.Places[city]
		if !ok {
			cseat = visits.Point{Lat: 22 + 22*hashFrac(city, 3), Lon: 100 + 22*hashFrac(city, 4)}
			w.Places[city] = cseat
		}
		seat := offset(cseat, c.Code, 60)
		w.Places[c.Code] = seat
		r := 10 + 20*hashFrac(c.Code, 5)
		cc := &county{code: c.Code, city: city}
		for _, v := range vs {
			cc.village = append(cc.village, v.Code)
			if hashFrac(v.Code, 6) >= 0.1 {
				w.Places[v.Code] = offset(seat, v.Code, r)
			}
		}
		total += len(vs)
		counties = append(counties, cc)
		byCity[cc.city] = append(byCity[cc.city], cc)
	}
	// Inspectors: nine in ten in county pools, in proportion to villages
	// (two at least); the rest in city pools.
	cities := make([]string, 0, len(byCity))
	for c := range byCity {
		cities = append(cities, c)
	}
	sort.Strings(cities)
	countyInsp := nInsp * 9 / 10
	add := func(home string) string {
		id := fmt.Sprintf("%s-%05d", home, len(w.Inspectors)+1)
		in := visits.Inspector{ID: id, Home: home, Capacity: 2, MaxTravel: 240 + 30*rng.IntN(5)}
		if len(home) == 4 {
			in.MaxTravel += 120 // city inspectors drive further
		}
		if rng.IntN(5) == 0 {
			in.Capacity = 3
		}
		for k := rng.IntN(6); k > 0; k-- {
			in.Away = append(in.Away, w.Days[rng.IntN(len(w.Days))])
		}
		w.Inspectors = append(w.Inspectors, in)
		return id
	}
	for _, c := range counties {
		n := max(2, countyInsp*len(c.village)/total)
		for k := 0; k < n; k++ {
			c.insp = append(c.insp, add(c.code))
		}
	}
	for k := 0; len(w.Inspectors) < nInsp; k++ {
		city := cities[k%len(cities)]
		cityInsp[city] = append(cityInsp[city], add(city))
	}
	for _, c := range cities {
		if len(cityInsp[c]) < 2 {
			cityInsp[c] = append(cityInsp[c], add(c), add(c))
		}
	}
	// Inspector IDs sort within a pool as drawn: pools are in code order.
	team := func(plan string, pool []string) ([]string, error) {
		return draw(plan, pool, 1e-9, 2)
	}
	// Plan items: two in three over a township's villages (a fifth of
	// them), one in three over a county's (5%), one in fifty over a city's
	// (5%); each drawn with the verifiable draw; teams drawn for the item
	// (townships) or for each target (counties and cities).
	for k := 0; k < nItems; k++ {
		it := visits.PlanItem{ID: fmt.Sprintf("2026Q4-%05d", k+1), Office: offices[rng.IntN(len(offices))]}
		it.Checklist = []string{it.Office + "检查事项" + strconv.Itoa(1+rng.IntN(9))}
		var pool, insp []string
		var rate float64
		perTarget := true
		switch x := rng.IntN(100); {
		case x < 2:
			city := cities[rng.IntN(len(cities))]
			for _, c := range byCity[city] {
				pool = append(pool, c.village...)
			}
			insp, rate = cityInsp[city], 0.05
		case x < 35:
			c := counties[rng.IntN(len(counties))]
			pool, insp, rate = c.village, c.insp, 0.05
		default:
			c := counties[rng.IntN(len(counties))]
			towns := map[string][]string{}
			var names []string
			for _, v := range c.village {
				t := v[:9]
				if towns[t] == nil {
					names = append(names, t)
				}
				towns[t] = append(towns[t], v)
			}
			pool, insp, rate, perTarget = towns[names[rng.IntN(len(names))]], c.insp, 0.2, false
		}
		targets, err := draw(it.ID, pool, rate, 1)
		if err != nil {
			return nil, err
		}
		if !perTarget {
			if it.Inspectors, err = team(it.ID+"/team", insp); err != nil {
				return nil, err
			}
		}
		for _, u := range targets {
			t := visits.Target{Unit: u}
			if perTarget {
				if t.Inspectors, err = team(it.ID+"/"+u, insp); err != nil {
					return nil, err
				}
			}
			it.Targets = append(it.Targets, t)
			if _, ok := w.Units[u]; !ok {
				rec := visits.UnitRecord{}
				switch x := rng.IntN(100); {
				case x < 3:
					rec.YearVisits = 4
				case x < 10:
					rec.YearVisits = 3
				case x < 30:
					rec.YearVisits = 1 + rng.IntN(2)
				}
				if rng.IntN(10) == 0 {
					rec.WeekVisits = map[calendar.Date]int{visits.WeekOf(w.Days[rng.IntN(len(w.Days))]): 1}
					rec.YearVisits = max(rec.YearVisits, 1)
				}
				w.Units[u] = rec
			}
		}
		w.Items = append(w.Items, it)
	}
	return w, nil
}

func benchNational(tree *units.Tree, nItems, nInsp, runs int, seed uint64, profile string) error {
	t0 := time.Now()
	w, err := nationalWindow(tree, nItems, nInsp, seed)
	if err != nil {
		return err
	}
	targets := 0
	for _, it := range w.Items {
		targets += len(it.Targets)
	}
	fmt.Printf("national quarter: %d plan items, %d plan-item visits drawn from %d villages, %d inspectors, %d working days (%s to %s); built in %.1f s\n\n",
		len(w.Items), targets, len(tree.Under(units.Village, "")), len(w.Inspectors), len(w.Days), w.Days[0], w.Days[len(w.Days)-1], time.Since(t0).Seconds())
	var ds []time.Duration
	var tt *visits.Timetable
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for r := 0; r < runs; r++ {
		t := time.Now()
		tt, err = visits.Schedule(w, solverOptions)
		if err != nil {
			return err
		}
		ds = append(ds, time.Since(t))
	}
	t := time.Now()
	broken := visits.Check(w, tt)
	checkTime := time.Since(t)
	st := tt.Stats
	med := pct(ds, 50)
	verdict := "met"
	if med > 10*time.Second || len(broken) > 0 {
		verdict = "NOT met"
	}
	fmt.Println("| national quarter | figure |")
	fmt.Println("|---|---|")
	fmt.Printf("| time to schedule, median of %d | %.2f s (min %.2f, max %.2f) |\n", runs, med.Seconds(), pct(ds, 0).Seconds(), pct(ds, 100).Seconds())
	fmt.Printf("| broken hard constraints (checker, %.2f s) | %d |\n", checkTime.Seconds(), len(broken))
	fmt.Printf("| plan-item visits | %d |\n", st.PlanVisits)
	fmt.Printf("| visits scheduled (units visited) | %d, serving %d plan-item visits |\n", st.Visits, st.ScheduledPlanVisits)
	fmt.Printf("| joint visits | %d |\n", st.JointVisits)
	fmt.Printf("| joint-visit rate | %s (%d of %d plan-item visits went in with another plan's) |\n", pctf(st.JointRate), st.MergedPlanVisits, st.ScheduledPlanVisits)
	fmt.Printf("| team-days (inspector-days) | %d |\n", st.InspectorDays)
	fmt.Printf("| lower bound on team-days | %d (gap %s) |\n", st.LowerBound, pctf(float64(st.InspectorDays-st.LowerBound)/float64(max(1, st.LowerBound))))
	fmt.Printf("| pieces (largest, in visits) | %d (%d); %d proved optimal |\n", st.Pieces, st.LargestPart, st.Proved)
	fmt.Printf("| unscheduled visits | %d |\n", st.Unscheduled)
	rules := make([]string, 0, len(st.ByRule))
	for r := range st.ByRule {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for _, r := range rules {
		fmt.Printf("| unscheduled naming %s | %d |\n", r, st.ByRule[r])
	}
	shown := map[string]bool{}
	for _, u := range tt.Unscheduled {
		if r := u.Reasons[0]; !shown[r.Rule] {
			shown[r.Rule] = true
			more := ""
			if len(u.Reasons) > 1 {
				more = fmt.Sprintf(" (and %d more reasons)", len(u.Reasons)-1)
			}
			fmt.Printf("| e.g. %s | %s%s |\n", r.Rule, r.Message.EN, more)
		}
	}
	fmt.Printf("\nGoal ≤ 10 s with no broken hard constraint: %s.\n\n", verdict)
	for k, v := range broken {
		if k == 10 {
			break
		}
		fmt.Println("broken:", v)
	}
	return nil
}

func pctf(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

// smallWindow is a county window for the exact solver: random pairs drawn
// per target so that teams overlap, some joint visits, tight travel.
func smallWindow(rng *rand.Rand) *visits.Window {
	nd := 5 + rng.IntN(6)
	ni := 4 + rng.IntN(5)
	start := calendar.NewDate(2026, time.November, 2)
	w := &visits.Window{Places: map[string]visits.Point{}, Units: map[string]visits.UnitRecord{}}
	for d := start; len(w.Days) < nd; d = d.AddDays(1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			w.Days = append(w.Days, d)
		}
	}
	seat := visits.Point{Lat: 28.5, Lon: 112.1}
	w.Places["430922"] = seat
	var ids []string
	for i := 0; i < ni; i++ {
		in := visits.Inspector{ID: fmt.Sprintf("I%d", i+1), Home: "430922", Capacity: 2 + rng.IntN(2), MaxTravel: 150 + 30*rng.IntN(5)}
		if rng.IntN(3) == 0 {
			in.Away = []calendar.Date{w.Days[rng.IntN(nd)]}
		}
		w.Inspectors = append(w.Inspectors, in)
		ids = append(ids, in.ID)
	}
	nv := 10 + rng.IntN(21)
	var codes []string
	for k := 0; k < nv; k++ {
		code := fmt.Sprintf("430922%03d%03d", 100+k%4, k+1)
		codes = append(codes, code)
		if rng.IntN(8) != 0 {
			w.Places[code] = offset(seat, code+strconv.Itoa(rng.IntN(1000)), 35)
		}
		if rng.IntN(6) == 0 {
			w.Units[code] = visits.UnitRecord{YearVisits: 1 + rng.IntN(4), WeekVisits: map[calendar.Date]int{visits.WeekOf(w.Days[rng.IntN(nd)]): 1}}
		}
	}
	pair := func() []string {
		p := rng.Perm(ni)
		return []string{ids[p[0]], ids[p[1]]}
	}
	// Each unit is drawn by one plan item; about one in five by a second,
	// of another office, and so visited jointly.
	nItems := 2 + rng.IntN(3)
	for k := 0; k < nItems; k++ {
		w.Items = append(w.Items, visits.PlanItem{ID: fmt.Sprintf("P%d", k+1), Office: offices[k], Checklist: []string{offices[k] + "检查"}})
	}
	for _, c := range codes {
		k := rng.IntN(nItems)
		w.Items[k].Targets = append(w.Items[k].Targets, visits.Target{Unit: c, Inspectors: pair()})
		if rng.IntN(5) == 0 {
			k2 := (k + 1 + rng.IntN(nItems-1)) % nItems
			w.Items[k2].Targets = append(w.Items[k2].Targets, visits.Target{Unit: c, Inspectors: pair()})
		}
	}
	return w
}

func benchQuality(n int, cbc string, secs int, cache string, seed uint64) error {
	fmt.Printf("Quality on %d small windows (10–30 units, 4–8 inspectors, 5–10 days; teams of two drawn per target)\n\n", n)
	if _, err := os.Stat(cbc); err != nil {
		fmt.Printf("%s: cbc not installed, skipped (apt-get install -y coinor-cbc)\n\n", cbc)
		return nil
	}
	dir, err := os.MkdirTemp("", "lighten-bench-visits-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rng := rand.New(rand.NewPCG(seed, 23))
	fmt.Println("| # | units | inspectors | days | binaries | unscheduled | team-days | lower bound | proved | without exact search | cbc optimum | cbc s | gap |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	worst, worstH := 0.0, 0.0
	solved, provedAll := 0, 0
	for k := 1; k <= n; k++ {
		w := smallWindow(rng)
		tt, err := visits.Schedule(w, solverOptions)
		if err != nil {
			return err
		}
		if b := visits.Check(w, tt); len(b) > 0 {
			return fmt.Errorf("instance %d: broken constraint %v", k, b[0])
		}
		ho := solverOptions
		ho.ExactVisits = -1
		heur, err := visits.Schedule(w, ho)
		if err != nil {
			return err
		}
		lp := filepath.Join(dir, fmt.Sprintf("w%d.lp", k))
		sol := filepath.Join(dir, fmt.Sprintf("w%d.sol", k))
		f, err := os.Create(lp)
		if err != nil {
			return err
		}
		m, err := visits.WriteLP(f, w)
		f.Close()
		if err != nil {
			return err
		}
		var cached string
		if cache != "" {
			b, err := os.ReadFile(lp)
			if err != nil {
				return err
			}
			h := sha256.Sum256(b)
			cached = filepath.Join(cache, hex.EncodeToString(h[:8])+".sol")
			if b, err := os.ReadFile(cached); err == nil {
				if err := os.WriteFile(sol, b, 0o644); err != nil {
					return err
				}
			}
		}
		t := time.Now()
		if _, err := os.Stat(sol); err != nil {
			out, err := exec.Command(cbc, lp, "sec", strconv.Itoa(secs), "solve", "solu", sol).CombinedOutput()
			if err != nil {
				return fmt.Errorf("cbc: %v\n%s", err, out)
			}
			if cached != "" {
				if err := os.MkdirAll(cache, 0o755); err != nil {
					return err
				}
				b, err := os.ReadFile(sol)
				if err != nil {
					return err
				}
				if err := os.WriteFile(cached, b, 0o644); err != nil {
					return err
				}
			}
		}
		el := time.Since(t)
		optimal, obj, err := readSolution(sol)
		if err != nil {
			return err
		}
		st, hs := tt.Stats, heur.Stats
		proved := "no"
		if st.Proved == st.Pieces {
			proved = "yes"
			provedAll++
		}
		opt := "—"
		gap, hgap := "—", "—"
		if !optimal {
			out, days := m.Split(obj)
			opt = fmt.Sprintf("not proved in %d s (best found %d out, %d)", secs, out, days)
		}
		if optimal {
			solved++
			out, days := m.Split(obj)
			opt = fmt.Sprintf("%d out, %d", out, days)
			g := gapOf(st.Unscheduled, st.InspectorDays, out, days)
			h := gapOf(hs.Unscheduled, hs.InspectorDays, out, days)
			worst, worstH = max(worst, g), max(worstH, h)
			gap, hgap = pctf(g), fmt.Sprintf("%d (%s)", hs.InspectorDays, pctf(h))
		}
		fmt.Printf("| %d | %d | %d | %d | %d | %d | %d | %d | %s | %s | %s | %.2f | %s |\n", k, len(tt.Visits)+len(tt.Unscheduled), len(w.Inspectors), len(w.Days),
			m.Binaries, st.Unscheduled, st.InspectorDays, st.LowerBound, proved, hgap, opt, el.Seconds(), gap)
	}
	verdict := "met"
	if worst > 0.03 {
		verdict = "NOT met"
	}
	fmt.Printf("\n%d of %d optima proved by cbc; %d of %d windows proved optimal by the scheduler itself. Worst gap to the optimum: %s (without the exact search: %s). Goal within 3%%: %s.\n\n",
		solved, n, provedAll, n, pctf(worst), pctf(worstH), verdict)
	return nil
}

// gapOf compares team-days with the optimum; leaving out a visit that the
// optimum schedules counts as an infinite gap.
func gapOf(out, days, optOut, optDays int) float64 {
	if out > optOut {
		return math.Inf(1)
	}
	return float64(days-optDays) / float64(max(1, optDays))
}

// readSolution reads cbc's solution file: its first line is the status and
// the objective.
func readSolution(path string) (optimal bool, objective float64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, 0, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	i := strings.LastIndex(first, " ")
	objective, err = strconv.ParseFloat(strings.TrimSpace(first[i+1:]), 64)
	if err != nil {
		return false, 0, fmt.Errorf("cbc solution %q: %w", first, err)
	}
	return strings.HasPrefix(first, "Optimal"), objective, nil
}

func benchDraw(villages []units.Unit, runs int) error {
	pool := make([]string, len(villages))
	for k, v := range villages {
		pool[k] = v.Code
	}
	secret := secretOf("national draw")
	var runT, verT []time.Duration
	var d *visits.Draw
	var sel []string
	for r := 0; r < runs; r++ {
		d = &visits.Draw{Plan: "2026-全国-村级抽查", MinPerTier: 1, Tiers: []visits.Tier{{Name: "all", Rate: 0.05, Units: pool}}}
		d.Prepare(secret)
		d.PublicValue = "beacon round 1"
		t := time.Now()
		var err error
		sel, err = d.Run(secret)
		if err != nil {
			return err
		}
		runT = append(runT, time.Since(t))
		d.Secret, d.Selected = hex.EncodeToString(secret), sel
		t = time.Now()
		if err := visits.Verify(d); err != nil {
			return err
		}
		verT = append(verT, time.Since(t))
	}
	// The same draw with teams: 20,000 inspectors of the register, each
	// recused from the township where it works and the one it comes from
	// (two villages' townships chosen at random), a team of two drawn per
	// target among those not recused from it.
	rng := rand.New(rand.NewPCG(7, 11))
	reg := make([]visits.DrawInspector, 20000)
	for i := range reg {
		reg[i].ID = fmt.Sprintf("R%05d", i+1)
		a, b := pool[rng.IntN(len(pool))][:9], pool[rng.IntN(len(pool))][:9]
		reg[i].Recuse = []string{a}
		if b != a {
			reg[i].Recuse = append(reg[i].Recuse, b)
		}
		slices.Sort(reg[i].Recuse)
	}
	var teamRunT, teamVerT []time.Duration
	var teams [][]string
	for r := 0; r < runs; r++ {
		d = &visits.Draw{Plan: "2026-全国-村级抽查-带检查组", MinPerTier: 1, Tiers: []visits.Tier{{Name: "all", Rate: 0.05, Units: pool}},
			Inspectors: reg, TeamSize: 2}
		d.Prepare(secret)
		d.PublicValue = "beacon round 1"
		t := time.Now()
		var err error
		sel, teams, err = d.RunTeams(secret)
		if err != nil {
			return err
		}
		teamRunT = append(teamRunT, time.Since(t))
		d.Secret, d.Selected, d.Teams = hex.EncodeToString(secret), sel, teams
		t = time.Now()
		if err := visits.Verify(d); err != nil {
			return err
		}
		teamVerT = append(teamVerT, time.Since(t))
	}
	fmt.Printf("| draw over %d villages, 5%% (%d drawn) | median | min | max | goal |\n", len(pool), len(sel))
	fmt.Println("|---|---|---|---|---|")
	for _, c := range []struct {
		name string
		ds   []time.Duration
	}{{"Draw.Run (commitment check, selection, digest)", runT}, {"Verify (validation, commitment, selection, digest)", verT},
		{fmt.Sprintf("Draw.RunTeams with %d inspectors and their recusals, teams of 2", len(reg)), teamRunT},
		{"Verify of the draw with teams", teamVerT}} {
		verdict := "met"
		if pct(c.ds, 50) > time.Second {
			verdict = "NOT met"
		}
		fmt.Printf("| %s | %s | %s | %s | ≤ 1 s: %s |\n", c.name, ms3(pct(c.ds, 50)), ms3(slices.Min(c.ds)), ms3(slices.Max(c.ds)), verdict)
	}
	fmt.Println()
	return nil
}
