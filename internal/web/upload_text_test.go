package web

import (
	"net/http"
	"strings"
	"testing"

	"lighten/internal/collect"
)

// TestUploadedTextRefusesControlCharacters: what a file brings (an
// element's name in a dictionary, a value or comment in DHIS2 data) is held
// to the same rule as what a form brings: NUL and other control characters
// are refused with where they are, on both databases (PostgreSQL answered
// 500 and SQLite stored them).
func TestUploadedTextRefusesControlCharacters(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		stats, _, statsToken := f.issuerIn("tongji", "430922")
		_, burden := f.person("jianfu", "430922", "burden@430922")
		for name, csv := range map[string]string{
			"NUL in a name":       "code,name,type,period,owner,status\nHH,户\x00数,integer,year," + itoa(stats.ID) + ",approved\n",
			"SOH in a measure":    "code,name,type,measure,period,owner,status\nHH,户数,integer,\x01户,year," + itoa(stats.ID) + ",approved\n",
			"NUL in a choice":     "code,name,type,choices,period,owner,status\nRD,通路,choice,是|\x00否,once," + itoa(stats.ID) + ",approved\n",
			"not UTF-8 in a name": "code,name,type,period,owner,status\nHH,\xff\xfe,integer,year," + itoa(stats.ID) + ",approved\n",
		} {
			status, body := f.send("POST", "/api/v1/elements/import", burden, "text/csv", []byte(csv))
			if status != http.StatusBadRequest || !strings.Contains(string(body), "control character") {
				t.Errorf("%s: %d %s", name, status, body)
			}
		}
		d, err := f.db.Dictionary(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Elements) != 0 {
			t.Fatalf("stored: %v", d.Elements)
		}

		for _, e := range []collect.Element{
			{Code: "HH", Name: "户数", Type: collect.Integer, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
			{Code: "NOTE", Name: "说明", Type: collect.Text, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
		} {
			if status, body := f.do("POST", "/api/v1/elements", burden, e); status != 201 {
				t.Fatalf("element %s: %d %s", e.Code, status, body)
			}
		}
		year := collect.PeriodOf(collect.Year, workday(10))
		for name, csv := range map[string]string{
			"NUL in a text value": "dataelement,period,orgunit,value\nNOTE," + year + ",430922100201,a\x00b\n",
			"ESC in a comment":    "dataelement,period,orgunit,value,comment\nHH," + year + ",430922100201,12,\x1b[31m\n",
		} {
			status, body := f.send("POST", "/api/v1/dhis2/dataValueSets", statsToken, "text/csv", []byte(csv))
			if status != http.StatusBadRequest || !strings.Contains(string(body), "control character") || !strings.Contains(string(body), `"row":2`) {
				t.Errorf("%s: %d %s", name, status, body)
			}
		}
	})
}
