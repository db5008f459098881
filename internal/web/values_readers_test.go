package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
)

// Every route that returns values follows one readers rule, with the
// caller's own office: an issuer of another office, who may see the report,
// does not read a restricted element's values anywhere, while the offices
// its readers name do. Before, the answer (JSON, CSV, Excel) checked the
// readers against the report's office.
func TestValueReadersRuleOnEveryRoute(t *testing.T) {
	t.Parallel()
	storetestEach(t, func(t *testing.T, f *fixture) {
		stats, _, statsToken := f.issuerIn("tongji", "430922")
		health, _, healthToken := f.issuerIn("weijian", "430922")
		_, _, civilToken := f.issuerIn("minzheng", "430922")
		_, burden := f.person("jianfu", "430922", "burden@430922")
		_, village := f.person("cun", "430922100201", "cadre@430922100201")
		for _, e := range []collect.Element{
			{Code: "SECRET", Name: "低保户数", Type: collect.Integer, Period: collect.Year, ValidDays: 365, Owner: stats.ID, Readers: []int64{health.ID}},
			{Code: "OPEN", Name: "户数", Type: collect.Integer, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
		} {
			if status, body := f.do("POST", "/api/v1/elements", burden, e); status != 201 {
				t.Fatalf("element %s: %d %s", e.Code, status, body)
			}
		}
		_, body := f.do("POST", "/api/v1/demands", statsToken, villageReport(demandInput(""), "SECRET", "OPEN"))
		rec := decodeJSON[store.DemandRecord](t, body)
		_, body = f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", statsToken, nil)
		if d := decodeJSON[CheckResult](t, body).Demand; d.Status != gate.Admitted {
			t.Fatalf("report: %s", body)
		}
		id := itoa(rec.ID)
		status, body := f.do("POST", "/api/v1/units/430922100201/reports/"+id+"/submission", village,
			collect.Submission{Values: map[string]string{"SECRET": "7301", "OPEN": "120"}})
		if status != 201 {
			t.Fatalf("submit: %d %s", status, body)
		}
		year := collect.PeriodOf(collect.Year, rec.Due)

		// reads runs every value route for a caller: whether it answered
		// and whether SECRET's value (7301) or OPEN's (120) is in it.
		type read struct {
			status         int
			secret, opened bool
		}
		has := func(b []byte, v string) bool { return bytes.Contains(b, []byte(v)) }
		routes := map[string]func(token string) read{
			"answer": func(token string) read {
				s, b := f.send("GET", "/api/v1/reports/"+id+"/answer", token, "", nil)
				return read{s, has(b, `"7301"`), has(b, `"120"`)}
			},
			"answer csv": func(token string) read {
				s, b := f.send("GET", "/api/v1/reports/"+id+"/answer?format=csv", token, "", nil)
				return read{s, has(b, ",SECRET,"+year+",7301,"), has(b, ",OPEN,"+year+",120,")}
			},
			"answer.xlsx": func(token string) read {
				s, b := f.send("GET", "/api/v1/reports/"+id+"/answer.xlsx", token, "", nil)
				if s != 200 {
					return read{status: s}
				}
				x, err := excelize.OpenReader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				defer x.Close()
				rows, _ := x.GetRows(x.GetSheetName(0))
				all := ""
				for _, r := range rows {
					all += "\n" + strings.Join(r, "\t")
				}
				return read{s, strings.Contains(all, "SECRET") || strings.Contains(all, "7301"), strings.Contains(all, "\t120")}
			},
			"dhis2 json": func(token string) read {
				s, b := f.send("GET", "/api/v1/dhis2/dataValueSets?dataElement=SECRET&period="+year+"&orgUnit=430922100&children=true", token, "", nil)
				_, o := f.send("GET", "/api/v1/dhis2/dataValueSets?dataElement=OPEN&period="+year+"&orgUnit=430922100&children=true", token, "", nil)
				return read{s, has(b, `"7301"`), has(o, `"120"`)}
			},
			"dhis2 csv": func(token string) read {
				s, b := f.send("GET", "/api/v1/dhis2/dataValueSets?format=csv&dataElement=SECRET&period="+year+"&orgUnit=430922100201", token, "", nil)
				_, o := f.send("GET", "/api/v1/dhis2/dataValueSets?format=csv&dataElement=OPEN&period="+year+"&orgUnit=430922100201", token, "", nil)
				return read{s, has(b, ",7301,"), has(o, ",120,")}
			},
			"history": func(token string) read {
				s, b := f.send("GET", "/api/v1/units/430922100201/values/SECRET?period="+year, token, "", nil)
				_, o := f.send("GET", "/api/v1/units/430922100201/values/OPEN?period="+year, token, "", nil)
				return read{s, has(b, `"7301"`), has(o, `"120"`)}
			},
		}
		for name, route := range routes {
			// The other office sees the report, and what it may read of it,
			// but never the restricted element's values.
			if got := route(civilToken); got.secret || !got.opened {
				t.Errorf("%s, another office: %+v", name, got)
			}
			// The office the readers name, the owner and the burden office
			// read them.
			for who, token := range map[string]string{"reader": healthToken, "owner": statsToken, "burden": burden} {
				if got := route(token); got.status != 200 || !got.secret || !got.opened {
					t.Errorf("%s, %s: %+v", name, who, got)
				}
			}
		}
		// The refusals name the element and the reason.
		for _, path := range []string{"/api/v1/units/430922100201/values/SECRET?period=" + year,
			"/api/v1/dhis2/dataValueSets?dataElement=SECRET&period=" + year + "&orgUnit=430922100201"} {
			if status, body := f.send("GET", path, civilToken, "", nil); status != 403 || !strings.Contains(string(body), "element SECRET") {
				t.Errorf("%s: %d %s", path, status, body)
			}
		}
		// What another office may read, it reads in history and DHIS2 alike.
		for _, path := range []string{"/api/v1/units/430922100201/values/OPEN?period=" + year,
			"/api/v1/dhis2/dataValueSets?dataElement=OPEN&period=" + year + "&orgUnit=430922100201"} {
			if status, body := f.send("GET", path, civilToken, "", nil); status != 200 || !strings.Contains(string(body), "120") {
				t.Errorf("%s: %d %s", path, status, body)
			}
		}
		// The unit's own people read its values, shown in its form as known;
		// an issuer of another office is not shown the unit's form at all.
		for _, p := range []string{"", "/form.xlsx"} {
			path := "/api/v1/units/430922100201/reports/" + id + p
			if status, body := f.send("GET", path, civilToken, "", nil); status != 403 || bytes.Contains(body, []byte("7301")) {
				t.Errorf("%s, another office: %d", path, status)
			}
		}
		status, body = f.send("GET", "/api/v1/units/430922100201/reports/"+id, village, "", nil)
		if form := decodeJSON[ReportForm](t, body); status != 200 || form.Known != 2 || !bytes.Contains(body, []byte(`"7301"`)) {
			t.Errorf("the village's own form: %d %s", status, body)
		}
	})
}
