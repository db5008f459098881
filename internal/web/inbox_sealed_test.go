package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"lighten/internal/gate"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// An admitted inspection never reaches its units' inboxes or digests: the
// unit and its township are not told in advance (visit.sealed). A research
// visit is delivered as any demand.
func TestInboxKeepsInspectionsOut(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			const village = "430922100201"
			_, cadre := f.person("cun", village, "cadre@"+village)
			_, town := f.person("zhen", "430922100", "cadre@430922100")
			day := func(d, h int) time.Time { return time.Date(2026, 6, d, h, 0, 0, 0, gate.China) }
			insp := f.demand(t, &gate.Demand{OfficeID: e.office.ID, IssuerUnit: "430922", Kind: gate.Visit, Title: "安全生产暗访抽查",
				Body: "按年度计划随机抽查，不听汇报、不用陪同。", Targets: gate.Targets{Level: units.Village, Under: "430922"},
				Start: day(9, 9), End: day(9, 11), Visit: &gate.VisitInfo{Plan: visitItemCode}}, true)
			research := f.demand(t, &gate.Demand{OfficeID: e.office.ID, IssuerUnit: "430922", Kind: gate.Visit, Title: "乡村治理专题调研",
				Body: "座谈了解村级事务。", Targets: gate.Targets{Units: []string{village}},
				Start: day(17, 9), End: day(17, 11), Visit: &gate.VisitInfo{Research: true}}, true)
			if insp.Status != gate.Admitted || research.Status != gate.Admitted {
				t.Fatalf("not admitted: inspection %s %+v, research %s %+v", insp.Status, insp.Findings, research.Status, research.Findings)
			}
			for _, who := range []struct{ token, code string }{{cadre, village}, {town, "430922100"}, {cadre, village}} {
				status, body := f.do("GET", "/api/v1/units/"+who.code+"/inbox", who.token, nil)
				if status != http.StatusOK || strings.Contains(string(body), "安全生产暗访抽查") {
					t.Errorf("inbox of %s shows the inspection: %d %s", who.code, status, body)
				}
			}
			status, body := f.do("GET", "/api/v1/units/"+village+"/inbox", cadre, nil)
			if status != http.StatusOK || !strings.Contains(string(body), "乡村治理专题调研") {
				t.Errorf("the village's inbox lacks the research visit: %d %s", status, body)
			}
			// Marking the inspection done is not possible: it is not there.
			if status, body = f.do("POST", "/api/v1/units/"+village+"/inbox/"+itoa(insp.ID)+"/done", cadre, map[string]string{}); status < 400 || status >= 500 {
				t.Errorf("done on a sealed inspection: %d %s", status, body)
			}
			c := f.uiClient("zh")
			c.signIn("cun")
			r := c.get("/units/" + village + "/inbox")
			uiMust(t, r, http.StatusOK, "乡村治理专题调研")
			uiMustNot(t, r, "安全生产暗访抽查")
			for _, week := range []string{"2026-06-08", "2026-06-15"} {
				r = c.get("/units/" + village + "/digest?week=" + week)
				uiMustNot(t, r, "安全生产暗访抽查")
				if week == "2026-06-15" {
					uiMust(t, r, http.StatusOK, "乡村治理专题调研")
				}
			}
		})
	}
}
