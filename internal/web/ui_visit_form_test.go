package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"lighten/internal/gate"
	"lighten/internal/store/storetest"
)

// The demand form sets every visit field the gate's rules read: the plan
// item, research, approval one by one with its reason, the share drawn,
// the team, a briefing and a reception.
func TestUIVisitDemandForm(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			c := f.uiClient("en")
			c.signIn("yingji")
			uiMust(t, c.get("/demands/new"), http.StatusOK, `name="visit_approval_reason"`, `name="visit_rate"`, `name="visit_team"`,
				`name="visit_briefing"`, `name="visit_reception"`)
			form := url.Values{"kind": {"visit"}, "title": {"安全生产专项检查"}, "body": {"按计划抽查。"}, "targets": {"spec"},
				"level": {"village"}, "under": {"430922"}, "start": {"2026-06-09T09:00"}, "end": {"2026-06-09T11:00"},
				"visit_plan": {visitItemCode}, "visit_rate": {"50"}, "visit_team": {"2"}, "visit_briefing": {"1"}, "visit_reception": {"1"}}
			// A briefing and a reception announce the visit: refused.
			r := c.post("/demands/check", form)
			uiMust(t, r, http.StatusOK, "<code>visit.sealed</code>", `name="visit_briefing" value="1" checked`, `value="50"`)
			form.Set("visit_rate", "150")
			uiMust(t, c.post("/demands/check", form), http.StatusBadRequest, "&#34;150&#34; is not a percentage")
			// Outside the plan, asking for approval one by one with a reason:
			// saved with every field, and sent to review on submission.
			form.Set("visit_rate", "50")
			form.Del("visit_briefing")
			form.Del("visit_reception")
			form.Del("visit_plan")
			form.Set("visit_approved", "1")
			form.Set("visit_approval_reason", "群众反映强烈，需专项督查")
			r = c.post("/demands", form)
			m := demandLocation.FindStringSubmatch(r.location)
			if r.status != http.StatusSeeOther || m == nil {
				t.Fatalf("save: %d %q %s", r.status, r.location, r.body)
			}
			id := mustID(t, m[1])
			rec, err := f.db.Demand(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			v := rec.Visit
			if v == nil || !v.Approved || v.ApprovalReason != "群众反映强烈，需专项督查" || v.Rate != 0.5 || v.Team != 2 || v.Briefing || v.Reception || v.Research {
				t.Fatalf("saved visit: %+v", v)
			}
			uiMust(t, c.get("/demands/"+m[1]), http.StatusOK, "群众反映强烈，需专项督查", "50%")
			uiMust(t, c.get("/demands/"+m[1]+"/edit"), http.StatusOK, `name="visit_approved" value="1" checked`, "群众反映强烈，需专项督查")
			r = c.post("/demands/"+m[1]+"/submit", url.Values{})
			if r.status != http.StatusSeeOther && r.status != http.StatusOK {
				t.Fatalf("submit: %d %s", r.status, r.body)
			}
			if rec, _ = f.db.Demand(context.Background(), id); rec.Status != gate.InReview {
				t.Fatalf("submitted: %s %+v", rec.Status, rec.Findings)
			}
			found := false
			for _, fd := range rec.Findings {
				found = found || fd.Rule == "visit.plan" && fd.Severity == gate.Review
			}
			if !found {
				t.Errorf("no visit.plan review finding: %+v", rec.Findings)
			}
		})
	}
}
