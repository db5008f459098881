package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

func villageReport(in DemandInput, elements ...string) DemandInput {
	in.Targets = gate.Targets{Level: units.Village, Under: "430922100"}
	in.Asks.Fields = nil
	for _, e := range elements {
		in.Asks.Fields = append(in.Asks.Fields, gate.Field{Name: e, Element: e})
	}
	return in
}

// A figure is collected once: the statistics bureau's report is filled in,
// and the civil affairs bureau's report that follows arrives prefilled.
func TestCollectOnce(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		stats, _, statsToken := f.issuerIn("tongji", "430922")
		_, _, civilToken := f.issuerIn("minzheng", "430922")
		_, burden := f.person("jianfu", "430922", "burden@430922")
		_, village := f.person("cun", "430922100201", "cadre@430922100201")
		_, town := f.person("zhen", "430922100", "cadre@430922100")
		ptr := func(v float64) *float64 { return &v }
		for _, e := range []collect.Element{
			{Code: "HH", Name: "户数", NameEN: "Households", Type: collect.Integer, Measure: "户", Period: collect.Year, ValidDays: 365, Owner: stats.ID, Min: ptr(0)},
			{Code: "POP", Name: "户籍人口", NameEN: "Registered population", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Owner: stats.ID, Min: ptr(0)},
			{Code: "DIBAO", Name: "低保户数", NameEN: "Households on subsistence allowance", Type: collect.Integer, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
		} {
			if status, body := f.do("POST", "/api/v1/elements", burden, e); status != 201 {
				t.Fatalf("element %s: %d %s", e.Code, status, body)
			}
		}
		if status, body := f.do("POST", "/api/v1/element-rules", burden, collect.Rule{Left: "HH", Op: "<=", Right: "POP"}); status != 201 {
			t.Fatalf("rule: %d %s", status, body)
		}
		submit := func(token string, in DemandInput) *store.DemandRecord {
			_, body := f.do("POST", "/api/v1/demands", token, in)
			rec := decodeJSON[store.DemandRecord](t, body)
			_, body = f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", token, nil)
			return decodeJSON[CheckResult](t, body).Demand
		}
		first := submit(statsToken, villageReport(demandInput(""), "HH", "POP"))
		if first.Status != gate.Admitted {
			t.Fatalf("first report: %+v", first)
		}
		path := "/api/v1/units/430922100201/reports/" + itoa(first.ID) + "/submission"
		// Broken submissions store nothing and say what is wrong.
		for name, c := range map[string]struct {
			values map[string]string
			want   string
		}{
			"wrong type":   {map[string]string{"HH": "many", "POP": "500"}, "not a whole number"},
			"missing":      {map[string]string{"HH": "120"}, "required"},
			"extra":        {map[string]string{"HH": "120", "POP": "500", "CARS": "3"}, "does not ask"},
			"rule":         {map[string]string{"HH": "600", "POP": "500"}, "must be <="},
			"below min":    {map[string]string{"HH": "-1", "POP": "500"}, "below the minimum"},
			"formula text": {map[string]string{"HH": "=SUM(A1)", "POP": "500"}, "not a whole number"},
		} {
			status, body := f.do("POST", path, village, collect.Submission{Values: c.values})
			if status != 400 || !strings.Contains(string(body), c.want) || !strings.Contains(string(body), "430922100201") {
				t.Errorf("%s: %d %s", name, status, body)
			}
		}
		if h, _ := f.db.History(context.Background(), "430922100201", "HH", "2026"); len(h) != 0 {
			t.Fatalf("stored after refused submissions: %v", h)
		}
		ok := collect.Submission{Values: map[string]string{"HH": "120", "POP": "480"}, Key: "phone-1"}
		status, body := f.do("POST", path, village, ok)
		if res := decodeJSON[SubmissionResult](t, body); status != 201 || res.Values != 2 {
			t.Fatalf("submit: %d %s", status, body)
		}
		// A retry with the same key stores it once.
		status, body = f.do("POST", path, village, ok)
		if res := decodeJSON[SubmissionResult](t, body); status != 200 || !res.Duplicate {
			t.Fatalf("retry: %d %s", status, body)
		}
		// The township submits for its other village in bulk, as CSV.
		csvBody := "unit,element,value\n430922100202,HH,90\n430922100202,POP,300\n"
		req, _ := http.NewRequest("POST", f.ts.URL+"/api/v1/reports/"+itoa(first.ID)+"/submissions", bytes.NewBufferString(csvBody))
		req.Header.Set("Authorization", "Bearer "+town)
		req.Header.Set("Content-Type", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("bulk: %v %v", resp.StatusCode, err)
		}
		resp.Body.Close()
		_, body = f.do("GET", "/api/v1/reports/"+itoa(first.ID)+"/completeness?under=430922", statsToken, nil)
		cv := decodeJSON[CompletenessView](t, body)
		if cv.Total.Expected != 2 || cv.Total.Submitted != 2 || cv.Total.OnTime != 2 || len(cv.Children) != 1 {
			t.Fatalf("completeness: %s", body)
		}
		// Correcting a value keeps the earlier one.
		f.do("POST", path, village, collect.Submission{Values: map[string]string{"HH": "121", "POP": "480"}, Key: "phone-2"})
		if h, _ := f.db.History(context.Background(), "430922100201", "HH", "2026"); len(h) != 2 || h[0].Value != "121" || !h[0].Current || h[1].Current {
			t.Fatalf("history: %+v", h)
		}
		// The second office's report: POP is known for both villages, only DIBAO is asked.
		_, body = f.do("POST", "/api/v1/demands/check", civilToken, villageReport(demandInput(""), "POP", "DIBAO"))
		res := decodeJSON[CheckResult](t, body).Result
		if res.Prefilled != 2 || res.Burden.PerUnit != 3 || !strings.Contains(string(body), "once.known") {
			t.Fatalf("second report: %s", body)
		}
		second := submit(civilToken, villageReport(demandInput(""), "POP", "DIBAO"))
		_, body = f.do("GET", "/api/v1/units/430922100201/reports/"+itoa(second.ID), village, nil)
		form := decodeJSON[ReportForm](t, body)
		if form.Known != 1 || form.Asked != 1 || form.Fields[0].Known == nil || form.Fields[0].Known.Value != "480" {
			t.Fatalf("form: %s", body)
		}
		// Asking it all again reaches nobody: the issuer gets the data.
		third := submit(civilToken, villageReport(demandInput(""), "HH", "POP"))
		if !third.Answered || third.Status != gate.Admitted {
			t.Fatalf("fully known report: %+v", third)
		}
		_, body = f.do("GET", "/api/v1/units/430922100201/inbox?to="+workday(30).Format("2006-01-02"), village, nil)
		for _, it := range decodeJSON[Inbox](t, body).Items {
			if it.Demand.ID == third.ID {
				t.Fatal("an answered report reached the inbox")
			}
		}
		status, body = f.do("GET", "/api/v1/reports/"+itoa(third.ID)+"/answer?format=csv", civilToken, nil)
		if status != 200 || strings.Count(string(body), "\n") != 5 || !strings.Contains(string(body), "430922100202,花果山村,POP,2026,300") {
			t.Fatalf("answer: %d %s", status, body)
		}
	})
}
