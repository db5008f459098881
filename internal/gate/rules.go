package gate

import (
	"fmt"
	"time"

	"lighten/internal/i18n"
	"lighten/internal/units"
)

// Rule is one rule of POLICY.md. Rules are code; their parameters are data
// (package policy). Adding a rule is adding an entry to Rules.
type Rule struct {
	ID    string
	Kinds []Kind // nil: every kind
	Check func(c *Check)
}

func (r Rule) applies(k Kind) bool {
	if r.Kinds == nil {
		return true
	}
	for _, x := range r.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Rules is every rule the gate runs, in the order findings are reported.
var Rules = []Rule{
	// once.known runs first: the fields it prefills are not asked, so the
	// minutes the later rules weigh are what is left.
	{ID: "once.known", Kinds: []Kind{Report}, Check: onceKnown},
	{ID: "once.overlap", Kinds: []Kind{Report}, Check: onceOverlap},
	{ID: "lead.time", Kinds: []Kind{Report, Task, Document, Meeting}, Check: leadTime},
	{ID: "rest.days", Kinds: []Kind{Report, Meeting, Task, Visit}, Check: restDays},
	{ID: "budget.unit", Check: budgetUnit},
	{ID: "cap.issuer.reports", Kinds: []Kind{Report}, Check: capIssuerReports},
	{ID: "cap.documents", Kinds: []Kind{Document}, Check: capDocuments},
	{ID: "doc.length", Kinds: []Kind{Document}, Check: docLength},
	{ID: "doc.reportback", Kinds: []Kind{Document, Task, Meeting}, Check: docReportBack},
	{ID: "meet.cap", Kinds: []Kind{Meeting}, Check: meetCap},
	{ID: "meet.length", Kinds: []Kind{Meeting}, Check: meetLength},
	{ID: "meet.online", Kinds: []Kind{Meeting}, Check: meetOnline},
	{ID: "meet.escort", Kinds: []Kind{Meeting}, Check: meetEscort},
	{ID: "visit.plan", Kinds: []Kind{Visit}, Check: visitPlan},
	{ID: "visit.comprehensive", Kinds: []Kind{Visit}, Check: visitComprehensive},
	{ID: "visit.random", Kinds: []Kind{Visit}, Check: visitRandom},
	{ID: "visit.unit.week", Kinds: []Kind{Visit}, Check: visitUnitWeek},
	{ID: "visit.unit.year", Kinds: []Kind{Visit}, Check: visitUnitYear},
	{ID: "visit.sealed", Kinds: []Kind{Visit}, Check: visitSealed},
	{ID: "visit.noforms", Kinds: []Kind{Visit}, Check: visitNoForms},
	{ID: "visit.research", Kinds: []Kind{Visit}, Check: visitResearch},
	{ID: "trace.proof", Check: traceProof},
	{ID: "trace.signature", Kinds: []Kind{Report}, Check: traceSignature},
	{ID: "app.checkin", Kinds: []Kind{App, Group}, Check: appCheckIn},
	{ID: "app.level", Kinds: []Kind{App}, Check: appLevel},
	{ID: "group.owner", Kinds: []Kind{Group}, Check: groupOwner},
	{ID: "staff.second", Check: staffSecond},
	{ID: "duty.list", Kinds: []Kind{Task}, Check: dutyList},
	{ID: "duty.funds", Kinds: []Kind{Task}, Check: dutyFunds},
	{ID: "pledge.approved", Kinds: []Kind{Pledge}, Check: pledgeApproved},
	{ID: "pledge.cascade", Kinds: []Kind{Pledge}, Check: pledgeCascade},
}

// RuleIDs lists the ids of every rule, for reports.
func RuleIDs() []string {
	var ids []string
	for _, r := range Rules {
		ids = append(ids, r.ID)
	}
	return ids
}

// finding builds a finding from the catalogue keys gate.<rule>.<name> and
// gate.<rule>.<name>.fix.
func finding(rule string, sev Severity, name string, args []any, fixArgs []any, params map[string]int) Finding {
	key := "gate." + rule + "." + name
	return Finding{Rule: rule, Severity: sev, Message: i18n.Both(key, args...), Fix: i18n.Both(key+".fix", fixArgs...), Params: params}
}

// urgent softens a block to review for a justified emergency.
func (c *Check) urgent() Severity {
	if c.D.Emergency {
		return Review
	}
	return Block
}

func day(t time.Time) string { return t.In(China).Format("2006-01-02") }

func clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// addWorkdays is the date n working days after from.
func addWorkdays(cal Calendar, from time.Time, n int) time.Time {
	d := from.In(China)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if cal.IsWorkday(d) {
			n--
		}
	}
	return d
}

// calendarNote says when the calendar does not know a year's holidays.
func calendarNote(c *Check, t time.Time) {
	if y := t.In(China).Year(); !c.Env.Calendar().Covers(y) {
		for _, f := range c.found {
			if f.Rule == "calendar" {
				return
			}
		}
		c.Add(Finding{Rule: "calendar", Severity: Note, Message: i18n.Both("gate.calendar.uncovered", y), Fix: i18n.Both("gate.calendar.uncovered.fix")})
	}
}

func leadTime(c *Check) {
	calendarNote(c, c.D.When())
	id := "lead.time." + string(c.D.Kind)
	need := c.Param(id)
	when := c.D.When()
	cal := c.Env.Calendar()
	have := cal.WorkdaysBetween(c.Now, when)
	if have >= need {
		return
	}
	earliest := addWorkdays(cal, c.Now, need)
	key := "short"
	if c.D.Kind == Meeting {
		key = "short_meeting" // a meeting has a start, not a due date
	}
	c.Add(finding("lead.time", c.urgent(), key, []any{day(when), have, need}, []any{day(earliest)}, map[string]int{id: need}))
}

func restDays(c *Check) {
	if c.planning() {
		return // a plan item's window is not one visit; the scheduler places visits on working days
	}
	start, end := c.Param("rest.days.start"), c.Param("rest.days.end")
	cal := c.Env.Calendar()
	params := map[string]int{"rest.days.start": start, "rest.days.end": end}
	check := func(t time.Time, what string) bool {
		t = t.In(China)
		if !cal.IsWorkday(t) {
			c.Add(finding("rest.days", c.urgent(), "rest_day", []any{i18n.Both("gate.what." + what), day(t)}, nil, params))
			return false
		}
		m := t.Hour()*60 + t.Minute()
		if m < start || m > end {
			c.Add(finding("rest.days", c.urgent(), "hours", []any{i18n.Both("gate.what." + what), t.Format("2006-01-02 15:04"), clock(start), clock(end)},
				[]any{clock(start), clock(end)}, params))
			return false
		}
		return true
	}
	if !c.D.Start.IsZero() {
		if check(c.D.Start, "start") {
			s, e := c.D.Start.In(China), c.D.End.In(China)
			if s.YearDay() != e.YearDay() || s.Year() != e.Year() {
				c.Add(finding("rest.days", c.urgent(), "overnight", []any{day(s), day(e)}, nil, params))
			} else {
				check(c.D.End, "end")
			}
		}
		return
	}
	if !c.D.Due.IsZero() {
		check(c.D.Due, "due")
	}
}

// BudgetOf is a unit's monthly budget in minutes under a policy.
func BudgetOf(l units.Level, p interface{ Get(string) int }) int { return budgetOf(l, p.Get) }

// budgetOf is a unit's monthly budget under the policy in force.
func budgetOf(l units.Level, get func(string) int) int {
	switch l {
	case units.Village:
		return get("budget.village")
	case units.Township:
		return get("budget.township")
	}
	return get("budget.other")
}

func budgetUnit(c *Check) {
	if len(c.Targets) == 0 || c.planning() {
		return // a plan item's pool is not what its visits cost: only drawn units are visited
	}
	used := c.Env.BudgetUsed(monthOf(c.D.When()))
	pt := c.Env.Policies()
	reviewPct, blockPct := 0, 0
	var overReview, overBlock int
	worst, worstPct := units.Unit{}, -1
	lastParent := "\x00"
	var get func(string) int
	for i, u := range c.Targets {
		if u.Parent != lastParent || pt.HasOwn(u.Code) {
			lastParent = u.Parent
			set := pt.At(u.Code)
			get = set.Get
			reviewPct, blockPct = get("budget.review_pct"), get("budget.block_pct")
		}
		b := budgetOf(u.Level, get)
		total := used.Used(u.Code) + c.minutesFor(i)
		if total == 0 {
			continue
		}
		// Compare exactly: "past 150%" means more than 1.5 budgets.
		pct := 100000
		if b > 0 {
			pct = total * 100 / b
		}
		if pct > worstPct {
			worst, worstPct = u, pct
		}
		switch {
		case total*100 > b*blockPct:
			overBlock++
		case total*100 > b*reviewPct:
			overReview++
		}
	}
	params := map[string]int{"budget.review_pct": reviewPct, "budget.block_pct": blockPct}
	if overBlock > 0 {
		f := finding("budget.unit", c.urgent(), "block", []any{overBlock, len(c.Targets), blockPct, worst.Name, worst.Code, worstPct}, nil, params)
		f.Units = overBlock
		c.Add(f)
	}
	if overReview > 0 {
		f := finding("budget.unit", Review, "review", []any{overReview, len(c.Targets), reviewPct}, nil, params)
		f.Units = overReview
		c.Add(f)
	}
}

func monthOf(t time.Time) time.Time {
	t = t.In(China)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, China)
}

func quarterOf(t time.Time) (time.Time, time.Time) {
	t = t.In(China)
	q := (int(t.Month()) - 1) / 3
	from := time.Date(t.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, China)
	return from, from.AddDate(0, 3, 0)
}

func yearOf(t time.Time) (time.Time, time.Time) {
	t = t.In(China)
	from := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, China)
	return from, from.AddDate(1, 0, 0)
}

func capIssuerReports(c *Check) {
	limit := c.Param("cap.issuer.reports")
	from, to := quarterOf(c.D.When())
	n := c.Env.IssuerCount(c.D.OfficeID, Report, from, to, false) + 1
	if n > limit {
		q := (int(from.Month())-1)/3 + 1
		c.Add(finding("cap.issuer.reports", Review, "over", []any{n, from.Year(), q, limit}, nil, map[string]int{"cap.issuer.reports": limit}))
	}
}

func capDocuments(c *Check) {
	pct := c.Param("cap.documents.pct")
	from, to := yearOf(c.D.When())
	this := c.Env.IssuerCount(c.D.OfficeID, Document, from, to, false) + 1
	last := c.Env.IssuerCount(c.D.OfficeID, Document, from.AddDate(-1, 0, 0), from, false)
	if this*100 > last*pct {
		c.Add(finding("cap.documents", Review, "over", []any{this, from.Year(), last, pct}, nil, map[string]int{"cap.documents.pct": pct}))
	}
}

func docLength(c *Check) {
	id := "doc.length"
	if c.D.Document != nil && c.D.Document.Special {
		id = "doc.length.special"
	}
	limit := c.Param(id)
	if n := c.D.Document.Chars; n > limit {
		c.Add(finding("doc.length", Block, "long", []any{n, limit}, []any{n - limit}, map[string]int{id: limit}))
	}
}

func docReportBack(c *Check) {
	if c.D.Asks.ReportBack {
		c.Add(finding("doc.reportback", Block, "report_back", nil, nil, nil))
	}
	if c.D.Asks.SupportDocs {
		c.Add(finding("doc.reportback", Block, "support_docs", nil, nil, nil))
	}
}

func meetCap(c *Check) {
	if c.D.Meeting == nil || !c.D.Meeting.Comprehensive {
		return
	}
	limit := c.Param("meet.cap")
	from, to := yearOf(c.D.When())
	if n := c.Env.IssuerCount(c.D.OfficeID, Meeting, from, to, true) + 1; n > limit {
		c.Add(finding("meet.cap", Block, "over", []any{n, from.Year(), limit}, nil, map[string]int{"meet.cap": limit}))
	}
}

func meetLength(c *Check) {
	m := c.D.Meeting
	if m == nil {
		return
	}
	minutes := m.Minutes
	if minutes == 0 {
		minutes = int(c.D.End.Sub(c.D.Start).Minutes())
	}
	if s := c.Param("meet.speech"); m.SpeechMinutes > s {
		c.Add(finding("meet.length", Block, "speech", []any{m.SpeechMinutes, s}, []any{s}, map[string]int{"meet.speech": s}))
	}
	if v := c.Param("meet.video"); m.Format == "video" && minutes > v {
		c.Add(finding("meet.length", Block, "video", []any{minutes, v}, []any{v}, map[string]int{"meet.video": v}))
	}
	if l := c.Param("meet.length"); m.Format != "discussion" && minutes > l {
		c.Add(finding("meet.length", Block, "long", []any{minutes, l}, []any{l}, map[string]int{"meet.length": l}))
	}
}

func meetOnline(c *Check) {
	m := c.D.Meeting
	if m == nil || m.Format != "onsite" || m.PlaceUnit == "" {
		return
	}
	limit := c.Param("meet.online")
	over, worst, worstName := 0, 0, ""
	for _, u := range c.Targets {
		if t, ok := c.Env.Travel(u.Code, m.PlaceUnit); ok && t > limit {
			over++
			if t > worst {
				worst, worstName = t, u.Name
			}
		}
	}
	if over > 0 {
		f := finding("meet.online", Review, "far", []any{over, len(c.Targets), limit, worstName, worst}, nil, map[string]int{"meet.online": limit})
		f.Units = over
		c.Add(f)
	}
}

func meetEscort(c *Check) {
	m := c.D.Meeting
	if m == nil || m.Needed <= 0 || c.D.Asks.Attendees <= m.Needed {
		return
	}
	c.Add(finding("meet.escort", Block, "extra", []any{c.D.Asks.Attendees, m.Needed}, []any{m.Needed}, nil))
}

func visitNoForms(c *Check) {
	if c.D.Asks.Forms || c.D.Asks.Materials > 0 || len(c.D.Asks.Fields) > 0 {
		c.Add(finding("visit.noforms", Block, "forms", nil, nil, nil))
	}
}

func visitResearch(c *Check) {
	if v := c.D.Visit; v.Research && v.ScoringItems > 0 {
		c.Add(finding("visit.research", Block, "scoring", []any{v.ScoringItems}, nil, nil))
	}
}

func traceProof(c *Check) {
	a := c.D.Asks
	for name, on := range map[string]bool{"photos": a.Photos, "videos": a.Videos, "screenshots": a.Screenshots,
		"study_notes": a.StudyNotes, "counts": a.Counts} {
		if on {
			f := finding("trace.proof", Block, "proof", []any{i18n.Both("gate.asks." + name)}, nil, nil)
			f.Evidence = name
			c.Add(f)
		}
	}
	sortFindings(c)
}

func traceSignature(c *Check) {
	if c.D.Asks.Signature && c.D.Asks.EmptyForm {
		c.Add(finding("trace.signature", Block, "empty", nil, nil, nil))
	}
}

func appCheckIn(c *Check) {
	a := c.D.Asks
	sev := Block
	if a.SecurityUse || c.D.Emergency {
		sev = Review
	}
	for name, on := range map[string]bool{"check_in": a.CheckIn, "ranking": a.Ranking, "download": a.Download} {
		if on {
			f := finding("app.checkin", sev, "forbidden", []any{i18n.Both("gate.asks." + name)}, nil, nil)
			f.Evidence = name
			c.Add(f)
		}
	}
	sortFindings(c)
}

func appLevel(c *Check) {
	a := c.D.App
	if !a.NewPlatform {
		return
	}
	builder := a.BuiltBy
	if builder == 0 {
		if l, ok := units.LevelOfCode(c.D.IssuerUnit); ok {
			builder = l
		}
	}
	if builder > units.County {
		c.Add(finding("app.level", Block, "below_county", []any{i18n.Both("level." + builder.String())}, nil, nil))
	}
	if a.OfficeApps >= 1 {
		c.Add(finding("app.level", Block, "second_app", []any{a.OfficeApps}, nil, nil))
	}
}

func groupOwner(c *Check) {
	g := c.D.Group
	limit := c.Param("group.expiry")
	params := map[string]int{"group.expiry": limit}
	switch {
	case g.Owner == "" || g.Purpose == "":
		c.Add(finding("group.owner", Block, "missing", nil, nil, params))
	case g.Expires.IsZero():
		c.Add(finding("group.owner", Block, "no_expiry", []any{limit}, nil, params))
	case g.Expires.After(c.Now.AddDate(0, 0, limit)):
		c.Add(finding("group.owner", Block, "too_long", []any{day(g.Expires), limit}, []any{day(c.Now.AddDate(0, 0, limit))}, params))
	}
}

func staffSecond(c *Check) {
	if c.D.Asks.StaffSecond > 0 {
		c.Add(finding("staff.second", Block, "second", []any{c.D.Asks.StaffSecond}, nil, nil))
	}
}

// sortFindings keeps findings made from a map in a stable order.
func sortFindings(c *Check) {
	fs := c.found
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Rule == fs[j-1].Rule && fs[j].Evidence < fs[j-1].Evidence; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}
