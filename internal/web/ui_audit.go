package web

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/audit"
	"lighten/internal/export"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// The audit log for people: who did what, where and when, within the
// reader's audit scope, with the chain's verification for national
// auditors and an export.

func (s *Server) auditUIRoutes() []*route {
	return []*route{
		{Method: "GET", Pattern: "/audit", Auth: signedIn, Action: access.ReadAudit, Summary: "The audit log within my scope, with filters", h: s.uiAudit},
		{Method: "GET", Pattern: "/audit/export.csv", Auth: signedIn, Action: access.ReadAudit, Summary: "The audit log as filtered, as CSV", h: s.uiAuditExport},
	}
}

// auditPageSize is how many records a page of the log shows; an export
// takes at most auditExportMax.
const (
	auditPageSize  = 100
	auditExportMax = 50000
)

type auditFilter struct {
	Who, What, EntityID, Under, From, To string
	Whats                                []auditChoice
	Unders                               []auditChoice
	Query                                string // the filter as a query string, for paging
	Export                               string // the export's address, with the filter
}

type auditChoice struct {
	Value, Label string
	Selected     bool
}

type auditRow struct {
	Seq                int64
	When               string
	Who                string
	What               string
	Object, ObjectHref string
	Unit, UnitHref     string
	Reason             string
	Before, After      string
}

type auditView struct {
	Filter   auditFilter
	Rows     []auditRow
	Older    string // the address of the next page, if any
	Error    string
	Verify   bool   // the reader may verify the whole chain
	Verified string // the verification's result, once asked
	Broken   bool
}

// auditName names an action or entity as people read it, with the id as
// a secondary detail only when the catalogue has no name for it.
func auditName(c *Ctx, kind, id string) string {
	if _, ok := i18n.Lookup("audit." + kind + "." + id); ok {
		return c.T("audit." + kind + "." + id)
	}
	return id
}

// auditQuery reads the filter of the page, the export and the API.
func (s *Server) auditQuery(c *Ctx, q url.Values) (store.AuditQuery, error) {
	scopes := c.P.Scopes(access.ReadAudit)
	aq := store.AuditQuery{Scopes: scopes, Actor: strings.TrimSpace(q.Get("who")), Action: q.Get("what"),
		EntityID: strings.TrimSpace(q.Get("id")), Under: q.Get("under")}
	if aq.Under != "" {
		inside := false
		for _, sc := range scopes {
			inside = inside || units.Contains(sc, aq.Under)
		}
		if !inside {
			return aq, invalid("under", "ui.audit.unknown_place", aq.Under)
		}
	}
	day := func(field, v string) (time.Time, error) {
		if v = strings.TrimSpace(v); v == "" {
			return time.Time{}, nil
		}
		d, err := time.ParseInLocation("2006-01-02", v, gate.China)
		if err != nil {
			return d, invalid(field, "ui.audit.bad_date", v)
		}
		return d, nil
	}
	var err error
	if aq.From, err = day("from", q.Get("from")); err != nil {
		return aq, err
	}
	if aq.To, err = day("to", q.Get("to")); err != nil {
		return aq, err
	}
	if !aq.To.IsZero() {
		aq.To = aq.To.AddDate(0, 0, 1) // "to" is the last day shown
	}
	return aq, nil
}

// auditFilterOf is the page's filter form: what was asked, and the choices
// of what and where by name.
func (s *Server) auditFilterOf(ctx context.Context, c *Ctx, q url.Values) (auditFilter, error) {
	f := auditFilter{Who: strings.TrimSpace(q.Get("who")), What: q.Get("what"), EntityID: strings.TrimSpace(q.Get("id")),
		Under: q.Get("under"), From: q.Get("from"), To: q.Get("to")}
	t, err := c.Tree(ctx)
	if err != nil {
		return f, err
	}
	// What: every entity's actions, then each action, by name.
	var groups, actions []auditChoice
	for _, k := range i18n.Keys() {
		if id, ok := strings.CutPrefix(k, "audit.entity."); ok {
			groups = append(groups, auditChoice{Value: id + ".", Label: c.T(k)})
		}
		if id, ok := strings.CutPrefix(k, "audit.action."); ok {
			actions = append(actions, auditChoice{Value: id, Label: c.T(k)})
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Label < groups[j].Label })
	sort.Slice(actions, func(i, j int) bool { return actions[i].Label < actions[j].Label })
	f.Whats = append([]auditChoice{{Value: "", Label: c.T("ui.audit.what.any")}}, append(groups, actions...)...)
	for i := range f.Whats {
		f.Whats[i].Selected = f.Whats[i].Value == f.What
	}
	for _, sc := range c.P.Scopes(access.ReadAudit) {
		f.Unders = append(f.Unders, auditChoice{Value: sc, Label: place(t, c, sc), Selected: sc == f.Under})
	}
	keep := url.Values{}
	for _, k := range []string{"who", "what", "id", "under", "from", "to"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	f.Query = keep.Encode()
	f.Export = "/audit/export.csv"
	if f.Query != "" {
		f.Export += "?" + f.Query
	}
	return f, nil
}

func (s *Server) uiAudit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	if !c.P.CanSomewhere(access.ReadAudit) {
		return c.Require(access.ReadAudit, c.Person.UnitCode)
	}
	q := r.URL.Query()
	f, err := s.auditFilterOf(ctx, c, q)
	if err != nil {
		return err
	}
	v := auditView{Filter: f, Verify: c.P.Can(access.ReadAudit, "")}
	aq, err := s.auditQuery(c, q)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalid {
			return err
		}
		v.Error = e.Message.In(c.Lang)
		return s.page(w, r, c, http.StatusBadRequest, "audit", c.T("ui.audit.title"), v)
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		aq.Before = b
	}
	aq.Limit = auditPageSize + 1
	recs, err := s.db.ListAudit(ctx, aq)
	if err != nil {
		return err
	}
	if len(recs) > auditPageSize {
		recs = recs[:auditPageSize]
		more := url.Values{}
		if f.Query != "" {
			more, _ = url.ParseQuery(f.Query)
		}
		more.Set("before", strconv.FormatInt(recs[len(recs)-1].Seq, 10))
		v.Older = "/audit?" + more.Encode()
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		v.Rows = append(v.Rows, s.auditRow(t, c, rec))
	}
	if v.Verify && q.Get("verify") != "" {
		n, err := s.db.VerifyAudit(ctx)
		var br *audit.Break
		switch {
		case errors.As(err, &br):
			v.Verified, v.Broken = c.T("ui.audit.verify.broken", br.Seq, br.Reason, n), true
		case err != nil:
			return err
		default:
			v.Verified = c.T("ui.audit.verify.ok", n)
		}
	}
	return s.page(w, r, c, http.StatusOK, "audit", c.T("ui.audit.title"), v)
}

// auditRow is a record as the page shows it: names, with links to what
// the reader may open.
func (s *Server) auditRow(t *units.Tree, c *Ctx, rec audit.Record) auditRow {
	row := auditRow{Seq: rec.Seq, When: chinaTime(rec.At), Who: rec.Actor, What: auditName(c, "action", rec.Action), Reason: rec.Reason,
		Object: auditName(c, "entity", rec.Entity), Before: string(rec.Before), After: string(rec.After)}
	if rec.ActorID == 0 {
		row.Who = c.T("ui.audit.system")
	}
	if rec.EntityID != "" {
		row.Object += " " + rec.EntityID
		switch rec.Entity {
		case "demand":
			row.ObjectHref = "/demands/" + rec.EntityID
		case "person":
			row.ObjectHref = "/people/" + rec.EntityID
		case "plan":
			row.ObjectHref = "/plans/" + rec.EntityID
		case "draw":
			row.ObjectHref = "/draws/" + rec.EntityID
		}
	}
	if rec.UnitCode != "" {
		row.Unit, row.UnitHref = place(t, c, rec.UnitCode), "/units/"+rec.UnitCode
	}
	return row
}

// uiAuditExport writes the filtered log as CSV, newest first, in the
// reader's language, every cell made safe for a spreadsheet.
func (s *Server) uiAuditExport(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	if !c.P.CanSomewhere(access.ReadAudit) {
		return c.Require(access.ReadAudit, c.Person.UnitCode)
	}
	aq, err := s.auditQuery(c, r.URL.Query())
	if err != nil {
		return err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="audit.csv"`)
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	w.Write([]byte("\ufeff")) // Excel reads UTF-8 only with its mark
	cw.Write([]string{c.T("ui.audit.seq"), c.T("ui.audit.when"), c.T("ui.audit.who"), c.T("ui.audit.action"), c.T("ui.audit.object"),
		c.T("ui.audit.unit"), c.T("ui.audit.reason"), c.T("ui.audit.detail")})
	written := 0
	for written < auditExportMax {
		aq.Limit = 500
		recs, err := s.db.ListAudit(ctx, aq)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			row := s.auditRow(t, c, rec)
			detail := strings.TrimSpace(row.Before + " → " + row.After)
			cw.Write(export.Cells(strconv.FormatInt(row.Seq, 10), row.When, row.Who, row.What, row.Object, row.Unit, row.Reason, detail))
			written++
		}
		if len(recs) < aq.Limit {
			break
		}
		aq.Before = recs[len(recs)-1].Seq
	}
	cw.Flush()
	return cw.Error()
}
