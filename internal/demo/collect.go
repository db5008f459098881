package demo

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

// seedFigures seeds the villages' figures and when they answer, apart from
// the rest so that the year's other demands stay as they were.
const seedFigures = 0x6875_6873

// element is a dictionary entry with the login of the office that owns it.
type element struct {
	owner string
	collect.Element
}

func bound(f float64) *float64 { return &f }

// elements is the county's data dictionary: each figure has one owning
// office, a unit of measure, how often it is measured and how long a value
// stays good for every other office.
var elements = []element{
	{"tongji", collect.Element{Code: "HH", Name: "户数", NameEN: "Households", Type: collect.Integer, Measure: "户", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"tongji", collect.Element{Code: "POP", Name: "户籍人口", NameEN: "Registered population", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"tongji", collect.Element{Code: "POP_RES", Name: "常住人口", NameEN: "Resident population", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"tongji", collect.Element{Code: "LAND", Name: "耕地面积", NameEN: "Cultivated land", Type: collect.Decimal, Measure: "亩", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"tongji", collect.Element{Code: "GRAIN_AREA", Name: "粮食播种面积", NameEN: "Grain sown area", Type: collect.Decimal, Measure: "亩", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"tongji", collect.Element{Code: "MIGRANTS", Name: "外出务工人数", NameEN: "People working away", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"tongji", collect.Element{Code: "VILLAGE_KIND", Name: "村（社区）类型", NameEN: "Village or community", Type: collect.Choice, Period: collect.Once, Choices: []string{"行政村", "社区"}}},
	{"minzheng", collect.Element{Code: "DIBAO_HH", Name: "低保户数", NameEN: "Households on subsistence allowance", Type: collect.Integer, Measure: "户", Period: collect.Month, Min: bound(0)}},
	{"minzheng", collect.Element{Code: "DIBAO_POP", Name: "低保人数", NameEN: "People on subsistence allowance", Type: collect.Integer, Measure: "人", Period: collect.Month, Min: bound(0)}},
	{"minzheng", collect.Element{Code: "TEKUN", Name: "特困供养人数", NameEN: "People in extreme-poverty support", Type: collect.Integer, Measure: "人", Period: collect.Month, Min: bound(0)}},
	{"minzheng", collect.Element{Code: "AGED60", Name: "60岁以上老人数", NameEN: "People aged 60 and over", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"minzheng", collect.Element{Code: "AGED80", Name: "80岁以上老人数", NameEN: "People aged 80 and over", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"weijian", collect.Element{Code: "FAMDOC", Name: "家庭医生签约人数", NameEN: "People with a contracted family doctor", Type: collect.Integer, Measure: "人", Period: collect.Quarter, Min: bound(0)}},
	{"weijian", collect.Element{Code: "AGED65_HM", Name: "65岁以上老人健康管理人数", NameEN: "People aged 65+ under health management", Type: collect.Integer, Measure: "人", Period: collect.Quarter, Min: bound(0)}},
	{"weijian", collect.Element{Code: "CHILD0_6", Name: "0至6岁儿童数", NameEN: "Children aged 0 to 6", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"nongye", collect.Element{Code: "MACH_POWER", Name: "农机总动力", NameEN: "Total farm machinery power", Type: collect.Decimal, Measure: "千瓦", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"nongye", collect.Element{Code: "GRAIN_BIG", Name: "种粮大户数", NameEN: "Large grain growers", Type: collect.Integer, Measure: "户", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"nongye", collect.Element{Code: "HSF_AREA", Name: "高标准农田面积", NameEN: "High-standard farmland", Type: collect.Decimal, Measure: "亩", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"nongye", collect.Element{Code: "COLLECTIVE_INC", Name: "村级集体经济收入", NameEN: "Village collective income", Type: collect.Decimal, Measure: "万元", Period: collect.Year, ValidDays: 365}},
	{"ziran", collect.Element{Code: "LAND_BASIC", Name: "永久基本农田面积", NameEN: "Permanent basic farmland", Type: collect.Decimal, Measure: "亩", Period: collect.Year, ValidDays: 730, Min: bound(0)}},
	{"yingji", collect.Element{Code: "HAZARD_PTS", Name: "地质灾害隐患点数", NameEN: "Geological hazard sites", Type: collect.Integer, Measure: "处", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
	{"jiaoyu", collect.Element{Code: "PUPILS", Name: "义务教育阶段在校学生数", NameEN: "Pupils in compulsory education", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Min: bound(0)}},
}

// rules are the checks across elements every submission must pass.
var rules = []collect.Rule{
	{Left: "HH", Op: "<=", Right: "POP"},
	{Left: "DIBAO_HH", Op: "<=", Right: "HH"},
	{Left: "AGED60", Op: "<=", Right: "POP"},
	{Left: "AGED80", Op: "<=", Right: "AGED60"},
	{Left: "LAND_BASIC", Op: "<=", Right: "LAND"},
}

// dictionary is the data dictionary the burden office sets up at the start
// of the year, and two elements offices propose in its first weeks: one
// the office approves, one that repeats what is there and is rejected.
func (s *seeder) dictionary() error {
	s.clk.Set(s.start.Add(time.Hour))
	err := s.db.Write(s.ctx, s.actors["jianfu"], func(tx *store.Tx) error {
		for _, el := range elements {
			e := el.Element
			e.Owner, e.Status = s.offices[el.owner].ID, collect.Approved
			if err := tx.SaveElement(s.ctx, &e); err != nil {
				return fmt.Errorf("element %s: %w", e.Code, err)
			}
		}
		for _, r := range rules {
			r := r
			if err := tx.SaveRule(s.ctx, &r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo data dictionary: %w", err)
	}
	s.propose("nongye", s.after(s.start, 6, 10, 0), collect.Element{Code: "DOUBLE_RICE", Name: "双季稻播种面积", NameEN: "Double-cropped rice area",
		Type: collect.Decimal, Measure: "亩", Period: collect.Year, ValidDays: 365, Min: bound(0)},
		true, "双季稻面积是省里考核粮食生产的指标，字典中还没有，同意新增，由县农业农村局负责维护，其他部门需要时直接引用。")
	s.propose("jiaoyu", s.after(s.start, 9, 15, 0), collect.Element{Code: "JY_HH", Name: "学生家庭户数", NameEN: "Pupils' households",
		Type: collect.Integer, Measure: "户", Period: collect.Year, ValidDays: 365},
		false, "与县统计局的“户数”（HH）重复。学生资助需要的户数请直接引用HH，由统计局统一采集，不另设元素、不再向村（社区）另收一次。")
	return nil
}

// propose has an office propose an element, and the burden office decide
// on it the next working day, as the API would.
func (s *seeder) propose(by string, at time.Time, e collect.Element, approve bool, reason string) {
	s.push(at, func() error {
		d, err := s.db.Dictionary(s.ctx)
		if err != nil {
			return err
		}
		if _, ok := d.Elements[e.Code]; ok {
			return fmt.Errorf("demo element %s: proposed twice", e.Code)
		}
		e.Owner, e.Status = s.offices[by].ID, collect.Proposed
		if err := s.db.Write(s.ctx, s.actors[by], func(tx *store.Tx) error { return tx.SaveElement(s.ctx, &e) }); err != nil {
			return fmt.Errorf("demo element %s: %w", e.Code, err)
		}
		s.push(s.after(s.cur, 1, 11, 0), func() error {
			d, err := s.db.Dictionary(s.ctx)
			if err != nil {
				return err
			}
			el, ok := d.Elements[e.Code]
			if !ok {
				return fmt.Errorf("demo element %s: not found", e.Code)
			}
			return s.db.Write(s.ctx, s.actors["jianfu"], func(tx *store.Tx) error { return tx.DecideElement(s.ctx, el, approve, reason) })
		})
		return nil
	})
}

// figures are what a village knows about itself.
type figures struct {
	hh, pop, aged60, aged80, dibao int
	land                           float64
}

// values are the figures as a cadre types them, by element.
func (f figures) values() map[string]string {
	return map[string]string{
		"HH": strconv.Itoa(f.hh), "POP": strconv.Itoa(f.pop), "LAND": strconv.FormatFloat(f.land, 'f', 1, 64),
		"DIBAO_HH": strconv.Itoa(f.dibao), "AGED60": strconv.Itoa(f.aged60), "AGED80": strconv.Itoa(f.aged80),
	}
}

// villageFigures draws a hill village of Taojiang: 300 to 800 households
// of about three people, a few thousand mu of fields, one household in
// thirty on the subsistence allowance, a quarter of the people over 60.
func villageFigures(r *rand.Rand) figures {
	var f figures
	f.hh = 300 + r.IntN(501)
	f.pop = min(max(f.hh*(28+r.IntN(9))/10, 1000), 3000)
	f.land = float64(6000+r.IntN(24000)) / 10
	f.dibao = f.hh * (20 + r.IntN(30)) / 1000
	f.aged60 = f.pop * (20 + r.IntN(9)) / 100
	f.aged80 = f.aged60 * (12 + r.IntN(7)) / 100
	return f
}

// How a village answers a report.
type fate int

const (
	onTime fate = iota
	late
	never
)

// fates draws who answers on time, who late and who never; the demo
// village always answers on time so that its cadre sees what follows.
func (s *seeder) fates(latePct, neverPct int) []fate {
	out := make([]fate, len(s.villages))
	for i, v := range s.villages {
		switch r := s.figs.IntN(100); {
		case v.Code == s.village.Code:
		case r < neverPct:
			out[i] = never
		case r < neverPct+latePct:
			out[i] = late
		}
	}
	return out
}

// surveyTime is when the statistics bureau sends its village survey: in
// the first working week of January when enough of the year is left to
// play what follows in the same calendar year (the figures are yearly),
// else two weeks into the demo's year.
func (s *seeder) surveyTime() time.Time {
	y := s.now.In(gate.China).Year()
	for _, c := range []time.Time{
		s.clockOn(s.workdayFrom(calendar.NewDate(y, 1, 6)), 9, 30),
		s.clockOn(s.workdayFrom(calendar.NewDate(y-1, 1, 6)), 9, 30),
	} {
		if c.After(s.start.Add(24*time.Hour)) && s.now.Sub(c) > 100*24*time.Hour {
			return c
		}
	}
	return s.after(s.start, 10, 9, 30)
}

func fe(name, element string, minutes int) gate.Field {
	return gate.Field{Name: name, Element: element, Minutes: minutes}
}

// collectOnce is the year of a figure collected once. The statistics
// bureau asks every village its households, population and fields early in
// the year; most answer on time, some late, a few never. When the civil
// affairs bureau later asks households, population and households on the
// subsistence allowance, the gate fills in the first two from what the
// villages gave and asks only the third. A report asking only what is
// known reaches nobody; a report asking what another office is still
// collecting goes to the burden office to be merged.
func (s *seeder) collectOnce() {
	s.figs = rand.New(rand.NewPCG(seedFigures, 3))
	s.closed = map[int64]bool{}
	s.figures = map[string]figures{}
	for _, v := range s.villages {
		s.figures[v.Code] = villageFigures(s.figs)
	}
	t0 := s.surveyTime()

	survey := s.fates(10, 5)
	p := s.report("tongji", t0, villages(), "{year}年村（社区）基本情况统计",
		"各乡镇，各村（社区）：\n为建立全县村级基础数据库，请各村（社区）于{due}前在系统中填报本村户数、户籍人口和耕地面积。"+
			"数据入库后由县统计局统一向各部门共享，各部门今年不再向村（社区）重复收集这三项数据。\n\n县统计局",
		fe("户数", "HH", 5), fe("户籍人口", "POP", 5), fe("耕地面积（亩）", "LAND", 5))
	p.decide = admit("户数、户籍人口、耕地面积由统计局一次采集、各部门共享，以后不再向村（社区）重复布置，同意下发。")
	p.admitted = func(rec *store.DemandRecord) {
		at := s.answerAll(rec, survey)
		// The demo village corrects its fields from the land survey the
		// next working day; the value it first gave stays in the history.
		land := strconv.FormatFloat(s.figures[s.village.Code].land-36.5, 'f', 1, 64)
		s.push(s.after(at, 1, 9, 40), func() error {
			return s.answer(rec, s.village, map[string]string{"LAND": land})
		})
		s.closeAfter("tongji", rec, "统计截止。未报送的村（社区）已通报所在乡镇，数据以已报送的为准。")
	}

	minzheng := s.report("minzheng", s.after(t0, 30, 10, 0), villages(), "{year}年村（社区）低保覆盖情况核查",
		"各乡镇，各村（社区）：\n为核算各村低保覆盖率，请于{due}前报送本村户数、户籍人口和低保户数。\n\n县民政局社会救助股",
		fe("户数", "HH", 5), fe("户籍人口", "POP", 5), fe("低保户数", "DIBAO_HH", 10))
	minzheng.decide = admit("户数和户籍人口已由统计局采集，系统自动带出，村（社区）只填低保户数，同意下发。")
	again := s.fates(8, 3)
	minzheng.admitted = func(rec *store.DemandRecord) {
		s.answerAll(rec, again)
		s.closeAfter("minzheng", rec, "核查结束，低保覆盖率已按村测算。")
	}

	aged := s.report("minzheng", s.after(t0, 33, 9, 30), villages(), "{year}年农村老年人口底数摸底",
		"各乡镇，各村（社区）：\n为做好养老服务和高龄津贴发放，请于{due}前报送本村60岁以上和80岁以上老年人数。\n\n县民政局养老服务股",
		fe("60岁以上老人数", "AGED60", 5), fe("80岁以上老人数", "AGED80", 5))
	aged.decide = admit("老年人口数由民政局采集后共享给卫健、医保等部门，同意下发。")
	elders := s.fates(10, 4)
	health := s.report("weijian", s.after(t0, 36, 10, 0), villages(), "老年人健康管理底数统计",
		"各乡镇，各村（社区）：\n请村医于{due}前报送本村60岁以上老人数和65岁以上老人健康管理人数。\n\n县卫生健康局基层卫生股",
		fe("60岁以上老人数", "AGED60", 5), fe("65岁以上老人健康管理人数", "AGED65_HM", 10))
	health.decide = refuse("60岁以上老人数县民政局正在收集，两表合并：待民政局收齐后共享给你局，不再向村（社区）另要一次。" +
		"65岁以上老人健康管理人数在基本公共卫生服务系统中已有，请从系统中导出。本表不予下发。")
	aged.admitted = func(rec *store.DemandRecord) {
		s.answerAll(rec, elders)
		// The burden office names the report to merge with.
		health.decide = refuse(fmt.Sprintf("60岁以上老人数县民政局正在《%s》（第%d号）中收集，两表合并：待民政局收齐后共享给你局，不再向村（社区）另要一次。"+
			"65岁以上老人健康管理人数在基本公共卫生服务系统中已有，请从系统中导出。本表不予下发。", rec.Title, rec.ID))
		s.closeAfter("minzheng", rec, "摸底结束，数据已共享给县卫生健康局、县医疗保障局。")
	}

	// The farmland project's villages all answered the survey: asking them
	// again reaches none of them.
	var project []string
	for i, v := range s.villages {
		if v.Parent == "430922113" && survey[i] != never {
			project = append(project, v.Code)
		}
	}
	if len(project) == 0 {
		project = []string{s.village.Code}
	}
	sort.Strings(project)
	empty := s.report("nongye", s.after(t0, 45, 10, 0), gate.Targets{Units: project}, "灰山港镇高标准农田项目区村基本情况",
		"灰山港镇项目区各村：\n为测算高标准农田项目受益人口，请于{due}前报送本村户数、户籍人口和耕地面积。\n\n县农业农村局农田建设股",
		fe("户数", "HH", 5), fe("户籍人口", "POP", 5), fe("耕地面积（亩）", "LAND", 5))
	empty.decide = admit("所需数据统计局已采集，系统已直接提供，不向村里下发，同意。")
	empty.admitted = func(*store.DemandRecord) {}
}

// closeAfter has the issuer close a report ten working days after it was
// due: late answers are taken until then.
func (s *seeder) closeAfter(by string, rec *store.DemandRecord, note string) {
	id := rec.ID
	s.push(s.after(rec.Due, 10, 17, 30), func() error {
		rec, err := s.db.Demand(s.ctx, id)
		if err != nil || rec.Status != gate.Admitted {
			return err
		}
		if err := s.db.Write(s.ctx, s.actors[by], func(tx *store.Tx) error { return tx.Move(s.ctx, rec, gate.Closed, note) }); err != nil {
			return err
		}
		s.closed[id] = true
		return nil
	})
}

// answerAll schedules every village's answer to a report by its fate: on
// one of the working days before the due date, a few days after it, or
// not at all. It returns when the demo village answers.
func (s *seeder) answerAll(rec *store.DemandRecord, fates []fate) (demo time.Time) {
	for i, v := range s.villages {
		if !reaches(rec, v) {
			continue
		}
		var at time.Time
		switch fates[i] {
		case never:
			continue
		case late:
			at = s.after(rec.Due, 1+s.figs.IntN(5), 9+s.figs.IntN(8), 15*s.figs.IntN(4))
		default:
			at = s.beforeDue(rec)
		}
		if v.Code == s.village.Code {
			demo = at
		}
		v := v
		s.push(at, func() error { return s.answer(rec, v, nil) })
	}
	return demo
}

// beforeDue is a working hour between now and a report's due time.
func (s *seeder) beforeDue(rec *store.DemandRecord) time.Time {
	days := 0
	for d := calendar.DateOf(s.cur); d.Before(calendar.DateOf(rec.Due)); d = d.AddDays(1) {
		if s.cal.IsWorkday(d) {
			days++
		}
	}
	t := s.after(s.cur, s.figs.IntN(days+1), 8+s.figs.IntN(9), 15*s.figs.IntN(4))
	if !t.After(s.cur) {
		t = s.cur.Add(time.Duration(30+s.figs.IntN(120)) * time.Minute)
	}
	if t.After(rec.Due) {
		t = rec.Due.Add(-time.Duration(10+s.figs.IntN(240)) * time.Minute)
	}
	return t
}

// answer is a village cadre filling in a report as the API takes it: the
// form shows what is already known, the cadre types the rest (or, with
// give, only what it corrects), and the submission is checked against
// every element and rule before it is stored.
// The report is as admitted: only its issuer closing it changes it since.
func (s *seeder) answer(rec *store.DemandRecord, v units.Unit, give map[string]string) error {
	id := rec.ID
	if s.closed[id] || rec.Answered || !reaches(rec, v) {
		return nil // closed before the village got to it
	}
	elems, _, err := s.db.ReportElements(s.ctx, &rec.Demand)
	if err != nil {
		return err
	}
	want := map[string]string{}
	asked := map[string]*collect.Element{}
	for e, p := range elems {
		want[e.Code], asked[e.Code] = p, e
	}
	held, err := s.db.UnitValues(s.ctx, v.Code, want)
	if err != nil {
		return err
	}
	known := map[string]string{}
	for code, val := range held {
		known[code] = val.Value
	}
	if give == nil {
		all := s.figures[v.Code].values()
		give = map[string]string{}
		for code := range asked {
			if _, ok := known[code]; !ok {
				give[code] = all[code]
			}
		}
	}
	dict, err := s.db.Dictionary(s.ctx)
	if err != nil {
		return err
	}
	norm, errs := collect.Check(collect.Submission{Unit: v.Code, Values: give}, asked, known, dict.RulesFor(asked))
	if len(errs) > 0 {
		return fmt.Errorf("demo submission of %s to %d: %v", v.Code, id, errs)
	}
	codes := make([]string, 0, len(norm))
	for code := range norm {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	vals := make([]store.Value, 0, len(codes))
	for _, code := range codes {
		vals = append(vals, store.Value{Element: code, Period: want[code], Value: norm[code]})
	}
	key := fmt.Sprintf("demo-%d-%s-%d", id, v.Code, s.cur.Unix())
	return s.db.Write(s.ctx, s.vcadres[v.Code], func(tx *store.Tx) error {
		_, _, err := tx.Submit(s.ctx, rec, v.Code, key, vals)
		return err
	})
}
