package gate

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"lighten/internal/calendar"
	"lighten/internal/i18n"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// The visit rules of POLICY.md. An inspection belongs to a stored item of an
// approved annual plan (or is approved one by one), draws its targets and
// inspectors, keeps every unit within its weekly and yearly caps, and never
// announces itself. Research visits need neither plan nor draw, carry no
// scoring items, and are not inspections for the yearly cap or the seal.

// planItem looks up the demand's plan item once per check.
func (c *Check) planItem() (*visits.Item, *visits.Plan, bool) {
	if !c.itemLooked {
		c.itemLooked = true
		if v := c.D.Visit; v != nil && v.Plan != "" {
			c.visitItem, c.visitPlan, _ = c.Env.PlanItem(v.Plan)
		}
	}
	return c.visitItem, c.visitPlan, c.visitItem != nil && c.visitPlan != nil
}

func (c *Check) inspection() bool { return c.D.Visit != nil && !c.D.Visit.Research }

// planning reports whether the demand stands for a plan item whose plan
// is passing the gate.
func (c *Check) planning() bool { return c.D.Visit != nil && c.D.Visit.Planning }

// LowestRate is the lowest share a plan item draws: its own rate or a
// tier's.
func LowestRate(it *visits.Item) float64 {
	r := it.Rate
	for _, t := range it.Tiers {
		r = min(r, t.Rate)
	}
	return r
}

// ScoringItems counts the scoring lines of a plan item's checklist.
func ScoringItems(it *visits.Item) int {
	n := 0
	for _, ci := range it.Checklist {
		if ci.Scoring {
			n++
		}
	}
	return n
}

// pct writes a share as a percentage: 0.05 is "5", 0.125 is "12.5".
func pct(rate float64) string {
	return strconv.FormatFloat(math.Round(rate*10000)/100, 'f', -1, 64)
}

func visitStatusText(s visits.PlanStatus) i18n.Text {
	return i18n.Both("gate.visit.plan.status." + string(s))
}

func visitPlan(c *Check) {
	v := c.D.Visit
	if v.Research {
		return
	}
	if v.Plan == "" {
		switch {
		case !v.Approved:
			c.Add(finding("visit.plan", Block, "unplanned", nil, nil, nil))
		case strings.TrimSpace(v.ApprovalReason) == "":
			c.Add(finding("visit.plan", Block, "no_reason", nil, nil, nil))
		default:
			f := finding("visit.plan", Review, "one_by_one", []any{v.ApprovalReason}, nil, nil)
			f.Evidence = v.ApprovalReason
			c.Add(f)
		}
		return
	}
	item, plan, ok := c.planItem()
	if !ok {
		c.Add(finding("visit.plan", Block, "unknown", []any{v.Plan}, nil, nil))
		return
	}
	if plan.OfficeID != c.D.OfficeID {
		c.Add(finding("visit.plan", Block, "other_office", []any{v.Plan, plan.Title}, nil, nil))
	}
	if !v.Planning && plan.Status != visits.PlanApproved {
		c.Add(finding("visit.plan", Block, "not_approved", []any{v.Plan, plan.Title, visitStatusText(plan.Status)}, nil, nil))
	}
	from, to := calendar.DateOf(c.D.Start), calendar.DateOf(c.D.End)
	if from.Before(item.From) || to.After(item.To) {
		c.Add(finding("visit.plan", Block, "window", []any{from.String(), to.String(), v.Plan, item.From.String(), item.To.String()},
			[]any{item.From.String(), item.To.String()}, nil))
	}
	if item.Kind == visits.Research {
		c.Add(finding("visit.plan", Block, "research_item", []any{v.Plan}, nil, nil))
	}
}

func visitComprehensive(c *Check) {
	v := c.D.Visit
	if v.Research {
		return
	}
	item, plan, ok := c.planItem()
	if !v.Comprehensive && !(ok && item.Kind == visits.Comprehensive) {
		return
	}
	limit := c.Param("visit.comprehensive")
	var n, year int
	if ok {
		// The plan's own comprehensive items count with those of the
		// office's other plans of the year.
		own := 0
		for i := range plan.Items {
			if plan.Items[i].Kind == visits.Comprehensive {
				own++
			}
		}
		if item.Kind != visits.Comprehensive {
			own++ // declared comprehensive on a special item
		}
		year = plan.Year
		n = c.Env.ComprehensiveItems(plan.OfficeID, year, plan.ID) + own
	} else {
		year = c.D.Start.In(China).Year()
		n = c.Env.ComprehensiveItems(c.D.OfficeID, year, 0) + 1
	}
	if n > limit {
		c.Add(finding("visit.comprehensive", Block, "over", []any{n, year, limit}, []any{limit},
			map[string]int{"visit.comprehensive": limit}))
	}
}

func visitRandom(c *Check) {
	v := c.D.Visit
	if v.Research {
		return
	}
	minPct, minTeam := c.Param("visit.random.pct"), c.Param("visit.random.inspectors")
	params := map[string]int{"visit.random.pct": minPct, "visit.random.inspectors": minTeam}
	item, _, ok := c.planItem()
	if n := len(c.D.Targets.Units); n > 0 {
		c.Add(finding("visit.random", Block, "listed", []any{n}, nil, params))
	}
	rate := v.Rate
	if rate == 0 && ok {
		rate = LowestRate(item)
	}
	// A tolerance: 0.29 × 100 is 28.999999999999996 in floating point.
	if rate*100+1e-9 < float64(minPct) {
		c.Add(finding("visit.random", Block, "rate", []any{pct(rate), minPct}, []any{minPct}, params))
	}
	team := v.Team
	if team == 0 && ok {
		team = item.Team
	}
	if team < minTeam {
		c.Add(finding("visit.random", Block, "team", []any{team, minTeam}, []any{minTeam}, params))
	}
	if ok && v.DrawID != 0 && v.DrawID != item.DrawID {
		c.Add(finding("visit.random", Block, "draw", []any{v.DrawID, v.Plan}, nil, params))
	}
}

// monday is the Monday of d's week.
func monday(d calendar.Date) calendar.Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

func visitUnitWeek(c *Check) {
	if len(c.D.Targets.Units) == 0 || c.planning() {
		return // a pool: the joint scheduler keeps every drawn unit within the cap
	}
	limit := c.Param("visit.unit.week")
	from, to := calendar.DateOf(c.D.Start), calendar.DateOf(c.D.End)
	first, last := monday(from), monday(to)
	weeks := last.Sub(first)/7 + 1
	codes := make([]string, len(c.Targets))
	for i, u := range c.Targets {
		codes[i] = u.Code
	}
	had := c.Env.UnitVisits(codes, first, last.AddDays(6))
	full, worst := 0, units.Unit{}
	for _, u := range c.Targets {
		per := make([]int, weeks)
		for _, d := range had[u.Code] {
			if w := monday(d).Sub(first) / 7; w >= 0 && w < weeks {
				per[w]++
			}
		}
		room := false
		for _, n := range per {
			if n < limit {
				room = true
				break
			}
		}
		if !room {
			if full == 0 {
				worst = u
			}
			full++
		}
	}
	if full > 0 {
		f := finding("visit.unit.week", Block, "full", []any{full, len(c.Targets), limit, worst.Name, worst.Code, from.String(), to.String()},
			[]any{limit}, map[string]int{"visit.unit.week": limit})
		f.Units = full
		c.Add(f)
	}
}

func visitUnitYear(c *Check) {
	v := c.D.Visit
	if v.Research || len(c.Targets) == 0 {
		return
	}
	limit := c.Param("visit.unit.year")
	params := map[string]int{"visit.unit.year": limit}
	year := c.D.Start.In(China).Year()
	item, plan, ok := c.planItem()
	if ok {
		year = plan.Year
	}
	var had map[string]int
	if sc, ok := c.Env.(ScopedInspections); ok && c.D.Targets.Spec() {
		had = sc.UnitInspectionsUnder(c.D.Targets.Level, c.D.Targets.Under, year)
	} else {
		codes := make([]string, len(c.Targets))
		for i, u := range c.Targets {
			codes[i] = u.Code
		}
		had = c.Env.UnitInspections(codes, year)
	}
	atCap, worst, worstN := 0, units.Unit{}, -1
	for _, u := range c.Targets {
		if n := had[u.Code]; n+1 > limit {
			atCap++
			if n > worstN {
				worst, worstN = u, n
			}
		}
	}
	if atCap == 0 {
		return
	}
	if len(c.D.Targets.Units) > 0 {
		f := finding("visit.unit.year", Review, "over", []any{atCap, len(c.Targets), year, limit, worst.Name, worst.Code, worstN}, nil, params)
		f.Units = atCap
		c.Add(f)
		return
	}
	// A pool: only the drawn units are visited. The burden office decides
	// when the draw cannot avoid units at the cap; otherwise it is noted,
	// and the scheduler leaves drawn units at the cap unvisited.
	rate := v.Rate
	if rate == 0 && ok {
		rate = LowestRate(item)
	}
	n := len(c.Targets)
	drawn := min(n, int(math.Ceil(rate*float64(n)-1e-9)))
	sev, name := Note, "pool"
	if n-atCap < drawn {
		sev, name = Review, "pool_short"
	}
	f := finding("visit.unit.year", sev, name, []any{atCap, n, year, limit, drawn}, nil, params)
	f.Units = atCap
	c.Add(f)
}

// sealedPhrases announce an inspection to the unit, as people write them:
// briefings, receptions, escorts, notice in advance.
var sealedPhrases = []string{
	"听取汇报", "听汇报", "汇报会", "专题汇报", "迎检", "迎接检查", "接待", "陪同", "陪检", "提前通知", "事先通知", "预先通知",
	"座谈会", "欢迎仪式", "集合地点",
	"briefing", "reception", "escort", "welcome", "advance notice", "notify the unit", "accompany", "gather at",
}

// negated reports whether the phrase at i is said not to happen ("不听汇报",
// "不需乡镇陪同", "no escort", "without a briefing"): a negation in the
// same clause a few characters before it.
func negated(text string, i int) bool {
	start := i
	for k := 0; k < 5 && start > 0; k++ {
		r, size := utf8.DecodeLastRuneInString(text[:start])
		if strings.ContainsRune("，。；、,.;:：！!？?\n", r) {
			break
		}
		start -= size
	}
	before := text[start:i]
	if strings.ContainsAny(before, "不无勿禁免拒谢没非") {
		return true
	}
	// English: one of the three words before.
	words := strings.FieldsFunc(strings.ToLower(text[max(0, i-40):i]), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	if len(words) > 3 {
		words = words[len(words)-3:]
	}
	for _, w := range words {
		switch w {
		case "no", "not", "without", "never", "nor", "don't", "doesn't":
			return true
		}
	}
	return false
}

func visitSealed(c *Check) {
	if !c.inspection() {
		return
	}
	d := c.D
	if n := len(d.Targets.Units); n > 0 {
		c.Add(finding("visit.sealed", Block, "listed", []any{n}, nil, nil))
	}
	if d.Asks.Attendees > 0 {
		c.Add(finding("visit.sealed", Block, "escort", []any{d.Asks.Attendees}, nil, nil))
	}
	if d.Visit.Briefing {
		c.Add(finding("visit.sealed", Block, "briefing", nil, nil, nil))
	}
	if d.Visit.Reception {
		c.Add(finding("visit.sealed", Block, "reception", nil, nil, nil))
	}
	if p := strings.TrimSpace(d.Place); p != "" {
		c.Add(finding("visit.sealed", Block, "place", []any{p}, nil, nil))
	}
	text := d.Title + "\n" + d.Body
	lower := strings.ToLower(text)
	source := text
	if len(lower) != len(text) {
		source = lower
	}
	taken := map[int]bool{}
	for _, p := range sealedPhrases {
		for from := 0; from < len(lower); {
			j := strings.Index(lower[from:], p)
			if j < 0 {
				break
			}
			i := from + j
			from = i + len(p)
			if taken[i] || negated(lower, i) {
				continue
			}
			for k := i; k < i+len(p); k++ {
				taken[k] = true
			}
			f := finding("visit.sealed", Block, "text", []any{p}, []any{p}, nil)
			f.Evidence = quote(source, i, len(p))
			c.Add(f)
			break
		}
	}
}
