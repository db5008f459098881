package gate

import (
	"testing"

	"lighten/internal/collect"
	"lighten/internal/units"
)

func reportOf(elements ...string) *Demand {
	d := goodReport()
	d.Asks.Fields = nil
	for _, e := range elements {
		d.Asks.Fields = append(d.Asks.Fields, Field{Name: e, Element: e})
	}
	return d
}

func onceEnv() *testEnv {
	e := newEnv()
	e.elements["HH"] = &collect.Element{ID: 1, Code: "HH", Name: "户数", Type: collect.Integer, Period: collect.Year, Status: collect.Approved}
	e.elements["POP"] = &collect.Element{ID: 2, Code: "POP", Name: "户籍人口", Type: collect.Integer, Period: collect.Year, Status: collect.Approved}
	e.elements["NEW"] = &collect.Element{ID: 3, Code: "NEW", Name: "新数据元", Type: collect.Integer, Period: collect.Year, Status: collect.Proposed}
	return e
}

// known marks which villages (by position) hold a value of an element.
func (e *testEnv) markKnown(element, period string, villages ...string) {
	b := e.known[element+"@"+period]
	if b == nil {
		b = collect.NewBitset(e.tree.Len())
		e.known[element+"@"+period] = b
	}
	for _, v := range villages {
		p, ok := e.tree.Pos(v)
		if !ok {
			panic(v)
		}
		b.Set(p)
	}
}

func TestOnceKnownPrefillsAndStrips(t *testing.T) {
	e := onceEnv()
	e.markKnown("HH", "2026", "430922100201", "430922100202")
	r := run(t, e, reportOf("HH", "POP"))
	if r.Verdict != Admitted || !has(r, "once.known", Note) || r.Prefilled != 2 || r.Answered {
		t.Fatalf("partly known: %+v", r)
	}
	// Two villages are asked one field, the third both.
	want := map[string]int{"430922100201": 3, "430922100202": 3, "430922101201": 6}
	for i, u := range r.Units {
		if r.PerUnit[i] != want[u.Code] {
			t.Errorf("%s asked %d minutes, want %d", u.Code, r.PerUnit[i], want[u.Code])
		}
	}
	e.markKnown("POP", "2026", "430922100201", "430922100202", "430922101201")
	e.markKnown("HH", "2026", "430922101201")
	r = run(t, e, reportOf("HH", "POP"))
	if !r.Answered || !has(r, "once.empty", Note) || r.Burden.Total != 0 {
		t.Fatalf("all known: %+v", r)
	}
	// A value held for another period is not this period's.
	d := reportOf("HH")
	d.DataDate = at("2025-12-31", "00:00")
	if r := run(t, e, d); r.Prefilled != 0 {
		t.Fatalf("prefilled from another year: %+v", r)
	}
}

func TestOnceElementStatusAndOverlap(t *testing.T) {
	e := onceEnv()
	if r := run(t, e, reportOf("NEW")); r.Verdict != InReview || !has(r, "once.known", Review) {
		t.Fatalf("proposed element: %+v", r.Findings)
	}
	if r := run(t, e, reportOf("NOPE")); r.Verdict != Refused {
		t.Fatalf("unknown element: %+v", r.Findings)
	}
	e.overlaps["POP@2026"] = []Overlap{{DemandID: 7, Title: "人口统计", Targets: Targets{Level: units.Village, Under: "430922100"}}}
	if r := run(t, e, reportOf("POP")); r.Verdict != InReview || !has(r, "once.overlap", Review) {
		t.Fatalf("overlap: %+v", r.Findings)
	}
	// Another county's report on the same element does not overlap.
	e.overlaps["POP@2026"] = []Overlap{{DemandID: 8, Title: "人口统计", Targets: Targets{Units: []string{"430923100"}}}}
	if r := run(t, e, reportOf("POP")); has(r, "once.overlap", Review) {
		t.Fatalf("no overlap: %+v", r.Findings)
	}
}
