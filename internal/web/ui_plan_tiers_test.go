package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lighten/internal/store/storetest"
)

// The plan form sets an item's risk tiers, one a line; a fault names the
// item, the tier and the field.
func TestUIPlanTiers(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			c := f.uiClient("en")
			c.signIn("yingji")
			form := url.Values{"title": {"2027年度检查计划"}, "year": {"2027"}, "item.0.code": {"FX-1"}, "item.0.title": {"防汛专项检查"},
				"item.0.kind": {"special"}, "item.0.scope": {"430922"}, "item.0.level": {"village"}, "item.0.rate": {"10"}, "item.0.team": {"2"},
				"item.0.from": {"2027-04-06"}, "item.0.to": {"2027-04-30"}, "item.0.checklist": {"F1 | 防汛物资是否到位"}}
			for tiers, want := range map[string][]string{
				"高风险 | 150 | 430922100201":                        {"items[0].tiers[0].rate", "Item 1 (FX-1), tier 1 &#34;高风险&#34;, field &#34;rate&#34;"},
				"高风险 | 50 | 430922100201\n低风险 | 5 | 430923100201": {"items[0].tiers[1].units", "tier 2 &#34;低风险&#34;", "430923100201", "under the scope 430922"},
				"高风险 | 50":             {"items[0].tiers[0].name", "a line &#34;name | share % | unit codes&#34;"},
				"高风险 | 50 | , ":        {"items[0].tiers[0].units", "at least one unit code"},
				" | 50 | 430922100201": {"items[0].tiers[0].name", "Item 1 (FX-1), tier 1"},
			} {
				form.Set("item.0.tiers", tiers)
				r := c.post("/plans", form)
				uiMust(t, r, http.StatusBadRequest, want...)
			}
			form.Set("item.0.tiers", "高风险 | 50 | 430922100202, 430922100201")
			r := c.post("/plans", form)
			if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/plans/") {
				t.Fatalf("create: %d %s %s", r.status, r.location, r.body)
			}
			page := r.location
			p, err := f.db.Plan(context.Background(), mustID(t, strings.TrimPrefix(page, "/plans/")))
			if err != nil || len(p.Items) != 1 || len(p.Items[0].Tiers) != 1 {
				t.Fatalf("saved: %+v %v", p, err)
			}
			if ts := p.Items[0].Tiers[0]; ts.Name != "高风险" || ts.Rate != 0.5 || strings.Join(ts.Units, ",") != "430922100201,430922100202" {
				t.Fatalf("tier: %+v", ts)
			}
			uiMust(t, c.get(page), http.StatusOK, `name="item.0.tiers"`, "高风险 | 50 | 430922100201 430922100202")
			// Saved again without its tiers, the item has none.
			form.Set("item.0.tiers", "")
			if r = c.post(page, form); r.status != http.StatusSeeOther {
				t.Fatalf("save: %d %s", r.status, r.body)
			}
			if p, _ = f.db.Plan(context.Background(), p.ID); len(p.Items[0].Tiers) != 0 {
				t.Fatalf("tiers kept: %+v", p.Items[0].Tiers)
			}
			// Chinese names the item and tier too.
			zh := f.uiClient("zh")
			zh.signIn("yingji")
			form.Set("item.0.code", "FX-2")
			form.Set("item.0.tiers", "重点村 | 0 | 430922100201")
			uiMust(t, zh.post("/plans", form), http.StatusBadRequest, "第 1 个事项（FX-2）的第 1 档“重点村”")
		})
	}
}
