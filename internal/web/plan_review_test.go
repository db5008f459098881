package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/visits"
)

// reviewPlan saves a plan of the visit env's office and puts it in review,
// as the gate does when an item goes to review.
func (e *visitEnv) reviewPlan(t *testing.T, code string) *visits.Plan {
	t.Helper()
	ctx := context.Background()
	it := e.plan.Items[0]
	it.ID, it.PlanID, it.DrawID, it.Code = 0, 0, 0, code
	p := &visits.Plan{OfficeID: e.office.ID, Year: 2026, Title: "待复核计划 " + code, Items: []visits.Item{it}}
	err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		if err := tx.SavePlan(ctx, p); err != nil {
			return err
		}
		return tx.SetPlanStatus(ctx, p.ID, visits.PlanReview)
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The burden office over the plan's office decides a plan in review, with
// a reason, by the API and on the plan's page; the plan's office and the
// burden office of another county do not; the queue lists the plans in
// review, and the plan's page shows the decision.
func TestPlanReview(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			_, burden := f.person("jianfu", "430922", "burden@430922")
			_, far := f.person("anhua", "430923", "burden@430923")
			p := e.reviewPlan(t, "RV-1")
			path := "/api/v1/plans/" + itoa(p.ID) + "/decision"

			if status, body := f.do("POST", path, e.token, PlanDecisionBody{Approve: true, Reason: "自己批准"}); status != http.StatusForbidden {
				t.Errorf("the plan's own office decides: %d %s", status, body)
			}
			if status, body := f.do("POST", path, far, PlanDecisionBody{Approve: true, Reason: "可以"}); status != http.StatusNotFound && status != http.StatusForbidden {
				t.Errorf("another county's burden office decides: %d %s", status, body)
			}
			status, body := f.do("POST", path, burden, PlanDecisionBody{Approve: true, Reason: " "})
			if status != http.StatusBadRequest || !strings.Contains(string(body), `"field":"reason"`) {
				t.Errorf("without a reason: %d %s", status, body)
			}
			status, body = f.do("POST", path, burden, PlanDecisionBody{Approve: true, Reason: "抽查比例合理，同意"})
			got := decodeJSON[visits.Plan](t, body)
			if status != http.StatusOK || got.Status != visits.PlanApproved || got.Decision == nil || got.Decision.Reason != "抽查比例合理，同意" {
				t.Fatalf("approve: %d %s", status, body)
			}
			// Decided once: a second decision is a conflict naming the plan.
			status, body = f.do("POST", path, burden, PlanDecisionBody{Approve: false, Reason: "再议"})
			if status != http.StatusConflict || !strings.Contains(string(body), "待复核计划 RV-1") || !strings.Contains(string(body), "只有待审核的计划") {
				t.Errorf("decided twice: %d %s", status, body)
			}
			// Once approved, its item can be drawn.
			if status, body = f.do("POST", "/api/v1/plans/"+itoa(p.ID)+"/items/"+itoa(got.Items[0].ID)+"/draw", e.token, nil); status != http.StatusCreated {
				t.Errorf("draw of the approved plan: %d %s", status, body)
			}

			// On the pages: the queue lists the plan; its page offers the
			// decision to the burden office only, and shows it afterwards.
			q := e.reviewPlan(t, "RV-2")
			page := "/plans/" + itoa(q.ID)
			c := f.uiClient("en")
			c.signIn("jianfu")
			uiMust(t, c.get("/review"), http.StatusOK, "Annual inspection plans in review", `href="`+page+`"`, "待复核计划 RV-2")
			uiMust(t, c.get(page), http.StatusOK, `action="`+page+`/decision"`, "Approve", "Refuse")
			o := f.uiClient("en")
			o.signIn("yingji")
			uiMustNot(t, o.get(page), `action="`+page+`/decision"`)
			uiMust(t, o.post(page+"/decision", url.Values{"decision": {"approve"}, "reason": {"自己批准"}}), http.StatusForbidden)
			uiMust(t, c.post(page+"/decision", url.Values{"decision": {"refuse"}, "reason": {""}}), http.StatusBadRequest, "reason")
			r := c.post(page+"/decision", url.Values{"decision": {"refuse"}, "reason": {"检查频次过高，请压减"}})
			if r.status != http.StatusSeeOther || r.location != page+"?done=decided" {
				t.Fatalf("refuse on the page: %d %s %s", r.status, r.location, r.body)
			}
			uiMust(t, c.get(page+"?done=decided"), http.StatusOK, "The decision is recorded.", "检查频次过高，请压减", "Decided by jianfu", "Refused")
			uiMustNot(t, c.get(page), `action="`+page+`/decision"`)
			uiMustNot(t, c.get("/review"), "待复核计划 RV-2")
			zh := f.uiClient("zh")
			zh.signIn("yingji")
			uiMust(t, zh.get(page), http.StatusOK, "减负办的决定", "检查频次过高，请压减")
		})
	}
}
