package web

import (
	"strings"
	"testing"

	"lighten/internal/store/storetest"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// A plan item's code and an ad hoc draw's name never coincide, whichever
// comes first: a run finds an item's draw by its code.
func TestDrawNamesAndItemCodes(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			reveal := e.now.AddDate(0, 2, 0).Format("2006-01-02")
			// The fixture's plan item is drawn through its item only.
			status, body := f.do("POST", "/api/v1/draws", e.token, DrawBody{Plan: e.plan.Items[0].Code, Level: units.Village, Under: "430922",
				Rate: 0.1, MinPerTier: 1, RevealAfter: reveal})
			if status != 409 || !strings.Contains(string(body), `"field":"plan"`) {
				t.Fatalf("ad hoc draw named as an item: %d %s", status, body)
			}
			// An ad hoc draw's name, taken first, is no item's code.
			if status, body := f.do("POST", "/api/v1/draws", e.token, DrawBody{Plan: "AD-7", Level: units.Village, Under: "430922",
				Rate: 0.1, MinPerTier: 1, RevealAfter: reveal}); status != 201 {
				t.Fatalf("ad hoc draw: %d %s", status, body)
			}
			it := e.plan.Items[0]
			it.ID, it.PlanID, it.DrawID, it.Code = 0, 0, 0, "AD-7"
			status, body = f.do("POST", "/api/v1/plans", e.token, PlanBody{Year: 2026, Title: "临时抽取同名计划", Items: []visits.Item{it}})
			if status != 409 || !strings.Contains(string(body), `"field":"items[0].code"`) ||
				!strings.Contains(string(body), "计划事项编号“AD-7”已是临时抽取") || !strings.Contains(string(body), `Plan item code \"AD-7\" is already the name of ad hoc draw`) {
				t.Fatalf("item named as an ad hoc draw: %d %s", status, body)
			}
			it.Code = "AD-8"
			if status, body := f.do("POST", "/api/v1/plans", e.token, PlanBody{Year: 2026, Title: "另一编号的计划", Items: []visits.Item{it}}); status != 201 {
				t.Fatalf("another code: %d %s", status, body)
			}
		})
	}
}
