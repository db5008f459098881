package store

import (
	"reflect"
	"testing"
	"time"
)

// A reader is caught up to the highest id it read; the runs missing below
// it are remembered, shrink or split as their ids are found, and are let go
// after gapWait; runs at or below the furthest it ever read that it does
// not remember were let go before.
func TestIDFollower(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	scan := func(upto int64, ids ...int64) gapScan {
		g := newGapScan(upto)
		for _, id := range ids {
			g.saw(id)
		}
		return g
	}
	var f idFollower
	// Nothing missing.
	f.update(scan(10, 11, 12, 13), nil, t0)
	if f.settled != 13 || f.gaps != nil {
		t.Fatalf("no gap: %+v", f)
	}
	// 15–17 and 19 missing.
	f.update(scan(13, 14, 18, 20), nil, t0)
	want := []idGap{{15, 17, t0}, {19, 19, t0}}
	if f.settled != 20 || !reflect.DeepEqual(f.gaps, want) {
		t.Fatalf("two runs: %+v", f)
	}
	// A minute later 16 and 19 turned up, and 21–22 are missing above new ids.
	t1 := t0.Add(time.Minute)
	f.update(scan(20, 23), []int64{19, 16}, t1)
	want = []idGap{{15, 15, t0}, {17, 17, t0}, {21, 22, t1}}
	if f.settled != 23 || !reflect.DeepEqual(f.gaps, want) {
		t.Fatalf("runs split and filled: %+v", f)
	}
	// Past gapWait the first runs are taken as rolled back.
	t2 := t0.Add(gapWait)
	f.update(scan(23), nil, t2)
	want = []idGap{{21, 22, t1}}
	if f.settled != 23 || !reflect.DeepEqual(f.gaps, want) {
		t.Fatalf("old runs let go: %+v", f)
	}
	// Read again from further back (a build of the sets): runs at or below
	// settled are not taken for new, one crossing it only above it.
	f.update(scan(5, 7, 16, 30), nil, t2)
	want = []idGap{{21, 22, t1}, {24, 29, t2}}
	if f.settled != 30 || !reflect.DeepEqual(f.gaps, want) {
		t.Fatalf("read again from further back: %+v", f)
	}
}
