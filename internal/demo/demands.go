package demo

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/policy"
	"lighten/internal/store"
	"lighten/internal/units"
)

// Clock is the time a store opened with store.Options{Now: c.Now} reads.
// The seed moves it forward through the year it plays.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// yearBefore is the first morning of the demo's year: the offices and
// people exist from then on.
func yearBefore(now time.Time) time.Time {
	n := now.In(gate.China).AddDate(-1, 0, 0)
	return time.Date(n.Year(), n.Month(), n.Day(), 8, 0, 0, 0, gate.China)
}

// The seeds of the demo's randomness: the same demo every time.
const (
	seedPlan = 0x7461_6f6a // which units, which hours
	seedPlay = 0x6a69_616e // which items cadres leave undone
)

// SeedDemands plays a year of demands up to now on db, whose clock is clk:
// the county's offices (and the city's statistics bureau) issue them week
// by week, the gate admits, refuses or sends them to review, the
// burden-reduction office decides with written reasons and tightens its
// policy half-way, issuers change what was refused and try again, and the
// demo township's and village's cadres mark what they did. The duty lists
// are at work (a task refused from the negative list, "not ours" refusals
// upheld and overturned, escalations answered in time and late), and the
// villages answer the reports tied to the data dictionary, each figure
// collected once. Every change is made by the person who would make it, so
// the audit log reads true.
func SeedDemands(ctx context.Context, db *store.DB, clk *Clock, now time.Time) error {
	s, err := newSeeder(ctx, db, clk, now)
	if err != nil {
		return err
	}
	if err := s.duties(); err != nil {
		return err
	}
	if err := s.dictionary(); err != nil {
		return err
	}
	s.year()
	if err := s.play(); err != nil {
		return err
	}
	clk.Set(now)
	return nil
}

// Counts sums up the demands of the past year by how they were settled.
type Counts struct {
	Demands  int // issued in the past year
	Admitted int // admitted by the gate
	Refused  int // refused by the gate
	Reviewed int // decided by the burden-reduction office
	Waiting  int // in the review queue now
}

func (c Counts) String() string { return c.Text().EN }

// Text is the summary in both languages.
func (c Counts) Text() i18n.Text {
	return i18n.Both("demo.summary.demands", c.Demands, c.Admitted, c.Refused, c.Reviewed, c.Waiting)
}

// CountDemands counts the demands created in the year up to db's now.
func CountDemands(ctx context.Context, db *store.DB) (Counts, error) {
	var c Counts
	since := db.Now().AddDate(-1, 0, -1)
	q := store.DemandQuery{Scopes: []string{""}, Limit: 1000}
	for {
		list, total, err := db.ListDemands(ctx, q)
		if err != nil {
			return c, err
		}
		for _, d := range list {
			if d.Created.Before(since) || d.Status == gate.Draft {
				continue
			}
			c.Demands++
			switch {
			case d.Status == gate.InReview:
				c.Waiting++
			case d.DecidedBy != 0:
				c.Reviewed++
			case d.Status == gate.Refused:
				c.Refused++
			case d.Status == gate.Admitted || d.Status == gate.Active || d.Status == gate.Closed:
				c.Admitted++
			}
		}
		q.Offset += len(list)
		if len(list) == 0 || q.Offset >= total {
			return c, nil
		}
	}
}

// decision is the burden office's answer to a demand in review.
type decision struct {
	admit  bool
	reason string
}

// plan is one demand the year holds, and what happens to it.
type plan struct {
	by          string    // the issuer's login
	at          time.Time // when it is submitted
	title, body string    // with {due}, {start}, {year}… filled in on submission
	d           gate.Demand
	decide      *decision // the burden office's answer if it goes to review
	wait        bool      // left in the review queue
	// revise changes a refused demand the working day after; it is
	// submitted again once.
	revise    func(s *seeder, p *plan, d *gate.Demand)
	revised   bool
	closeNote string // the issuer closes the group when it expires
	// admitted, if set, replaces the demo cadres marking the demand done:
	// a report tied to the data dictionary is answered value by value, a
	// demand the township refuses is refused, not done.
	admitted func(rec *store.DemandRecord)
}

type cadre struct {
	login string
	unit  units.Unit
}

type seeder struct {
	ctx        context.Context
	db         *store.DB
	clk        *Clock
	now, start time.Time
	policyAt   time.Time
	cal        *calendar.Calendar
	tree       *units.Tree
	towns      []units.Unit
	villages   []units.Unit
	town       units.Unit // the demo township
	village    units.Unit // the demo village
	cadres     []cadre
	actors     map[string]store.Actor
	offices    map[string]units.Office
	rng        *rand.Rand // for building the plans
	luck       *rand.Rand // for playing them
	plans      []*plan
	q          events
	seq        int
	cur        time.Time
	vcadres    map[string]store.Actor // every village's cadre, by village code
	figs       *rand.Rand             // for the villages' figures and answers
	figures    map[string]figures     // by village code
	closed     map[int64]bool         // reports their issuer closed
	quarter    quarter                // the quarter of visits
	inspectors map[string]store.Actor // inspectors who sign in, by register number
	planIDs    []int64                // the annual plans of inspections and research
	draws      []int64                // their items' draws
	seen       *rand.Rand             // for what the inspection teams find
}

func newSeeder(ctx context.Context, db *store.DB, clk *Clock, now time.Time) (*seeder, error) {
	s := &seeder{ctx: ctx, db: db, clk: clk, now: now, start: yearBefore(now),
		actors: map[string]store.Actor{}, offices: map[string]units.Office{},
		rng: rand.New(rand.NewPCG(seedPlan, 1)), luck: rand.New(rand.NewPCG(seedPlay, 2))}
	var err error
	if s.cal, err = db.Calendar(ctx); err != nil {
		return nil, err
	}
	if s.tree, err = db.Tree(ctx); err != nil {
		return nil, err
	}
	s.towns = s.tree.Under(units.Township, County)
	s.villages = s.tree.Under(units.Village, County)
	if len(s.towns) == 0 || len(s.villages) == 0 {
		return nil, fmt.Errorf("demo demands: county %s has no townships or villages", County)
	}
	s.town, s.village = firstTownshipAndVillage(s.tree)
	for _, a := range Accounts(s.tree) {
		p, _, err := db.PersonByLogin(ctx, a.Login)
		if err != nil {
			return nil, fmt.Errorf("demo demands: %s: %w", a.Login, err)
		}
		s.actors[a.Login] = store.Actor{ID: p.ID, Login: p.Login}
		if p.OfficeID != 0 {
			if s.offices[a.Login], err = db.Office(ctx, p.OfficeID); err != nil {
				return nil, err
			}
		}
		if a.Role == units.RoleCadre {
			u, _ := s.tree.Get(a.Unit)
			s.cadres = append(s.cadres, cadre{a.Login, u})
		}
	}
	s.vcadres = map[string]store.Actor{}
	for _, v := range s.villages {
		p, _, err := db.PersonByLogin(ctx, villageLogin(v.Code, s.village.Code))
		if err != nil {
			return nil, fmt.Errorf("demo demands: cadre of %s: %w", v.Code, err)
		}
		s.vcadres[v.Code] = store.Actor{ID: p.ID, Login: p.Login}
	}
	// The burden office tightens its policy half-way through the year.
	s.policyAt = s.clockOn(s.workdayFrom(calendar.DateOf(s.start.AddDate(0, 6, 0))), 10, 0)
	return s, nil
}

// ---- time ----

func (s *seeder) clockOn(d calendar.Date, h, m int) time.Time {
	return d.Time().Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

func (s *seeder) workdayFrom(d calendar.Date) calendar.Date {
	for !s.cal.IsWorkday(d) {
		d = d.AddDays(1)
	}
	return d
}

func (s *seeder) workdayBefore(d calendar.Date) calendar.Date {
	for d = d.AddDays(-1); !s.cal.IsWorkday(d); d = d.AddDays(-1) {
	}
	return d
}

// after is n working days after t's date at h:m.
func (s *seeder) after(t time.Time, n, h, m int) time.Time {
	return s.clockOn(s.cal.AddWorkdays(calendar.DateOf(t), n), h, m)
}

// on is a working morning or afternoon on or after month/day, in the
// demo's year: this year's if it has passed, else last year's.
func (s *seeder) on(month, day int) time.Time {
	n := s.now.In(gate.China)
	d := calendar.NewDate(n.Year(), time.Month(month), day)
	if !d.Before(calendar.DateOf(n)) {
		d = calendar.NewDate(n.Year()-1, time.Month(month), day)
	}
	return s.clockOn(s.workdayFrom(d), s.hour(), 15*s.rng.IntN(4))
}

// hour is an hour of the working day at which notices go out.
func (s *seeder) hour() int { return []int{9, 9, 10, 10, 11, 14, 15, 16}[s.rng.IntN(8)] }

// ago is n working days before today at h:00 (0: today, or the last
// working day if today is not one), always before now.
func (s *seeder) ago(n, h int) time.Time {
	d := s.workdayFrom(calendar.DateOf(s.now))
	if d.After(calendar.DateOf(s.now)) {
		d = s.workdayBefore(calendar.DateOf(s.now))
	}
	for i := 0; i < n; i++ {
		d = s.workdayBefore(d)
	}
	t := s.clockOn(d, h, 0)
	for !t.Before(s.now) {
		d = s.workdayBefore(d)
		t = s.clockOn(d, h, 0)
	}
	return t
}

// need is the lead time the policy asks of a kind at t, in working days.
func (s *seeder) need(k gate.Kind, t time.Time) int {
	switch k {
	case gate.Report:
		if !t.Before(s.policyAt) {
			return 7
		}
		return 5
	case gate.Meeting:
		return 3
	}
	return 5
}

// lead is a lead time an issuer who keeps the rules gives.
func (s *seeder) lead(k gate.Kind, t time.Time) int { return s.need(k, t) + 1 + s.rng.IntN(4) }

// ---- targets ----

func townships() gate.Targets { return gate.Targets{Level: units.Township, Under: County} }
func villages() gate.Targets  { return gate.Targets{Level: units.Village, Under: County} }

// some draws n of us, with must among them if it is set.
func (s *seeder) some(us []units.Unit, n int, must string) gate.Targets {
	perm := s.rng.Perm(len(us))[:min(n, len(us))]
	var codes []string
	for _, i := range perm {
		codes = append(codes, us[i].Code)
	}
	if must != "" && !slices.Contains(codes, must) {
		codes[0] = must
	}
	sort.Strings(codes)
	return gate.Targets{Units: codes}
}

func (s *seeder) someTowns(n int, demo bool) gate.Targets {
	must := ""
	if demo {
		must = s.town.Code
	}
	return s.some(s.towns, n, must)
}

func (s *seeder) someVillages(n int, demo bool) gate.Targets {
	must := ""
	if demo {
		must = s.village.Code
	}
	return s.some(s.villages, n, must)
}

// ---- plans ----

func f(name string, minutes int) gate.Field { return gate.Field{Name: name, Minutes: minutes} }

func (s *seeder) add(by string, at time.Time, k gate.Kind, tg gate.Targets, title, body string) *plan {
	p := &plan{by: by, at: at, title: title, body: body, d: gate.Demand{Kind: k, Targets: tg}}
	s.plans = append(s.plans, p)
	return p
}

// due sets the due date n working days after submission, at 17:00.
func (s *seeder) due(p *plan, n int) *plan {
	p.d.Due = s.after(p.at, n, 17, 0)
	return p
}

func (s *seeder) report(by string, at time.Time, tg gate.Targets, title, body string, fields ...gate.Field) *plan {
	p := s.add(by, at, gate.Report, tg, title, body)
	p.d.Asks.Fields = fields
	return s.due(p, s.lead(gate.Report, at))
}

func (s *seeder) task(by string, at time.Time, tg gate.Targets, title, body string, minutes int) *plan {
	p := s.add(by, at, gate.Task, tg, title, body)
	p.d.Asks.OtherMinutes = minutes
	return s.due(p, s.lead(gate.Task, at))
}

func (s *seeder) doc(by string, at time.Time, tg gate.Targets, title, body string) *plan {
	p := s.add(by, at, gate.Document, tg, title, body)
	p.d.Document = &gate.DocumentInfo{}
	return s.due(p, s.lead(gate.Document, at))
}

// meeting is held n working days after the notice (n 0: the lead the
// policy asks plus a margin), from h:00 for the meeting's minutes.
func (s *seeder) meeting(by string, at time.Time, tg gate.Targets, title, body string, m gate.MeetingInfo, attendees, n, h int) *plan {
	p := s.add(by, at, gate.Meeting, tg, title, body)
	if n == 0 {
		n = s.lead(gate.Meeting, at)
	}
	p.d.Meeting = &m
	p.d.Asks.Attendees = attendees
	p.d.Start = s.after(at, n, h, 0)
	p.d.End = p.d.Start.Add(time.Duration(m.Minutes) * time.Minute)
	return p
}

// visit is one day's inspection or research n working days on.
func (s *seeder) visit(by string, at time.Time, tg gate.Targets, title, body string, v gate.VisitInfo, n int) *plan {
	p := s.add(by, at, gate.Visit, tg, title, body)
	p.d.Visit = &v
	p.d.Asks.Attendees = 1
	p.d.Start = s.after(at, n, 9, 0)
	p.d.End = s.after(at, n, 16, 30)
	return p
}

// group is a work chat group units join within two working days; days 0
// is a group without expiry.
func (s *seeder) group(by string, at time.Time, tg gate.Targets, title, body, owner, purpose string, days, members int) *plan {
	p := s.add(by, at, gate.Group, tg, title, body)
	p.d.Group = &gate.GroupInfo{Owner: owner, Purpose: purpose, Members: members}
	if days > 0 {
		p.d.Group.Expires = s.clockOn(calendar.DateOf(at).AddDays(days), 18, 0)
	}
	return s.due(p, 2)
}

// pledge is a letter of responsibility for an item of the register.
func (s *seeder) pledge(by string, at time.Time, tg gate.Targets, item, title, body string) *plan {
	p := s.add(by, at, gate.Pledge, tg, title, body)
	p.d.Pledge = &gate.PledgeInfo{Item: item}
	return s.due(p, 7)
}

func (s *seeder) app(by string, at time.Time, tg gate.Targets, title, body string, a gate.AppInfo) *plan {
	p := s.add(by, at, gate.App, tg, title, body)
	p.d.App = &a
	return s.due(p, 5)
}

func emergency(p *plan, reason string) *plan {
	p.d.Emergency, p.d.Reason = true, reason
	return p
}

// duty names a task's matter on the duty lists, the lead office of
// assisting work, and the means that come with it.
func duty(p *plan, matter, lead string, means *gate.Means) *plan {
	p.d.Matter, p.d.LeadOffice, p.d.Means = matter, lead, means
	return p
}

func admit(reason string) *decision  { return &decision{true, reason} }
func refuse(reason string) *decision { return &decision{false, reason} }

var weekdays = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

var quarters = [...]string{"第一季度", "第二季度", "第三季度", "第四季度"}

// fill writes the demand's title and body from the plan's, with its dates.
func (s *seeder) fill(p *plan, d *gate.Demand) {
	at := p.at.In(gate.China)
	q := (int(at.Month()) - 1) / 3
	py, pq := at.Year(), q-1
	if pq < 0 {
		py, pq = py-1, 3
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		t = t.In(gate.China)
		return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
	}
	hm := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		t = t.In(gate.China)
		return fmt.Sprintf("%d:%02d", t.Hour(), t.Minute())
	}
	expires := ""
	if d.Group != nil && !d.Group.Expires.IsZero() {
		e := d.Group.Expires.In(gate.China)
		expires = fmt.Sprintf("%d年%d月%d日", e.Year(), e.Month(), e.Day())
	}
	start := ""
	if !d.Start.IsZero() {
		start = day(d.Start) + "（" + weekdays[d.Start.In(gate.China).Weekday()] + "）" + hm(d.Start)
	}
	r := strings.NewReplacer(
		"{year}", strconv.Itoa(at.Year()),
		"{lastyear}", strconv.Itoa(at.Year()-1),
		"{month}", fmt.Sprintf("%d月", at.Month()),
		"{quarter}", quarters[q],
		"{prevquarter}", fmt.Sprintf("%d年%s", py, quarters[pq]),
		"{today}", day(at),
		"{due}", day(d.Due),
		"{duetime}", day(d.Due)+hm(d.Due),
		"{start}", start,
		"{end}", hm(d.End),
		"{expires}", expires,
	)
	d.Title, d.Body = r.Replace(p.title), r.Replace(p.body)
}

// ---- playing the year ----

type event struct {
	at  time.Time
	seq int
	run func() error
}

type events []*event

func (e events) Len() int { return len(e) }
func (e events) Less(i, j int) bool {
	if !e[i].at.Equal(e[j].at) {
		return e[i].at.Before(e[j].at)
	}
	return e[i].seq < e[j].seq
}
func (e events) Swap(i, j int) { e[i], e[j] = e[j], e[i] }
func (e *events) Push(x any)   { *e = append(*e, x.(*event)) }
func (e *events) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}

// push schedules fn at t, never before what has already happened.
func (s *seeder) push(t time.Time, fn func() error) {
	if t.Before(s.cur) {
		t = s.cur
	}
	s.seq++
	heap.Push(&s.q, &event{at: t, seq: s.seq, run: fn})
}

// play runs the year in the order things happened; what would happen
// after now does not.
func (s *seeder) play() error {
	s.cur = s.clk.Now()
	s.push(s.policyAt, s.tighten)
	for _, p := range s.plans {
		p := p
		s.push(p.at, func() error { return s.submit(p) })
	}
	for s.q.Len() > 0 {
		e := heap.Pop(&s.q).(*event)
		if e.at.After(s.now) {
			continue
		}
		s.cur = e.at
		s.clk.Set(e.at)
		if err := e.run(); err != nil {
			return err
		}
	}
	return nil
}

// tighten is the burden office's policy for the second half of the year.
func (s *seeder) tighten() error {
	note := "上半年运行情况：报表从下发到截止平均不足6个工作日，村（社区）月均负担接近预算上限。" +
		"自即日起，报表提前量由5个工作日提高到7个工作日，村级月度负担预算由1200分钟降至1000分钟。"
	doc := policy.Document{Params: map[string]int{"lead.time.report": 7, "budget.village": 1000}, Note: note}
	return s.db.Write(s.ctx, s.actors["jianfu"], func(tx *store.Tx) error {
		_, err := tx.SavePolicy(s.ctx, County, doc, note)
		return err
	})
}

func (s *seeder) submit(p *plan) error {
	o, ok := s.offices[p.by]
	if !ok {
		return fmt.Errorf("demo demand %q: %s has no office", p.title, p.by)
	}
	d := p.d
	d.OfficeID, d.IssuerUnit = o.ID, o.UnitCode
	s.fill(p, &d)
	actor := s.actors[p.by]
	if err := s.db.Write(s.ctx, actor, func(tx *store.Tx) error { return tx.CreateDemand(s.ctx, &d) }); err != nil {
		return fmt.Errorf("demo demand %q: %w", d.Title, err)
	}
	return s.verdict(p, d.ID)
}

// verdict submits a draft to the gate and arranges what follows.
func (s *seeder) verdict(p *plan, id int64) error {
	rec, _, err := s.db.SubmitDemand(s.ctx, s.actors[p.by], id)
	if err != nil {
		return fmt.Errorf("demo demand %d %q: %w", id, p.title, err)
	}
	switch rec.Status {
	case gate.Admitted:
		s.follow(p, rec)
	case gate.InReview:
		if !p.wait {
			s.push(s.decisionTime(rec), func() error { return s.decide(p, id) })
		}
	case gate.Refused:
		s.retry(p, id)
	}
	return nil
}

// decisionTime is when the burden office gets to a demand: the next
// working day, or within the half hour when it is due sooner.
func (s *seeder) decisionTime(rec *store.DemandRecord) time.Time {
	t := s.after(s.cur, 1, 10+s.luck.IntN(6), 15*s.luck.IntN(4))
	if t.After(rec.When().Add(-2 * time.Hour)) {
		t = s.cur.Add(30 * time.Minute)
	}
	return t
}

func (s *seeder) decide(p *plan, id int64) error {
	rec, err := s.db.Demand(s.ctx, id)
	if err != nil || rec.Status != gate.InReview {
		return err
	}
	ok, reason := s.judge(p, rec)
	rec, err = s.db.DecideDemand(s.ctx, s.actors["jianfu"], id, ok, reason)
	if err != nil {
		return fmt.Errorf("demo decision on %d %q: %w", id, p.title, err)
	}
	if ok {
		s.follow(p, rec)
	}
	return nil
}

// retry has the issuer change a refused demand the next working morning
// and submit it again, when the plan says how.
func (s *seeder) retry(p *plan, id int64) {
	if p.revise == nil || p.revised {
		return
	}
	s.push(s.after(s.cur, 1, 9, 30), func() error {
		rec, err := s.db.Demand(s.ctx, id)
		if err != nil {
			return err
		}
		p.revised = true
		p.at = s.cur
		d := rec.Demand
		p.revise(s, p, &d)
		s.fill(p, &d)
		if err := s.db.Write(s.ctx, s.actors[p.by], func(tx *store.Tx) error { return tx.UpdateDemand(s.ctx, rec, &d) }); err != nil {
			return fmt.Errorf("demo revision of %d %q: %w", id, d.Title, err)
		}
		return s.verdict(p, id)
	})
}

// judge is the burden office's decision on a demand in review: a
// decision the plan names, or one that answers its findings.
func (s *seeder) judge(p *plan, rec *store.DemandRecord) (ok bool, reason string) {
	if p.decide != nil {
		return p.decide.admit, p.decide.reason
	}
	review := map[string]bool{}
	for _, f := range rec.Findings {
		if f.Severity == gate.Review {
			review[f.Rule] = true
		}
	}
	switch {
	case review["trace.proof"]:
		return false, "要求上传照片、截图作为工作佐证，属于“痕迹主义”，基层减负明确禁止。请删除该要求；工作成效以实际结果和随机抽查为准。"
	case review["trace.signature"]:
		return false, "不得要求基层领导在空白表格上签字盖章。请删除该要求后重新报送。"
	case review["app.checkin"]:
		return false, "“接龙”“打卡”“即时回复”属于指尖上的形式主义，不得作为工作要求。请删除后重新报送；紧急情况按值班制度电话报告。"
	case review["doc.reportback"]:
		return false, "不得要求基层报送落实情况或制定配套文件。落实情况请发文单位通过日常调研掌握。"
	case review["staff.second"]:
		return false, "县级及以下不得从乡镇、村借调或抽调工作人员，所需力量请在本部门内部调剂。"
	case rec.Emergency:
		return true, "经电话核实，" + rec.Reason + "，情况紧急属实，同意先行下发。请严格控制范围和时长，事后不再要求基层补报材料。"
	case review["cap.documents"]:
		y := rec.When().In(gate.China).Year()
		from := time.Date(y-1, 1, 1, 0, 0, 0, 0, gate.China)
		last, err := s.db.IssuerCount(s.ctx, rec.OfficeID, gate.Document, from, from.AddDate(1, 0, 0), false)
		if err == nil && last == 0 {
			return true, "系统启用前的发文未纳入台账，本年度以实际印发数为基数，同意印发；请严格控制今后发文数量。"
		}
		return false, "本年度发文数已达上年数量。该事项可在已印发的文件中一并部署，不再另行发文。"
	case review["cap.issuer.reports"]:
		return false, "本季度报表数已达上限。所需数据已在统计年报和部门月报中报送过，请向相关部门共享获取，不再向乡镇重复布置。"
	case review["budget.unit"]:
		who := "部分村（社区）"
		if rec.Targets.Level == units.Township {
			who = "部分乡镇"
		}
		return false, who + "本月负担已超出月度预算。请错峰安排到下月，或与同类事项合并后重新报送。"
	}
	return true, "经审核，同意。"
}

// follow has the demo's cadres mark done what reached them, and the
// issuer close a group when it expires.
func (s *seeder) follow(p *plan, rec *store.DemandRecord) {
	if p.admitted != nil {
		p.admitted(rec)
	} else {
		for _, c := range s.cadres {
			if !reaches(rec, c.unit) || s.luck.IntN(100) < 10 {
				continue // some things are left undone
			}
			c, id := c, rec.ID
			s.push(s.doneTime(rec), func() error { return s.markDone(id, c) })
		}
	}
	if p.closeNote != "" && rec.Group != nil && !rec.Group.Expires.IsZero() {
		id := rec.ID
		s.push(s.clockOn(s.workdayFrom(calendar.DateOf(rec.Group.Expires)), 10, 0), func() error {
			rec, err := s.db.Demand(s.ctx, id)
			if err != nil || rec.Status != gate.Admitted {
				return err
			}
			return s.db.Write(s.ctx, s.actors[p.by], func(tx *store.Tx) error {
				return tx.Move(s.ctx, rec, gate.Closed, p.closeNote)
			})
		})
	}
}

func reaches(rec *store.DemandRecord, u units.Unit) bool {
	if rec.Targets.Spec() {
		return u.Level == rec.Targets.Level && strings.HasPrefix(u.Code, rec.Targets.Under)
	}
	return slices.Contains(rec.Targets.Units, u.Code)
}

// doneTime is when a cadre marks a demand done: after a meeting or a visit,
// or on one of the working days before the due date.
func (s *seeder) doneTime(rec *store.DemandRecord) time.Time {
	if !rec.Start.IsZero() {
		return rec.End.Add(20 * time.Minute)
	}
	d := calendar.DateOf(rec.Due)
	for n := s.luck.IntN(4); n > 0; n-- {
		d = s.workdayBefore(d)
	}
	t := s.clockOn(d, 9+s.luck.IntN(8), 15*s.luck.IntN(4))
	if t.After(rec.Due) {
		t = rec.Due.Add(-30 * time.Minute)
	}
	if !t.After(s.cur) {
		t = s.cur.Add(2 * time.Hour)
	}
	return t
}

var doneNotes = map[gate.Kind]string{
	gate.Report:   "已按时报送",
	gate.Task:     "已完成，情况已录入系统",
	gate.Meeting:  "已参会",
	gate.Visit:    "已接待，检查组直接到现场",
	gate.Document: "已传达学习",
	gate.Group:    "已安排专人入群",
	gate.App:      "已安装使用",
	gate.Pledge:   "已签订",
}

func (s *seeder) markDone(id int64, c cadre) error {
	rec, err := s.db.Demand(s.ctx, id)
	if err != nil || (rec.Status != gate.Admitted && rec.Status != gate.Active) {
		return err
	}
	return s.db.Write(s.ctx, s.actors[c.login], func(tx *store.Tx) error {
		return tx.MarkDone(s.ctx, rec, c.unit.Code, doneNotes[rec.Kind])
	})
}

// ---- the year ----

// year lays out what the offices send down in a year: what each does
// every month or quarter, its seasonal work, the habits the letters from
// the grassroots complain of, and what went out in the last weeks and is
// due in the coming ones.
func (s *seeder) year() {
	s.civilAffairs()
	s.agriculture()
	s.health()
	s.education()
	s.statistics()
	s.emergencies()
	s.naturalResources()
	s.cityStatistics()
	s.chatGroups()
	s.lately()
	s.notOurs()
	s.escalations()
	s.collectOnce()
	s.visitWork()
}

// at is t's day at h:m.
func (s *seeder) at(t time.Time, h, m int) time.Time { return s.clockOn(calendar.DateOf(t), h, m) }

// weekday is the first such day at least days after t, at h:00.
func (s *seeder) weekday(t time.Time, wd time.Weekday, days, h int) time.Time {
	d := calendar.DateOf(t).AddDays(days)
	for d.Weekday() != wd {
		d = d.AddDays(1)
	}
	return s.clockOn(d, h, 0)
}

// relead gives a refused demand the lead time the policy asks.
func relead(s *seeder, p *plan, d *gate.Demand) {
	d.Due = s.after(s.cur, s.lead(d.Kind, s.cur), 17, 0)
}

// habit gives some routine reports the lead time the letters complain of:
// sent today, due tomorrow or the day after. Just after the policy asks
// for more lead time, some issuers still give the old five days, and
// send the report again with more when it is refused.
func (s *seeder) habit(p *plan, pct int) *plan {
	switch {
	case s.rng.IntN(100) < pct:
		s.due(p, 1+s.rng.IntN(2))
	case p.d.Kind == gate.Report && !p.at.Before(s.policyAt) && p.at.Before(s.policyAt.AddDate(0, 0, 42)) && s.rng.IntN(100) < 50:
		s.due(p, 5+s.rng.IntN(2))
		if s.rng.IntN(2) == 0 {
			p.revise = relead
		}
	}
	return p
}

func (s *seeder) civilAffairs() {
	const by = "minzheng"
	for m := 1; m <= 12; m++ {
		s.habit(s.report(by, s.on(m, 3), townships(), "{year}年{month}低保、特困供养对象动态管理月报",
			"各乡镇人民政府：\n请于{due}前报送本月低保、特困供养对象增减变动情况。数据以社会救助信息系统为准，系统中已有的名册不再另报纸质材料。\n\n县民政局社会救助股",
			f("低保户数", 15), f("低保人数", 15), f("特困供养人数", 10), f("本月新增低保户数", 10), f("本月退出低保户数", 10),
			f("临时救助人次", 10), f("救助资金发放金额（万元）", 15)), 15)
	}
	for _, m := range []int{3, 6, 9, 12} {
		s.report(by, s.on(m, 18), villages(), "{year}年{quarter}高龄津贴和养老服务补贴发放名册核对",
			"各乡镇，各村（社区）：\n请各村（社区）对照县民政局下发的本季度高龄津贴、养老服务补贴发放名册，核对享受对象是否健在、是否仍在本地居住，"+
				"于{due}前将核减名单报乡镇民政办。名册无变化的村（社区）报“无变化”即可。\n\n县民政局养老服务股",
			f("高龄津贴发放人数", 5), f("养老服务补贴发放人数", 5), f("核减人数", 5))
	}
	duty(s.due(s.task(by, s.on(3, 9), villages(), "{year}年度低保、特困供养对象年度核查",
		"各乡镇，各村（社区）：\n根据省民政厅关于社会救助对象年度核查的部署，请各村（社区）配合乡镇民政办，对辖区内低保、特困供养对象逐户入户核查，"+
			"重点核实家庭人口、收入和财产变化情况。核查结果由乡镇民政办录入社会救助信息系统，不另报纸质材料。请于{due}前完成。核查工作经费每村800元，由县民政局拨付。\n\n县民政局", 600), 15),
		"CJ10", "县民政局", &gate.Means{Funds: 800})
	s.report(by, s.on(11, 18), villages(), "{year}年冬春困难群众救助需求摸底",
		"各乡镇，各村（社区）：\n为做好今冬明春困难群众基本生活保障，请摸清辖区内需要冬春救助的困难群众底数，于{due}前报乡镇民政办汇总。"+
			"已纳入低保、特困供养的对象民政系统已有信息，只填写新增需求。\n\n县民政局社会救助股",
		f("需冬春救助户数", 10), f("需救助人数", 10), f("其中因病因灾致困户数", 10), f("棉被棉衣需求（件）", 10))

	p := s.report(by, s.on(5, 12), villages(), "农村留守老年人关爱服务走访台账",
		"各乡镇，各村（社区）：\n请村干部对辖区内农村留守老年人开展一次全覆盖走访，逐户填写走访台账，每户须上传走访照片，于{due}前报送乡镇民政办。\n\n县民政局养老服务股",
		f("留守老年人数", 5), f("已走访人数", 5), f("发现困难问题数", 10), f("已解决问题数", 10))
	p.d.Asks.Photos = true

	p = s.meeting(by, s.on(9, 8), townships(), "全县养老服务工作推进会",
		"各乡镇人民政府：\n定于{start}在县民政局四楼会议室召开全县养老服务工作推进会，会期半天。请各乡镇分管领导、民政办主任、敬老院院长参会。\n\n县民政局",
		gate.MeetingInfo{Format: "onsite", Minutes: 150, SpeechMinutes: 40, Needed: 1}, 3, 0, 9)

	s.doc(by, s.on(1, 12), townships(), "关于做好春节期间困难群众走访慰问工作的通知",
		"各乡镇人民政府：\n春节将至，为让困难群众过一个欢乐祥和的节日，现就走访慰问工作通知如下：\n"+
			"一、慰问对象。低保对象、特困供养人员、困难残疾人和因病因灾致困家庭。\n"+
			"二、慰问方式。由乡镇组织，村（社区）干部结合日常走访进行，慰问金通过“一卡通”发放到户。\n"+
			"三、有关要求。不搞层层陪同，不组织集中仪式，走访中发现的困难问题及时纳入救助。\n\n县民政局")
	s.doc(by, s.on(12, 4), townships(), "关于做好今冬明春困难群众基本生活保障工作的通知",
		"各乡镇人民政府：\n入冬以来气温持续走低，为切实保障困难群众温暖过冬，现就有关事项通知如下：\n"+
			"一、及时足额发放低保金、特困供养金和取暖补贴。\n二、对因病因灾临时陷入困难的家庭，乡镇可先行救助，事后补办手续。\n"+
			"三、敬老院要做好防寒保暖和消防安全工作。\n\n县民政局")

	p = duty(s.task(by, s.on(6, 9), villages(), "困难残疾人生活补贴和重度残疾人护理补贴资格复核",
		"各乡镇，各村（社区）：\n请各村（社区）对享受“两项补贴”的残疾人逐人核实是否健在、是否仍符合条件，于{due}前将核实结果报乡镇民政办。\n\n县民政局", 180),
		"CJ10", "县民政局", nil)
	p.decide = refuse("委托村（社区）入户核实，但未明确人员、经费或权限。请写明县民政局提供的工作经费或数据比对支持后重新报送。")
	duty(s.task(by, s.on(4, 9), villages(), "农村低收入人口动态监测排查",
		"各乡镇，各村（社区）：\n请各村（社区）对监测对象和收入不稳定家庭逐户排查，发现返贫致贫风险及时纳入监测帮扶，于{due}前完成。排查工作经费每村500元。\n\n县民政局", 360),
		"CJ10", "县民政局", &gate.Means{Funds: 500})
	duty(s.task(by, s.on(10, 26), villages(), "散埋乱葬专项整治",
		"各乡镇，各村（社区）：\n请各村（社区）对辖区内公路沿线、耕地内的散埋乱葬坟墓进行摸底，劝导当事人迁移或生态化改造，于{due}前报送整治情况。\n\n县民政局", 600),
		"殡葬管理", "", nil)

	p = s.doc(by, s.on(7, 6), townships(), "关于开展社会救助政策落实情况自查的通知",
		"各乡镇人民政府：\n为推动社会救助各项政策落地见效，决定在全县开展社会救助政策落实情况自查。请各乡镇对照自查清单逐项自查，形成自查报告，并于{due}前报送落实情况。\n"+
			"一、自查内容。低保、特困供养、临时救助政策执行情况，资金发放情况，档案管理情况。\n"+
			"二、工作要求。各乡镇要高度重视，成立工作专班，制定本乡镇实施方案。\n\n县民政局")
	p.d.Asks.ReportBack, p.d.Asks.SupportDocs = true, true
}

func (s *seeder) agriculture() {
	const by = "nongye"
	s.meeting(by, s.on(2, 24), townships(), "全县农业农村工作会议",
		"各乡镇人民政府：\n定于{start}在县委礼堂召开全县农业农村工作会议，总结去年工作，部署今年粮食生产、高标准农田建设和乡村建设重点任务。"+
			"请各乡镇党委书记或乡镇长、分管农业的负责同志参会。\n\n县农业农村局",
		gate.MeetingInfo{Format: "onsite", Comprehensive: true, Minutes: 180, SpeechMinutes: 50, Needed: 2}, 2, 0, 9)
	s.meeting(by, s.on(6, 2), townships(), "全县“三农”工作推进会",
		"各乡镇人民政府：\n定于{start}在县委礼堂召开全县“三农”工作推进会，通报上半年农业农村重点工作进展，部署下半年工作。请各乡镇党委书记、乡镇长参会。\n\n县农业农村局",
		gate.MeetingInfo{Format: "onsite", Comprehensive: true, Minutes: 180, SpeechMinutes: 50, Needed: 2}, 2, 0, 9)

	for i, m := range [][2]int{{3, 2}, {3, 16}, {3, 30}, {4, 13}} {
		s.habit(s.report(by, s.on(m[0], m[1]), townships(), fmt.Sprintf("春耕生产进度调度（第%d期）", i+1),
			"各乡镇人民政府：\n请于{due}前报送截至目前的春耕生产进度。数据由乡镇农业综合服务中心汇总，不需要村里另行填报。\n\n县农业农村局种植业股",
			f("早稻育秧面积（亩）", 15), f("早稻栽插面积（亩）", 15), f("春播面积（亩）", 15), f("机耕面积（亩）", 10), f("化肥到位量（吨）", 10)), 35)
	}
	for _, m := range [][2]int{{5, 25}, {6, 22}} {
		s.habit(s.report(by, s.on(m[0], m[1]), townships(), "水稻病虫害防控进度",
			"各乡镇人民政府：\n当前正值稻飞虱、稻纵卷叶螟防控关键期，请于{due}前报送防控进度。\n\n县农业农村局植保站",
			f("病虫害发生面积（亩）", 15), f("防治面积（亩）", 15), f("统防统治面积（亩）", 10)), 25)
	}
	for _, m := range []int{1, 4, 7, 10} {
		s.report(by, s.on(m, 15), s.someTowns(6, m == 10), "{prevquarter}高标准农田建设项目进度",
			"有关乡镇人民政府：\n请于{due}前报送本乡镇高标准农田建设项目进度。项目资金拨付数据由县财政直接提供，不需乡镇填报。\n\n县农业农村局农田建设股",
			f("项目区面积（亩）", 10), f("已完工面积（亩）", 15), f("完成投资（万元）", 15), f("建后管护责任落实村数", 10))
	}
	for _, m := range [][2]int{{5, 11}, {6, 8}, {7, 6}, {8, 3}} {
		s.meeting(by, s.on(m[0], m[1]), townships(), "农业生产调度视频会",
			"各乡镇人民政府：\n定于{start}召开农业生产调度视频会，时长1小时。请各乡镇分管农业的负责同志在本乡镇视频会场参会，不必到县。\n\n县农业农村局",
			gate.MeetingInfo{Format: "video", Minutes: 60, SpeechMinutes: 20, Needed: 1}, 1, 0, 15)
	}
	s.doc(by, s.on(3, 5), townships(), "关于做好春耕生产工作的通知",
		"各乡镇人民政府：\n当前春耕生产陆续展开，为稳定粮食播种面积，现就有关工作通知如下：\n"+
			"一、落实早稻种植面积，确保耕地种足种满。\n二、做好种子、化肥、农药等农资供应和市场监管。\n"+
			"三、组织农机社会化服务组织开展代耕代插。\n四、做好倒春寒等灾害性天气防范。\n\n县农业农村局")
	s.doc(by, s.on(9, 24), townships(), "关于做好秋冬种工作的通知",
		"各乡镇人民政府：\n秋冬种是全年农业生产的开局。请各乡镇落实油菜种植面积，推广稻油轮作，做好种子和农机准备，抓住墒情适时播种。\n\n县农业农村局").
		decide = admit("秋冬种有农时要求，不能延后，同意印发；本年度请不再另行发文。")

	// A storm: the office asks for the crop damage by the next morning
	// and calls a video meeting that evening.
	t := s.at(s.on(6, 17), 15, 0)
	p := emergency(s.add(by, t, gate.Meeting, townships(), "农业防汛抗灾紧急视频调度会",
		"各乡镇人民政府：\n县气象台发布暴雨橙色预警，资江流域未来24小时将有大暴雨。定于今晚20:30召开农业防汛抗灾紧急视频调度会，部署农作物、畜禽养殖和农业设施防灾工作。"+
			"请各乡镇分管负责同志在本地视频会场参会，会议不超过60分钟。\n\n县农业农村局"), "县气象台发布暴雨橙色预警，资江流域未来24小时将有大暴雨")
	p.d.Meeting = &gate.MeetingInfo{Format: "video", Minutes: 60, SpeechMinutes: 15, Needed: 1}
	p.d.Asks.Attendees = 1
	p.d.Start, p.d.End = s.at(t, 20, 30), s.at(t, 21, 30)
	p.decide = admit("县气象台暴雨橙色预警属实，同意当晚召开视频调度会；会议控制在60分钟以内，各乡镇在本地会场参会，不必到县。")
	p = emergency(s.add(by, s.at(s.on(6, 18), 9, 30), gate.Report, townships(), "强降雨农业灾情速报",
		"各乡镇人民政府：\n受强降雨影响，部分乡镇农作物受灾。请于{duetime}前报送农业灾情初步数据，核实后的数据在3个工作日内更正即可。\n\n县农业农村局"),
		"6月17日夜间全县普降大暴雨，部分乡镇农田受淹")
	p.d.Asks.Fields = []gate.Field{f("农作物受灾面积（亩）", 15), f("成灾面积（亩）", 15), f("受损农业设施（处）", 10), f("畜禽死亡（头、只）", 10)}
	p.d.Due = s.after(p.at, 1, 10, 0)
	p = emergency(s.add(by, s.on(8, 6), gate.Report, townships(), "旱情及抗旱情况速报",
		"各乡镇人民政府：\n近期持续晴热少雨，部分乡镇出现旱情。请于{duetime}前报送旱情和抗旱情况，之后每周报送一次，旱情解除后停报。\n\n县农业农村局"),
		"连续25天无有效降雨，全县有6个乡镇出现中度以上农业干旱")
	p.d.Asks.Fields = []gate.Field{f("受旱面积（亩）", 15), f("缺水山塘（口）", 10), f("临时饮水困难人数", 10), f("抗旱投入劳力（人次）", 10)}
	s.due(p, 1)

	// "Some notices are sent today and are due tomorrow."
	p = s.report(by, s.on(7, 8), townships(), "“双抢”生产进度统计",
		"各乡镇人民政府：\n请于明天（{due}）下班前报送“双抢”生产进度。\n\n县农业农村局种植业股",
		f("早稻收获面积（亩）", 15), f("晚稻栽插面积（亩）", 15), f("农机作业面积（亩）", 10))
	s.due(p, 1)
	p.revise = func(s *seeder, p *plan, d *gate.Demand) {
		p.body = "各乡镇人民政府：\n请于{due}前报送“双抢”生产进度，数据由乡镇农业综合服务中心汇总。\n\n县农业农村局种植业股"
		relead(s, p, d)
	}
	// Due in the National Day holiday.
	p = s.report(by, s.on(9, 25), townships(), "{year}年中稻收获及秋粮收购进度",
		"各乡镇人民政府：\n请于{due}前报送中稻收获和秋粮收购进度。\n\n县农业农村局",
		f("中稻收获面积（亩）", 15), f("收购量（吨）", 15), f("最低收购价收购量（吨）", 10))
	p.d.Due = s.clockOn(calendar.NewDate(p.at.Year(), 10, 3), 17, 0)
	s.report(by, s.on(10, 20), townships(), "秋粮收购进度（第2期）",
		"各乡镇人民政府：\n请于{due}前报送秋粮收购进度。\n\n县农业农村局",
		f("收购量（吨）", 15), f("最低收购价收购量（吨）", 10))

	p = s.meeting(by, s.on(4, 20), townships(), "全县高标准农田建设现场推进会",
		"各乡镇人民政府：\n定于{start}在灰山港镇召开全县高标准农田建设现场推进会，上午观摩项目现场，下午召开推进会议。请各乡镇分管领导和农业综合服务中心主任参会。\n\n县农业农村局",
		gate.MeetingInfo{Format: "onsite", Minutes: 420, SpeechMinutes: 45, Needed: 2, PlaceUnit: "430922113"}, 2, 0, 9)
	p.d.Place = "灰山港镇"
	p.revise = func(s *seeder, p *plan, d *gate.Demand) {
		p.body = "各乡镇人民政府：\n定于{start}在灰山港镇召开全县高标准农田建设现场推进会，观摩与会议合并进行，半天结束。请各乡镇分管领导和农业综合服务中心主任参会。\n\n县农业农村局"
		d.Meeting.Minutes = 210
		d.End = d.Start.Add(210 * time.Minute)
	}
	p = s.meeting(by, s.on(11, 13), townships(), "农村集体经济组织财务人员培训会",
		"各乡镇人民政府：\n为提高农村集体“三资”管理水平，定于{start}在县农业农村局二楼会议室举办农村集体经济组织财务人员培训，请各乡镇经管站站长参加。\n\n县农业农村局",
		gate.MeetingInfo{Format: "onsite", Minutes: 180, SpeechMinutes: 60, Needed: 1}, 1, 0, 9)
	p.d.Start = s.weekday(p.at, time.Saturday, 3, 9)
	p.d.End = p.d.Start.Add(180 * time.Minute)

	p = s.visit(by, s.on(11, 5), s.someVillages(6, false), "乡村振兴示范村创建验收",
		"有关村（社区）：\n县乡村振兴示范创建领导小组将对申报示范村进行验收。请各村制作产业基地规模、特色产品等展板，准备创建工作汇报材料和台账，验收组现场查看并听取汇报。\n\n县农业农村局",
		gate.VisitInfo{Plan: fmt.Sprintf("%d年度乡村振兴示范创建验收计划", s.on(11, 5).Year())}, 6)
	p.d.Asks.Materials, p.d.Asks.Forms, p.d.Asks.Attendees = 3, true, 3
	duty(s.task(by, s.on(9, 14), villages(), "秋冬季秸秆禁烧和野外用火巡查",
		"各乡镇，各村（社区）：\n秋收以后进入秸秆焚烧和森林火灾高发期。请各村（社区）组织网格员开展巡查，发现焚烧秸秆和野外用火及时劝阻，巡查至{due}。巡查补助每村500元。\n\n县农业农村局", 480),
		"CJ04", "", &gate.Means{Funds: 500})
	s.visit(by, s.on(8, 10), townships(), "农村人居环境整治暗访",
		"各乡镇人民政府：\n县农业农村局将组织人员对各乡镇农村人居环境整治情况进行暗访，请各乡镇做好迎检准备。\n\n县农业农村局",
		gate.VisitInfo{}, 5)
	p = s.task(by, s.on(11, 10), s.someTowns(5, false), "抽调乡镇农技人员参加高标准农田项目竣工验收",
		"有关乡镇人民政府：\n全县高标准农田项目竣工验收即将开始，请各乡镇抽调1名农技人员，自{due}起到县农业农村局集中工作10个工作日。\n\n县农业农村局",
		0)
	p.d.Asks.StaffSecond, p.d.Asks.SecondDays = 1, 10
	duty(p, "XZ42", "", nil)
	duty(s.task(by, s.on(4, 27), townships(), "农村人居环境整治“五清”行动",
		"各乡镇人民政府：\n请各乡镇组织开展清垃圾、清塘沟、清畜禽粪污、清废弃物、清违章建筑“五清”行动，于{due}前完成第一轮整治。\n\n县农业农村局", 480),
		"XZ02", "", nil).decide = admit("“五清”行动属乡镇自身职责，整治经费已列入乡镇年度预算，同意。")
	s.doc(by, s.on(5, 18), townships(), "桃江县高标准农田建设项目管理实施细则", longRules(s.towns)).d.Document.Special = true
}

func (s *seeder) health() {
	const by = "weijian"
	for _, m := range [][2]int{{1, 8}, {4, 8}, {7, 8}, {10, 12}} {
		s.report(by, s.on(m[0], m[1]), townships(), "{prevquarter}家庭医生签约服务进度",
			"各乡镇人民政府、各乡镇卫生院：\n请于{due}前报送上季度家庭医生签约服务进度。签约和随访数据以基本公共卫生服务系统为准，系统已有的数据无须重复填报。\n\n县卫生健康局基层卫生股",
			f("常住人口", 10), f("签约人数", 15), f("重点人群签约人数", 15), f("履约随访人次", 15))
	}
	s.report(by, s.on(3, 18), villages(), "适龄儿童疫苗接种查漏补种情况统计",
		"各乡镇，各村（社区）：\n请村医配合乡镇卫生院，核对辖区内0至6岁儿童疫苗接种情况，于{due}前报送需要补种的人数。\n\n县卫生健康局疾控股",
		f("0至6岁儿童数", 5), f("应补种人数", 10), f("已补种人数", 5))
	p := s.task(by, s.on(4, 7), villages(), "爱国卫生月环境卫生集中整治",
		"各乡镇，各村（社区）：\n4月是第38个爱国卫生月。请各村（社区）组织开展环境卫生集中整治，清理房前屋后垃圾和卫生死角，"+
			"于{due}前完成，并上传整治前后对比照片。\n\n县爱国卫生运动委员会办公室（县卫生健康局代）", 240)
	p.d.Asks.Photos = true
	duty(p, "CJ01", "", &gate.Means{Funds: 2000})
	p.revise = func(s *seeder, p *plan, d *gate.Demand) {
		p.body = "各乡镇，各村（社区）：\n4月是第38个爱国卫生月。请各村（社区）组织开展环境卫生集中整治，清理房前屋后垃圾和卫生死角，于{due}前完成。" +
			"整治情况由乡镇结合日常工作抽查，不要求村里另行报送图片和材料。\n\n县爱国卫生运动委员会办公室（县卫生健康局代）"
		d.Asks.Photos = false
		relead(s, p, d)
	}
	duty(s.task(by, s.on(3, 26), villages(), "65岁以上老年人健康体检组织",
		"各乡镇，各村（社区）：\n请村医通知并组织本村65岁以上老年人到乡镇卫生院参加年度免费健康体检，于{due}前完成。组织工作补助从基本公共卫生服务经费中拨付。\n\n县卫生健康局基层卫生股", 360),
		"CJ12", "县卫生健康局", &gate.Means{Funds: 300})
	for _, m := range [][2]int{{2, 5}, {5, 7}, {8, 6}, {11, 6}} {
		s.meeting(by, s.on(m[0], m[1]), townships(), "基本公共卫生服务工作调度视频会",
			"各乡镇卫生院：\n定于{start}召开基本公共卫生服务工作调度视频会，时长1小时，请各卫生院院长在本院参会。\n\n县卫生健康局",
			gate.MeetingInfo{Format: "video", Minutes: 60, SpeechMinutes: 20, Needed: 1}, 1, 0, 15)
	}
	p = s.meeting(by, s.on(9, 15), townships(), "疫苗接种工作推进视频会",
		"各乡镇人民政府、各乡镇卫生院：\n定于{start}召开疫苗接种工作推进视频会，各乡镇分管领导和卫生院院长在本地视频会场参会。\n\n县卫生健康局",
		gate.MeetingInfo{Format: "video", Minutes: 120, SpeechMinutes: 40, Needed: 2}, 2, 0, 14)
	s.visit(by, s.on(8, 25), s.someTowns(4, false), "基层医疗卫生服务能力调研",
		"有关乡镇人民政府：\n县卫生健康局将对乡镇卫生院和村卫生室服务能力开展调研，调研组按照12项评分细则现场打分，结果纳入年度考核。\n\n县卫生健康局",
		gate.VisitInfo{Research: true, ScoringItems: 12}, 6)
	s.visit(by, s.on(10, 20), s.someTowns(3, true), "乡镇卫生院运行情况调研",
		"有关乡镇人民政府：\n县卫生健康局将到部分乡镇卫生院了解运行中的困难，调研组直接到卫生院，与医务人员和就诊群众座谈，不听汇报，不要求准备材料。\n\n县卫生健康局",
		gate.VisitInfo{Research: true}, 7)
	p = s.doc(by, s.on(6, 4), townships(), "桃江县爱国卫生运动实施方案", longHealthPlan(s.towns))
	s.doc(by, s.on(6, 26), townships(), "关于开展夏季爱国卫生运动的通知",
		"各乡镇人民政府：\n夏季是蚊蝇孳生和肠道传染病高发季节，请各乡镇组织开展以清除蚊蝇孳生地为重点的夏季爱国卫生运动。\n\n县爱国卫生运动委员会办公室")
	s.doc(by, s.on(12, 8), townships(), "关于做好冬春季传染病防控工作的通知",
		"各乡镇人民政府：\n冬春季是流感、诺如病毒感染等传染病高发季节。请各乡镇卫生院做好发热门诊和预检分诊，"+
			"学校、敬老院发现聚集性病例及时报告。\n\n县卫生健康局")
}

func (s *seeder) education() {
	const by = "jiaoyu"
	for _, m := range []int{3, 4, 5, 6, 9, 10, 11, 12} {
		s.habit(s.report(by, s.on(m, 20), townships(), "{year}年{month}控辍保学动态监测月报",
			"各乡镇人民政府、各中心学校：\n请于{due}前报送本月控辍保学动态监测数据。学籍数据由县教育局从学籍系统导出，乡镇只需核实疑似失学辍学学生情况。\n\n县教育局基础教育股",
			f("义务教育阶段适龄人口", 10), f("在校学生数", 10), f("疑似失学辍学人数", 10), f("已劝返复学人数", 10)), 20)
	}
	for _, m := range [][2]int{{2, 26}, {8, 27}} {
		duty(s.task(by, s.on(m[0], m[1]), villages(), "开学季控辍保学入户排查",
			"各乡镇，各村（社区）：\n请各村（社区）配合中心学校，对学籍系统比对出的未入学、未返校学生逐一入户核实，于{due}前将核实结果交中心学校。中心学校安排1名教师随同入户。\n\n县教育局", 240),
			"CJ11", "县教育局", &gate.Means{People: 1})
	}
	p := s.report(by, s.on(10, 22), villages(), "控辍保学劝返复学台账",
		"各乡镇，各村（社区）：\n请各村（社区）对劝返复学学生建立台账，每名学生附家访照片和学习笔记复印件，于{due}前报中心学校。\n\n县教育局",
		f("劝返复学学生数", 10), f("家访次数", 10))
	p.d.Asks.Photos, p.d.Asks.StudyNotes = true, true
	s.report(by, s.on(9, 22), villages(), "家庭经济困难学生摸底",
		"各乡镇，各村（社区）：\n为做好学生资助工作，请于{due}前报送辖区内家庭经济困难学生情况。\n\n县学生资助管理中心",
		f("户数", 3), f("人口", 3), f("在校学生数", 5), f("家庭经济困难学生数", 10), f("脱贫户和监测户学生数", 10))
	s.pledge(by, s.on(3, 3), townships(), "控辍保学目标责任书", "{year}年控辍保学目标责任书",
		"各乡镇人民政府：\n现将《{year}年控辍保学目标责任书》印发给你们，请乡镇主要负责人签字盖章后，于{due}前报县教育局。各乡镇要与各村（社区）签订责任书。\n\n县教育局")
	s.meeting(by, s.on(8, 31), townships(), "秋季开学工作部署视频会",
		"各乡镇人民政府、各中心学校：\n定于{start}召开秋季开学工作部署视频会，时长1小时，请各中心学校校长在本地会场参会。\n\n县教育局",
		gate.MeetingInfo{Format: "video", Minutes: 60, SpeechMinutes: 25, Needed: 1}, 1, 0, 15)
	s.doc(by, s.on(12, 15), townships(), "关于做好寒假期间学生安全教育工作的通知",
		"各乡镇人民政府、各中心学校：\n寒假将至，请各中心学校在放假前开展一次防溺水、防火、交通和用电安全教育，向家长发放《致家长的一封信》，不要求学生和家长回执。\n\n县教育局")
}

func (s *seeder) statistics() {
	const by = "tongji"
	s.report(by, s.on(1, 6), townships(), "{lastyear}年统计年报（乡镇综合）",
		"各乡镇人民政府：\n请于{due}前通过联网直报平台报送{lastyear}年乡镇综合统计年报。能从部门取得的数据已由县统计局预填，乡镇核对即可。\n\n县统计局综合股",
		f("户数", 10), f("户籍人口", 10), f("常住人口", 10), f("出生人口", 5), f("死亡人口", 5), f("耕地面积（亩）", 10),
		f("粮食播种面积（亩）", 10), f("粮食产量（吨）", 10), f("油料产量（吨）", 5), f("蔬菜产量（吨）", 5), f("生猪出栏（头）", 5),
		f("年末生猪存栏（头）", 5), f("规模以上工业企业数", 5), f("个体工商户数", 5), f("农村居民人均可支配收入（元）", 15),
		f("村级集体经济收入（万元）", 10), f("乡村从业人员数", 10), f("外出务工人数", 10), f("农机总动力（千瓦）", 5), f("有效灌溉面积（亩）", 5))
	for m := 1; m <= 12; m++ {
		s.report(by, s.on(m, 12), townships(), "{year}年{month}主要农产品产量及价格月报",
			"各乡镇人民政府：\n请于{due}前报送本月主要农产品产量及价格。\n\n县统计局农村股",
			f("生猪存栏（头）", 10), f("生猪出栏（头）", 10), f("蔬菜产量（吨）", 10), f("稻谷收购价（元/斤）", 5), f("猪肉零售价（元/斤）", 5))
	}
	sample := s.someVillages(8, true)
	for _, m := range []int{1, 4, 7, 10} {
		duty(s.task(by, s.on(m, 21), sample, "{prevquarter}农村住户收支调查记账审核",
			"有关村（社区）：\n请协助县统计局调查队对样本户{prevquarter}的记账本进行审核，于{due}前完成。辅助调查员劳务补助按季度拨付。\n\n县统计局农村住户调查队", 120),
			"CJ13", "县统计局", &gate.Means{Funds: 600})
	}
	s.report(by, s.on(2, 2), townships(), "春节期间农村居民消费情况快速调查",
		"各乡镇人民政府：\n请于{due}前报送春节前后农村居民消费情况。\n\n县统计局",
		f("集市交易额（万元）", 15), f("返乡人员数", 10), f("年货价格变动情况", 10))
	s.report(by, s.on(3, 9), townships(), "{quarter}地区生产总值核算基础资料",
		"各乡镇人民政府：\n请于{due}前报送本季度生产总值核算基础资料。\n\n县统计局综合股",
		f("农林牧渔业总产值（万元）", 15), f("建筑业产值（万元）", 15), f("批发零售业销售额（万元）", 15))
	s.report(by, s.on(3, 16), townships(), "畜禽存栏专项调查",
		"各乡镇人民政府：\n请于{due}前报送辖区畜禽存栏情况。\n\n县统计局农村股",
		f("生猪存栏（头）", 10), f("牛存栏（头）", 10), f("羊存栏（只）", 10), f("家禽存栏（只）", 10))
	duty(s.task(by, s.on(7, 14), townships(), "统计数据审核协助",
		"各乡镇人民政府：\n年中统计数据审核任务重，请各乡镇推荐1名统计员借调县统计局参与数据审核，时间一个月，于{due}前报送人选。\n\n县统计局", 60),
		"XZ20", "县统计局", &gate.Means{Authority: "县统计局统一培训并提供审核软件"})
	s.report(by, s.on(5, 6), villages(), "基本单位名录库核查",
		"各乡镇，各村（社区）：\n请对照县统计局下发的名录，核实辖区内单位的存续情况，于{due}前报乡镇统计站。\n\n县统计局",
		f("辖区企业数", 5), f("个体工商户数", 5), f("新增单位数", 5), f("注销单位数", 5))
	p := s.report(by, s.on(6, 10), townships(), "统计数据质量自查",
		"各乡镇人民政府：\n为防范统计造假，请各乡镇开展统计数据质量自查，在空白核查表上由主要领导签字并加盖公章，于{due}前报县统计局。\n\n县统计局法规股",
		f("自查报表数", 5))
	p.d.Asks.Signature, p.d.Asks.EmptyForm = true, true
	s.doc(by, s.on(12, 1), townships(), "关于做好年度统计年报和定期报表布置工作的通知",
		"各乡镇人民政府：\n现将明年统计年报和定期报表制度布置如下：年报表式与上年相同，可从部门取得的数据由县统计局直接取得，不再要求乡镇填报；"+
			"定期报表一律通过联网直报平台报送，不再报送纸质报表。\n\n县统计局")
}

func (s *seeder) emergencies() {
	const by = "yingji"
	planOf := func(t time.Time) string { return fmt.Sprintf("%d年度安全生产监督检查计划", t.Year()) }
	// Its random inspections come from its annual plan, drawn and
	// scheduled jointly with other offices' (see visits.go); what is left
	// here is an inspection that announces itself and asks for materials.
	t := s.on(9, 21)
	p := s.visit(by, t, s.someTowns(4, false), "国庆节前安全生产检查",
		"有关乡镇：\n国庆节前县应急管理局将对部分乡镇开展安全生产检查。请被检查乡镇提前准备安全生产责任制落实、隐患排查整改台账等资料，检查时集中查阅。\n\n县应急管理局",
		gate.VisitInfo{Plan: planOf(t)}, 4)
	p.d.Asks.Materials, p.d.Asks.Forms = 3, true

	s.pledge(by, s.on(3, 9), townships(), pledgeSafety, "{year}年度安全生产目标管理责任状",
		"各乡镇人民政府：\n根据县委、县政府安全生产工作部署，现印发《{year}年度安全生产目标管理责任状》，请乡镇主要负责人签字盖章后于{due}前报县安委办。\n\n县安全生产委员会办公室").
		decide = admit("安全生产责任状属县委、县政府批准的责任状清单，同意。乡镇不得再与村（社区）层层转签。")

	// Due on a Sunday.
	p = s.report(by, s.on(5, 20), townships(), "主汛期值班安排表",
		"各乡镇人民政府：\n请于{due}前报送主汛期（6月至8月）乡镇领导带班和值班人员安排。\n\n县防汛抗旱指挥部办公室",
		f("带班领导人数", 5), f("值班人员人数", 5), f("值班电话", 5))
	p.d.Due = s.weekday(p.at, time.Sunday, 9, 17)

	t = s.on(6, 30)
	p = emergency(s.task(by, t, townships(), "强降雨期间24小时值班值守",
		"各乡镇人民政府：\n县防汛抗旱指挥部已启动防汛Ⅳ级应急响应。请各乡镇即日起落实24小时值班值守，主要负责人带班，于{duetime}前将值班表报县防指办；"+
			"雨情汛情有变化随时电话报告，没有变化不必报告。\n\n县防汛抗旱指挥部办公室", 120),
		"县防汛抗旱指挥部已启动防汛Ⅳ级应急响应，未来三天有持续强降雨")
	duty(p, "XZ04", "", nil)
	p.d.Due = s.weekday(t, time.Saturday, 1, 12)
	p.decide = admit("主汛期强降雨、县防指已启动Ⅳ级应急响应，同意周末值守；零报告一律电话报送，不另填表。")
	t = s.at(s.on(7, 29), 14, 0)
	p = emergency(s.add(by, t, gate.Meeting, townships(), "防御强降雨紧急视频调度会",
		"各乡镇人民政府：\n受台风外围影响，今晚至明天我县有暴雨到大暴雨。定于今晚19:30召开紧急视频调度会，请各乡镇主要负责人在本地视频会场参会，会后立即部署山洪地质灾害危险区人员转移。\n\n县防汛抗旱指挥部"),
		"受台风外围影响，今晚至明天我县有暴雨到大暴雨，山洪地质灾害风险高")
	p.d.Meeting = &gate.MeetingInfo{Format: "video", Minutes: 45, SpeechMinutes: 15, Needed: 1}
	p.d.Asks.Attendees = 1
	p.d.Start, p.d.End = s.at(t, 19, 30), s.at(t, 20, 15)

	p = s.report(by, s.on(4, 22), villages(), "安全生产隐患排查整治台账",
		"各乡镇，各村（社区）：\n请各村（社区）对辖区内自建房、小作坊、山塘水库开展隐患排查，建立整治台账，每处隐患拍照留痕，于{due}前报乡镇安监站。\n\n县应急管理局",
		f("排查隐患数", 10), f("已整改数", 10), f("未整改数", 5))
	p.d.Asks.Photos = true
	s.meeting(by, s.on(11, 24), townships(), "全县安全生产工作会议",
		"各乡镇人民政府：\n定于{start}在县政府三楼会议室召开全县安全生产工作会议，部署岁末年初安全生产工作。请各乡镇分管安全生产的负责同志参会。\n\n县安全生产委员会办公室",
		gate.MeetingInfo{Format: "onsite", Comprehensive: true, Minutes: 150, SpeechMinutes: 40, Needed: 1}, 1, 0, 9)
	s.meeting(by, s.on(10, 12), townships(), "安全生产治本攻坚调度视频会",
		"各乡镇人民政府：\n定于{start}召开安全生产治本攻坚调度视频会，请各乡镇分管负责同志在本地会场参会。\n\n县应急管理局",
		gate.MeetingInfo{Format: "video", Minutes: 90, SpeechMinutes: 30, Needed: 1}, 1, 0, 14)
	s.doc(by, s.on(12, 10), townships(), "关于做好岁末年初安全生产工作的通知",
		"各乡镇人民政府：\n岁末年初是各类事故易发多发期。请各乡镇紧盯烟花爆竹、道路交通、森林防火、人员密集场所等重点领域，落实属地管理和部门监管责任。\n\n县安全生产委员会办公室")
	p = emergency(duty(s.task(by, s.on(1, 26), townships(), "低温雨雪冰冻天气应急值守",
		"各乡镇人民政府：\n气象部门预报未来三天有低温雨雪冰冻天气。请各乡镇即日起落实领导带班和24小时值班，重点巡查危旧房屋、山区道路和大棚设施，于{duetime}前将值班安排报县应急管理局。\n\n县应急管理局", 120),
		"XZ05", "", nil), "县气象台发布道路结冰橙色预警，未来三天有持续低温雨雪冰冻天气")
	p.d.Due = s.weekday(p.at, time.Saturday, 1, 12)
	p = s.doc(by, s.on(4, 8), townships(), "关于开展安全生产月活动的通知",
		"各乡镇人民政府：\n今年6月是全国第25个“安全生产月”。请各乡镇结合实际开展安全宣传咨询日、应急演练等活动，并制定本乡镇配套文件，活动结束后报送贯彻落实情况。\n\n县安全生产委员会办公室")
	p = s.meeting(by, s.on(6, 11), townships(), "乡镇安全生产监管人员业务培训",
		"各乡镇人民政府：\n定于{start}在县应急管理局培训中心举办乡镇安全生产监管人员业务培训，请各乡镇安监站全体人员参加。\n\n县应急管理局",
		gate.MeetingInfo{Format: "onsite", Minutes: 210, SpeechMinutes: 60, Needed: 2}, 2, 0, 9)
	p.d.Start = s.weekday(p.at, time.Saturday, 4, 9)
	p.d.End = p.d.Start.Add(210 * time.Minute)
	duty(s.task(by, s.on(4, 13), villages(), "汛前地质灾害隐患点排查",
		"各乡镇，各村（社区）：\n主汛期前，请各村（社区）对辖区内地质灾害隐患点和削坡建房户逐一排查，落实群测群防员，于{due}前报乡镇。\n\n县应急管理局", 240),
		"CJ02", "", &gate.Means{People: 1, Authority: "乡镇国土所、应急办派员指导"})
	duty(s.task(by, s.on(9, 8), villages(), "汛后地质灾害隐患点核查",
		"各乡镇，各村（社区）：\n主汛期已过，请各村（社区）对汛期新发现的地质灾害隐患点逐一复核，于{due}前报乡镇。\n\n县应急管理局", 180),
		"CJ02", "", &gate.Means{People: 1, Authority: "乡镇国土所、应急办派员指导"})
	s.doc(by, s.on(5, 8), townships(), "关于做好汛期安全防范工作的通知",
		"各乡镇人民政府：\n我县即将进入主汛期。请各乡镇落实山洪地质灾害危险区“一点一策”，明确转移路线和安置点，汛期严格执行领导带班和24小时值班制度。\n\n县防汛抗旱指挥部办公室")
	duty(s.task(by, s.on(9, 16), villages(), "国庆前农村自建房安全隐患排查",
		"各乡镇，各村（社区）：\n受县安委会委托，请各村（社区）配合住建部门对辖区内经营性自建房开展一次安全隐患排查，于{due}前将发现的隐患报乡镇，由乡镇和住建部门处置。"+
			"县住建局派技术人员到乡镇指导。\n\n县安全生产委员会办公室", 360),
		"CJ16", "县住房和城乡建设局", &gate.Means{People: 1}).decide =
		admit("本月村级负担已超预算，但经营性自建房排查关系群众生命安全，国庆前必须完成，同意；请其他部门本月事项错峰安排。")
	duty(s.task(by, s.on(4, 28), townships(), "协助开展涉企安全生产执法检查",
		"各乡镇人民政府：\n按照属地管理原则，请各乡镇抽调人员对辖区内工贸企业开展安全生产执法检查，对发现的违法行为依法处罚，于{due}前报送检查情况。\n\n县应急管理局", 600),
		"XZ40", "", nil)
}

func (s *seeder) naturalResources() {
	const by = "ziran"
	for i, m := range []int{1, 4, 7, 10} {
		duty(s.task(by, s.on(m, 21), s.someVillages(12, i%2 == 1), "{prevquarter}卫片执法图斑核查",
			"有关村（社区）：\n县自然资源局已下发本季度卫片图斑清单。请配合乡镇国土所逐个图斑现场核实用地情况，于{due}前完成。国土所派员带队，村里负责带路和指认。\n\n县自然资源局执法大队", 180),
			"CJ14", "县自然资源局", &gate.Means{People: 1})
	}
	p := s.app(by, s.on(3, 24), villages(), "耕地保护田长制巡查App",
		"各乡镇，各村（社区）：\n县自然资源局开发了田长制巡查App，请各村级田长下载注册。每名村级田长每日登录App打卡巡田不少于1次，县里按在线时长排名通报。\n\n县田长制办公室",
		gate.AppInfo{NewPlatform: true})
	p.d.Asks.CheckIn, p.d.Asks.Ranking, p.d.Asks.Download = true, true, true
	p.revise = func(s *seeder, p *plan, d *gate.Demand) {
		p.body = "各乡镇，各村（社区）：\n县田长制巡查App已上线，村级田长巡田发现违法占用耕地问题时，可通过App随时上报，也可电话报告乡镇国土所。App不设每日任务，不作考核。\n\n县田长制办公室"
		d.Asks.CheckIn, d.Asks.Ranking, d.Asks.Download = false, false, false
		d.Due = s.after(s.cur, 5, 17, 0)
	}
	s.report(by, s.on(5, 27), villages(), "耕地“非农化”“非粮化”排查",
		"各乡镇，各村（社区）：\n请各村（社区）对照国土调查底图核实本村耕地利用情况，于{due}前报乡镇国土所。\n\n县自然资源局耕地保护股",
		f("耕地面积（亩）", 5), f("永久基本农田面积（亩）", 5), f("撂荒耕地面积（亩）", 10), f("疑似违法占用耕地图斑数", 10))
	p = s.visit(by, s.on(8, 12), s.someTowns(5, false), "耕地保护专项督查",
		"有关乡镇：\n县自然资源局将对耕地保护工作开展专项督查，请提前准备耕地保护责任目标落实情况汇报材料和巡田记录，督查组到后听取汇报。\n\n县自然资源局",
		gate.VisitInfo{}, 5)
	p.d.Asks.Materials = 2
	s.doc(by, s.on(6, 24), townships(), "关于进一步加强耕地保护工作的通知",
		"各乡镇人民政府：\n请各乡镇严格落实耕地保护田长制，严禁占用永久基本农田挖塘养鱼、种植苗木，发现问题及时制止并报告县自然资源局。\n\n县自然资源局")
	s.doc(by, s.on(12, 3), townships(), "关于做好年度国土变更调查工作的通知",
		"各乡镇人民政府：\n年度国土变更调查已经启动，县自然资源局委托技术单位统一开展外业核查，乡镇国土所配合指界，不要求乡镇另行填报数据。\n\n县自然资源局")
	s.meeting(by, s.on(11, 3), townships(), "耕地保护田长制工作推进会",
		"各乡镇人民政府：\n定于{start}在县自然资源局会议室召开耕地保护田长制工作推进会，请各乡镇国土所所长参会。\n\n县自然资源局",
		gate.MeetingInfo{Format: "onsite", Minutes: 120, SpeechMinutes: 30, Needed: 1}, 1, 0, 9)
	duty(s.task("nongye", s.on(3, 23), villages(), "撂荒耕地复耕复种核查",
		"各乡镇，各村（社区）：\n请各村（社区）对去年排查出的撂荒耕地逐块核实复耕复种情况，于{due}前报乡镇农业综合服务中心。复耕复种补贴按核实面积拨付。\n\n县农业农村局", 240),
		"CJ15", "县农业农村局", &gate.Means{Funds: 1000})
}

func (s *seeder) cityStatistics() {
	const by = "shitongji"
	s.report(by, s.on(1, 5), townships(), "{lastyear}年农村统计年报（市级布置）",
		"桃江县各乡镇人民政府：\n请于{due}前报送{lastyear}年农村统计年报。\n\n益阳市统计局农村处",
		f("户数", 10), f("常住人口", 10), f("耕地面积（亩）", 10), f("粮食播种面积（亩）", 10), f("粮食产量（吨）", 10),
		f("生猪出栏（头）", 10), f("农村居民人均可支配收入（元）", 15), f("外出务工人数", 10))
	for _, m := range []int{1, 4, 7, 10} {
		s.report(by, s.on(m, 9), townships(), "{prevquarter}农村住户调查季度数据",
			"桃江县各乡镇人民政府：\n请于{due}前报送上季度农村住户调查汇总数据。\n\n益阳市统计局",
			f("调查户数", 5), f("人均可支配收入（元）", 15), f("人均消费支出（元）", 15))
	}
	p := s.report(by, s.on(8, 20), townships(), "统计数据质量核查表",
		"桃江县各乡镇人民政府：\n请在空白核查表上由乡镇主要领导签字盖章，于{due}前寄送市统计局。\n\n益阳市统计局",
		f("核查表份数", 5))
	p.d.Asks.Signature, p.d.Asks.EmptyForm = true, true
}

// chatGroups are the work groups of the year: "more than 20 WeChat and QQ
// working groups on hand".
func (s *seeder) chatGroups() {
	const closed = "专项工作已结束，工作群按期解散。"
	s.group("nongye", s.on(2, 26), townships(), "春耕生产调度群",
		"各乡镇：\n建立“春耕生产调度群”，每乡镇农业综合服务中心1人入群，群内只发布春耕生产调度通知，有效期至{expires}，到期解散。\n\n县农业农村局",
		"县农业农村局种植业股 陈静", "春耕生产调度", 90, 16).closeNote = closed
	s.group("nongye", s.on(7, 27), townships(), "抗旱保秋工作群",
		"各乡镇：\n建立“抗旱保秋工作群”，每乡镇1人入群，有效期至{expires}，旱情解除后提前解散。\n\n县农业农村局",
		"县农业农村局 陈静", "抗旱保秋调度", 60, 16).closeNote = closed
	s.group("yingji", s.on(5, 8), townships(), "主汛期防汛值班群",
		"各乡镇：\n建立“主汛期防汛值班群”，各乡镇值班室1人入群，用于发布预警信息，有效期至{expires}，汛期结束解散。\n\n县防汛抗旱指挥部办公室",
		"县应急管理局 曾军", "汛期预警信息发布", 150, 16).closeNote = closed
	s.group("tongji", s.on(12, 22), townships(), "统计年报工作群",
		"各乡镇统计站：\n建立“统计年报工作群”，用于年报业务答疑，有效期至{expires}，年报结束即解散。\n\n县统计局",
		"县统计局综合股 彭丽", "统计年报业务答疑", 60, 16).closeNote = closed
	s.group("minzheng", s.on(4, 14), townships(), "低保动态管理工作群",
		"各乡镇民政办：\n为便于低保审核审批业务答疑，建立“低保动态管理工作群”，每乡镇民政办1人入群，有效期至{expires}，到期解散。群内只发布业务通知和政策解读。\n\n县民政局社会救助股",
		"县民政局社会救助股 王强", "低保、特困审核审批业务答疑", 120, 16).closeNote = closed

	p := s.group("minzheng", s.on(8, 18), villages(), "养老服务专班工作群",
		"各乡镇，各村（社区）：\n建立“养老服务专班工作群”，请各乡镇分管领导、民政办主任、敬老院院长和各村（社区）养老服务联络员入群。\n\n县民政局养老服务股",
		"县民政局养老服务股", "养老服务工作调度", 0, 300)
	p.revise = func(s *seeder, p *plan, d *gate.Demand) {
		p.body = "各乡镇民政办：\n建立“养老服务专班工作群”，每乡镇民政办1人入群，有效期至{expires}，到期解散；村（社区）不入群，有关事项由乡镇转达。\n\n县民政局养老服务股"
		d.Targets = townships()
		d.Group.Expires = s.clockOn(calendar.DateOf(s.cur).AddDays(90), 18, 0)
		d.Group.Members = 16
		d.Due = s.after(s.cur, 2, 17, 0)
	}
	p.closeNote = closed
	p = s.group("weijian", s.on(5, 19), villages(), "家庭医生签约服务工作群",
		"各乡镇，各村（社区）：\n建立“家庭医生签约服务工作群”，请各乡镇卫生院院长、各村卫生室村医入群。\n\n县卫生健康局基层卫生股",
		"县卫生健康局 赵磊", "家庭医生签约服务调度", 0, 280)
	s.group("jiaoyu", s.on(9, 2), villages(), "控辍保学工作群",
		"各乡镇，各村（社区）：\n建立“控辍保学工作群”，请各中心学校校长、各村（社区）主任入群。\n\n县教育局",
		"县教育局 黄志刚", "控辍保学工作调度", 0, 262)
	s.group("ziran", s.on(4, 1), villages(), "田长制工作群",
		"各乡镇，各村（社区）：\n建立“田长制工作群”，请各级田长入群，群长期保留。\n\n县田长制办公室",
		"县自然资源局 龚涛", "田长制工作调度", 365, 262)
	s.group("yingji", s.on(7, 20), townships(), "安全生产工作群",
		"各乡镇：\n建立“安全生产工作群”，每乡镇安监站1人入群，有效期至{expires}。请各乡镇每日18时前在群内接龙报平安。\n\n县应急管理局",
		"县应急管理局 曾军", "安全生产信息报送", 150, 16)
	s.group("shitongji", s.on(2, 24), townships(), "一套表联网直报工作群",
		"桃江县各乡镇统计站：\n建立“一套表联网直报工作群”，用于联网直报平台操作答疑，有效期至{expires}。\n\n益阳市统计局",
		"益阳市统计局 罗婷", "联网直报平台操作答疑", 120, 16).closeNote = closed
	s.group("jiaoyu", s.on(5, 28), villages(), "防溺水工作群",
		"各乡镇，各村（社区）：\n建立“防溺水工作群”，请各村（社区）主任和网格员入群，每日在群内报告巡河情况。\n\n县教育局",
		"", "", 0, 600)
	s.group("weijian", s.on(10, 14), townships(), "秋冬季传染病防控工作群",
		"各乡镇卫生院：\n建立“秋冬季传染病防控工作群”，每院1人入群，用于疫情信息通报，有效期至{expires}。\n\n县卫生健康局疾控股",
		"县卫生健康局疾控股", "秋冬季传染病疫情信息通报", 120, 16)
	s.group("yingji", s.on(12, 16), townships(), "森林防火工作群",
		"各乡镇：\n建立“森林防火工作群”，每乡镇1人入群，用于发布火险预警，有效期至{expires}，防火期结束解散。\n\n县森林防灭火指挥部办公室",
		"县应急管理局 曾军", "森林火险预警发布", 100, 16).closeNote = closed
	s.group("nongye", s.on(9, 10), villages(), "秋冬种生产调度群",
		"各乡镇，各村（社区）：\n建立“秋冬种生产调度群”，请各村（社区）主任入群，有效期至{expires}。群内发布的调度表请各村当天填报，按填报进度排名通报。\n\n县农业农村局",
		"县农业农村局 陈静", "秋冬种生产调度", 90, 262)
	s.group("weijian", s.on(3, 25), villages(), "疫苗接种工作群",
		"各乡镇，各村（社区）：\n建立“疫苗接种工作群”，请各村医入群，有效期至{expires}。群内通知请收到后即时回复。\n\n县卫生健康局疾控股",
		"县卫生健康局疾控股", "疫苗接种工作调度", 60, 262)
}

// lately is what went out in the last weeks: due in the coming ones, and
// a few demands the burden office has not got to yet.
func (s *seeder) lately() {
	duty(s.due(s.task("minzheng", s.ago(6, 10), s.someVillages(20, true), "特困供养对象生活自理能力评估复核",
		"有关村（社区）：\n请配合乡镇民政办和评估机构，对名单内特困供养对象的生活自理能力逐人复核，于{due}前完成。评估机构派2名评估员，复核结果由评估机构录入系统。\n\n县民政局", 120), 12),
		"CJ10", "县民政局", &gate.Means{People: 2})
	s.due(s.report("nongye", s.ago(4, 15), villages(), "高标准农田建后管护情况核查",
		"各乡镇，各村（社区）：\n请对本村已建成的高标准农田设施逐处查看，于{due}前报送损毁和修复情况。\n\n县农业农村局农田建设股",
		f("项目区面积（亩）", 5), f("损毁设施（处）", 10), f("已修复（处）", 5)), 9)
	duty(s.due(s.task("weijian", s.ago(8, 9), villages(), "重点人群家庭医生签约履约随访",
		"各乡镇，各村（社区）：\n请村医对签约的高血压、糖尿病患者和65岁以上老年人开展一次履约随访，随访记录录入基本公共卫生服务系统，于{due}前完成。随访补助从基本公共卫生服务经费中按人次拨付。\n\n县卫生健康局基层卫生股", 180), 15),
		"CJ12", "县卫生健康局", &gate.Means{Funds: 300})
	s.due(s.report("tongji", s.ago(3, 10), townships(), "基本单位名录库年度更新核查",
		"各乡镇人民政府：\n请对照名录库核实辖区内新增、注销和变更的单位，于{due}前报县统计局。\n\n县统计局",
		f("新增单位数", 10), f("注销单位数", 10), f("变更单位数", 10)), 10)
	s.meeting("minzheng", s.ago(1, 10), townships(), "社会救助工作调度视频会",
		"各乡镇人民政府：\n定于{start}召开社会救助工作调度视频会，时长1小时，请各乡镇民政办主任在本地会场参会。\n\n县民政局",
		gate.MeetingInfo{Format: "video", Minutes: 60, SpeechMinutes: 20, Needed: 1}, 1, 6, 15)
	s.due(s.report("nongye", s.ago(2, 10), townships(), "农业社会化服务组织情况统计",
		"各乡镇人民政府：\n请于{due}前报送辖区内农业社会化服务组织情况。已在农业农村部系统登记的组织不再重复填报。\n\n县农业农村局",
		f("服务组织数", 10), f("托管服务面积（亩）", 15), f("服务小农户数", 10)), 12)
	duty(s.due(s.task("tongji", s.ago(4, 14), s.someVillages(10, true), "人口变动情况抽样调查",
		"有关村（社区）：\n我县部分村（社区）被抽中为人口变动情况抽样调查样本点，请协助调查员入户登记，于{due}前完成。调查员由县统计局选聘，村里负责带路。\n\n县统计局", 180), 14),
		"CJ13", "县统计局", &gate.Means{People: 2, Funds: 400})
	s.meeting("jiaoyu", s.ago(2, 16), townships(), "中小学生安全工作视频会",
		"各乡镇人民政府、各中心学校：\n定于{start}召开中小学生安全工作视频会，时长1小时，请各中心学校校长在本地会场参会。\n\n县教育局",
		gate.MeetingInfo{Format: "video", Minutes: 60, SpeechMinutes: 20, Needed: 1}, 1, 4, 15)
	s.meeting("nongye", s.ago(5, 9), townships(), "农业社会化服务工作推进会",
		"各乡镇人民政府：\n定于{start}在修山镇召开农业社会化服务工作推进会，观摩托管服务现场。请各乡镇分管领导和农业综合服务中心主任参会。\n\n县农业农村局",
		gate.MeetingInfo{Format: "onsite", Minutes: 180, SpeechMinutes: 30, Needed: 2, PlaceUnit: "430922101"}, 2, 7, 9).d.Place = "修山镇"
	s.group("minzheng", s.ago(7, 11), townships(), "社会救助政策解读工作群",
		"各乡镇民政办：\n新修订的社会救助政策即将实施，建立“社会救助政策解读工作群”用于答疑，每乡镇1人入群，有效期至{expires}。\n\n县民政局",
		"县民政局社会救助股 王强", "社会救助新政策答疑", 60, 16)

	s.doc("minzheng", s.ago(0, 10), townships(), "关于进一步规范临时救助工作的通知",
		"各乡镇人民政府：\n为提高临时救助时效，乡镇可在2000元以内先行救助，事后补办审批手续。请各乡镇明确经办人员，公布求助电话。\n\n县民政局").wait = true
	s.doc("ziran", s.ago(1, 10), townships(), "关于开展耕地保护专项整治的通知",
		"各乡镇人民政府：\n县自然资源局将会同农业农村局开展耕地保护专项整治，重点整治违法占用耕地建房和挖塘养鱼。请各乡镇配合做好政策宣传。\n\n县自然资源局").wait = true
	s.group("jiaoyu", s.ago(1, 15), villages(), "学生安全家校联络群",
		"各乡镇，各村（社区）：\n建立“学生安全家校联络群”，请各村（社区）确定1名联络员入群，有效期至{expires}。收到通知后请在群内接龙回复“收到”。\n\n县教育局",
		"县教育局 黄志刚", "学生安全信息传达", 90, 262).wait = true
	s.due(s.report("weijian", s.ago(0, 15), villages(), "家庭医生签约履约情况核查",
		"各乡镇，各村（社区）：\n请村医核对本村签约居民的履约随访情况，于{due}前报送，并上传随访记录截图。\n\n县卫生健康局基层卫生股",
		f("签约人数", 5), f("已随访人数", 5), f("未随访原因", 10)), 9).wait = true
}

var numerals = [...]string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十"}

// longHealthPlan is a plan that spells out every township's part: longer
// than the 5,000 characters a document may have.
func longHealthPlan(towns []units.Unit) string {
	var b strings.Builder
	b.WriteString("各乡镇人民政府，县直有关单位：\n为深入开展爱国卫生运动，巩固国家卫生县城创建成果，持续改善城乡环境卫生面貌，提高群众健康素养，" +
		"根据省、市爱国卫生工作部署，结合我县实际，制定本实施方案。\n" +
		"一、总体要求\n坚持以人民健康为中心，坚持预防为主，坚持政府主导、部门协作、全社会动员，把爱国卫生运动与乡村振兴、文明创建、基层治理结合起来，" +
		"从人居环境改善、饮食习惯、社会心理健康、公共卫生设施等方面入手，推动从环境卫生治理向全面社会健康管理转变，全面提升城乡卫生水平和群众健康水平。\n" +
		"二、主要任务\n" +
		"（一）开展城乡环境卫生整治。以农贸市场、车站码头、学校周边、城乡结合部和背街小巷为重点，清理卫生死角，规范垃圾收集、转运和处置，" +
		"推进农村生活垃圾分类减量，建立健全村庄保洁长效机制，实现城乡环境卫生整洁有序。\n" +
		"（二）加强病媒生物防制。坚持以环境治理为主、药物消杀为辅的综合防制原则，每年春秋两季开展病媒生物集中消杀，" +
		"重点区域病媒生物密度控制在国家标准以内，有效预防登革热、流行性出血热等虫媒传染病。\n" +
		"（三）推进农村厕所革命。按照数量服从质量、进度服从实效的原则，稳步推进农村户厕改造，同步推进厕所粪污无害化处理和资源化利用，" +
		"完善后续管护机制，做到建一个、成一个、用一个。\n" +
		"（四）加强饮用水卫生安全。开展农村集中式供水工程水质监测，每年枯水期、丰水期各监测一次，及时发现和处置水质问题，" +
		"保障农村群众饮水安全。\n" +
		"（五）普及健康生活方式。广泛开展健康知识进农村、进社区、进学校、进家庭活动，倡导文明健康、绿色环保的生活方式，" +
		"推广分餐制和公筷公勺，开展控烟宣传，全县居民健康素养水平每年提高2个百分点以上。\n" +
		"（六）推进健康细胞建设。以健康村镇、健康社区、健康学校、健康机关、健康企业和健康家庭为载体，每年建成一批示范单位，以点带面推动健康桃江建设。\n" +
		"三、职责分工\n")
	focus := []string{"集镇农贸市场和车站周边", "资江沿岸和渡口码头", "学校和敬老院周边", "集中居住区和安置小区", "畜禽养殖集中区域", "竹海景区和旅游线路沿线"}
	for i, t := range towns {
		fmt.Fprintf(&b, "（%s）%s：负责辖区内各村（社区）的爱国卫生工作，重点抓好%s的环境卫生整治，落实垃圾日产日清，每季度组织一次病媒生物集中消杀；"+
			"%s卫生院负责技术指导，组织健康知识讲座，每半年对村卫生室开展一次业务培训；乡镇爱卫办负责统筹协调，建立问题清单，"+
			"督促各村（社区）按时整改，并将爱国卫生工作纳入文明村镇创建内容。%s要在春秋两季各组织一次以清垃圾、清杂物、清沟渠、清河塘为主要内容的集中整治，"+
			"对辖区内农贸市场、餐饮单位和学校食堂开展一次病媒生物防制检查，按期完成农村户厕改造任务，确保改一户、成一户、用一户，"+
			"并做好辖区内集中式供水工程的日常卫生管理和水质巡查。\n", numerals[i%len(numerals)], t.Name, focus[i%len(focus)], t.Name, t.Name)
	}
	b.WriteString("四、保障措施\n" +
		"（一）加强组织领导。各乡镇要把爱国卫生工作摆上重要议事日程，主要负责同志亲自抓，分管负责同志具体抓，明确专人负责日常工作。\n" +
		"（二）强化经费保障。各乡镇要将爱国卫生工作经费纳入年度预算，保障环境卫生整治、病媒生物防制和健康教育等工作正常开展。\n" +
		"（三）广泛宣传动员。充分利用广播、电视、网络和宣传栏，宣传爱国卫生运动的意义和卫生健康知识，引导群众主动参与。\n" +
		"（四）严格督查考核。县爱卫办将采取随机抽查的方式，对各乡镇爱国卫生工作进行检查，检查结果在全县通报。\n\n县爱国卫生运动委员会")
	return b.String()
}

// longRules is a special document that lists every township's projects:
// longer than the 4,000 characters a special document may have.
func longRules(towns []units.Unit) string {
	var b strings.Builder
	b.WriteString("各乡镇人民政府，县直有关单位：\n为规范高标准农田建设项目管理，确保建一块、成一块，根据农业农村部《高标准农田建设项目管理办法》和省农业农村厅有关规定，" +
		"结合我县实际，制定本实施细则。\n" +
		"第一章 总则\n第一条 本细则适用于我县行政区域内使用各级财政资金建设的高标准农田项目。\n" +
		"第二条 高标准农田建设坚持统一规划、统一标准、统一组织实施、统一验收考核、统一上图入库，实行项目法人制、招标投标制、工程监理制、合同管理制和公示制。\n" +
		"第三条 县农业农村局负责项目的统筹规划、初步设计审批、组织实施和竣工验收；乡镇人民政府负责项目区群众工作、协调施工环境和建后管护组织工作。\n" +
		"第二章 项目申报\n第四条 项目区应当相对集中连片，优先安排在永久基本农田保护区和粮食生产功能区，单个项目区面积原则上不少于1000亩。项目区应当具备水源保障条件，坡度超过二十五度的耕地不得列入项目区。\n" +
		"第五条 乡镇应当在充分征求村民意见的基础上提出项目建议，经村民代表大会讨论通过后报县农业农村局。\n" +
		"第三章 组织实施\n第六条 项目施工单位通过公开招标确定，施工期间应当设立项目公示牌，公开建设内容、投资规模、施工单位和监督电话。\n" +
		"第七条 监理单位应当全过程旁站监理隐蔽工程，对不合格的工程责令返工。\n" +
		"第八条 项目资金实行专账核算、专款专用，按工程进度拨付，竣工验收前预留不低于百分之五的质量保证金。\n" +
		"第九条 项目实施中确需调整建设内容的，由项目法人提出，经设计单位论证、县农业农村局批准后方可实施；重大调整报市农业农村局备案。\n" +
		"第四章 分片实施安排\n各片区建设内容如下，具体工程量以批复的初步设计为准：\n")
	work := []string{"田块整治和土壤改良", "灌排渠系配套", "机耕道路硬化", "山塘清淤扩容", "农田输配电设施"}
	for i, t := range towns {
		fmt.Fprintf(&b, "（%s）%s片区：以%s为主，兼顾田间道路和农田防护，由%s人民政府组织项目区村民理事会参与施工监督，"+
			"完工后由村集体经济组织承担日常管护，县农业农村局每年安排管护经费。项目区涉及的村（社区）要召开村民代表会议，公示建设内容和青苗补偿标准；"+
			"施工期间，%s农业综合服务中心派员驻点，协调解决群众诉求，确保工程质量和进度。"+
			"项目区内的田间道路、沟渠和泵站等设施，由%s人民政府组织移交，明确每处设施的管护责任人。\n", numerals[i%len(numerals)], t.Name, work[i%len(work)], t.Name, t.Name, t.Name)
	}
	b.WriteString("第五章 竣工验收\n第十条 项目完工后，由县农业农村局组织初验，初验合格后报市农业农村局竣工验收。\n" +
		"第十一条 验收合格的项目及时上图入库，移交乡镇和村集体经济组织管护。\n" +
		"第六章 建后管护\n第十二条 建后管护实行县级统筹、乡镇负责、村为主体的管护机制，管护经费纳入县级财政预算。\n" +
		"第十三条 任何单位和个人不得擅自占用、损毁高标准农田及其配套设施。\n" +
		"第七章 附则\n第十四条 本细则由县农业农村局负责解释，自印发之日起施行。\n\n县农业农村局")
	return b.String()
}

// The register item of the safety pledge the county approved.
const pledgeSafety = "TJ-ZRZ-01"

// duties are the duty lists the year starts with, the province's for
// townships and villages and the county's adjustment, and the county's
// register of approved letters of responsibility.
func (s *seeder) duties() error {
	y := s.start.In(gate.China).Year()
	province := []*duties.List{
		{Owner: "43", Level: units.Township, Effective: time.Date(y, 1, 1, 0, 0, 0, 0, gate.China),
			Note: "湖南省乡镇（街道）履行职责事项清单", Matters: []duties.Matter{
				{Code: "XZ01", Category: duties.Own, Name: "社会救助对象申请受理、入户调查和初审", Basis: "《社会救助暂行办法》"},
				{Code: "XZ02", Category: duties.Own, Name: "农村人居环境整治和村庄清洁行动的组织实施", Basis: "《农村人居环境整治提升五年行动方案（2021—2025年）》"},
				{Code: "XZ03", Category: duties.Own, Name: "义务教育控辍保学和劝返复学", Basis: "《中华人民共和国义务教育法》第十三条"},
				{Code: "XZ04", Category: duties.Own, Name: "防汛抗旱、地质灾害防御的组织和人员转移", Basis: "《中华人民共和国防洪法》"},
				{Code: "XZ05", Category: duties.Own, Name: "辖区安全生产工作的组织和隐患排查", Basis: "《中华人民共和国安全生产法》第九条"},
				{Code: "XZ06", Category: duties.Own, Name: "耕地保护巡查，制止违法占用耕地", Basis: "《中华人民共和国土地管理法》"},
				{Code: "XZ07", Category: duties.Own, Name: "高标准农田建后管护的组织", Basis: "《农田建设项目管理办法》"},
				{Code: "XZ20", Category: duties.Assist, Name: "统计调查的组织实施", Basis: "《中华人民共和国统计法》", Lead: "县统计局"},
				{Code: "XZ21", Category: duties.Assist, Name: "卫片执法图斑的现场核实", Basis: "《中华人民共和国土地管理法》", Lead: "县自然资源局"},
				{Code: "XZ22", Category: duties.Assist, Name: "基本公共卫生服务和家庭医生签约服务", Basis: "《中华人民共和国基本医疗卫生与健康促进法》", Lead: "县卫生健康局"},
				{Code: "XZ23", Category: duties.Assist, Name: "农村经营性自建房安全排查", Basis: "《全国自建房安全专项整治工作方案》", Lead: "县住房和城乡建设局"},
				{Code: "XZ40", Category: duties.Negative, Name: "应由县级部门承担的行政执法检查和处罚", Basis: "县级部门法定职责，不得以属地管理为名转嫁乡镇"},
				{Code: "XZ41", Category: duties.Negative, Name: "为县级部门借调、抽调工作人员", Basis: "《整治形式主义为基层减负若干规定》"},
				{Code: "XZ42", Category: duties.Negative, Name: "县级部门组织的项目竣工验收和评审", Basis: "县级部门法定职责，不得以属地管理为名转嫁乡镇"},
			}},
		{Owner: "43", Level: units.Village, Effective: time.Date(y, 1, 1, 0, 0, 0, 0, gate.China),
			Note: "湖南省村级组织工作事务清单", Matters: []duties.Matter{
				{Code: "CJ01", Category: duties.Own, Name: "村庄环境卫生和村庄清洁", Basis: "《中华人民共和国村民委员会组织法》"},
				{Code: "CJ02", Category: duties.Own, Name: "村级防汛和地质灾害隐患巡查报告", Basis: "《中华人民共和国防洪法》"},
				{Code: "CJ03", Category: duties.Own, Name: "村级田长巡田，发现违法占用耕地及时报告", Basis: "《湖南省全面推行田长制实施方案》"},
				{Code: "CJ10", Category: duties.Assist, Name: "社会救助对象入户调查和动态管理", Basis: "《社会救助暂行办法》", Lead: "县民政局"},
				{Code: "CJ11", Category: duties.Assist, Name: "适龄儿童入学和控辍保学排查", Basis: "《中华人民共和国义务教育法》", Lead: "县教育局"},
				{Code: "CJ12", Category: duties.Assist, Name: "基本公共卫生服务和家庭医生随访", Basis: "《中华人民共和国基本医疗卫生与健康促进法》", Lead: "县卫生健康局"},
				{Code: "CJ13", Category: duties.Assist, Name: "统计调查样本户协助", Basis: "《中华人民共和国统计法》", Lead: "县统计局"},
				{Code: "CJ14", Category: duties.Assist, Name: "卫片执法图斑现场核实", Basis: "《中华人民共和国土地管理法》", Lead: "县自然资源局"},
				{Code: "CJ15", Category: duties.Assist, Name: "撂荒耕地复耕复种", Basis: "《中华人民共和国土地管理法》", Lead: "县农业农村局"},
				{Code: "CJ16", Category: duties.Assist, Name: "农村经营性自建房安全排查", Basis: "《全国自建房安全专项整治工作方案》", Lead: "县住房和城乡建设局"},
				{Code: "CJ40", Category: duties.Negative, Name: "出具无法律法规依据的各类证明", Basis: "《关于改进和规范基层群众性自治组织出具证明工作的指导意见》"},
				{Code: "CJ41", Category: duties.Negative, Name: "行政执法、征地拆迁", Basis: "《中华人民共和国村民委员会组织法》"},
				{Code: "CJ42", Category: duties.Negative, Name: "招商引资、协税护税", Basis: "《关于规范村级组织工作事务、机制牌子和证明事项的意见》"},
				{Code: "CJ43", Category: duties.Negative, Name: "各类评比达标、考核验收的迎检准备", Basis: "《整治形式主义为基层减负若干规定》"},
			}},
	}
	// The county adjusts both lists for a bamboo county on the Zi River:
	// forest fires and the river are its own matters, and it puts on the
	// negative list what its offices have been pushing down.
	effective := s.clockOn(calendar.DateOf(s.start), 0, 0)
	county := []*duties.List{
		{Owner: County, Level: units.Township, Effective: effective,
			Note: "桃江县乡镇履行职责事项清单（县级补充）", Matters: []duties.Matter{
				{Code: "XZ08", Category: duties.Own, Name: "森林防火的组织，野外火源管理", Basis: "《中华人民共和国森林法》第三十四条、《森林防火条例》"},
				{Code: "XZ09", Category: duties.Own, Name: "资江及支流河道、山塘巡查，发现非法采砂、侵占河道及时制止并报告", Basis: "《中华人民共和国河道管理条例》、湖南省河长制工作规定"},
				{Code: "XZ10", Category: duties.Own, Name: "特困人员供养服务机构（敬老院）的日常管理", Basis: "《社会救助暂行办法》"},
				{Code: "XZ11", Category: duties.Own, Name: "指导村民委员会换届选举和村务公开", Basis: "《中华人民共和国村民委员会组织法》第五条"},
				{Code: "XZ24", Category: duties.Assist, Name: "地质灾害隐患点群测群防和监测预警", Basis: "《地质灾害防治条例》", Lead: "县自然资源局"},
				{Code: "XZ25", Category: duties.Assist, Name: "高标准农田建设项目的群众工作和施工环境协调", Basis: "《农田建设项目管理办法》", Lead: "县农业农村局"},
				{Code: "XZ26", Category: duties.Assist, Name: "低保、特困供养对象的审核确认", Basis: "《社会救助暂行办法》", Lead: "县民政局"},
				{Code: "XZ43", Category: duties.Negative, Name: "食品经营许可的现场核查和食品安全行政执法",
					Basis: "《中华人民共和国食品安全法》第三十五条、《食品经营许可和备案管理办法》：由县级以上市场监督管理部门实施"},
				{Code: "XZ44", Category: duties.Negative, Name: "河道非法采砂的查处和采砂许可",
					Basis: "《中华人民共和国水法》第三十九条、《中华人民共和国河道管理条例》第二十五条：由水行政主管部门会同有关部门实施"},
			}},
		{Owner: County, Level: units.Village, Effective: effective,
			Note: "桃江县结合竹林资源大县实际补充的村级事项", Matters: []duties.Matter{
				{Code: "CJ04", Category: duties.Own, Name: "竹林防火巡查和野外用火劝阻", Basis: "《中华人民共和国森林法》第三十四条、《森林防火条例》"},
				{Code: "CJ05", Category: duties.Own, Name: "村级河长巡河，发现非法采砂、乱倒垃圾及时报告", Basis: "《中华人民共和国村民委员会组织法》第八条、湖南省河长制工作规定"},
				{Code: "CJ17", Category: duties.Assist, Name: "高龄津贴、养老服务补贴对象的核实", Basis: "《中华人民共和国老年人权益保障法》", Lead: "县民政局"},
				{Code: "CJ18", Category: duties.Assist, Name: "耕地地力保护补贴面积和种粮大户的核实", Basis: "《中华人民共和国农业法》", Lead: "县农业农村局"},
				{Code: "CJ44", Category: duties.Negative, Name: "食品经营许可的现场核查", Basis: "《中华人民共和国食品安全法》第三十五条"},
				{Code: "CJ45", Category: duties.Negative, Name: "林木采伐、河道采砂等行政许可的现场核查和执法", Basis: "《中华人民共和国森林法》第五十六条、《中华人民共和国水法》第三十九条"},
			}},
	}
	items := []*duties.PledgeItem{
		{Code: pledgeSafety, Owner: County, Name: "安全生产目标管理责任状", ApprovedBy: "中共桃江县委、桃江县人民政府",
			Basis: "《中华人民共和国安全生产法》", ValidUntil: time.Date(y+2, 12, 31, 0, 0, 0, 0, gate.China)},
		{Code: "TJ-ZRZ-02", Owner: County, Name: "森林防火目标管理责任状", ApprovedBy: "中共桃江县委、桃江县人民政府",
			Basis: "《森林防火条例》", ValidUntil: time.Date(y+2, 12, 31, 0, 0, 0, 0, gate.China)},
	}
	if err := s.db.Write(s.ctx, store.System, func(tx *store.Tx) error {
		for _, l := range province {
			if err := tx.SaveDutyList(s.ctx, l); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("demo duty lists: %w", err)
	}
	s.clk.Set(s.start.Add(30 * time.Minute))
	return s.db.Write(s.ctx, s.actors["jianfu"], func(tx *store.Tx) error {
		for _, l := range county {
			if err := tx.SaveDutyList(s.ctx, l); err != nil {
				return fmt.Errorf("demo duty lists: %w", err)
			}
		}
		for _, p := range items {
			if err := tx.SavePledgeItem(s.ctx, p); err != nil {
				return fmt.Errorf("demo pledge register: %w", err)
			}
		}
		return nil
	})
}
