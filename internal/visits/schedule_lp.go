package visits

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"

	"lighten/internal/calendar"
)

// LPModel describes an exact model written by WriteLP.
type LPModel struct {
	// Penalty is the objective's weight of an unscheduled visit, more than
	// all inspector-days together: objective = inspector-days + Penalty ×
	// unscheduled.
	Penalty     int
	Visits      int // joint visits
	Binaries    int
	Constraints int
}

// Split reads an optimal objective value back into unscheduled visits and
// inspector-days.
func (m LPModel) Split(objective float64) (unscheduled, inspectorDays int) {
	o := int(math.Round(objective))
	return o / m.Penalty, o % m.Penalty
}

// WriteLP writes the window's scheduling problem as a mixed-integer
// program in CPLEX LP format, for an exact solver to prove the optimum on
// small windows. Visits are merged by the same rule as Schedule (the merge
// is a rule, not a choice); everything else is left to the solver:
//
//	x_v_d = 1: joint visit v on day d (no variable on a team member's day off)
//	y_i_d = 1: inspector i works on day d
//	u_v   = 1: visit v unscheduled
//	minimise  Σ y_i_d + Penalty Σ u_v
//	Σ_d x_v_d + u_v = 1                              each visit
//	Σ_{v∋i} x_v_d − capacity_i y_i_d ≤ 0             each inspector, day
//	x_v_d − y_i_d ≤ 0                                 each member, day
//	Σ_{d∈week} x_v_d ≤ weekCap − visits had that week  each unit, week
//	Σ_d x_v_d ≤ yearCap − inspections had this year   each unit
//	Σ_{v∈S} x_v_d ≤ |S| − 1   each day and each smallest set S of an
//	                          inspector's visits (|S| ≤ capacity) whose
//	                          shortest round exceeds its travel limit
//	u_v = 1 for a team of fewer than two inspectors
//
// The travel sets are exact because adding a stop never shortens a round
// (the triangle inequality), and rounds of up to 8 stops are solved exactly;
// capacities above 8 are refused.
func WriteLP(out io.Writer, w *Window) (LPModel, error) {
	p, err := prepare(w)
	if err != nil {
		return LPModel{}, err
	}
	for i, in := range p.insp {
		if in.Capacity > exactStops {
			return LPModel{}, fmt.Errorf("inspector %s: capacity %d; the exact model handles up to %d", p.insp[i].ID, in.Capacity, exactStops)
		}
	}
	m := LPModel{Penalty: len(p.insp)*p.nd + 1, Visits: len(p.joints)}
	bw := bufio.NewWriter(out)
	var line strings.Builder
	terms := 0
	term := func(t string) {
		if terms > 0 && terms%8 == 0 {
			fmt.Fprintln(bw, line.String())
			line.Reset()
			line.WriteString("   ")
		}
		line.WriteString(" ")
		line.WriteString(t)
		terms++
	}
	flush := func(tail string) {
		fmt.Fprintln(bw, line.String()+" "+tail)
		line.Reset()
		terms = 0
	}
	x := func(v, d int) string { return fmt.Sprintf("x_%d_%d", v, d) }
	y := func(i int32, d int) string { return fmt.Sprintf("y_%d_%d", i, d) }

	hasX := func(v, d int) bool {
		j := &p.joints[v]
		if len(j.team) < 2 || !j.inSpan(d) {
			return false
		}
		for _, i := range j.team {
			if bit(p.away[i], d) {
				return false
			}
		}
		return true
	}
	inTeam := map[int32][]int{} // inspector -> visits
	for v := range p.joints {
		if len(p.joints[v].team) >= 2 {
			for _, i := range p.joints[v].team {
				inTeam[i] = append(inTeam[i], v)
			}
		}
	}

	fmt.Fprintln(bw, "\\ lighten visits: exact joint scheduling model")
	fmt.Fprintln(bw, "Minimize")
	line.WriteString(" obj:")
	for i := range p.insp {
		if len(inTeam[int32(i)]) == 0 {
			continue
		}
		for d := 0; d < p.nd; d++ {
			term("+ " + y(int32(i), d))
		}
	}
	for v := range p.joints {
		term(fmt.Sprintf("+ %d u_%d", m.Penalty, v))
	}
	flush("")
	fmt.Fprintln(bw, "Subject To")
	row := func(name string) {
		line.WriteString(" " + name + ":")
		m.Constraints++
	}
	for v := range p.joints {
		row(fmt.Sprintf("one_%d", v))
		for d := 0; d < p.nd; d++ {
			if hasX(v, d) {
				term("+ " + x(v, d))
				m.Binaries++
			}
		}
		term(fmt.Sprintf("+ u_%d", v))
		m.Binaries++
		if len(p.joints[v].team) < 2 {
			flush("= 1")
			row(fmt.Sprintf("team_%d", v))
			term(fmt.Sprintf("+ u_%d", v))
			flush(">= 1")
			continue
		}
		flush("= 1")
	}
	for i := range p.insp {
		vs := inTeam[int32(i)]
		if len(vs) == 0 {
			continue
		}
		for d := 0; d < p.nd; d++ {
			m.Binaries++
			row(fmt.Sprintf("cap_%d_%d", i, d))
			for _, v := range vs {
				if hasX(v, d) {
					term("+ " + x(v, d))
				}
			}
			term(fmt.Sprintf("- %d %s", p.insp[i].Capacity, y(int32(i), d)))
			flush("<= 0")
			for _, v := range vs {
				if hasX(v, d) {
					row(fmt.Sprintf("link_%d_%d_%d", v, i, d))
					term("+ " + x(v, d))
					term("- " + y(int32(i), d))
					flush("<= 0")
				}
			}
		}
	}
	for v := range p.joints {
		j := &p.joints[v]
		if len(j.team) < 2 {
			continue
		}
		weeks := map[calendar.Date][]int{}
		var order []calendar.Date
		for d := 0; d < p.nd; d++ {
			if !hasX(v, d) {
				continue
			}
			wk := p.week[d]
			if weeks[wk] == nil {
				order = append(order, wk)
			}
			weeks[wk] = append(weeks[wk], d)
		}
		for n, wk := range order {
			row(fmt.Sprintf("week_%d_%d", v, n))
			for _, d := range weeks[wk] {
				term("+ " + x(v, d))
			}
			flush(fmt.Sprintf("<= %d", max(0, j.weekCap-j.weekHave[wk])))
		}
		row(fmt.Sprintf("year_%d", v))
		for d := 0; d < p.nd; d++ {
			if hasX(v, d) {
				term("+ " + x(v, d))
			}
		}
		term(fmt.Sprintf("+ 0 u_%d", v))
		flush(fmt.Sprintf("<= %d", max(0, j.yearCap-j.yearHave)))
	}

	// Travel: the smallest sets of an inspector's visits whose round is too
	// long, grown level by level from the sets that fit.
	var rt router
	tn := 0
	for i := range p.insp {
		vs := inTeam[int32(i)]
		if len(vs) == 0 || p.home[i] < 0 {
			continue
		}
		fits := map[string]bool{key(nil): true}
		level := [][]int{{}}
		for k := 1; k <= p.insp[i].Capacity && len(level) > 0; k++ {
			var next [][]int
			for _, base := range level {
				start := 0
				if len(base) > 0 {
					start = base[len(base)-1] + 1
				}
				for e := start; e < len(vs); e++ {
					s := append(append([]int(nil), base...), e)
					all := true
					for drop := range s {
						sub := append(append([]int(nil), s[:drop]...), s[drop+1:]...)
						if !fits[key(sub)] {
							all = false
							break
						}
					}
					if !all {
						continue
					}
					locs := make([]int32, len(s))
					for n, e := range s {
						locs[n] = p.joints[vs[e]].loc
					}
					mins, _ := rt.tour(p.at, p.home[i], locs, false)
					if mins <= p.limit[i]+eps {
						fits[key(s)] = true
						next = append(next, s)
						continue
					}
					for d := 0; d < p.nd; d++ {
						var on []int
						for _, e := range s {
							if hasX(vs[e], d) {
								on = append(on, vs[e])
							}
						}
						if len(on) < len(s) {
							continue // a member's day off already keeps the set apart
						}
						row(fmt.Sprintf("travel_%d", tn))
						tn++
						for _, v := range on {
							term("+ " + x(v, d))
						}
						flush(fmt.Sprintf("<= %d", len(s)-1))
					}
				}
			}
			level = next
		}
	}
	fmt.Fprintln(bw, "Binary")
	for v := range p.joints {
		for d := 0; d < p.nd; d++ {
			if hasX(v, d) {
				fmt.Fprintln(bw, " "+x(v, d))
			}
		}
		fmt.Fprintf(bw, " u_%d\n", v)
	}
	for i := range p.insp {
		if len(inTeam[int32(i)]) == 0 {
			continue
		}
		for d := 0; d < p.nd; d++ {
			fmt.Fprintln(bw, " "+y(int32(i), d))
		}
	}
	fmt.Fprintln(bw, "End")
	return m, bw.Flush()
}

func key(s []int) string { return fmt.Sprint(s) }
