package duties

import (
	"strings"
	"time"

	"lighten/internal/calendar"
)

// PledgeItem is a letter of responsibility or one-vote-veto item that a
// designated body approved; nothing else may be demanded of units.
type PledgeItem struct {
	ID    int64  `json:"id"`
	Code  string `json:"code"`
	Owner string `json:"owner"` // unit whose designated body approved it; it holds below

	Name       string    `json:"name"`
	NameEN     string    `json:"name_en,omitempty"`
	ApprovedBy string    `json:"approved_by"` // the body that approved it
	Basis      string    `json:"basis"`
	VetoItem   bool      `json:"veto,omitempty"` // a one-vote-veto item (一票否决)
	ValidUntil time.Time `json:"valid_until"`
	Created    time.Time `json:"created"`
}

// Validate checks an item for the register.
func (p *PledgeItem) Validate() error {
	p.Code, p.Name, p.ApprovedBy = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name), strings.TrimSpace(p.ApprovedBy)
	switch {
	case p.Code == "":
		return problem("", "problem.pledge.no_code")
	case p.Name == "":
		return problem(p.Code, "problem.duty.no_name")
	case p.ApprovedBy == "":
		return problem(p.Code, "problem.pledge.no_body")
	case p.ValidUntil.IsZero():
		return problem(p.Code, "problem.pledge.no_date")
	}
	return nil
}

// Escalation is a township's summons (吹哨) of the offices responsible for a
// matter it cannot handle; each must acknowledge and respond (报到) in time.
type Escalation struct {
	ID          int64        `json:"id"`
	Unit        string       `json:"unit"` // the township that blew the whistle
	UnitName    string       `json:"unit_name,omitempty"`
	Matter      string       `json:"matter"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Created     time.Time    `json:"created"`
	AckBy       time.Time    `json:"ack_by"`     // acknowledge by
	RespondBy   time.Time    `json:"respond_by"` // respond by
	Calls       []Call       `json:"calls"`
	CreatedBy   int64        `json:"created_by"`
	Status      string       `json:"status"` // open, answered
	Late        []LateOffice `json:"late,omitempty"`
}

// Call is one office summoned and what it did.
type Call struct {
	OfficeID   int64      `json:"office"`
	OfficeName string     `json:"office_name"`
	Acked      *time.Time `json:"acked,omitempty"`
	Responded  *time.Time `json:"responded,omitempty"`
	Response   string     `json:"response,omitempty"`
	AckLate    bool       `json:"ack_late"`
	RespLate   bool       `json:"respond_late"`
}

// LateOffice names an office that was late, for the figures.
type LateOffice struct {
	OfficeID int64  `json:"office"`
	What     string `json:"what"` // "ack" or "respond"
}

// Deadlines computes when the offices must acknowledge and respond to an
// escalation raised at t: acknowledge within ackHours, respond within
// respondDays working days of the official calendar, at the end of that
// working day.
func Deadlines(cal *calendar.Calendar, t time.Time, ackHours, respondDays int) (ack, respond time.Time) {
	ack = t.Add(time.Duration(ackHours) * time.Hour)
	d := cal.AddWorkdays(calendar.DateOf(t), respondDays)
	respond = d.Time().Add(17*time.Hour + 30*time.Minute)
	return ack, respond
}

// Judge marks which calls are late at now and whether the escalation is
// answered.
func (e *Escalation) Judge(now time.Time) {
	e.Late = nil
	answered := len(e.Calls) > 0
	for i := range e.Calls {
		c := &e.Calls[i]
		c.AckLate = c.Acked == nil && now.After(e.AckBy) || c.Acked != nil && c.Acked.After(e.AckBy)
		c.RespLate = c.Responded == nil && now.After(e.RespondBy) || c.Responded != nil && c.Responded.After(e.RespondBy)
		if c.AckLate {
			e.Late = append(e.Late, LateOffice{OfficeID: c.OfficeID, What: "ack"})
		}
		if c.RespLate {
			e.Late = append(e.Late, LateOffice{OfficeID: c.OfficeID, What: "respond"})
		}
		if c.Responded == nil {
			answered = false
		}
	}
	e.Status = "open"
	if answered {
		e.Status = "answered"
	}
}
