package web

import (
	"context"
	"time"

	"lighten/internal/access"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// waitCard is one thing that waits for the person signed in, with how
// many, on their home page.
type waitCard struct {
	Href   string
	Label  string
	Count  int
	Note   string // what the count is, in words
	Urgent bool   // something is late
}

// waiting lists what waits for each role the person holds, by role, most
// pressing first: the burden office's reviews, refusals and late
// escalations; an issuer's drafts and refused demands; a cadre's inbox; an
// inspector's visits today; an auditor's log.
func (s *Server) waiting(ctx context.Context, c *Ctx) ([]waitCard, error) {
	var out []waitCard
	now := s.db.Now()
	if sc := c.P.Scopes(access.ReviewDemands); len(sc) > 0 {
		_, n, err := s.db.ListDemands(ctx, store.DemandQuery{Scopes: sc, Status: []gate.Status{gate.InReview}, Limit: 1})
		if err != nil {
			return nil, err
		}
		out = append(out, waitCard{Href: "/review", Label: c.T("ui.gate.nav.review"), Count: n, Note: c.T("ui.wait.review")})
		rs, err := s.db.Refusals(ctx, sc, "pending")
		if err != nil {
			return nil, err
		}
		out = append(out, waitCard{Href: "/refusals", Label: c.T("ui.duties.nav.refusals"), Count: len(rs), Note: c.T("ui.wait.refusals")})
		n = 0
		for _, under := range sc { // scopes are disjoint (access.Minimal)
			plans, err := s.db.Plans(ctx, store.PlanFilter{Status: visits.PlanReview, Under: under})
			if err != nil {
				return nil, err
			}
			n += len(plans)
		}
		out = append(out, waitCard{Href: "/plans", Label: c.T("ui.visits.nav.plans"), Count: n, Note: c.T("ui.wait.plans")})
	}
	if c.P.SignedIn() && (c.P.CanSomewhere(access.ReadInbox) || c.Person.OfficeID != 0) {
		es, err := s.db.Escalations(ctx, store.EscalationQuery{Scopes: c.P.Scopes(access.ReadInbox), Office: c.Person.OfficeID})
		if err != nil {
			return nil, err
		}
		late := 0
		for _, e := range es {
			e.Judge(now)
			if len(e.Late) > 0 {
				late++
			}
		}
		if late > 0 || c.P.CanSomewhere(access.ReviewDemands) {
			out = append(out, waitCard{Href: "/escalations", Label: c.T("ui.escalation.nav"), Count: late, Note: c.T("ui.wait.escalations_late"), Urgent: late > 0})
		}
	}
	if sc := c.P.Scopes(access.IssueDemands); len(sc) > 0 && c.Person.OfficeID != 0 {
		for _, x := range []struct {
			st  gate.Status
			key string
		}{{gate.Draft, "ui.wait.drafts"}, {gate.Refused, "ui.wait.refused"}, {gate.InReview, "ui.wait.in_review"}} {
			_, n, err := s.db.ListDemands(ctx, store.DemandQuery{Scopes: sc, OfficeID: c.Person.OfficeID, Status: []gate.Status{x.st}, Limit: 1})
			if err != nil {
				return nil, err
			}
			out = append(out, waitCard{Href: "/demands?status=" + string(x.st), Label: c.T("ui.gate.nav.demands"), Count: n, Note: c.T(x.key)})
		}
	}
	if href := myInbox(c.Person); href != "" {
		t, err := c.Tree(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range c.Person.Grants {
			if g.Role != units.RoleCadre || g.UnitCode == "" {
				continue
			}
			u, ok := t.Get(g.UnitCode)
			if !ok {
				continue
			}
			items, err := s.db.Inbox(ctx, u, now.AddDate(0, -3, 0), now.AddDate(0, 0, 14))
			if err != nil {
				return nil, err
			}
			open, reports, overdue := 0, 0, 0
			for _, it := range items {
				if it.Done != nil || it.Refusal == "pending" {
					continue
				}
				open++
				if it.Demand.Kind == gate.Report {
					reports++
				}
				if it.Overdue {
					overdue++
				}
			}
			inbox := "/units/" + u.Code + "/inbox"
			out = append(out, waitCard{Href: inbox, Label: c.T("ui.inbox.nav") + " · " + u.Name, Count: open, Note: c.T("ui.wait.inbox")},
				waitCard{Href: inbox, Label: c.T("ui.inbox.nav") + " · " + u.Name, Count: reports, Note: c.T("ui.wait.reports")})
			if overdue > 0 {
				out = append(out, waitCard{Href: inbox, Label: c.T("ui.inbox.nav") + " · " + u.Name, Count: overdue, Note: c.T("ui.wait.overdue"), Urgent: true})
			}
			break
		}
	}
	if c.P.CanSomewhere(access.FieldVisits) {
		if in, err := s.db.InspectorByPerson(ctx, c.Person.ID); err == nil {
			today := s.today()
			list, err := s.db.VisitsOfInspector(ctx, in.Number, today, today)
			if err != nil {
				return nil, err
			}
			out = append(out, waitCard{Href: "/visits", Label: c.T("ui.visits.nav.mine"), Count: len(list), Note: c.T("ui.wait.visits_today")})
		}
	}
	if sc := c.P.Scopes(access.ReadAudit); len(sc) > 0 {
		day := time.Date(now.In(gate.China).Year(), now.In(gate.China).Month(), now.In(gate.China).Day(), 0, 0, 0, 0, gate.China)
		recs, err := s.db.ListAudit(ctx, store.AuditQuery{Scopes: sc, From: day, Limit: 500})
		if err != nil {
			return nil, err
		}
		out = append(out, waitCard{Href: "/audit?from=" + day.Format("2006-01-02"), Label: c.T("ui.audit.nav"), Count: len(recs), Note: c.T("ui.wait.audit_today")})
	}
	return out, nil
}
