package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/visits"
)

// drawsIndexEnv is the visit environment (a plan item's draw, drawn and
// sealed, in 桃江县, 2026) with 25 ad hoc draws of an office of 安化县
// committed in 2025.
func drawsIndexEnv(t *testing.T, kind store.Dialect) (*visitEnv, []*store.DrawRecord) {
	t.Helper()
	e := newVisitEnv(t, kind)
	ctx := context.Background()
	office := e.f.office("430923", "安化县应急管理局")
	back := *e.now
	*e.now = time.Date(2025, 5, 1, 9, 0, 0, 0, gate.China)
	var adhoc []*store.DrawRecord
	for i := 1; i <= 25; i++ {
		d := &visits.Draw{Plan: fmt.Sprintf("安化县专项抽查第%02d批", i), MinPerTier: 1,
			Tiers: []visits.Tier{{Name: "all", Rate: 1, Units: []string{"430923100201"}}}}
		err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
			rec, err := tx.CreateDraw(ctx, office.ID, d, time.Date(2025, 12, 31, 0, 0, 0, 0, gate.China))
			adhoc = append(adhoc, rec)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	*e.now = back
	return e, adhoc
}

// The public finds every draw at /draws, from the home page, the footer
// and a unit's page: by year and place (names), a page at a time, each
// with its state and its record, and its plan's results once revealed.
// While a draw is sealed the index names none of its pool's units.
func TestUIDrawsIndex(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			e, adhoc := drawsIndexEnv(t, kind)
			pub := e.f.uiClient("en")
			itemDraw := `href="/draws/` + itoa(e.draw.ID) + `"`

			uiMust(t, pub.get("/"), http.StatusOK, `href="/draws"`)
			uiMust(t, pub.get("/units/430922"), http.StatusOK, `href="/draws?place=430922"`)

			r := pub.get("/draws")
			// Newest first, twenty a page.
			uiMust(t, r, http.StatusOK, "Inspections in public", "安化县专项抽查第25批", "安化县应急管理局", "Committed", "to be drawn",
				"1–20 of 26", `href="/draws?offset=20"`, `<option value="43">湖南省</option>`, `<option value="4309">湖南省 › 益阳市</option>`,
				`<option value="430922">湖南省 › 益阳市 › 桃江县</option>`, `<option value="2025">2025</option>`, `<option value="2026">2026</option>`)
			uiMustNot(t, r, "安化县专项抽查第05批", itemDraw, "/results")
			// The approved plan heads the first page, with its items' counts.
			uiMust(t, r, http.StatusOK, "Approved annual plans", `data-plan="`+itoa(e.plan.ID)+`"`, visitPlanTitle, "items 1 · drawn 1 · revealed 0")
			r = pub.get("/draws?offset=20")
			uiMust(t, r, http.StatusOK, "21–26 of 26", "安化县专项抽查第01批", "安化县专项抽查第05批",
				"安全生产专项检查", visitPlanTitle, visitItemCode, "Drawn, sealed", itemDraw, "revealed after 2026-06-13 00:00")
			// Sealed: no unit of the pool, drawn or not, and no results yet.
			uiMustNot(t, r, "三里桥村", "花果山村", "430922100201", "430922100202", "/results")

			r = pub.get("/draws?year=2026")
			uiMust(t, r, http.StatusOK, itemDraw, `<option value="2026" selected>`, "1–1 of 1", "Show all")
			uiMustNot(t, r, "安化县专项抽查")
			r = pub.get("/draws?year=2025&place=430923")
			uiMust(t, r, http.StatusOK, "安化县专项抽查第25批", "1–20 of 25", `<option value="430923" selected>湖南省 › 益阳市 › 安化县</option>`)
			uiMustNot(t, r, itemDraw)
			r = pub.get("/draws?place=4309") // a city lists its counties' draws
			uiMust(t, r, http.StatusOK, "1–20 of 26")
			uiMust(t, pub.get("/draws?place=110101"), http.StatusOK, "No draw matches.")
			uiMust(t, pub.get("/draws?year=twenty"), http.StatusBadRequest, `Year &#34;twenty&#34; is not valid`)
			uiMust(t, pub.get("/draws?place=999999"), http.StatusBadRequest, `Place &#34;999999&#34; is not in the unit tree.`)

			// The same index through the API, for anyone.
			status, body := e.f.do("GET", "/api/v1/draws?year=2026&place=430922", "", nil)
			var list DrawList
			if status != http.StatusOK || json.Unmarshal(body, &list) != nil || list.Total != 1 || len(list.Draws) != 1 ||
				list.Draws[0].ID != e.draw.ID || list.Draws[0].Status != "drawn" || list.Draws[0].PlanTitle != visitPlanTitle ||
				len(list.Plans) != 1 || list.Plans[0].ID != e.plan.ID || list.Plans[0].Drawn != 1 || list.Plans[0].Revealed != 0 ||
				strings.Contains(string(body), "430922100201") || strings.Contains(string(body), "430922100202") {
				t.Fatalf("the API's index: %d %s", status, body)
			}
			list = DrawList{}
			if status, body = e.f.do("GET", "/api/v1/draws?place=430923&limit=5&offset=5", "", nil); status != http.StatusOK ||
				json.Unmarshal(body, &list) != nil || list.Total != 25 || len(list.Draws) != 5 || list.Draws[0].ID != adhoc[19].ID || len(list.Plans) != 0 {
				t.Fatalf("the API's second page: %d %s", status, body)
			}
			if status, _ = e.f.do("GET", "/api/v1/draws?year=1", "", nil); status != http.StatusBadRequest {
				t.Fatalf("year 1: %d", status)
			}

			zh := e.f.uiClient("zh")
			uiMust(t, zh.get("/draws"), http.StatusOK, "抽查公示：计划、抽取与结果", "已承诺，待抽取", "抽取记录", "第 1–20 条，共 26 条")
			uiMust(t, zh.get("/draws?year=2026"), http.StatusOK, "已抽取，结果封存", "2026-06-13 00:00 后公开")

			// After the window the office reveals: the results are linked.
			*e.now = visitDay(calendar.NewDate(2026, 6, 15))
			ctx := context.Background()
			if err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.RevealDraw(ctx, e.draw) }); err != nil {
				t.Fatal(err)
			}
			r = pub.get("/draws?year=2026")
			uiMust(t, r, http.StatusOK, "Revealed", `href="/plans/`+itoa(e.plan.ID)+`/results"`)
			uiMust(t, r, http.StatusOK, "items 1 · drawn 1 · revealed 1")
			if n := strings.Count(r.body, `href="/plans/`+itoa(e.plan.ID)+`/results"`); n != 2 {
				t.Fatalf("%d results links, want the plan's and the draw's", n)
			}
			uiMustNot(t, pub.get("/draws?place=430923"), "Approved annual plans")
		})
	}
}
