package gate

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"lighten/internal/policy"
	"lighten/internal/units"
)

func rank(s Status) int {
	switch s {
	case Refused:
		return 2
	case InReview:
		return 1
	}
	return 0
}

func drawDemand(t *rapid.T) *Demand {
	kind := rapid.SampledFrom([]Kind{Report, Meeting, Document, Task, Group}).Draw(t, "kind")
	d := &Demand{OfficeID: 1, IssuerUnit: "430922", Kind: kind, Title: "t",
		Targets: Targets{Level: rapid.SampledFrom([]units.Level{units.Township, units.Village}).Draw(t, "level"), Under: "430922"}}
	day := now.AddDate(0, 0, rapid.IntRange(1, 40).Draw(t, "days"))
	hour := rapid.IntRange(7, 19).Draw(t, "hour")
	at := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, China)
	switch kind {
	case Meeting:
		minutes := rapid.IntRange(30, 400).Draw(t, "minutes")
		d.Start, d.End = at, at.Add(time.Duration(minutes)*time.Minute)
		d.Meeting = &MeetingInfo{Format: rapid.SampledFrom([]string{"onsite", "video", "discussion"}).Draw(t, "format"),
			Minutes: minutes, SpeechMinutes: rapid.IntRange(0, 120).Draw(t, "speech"), Needed: 1, PlaceUnit: "430922",
			Comprehensive: rapid.Bool().Draw(t, "comprehensive")}
		d.Asks.Attendees = rapid.IntRange(1, 3).Draw(t, "attendees")
	case Group:
		d.Group = &GroupInfo{Owner: "o", Purpose: "p", Expires: now.AddDate(0, 0, rapid.IntRange(1, 400).Draw(t, "expiry"))}
	default:
		d.Due = at
	}
	if kind == Document {
		d.Body = string(make([]rune, rapid.IntRange(0, 8000).Draw(t, "chars")))
		d.Document = &DocumentInfo{Special: rapid.Bool().Draw(t, "special")}
	}
	d.Asks.Fields = make([]Field, rapid.IntRange(0, 50).Draw(t, "fields"))
	for i := range d.Asks.Fields {
		d.Asks.Fields[i].Name = "f"
	}
	d.Asks.OtherMinutes = rapid.IntRange(0, 3000).Draw(t, "other")
	return d
}

// Tightening any parameter never admits a demand that was refused before,
// nor lets through without review one that needed review.
func TestTighteningNeverAdmitsMore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := newEnv()
		e.counts[Report] = rapid.IntRange(0, 8).Draw(t, "reports")
		e.counts[Document] = rapid.IntRange(0, 3).Draw(t, "documents")
		e.comp = rapid.IntRange(0, 2).Draw(t, "comp")
		e.used["430922100201"] = rapid.IntRange(0, 2500).Draw(t, "used")
		e.travel["430922101"] = rapid.IntRange(0, 200).Draw(t, "travel")
		d := drawDemand(t)
		before, err := Run(e, d, now)
		if err != nil {
			t.Skip(err)
		}
		p := policy.Params[rapid.IntRange(0, len(policy.Params)-1).Draw(t, "param")]
		cur := policy.Defaults().Get(p.ID)
		var tighter int
		if p.Tighter == policy.LowerIsTighter {
			tighter = rapid.IntRange(p.Min, cur).Draw(t, "value")
		} else {
			tighter = rapid.IntRange(cur, p.Max).Draw(t, "value")
		}
		where := rapid.SampledFrom([]string{"", "43", "430922", "430922100"}).Draw(t, "where")
		e.policies = policy.NewTree(map[string]policy.Document{where: {Params: map[string]int{p.ID: tighter}}})
		after, err := Run(e, drawAgain(d), now)
		if err != nil {
			t.Fatal(err)
		}
		if rank(after.Verdict) < rank(before.Verdict) {
			t.Fatalf("tightening %s to %d at %q turned %s into %s\nbefore %+v\nafter %+v", p.ID, tighter, where,
				before.Verdict, after.Verdict, before.Findings, after.Findings)
		}
	})
}

// drawAgain copies a demand so that a second run sees it as the first did.
func drawAgain(d *Demand) *Demand {
	c := *d
	return &c
}
