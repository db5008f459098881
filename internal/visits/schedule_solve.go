package visits

import (
	"hash/fnv"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"lighten/internal/calendar"
)

// atlas gives the travel minutes between places, remembering those asked
// for when there are few enough places to keep a table.
type atlas struct {
	places []rpoint
	mat    []float64 // n×n, NaN until computed; nil: not kept
}

func newAtlas(places []rpoint, keep bool) *atlas {
	a := &atlas{places: places}
	if keep {
		a.mat = make([]float64, len(places)*len(places))
		for k := range a.mat {
			a.mat[k] = math.NaN()
		}
	}
	return a
}

func (a *atlas) leg(x, y int32) float64 {
	if a.mat == nil {
		return legMinutes(a.places[x], a.places[y])
	}
	k := int(x)*len(a.places) + int(y)
	if m := a.mat[k]; m == m {
		return m
	}
	m := legMinutes(a.places[x], a.places[y]) // the formula is symmetric to the bit
	a.mat[k], a.mat[int(y)*len(a.places)+int(x)] = m, m
	return m
}

// piece is a part of the window that shares no inspector with the rest.
type piece struct {
	nd     int
	week   []calendar.Date
	at     *atlas // the piece's own places: its visits' and inspectors' homes
	visits []pvisit
	insp   []pinsp
	class  []int32 // per day: days of one class are alike to every visit
}

type pvisit struct {
	g       int32    // joint visit
	team    []int32  // the piece's inspectors
	allowed []uint64 // days the unit's caps and the team's days off leave
	loc     int32
}

type pinsp struct {
	g     int32
	cap   int
	limit float64
	home  int32
}

type result struct {
	day    []int32 // per visit of the piece, -1 unscheduled
	lower  int     // lower bound on inspector-days for the visits scheduled
	proved bool
}

// router finds the shortest day for an inspector: home, the stops in some
// order, home. Exact up to 8 stops (Held–Karp), nearest neighbour with
// 2-opt beyond, which can only overestimate.
type router struct {
	pts  []int32
	dp   []float64
	from []int8
}

const exactStops = 8

// tour returns the minutes of the best round through locs from home, and,
// when wantOrder, the positions of locs in visiting order. Stops with no
// known place are visited but cost nothing; with no known home the day is
// not measured.
func (r *router) tour(at *atlas, home int32, locs []int32, wantOrder bool) (float64, []int) {
	var order []int
	if wantOrder {
		order = make([]int, 0, len(locs))
		for k, l := range locs {
			if home < 0 || l < 0 {
				order = append(order, k)
			}
		}
	}
	if home < 0 {
		return 0, order
	}
	r.pts = r.pts[:0]
	var idx []int
	for k, l := range locs {
		if l >= 0 {
			r.pts = append(r.pts, l)
			if wantOrder {
				idx = append(idx, k)
			}
		}
	}
	n := len(r.pts)
	leg := at.leg
	var best float64
	var seq []int
	switch {
	case n == 0:
		return 0, order
	case n == 1:
		best, seq = 2*leg(home, r.pts[0]), []int{0}
	case n == 2:
		best = leg(home, r.pts[0]) + leg(r.pts[0], r.pts[1]) + leg(r.pts[1], home)
		seq = []int{0, 1}
	case n <= exactStops:
		best, seq = r.heldKarp(at, home, wantOrder)
	default:
		best, seq = r.twoOpt(at, home)
	}
	if wantOrder {
		for _, s := range seq {
			order = append(order, idx[s])
		}
	}
	return best, order
}

func (r *router) heldKarp(at *atlas, home int32, wantOrder bool) (float64, []int) {
	n := len(r.pts)
	full := 1 << n
	if cap(r.dp) < full*n {
		r.dp = make([]float64, full*n)
		r.from = make([]int8, full*n)
	}
	dp, from := r.dp[:full*n], r.from[:full*n]
	var d [exactStops][exactStops]float64
	var h [exactStops]float64
	for a := 0; a < n; a++ {
		h[a] = at.leg(home, r.pts[a])
		for b := a + 1; b < n; b++ {
			d[a][b] = at.leg(r.pts[a], r.pts[b])
			d[b][a] = d[a][b]
		}
	}
	for i := range dp {
		dp[i] = math.Inf(1)
	}
	for a := 0; a < n; a++ {
		dp[(1<<a)*n+a] = h[a]
		from[(1<<a)*n+a] = -1
	}
	for s := 1; s < full; s++ {
		for a := 0; a < n; a++ {
			cur := dp[s*n+a]
			if s&(1<<a) == 0 || math.IsInf(cur, 1) {
				continue
			}
			for b := 0; b < n; b++ {
				if s&(1<<b) != 0 {
					continue
				}
				t := s | 1<<b
				if v := cur + d[a][b]; v < dp[t*n+b] {
					dp[t*n+b] = v
					from[t*n+b] = int8(a)
				}
			}
		}
	}
	best, last := math.Inf(1), 0
	for a := 0; a < n; a++ {
		if v := dp[(full-1)*n+a] + h[a]; v < best {
			best, last = v, a
		}
	}
	if !wantOrder {
		return best, nil
	}
	seq := make([]int, n)
	s := full - 1
	for k := n - 1; k >= 0; k-- {
		seq[k] = last
		prev := int(from[s*n+last])
		s &^= 1 << last
		last = prev
	}
	return best, seq
}

func (r *router) twoOpt(at *atlas, home int32) (float64, []int) {
	n := len(r.pts)
	// Nearest neighbour from home.
	seq := make([]int, 0, n)
	used := make([]bool, n)
	cur := home
	for len(seq) < n {
		b, bd := -1, math.Inf(1)
		for a := 0; a < n; a++ {
			if !used[a] {
				if v := at.leg(cur, r.pts[a]); v < bd {
					b, bd = a, v
				}
			}
		}
		used[b] = true
		seq = append(seq, b)
		cur = r.pts[b]
	}
	path := make([]int32, n+2)
	pos := func() {
		for k := range seq {
			path[k+1] = r.pts[seq[k]]
		}
		path[0], path[n+1] = home, home
	}
	pos()
	for improved := true; improved; {
		improved = false
		for a := 0; a < n; a++ {
			for b := a + 2; b <= n; b++ {
				l := func(x, y int) float64 { return at.leg(path[x], path[y]) }
				if l(a, b)+l(a+1, b+1) < l(a, a+1)+l(b, b+1)-1e-12 {
					slices.Reverse(seq[a:b])
					pos()
					improved = true
				}
			}
		}
	}
	var total float64
	for k := 0; k <= n; k++ {
		total += at.leg(path[k], path[k+1])
	}
	return total, seq
}

// state is one assignment of days to a piece's visits.
type state struct {
	p     *piece
	day   []int32
	load  []int32   // per inspector*nd + day
	stops [][]int32 // per inspector*nd + day: visits
	cost  int       // inspector-days
	out   int       // unscheduled visits
	rt    router
	locs  []int32
}

func newState(p *piece) *state {
	s := &state{p: p, day: make([]int32, len(p.visits))}
	n := len(p.insp) * p.nd
	s.load = make([]int32, n)
	s.stops = make([][]int32, n)
	for v := range s.day {
		s.day[v] = -1
	}
	s.out = len(p.visits)
	return s
}

func (s *state) slot(i int32, d int) int { return int(i)*s.p.nd + d }

// routeWith is the best round of inspector i on day d with visit v added.
func (s *state) routeWith(i int32, d int, v int32) float64 {
	in := &s.p.insp[i]
	if math.IsInf(in.limit, 1) {
		return 0
	}
	k := s.slot(i, d)
	s.locs = s.locs[:0]
	for _, w := range s.stops[k] {
		s.locs = append(s.locs, s.p.visits[w].loc)
	}
	s.locs = append(s.locs, s.p.visits[v].loc)
	m, _ := s.rt.tour(s.p.at, in.home, s.locs, false)
	return m
}

// fits reports whether visit v can go on day d as things stand.
func (s *state) fits(v int32, d int) bool {
	pv := &s.p.visits[v]
	if !bit(pv.allowed, d) {
		return false
	}
	for _, i := range pv.team {
		if int(s.load[s.slot(i, d)]) >= s.p.insp[i].cap {
			return false
		}
	}
	for _, i := range pv.team {
		if s.routeWith(i, d, v) > s.p.insp[i].limit+eps {
			return false
		}
	}
	return true
}

func (s *state) place(v int32, d int) {
	s.day[v] = int32(d)
	s.out--
	for _, i := range s.p.visits[v].team {
		k := s.slot(i, d)
		if s.load[k] == 0 {
			s.cost++
		}
		s.load[k]++
		s.stops[k] = append(s.stops[k], v)
	}
}

func (s *state) remove(v int32) {
	d := int(s.day[v])
	s.day[v] = -1
	s.out++
	for _, i := range s.p.visits[v].team {
		k := s.slot(i, d)
		s.load[k]--
		if s.load[k] == 0 {
			s.cost--
		}
		st := s.stops[k]
		for x, w := range st {
			if w == v {
				st[x] = st[len(st)-1]
				s.stops[k] = st[:len(st)-1]
				break
			}
		}
	}
}

// added is how many inspector-days putting v on d opens, and how busy the
// team already is that day (busier packs tighter).
// key orders the days for a visit: fewest inspector-days opened first, then
// the team's busiest day (packing tight), then the earliest.
func (s *state) key(v int32, d int) int {
	open, busy := 0, 0
	for _, i := range s.p.visits[v].team {
		l := int(s.load[s.slot(i, d)])
		if l == 0 {
			open++
		}
		busy += l
	}
	return (open*1024-busy)*1024 + d
}

// candidates lists the allowed days of v in dayset (nil: all) other than
// skip, best first.
func (s *state) candidates(v int32, skip int, dayset []bool, buf []int) []int {
	buf = buf[:0]
	for w, word := range s.p.visits[v].allowed {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &= word - 1
			d := w*64 + b
			if d == skip || d >= s.p.nd || (dayset != nil && !dayset[d]) {
				continue
			}
			buf = append(buf, s.key(v, d))
		}
	}
	slices.Sort(buf)
	for k := range buf {
		buf[k] &= 1023
	}
	return buf
}

// better orders (unscheduled, inspector-days) lexicographically: a visit
// that can be scheduled always is.
func better(out1, cost1, out2, cost2 int) bool {
	if out1 != out2 {
		return out1 < out2
	}
	return cost1 < cost2
}

// solver runs construction, improvement and exact searches on one piece.
type solver struct {
	p     *piece
	s     *state
	opt   Options
	rng   *rand.Rand
	order []int32 // most constrained visits first
	free  []int   // allowed days per visit
	buf   []int
	lower int
}

func newSolver(p *piece, opt Options) *solver {
	sv := &solver{p: p, s: newState(p), opt: opt}
	h := fnv.New64a()
	for _, v := range p.visits {
		var b [4]byte
		b[0], b[1], b[2], b[3] = byte(v.g), byte(v.g>>8), byte(v.g>>16), byte(v.g>>24)
		h.Write(b[:])
	}
	seed := h.Sum64()
	sv.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return sv
}

// start builds a schedule and improves it locally; it reports whether the
// schedule is at the lower bound, and so optimal.
func (sv *solver) start() bool {
	sv.construct()
	sv.improve()
	sv.lower = sv.lowerBound()
	return sv.atBound()
}

// finish anneals for up to budget steps, then searches small pieces
// exactly, and returns the piece's days.
func (sv *solver) finish(budget int) *result {
	proved := sv.atBound()
	if !proved && budget > 0 {
		sv.anneal(budget)
		sv.improve()
		proved = sv.atBound()
	}
	if !proved && len(sv.p.visits) <= sv.opt.ExactVisits {
		all := make([]int32, len(sv.p.visits))
		for v := range all {
			all[v] = int32(v)
		}
		proved = sv.search(all, nil, sv.opt.ExactNodes)
		sv.lower = sv.lowerBound()
		proved = proved || sv.atBound()
	}
	// A cut-short search may leave out a visit that now fits.
	for v, d := range sv.s.day {
		if d < 0 && sv.insert(int32(v), true) {
			proved = false
		}
	}
	return &result{day: slices.Clone(sv.s.day), lower: sv.lowerBound(), proved: proved}
}

// solve runs both phases on one piece with the whole budget.
func solve(p *piece, opt Options) *result {
	sv := newSolver(p, opt)
	sv.start()
	return sv.finish(opt.Anneal)
}

func (sv *solver) atBound() bool { return sv.s.out == 0 && sv.s.cost == sv.lower }

// construct places the most constrained visits first, each on the day that
// opens the fewest inspector-days and packs the team's busiest day.
func (sv *solver) construct() {
	p := sv.p
	sv.order = make([]int32, len(p.visits))
	sv.free = make([]int, len(p.visits))
	for v := range sv.order {
		sv.order[v] = int32(v)
		for _, w := range p.visits[v].allowed {
			sv.free[v] += bits.OnesCount64(w)
		}
	}
	slices.SortStableFunc(sv.order, func(a, b int32) int {
		if sv.free[a] != sv.free[b] {
			return sv.free[a] - sv.free[b]
		}
		return len(p.visits[b].team) - len(p.visits[a].team)
	})
	for _, v := range sv.order {
		sv.insert(v, true)
	}
}

// insert puts v on its best feasible day; with eject, failing that, it
// moves one visit that blocks a day to another day to make room.
func (sv *solver) insert(v int32, eject bool) bool {
	s := sv.s
	sv.buf = s.candidates(v, -1, nil, sv.buf)
	for _, d := range sv.buf {
		if s.fits(v, d) {
			s.place(v, d)
			return true
		}
	}
	if !eject {
		return false
	}
	cands := slices.Clone(sv.buf)
	for _, d := range cands {
		var blockers []int32
		for _, i := range sv.p.visits[v].team {
			for _, w := range s.stops[s.slot(i, d)] {
				if !slices.Contains(blockers, w) {
					blockers = append(blockers, w)
				}
			}
		}
		for _, w := range blockers {
			s.remove(w)
			if s.fits(v, d) {
				s.place(v, d)
				sv.buf = s.candidates(w, d, nil, sv.buf)
				for _, d2 := range sv.buf {
					if s.fits(w, d2) {
						s.place(w, d2)
						return true
					}
				}
				s.remove(v)
			}
			s.place(w, d)
		}
	}
	return false
}

// relocate moves v to a day that lowers the inspector-days, or keeps them
// and packs the team's days tighter (a sum of squared loads that rises with
// every accepted move, so the search ends).
func (sv *solver) relocate(v int32) bool {
	s := sv.s
	d0 := int(s.day[v])
	team := sv.p.visits[v].team
	bestD, bestDelta, bestGain := -1, 0, 0
	for w, word := range sv.p.visits[v].allowed {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &= word - 1
			d := w*64 + b
			if d == d0 || d >= sv.p.nd {
				continue
			}
			delta, gain := 0, 0
			for _, i := range team {
				l, l0 := int(s.load[s.slot(i, d)]), int(s.load[s.slot(i, d0)])
				if l == 0 {
					delta++
				}
				if l0 == 1 {
					delta--
				}
				gain += 2 * (l - l0 + 1)
			}
			if !(delta < 0 || (delta == 0 && gain > 0)) {
				continue
			}
			if bestD >= 0 && (delta > bestDelta || (delta == bestDelta && gain <= bestGain)) {
				continue
			}
			s.remove(v)
			ok := s.fits(v, d)
			s.place(v, d0)
			if ok {
				bestD, bestDelta, bestGain = d, delta, gain
			}
		}
	}
	if bestD < 0 {
		return false
	}
	s.remove(v)
	s.place(v, bestD)
	return true
}

// empty tries to free inspector i's day d by moving all its visits
// elsewhere; it keeps the moves only if inspector-days fall.
func (sv *solver) empty(i int32, d int) bool {
	s := sv.s
	k := s.slot(i, d)
	moving := slices.Clone(s.stops[k])
	before, out := s.cost, s.out
	type move struct {
		v    int32
		from int
	}
	var done []move
	undo := func() {
		for x := len(done) - 1; x >= 0; x-- {
			s.remove(done[x].v)
			s.place(done[x].v, done[x].from)
		}
	}
	for _, v := range moving {
		s.remove(v)
		sv.buf = s.candidates(v, d, nil, sv.buf)
		ok := false
		for _, c := range sv.buf {
			if s.fits(v, c) {
				s.place(v, c)
				ok = true
				break
			}
		}
		done = append(done, move{v, d})
		if !ok {
			s.place(v, d)
			undo()
			return false
		}
	}
	if better(s.out, s.cost, out, before) {
		return true
	}
	undo()
	return false
}

// improve runs relocations and day-emptying until neither helps.
func (sv *solver) improve() {
	s := sv.s
	for round := 0; round < 20; round++ {
		changed := false
		for v := range sv.p.visits {
			if s.day[v] >= 0 && sv.relocate(int32(v)) {
				changed = true
			}
		}
		// Days below capacity first: they are the ones worth freeing.
		for i := range sv.p.insp {
			for d := 0; d < sv.p.nd; d++ {
				if l := int(s.load[s.slot(int32(i), d)]); l > 0 && l < sv.p.insp[i].cap && sv.empty(int32(i), d) {
					changed = true
				}
			}
		}
		if !changed {
			return
		}
	}
}

// lowerBound: inspector i needs at least ceil(n_i / c_i) days for its n_i
// scheduled visits, where c_i is the most visits a day of its can hold:
// its capacity, unless travel allows fewer.
func (sv *solver) lowerBound() int {
	s := sv.s
	n := make([]int, len(sv.p.insp))
	fullDay := make([]bool, len(sv.p.insp))
	for v, d := range s.day {
		if d < 0 {
			continue
		}
		for _, i := range sv.p.visits[v].team {
			n[i]++
			if int(s.load[s.slot(i, int(d))]) == sv.p.insp[i].cap {
				fullDay[i] = true
			}
		}
	}
	total := 0
	for i, in := range sv.p.insp {
		if n[i] == 0 {
			continue
		}
		c := in.cap
		if !fullDay[i] && n[i] > 1 {
			c = sv.largestDay(int32(i))
		}
		total += (n[i] + c - 1) / c
	}
	return total
}

// largestDay is the largest set of inspector i's scheduled visits, up to
// its capacity, whose round fits its travel limit (at least 1, since each
// scheduled visit fits alone). Cut short, it returns the capacity, which
// keeps the bound valid.
func (sv *solver) largestDay(i int32) int {
	in := &sv.p.insp[i]
	if math.IsInf(in.limit, 1) {
		return in.cap
	}
	var mine []int32
	for v, d := range sv.s.day {
		if d >= 0 && slices.Contains(sv.p.visits[v].team, i) {
			mine = append(mine, sv.p.visits[v].loc)
		}
	}
	best := 1
	budget := 500
	pick := make([]int32, 0, in.cap)
	var rec func(from int) bool // true: stop
	rec = func(from int) bool {
		if len(pick) > best {
			best = len(pick)
		}
		if best == in.cap {
			return true
		}
		for x := from; x < len(mine); x++ {
			if budget--; budget < 0 {
				return true
			}
			pick = append(pick, mine[x])
			m, _ := sv.s.rt.tour(sv.p.at, in.home, pick, false)
			if m <= in.limit+eps && rec(x+1) {
				return true
			}
			pick = pick[:len(pick)-1]
		}
		return false
	}
	rec(0)
	if budget < 0 {
		return in.cap
	}
	return best
}

// search re-assigns the visits vs among the days in dayset (nil: all) by
// branch and bound, everything else staying as it is, and keeps the best
// assignment found. It reports whether the search finished within nodes
// (the assignment of vs is then optimal given the rest). Bound: per
// inspector, the days opened plus those its undecided visits need beyond
// the free places on its open days in the set; a visit left out costs more
// than all inspector-days together.
func (sv *solver) search(vs []int32, dayset []bool, nodes int) bool {
	p, s := sv.p, sv.s
	penalty := len(p.insp)*p.nd + 1
	from := make([]int32, len(vs))
	for k, v := range vs {
		from[k] = s.day[v]
	}
	bestVal := s.out*penalty + s.cost
	var best []int32
	for _, v := range vs {
		if s.day[v] >= 0 {
			s.remove(v)
		}
	}
	in := func(d int) bool { return dayset == nil || dayset[d] }
	rem := make([]int, len(p.insp))
	free := make([]int, len(p.insp))
	for _, v := range vs {
		for _, i := range p.visits[v].team {
			rem[i]++
		}
	}
	for i, pi := range p.insp {
		if rem[i] == 0 {
			continue
		}
		for d := 0; d < p.nd; d++ {
			if l := int(s.load[s.slot(int32(i), d)]); l > 0 && in(d) {
				free[i] += pi.cap - l
			}
		}
	}
	order := slices.Clone(vs)
	slices.SortStableFunc(order, func(a, b int32) int {
		if sv.free[a] != sv.free[b] {
			return sv.free[a] - sv.free[b]
		}
		return len(p.visits[b].team) - len(p.visits[a].team)
	})
	undecided := len(vs)
	used := make([]int, p.nd) // visits on each day, all of the piece's
	for _, d := range s.day {
		if d >= 0 {
			used[d]++
		}
	}
	count := 0
	abort := false
	cands := make([][]int, len(order))
	var dfs func(k int)
	dfs = func(k int) {
		if count++; count > nodes {
			abort = true
			return
		}
		b := (s.out-undecided)*penalty + s.cost
		for i, pi := range p.insp {
			if r := rem[i] - free[i]; r > 0 {
				b += (r + pi.cap - 1) / pi.cap
			}
		}
		if b >= bestVal {
			return
		}
		if k == len(order) {
			bestVal = s.out*penalty + s.cost
			best = slices.Clone(s.day)
			return
		}
		v := order[k]
		team := p.visits[v].team
		cands[k] = s.candidates(v, -1, dayset, cands[k])
		undecided--
		for _, i := range team {
			rem[i]--
		}
		var seenEmpty []int32 // classes of empty days tried
		for _, d := range cands[k] {
			if used[d] == 0 {
				// Empty days of one class are alike: try one.
				if slices.Contains(seenEmpty, p.class[d]) {
					continue
				}
				seenEmpty = append(seenEmpty, p.class[d])
			}
			if !s.fits(v, d) {
				continue
			}
			for _, i := range team {
				if s.load[s.slot(i, d)] == 0 {
					free[i] += p.insp[i].cap - 1
				} else {
					free[i]--
				}
			}
			s.place(v, d)
			used[d]++
			dfs(k + 1)
			used[d]--
			s.remove(v)
			for _, i := range team {
				if s.load[s.slot(i, d)] == 0 {
					free[i] -= p.insp[i].cap - 1
				} else {
					free[i]++
				}
			}
			if abort {
				break
			}
		}
		if !abort {
			dfs(k + 1) // leave v out
		}
		undecided++
		for _, i := range team {
			rem[i]++
		}
	}
	dfs(0)
	for k, v := range vs {
		d := from[k]
		if best != nil {
			d = best[v]
		}
		if d >= 0 {
			s.place(v, int(d))
		}
	}
	return !abort
}

// anneal is simulated annealing over moves of one visit to another day and
// swaps of two visits' days. The energy is the inspector-days, less a
// little for fuller days (see packW), plus outWeight for each visit left
// out. It runs in rounds of max(50,000, 300 × visits) steps (fewer if the
// budget is smaller), each cooling from warm to cold and starting from the
// best schedule met, and stops when patience rounds in a row find nothing
// better, when the budget is spent, or at the lower bound. It ends on the
// best schedule met.
func (sv *solver) anneal(budget int) {
	p := sv.p
	if budget <= 0 || len(p.visits) < 2 {
		return
	}
	const t0, t1 = 0.8, 0.05
	steps := min(budget, max(50_000, 300*len(p.visits)))
	cool := math.Pow(t1/t0, 256/float64(steps))
	byInsp := make([][]int32, len(p.insp)) // each inspector's visits
	for v, pv := range p.visits {
		for _, i := range pv.team {
			byInsp[i] = append(byInsp[i], int32(v))
		}
	}
	bestDay := slices.Clone(sv.s.day)
	bestOut, bestCost := sv.s.out, sv.s.cost
	var scheduled, out []int32
	fails := 0
	var accept [8 * packW]uint64 // accept[δ]: the chance of taking a step δ worse, in 2^-32
	for spent := 0; spent < budget && !(bestOut == 0 && bestCost == sv.lower); spent += steps {
		s := sv.s
		startOut, startCost := bestOut, bestCost
		temp := t0 / cool
		for it := 0; it < steps; it++ {
			if it%256 == 0 {
				temp *= cool
				for d := range accept {
					accept[d] = uint64(math.Exp(-float64(d)/(packW*temp)) * (1 << 32))
				}
			}
			if it%4096 == 0 {
				scheduled, out = scheduled[:0], out[:0]
				for v, d := range s.day {
					if d >= 0 {
						scheduled = append(scheduled, int32(v))
					} else if sv.insert(int32(v), false) {
						scheduled = append(scheduled, int32(v))
					} else {
						out = append(out, int32(v))
					}
				}
				if better(s.out, s.cost, bestOut, bestCost) {
					bestDay, bestOut, bestCost = slices.Clone(s.day), s.out, s.cost
				}
				if len(scheduled) == 0 {
					break
				}
			}
			r := sv.rng.Uint64()
			if len(out) > 0 && r>>61 == 0 {
				if sv.trade(out, accept[:]) {
					it |= 4095 // the lists changed: rebuild them next step
					if better(s.out, s.cost, bestOut, bestCost) {
						bestDay, bestOut, bestCost = slices.Clone(s.day), s.out, s.cost
					}
				}
				continue
			}
			v := scheduled[pick(r, len(scheduled))]
			d1 := int(s.day[v])
			if d1 < 0 {
				continue
			}
			tv := p.visits[v].team
			i := tv[int(r>>32&0xff)%len(tv)]
			// Mostly a day on which one of the team already works.
			r2 := sv.rng.Uint64()
			d2 := pick(r2, p.nd)
			if r>>40&3 != 0 {
				for try := 0; try < 8 && s.load[s.slot(i, d2)] == 0; try++ {
					d2 = pick(sv.rng.Uint64(), p.nd)
				}
			}
			if d2 < 0 || d2 == d1 || !bit(p.visits[v].allowed, d2) {
				continue
			}
			// Swap with a visit of that inspector on d2, or just move.
			var w int32 = -1
			if st := s.stops[s.slot(i, d2)]; len(st) > 0 && r2>>63 == 0 {
				w = st[int(r2>>32&0xffff)%len(st)]
				if !bit(p.visits[w].allowed, d1) {
					w = -1
				}
			}
			// The energy is packW × inspector-days less the sum of squared
			// loads: among schedules of equal days, fuller days are lower.
			delta := 0
			step := func(i int32, from, to int) {
				lf, lt := int(s.load[s.slot(i, from)]), int(s.load[s.slot(i, to)])
				if lt == 0 {
					delta += packW
				}
				if lf == 1 {
					delta -= packW
				}
				delta -= 2*(lt-lf) + 2
			}
			for _, i := range tv {
				if w < 0 || !slices.Contains(p.visits[w].team, i) {
					step(i, d1, d2)
				}
			}
			if w >= 0 {
				for _, i := range p.visits[w].team {
					if !slices.Contains(tv, i) {
						step(i, d2, d1)
					}
				}
			}
			if delta > 0 && (delta >= len(accept) || sv.rng.Uint64()>>32 >= accept[delta]) {
				continue
			}
			s.remove(v)
			if w >= 0 {
				s.remove(w)
			}
			ok := s.fits(v, d2)
			if ok {
				s.place(v, d2)
				if w >= 0 {
					if ok = s.fits(w, d1); ok {
						s.place(w, d1)
					} else {
						s.remove(v)
					}
				}
			}
			if !ok {
				s.place(v, d1)
				if w >= 0 {
					s.place(w, d2)
				}
				continue
			}
			if better(s.out, s.cost, bestOut, bestCost) {
				bestDay, bestOut, bestCost = slices.Clone(s.day), s.out, s.cost
			}
		}
		sv.load(bestDay)
		if !better(bestOut, bestCost, startOut, startCost) {
			fails++
			if fails >= patience {
				break
			}
		} else {
			fails = 0
		}
	}
}

// patience is how many rounds of annealing in a row may find nothing
// better before it stops; outWeight is what a visit left out weighs in
// inspector-days while annealing.
const (
	patience  = 10
	outWeight = 2
)

// packW weighs an inspector-day against the squared loads in annealing.
const packW = 20

// pick maps the low 32 random bits of r to [0, n) by multiplying.
func pick(r uint64, n int) int { return int((r & 0xffff_ffff) * uint64(n) >> 32) }

// trade puts a left-out visit on a random allowed day, taking out the
// visits of its team that day and placing them elsewhere if they fit. A
// visit out weighs as much as three inspector-days, so that the walk can
// trade one visit for another. It reports whether the trade was taken.
func (sv *solver) trade(out []int32, accept []uint64) bool {
	p, s := sv.p, sv.s
	u := out[sv.rng.IntN(len(out))]
	d := sv.rng.IntN(p.nd)
	if s.day[u] >= 0 || !bit(p.visits[u].allowed, d) {
		return false
	}
	var taken []int32
	for _, i := range p.visits[u].team {
		for _, w := range s.stops[s.slot(i, d)] {
			if !slices.Contains(taken, w) {
				taken = append(taken, w)
			}
		}
	}
	out0, cost0 := s.out, s.cost
	for _, w := range taken {
		s.remove(w)
	}
	if !s.fits(u, d) {
		for _, w := range taken {
			s.place(w, d)
		}
		return false
	}
	s.place(u, d)
	var moved []int32
	for _, w := range taken {
		if sv.insert(w, false) {
			moved = append(moved, w)
		}
	}
	delta := packW * (s.cost - cost0 + outWeight*(s.out-out0))
	if delta <= 0 || (delta < len(accept) && sv.rng.Uint64()>>32 < accept[delta]) {
		return true
	}
	for _, w := range moved {
		s.remove(w)
	}
	s.remove(u)
	for _, w := range taken {
		s.place(w, d)
	}
	return false
}

// load replaces the state with the given days.
func (sv *solver) load(day []int32) {
	sv.s = newState(sv.p)
	for v, d := range day {
		if d >= 0 {
			sv.s.place(int32(v), int(d))
		}
	}
}
