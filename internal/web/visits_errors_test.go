package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"lighten/internal/calendar"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// What a person can put right is answered 400 or 409 with a message in
// both languages naming it, never 500: a window without a working day or
// over two years, a window where nothing is drawn, a draw whose pool has a
// unit where too few inspectors are free of conflicts.
func TestVisitErrorsAnswer4xx(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			_, burden := f.person("jianfu", "430922", "burden@430922")
			for name, c := range map[string]struct {
				body   ScheduleBody
				status int
				texts  []string
			}{
				"weekend":     {ScheduleBody{Scope: "430922", From: "2026-06-13", To: "2026-06-14"}, 400, []string{"2026-06-13 to 2026-06-14 has no working day", "没有工作日"}},
				"over a year": {ScheduleBody{Scope: "430922", From: "2026-12-28", To: "2028-01-05"}, 400, []string{`"field":"to"`, "not be longer than a year"}},
				// A window across the year end is taken: here nothing is
				// drawn in it.
				"year end": {ScheduleBody{Scope: "430922", From: "2026-12-28", To: "2027-01-05"}, 409, []string{"Nothing is drawn under 430922 for 2026-12-28 to 2027-01-05"}},
				"nothing":  {ScheduleBody{Scope: "430922", From: "2026-07-06", To: "2026-07-10"}, 409, []string{"Nothing is drawn under 430922 for 2026-07-06 to 2026-07-10", "没有已抽取的计划事项"}},
			} {
				status, body := f.do("POST", "/api/v1/schedule-runs", burden, c.body)
				if status != c.status {
					t.Errorf("%s: %d %s", name, status, body)
				}
				for _, s := range c.texts {
					if !strings.Contains(string(body), s) {
						t.Errorf("%s: %q not in %s", name, s, body)
					}
				}
			}
			// Townships of 桃江县, in teams of two, from a register whose
			// three work in 修山镇: none may go to 修山镇.
			ctx := context.Background()
			p := &visits.Plan{OfficeID: e.office.ID, Year: 2026, Title: "乡镇检查计划", Items: []visits.Item{{
				Code: "XZ-1", Title: "乡镇专项检查", Kind: visits.Special, Scope: "430922", Level: units.Township, Rate: 0.5, Team: 2,
				From: calendar.NewDate(2026, 7, 6), To: calendar.NewDate(2026, 7, 10), Checklist: []visits.CheckItem{{Code: "C1", Text: "台账"}}}}}
			err := f.db.Write(ctx, store.System, func(tx *store.Tx) error {
				if err := tx.SavePlan(ctx, p); err != nil {
					return err
				}
				return tx.SetPlanStatus(ctx, p.ID, visits.PlanApproved)
			})
			if err != nil {
				t.Fatal(err)
			}
			status, body := f.do("POST", "/api/v1/plans/"+itoa(p.ID)+"/items/"+itoa(p.Items[0].ID)+"/draw", e.token, nil)
			if status != http.StatusConflict || !strings.Contains(string(body), "unit 430922101 has only 0 inspectors free of conflicts (of 3 in the register); a team needs 2") ||
				!strings.Contains(string(body), "单位 430922101 只有 0 名无需回避的检查人员") {
				t.Errorf("draw with every inspector recused: %d %s", status, body)
			}
			if got, _ := f.db.Plan(ctx, p.ID); got.Items[0].DrawID != 0 {
				t.Errorf("a draw was committed: %d", got.Items[0].DrawID)
			}
		})
	}
}
