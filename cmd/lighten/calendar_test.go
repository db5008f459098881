package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lighten/internal/i18n"
	"lighten/internal/store/storetest"
)

func calendarCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := cmdCalendar(context.Background(), i18n.EN, args, &out, &errOut)
	return out.String() + errOut.String(), err
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const calendar2027 = `{"holidays": {
	"2027-01-01": "New Year's Day,元旦,1", "2027-01-02": "New Year's Day,元旦,1", "2027-01-03": "New Year's Day,元旦,1",
	"2027-02-06": "Spring Festival,春节,4", "2027-02-07": "Spring Festival,春节,4", "2027-02-08": "Spring Festival,春节,4",
	"2027-02-09": "Spring Festival,春节,4", "2027-02-10": "Spring Festival,春节,4", "2027-02-11": "Spring Festival,春节,4",
	"2027-02-12": "Spring Festival,春节,4"},
	"workdays": {"2027-02-20": "Spring Festival,春节,4"},
	"inLieuDays": {"2027-02-12": "Spring Festival,春节,4"}}`

// An administrator loads 2027 on both databases, sees it, and a faulty file
// is refused whole, with its faults named.
func TestCalendarLoadShow(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			dsn := storetest.DSN(t, k)

			out, err := calendarCmd(t, "show", "--db", dsn, "2026")
			if err != nil {
				t.Fatalf("show 2026: %v\n%s", err, out)
			}
			for _, want := range []string{
				"2026 official calendar — built in",
				"2026-02-15 Sun – 2026-02-23 Mon   9 days  春节 Spring Festival  (in lieu: 02-20, 02-23)",
				"2026-10-01 Thu – 2026-10-07 Wed   7 days  国庆节 National Day",
				"2026-02-14 Sat  春节 Spring Festival",
				"2026-09-20 Sun  国庆节 National Day",
				"Working days: 248",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("show 2026 lacks %q:\n%s", want, out)
				}
			}

			out, err = calendarCmd(t, "show", "--db", dsn, "2027")
			if err != nil || !strings.Contains(out, "not loaded") || !strings.Contains(out, "Working days (weekends only): 261") {
				t.Fatalf("show 2027 before loading: %v\n%s", err, out)
			}

			// Flags may follow the file.
			out, err = calendarCmd(t, "load", writeFile(t, "2027.json", calendar2027), "--db", dsn)
			if err != nil || !strings.Contains(out, "loaded 2027 from") || !strings.Contains(out, "10 holiday(s) (1 in lieu), 1 make-up working day(s)") ||
				!strings.Contains(out, "2027: 256 working days") {
				t.Fatalf("load 2027: %v\n%s", err, out)
			}
			out, err = calendarCmd(t, "show", "--db", dsn, "2027")
			if err != nil || !strings.Contains(out, "loaded by an administrator") ||
				!strings.Contains(out, "2027-02-06 Sat – 2027-02-12 Fri   7 days  春节 Spring Festival  (in lieu: 02-12)") ||
				!strings.Contains(out, "2027-02-20 Sat  春节 Spring Festival") || !strings.Contains(out, "Working days: 256") {
				t.Fatalf("show 2027 after loading: %v\n%s", err, out)
			}

			// A worked Monday and an unreadable date: both named, nothing written.
			bad := `{"holidays": {"2028-01-01": "New Year's Day,元旦,1", "2028-02-31": "Spring Festival,春节,4"},
				"workdays": {"2028-01-03": "New Year's Day,元旦,1"}}`
			_, err = calendarCmd(t, "load", "--db", dsn, writeFile(t, "2028.json", bad))
			if err == nil {
				t.Fatal("a faulty file was loaded")
			}
			for _, want := range []string{"nothing was written", `holidays: "2028-02-31"`, "workdays: 2028-01-03 is a Monday"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if out, _ := calendarCmd(t, "show", "--db", dsn, "2028"); !strings.Contains(out, "not loaded") {
				t.Fatalf("after a refused file 2028 shows as\n%s", out)
			}
			out, err = runCmd(t, "", "audit", "verify", "--db", dsn)
			if err != nil || !strings.Contains(out, "intact: 1 records") {
				t.Fatalf("one load, one audit record: %v %s", err, out)
			}
		})
	}
}

func TestCalendarUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "say load FILE or show YEAR"},
		{[]string{"frob"}, `unknown command "frob"`},
		{[]string{"load"}, "one FILE expected, 0 given"},
		{[]string{"show", "2026", "2027"}, "one YEAR expected, 2 given"},
		{[]string{"show", "--db", filepath.Join(t.TempDir(), "x.db"), "next"}, `YEAR "next"`},
		{[]string{"load", "--db", filepath.Join(t.TempDir(), "x.db"), filepath.Join(t.TempDir(), "missing.json")}, "missing.json"},
	} {
		if _, err := calendarCmd(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("calendar %v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
