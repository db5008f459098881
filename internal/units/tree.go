package units

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Tree is an in-memory index of the whole unit tree, built from the store and
// rebuilt when the store's version of the tree changes. The database stays the
// truth; the tree answers lookups, children, subtree counts and name search
// without a query.
//
// Units are kept ordered by level, then by code, so that the units of one
// level under one code prefix form a contiguous run: subtree counts and child
// listings are two binary searches.
type Tree struct {
	version int64
	units   []Unit
	start   [Village + 2]int // units[start[l]:start[l+1]] are the units of level l

	uni map[rune][]int32   // rune -> units whose name contains it, ascending
	bi  map[uint64][]int32 // rune pair -> units whose name contains it, ascending
}

// NewTree builds the index. units may come in any order.
func NewTree(version int64, all []Unit) *Tree {
	us := make([]Unit, len(all))
	copy(us, all)
	sort.Slice(us, func(i, j int) bool {
		if us[i].Level != us[j].Level {
			return us[i].Level < us[j].Level
		}
		return us[i].Code < us[j].Code
	})
	t := &Tree{version: version, units: us, uni: map[rune][]int32{}, bi: map[uint64][]int32{}}
	l := Province
	t.start[Country], t.start[Province] = 0, 0
	for i, u := range us {
		for l < u.Level {
			l++
			t.start[l] = i
		}
	}
	for l < Village+1 {
		l++
		t.start[l] = len(us)
	}
	for i, u := range us {
		var prev rune = -1
		seen := map[uint64]bool{}
		for _, r := range u.Name {
			if p := t.uni[r]; len(p) == 0 || p[len(p)-1] != int32(i) {
				t.uni[r] = append(p, int32(i))
			}
			if prev >= 0 {
				k := pair(prev, r)
				if !seen[k] {
					seen[k] = true
					t.bi[k] = append(t.bi[k], int32(i))
				}
			}
			prev = r
		}
	}
	return t
}

func pair(a, b rune) uint64 { return uint64(a)<<32 | uint64(uint32(b)) }

// Version is the store's version of the tree this index was built from.
func (t *Tree) Version() int64 { return t.version }

// Len is the number of units.
func (t *Tree) Len() int { return len(t.units) }

func (t *Tree) level(l Level) []Unit {
	if !l.Valid() {
		return nil
	}
	return t.units[t.start[l]:t.start[l+1]]
}

// prefixRange returns the half-open range within level l of codes beginning
// with prefix.
func (t *Tree) prefixRange(l Level, prefix string) (int, int) {
	us := t.level(l)
	lo := sort.Search(len(us), func(i int) bool { return us[i].Code >= prefix })
	hi := lo + sort.Search(len(us)-lo, func(i int) bool { return !strings.HasPrefix(us[lo+i].Code, prefix) })
	return lo, hi
}

// Get finds a unit by code.
func (t *Tree) Get(code string) (Unit, bool) {
	l, ok := LevelOfCode(code)
	if !ok {
		return Unit{}, false
	}
	us := t.level(l)
	i := sort.Search(len(us), func(i int) bool { return us[i].Code >= code })
	if i < len(us) && us[i].Code == code {
		return us[i], true
	}
	return Unit{}, false
}

// Path is the chain of units from the province down to code, inclusive.
func (t *Tree) Path(code string) []Unit {
	var path []Unit
	for c := code; c != ""; c = ParentCode(c) {
		if u, ok := t.Get(c); ok {
			path = append(path, u)
		}
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
}

// levelBelow is the level of code's children ("" is the country).
func levelBelow(code string) Level {
	if code == "" {
		return Province
	}
	l, _ := LevelOfCode(code)
	return l + 1
}

// Children lists the direct children of code ("" for the provinces), from
// offset, at most limit of them, and says how many there are in all.
func (t *Tree) Children(code string, offset, limit int) ([]Unit, int) {
	l := levelBelow(code)
	if !l.Valid() {
		return nil, 0
	}
	lo, hi := t.prefixRange(l, code)
	total := hi - lo
	if offset < 0 {
		offset = 0
	}
	if offset >= total {
		return nil, total
	}
	end := hi
	if limit >= 0 && lo+offset+limit < hi {
		end = lo + offset + limit
	}
	out := make([]Unit, end-(lo+offset))
	copy(out, t.level(l)[lo+offset:end])
	return out, total
}

// SubtreeCounts counts the units below code ("" for the country) at each
// level; index 0 holds the total. code itself is not counted.
func (t *Tree) SubtreeCounts(code string) [Village + 1]int {
	var c [Village + 1]int
	for l := levelBelow(code); l.Valid(); l++ {
		lo, hi := t.prefixRange(l, code)
		c[l] = hi - lo
		c[0] += hi - lo
	}
	return c
}

// Query is a search of the tree.
type Query struct {
	Text  string // part of a name, or the beginning of a code
	Under string // restrict to this subtree; "" is the country
	Level Level  // restrict to one level; 0 for any
	Limit int
}

// Search finds units whose name contains q.Text, or whose code begins with
// it when it is all digits. Results come in tree order: higher levels first,
// then by code. more reports that further matches were cut by the limit.
func (t *Tree) Search(q Query) (found []Unit, more bool) {
	text := strings.TrimSpace(q.Text)
	if q.Limit <= 0 {
		q.Limit = 20
	}
	if text == "" {
		return nil, false
	}
	if isDigits(text) {
		if !strings.HasPrefix(text, q.Under) && !strings.HasPrefix(q.Under, text) {
			return nil, false
		}
		prefix := text
		if len(q.Under) > len(prefix) {
			prefix = q.Under
		}
		for l := Province; l <= Village; l++ {
			if q.Level != 0 && l != q.Level {
				continue
			}
			lo, hi := t.prefixRange(l, prefix)
			for _, u := range t.level(l)[lo:hi] {
				if len(found) == q.Limit {
					return found, true
				}
				found = append(found, u)
			}
		}
		return found, false
	}
	postings := t.candidates(text)
	// Within each level the units under q.Under are one run of indices, and
	// the postings are sorted, so a scoped search skips straight to it.
	for l := Province; l <= Village; l++ {
		if q.Level != 0 && l != q.Level {
			continue
		}
		lo, hi := t.prefixRange(l, q.Under)
		lo, hi = lo+t.start[l], hi+t.start[l]
		i := sort.Search(len(postings), func(i int) bool { return int(postings[i]) >= lo })
		for ; i < len(postings) && int(postings[i]) < hi; i++ {
			u := t.units[postings[i]]
			if !strings.Contains(u.Name, text) {
				continue
			}
			if len(found) == q.Limit {
				return found, true
			}
			found = append(found, u)
		}
	}
	return found, false
}

// candidates returns, in ascending order, a superset of the units whose name
// contains text: the shortest posting list among its runes and rune pairs.
func (t *Tree) candidates(text string) []int32 {
	var best []int32
	first := true
	consider := func(p []int32) {
		if first || len(p) < len(best) {
			best, first = p, false
		}
	}
	if utf8.RuneCountInString(text) == 1 {
		r, _ := utf8.DecodeRuneInString(text)
		return t.uni[r]
	}
	var prev rune = -1
	for _, r := range text {
		if prev >= 0 {
			consider(t.bi[pair(prev, r)])
		}
		prev = r
	}
	return best
}

// Under returns every unit of level l under code ("" for the country), in
// code order. The slice is the index's own: callers must not change it.
func (t *Tree) Under(l Level, code string) []Unit {
	if !l.Valid() {
		return nil
	}
	lo, hi := t.prefixRange(l, code)
	return t.level(l)[lo:hi:hi]
}

// Pos is a unit's position in the index (0 to Len()-1): a dense number for
// bitsets over units. Positions change when the tree does.
func (t *Tree) Pos(code string) (int, bool) {
	l, ok := LevelOfCode(code)
	if !ok {
		return 0, false
	}
	us := t.level(l)
	i := sort.Search(len(us), func(i int) bool { return us[i].Code >= code })
	if i < len(us) && us[i].Code == code {
		return t.start[l] + i, true
	}
	return 0, false
}

// UnderRange is the positions [lo, hi) of the units of level l under code,
// the same units as Under returns, in the same order.
func (t *Tree) UnderRange(l Level, code string) (int, int) {
	if !l.Valid() {
		return 0, 0
	}
	lo, hi := t.prefixRange(l, code)
	return t.start[l] + lo, t.start[l] + hi
}
