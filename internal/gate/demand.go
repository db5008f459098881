// Package gate is the check every demand on the grassroots passes: it
// resolves the targets, estimates what the demand costs each unit, runs
// every rule of the policy in force, and gives a verdict with findings that
// cite their rules. It has no SQL and no HTTP in it.
package gate

import (
	"fmt"
	"time"

	"lighten/internal/units"
)

// Kind is what a demand is.
type Kind string

const (
	Report   Kind = "report"   // a data request
	Meeting  Kind = "meeting"  // a meeting units must attend
	Visit    Kind = "visit"    // an inspection or research visit
	Document Kind = "document" // a document sent down
	Task     Kind = "task"     // delegated work
	Group    Kind = "group"    // a work chat group
	Pledge   Kind = "pledge"   // a letter of responsibility (责任状)
	App      Kind = "app"      // a platform units must use
)

// Kinds lists every kind.
var Kinds = []Kind{Report, Meeting, Visit, Document, Task, Group, Pledge, App}

// ParseKind reads a kind name.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// Status is where a demand is in its life.
type Status string

const (
	Draft     Status = "draft"
	Submitted Status = "submitted"
	Refused   Status = "refused"
	InReview  Status = "review"
	Admitted  Status = "admitted"
	Active    Status = "active"
	Closed    Status = "closed"
	Withdrawn Status = "withdrawn"
)

// transitions lists the moves a demand may make.
var transitions = map[Status][]Status{
	Draft:     {Submitted, Withdrawn},
	Submitted: {Refused, InReview, Admitted},
	InReview:  {Refused, Admitted, Withdrawn},
	Refused:   {Draft}, // the issuer changes it and tries again
	Admitted:  {Active, Withdrawn, Closed},
	Active:    {Closed, Withdrawn},
}

// CanMove reports whether a demand may go from one status to another.
func CanMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Targets names the units a demand reaches: listed units, or every unit of
// one level under one unit ("" under is the country).
type Targets struct {
	Units []string    `json:"units,omitempty"`
	Level units.Level `json:"level,omitempty"`
	Under string      `json:"under,omitempty"`
}

// Spec reports whether the targets are "every unit of level L under U".
func (t Targets) Spec() bool { return len(t.Units) == 0 && t.Level.Valid() }

// Field is one item a report asks for.
type Field struct {
	Name    string `json:"name"`
	Element string `json:"element,omitempty"` // the data dictionary's element, once known
	Minutes int    `json:"minutes,omitempty"` // estimated minutes to fill it; 0 for the default
}

// Asks is what a demand declares it asks of each target unit.
type Asks struct {
	Fields       []Field `json:"fields,omitempty"`
	Attendees    int     `json:"attendees,omitempty"`     // people per unit at a meeting or a visit
	Materials    int     `json:"materials,omitempty"`     // written materials to prepare
	Photos       bool    `json:"photos,omitempty"`        // photos as proof of work
	Videos       bool    `json:"videos,omitempty"`        // videos as proof of work
	Screenshots  bool    `json:"screenshots,omitempty"`   // screenshots as proof of work
	StudyNotes   bool    `json:"study_notes,omitempty"`   // study notes as proof of work
	Counts       bool    `json:"counts,omitempty"`        // meeting counts or online time as proof
	Signature    bool    `json:"signature,omitempty"`     // a leader's signature or seal
	EmptyForm    bool    `json:"empty_form,omitempty"`    // the signature goes on a form with nothing to certify
	CheckIn      bool    `json:"check_in,omitempty"`      // check-ins, roll calls, instant replies
	Ranking      bool    `json:"ranking,omitempty"`       // rankings, likes or online time as assessment
	Download     bool    `json:"download,omitempty"`      // forced download or sign-in to an app
	ReportBack   bool    `json:"report_back,omitempty"`   // report back on implementation
	SupportDocs  bool    `json:"support_docs,omitempty"`  // write supporting documents
	Forms        bool    `json:"forms,omitempty"`         // forms or materials demanded of a visited unit
	StaffSecond  int     `json:"staff_second,omitempty"`  // staff to second
	SecondDays   int     `json:"second_days,omitempty"`   // for how many working days
	SecurityUse  bool    `json:"security_use,omitempty"`  // an app use for security or emergencies
	OtherMinutes int     `json:"other_minutes,omitempty"` // further work per unit the issuer expects
}

// MeetingInfo describes a meeting.
type MeetingInfo struct {
	Format        string `json:"format"` // "onsite", "video" or "discussion"
	Comprehensive bool   `json:"comprehensive,omitempty"`
	Minutes       int    `json:"minutes"`        // length of the meeting
	SpeechMinutes int    `json:"speech_minutes"` // the main speech
	Needed        int    `json:"needed"`         // attendees per unit the agenda needs
	PlaceUnit     string `json:"place_unit,omitempty"`
}

// DocumentInfo describes a document.
type DocumentInfo struct {
	Special   bool `json:"special,omitempty"` // a special or task document (专项或任务文件)
	Chars     int  `json:"chars,omitempty"`   // filled in from the body
	Implement bool `json:"implement,omitempty"`
}

// VisitInfo describes an inspection or research visit.
type VisitInfo struct {
	Research bool   `json:"research,omitempty"`
	Plan     string `json:"plan,omitempty"` // the code of the annual plan item it belongs to
	// Approved asks for approval one by one of an inspection outside the
	// annual plan, for the reason given in ApprovalReason; the
	// burden-reduction office decides it in review (visit.plan).
	Approved       bool   `json:"approved,omitempty"`
	ApprovalReason string `json:"approval_reason,omitempty"`
	ScoringItems   int    `json:"scoring_items,omitempty"`
	Comprehensive  bool   `json:"comprehensive,omitempty"`
	// Rate is the share of the pool drawn, from 0 to 1 (visit.random); 0
	// takes the plan item's lowest rate.
	Rate float64 `json:"rate,omitempty"`
	// Team is the inspectors per visit (visit.random); 0 takes the plan
	// item's.
	Team int `json:"team,omitempty"`
	// DrawID is the plan item's draw the targets come from, once committed.
	DrawID int64 `json:"draw,omitempty"`
	// Briefing asks the unit for a briefing or a report at the visit;
	// Reception for a reception, a greeting or a welcome (visit.sealed).
	Briefing  bool `json:"briefing,omitempty"`
	Reception bool `json:"reception,omitempty"`
	// Planning marks the demand that stands for a plan item while its plan
	// passes the gate: the plan's approval is what is being decided, and
	// the window is not one visit. Set only by the store, never read from
	// a request.
	Planning bool `json:"-"`
}

// GroupInfo describes a work chat group.
type GroupInfo struct {
	Owner   string    `json:"owner"`
	Purpose string    `json:"purpose"`
	Expires time.Time `json:"expires"`
	Members int       `json:"members,omitempty"`
}

// AppInfo describes a platform units must use.
type AppInfo struct {
	NewPlatform bool `json:"new_platform,omitempty"`
	// BuiltBy is the level of the unit that builds it.
	BuiltBy    units.Level `json:"built_by,omitempty"`
	OfficeApps int         `json:"office_apps,omitempty"` // grassroots-facing apps the office already runs
}

// Means are what delegated work comes with (duty.funds).
type Means struct {
	People    int    `json:"people,omitempty"`    // staff provided
	Funds     int    `json:"funds,omitempty"`     // yuan provided
	Authority string `json:"authority,omitempty"` // powers delegated with it
}

// None reports whether no means at all come with the work.
func (m *Means) None() bool { return m == nil || m.People <= 0 && m.Funds <= 0 && m.Authority == "" }

// PledgeInfo names the register item a letter of responsibility is for.
type PledgeInfo struct {
	Item string `json:"item"`
}

// Demand is what an office asks of units.
type Demand struct {
	ID         int64   `json:"id"`
	OfficeID   int64   `json:"office"`
	IssuerUnit string  `json:"issuer_unit"`
	Kind       Kind    `json:"kind"`
	Title      string  `json:"title"`
	Body       string  `json:"body"`
	Matter     string  `json:"matter,omitempty"`
	Targets    Targets `json:"targets"`
	// Due is when the units must have done it (reports, tasks, documents).
	Due time.Time `json:"due,omitempty"`
	// Start and End bound an event (meetings, visits).
	Start time.Time `json:"start,omitempty"`
	End   time.Time `json:"end,omitempty"`
	// DataDate is the day the figures of a report are for; its periods
	// follow from it. Zero means the due date.
	DataDate time.Time `json:"data_date,omitempty"`
	Place    string    `json:"place,omitempty"`

	Asks      Asks   `json:"asks"`
	Emergency bool   `json:"emergency,omitempty"`
	Reason    string `json:"emergency_reason,omitempty"`

	// LeadOffice names the office that leads an assisting duty (tasks).
	LeadOffice string      `json:"lead_office,omitempty"`
	Means      *Means      `json:"means,omitempty"`
	Pledge     *PledgeInfo `json:"pledge,omitempty"`

	Meeting  *MeetingInfo  `json:"meeting,omitempty"`
	Document *DocumentInfo `json:"document,omitempty"`
	Visit    *VisitInfo    `json:"visit,omitempty"`
	Group    *GroupInfo    `json:"group,omitempty"`
	App      *AppInfo      `json:"app,omitempty"`

	Status    Status    `json:"status"`
	Created   time.Time `json:"created"`
	Submitted time.Time `json:"submitted,omitempty"`
	Decided   time.Time `json:"decided,omitempty"`
}

// When is the day the demand lands on units: its due date, or its event;
// a group, an app or a pledge with neither lands when it is issued.
func (d *Demand) When() time.Time {
	switch {
	case !d.Start.IsZero():
		return d.Start
	case !d.Due.IsZero():
		return d.Due
	}
	return d.Created
}

// FiguresDate is the day a report's figures are for.
func (d *Demand) FiguresDate() time.Time {
	if !d.DataDate.IsZero() {
		return d.DataDate
	}
	return d.Due
}

// ValidationError names the field of a demand that is wrong, with a
// catalogue key and arguments for the message.
type ValidationError struct {
	Field string
	Key   string
	Args  []any
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("demand field %s: %s %v", e.Field, e.Key, e.Args)
}
