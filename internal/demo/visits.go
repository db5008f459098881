package demo

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"lighten/internal/auth"
	"lighten/internal/calendar"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// seedVisits seeds what the inspection teams find, apart from the rest so
// that the year's other demands stay as they were.
const seedVisits = 0x7669_7369

// Beacon is the public value the demo's draws are run with. A real draw
// takes a value published after its commitment (a randomness beacon's
// round, a lottery result); the demo, which plays without a network, fixes
// this one and says so in the value itself.
const Beacon = "demo beacon value, fixed for the demo and not a real beacon: 2026-Q4 round 31415926"

// registered is an entry of the demo's inspector register.
type registered struct {
	number, name, office string // office: the login of the office's issuer
	login                string // the inspector's sign-in
	works, origin        int    // township index, -1 for the county (works) or none (origin)
	relation             int    // village index of a declared relation, -1 for none
	capacity, travel     int
	away                 bool // away for a week in the second window
}

// register is the county's inspector register: law-enforcement staff of
// four bureaus and the burden office's supervisors, some working in a
// township's station, most born in one of the county's townships, a few with
// relations in a village.
var register = []registered{
	{"TJ-DC-01", "孙伟", "jianfu", "jiancha", -1, 2, -1, 3, 360, false},
	{"TJ-DC-02", "李红梅", "jianfu", "", -1, 9, 40, 2, 300, false},
	{"TJ-DC-03", "陈刚", "jianfu", "", -1, -1, -1, 3, 360, false},
	{"TJ-DC-04", "黄建华", "jianfu", "", -1, 5, -1, 2, 300, true},
	{"TJ-NY-01", "陈志刚", "nongye", "", -1, 0, -1, 3, 360, false},
	{"TJ-NY-02", "李秋生", "nongye", "", 3, 3, -1, 2, 240, false},
	{"TJ-NY-03", "符建军", "nongye", "", 7, 11, 120, 2, 240, false},
	{"TJ-NY-04", "莫春兰", "nongye", "", -1, -1, -1, 3, 360, false},
	{"TJ-NY-05", "汤立平", "nongye", "", 12, 12, -1, 2, 240, true},
	{"TJ-NY-06", "夏国庆", "nongye", "", -1, 6, -1, 3, 300, false},
	{"TJ-WJ-01", "蔡文华", "weijian", "", -1, 1, -1, 3, 360, false},
	{"TJ-WJ-02", "卜玉兰", "weijian", "", -1, -1, 200, 2, 300, false},
	{"TJ-WJ-03", "熊卫国", "weijian", "", 4, 4, -1, 2, 240, false},
	{"TJ-WJ-04", "罗小琴", "weijian", "", -1, 8, -1, 3, 360, false},
	{"TJ-WJ-05", "谢德胜", "weijian", "", -1, 13, -1, 2, 300, false},
	{"TJ-WJ-06", "贺秀英", "weijian", "", -1, -1, -1, 3, 360, false},
	{"TJ-YJ-01", "彭建平", "yingji", "", -1, 10, -1, 3, 360, false},
	{"TJ-YJ-02", "胡海涛", "yingji", "", -1, 14, 7, 2, 300, false},
	{"TJ-YJ-03", "龚长青", "yingji", "", 9, 9, -1, 2, 240, false},
	{"TJ-YJ-04", "曾凡军", "yingji", "", -1, -1, -1, 3, 360, false},
	{"TJ-YJ-05", "刘冬梅", "yingji", "", -1, 7, -1, 2, 300, false},
	{"TJ-ZY-01", "王晓东", "zhengyan", "", -1, 3, -1, 2, 360, false},
	{"TJ-ZY-02", "张慧", "zhengyan", "", -1, -1, -1, 2, 360, false},
	{"TJ-ZY-03", "周志明", "zhengyan", "", -1, 0, -1, 2, 360, false},
}

// inspectorLogin is an inspector's sign-in: jiancha for the demo's
// supervisor, the register number in lower case for the others.
func (r registered) inspectorLogin() string {
	if r.login != "" {
		return r.login
	}
	b := []byte(r.number)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// quarter is the demo's quarter of visits: a first window that is over,
// whose draws are revealed and results published, and a second that runs
// up to a few weeks past today.
type quarter struct {
	year   int
	w1, w2 [2]calendar.Date
}

// visitQuarter places the quarter around today: nine weeks back and four
// on, within one calendar year. Early in a year, when nine weeks back is
// last year, it is last year's fourth quarter, all of it past.
func visitQuarter(now time.Time) quarter {
	n := calendar.DateOf(now)
	s := n.AddDays(-63)
	e := n.AddDays(28)
	if s.Year() != n.Year() {
		y := n.Year() - 1
		s, e = calendar.NewDate(y, 10, 1), calendar.NewDate(y, 12, 31)
	} else if e.Year() != n.Year() {
		e = calendar.NewDate(n.Year(), 12, 31)
	}
	m := s.AddDays(27)
	return quarter{year: s.Year(), w1: [2]calendar.Date{s, m}, w2: [2]calendar.Date{m.AddDays(1), e}}
}

// planSpec is an office's annual plan in the demo.
type planSpec struct {
	by    string
	title string
	items []visits.Item
}

// focus are the county's focus villages of the year: where last year's
// inspections found problems not yet put right. Every plan draws them at a
// higher rate, so the teams of several offices meet there and go in
// together.
func (s *seeder) focus() []string {
	var out []string
	for i, v := range s.villages {
		if i%13 == 5 || v.Code == s.village.Code {
			out = append(out, v.Code)
		}
	}
	sort.Strings(out)
	return out
}

// visitPlans are the annual plans of the agriculture, health and emergency
// bureaus and the policy research office's research visits.
func (s *seeder) visitPlans(q quarter) []planSpec {
	y := strconv.Itoa(q.year)
	focus := s.focus()
	tier := func(rate float64) []visits.TierSpec {
		return []visits.TierSpec{{Name: "重点村", Rate: rate, Units: focus}}
	}
	item := func(code, title, en string, kind visits.ItemKind, w [2]calendar.Date, rate float64, tiers []visits.TierSpec, checks ...visits.CheckItem) visits.Item {
		return visits.Item{Code: code, Title: title, TitleEN: en, Kind: kind, Checklist: checks, Scope: County, Level: units.Village,
			Rate: rate, Tiers: tiers, Team: 2, From: w[0], To: w[1]}
	}
	farmland := []visits.CheckItem{
		{Code: "NY1", Text: "永久基本农田有无“非农化”“非粮化”占用", Scoring: true},
		{Code: "NY2", Text: "耕地面积：村报数据与实地核实", Element: "LAND", Scoring: true},
		{Code: "NY3", Text: "高标准农田灌排设施是否完好、有人管护", Scoring: true},
	}
	clinics := []visits.CheckItem{
		{Code: "WJ1", Text: "村卫生室是否按时开诊、村医在岗", Scoring: true},
		{Code: "WJ2", Text: "药品是否在有效期内、有无过期药品", Scoring: true},
		{Code: "WJ3", Text: "60岁以上老人数：村报数据与健康档案核对", Element: "AGED60", Scoring: true},
	}
	return []planSpec{
		{"nongye", y + "年耕地保护专项检查计划", []visits.Item{
			item("NY-"+y+"-01", "耕地保护专项检查（第一批）", "Farmland protection inspection, first round", visits.Special, q.w1, 0.05, tier(0.5), farmland...),
			item("NY-"+y+"-02", "耕地保护专项检查（第二批）", "Farmland protection inspection, second round", visits.Special, q.w2, 0.05, tier(0.5), farmland...),
		}},
		{"weijian", y + "年村卫生室专项检查计划", []visits.Item{
			item("WJ-"+y+"-01", "村卫生室专项检查（第一批）", "Village clinic inspection, first round", visits.Special, q.w1, 0.05, tier(0.5), clinics...),
			item("WJ-"+y+"-02", "村卫生室专项检查（第二批）", "Village clinic inspection, second round", visits.Special, q.w2, 0.05, tier(0.5), clinics...),
		}},
		{"yingji", y + "年安全生产检查计划", []visits.Item{
			item("YJ-"+y+"-01", "村级安全生产综合检查", "Village work safety inspection", visits.Comprehensive, q.w2, 0.06, tier(0.4),
				visits.CheckItem{Code: "YJ1", Text: "地质灾害隐患点是否有监测员、有警示牌", Scoring: true},
				visits.CheckItem{Code: "YJ2", Text: "村级应急物资是否配齐、在库", Scoring: true},
				visits.CheckItem{Code: "YJ3", Text: "农村自建房安全隐患是否整改到位", Scoring: true}),
		}},
		{"zhengyan", y + "年基层减负专题调研计划", []visits.Item{
			item("ZY-"+y+"-01", "村级组织负担情况调研", "Research: the burden on village organisations", visits.Research, q.w2, 0.05, tier(0.3),
				visits.CheckItem{Code: "ZY1", Text: "村干部每周用于填表报数、迎检的时间"},
				visits.CheckItem{Code: "ZY2", Text: "工作群、政务App的数量与使用情况"},
				visits.CheckItem{Code: "ZY3", Text: "村民对村级服务的意见建议"}),
		}},
	}
}

// visitWork plays the quarter of visits: the register, the annual plans
// through the gate, each item's committed draw run with the public value,
// the joint schedule, the leaders opening their sealed targets on the day
// and saving field records, and each window's draws revealed two days after
// its visits are over (the first window's always are by now).
func (s *seeder) visitWork() {
	q := visitQuarter(s.now)
	s.quarter = q
	t0 := s.clockOn(s.workdaysBefore(q.w1[0], 25), 9, 30)
	if t0.Before(s.start.Add(48 * time.Hour)) {
		t0 = s.after(s.start, 2, 9, 30)
	}
	s.push(t0, s.registerInspectors)
	plans := s.visitPlans(q)
	for _, p := range plans {
		p := p
		s.push(t0.Add(time.Hour), func() error { return s.submitPlan(p) })
	}
	s.push(s.after(t0, 1, 10, 0), func() error { return s.commitDraws() })
	s.push(s.after(t0, 2, 10, 0), func() error { return s.runDraws() })
	s.push(s.clockOn(s.workdaysBefore(q.w1[0], 5), 15, 0), func() error { return s.schedule(q) })
	for _, w := range [][2]calendar.Date{q.w1, q.w2} {
		s.push(s.clockOn(w[1].AddDays(2), 10, 0), func() error { return s.reveal(w[1]) })
	}
}

// workdaysBefore is the n-th working day before d.
func (s *seeder) workdaysBefore(d calendar.Date, n int) calendar.Date {
	for ; n > 0; n-- {
		d = s.workdayBefore(d)
	}
	return d
}

// registerInspectors adds the inspectors as people who sign in, and each
// office enters its own in the register.
func (s *seeder) registerInspectors() error {
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	s.inspectors = map[string]store.Actor{}
	err = s.db.Write(s.ctx, s.actors["admin"], func(tx *store.Tx) error {
		for _, r := range register {
			if r.login != "" {
				s.inspectors[r.number] = s.actors[r.login]
				continue
			}
			o := s.offices[r.office]
			p, err := tx.CreatePerson(s.ctx, store.NewPerson{Login: r.inspectorLogin(), Name: r.name, UnitCode: o.UnitCode, OfficeID: o.ID,
				PasswordHash: hash, Grants: []units.Grant{{Role: units.RoleInspector, UnitCode: County}}})
			if err != nil {
				return fmt.Errorf("inspector %s: %w", r.number, err)
			}
			s.inspectors[r.number] = store.Actor{ID: p.ID, Login: p.Login}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo inspectors: %w", err)
	}
	for _, by := range []string{"jianfu", "nongye", "weijian", "yingji", "zhengyan"} {
		err := s.db.Write(s.ctx, s.actors[by], func(tx *store.Tx) error {
			for i, r := range register {
				if r.office != by {
					continue
				}
				in := &visits.RegisteredInspector{Number: r.number, Name: r.name, OfficeID: s.offices[by].ID, PersonID: s.inspectors[r.number].ID,
					Works: County, Capacity: r.capacity, MaxTravel: r.travel, Active: true}
				if r.works >= 0 {
					in.Works = s.towns[r.works%len(s.towns)].Code
				}
				if r.origin >= 0 {
					in.Origin = s.towns[r.origin%len(s.towns)].Code
				}
				if r.relation >= 0 {
					in.Relations = []string{s.villages[r.relation%len(s.villages)].Code}
				}
				if r.away {
					// A week's training in the second window.
					d := s.workdayFrom(s.quarter.w2[0].AddDays(7 * (1 + i%3)))
					for k := 0; k < 5; k++ {
						in.Away = append(in.Away, d)
						d = s.cal.AddWorkdays(d, 1)
					}
				}
				if err := tx.SaveInspector(s.ctx, in); err != nil {
					return fmt.Errorf("inspector %s: %w", r.number, err)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo register of %s: %w", by, err)
		}
	}
	return nil
}

// submitPlan has an office save its annual plan and submit it to the gate.
func (s *seeder) submitPlan(spec planSpec) error {
	o := s.offices[spec.by]
	p := &visits.Plan{OfficeID: o.ID, Year: s.quarter.year, Title: spec.title, Items: slices.Clone(spec.items)}
	actor := s.actors[spec.by]
	if err := s.db.Write(s.ctx, actor, func(tx *store.Tx) error { return tx.SavePlan(s.ctx, p) }); err != nil {
		return fmt.Errorf("demo plan %q: %w", spec.title, err)
	}
	if _, err := s.gatePlan(actor, p.ID); err != nil {
		return fmt.Errorf("demo plan %q: %w", spec.title, err)
	}
	s.planIDs = append(s.planIDs, p.ID)
	return nil
}

// commitDraws has each office commit the draws of its approved plans'
// items: the commitment is published before the public value exists.
func (s *seeder) commitDraws() error {
	for _, id := range s.planIDs {
		p, err := s.db.Plan(s.ctx, id)
		if err != nil {
			return err
		}
		actor := s.officeActor(p.OfficeID)
		for _, it := range p.Items {
			err := s.db.Write(s.ctx, actor, func(tx *store.Tx) error {
				rec, err := tx.CommitItemDraw(s.ctx, it.ID)
				if err == nil {
					s.draws = append(s.draws, rec.ID)
				}
				return err
			})
			if err != nil {
				return fmt.Errorf("demo draw of %s: %w", it.Code, err)
			}
		}
	}
	return nil
}

// runDraws enters the public value and draws: only the digest of each
// selection is published.
func (s *seeder) runDraws() error {
	for _, id := range s.draws {
		rec, err := s.db.DrawByID(s.ctx, id)
		if err != nil {
			return err
		}
		if err := s.db.Write(s.ctx, s.officeActor(rec.OfficeID), func(tx *store.Tx) error { return tx.RunDraw(s.ctx, rec, Beacon) }); err != nil {
			return fmt.Errorf("demo draw %d: %w", id, err)
		}
	}
	return nil
}

// officeActor is the demo issuer of an office.
func (s *seeder) officeActor(office int64) store.Actor {
	for login, o := range s.offices {
		if o.ID == office {
			return s.actors[login]
		}
	}
	return store.System
}

// schedule has the burden office schedule both windows jointly over the
// county, then arranges each past visit: its leader opens the target on the
// morning of the day and saves the field record by the afternoon.
func (s *seeder) schedule(q quarter) error {
	for _, w := range [][2]calendar.Date{q.w1, q.w2} {
		err := s.db.Write(s.ctx, s.actors["jianfu"], func(tx *store.Tx) error {
			_, err := tx.ScheduleWindow(s.ctx, County, w[0], w[1], visits.Options{}, "")
			return err
		})
		if err != nil {
			return fmt.Errorf("demo schedule %s..%s: %w", w[0], w[1], err)
		}
	}
	all, err := s.scheduledVisits()
	if err != nil {
		return err
	}
	today := calendar.DateOf(s.now)
	for _, v := range all {
		if !v.Day.Before(today) {
			continue // sealed still: the leader opens it on the day
		}
		v := v
		s.push(s.clockOn(v.Day, 8, 30), func() error { return s.startVisit(v) })
	}
	return nil
}

// scheduledVisits lists the stored visits of the demo's plan items, once
// each, by day.
func (s *seeder) scheduledVisits() ([]visits.ScheduledVisit, error) {
	seen := map[int64]bool{}
	var all []visits.ScheduledVisit
	for _, id := range s.planIDs {
		p, err := s.db.Plan(s.ctx, id)
		if err != nil {
			return nil, err
		}
		for _, it := range p.Items {
			vs, err := s.db.VisitsOfItem(s.ctx, it.Code)
			if err != nil {
				return nil, err
			}
			for _, v := range vs {
				if !seen[v.ID] {
					seen[v.ID] = true
					all = append(all, v)
				}
			}
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Day != all[j].Day {
			return all[i].Day.Before(all[j].Day)
		}
		return all[i].ID < all[j].ID
	})
	return all, nil
}

// startVisit is the leader opening the sealed target on the morning of the
// visit; the team records what it finds before the afternoon is out.
func (s *seeder) startVisit(v visits.ScheduledVisit) error {
	leader := v.Leader()
	actor, ok := s.inspectors[leader]
	if !ok {
		return fmt.Errorf("demo visit %d: leader %s is not in the demo's register", v.ID, leader)
	}
	var opened *visits.ScheduledVisit
	err := s.db.Write(s.ctx, actor, func(tx *store.Tx) error {
		var err error
		opened, err = tx.StartVisit(s.ctx, v.ID, leader)
		return err
	})
	if err != nil {
		return fmt.Errorf("demo visit %d: %w", v.ID, err)
	}
	h := hashOf(opened.Unit)
	s.push(s.clockOn(v.Day, 11+int(h%4), int(h%4)*15), func() error { return s.fieldRecord(opened, actor) })
	return nil
}

func hashOf(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// fieldRecord is what the team saw: every checklist line of every plan it
// carried, the unit's reported figures against the field, a GPS point, a
// photo, and findings.
func (s *seeder) fieldRecord(v *visits.ScheduledVisit, actor store.Actor) error {
	if s.seen == nil {
		s.seen = rand.New(rand.NewPCG(seedVisits, 4))
	}
	r := &visits.FieldRecord{VisitID: v.ID, By: actor.ID}
	fig := s.figures[v.Unit]
	for _, iv := range v.Items {
		it, _, err := s.db.PlanItemByCode(s.ctx, iv.Item)
		if err != nil {
			return err
		}
		for _, ci := range it.Checklist {
			res := visits.CheckResult{Item: it.Code, Check: ci.Code, Result: "pass"}
			switch {
			case it.Kind == visits.Research:
				res.Result, res.Note = "na", "已访谈，记录见调研笔记"
			case ci.Element != "":
				s.claim(r, it, ci, fig)
				if r.Claims[len(r.Claims)-1].Seen != r.Claims[len(r.Claims)-1].Claimed {
					res.Result, res.Note = "fail", "实地核实与村报数据不一致"
				}
			case s.seen.IntN(100) < 18:
				res.Result = "fail"
				res.Note = "现场发现问题，已拍照留存"
				r.Findings = append(r.Findings, visits.Finding{Item: it.Code, Text: ci.Text + "：" + problem(ci.Code), Severity: []string{"minor", "minor", "major"}[s.seen.IntN(3)]})
			}
			r.Checks = append(r.Checks, res)
		}
		if it.Kind == visits.Research {
			r.Findings = append(r.Findings, visits.Finding{Item: it.Code, Text: "村干部反映：每周用于填表报数约" + strconv.Itoa(4+s.seen.IntN(9)) + "小时，工作群" + strconv.Itoa(6+s.seen.IntN(15)) + "个。", Severity: "info"})
		}
	}
	h := hashOf(v.Unit)
	r.Point = &visits.Point{Lat: 28.35 + float64(h%3000)/10000, Lon: 111.85 + float64(h/3000%5000)/10000}
	r.Accuracy = float64(5 + h%20)
	photo, err := fieldPhoto(h)
	if err != nil {
		return err
	}
	return s.db.Write(s.ctx, actor, func(tx *store.Tx) error {
		p, err := tx.AddPhoto(s.ctx, v.ID, "现场照片-1.png", "image/png", s.cur, photo)
		if err != nil {
			return err
		}
		r.Photos = append(r.Photos, p)
		return tx.SaveFieldRecord(s.ctx, r, true)
	})
}

// claim sets a figure the unit reported against what the team found: most
// agree; one in three does not, the field showing less land, or fewer old
// people in the health records, than the village reported.
func (s *seeder) claim(r *visits.FieldRecord, it *visits.Item, ci visits.CheckItem, fig figures) {
	var claimed string
	var seen float64
	off := s.seen.IntN(3) == 0
	switch ci.Element {
	case "LAND":
		claimed = strconv.FormatFloat(fig.land, 'f', 1, 64)
		seen = fig.land
		if off {
			seen = float64(int(fig.land*0.88*10)) / 10
		}
		c := visits.Claim{Element: "LAND", Label: "耕地面积（亩）", Claimed: claimed, Seen: strconv.FormatFloat(seen, 'f', 1, 64)}
		r.Claims = append(r.Claims, c)
		if off {
			r.Findings = append(r.Findings, visits.Finding{Item: it.Code, Severity: "major",
				Text: "村报耕地面积" + claimed + "亩，实地核实约" + c.Seen + "亩，部分地块已撂荒或被占用"})
		}
	default:
		claimed = strconv.Itoa(fig.aged60)
		n := fig.aged60
		if off {
			n = fig.aged60 * 9 / 10
		}
		c := visits.Claim{Element: ci.Element, Label: "60岁以上老人数（人）", Claimed: claimed, Seen: strconv.Itoa(n)}
		r.Claims = append(r.Claims, c)
		if off {
			r.Findings = append(r.Findings, visits.Finding{Item: it.Code, Severity: "minor",
				Text: "村报60岁以上老人" + claimed + "人，健康档案在册" + c.Seen + "人，需核对户籍与死亡注销"})
		}
	}
}

// problem is what a team writes of a failed line.
func problem(code string) string {
	return map[string]string{
		"NY1": "发现一处基本农田被用作建材堆场，约2亩",
		"NY3": "一段灌溉渠堵塞，无人清理",
		"WJ1": "开诊时间未到岗，村医外出",
		"WJ2": "药柜中有3盒过期药品",
		"YJ1": "隐患点警示牌缺失",
		"YJ2": "应急物资台账与库存不符",
		"YJ3": "一户自建房裂缝未整改",
	}[code]
}

// fieldPhoto is a small PNG the phone took: fields under a sky, different
// at every unit.
func fieldPhoto(h uint64) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	horizon := 14 + int(h%12)
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			c := color.RGBA{R: 150, G: 190, B: 235, A: 255}
			if y >= horizon {
				g := uint8(110 + (x*3+y*5+int(h%40))%80)
				c = color.RGBA{R: 70, G: g, B: 50, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// reveal publishes the draws of the items whose window ended on end: their
// visits are over, so anyone may verify them.
func (s *seeder) reveal(end calendar.Date) error {
	for _, id := range s.draws {
		rec, err := s.db.DrawByID(s.ctx, id)
		if err != nil {
			return err
		}
		it, _, err := s.db.PlanItemByCode(s.ctx, rec.Draw.Plan)
		if err != nil {
			return fmt.Errorf("demo reveal of draw %d (%s): %w", id, rec.Draw.Plan, err)
		}
		if it.To != end || rec.Status != "drawn" {
			continue
		}
		if err := s.db.Write(s.ctx, s.officeActor(rec.OfficeID), func(tx *store.Tx) error { return tx.RevealDraw(s.ctx, rec) }); err != nil {
			return fmt.Errorf("demo reveal of draw %d: %w", id, err)
		}
	}
	return nil
}

// Visits sums up the demo's quarter of visits.
type Visits struct {
	Plans, Items, Inspectors int
	Visits, Joint, Done      int
	Discrepancies            int // claims the field records flagged
	Revealed                 int // draws revealed, their results published
}

func (v Visits) String() string { return v.Text().EN }

// Text is the summary in both languages.
func (v Visits) Text() i18n.Text {
	return i18n.Both("demo.summary.visits", v.Plans, v.Items, v.Inspectors, v.Visits, v.Joint, v.Done, v.Discrepancies, v.Revealed)
}

// CountVisits counts the plans, visits and field records in the database.
func CountVisits(ctx context.Context, db *store.DB) (Visits, error) {
	var c Visits
	plans, err := db.Plans(ctx, store.PlanFilter{})
	if err != nil {
		return c, err
	}
	ins, err := db.Inspectors(ctx, store.InspectorFilter{})
	if err != nil {
		return c, err
	}
	c.Inspectors = len(ins)
	seen := map[int64]bool{}
	for _, p := range plans {
		c.Plans++
		for _, it := range p.Items {
			c.Items++
			if it.DrawID != 0 {
				if rec, err := db.DrawByID(ctx, it.DrawID); err == nil && rec.Status == "revealed" {
					c.Revealed++
				}
			}
			vs, err := db.VisitsOfItem(ctx, it.Code)
			if err != nil {
				return c, err
			}
			for _, v := range vs {
				if seen[v.ID] {
					continue
				}
				seen[v.ID] = true
				c.Visits++
				if len(v.Items) > 1 {
					c.Joint++
				}
				if v.Status != visits.Done {
					continue
				}
				c.Done++
				r, err := db.FieldRecord(ctx, v.ID)
				if err != nil || r == nil {
					return c, err
				}
				for _, cl := range r.Claims {
					if cl.Discrepancy {
						c.Discrepancies++
					}
				}
			}
		}
	}
	return c, nil
}

// Leader is a team leader's demo sign-in and the day of the sealed visit
// the leader opens next.
type Leader struct {
	Login, Name, Number string
	Day                 calendar.Date
}

// Leaders lists the sign-ins of the leaders of the next day's sealed visits
// (today's, if there are any), so that one can sign in and open a target on
// the day.
func Leaders(ctx context.Context, db *store.DB) ([]Leader, error) {
	today := calendar.DateOf(db.Now())
	ins, err := db.Inspectors(ctx, store.InspectorFilter{})
	if err != nil {
		return nil, err
	}
	var out []Leader
	for _, in := range ins {
		if in.PersonID == 0 {
			continue
		}
		vs, err := db.VisitsOfInspector(ctx, in.Number, today, today.AddDays(60))
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if v.Status != visits.Planned || v.Leader() != in.Number || (len(out) > 0 && v.Day.After(out[0].Day)) {
				continue
			}
			p, err := db.Person(ctx, in.PersonID)
			if err != nil {
				return nil, err
			}
			if len(out) > 0 && v.Day.Before(out[0].Day) {
				out = out[:0]
			}
			out = append(out, Leader{Login: p.Login, Name: in.Name, Number: in.Number, Day: v.Day})
			break
		}
	}
	return out, nil
}

// gatePlan submits a plan through the gate and returns its verdict, with
// the findings of a plan that is not approved.
func (s *seeder) gatePlan(actor store.Actor, id int64) (visits.PlanStatus, error) {
	var pc *store.PlanCheck
	err := s.db.Write(s.ctx, actor, func(tx *store.Tx) error {
		var err error
		pc, err = tx.SubmitPlan(s.ctx, id)
		return err
	})
	if err != nil {
		return "", err
	}
	if pc.Verdict != visits.PlanApproved {
		var msgs []string
		for _, f := range pc.Findings() {
			msgs = append(msgs, f.Rule+": "+f.Message.EN)
		}
		return pc.Verdict, fmt.Errorf("the gate answered %s: %s", pc.Verdict, strings.Join(msgs, "; "))
	}
	return pc.Verdict, nil
}
