package calendar_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"lighten/internal/calendar"
)

func TestParseErrors(t *testing.T) {
	const ny = `"2026-01-01": "New Year's Day,元旦,1"`
	for _, tc := range []struct {
		name, file string
		want       []string // each must appear in the error
	}{
		{"empty", ``, []string{"ends too early"}},
		{"not JSON", `holidays: 2026-01-01`, []string{"not valid JSON", "byte"}},
		{"a list", `[]`, []string{"expected a JSON object", "a list"}},
		{"no days", `{}`, []string{"lists no days"}},
		{"unknown key", `{"holiday": {}}`, []string{`unknown key "holiday"`, `"holidays"`}},
		{"key twice", `{"holidays": {` + ny + `}, "holidays": {}}`, []string{`"holidays" appears twice`}},
		{"map is a list", `{"holidays": ["2026-01-01"]}`, []string{"holidays: expected an object of dates", "a list"}},
		{"value is a number", `{"holidays": {"2026-01-01": 1}}`, []string{"holidays: 2026-01-01", "expected a string", "the number 1"}},
		{"value is null", `{"workdays": {"2026-01-04": null}}`, []string{"workdays: 2026-01-04", "null"}},
		{"trailing data", `{"holidays": {` + ny + `}} {}`, []string{"after the end"}},
		{"truncated", `{"holidays": {` + ny, []string{"ends too early"}},
		{"bad date", `{"holidays": {` + ny + `, "2026-02-30": "Spring Festival,春节,4"}}`, []string{"holidays", `"2026-02-30"`, "not a date of the calendar"}},
		{"date format", `{"holidays": {` + ny + `, "2026/02/17": "Spring Festival,春节,4"}}`, []string{"holidays", `"2026/02/17"`, "YYYY-MM-DD"}},
		{"value fields", `{"holidays": {` + ny + `, "2026-02-17": "Spring Festival"}}`, []string{"holidays: 2026-02-17", `"English name,中文名,days"`}},
		{"days not a number", `{"holidays": {` + ny + `, "2026-02-17": "Spring Festival,春节,four"}}`, []string{"holidays: 2026-02-17", "whole number"}},
		{"no Chinese name", `{"holidays": {` + ny + `, "2026-02-17": "Spring Festival,,4"}}`, []string{"holidays: 2026-02-17", "中文名", "empty"}},
		{"date twice", `{"holidays": {` + ny + `, ` + ny + `}}`, []string{"holidays: 2026-01-01 is listed twice"}},
		{"off and worked", `{"holidays": {` + ny + `}, "workdays": {` + ny + `}}`, []string{"2026-01-01 is listed both in holidays and in workdays"}},
		{"worked Monday", `{"holidays": {` + ny + `}, "workdays": {"2026-02-16": "Spring Festival,春节,4"}}`, []string{"workdays: 2026-02-16 is a Monday", "Saturday or a Sunday"}},
		{"in lieu, not off", `{"holidays": {` + ny + `}, "inLieuDays": {"2026-01-02": "New Year's Day,元旦,1"}}`, []string{"inLieuDays: 2026-01-02 is not listed in holidays"}},
		{"in lieu, other name", `{"holidays": {` + ny + `}, "inLieuDays": {"2026-01-01": "New Year,元旦,1"}}`, []string{"inLieuDays: 2026-01-01", `"New Year's Day,元旦,1"`}},
		{"part of a year", `{"holidays": {"2027-05-01": "Labour Day,劳动节,2"}}`, []string{"year 2027", "2027-05-01", "2027-01-01 is not listed"}},
		{"December without its year", `{"holidays": {` + ny + `, "2026-12-31": "New Year's Day,元旦,1"}}`, []string{"year 2027", "2026-12-31", "December days belong to the next year"}},
		{"year out of range", `{"holidays": {"1900-01-01": "New Year's Day,元旦,1"}}`, []string{"1900-01-01", "from 1949"}},
		{"statutory days", `{"holidays": {"2026-01-01": "New Year's Day,元旦,99"}}`, []string{"99 statutory days"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := calendar.Parse(strings.NewReader(tc.file))
			if err == nil {
				t.Fatalf("accepted %s", tc.file)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// Many faults are reported at once, in the order of the file, and capped.
func TestParseManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"holidays": {"2026-01-01": "New Year's Day,元旦,1"`)
	for i := 1; i <= 30; i++ {
		b.WriteString(`, "2026-03-` + string(rune('0'+i/10)) + string(rune('0'+i%10)) + `": "x"`)
	}
	b.WriteString(`}}`)
	_, err := calendar.Parse(strings.NewReader(b.String()))
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 21 || !strings.Contains(lines[0], "2026-03-01") || !strings.Contains(lines[20], "and 10 more") {
		t.Fatalf("%d lines: %s", len(lines), err)
	}
}

func TestParseTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte(" "), calendar.MaxFileSize+1)
	if _, err := calendar.Parse(bytes.NewReader(big)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("a 4 MiB file: %v", err)
	}
}

// An English name may hold commas; the fields are cut from the right.
func TestParseCommaInName(t *testing.T) {
	c := parse(t, `{"holidays": {"2026-01-01": "New Year's Day, observed,元旦,1"}}`)
	if n, _ := c.Holiday(date(t, "2026-01-01")); n.EN != "New Year's Day, observed" || n.ZH != "元旦" {
		t.Fatalf("%+v", n)
	}
}

func FuzzParse(f *testing.F) {
	// One real year rather than the whole embedded file: the fuzzer
	// minimises every new input, which takes long on 37 KB.
	y2026, err := calendar.New(calendar.Default().DaysIn(2026))
	if err != nil {
		f.Fatal(err)
	}
	data, err := json.Marshal(y2026)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(year2027))
	f.Add([]byte(`{"holidays": {"2018-12-31": "New Year's Day,元旦,1", "2019-01-01": "New Year's Day,元旦,1"}, "workdays": {"2018-12-29": "New Year's Day,元旦,1"}, "inLieuDays": {"2018-12-31": "New Year's Day,元旦,1"}}`))
	f.Add([]byte(`{"holidays": {"2026-01-01": "a,b,c,d,1"}}`))
	f.Add([]byte(`{"holidays": {"2026-01-01": 1}}`))
	f.Add([]byte(`{"workdays": {"2026-02-16": "x,y,1"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := calendar.Parse(bytes.NewReader(b))
		if err != nil {
			if c != nil || err.Error() == "" {
				t.Fatal("an error with a calendar, or without a message")
			}
			return
		}
		// What was accepted is whole years that write and read back alike.
		for _, d := range c.Days() {
			if !c.Covers(d.Date.Year()) && d.Date.Month() != 12 {
				t.Fatalf("%s listed in an uncovered year", d.Date)
			}
			if got := c.Kind(d.Date); got != d.Kind {
				t.Fatalf("%s listed as %v, Kind says %v", d.Date, d.Kind, got)
			}
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := calendar.Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("written calendar does not read back: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back.Days(), c.Days()) || !reflect.DeepEqual(back.Years(), c.Years()) {
			t.Fatalf("calendar changed in writing and reading:\n%s", out)
		}
	})
}
