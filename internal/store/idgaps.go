package store

import (
	"sort"
	"time"
)

// Caches caught up by id (fresh-value sets, completeness sets) read the
// rows whose id is above the highest they have applied. SQLite has one
// writer, so ids commit in order. PostgreSQL hands ids out from a sequence
// to transactions that commit in any order, and a rolled-back transaction
// leaves its ids unused for good: having read id n, a reader may later see
// a smaller id commit, or never. Gaps are normal there.
//
// So on PostgreSQL a reader takes itself as caught up to the highest id it
// read, and remembers the runs of ids missing below it (a transaction
// still open, or one rolled back). Each time it catches up it reads again
// only the ids of those runs, along the primary key, which costs next to
// nothing when they are still missing; a run is forgotten once every id of
// it has been read, or once it has been missing for gapWait, when it is
// taken as rolled back. Nothing waits for a gap, and what follows it is
// never read twice.
//
// A transaction open longer than gapWait, or one whose ids were handed out
// before a cache was built and which commits after, is missed until the
// cache is built again (an hour at most for fresh-value sets, a change of
// tree or due date for completeness).
const gapWait = 2 * time.Minute

// maxGaps bounds the runs remembered; beyond it the oldest are let go.
const maxGaps = 4096

// idGap is a run of missing ids, lo to hi inclusive, missing since a time.
type idGap struct {
	lo, hi int64
	since  time.Time
}

// gapScan follows the ids of one catch-up, read in increasing order.
type gapScan struct {
	next int64 // the next id expected
	runs []idGap
}

func newGapScan(upto int64) gapScan { return gapScan{next: upto + 1} }

// saw notes an id read.
func (g *gapScan) saw(id int64) {
	if id > g.next {
		g.runs = append(g.runs, idGap{lo: g.next, hi: id - 1})
	}
	g.next = max(g.next, id+1)
}

// idFollower is what a PostgreSQL reader by id remembers between
// catch-ups: the runs of ids missing below what it read, and the furthest
// it ever read (settled).
type idFollower struct {
	gaps    []idGap
	settled int64
}

// gapBounds lists the runs' bounds, for the query that reads them again.
func gapBounds(gaps []idGap) (lo, hi []int64) {
	lo, hi = make([]int64, len(gaps)), make([]int64, len(gaps))
	for i, g := range gaps {
		lo[i], hi[i] = g.lo, g.hi
	}
	return lo, hi
}

// update takes in one catch-up: the runs it found missing among the new
// ids it read (scan), and the ids it found when reading the remembered
// runs again (filled, in any order). Runs wholly at or below settled that
// are not remembered were let go before (a reader reading again from
// further back, as a build of its sets does) and stay let go.
func (f *idFollower) update(scan gapScan, filled []int64, now time.Time) {
	sort.Slice(filled, func(i, j int) bool { return filled[i] < filled[j] })
	var keep []idGap
	for _, g := range f.gaps {
		if now.Sub(g.since) >= gapWait {
			continue
		}
		keep = append(keep, split(g, filled)...)
	}
	for _, r := range scan.runs {
		if r.hi <= f.settled {
			continue
		}
		r.lo = max(r.lo, f.settled+1)
		r.since = now
		keep = append(keep, r)
	}
	sort.Slice(keep, func(i, j int) bool { return keep[i].lo < keep[j].lo })
	if len(keep) > maxGaps {
		sort.SliceStable(keep, func(i, j int) bool { return keep[i].since.After(keep[j].since) })
		keep = keep[:maxGaps]
		sort.Slice(keep, func(i, j int) bool { return keep[i].lo < keep[j].lo })
	}
	f.gaps = keep
	f.settled = max(f.settled, scan.next-1)
}

// split removes the ids found (sorted) from a run.
func split(g idGap, found []int64) []idGap {
	i := sort.Search(len(found), func(i int) bool { return found[i] >= g.lo })
	var out []idGap
	lo := g.lo
	for ; i < len(found) && found[i] <= g.hi; i++ {
		if found[i] > lo {
			out = append(out, idGap{lo: lo, hi: found[i] - 1, since: g.since})
		}
		lo = found[i] + 1
	}
	if lo <= g.hi {
		out = append(out, idGap{lo: lo, hi: g.hi, since: g.since})
	}
	return out
}
