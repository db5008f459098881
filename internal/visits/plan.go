package visits

import (
	"time"

	"lighten/internal/calendar"
	"lighten/internal/units"
)

// ItemKind says what a plan item is.
type ItemKind string

// The kinds of plan items.
const (
	// Comprehensive is a comprehensive inspection: at most
	// visit.comprehensive of them per office per year.
	Comprehensive ItemKind = "comprehensive"
	// Special is a special (topic) inspection.
	Special ItemKind = "special"
	// Research is a research visit: it carries no scoring items.
	Research ItemKind = "research"
)

// PlanStatus is where an annual plan stands.
type PlanStatus string

// The statuses of a plan: a draft is edited by its office; submitted, it
// goes through the gate and is approved, sent to review or refused.
const (
	PlanDraft    PlanStatus = "draft"
	PlanReview   PlanStatus = "review"
	PlanApproved PlanStatus = "approved"
	PlanRefused  PlanStatus = "refused"
)

// Plan is an office's annual plan of inspections and research visits.
type Plan struct {
	ID       int64      `json:"id"`
	OfficeID int64      `json:"office"`
	Year     int        `json:"year"`
	Title    string     `json:"title"`
	Status   PlanStatus `json:"status"`
	Items    []Item     `json:"items"`
	Created  time.Time  `json:"created"`
	// Decided is when the gate approved, refused or sent it to review.
	Decided *time.Time `json:"decided,omitempty"`
	// Decision is the burden-reduction office's decision on a plan the
	// gate sent to review, if it was decided there.
	Decision *PlanDecision `json:"decision,omitempty"`
}

// PlanDecision is how the burden-reduction office decided a plan in
// review: approved or refused, with a written reason, by whom and when.
type PlanDecision struct {
	Approved bool      `json:"approved"`
	Reason   string    `json:"reason"`
	By       int64     `json:"by"`
	At       time.Time `json:"at"`
}

// Item is one item of an annual plan: what is inspected (or researched),
// where the targets are drawn from, how many, by how many inspectors, and
// in which window.
type Item struct {
	ID     int64  `json:"id"`
	PlanID int64  `json:"plan"`
	Code   string `json:"code"` // unique over all plans; the draw's and the visit demand's plan reference
	Title  string `json:"title"`
	// TitleEN is the English title, if given.
	TitleEN   string      `json:"title_en,omitempty"`
	Kind      ItemKind    `json:"kind"`
	Checklist []CheckItem `json:"checklist"`
	// Scope is the unit under which the pool lies, Level the level of the
	// units drawn (village or township, usually).
	Scope string      `json:"scope"`
	Level units.Level `json:"level"`
	// Rate is the share of the pool drawn (visit.random: at least 5% for
	// inspections); Tiers draw listed units at rates of their own, the
	// rest of the pool at Rate.
	Rate  float64    `json:"rate"`
	Tiers []TierSpec `json:"tiers,omitempty"`
	// Team is the inspectors per visit (visit.random: at least 2).
	Team int           `json:"team"`
	From calendar.Date `json:"from"`
	To   calendar.Date `json:"to"`
	// DrawID is the item's draw, once committed (0 before).
	DrawID int64 `json:"draw,omitempty"`
}

// TierSpec is a risk tier of a plan item: its units are drawn at Rate
// instead of the item's rate.
type TierSpec struct {
	Name  string   `json:"name"`
	Rate  float64  `json:"rate"`
	Units []string `json:"units"`
}

// CheckItem is one line of a checklist.
type CheckItem struct {
	Code string `json:"code"`
	Text string `json:"text"`
	// Element is a data dictionary element whose reported value the visit
	// compares with what it sees (claimed against seen).
	Element string `json:"element,omitempty"`
	// Scoring marks an item that scores the unit; research carries none.
	Scoring bool `json:"scoring,omitempty"`
}

// RegisteredInspector is an entry of the inspector register.
type RegisteredInspector struct {
	ID int64 `json:"id"`
	// Number is the public register number; draws and published records
	// name inspectors by it, never by name.
	Number   string `json:"number"`
	Name     string `json:"name"`
	OfficeID int64  `json:"office"`
	// PersonID links the entry to a person who signs in (0: none).
	PersonID int64 `json:"person,omitempty"`
	// Works is the unit where the inspector works, Origin where the
	// inspector comes from ("" if not declared): an inspector never
	// visits a unit of either's township.
	Works  string `json:"works"`
	Origin string `json:"origin,omitempty"`
	// Relations are units where the inspector declared relations: none of
	// their subtree is visited by the inspector.
	Relations []string        `json:"relations,omitempty"`
	Capacity  int             `json:"capacity"`   // visits a day
	MaxTravel int             `json:"max_travel"` // minutes of travel a day
	Away      []calendar.Date `json:"away,omitempty"`
	Active    bool            `json:"active"`
}

// VisitStatus is where a scheduled visit stands.
type VisitStatus string

// The statuses of a scheduled visit.
const (
	// Planned: the target is sealed; only the team leader learns it, on the
	// day.
	Planned VisitStatus = "planned"
	// Started: the team leader opened the target on the day.
	Started VisitStatus = "started"
	// Done: the field record is complete.
	Done VisitStatus = "done"
)

// ScheduledVisit is one team at one unit on one day, as stored after a
// schedule run; it serves every plan item in Items.
type ScheduledVisit struct {
	ID    int64         `json:"id"`
	RunID int64         `json:"run"`
	Unit  string        `json:"unit"`
	Day   calendar.Date `json:"day"`
	// Team are register numbers, the leader first.
	Team    []string    `json:"team"`
	Items   []ItemVisit `json:"items"`
	Status  VisitStatus `json:"status"`
	Started *time.Time  `json:"started,omitempty"`
	Done    *time.Time  `json:"done,omitempty"`
}

// Leader is the team leader's register number.
func (v *ScheduledVisit) Leader() string {
	if len(v.Team) == 0 {
		return ""
	}
	return v.Team[0]
}

// FieldRecord is what a team records at a visit, on a phone.
type FieldRecord struct {
	VisitID  int64         `json:"visit"`
	Checks   []CheckResult `json:"checks"`
	Claims   []Claim       `json:"claims"`
	Point    *Point        `json:"point,omitempty"`
	Accuracy float64       `json:"accuracy,omitempty"` // metres
	Photos   []Photo       `json:"photos,omitempty"`
	Findings []Finding     `json:"findings"`
	By       int64         `json:"by"`
	At       time.Time     `json:"at"`
}

// CheckResult is one checklist line as checked.
type CheckResult struct {
	Item   string `json:"item"`   // plan item code
	Check  string `json:"check"`  // check item code
	Result string `json:"result"` // pass, fail or na
	Note   string `json:"note,omitempty"`
}

// Claim sets what a unit claims (a reported value, a display board)
// against what the team saw. Reported is filled from the values the unit
// reported, where Element is set; Discrepancy is computed, never entered.
type Claim struct {
	Element     string `json:"element,omitempty"`
	Label       string `json:"label"`
	Claimed     string `json:"claimed,omitempty"`
	Reported    string `json:"reported,omitempty"`
	Seen        string `json:"seen"`
	Discrepancy bool   `json:"discrepancy"`
}

// Photo is a photo stored with its checksum.
type Photo struct {
	ID     int64     `json:"id"`
	Name   string    `json:"name"`
	Type   string    `json:"type"`
	Size   int64     `json:"size"`
	SHA256 string    `json:"sha256"`
	Taken  time.Time `json:"taken"`
}

// Finding is one thing the team found.
type Finding struct {
	Item     string `json:"item,omitempty"` // plan item code, if about one
	Text     string `json:"text"`
	Severity string `json:"severity"` // info, minor or major
}
