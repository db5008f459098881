package web

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"lighten/internal/calendar"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
)

// TestScheduleRunsTellNothingOfSealedTeams: the register's keeper marks
// each inspector in turn away for the whole window and previews, then
// applies, a run over the sealed visit's window. Whether the inspector is
// on the sealed team or not, every answer is the same (but for the
// preview's opaque token), so the keeper cannot rebuild the team, nor
// locate the target, from the scheduler.
func TestScheduleRunsTellNothingOfSealedTeams(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := newVisitEnv(t, kind)
			f := e.f
			ctx := context.Background()
			_, burden := f.person("jianfu", "430922", "burden@430922")
			window := ScheduleBody{Scope: "430922", From: "2026-06-08", To: "2026-06-12"}
			var days []calendar.Date
			for d := calendar.NewDate(2026, 6, 8); !d.After(calendar.NewDate(2026, 6, 12)); d = d.AddDays(1) {
				days = append(days, d)
			}
			setAway := func(number string, away []calendar.Date) {
				t.Helper()
				list, _ := f.db.Inspectors(ctx, store.InspectorFilter{})
				for _, in := range list {
					if in.Number == number {
						in.Away = away
						if err := f.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveInspector(ctx, &in) }); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			var previews, runs, lists []string
			for _, number := range []string{e.leader, e.member, e.other} {
				setAway(number, days)
				status, body := f.do("POST", "/api/v1/schedule-runs/preview", burden, window)
				if status != http.StatusOK {
					t.Fatalf("preview with %s away: %d %s", number, status, body)
				}
				var pv map[string]any
				json.Unmarshal(body, &pv)
				token, _ := pv["token"].(string)
				delete(pv, "token")
				delete(pv, "created")
				b, _ := json.Marshal(pv)
				previews = append(previews, string(b))

				w := window
				w.Confirm = token
				status, body = f.do("POST", "/api/v1/schedule-runs", burden, w)
				if status != http.StatusCreated {
					t.Fatalf("run with %s away: %d %s", number, status, body)
				}
				var run map[string]any
				json.Unmarshal(body, &run)
				delete(run, "id")
				delete(run, "created")
				b, _ = json.Marshal(run)
				runs = append(runs, string(b))

				_, body = f.do("GET", "/api/v1/schedule-runs", burden, nil)
				var all []map[string]any
				json.Unmarshal(body, &all)
				for _, r := range all {
					delete(r, "id")
					delete(r, "created")
				}
				b, _ = json.Marshal(all[0])
				lists = append(lists, string(b))
				setAway(number, nil)
			}
			for i := 1; i < 3; i++ {
				if previews[i] != previews[0] {
					t.Errorf("the preview differs by who is away:\n%s\n%s", previews[0], previews[i])
				}
				if runs[i] != runs[0] {
					t.Errorf("the run differs by who is away:\n%s\n%s", runs[0], runs[i])
				}
				if lists[i] != lists[0] {
					t.Errorf("the list of runs differs by who is away:\n%s\n%s", lists[0], lists[i])
				}
			}
		})
	}
}
