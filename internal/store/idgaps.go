package store

import "time"

// Caches caught up by id (fresh-value sets, completeness sets) read the
// rows whose id is above the highest they have applied. SQLite has one
// writer, so ids commit in order. PostgreSQL hands ids out from a sequence
// to transactions that commit in any order: having read id n, a reader may
// later see a smaller id commit. So on PostgreSQL a reader remembers the
// runs of ids missing below the highest it read (a transaction still open,
// or one rolled back) and takes itself as caught up only to just below the
// first of them, reading again from there the next time, until that run
// has been missing for gapWait, when it is taken as rolled back.
//
// A transaction open longer than gapWait, or one whose ids were handed out
// before a cache was built and which commits after, is missed until the
// cache is built again (an hour at most for fresh-value sets, a change of
// tree or due date for completeness).
const gapWait = 2 * time.Minute

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

// settle says up to which id the reader is caught up, and which runs it
// must remember. A run keeps the time it was first seen missing from the
// remembered runs it overlaps (runs only shrink or split as their ids
// commit); a run wholly at or below settled, the furthest the reader was
// ever caught up to, was let go before (a reader reading again from
// further back, as a build of its sets does) and is old. The first run
// less than gapWait old holds the reader back to just below it; it and
// every run above it are remembered, the older ones too, so that they are
// not taken for new when read again.
func (g *gapScan) settle(prev []idGap, settled int64, now time.Time) (upto int64, keep []idGap) {
	upto = g.next - 1
	first := -1
	j := 0
	for i := range g.runs {
		r := &g.runs[i]
		r.since = now
		if r.hi <= settled {
			r.since = time.Time{}
		}
		for j < len(prev) && prev[j].hi < r.lo {
			j++
		}
		for k := j; k < len(prev) && prev[k].lo <= r.hi; k++ {
			if prev[k].since.Before(r.since) {
				r.since = prev[k].since
			}
		}
		if first < 0 && now.Sub(r.since) < gapWait {
			first, upto = i, r.lo-1
		}
	}
	if first < 0 {
		return upto, nil
	}
	return upto, g.runs[first:]
}
