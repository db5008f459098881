package collect

import (
	"strings"
	"testing"
	"time"
)

func f(v float64) *float64 { return &v }

func TestNormalize(t *testing.T) {
	cases := []struct {
		e        Element
		raw, out string
		err      string
	}{
		{Element{Code: "HH", Type: Integer, Min: f(0)}, " 1,234 ", "1234", ""},
		{Element{Code: "HH", Type: Integer, Min: f(0)}, "-3", "-3", "below the minimum"},
		{Element{Code: "HH", Type: Integer}, "12.5", "", "not a whole number"},
		{Element{Code: "LAND", Type: Decimal, Max: f(100000)}, "3521.50", "3521.5", ""},
		{Element{Code: "LAND", Type: Decimal}, "NaN", "", "not a number"},
		{Element{Code: "NAME", Type: Text}, "=HYPERLINK(\"x\")", "", "formulas"},
		{Element{Code: "ROAD", Type: Choice, Choices: []string{"硬化", "未硬化"}}, "硬化", "硬化", ""},
		{Element{Code: "ROAD", Type: Choice, Choices: []string{"硬化", "未硬化"}}, "土路", "", "not one of"},
		{Element{Code: "DAY", Type: Date}, "2026-02-30", "", "not a date"},
		{Element{Code: "OK", Type: Bool}, "是", "true", ""},
		{Element{Code: "AT", Type: Point}, "28.52, 112.15", "28.52,112.15", ""},
		{Element{Code: "AT", Type: Point}, "north", "", "not a point"},
		{Element{Code: "HH", Type: Integer}, "  ", "", "empty"},
	}
	for _, c := range cases {
		got, err := c.e.Normalize(c.raw)
		if c.err == "" && (err != nil || got != c.out) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s %q: %q %v", c.e.Code, c.raw, got, err)
		}
	}
}

func TestPeriods(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, china)
	for pt, want := range map[PeriodType]string{Day: "2026-11-27", Week: "2026-W48", Month: "2026-11", Quarter: "2026Q4", Year: "2026", Once: "once"} {
		p := PeriodOf(pt, at)
		if p != want {
			t.Errorf("%s: %s, want %s", pt, p, want)
		}
		end, err := PeriodEnd(pt, p)
		if err != nil || !end.After(at) {
			t.Errorf("%s end %s %v", pt, end, err)
		}
		// The period's end is the start of the next one.
		if pt != Once && PeriodOf(pt, end.Add(-time.Second)) != p {
			t.Errorf("%s: the second before the end is not in %s", pt, p)
		}
	}
	for pt, bad := range map[PeriodType]string{Week: "2026-W60", Quarter: "2026Q5", Month: "2026-13", Year: "26"} {
		if _, err := PeriodEnd(pt, bad); err == nil {
			t.Errorf("%s %q accepted", pt, bad)
		}
	}
}

func TestCheckSubmission(t *testing.T) {
	asked := map[string]*Element{
		"HH":  {Code: "HH", Type: Integer, Min: f(0)},
		"POP": {Code: "POP", Type: Integer, Min: f(0)},
	}
	rules := []Rule{{Left: "HH", Op: "<=", Right: "POP"}}
	if out, errs := Check(Submission{Unit: "u", Values: map[string]string{"HH": "300", "POP": "1,000"}}, asked, nil, rules); errs != nil || out["POP"] != "1000" {
		t.Fatalf("good: %v %v", out, errs)
	}
	// POP is known: only HH is needed, and the rule uses the known value.
	if _, errs := Check(Submission{Unit: "u", Values: map[string]string{"HH": "1200"}}, asked, map[string]string{"POP": "1000"}, rules); len(errs) != 1 ||
		!strings.Contains(errs[0].Error(), "must be <=") {
		t.Fatalf("rule over a known value: %v", errs)
	}
	_, errs := Check(Submission{Unit: "430922112001", Values: map[string]string{"HH": "x", "CARS": "2"}}, asked, nil, rules)
	if len(errs) != 3 {
		t.Fatalf("want a wrong type, an extra and a missing value: %v", errs)
	}
	for _, e := range errs {
		if !strings.Contains(e.Error(), "430922112001") {
			t.Errorf("error does not name the unit: %v", e)
		}
	}
}

func TestElementValidate(t *testing.T) {
	for name, e := range map[string]Element{
		"space in code":   {Code: "A B", Name: "n", Type: Integer, Period: Year},
		"no name":         {Code: "A", Type: Integer, Period: Year},
		"unknown type":    {Code: "A", Name: "n", Type: "money", Period: Year},
		"unknown period":  {Code: "A", Name: "n", Type: Integer, Period: "decade"},
		"choice, no list": {Code: "A", Name: "n", Type: Choice, Period: Year},
		"min above max":   {Code: "A", Name: "n", Type: Integer, Period: Year, Min: f(5), Max: f(1)},
	} {
		if err := e.Validate(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestBitset(t *testing.T) {
	b := NewBitset(200)
	for _, i := range []int{0, 63, 64, 150, 199} {
		b.Set(i)
	}
	if !b.Has(64) || b.Has(65) || b.Count(0, 200) != 5 || b.Count(60, 151) != 3 {
		t.Fatalf("bitset %v", b)
	}
	b.Clear(64)
	if b.Has(64) || None.Has(3) {
		t.Fatal("clear")
	}
}
