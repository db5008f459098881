package visits

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// teamPoolDigest adds the team parameters to the pool digest: a domain
// field, the team size, the number of inspectors, and for each inspector
// in record order its ID, the number of its recusal prefixes and each
// prefix in order.
func (d *Draw) teamPoolDigest(h interface{ Write([]byte) (int, error) }) {
	field(h, []byte(DrawVersion+"/team"))
	field(h, []byte(strconv.Itoa(d.TeamSize)))
	field(h, []byte(strconv.Itoa(len(d.Inspectors))))
	for _, in := range d.Inspectors {
		field(h, []byte(in.ID))
		field(h, []byte(strconv.Itoa(len(in.Recuse))))
		for _, r := range in.Recuse {
			field(h, []byte(r))
		}
	}
}

// teamStream is the name that takes a tier's place in the seed of the
// stream that draws the team of a unit.
const teamStream = "team/"

// validateTeams checks the team parameters: a team size of at least zero;
// inspectors only with a team size, in ascending ID order without repeats,
// each recusal prefix non-empty and the prefixes ascending without
// repeats; no tier whose name could be taken for a team's stream.
func (d *Draw) validateTeams() error {
	if d.TeamSize < 0 {
		return invalid("team_size", "visits.error.team_size", d.TeamSize)
	}
	if d.TeamSize == 0 {
		if len(d.Inspectors) > 0 {
			return invalid("team_size", "visits.error.inspectors_without_team", len(d.Inspectors))
		}
		return nil
	}
	for i, t := range d.Tiers {
		if strings.HasPrefix(t.Name, teamStream) {
			return invalid("tiers["+strconv.Itoa(i)+"].name", "visits.error.tier_team_name", t.Name, teamStream)
		}
	}
	for i, in := range d.Inspectors {
		f := "inspectors[" + strconv.Itoa(i) + "]"
		if in.ID == "" {
			return invalid(f+".id", "visits.error.inspector_id", i+1)
		}
		if i > 0 && in.ID <= d.Inspectors[i-1].ID {
			return invalid(f+".id", "visits.error.inspector_order", in.ID, d.Inspectors[i-1].ID)
		}
		for j, r := range in.Recuse {
			if r == "" {
				return invalid(f+".recuse["+strconv.Itoa(j)+"]", "visits.error.recuse_empty", in.ID)
			}
			if j > 0 && r <= in.Recuse[j-1] {
				return invalid(f+".recuse["+strconv.Itoa(j)+"]", "visits.error.recuse_order", in.ID, r, in.Recuse[j-1])
			}
		}
	}
	return nil
}

// partialShuffle draws k of the positions 0…n−1 with the stream r: for i
// from 0 to k−1, j = i + uniform(n−i), swap positions i and j, and take
// the position now at i. Only the swapped positions are kept.
func partialShuffle(r *rand.ChaCha8, n, k int, take func(pos int)) {
	idx := make(map[int]int, 2*k)
	at := func(i int) int {
		if v, ok := idx[i]; ok {
			return v
		}
		return i
	}
	for i := 0; i < k; i++ {
		j := i + int(uniform(r, uint64(n-i)))
		vi, vj := at(i), at(j)
		idx[i], idx[j] = vj, vi
		take(vj)
	}
}

// Recused reports whether the inspector must not visit the unit: one of
// its recusal prefixes begins the unit's code.
func (in DrawInspector) Recused(unit string) bool {
	for _, p := range in.Recuse {
		if strings.HasPrefix(unit, p) {
			return true
		}
	}
	return false
}

// Eligible lists the inspectors of the record (in record order) who may
// visit the unit.
func (d *Draw) Eligible(unit string) []string {
	var out []string
	for i := range d.Inspectors {
		if !d.Inspectors[i].Recused(unit) {
			out = append(out, d.Inspectors[i].ID)
		}
	}
	return out
}

// SelectTeams draws a team for each selected unit, in selection order: the
// eligible inspectors (Eligible), a ChaCha8 stream seeded as a tier's with
// the tier name replaced by "team/" and the unit's code, and a partial
// Fisher–Yates shuffle of TeamSize over the eligible list; the first drawn
// leads. Fewer eligible than TeamSize is an error naming the unit.
func (d *Draw) SelectTeams(secret []byte, selected []string) ([][]string, error) {
	if d.TeamSize <= 0 {
		return nil, nil
	}
	ix := newRecusalIndex(d.Inspectors)
	pool := d.PoolDigest()
	n := len(d.Inspectors)
	teams := make([][]string, len(selected))
	var recused []int
	for i, unit := range selected {
		recused = ix.recused(unit, recused[:0])
		m := n - len(recused)
		if m < d.TeamSize {
			return nil, invalid("inspectors", "visits.error.team_short", unit, m, n, d.TeamSize)
		}
		r := rand.NewChaCha8(d.seedOf(pool, secret, teamStream+unit))
		team := make([]string, 0, d.TeamSize)
		partialShuffle(r, m, d.TeamSize, func(pos int) {
			// The pos-th eligible inspector: skip the recused ones before it.
			at := pos
			for _, x := range recused {
				if x > at {
					break
				}
				at++
			}
			team = append(team, d.Inspectors[at].ID)
		})
		teams[i] = team
	}
	return teams, nil
}

// recusalIndex finds the inspectors recused from a unit without scanning
// the register: the inspectors by recusal prefix, and the prefix lengths
// in use.
type recusalIndex struct {
	byPrefix map[string][]int
	lengths  []int
}

func newRecusalIndex(reg []DrawInspector) *recusalIndex {
	ix := &recusalIndex{byPrefix: map[string][]int{}}
	seen := map[int]bool{}
	for i, in := range reg {
		for _, p := range in.Recuse {
			ix.byPrefix[p] = append(ix.byPrefix[p], i)
			if !seen[len(p)] {
				seen[len(p)] = true
				ix.lengths = append(ix.lengths, len(p))
			}
		}
	}
	sort.Ints(ix.lengths)
	return ix
}

// recused appends to out the register positions of the inspectors recused
// from the unit, ascending and without repeats.
func (ix *recusalIndex) recused(unit string, out []int) []int {
	for _, l := range ix.lengths {
		if l > len(unit) {
			break
		}
		out = append(out, ix.byPrefix[unit[:l]]...)
	}
	sort.Ints(out)
	w := 0
	for i, x := range out {
		if i == 0 || x != out[w-1] {
			out[w] = x
			w++
		}
	}
	return out[:w]
}

// Township is the township of a unit code (its first 9 digits), or "" for
// a code above township level.
func Township(code string) string {
	if len(code) < 9 {
		return ""
	}
	return code[:9]
}

// Recusals are the recusal prefixes of a register entry: the township of
// the unit where the inspector works and of the one they come from (when
// the code is of a township or below), each declared relation as given
// (its whole subtree), and each unit visited recently; sorted and without
// repeats.
func Recusals(in RegisteredInspector, visited []string) []string {
	var out []string
	for _, c := range []string{in.Works, in.Origin} {
		if t := Township(c); t != "" {
			out = append(out, t)
		}
	}
	for _, c := range in.Relations {
		if c != "" {
			out = append(out, c)
		}
	}
	for _, c := range visited {
		if c != "" {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	w := 0
	for i, c := range out {
		if i == 0 || c != out[w-1] {
			out[w] = c
			w++
		}
	}
	return out[:w]
}

// ShortTeam finds the first unit of the pool (tier by tier, in each
// tier's order) with fewer inspectors free of conflicts than a team
// needs: its code and how many are eligible there. ok is false when every
// unit of the pool can have a team, so that a draw committed to can
// always run whichever units it selects.
func (d *Draw) ShortTeam() (unit string, eligible int, ok bool) {
	if d.TeamSize <= 0 {
		return "", 0, false
	}
	ix := newRecusalIndex(d.Inspectors)
	n := len(d.Inspectors)
	var recused []int
	for _, t := range d.Tiers {
		for _, u := range t.Units {
			recused = ix.recused(u, recused[:0])
			if m := n - len(recused); m < d.TeamSize {
				return u, m, true
			}
		}
	}
	return "", 0, false
}
