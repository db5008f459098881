package gate

import (
	"strings"
	"testing"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/duties"
	"lighten/internal/policy"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// weekCal is a calendar of plain weekends with a few extra holidays and
// make-up working days, enough for the rules' own tests.
type weekCal struct {
	holidays map[string]bool
	workdays map[string]bool
}

func (c weekCal) IsWorkday(t time.Time) bool {
	d := t.In(China).Format("2006-01-02")
	if c.holidays[d] {
		return false
	}
	if c.workdays[d] {
		return true
	}
	wd := t.In(China).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func (c weekCal) Covers(year int) bool { return year == 2026 }

func (c weekCal) WorkdaysBetween(a, b time.Time) int {
	n := 0
	da := time.Date(a.In(China).Year(), a.In(China).Month(), a.In(China).Day(), 0, 0, 0, 0, China)
	db := time.Date(b.In(China).Year(), b.In(China).Month(), b.In(China).Day(), 0, 0, 0, 0, China)
	for d := da.AddDate(0, 0, 1); !d.After(db); d = d.AddDate(0, 0, 1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

type budgetMap map[string]int

func (b budgetMap) Used(code string) int { return b[code] }

type testEnv struct {
	tree     *units.Tree
	cal      Calendar
	policies *policy.Tree
	counts   map[Kind]int // admitted demands of the office in any window
	comp     int
	used     budgetMap
	travel   map[string]int
	book     *duties.Book
	pledges  map[string]duties.PledgeItem
	received map[string]bool // unit/item
	elements map[string]*collect.Element
	known    map[string]collect.Bitset
	overlaps map[string][]Overlap

	plans       []*visits.Plan             // stored plans with their items
	compItems   int                        // comprehensive items of the office's other plans
	inspections map[string]int             // inspections this year per unit
	visitDays   map[string][]calendar.Date // visits per unit
}

func (e *testEnv) PlanItem(code string) (*visits.Item, *visits.Plan, bool) {
	for _, p := range e.plans {
		for i := range p.Items {
			if p.Items[i].Code == code {
				return &p.Items[i], p, true
			}
		}
	}
	return nil, nil, false
}
func (e *testEnv) ComprehensiveItems(office int64, year int, except int64) int { return e.compItems }
func (e *testEnv) UnitInspections(codes []string, year int) map[string]int {
	out := map[string]int{}
	for _, c := range codes {
		if n, ok := e.inspections[c]; ok {
			out[c] = n
		}
	}
	return out
}
func (e *testEnv) UnitVisits(codes []string, from, to calendar.Date) map[string][]calendar.Date {
	out := map[string][]calendar.Date{}
	for _, c := range codes {
		for _, d := range e.visitDays[c] {
			if !d.Before(from) && !d.After(to) {
				out[c] = append(out[c], d)
			}
		}
	}
	return out
}

func (e *testEnv) Duties() *duties.Book { return e.book }
func (e *testEnv) Element(code string) (*collect.Element, bool) {
	el, ok := e.elements[code]
	return el, ok
}
func (e *testEnv) Known(el *collect.Element, period string) collect.Known {
	if k, ok := e.known[el.Code+"@"+period]; ok {
		return k
	}
	return collect.None
}
func (e *testEnv) Overlaps(element, period string, except int64) []Overlap {
	var out []Overlap
	for _, o := range e.overlaps[element+"@"+period] {
		if o.DemandID != except {
			out = append(out, o)
		}
	}
	return out
}
func (e *testEnv) PledgeItem(code string) (duties.PledgeItem, bool) {
	p, ok := e.pledges[code]
	return p, ok
}
func (e *testEnv) PledgeReceived(unit, item string) bool { return e.received[unit+"/"+item] }

func (e *testEnv) Tree() *units.Tree           { return e.tree }
func (e *testEnv) Calendar() Calendar          { return e.cal }
func (e *testEnv) Policies() *policy.Tree      { return e.policies }
func (e *testEnv) BudgetUsed(time.Time) Budget { return e.used }
func (e *testEnv) Travel(from, to string) (int, bool) {
	t, ok := e.travel[from]
	return t, ok
}
func (e *testEnv) IssuerCount(office int64, k Kind, from, to time.Time, comprehensive bool) int {
	if comprehensive {
		return e.comp
	}
	return e.counts[k]
}

var testUnits = []units.Unit{
	{Code: "43", Name: "湖南省", Level: units.Province},
	{Code: "4309", Name: "益阳市", Level: units.City, Parent: "43"},
	{Code: "430922", Name: "桃江县", Level: units.County, Parent: "4309"},
	{Code: "430922100", Name: "桃花江镇", Level: units.Township, Parent: "430922"},
	{Code: "430922100201", Name: "三里桥村", Level: units.Village, Parent: "430922100"},
	{Code: "430922100202", Name: "花果山村", Level: units.Village, Parent: "430922100"},
	{Code: "430922101", Name: "修山镇", Level: units.Township, Parent: "430922"},
	{Code: "430922101201", Name: "修山村", Level: units.Village, Parent: "430922101"},
}

func newEnv() *testEnv {
	return &testEnv{
		tree:     units.NewTree(1, testUnits),
		cal:      weekCal{holidays: map[string]bool{"2026-05-01": true, "2026-05-04": true}, workdays: map[string]bool{"2026-05-09": true}},
		policies: policy.NewTree(nil),
		counts:   map[Kind]int{},
		used:     budgetMap{},
		travel:   map[string]int{},
		book:     duties.NewBook(nil),
		pledges:  map[string]duties.PledgeItem{},
		received: map[string]bool{},
		elements: map[string]*collect.Element{},
		known:    map[string]collect.Bitset{},
		overlaps: map[string][]Overlap{},

		inspections: map[string]int{},
		visitDays:   map[string][]calendar.Date{},
	}
}

// now is a Monday morning.
var now = time.Date(2026, 4, 13, 9, 0, 0, 0, China)

func at(day string, hm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, China)
	if err != nil {
		panic(err)
	}
	return t
}

// goodReport passes every rule.
func goodReport() *Demand {
	return &Demand{OfficeID: 1, IssuerUnit: "430922", Kind: Report, Title: "2026年春耕生产情况统计",
		Body:    "请各村填报春耕面积和农机数量。",
		Targets: Targets{Level: units.Village, Under: "430922"},
		Due:     at("2026-04-24", "17:00"),
		Asks:    Asks{Fields: []Field{{Name: "春耕面积"}, {Name: "农机数量"}}}}
}

func run(t *testing.T, e *testEnv, d *Demand) *Result {
	t.Helper()
	r, err := Run(e, d, now)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return r
}

func has(r *Result, rule string, sev Severity) bool {
	for _, f := range r.Findings {
		if f.Rule == rule && f.Severity == sev {
			return true
		}
	}
	return false
}

func TestGoodReportAdmitted(t *testing.T) {
	r := run(t, newEnv(), goodReport())
	if r.Verdict != Admitted || len(r.Findings) != 0 {
		t.Fatalf("verdict %s %+v", r.Verdict, r.Findings)
	}
	if r.Targets != 3 || r.Burden.PerUnit != 2*minutesPerField || r.Burden.Total != int64(3*2*minutesPerField) {
		t.Fatalf("burden %+v targets %d", r.Burden, r.Targets)
	}
}

// Each rule: a case that passes and a case that fails.
func TestRules(t *testing.T) {
	cases := []struct {
		name   string
		rule   string
		sev    Severity
		change func(d *Demand, e *testEnv)
	}{
		{"due in 3 working days", "lead.time", Block, func(d *Demand, e *testEnv) { d.Due = at("2026-04-16", "17:00") }},
		{"emergency softens lead time", "lead.time", Review, func(d *Demand, e *testEnv) {
			d.Due, d.Emergency, d.Reason = at("2026-04-16", "17:00"), true, "防汛"
		}},
		{"a county tightens lead time to 10 days", "lead.time", Block, func(d *Demand, e *testEnv) {
			e.policies = policy.NewTree(map[string]policy.Document{"430922": {Params: map[string]int{"lead.time.report": 10}}})
		}},
		{"due on Saturday", "rest.days", Block, func(d *Demand, e *testEnv) { d.Due = at("2026-04-25", "12:00") }},
		{"due on a holiday", "rest.days", Block, func(d *Demand, e *testEnv) { d.Due = at("2026-05-01", "12:00") }},
		{"due at night", "rest.days", Block, func(d *Demand, e *testEnv) { d.Due = at("2026-04-24", "21:00") }},
		{"over the budget", "budget.unit", Block, func(d *Demand, e *testEnv) { e.used["430922100201"] = 1800 }},
		{"near the budget", "budget.unit", Review, func(d *Demand, e *testEnv) { e.used["430922100201"] = 1250 }},
		{"seventh report of the quarter", "cap.issuer.reports", Review, func(d *Demand, e *testEnv) { e.counts[Report] = 6 }},
		{"photos as proof", "trace.proof", Block, func(d *Demand, e *testEnv) { d.Asks.Photos = true }},
		{"signature on an empty form", "trace.signature", Block, func(d *Demand, e *testEnv) { d.Asks.Signature, d.Asks.EmptyForm = true, true }},
		{"seconded staff", "staff.second", Block, func(d *Demand, e *testEnv) { d.Asks.StaffSecond, d.Asks.SecondDays = 2, 10 }},
		{"text asks for screenshots", "trace.proof", Review, func(d *Demand, e *testEnv) { d.Body += "完成后上传截图。" }},
		{"text asks for check-ins", "app.checkin", Review, func(d *Demand, e *testEnv) { d.Body += " Members must check in daily." }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv()
			d := goodReport()
			c.change(d, e)
			r := run(t, e, d)
			if !has(r, c.rule, c.sev) {
				t.Fatalf("want %s %s, got %s %+v", c.rule, c.sev, r.Verdict, r.Findings)
			}
			want := map[Severity]Status{Block: Refused, Review: InReview}[c.sev]
			if r.Verdict != want {
				t.Fatalf("verdict %s, want %s", r.Verdict, want)
			}
			for _, f := range r.Findings {
				if f.Message.ZH == "" || f.Message.EN == "" || strings.HasPrefix(f.Message.EN, "[") || strings.HasPrefix(f.Fix.EN, "[") {
					t.Errorf("finding without both messages: %+v", f)
				}
			}
		})
	}
}

func goodMeeting() *Demand {
	return &Demand{OfficeID: 1, IssuerUnit: "430922", Kind: Meeting, Title: "春耕生产调度会",
		Targets: Targets{Level: units.Township, Under: "430922"},
		Start:   at("2026-04-22", "09:00"), End: at("2026-04-22", "11:00"),
		Asks:    Asks{Attendees: 1},
		Meeting: &MeetingInfo{Format: "onsite", Minutes: 120, SpeechMinutes: 30, Needed: 1, PlaceUnit: "430922"}}
}

func TestMeetingRules(t *testing.T) {
	if r := run(t, newEnv(), goodMeeting()); r.Verdict != Admitted {
		t.Fatalf("good meeting: %s %+v", r.Verdict, r.Findings)
	}
	cases := []struct {
		name   string
		rule   string
		sev    Severity
		change func(d *Demand, e *testEnv)
	}{
		{"tomorrow", "lead.time", Block, func(d *Demand, e *testEnv) {
			d.Start, d.End = at("2026-04-14", "09:00"), at("2026-04-14", "10:00")
		}},
		{"second comprehensive meeting", "meet.cap", Block, func(d *Demand, e *testEnv) { d.Meeting.Comprehensive, e.comp = true, 1 }},
		{"long speech", "meet.length", Block, func(d *Demand, e *testEnv) { d.Meeting.SpeechMinutes = 75 }},
		{"long video conference", "meet.length", Block, func(d *Demand, e *testEnv) {
			d.Meeting.Format, d.Meeting.Minutes = "video", 100
			d.End = at("2026-04-22", "10:40")
		}},
		{"all day", "meet.length", Block, func(d *Demand, e *testEnv) {
			d.Meeting.Minutes = 300
			d.End = at("2026-04-22", "14:00")
		}},
		{"three hours of driving", "meet.online", Review, func(d *Demand, e *testEnv) { e.travel["430922101"] = 180 }},
		{"escorts", "meet.escort", Block, func(d *Demand, e *testEnv) { d.Asks.Attendees = 3 }},
		{"on a make-up working day it is fine, on Sunday not", "rest.days", Block, func(d *Demand, e *testEnv) {
			d.Start, d.End = at("2026-05-10", "09:00"), at("2026-05-10", "10:00")
		}},
		{"report back", "doc.reportback", Block, func(d *Demand, e *testEnv) { d.Asks.ReportBack = true }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv()
			d := goodMeeting()
			c.change(d, e)
			if r := run(t, e, d); !has(r, c.rule, c.sev) {
				t.Fatalf("want %s %s, got %+v", c.rule, c.sev, r.Findings)
			}
		})
	}
	// A meeting has a start, not a due date: the finding says so.
	soon := goodMeeting()
	soon.Start, soon.End = at("2026-04-14", "09:00"), at("2026-04-14", "10:00")
	for _, f := range run(t, newEnv(), soon).Findings {
		if f.Rule == "lead.time" && (!strings.Contains(f.Message.ZH, "会议开始时间") || strings.Contains(f.Message.EN, "due") ||
			!strings.Contains(f.Fix.EN, "Hold the meeting")) {
			t.Fatalf("the meeting's lead time finding: %+v", f)
		}
	}
	// The official make-up working day (a Saturday here) is a working day.
	d := goodMeeting()
	d.Start, d.End = at("2026-05-09", "09:00"), at("2026-05-09", "10:00")
	if r := run(t, newEnv(), d); has(r, "rest.days", Block) {
		t.Fatalf("make-up working day refused: %+v", r.Findings)
	}
	// Travel adds to the burden of the far unit only.
	e := newEnv()
	e.travel["430922101"] = 40
	r := run(t, e, goodMeeting())
	if r.Burden.Max != 120+40 || r.Burden.Total != 120+120+40 {
		t.Fatalf("travel burden: %+v", r.Burden)
	}
}

func TestOtherKinds(t *testing.T) {
	base := func(k Kind) *Demand {
		return &Demand{OfficeID: 1, IssuerUnit: "430922", Kind: k, Title: "t", Targets: Targets{Units: []string{"430922100"}},
			Due: at("2026-04-24", "17:00")}
	}
	cases := []struct {
		name   string
		d      func() *Demand
		rule   string
		sev    Severity
		passes bool
	}{
		{"short document", func() *Demand { return base(Document) }, "doc.length", Block, true},
		{"long document", func() *Demand { d := base(Document); d.Body = strings.Repeat("字", 5001); return d }, "doc.length", Block, false},
		{"special document of 4,500", func() *Demand {
			d := base(Document)
			d.Body = strings.Repeat("字", 4500)
			d.Document = &DocumentInfo{Special: true}
			return d
		}, "doc.length", Block, false},
		{"more documents than last year", func() *Demand { return base(Document) }, "cap.documents", Review, false},
		{"supporting documents", func() *Demand { d := base(Document); d.Asks.SupportDocs = true; return d }, "doc.reportback", Block, false},
		{"unplanned inspection", visit, "visit.plan", Block, false},
		{"inspection demanding materials", func() *Demand { d := visit(); d.Visit.Approved = true; d.Asks.Materials = 2; return d }, "visit.noforms", Block, false},
		{"research with scoring", func() *Demand { d := visit(); d.Visit.Research, d.Visit.ScoringItems = true, 5; return d }, "visit.research", Block, false},
		{"research without scoring", func() *Demand { d := visit(); d.Visit.Research = true; return d }, "visit.research", Block, true},
		{"group with owner and expiry", group, "group.owner", Block, true},
		{"group without expiry", func() *Demand { d := group(); d.Group.Expires = time.Time{}; return d }, "group.owner", Block, false},
		{"group for a year", func() *Demand { d := group(); d.Group.Expires = now.AddDate(1, 0, 0); return d }, "group.owner", Block, false},
		{"group with check-ins", func() *Demand { d := group(); d.Asks.CheckIn = true; return d }, "app.checkin", Block, false},
		{"check-ins for security", func() *Demand { d := group(); d.Asks.CheckIn, d.Asks.SecurityUse = true, true; return d }, "app.checkin", Review, false},
		{"township builds an app", func() *Demand {
			d := base(App)
			d.IssuerUnit = "430922100"
			d.App = &AppInfo{NewPlatform: true}
			return d
		}, "app.level", Block, false},
		{"county's second app", func() *Demand { d := base(App); d.App = &AppInfo{NewPlatform: true, OfficeApps: 1}; return d }, "app.level", Block, false},
		{"county's first app", func() *Demand { d := base(App); d.App = &AppInfo{NewPlatform: true}; return d }, "app.level", Block, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv()
			e.counts[Document] = 0 // none last year or this: one new is over "only down"
			if c.rule == "doc.length" || c.rule == "doc.reportback" {
				e.counts[Document] = 5
			}
			r := run(t, e, c.d())
			if got := has(r, c.rule, c.sev); got == c.passes {
				t.Fatalf("%s %s present=%v, want %v: %+v", c.rule, c.sev, got, !c.passes, r.Findings)
			}
		})
	}
}

func visit() *Demand {
	return &Demand{OfficeID: 1, IssuerUnit: "430922", Kind: Visit, Title: "安全生产检查", Targets: Targets{Units: []string{"430922100201"}},
		Start: at("2026-04-22", "09:00"), End: at("2026-04-22", "11:00"), Visit: &VisitInfo{}}
}

func group() *Demand {
	return &Demand{OfficeID: 1, IssuerUnit: "430922", Kind: Group, Title: "春耕调度群", Targets: Targets{Level: units.Township, Under: "430922"},
		Group: &GroupInfo{Owner: "王强", Purpose: "春耕调度", Expires: now.AddDate(0, 0, 60)}}
}

func TestBadInputIsRefusedWithField(t *testing.T) {
	cases := []struct {
		name, field string
		change      func(d *Demand)
	}{
		{"unknown target", "targets.units[1]", func(d *Demand) { d.Targets = Targets{Units: []string{"430922100", "999999"}} }},
		{"unknown subtree", "targets.under", func(d *Demand) { d.Targets.Under = "430923" }},
		{"level above the subtree", "targets.level", func(d *Demand) { d.Targets = Targets{Level: units.City, Under: "430922"} }},
		{"no targets", "targets", func(d *Demand) { d.Targets = Targets{} }},
		{"due in the past", "due", func(d *Demand) { d.Due = now.Add(-time.Hour) }},
		{"due in ten years", "due", func(d *Demand) { d.Due = now.AddDate(10, 0, 0) }},
		{"absurd effort", "asks", func(d *Demand) { d.Asks.OtherMinutes = 1_000_000 }},
		{"negative attendance", "asks.attendees", func(d *Demand) { d.Asks.Attendees = -2 }},
		{"oversized body", "body", func(d *Demand) { d.Body = strings.Repeat("字", MaxBody+1) }},
		{"no title", "title", func(d *Demand) { d.Title = " " }},
		{"emergency without reason", "emergency_reason", func(d *Demand) { d.Emergency = true }},
		{"unknown kind", "kind", func(d *Demand) { d.Kind = "survey" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := goodReport()
			c.change(d)
			_, err := Run(newEnv(), d, now)
			ve, ok := err.(*ValidationError)
			if !ok || ve.Field != c.field {
				t.Fatalf("got %v, want an error on %s", err, c.field)
			}
		})
	}
}
