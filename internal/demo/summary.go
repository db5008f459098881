package demo

import (
	"context"

	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
)

// Duties sums up the duty lists at work and the figures collected once.
type Duties struct {
	Refusals, Upheld, Overturned int // "not ours" refusals and how they were decided
	Escalations, Late            int // summonses, and those an office answered late
	Elements                     int // approved elements of the data dictionary
	Reports, Answers             int // reports tied to the dictionary, and the units' answers to them
	Held                         int // reports that reached nobody: all they asked was held
}

func (d Duties) String() string { return d.Text().EN }

// Text is the summary in both languages.
func (d Duties) Text() i18n.Text {
	return i18n.Both("demo.summary.duties", d.Refusals, d.Upheld, d.Overturned, d.Escalations, d.Late, d.Elements, d.Reports, d.Answers, d.Held)
}

// CountDuties counts the refusals, escalations, dictionary and reports in
// the database.
func CountDuties(ctx context.Context, db *store.DB) (Duties, error) {
	var c Duties
	refusals, err := db.Refusals(ctx, []string{""}, "")
	if err != nil {
		return c, err
	}
	for _, r := range refusals {
		c.Refusals++
		switch r.Status {
		case "upheld":
			c.Upheld++
		case "overturned":
			c.Overturned++
		}
	}
	escalations, err := db.Escalations(ctx, store.EscalationQuery{Scopes: []string{""}})
	if err != nil {
		return c, err
	}
	for _, e := range escalations {
		c.Escalations++
		if len(e.Late) > 0 {
			c.Late++
		}
	}
	dict, err := db.Dictionary(ctx)
	if err != nil {
		return c, err
	}
	for _, e := range dict.Elements {
		if e.Status == collect.Approved {
			c.Elements++
		}
	}
	q := store.DemandQuery{Scopes: []string{""}, Kind: gate.Report, Status: []gate.Status{gate.Admitted, gate.Active, gate.Closed}, Limit: 1000}
	for {
		list, total, err := db.ListDemands(ctx, q)
		if err != nil {
			return c, err
		}
		for _, d := range list {
			if !tied(d) {
				continue
			}
			c.Reports++
			if d.Answered {
				c.Held++
				continue
			}
			top, _, err := db.Completeness(ctx, d, "", false)
			if err != nil {
				return c, err
			}
			c.Answers += top.Submitted
		}
		q.Offset += len(list)
		if len(list) == 0 || q.Offset >= total {
			return c, nil
		}
	}
}

// tied reports whether a report asks an element of the dictionary.
func tied(d *store.DemandRecord) bool {
	for _, f := range d.Asks.Fields {
		if f.Element != "" {
			return true
		}
	}
	return false
}
