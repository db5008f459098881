package store

import (
	"reflect"
	"testing"
	"time"
)

// The runs of missing ids hold a reader back until they are gapWait old;
// a run keeps the time it was first missing as its ids commit; an old run
// above a young one is remembered, so that it is not taken for new.
func TestGapScan(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	scan := func(upto int64, ids ...int64) gapScan {
		g := newGapScan(upto)
		for _, id := range ids {
			g.saw(id)
		}
		return g
	}
	// Nothing missing: caught up to the last id read.
	g := scan(10, 11, 12, 13)
	if upto, keep := g.settle(nil, 0, t0); upto != 13 || keep != nil {
		t.Fatalf("no gap: %d %v", upto, keep)
	}
	// Nothing read: where it was.
	g = scan(10)
	if upto, keep := g.settle(nil, 0, t0); upto != 10 || keep != nil {
		t.Fatalf("nothing read: %d %v", upto, keep)
	}
	// 12–14 and 17 missing: held back below 12.
	g = scan(10, 11, 15, 16, 18)
	upto, keep := g.settle(nil, 0, t0)
	want := []idGap{{12, 14, t0}, {17, 17, t0}}
	if upto != 11 || !reflect.DeepEqual(keep, want) {
		t.Fatalf("two runs: %d %v", upto, keep)
	}
	// A minute later 13 committed: 12 and 14 keep the first time; 17 too.
	t1 := t0.Add(time.Minute)
	g = scan(11, 13, 15, 16, 18, 19)
	upto, keep = g.settle(keep, 0, t1)
	want = []idGap{{12, 12, t0}, {14, 14, t0}, {17, 17, t0}}
	if upto != 11 || !reflect.DeepEqual(keep, want) {
		t.Fatalf("a run split: %d %v", upto, keep)
	}
	// A new run (20–21) appears; then the old ones pass gapWait and are
	// taken as rolled back, the new one still holds the reader back, and
	// 17 is remembered with its own time.
	t2 := t0.Add(gapWait - time.Second)
	g = scan(11, 13, 15, 16, 18, 19, 22)
	upto, keep = g.settle(keep, 0, t2)
	if upto != 11 || len(keep) != 4 || keep[3] != (idGap{20, 21, t2}) {
		t.Fatalf("a new run: %d %v", upto, keep)
	}
	t3 := t0.Add(gapWait + time.Second)
	g = scan(11, 13, 15, 16, 18, 19, 22)
	upto, keep = g.settle(keep, 0, t3)
	want = []idGap{{20, 21, t2}}
	if upto != 19 || !reflect.DeepEqual(keep, want) {
		t.Fatalf("old runs let go: %d %v", upto, keep)
	}
	// An old run above a young one stays remembered with its time.
	g = scan(5, 7, 9)
	upto, keep = g.settle([]idGap{{8, 8, t0}}, 0, t3)
	want = []idGap{{6, 6, t3}, {8, 8, t0}}
	if upto != 5 || !reflect.DeepEqual(keep, want) {
		t.Fatalf("old run above a young one: %d %v", upto, keep)
	}
	// Read again from further back than it was ever caught up to (a build
	// of the sets), the reader takes a run at or below that mark as let go
	// before, and one above it as new.
	g = scan(100, 102, 105, 110)
	upto, keep = g.settle(nil, 104, t3)
	want = []idGap{{106, 109, t3}}
	if upto != 105 || !reflect.DeepEqual(keep, want) {
		t.Fatalf("read again from further back: %d %v", upto, keep)
	}
}
