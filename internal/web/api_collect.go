package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/collect"
	"lighten/internal/export"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
	upl "lighten/internal/upload"
)

// ElementDecision approves or rejects a proposed element.
type ElementDecision struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason"`
}

// ReportForm is what a unit sees of a report: each field, with its value
// when it is already known (prefilled, not asked).
type ReportForm struct {
	Demand   *store.DemandRecord `json:"demand"`
	Unit     UnitRef             `json:"unit"`
	Fields   []FormField         `json:"fields"`
	Asked    int                 `json:"asked"`
	Known    int                 `json:"known"`
	Minutes  int                 `json:"minutes"`
	Answered bool                `json:"answered"` // the unit has submitted
}

// FormField is one field of a report for one unit.
type FormField struct {
	Name    string           `json:"name"`
	Element *collect.Element `json:"element,omitempty"`
	Period  string           `json:"period,omitempty"`
	Known   *store.Value     `json:"known,omitempty"`
}

// SubmissionResult says what was stored.
type SubmissionResult struct {
	Submission int64 `json:"submission"`
	Duplicate  bool  `json:"duplicate"` // a retry: stored once already
	Values     int   `json:"values"`
}

// SubmissionErrors lists every problem of a refused submission.
type SubmissionErrors struct {
	Error  *Error       `json:"error"`
	Errors []FieldError `json:"errors"`
}

// FieldError names a unit, an element and what is wrong, in both
// languages.
type FieldError struct {
	Unit    string    `json:"unit"`
	Element string    `json:"element"`
	Message i18n.Text `json:"message"`
	// problem is the check's own account, for a form that shows it next
	// to its field; nil when the fault is not a value's.
	problem *collect.Problem
}

// what is what is wrong without the unit, for a page that is for the one
// unit already.
func (e FieldError) what() i18n.Text {
	if e.problem != nil {
		return e.problem.What()
	}
	return e.Message
}

// BulkResult counts what a bulk submission stored.
type BulkResult struct {
	Units  int `json:"units"`
	Values int `json:"values"`
}

// CompletenessView is a report's completeness under a unit.
type CompletenessView struct {
	Total    store.Completeness   `json:"total"`
	Children []store.Completeness `json:"children"`
}

func (s *Server) collectRoutes() []*route {
	pElement := param{Name: "element", In: "path", Type: "string", Required: true}
	return []*route{
		{Method: "GET", Pattern: "/api/v1/elements", Tag: "collect", Action: access.ReadUnits,
			Summary: "The shared data dictionary", Params: []param{{Name: "status", In: "query", Type: "string"}}, Result: []*collect.Element{}, h: s.apiElements},
		{Method: "POST", Pattern: "/api/v1/elements", Tag: "collect", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Add or change an element: burden offices add approved ones; office staff propose new ones for review",
			Body:    collect.Element{}, Result: collect.Element{}, Status: http.StatusCreated, h: s.apiSaveElement},
		{Method: "POST", Pattern: "/api/v1/elements/{element}/decision", Tag: "collect", Auth: signedIn, Action: access.ReviewDemands,
			Summary: "Approve or reject a proposed element, with a reason", Params: []param{pElement}, Body: ElementDecision{}, Result: collect.Element{}, h: s.apiDecideElement},
		{Method: "POST", Pattern: "/api/v1/element-rules", Tag: "collect", Auth: signedIn, Action: access.ReviewDemands,
			Summary: "Add a cross-element rule, such as households <= population", Body: collect.Rule{}, Result: collect.Rule{}, Status: http.StatusCreated, h: s.apiSaveRule},
		{Method: "GET", Pattern: "/api/v1/units/{code}/reports/{id}", Tag: "collect", Auth: signedIn, Action: access.ReadInbox,
			Summary: "A report as the unit fills it: every field, prefilled where the value is already held", Params: []param{pCode, pDemand},
			Result: ReportForm{}, h: s.apiReportForm},
		{Method: "POST", Pattern: "/api/v1/units/{code}/reports/{id}/submission", Tag: "collect", Auth: signedIn, Action: access.ActInbox,
			Summary: "Submit the unit's values, all or nothing; the same client_key stores once. A refused one answers 400 with errors: unit, element and a message in both languages", Params: []param{pCode, pDemand},
			Body: collect.Submission{}, Result: SubmissionResult{}, Status: http.StatusCreated, h: s.apiSubmit},
		{Method: "POST", Pattern: "/api/v1/reports/{id}/submissions", Tag: "collect", Auth: signedIn, Action: access.ActInbox,
			Summary: "Submit for many units at once, as JSON (a list of submissions) or CSV (unit,element,value); all or nothing. A refused one answers 400 with errors, as a single submission does",
			Params:  []param{pDemand}, Body: []collect.Submission{}, Result: BulkResult{}, Status: http.StatusCreated, h: s.apiBulkSubmit},
		{Method: "GET", Pattern: "/api/v1/reports/{id}/completeness", Tag: "collect", Auth: signedIn, Action: access.ReadDemands,
			Summary: "Expected, submitted and on time, for any subtree, with a line per child unit",
			Params:  []param{pDemand, pUnder}, Result: CompletenessView{}, h: s.apiCompleteness},
		{Method: "GET", Pattern: "/api/v1/reports/{id}/answer", Tag: "collect", Auth: signedIn, Action: access.ReadDemands,
			Summary: "The issuer's answer: every target's values with provenance, as JSON lines or CSV (format=csv), streamed; each unit's values as the readers rule allows the caller",
			Params:  []param{pDemand, pUnder, {Name: "format", In: "query", Type: "string", Desc: "jsonl (default) or csv"}}, Result: store.Value{}, h: s.apiAnswerTable},
		{Method: "GET", Pattern: "/api/v1/units/{code}/values/{element}", Tag: "collect", Auth: signedIn, Action: access.ReadInbox,
			Summary: "Every value a unit gave for an element and period, newest first: the unit's inbox readers, or office staff in scope for elements their office reads", Params: []param{pCode, pElement,
				{Name: "period", In: "query", Type: "string", Required: true}}, Result: []store.Value{}, h: s.apiHistory},
	}
}

func collectError(err error) error {
	var p *collect.Problem
	if errors.As(err, &p) {
		// The English names the field as the API spells it, as the error
		// has always read; the Chinese messages name it themselves.
		msg := p.Message()
		e := errorf(CodeInvalid, "error.collect", i18n.Text{ZH: msg.ZH, EN: p.Error()})
		e.Field = p.Field
		return e
	}
	return gateError(err)
}

func (s *Server) apiElements(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	d, err := s.db.Dictionary(r.Context())
	if err != nil {
		return err
	}
	out := []*collect.Element{}
	st := r.URL.Query().Get("status")
	for _, e := range d.Sorted() {
		if st == "" || string(e.Status) == st {
			out = append(out, e)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiSaveElement(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var e collect.Element
	if err := decode(r, &e); err != nil {
		return err
	}
	ctx := r.Context()
	burden := c.P.CanSomewhere(access.ReviewDemands)
	switch {
	case burden:
		if e.Owner == 0 {
			return invalid("owner", "error.required", "owner")
		}
		o, err := s.db.Office(ctx, e.Owner)
		if err != nil {
			return invalid("owner", "error.bad_number", "owner", strconv.FormatInt(e.Owner, 10))
		}
		if err := c.Require(access.ReviewDemands, o.UnitCode); err != nil {
			return err
		}
		e.Status = collect.Approved
	case c.Person.OfficeID != 0 && c.P.CanSomewhere(access.IssueDemands):
		e.Owner, e.Status = c.Person.OfficeID, collect.Proposed
	default:
		return errorf(CodeForbidden, "error.not_issuer")
	}
	d, err := s.db.Dictionary(ctx)
	if err != nil {
		return err
	}
	if old, ok := d.Elements[strings.TrimSpace(e.Code)]; ok && !burden && (old.Owner != c.Person.OfficeID || old.Status == collect.Approved) {
		return &Error{Code: CodeConflict, Message: i18n.Both("error.conflict", e.Code)}
	}
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.SaveElement(ctx, &e) }); err != nil {
		return collectError(err)
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) apiDecideElement(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	d, err := s.db.Dictionary(ctx)
	if err != nil {
		return err
	}
	e, ok := d.Elements[r.PathValue("element")]
	if !ok {
		return errorf(CodeNotFound, "error.not_found")
	}
	o, err := s.db.Office(ctx, e.Owner)
	if err != nil {
		return err
	}
	if err := c.Require(access.ReviewDemands, o.UnitCode); err != nil {
		return err
	}
	var b ElementDecision
	if err := decode(r, &b); err != nil {
		return err
	}
	if strings.TrimSpace(b.Reason) == "" {
		return invalid("reason", "error.required", "reason")
	}
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.DecideElement(ctx, e, b.Approve, strings.TrimSpace(b.Reason)) }); err != nil {
		return gateError(err)
	}
	d, err = s.db.Dictionary(ctx)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d.Elements[e.Code])
	return nil
}

func (s *Server) apiSaveRule(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if !c.P.CanSomewhere(access.ReviewDemands) {
		return c.Require(access.ReviewDemands, c.Person.UnitCode)
	}
	var rule collect.Rule
	if err := decode(r, &rule); err != nil {
		return err
	}
	d, err := s.db.Dictionary(r.Context())
	if err != nil {
		return err
	}
	for _, code := range []string{rule.Left, rule.Right} {
		if e, ok := d.Elements[code]; !ok || (e.Type != collect.Integer && e.Type != collect.Decimal) {
			return invalid("left", "error.collect_rule", code)
		}
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.SaveRule(r.Context(), &rule) }); err != nil {
		return collectError(err)
	}
	writeJSON(w, http.StatusCreated, rule)
	return nil
}

// inboxReport finds a report in a unit's inbox.
func (s *Server) inboxReport(ctx context.Context, c *Ctx, code string, id int64, a access.Action) (units.Unit, *store.DemandRecord, error) {
	t, err := c.Tree(ctx)
	if err != nil {
		return units.Unit{}, nil, err
	}
	if _, err := knownCode(t, "code", code); err != nil {
		return units.Unit{}, nil, err
	}
	if err := c.Require(a, code); err != nil {
		return units.Unit{}, nil, err
	}
	u, _ := t.Get(code)
	rec, err := s.db.InboxReport(ctx, u, id)
	if errors.Is(err, store.ErrNotFound) {
		return u, nil, errorf(CodeNotFound, "error.not_found")
	}
	if err != nil {
		return u, nil, err
	}
	return u, rec, nil
}

// reportForm is a report as unit u fills it. may is the readers rule
// (access.Values) at u for whoever is shown the form: a known value it does
// not allow is shown as known without the value (the field is still not
// asked). Routes that show a form need the unit's inbox, where the rule
// allows every value; nil allows every value too, for checking a
// submission.
func (s *Server) reportForm(ctx context.Context, u units.Unit, rec *store.DemandRecord, may func(*collect.Element) bool) (ReportForm, *store.ReportShape, map[string]string, error) {
	shape, err := s.db.ReportShape(ctx, rec)
	if err != nil {
		return ReportForm{}, nil, nil, err
	}
	known, err := s.db.UnitValues(ctx, u.Code, shape.Want)
	if err != nil {
		return ReportForm{}, nil, nil, err
	}
	form := ReportForm{Demand: rec, Unit: UnitRef{Code: u.Code, Name: u.Name, Level: u.Level.String()}, Fields: make([]FormField, 0, len(rec.Asks.Fields))}
	knownRaw := make(map[string]string, len(known))
	for _, f := range rec.Asks.Fields {
		ff := FormField{Name: f.Name}
		if e, ok := shape.Asked[f.Element]; ok {
			ff.Element, ff.Period = e, shape.Want[e.Code]
			if v, ok := known[e.Code]; ok {
				knownRaw[e.Code] = v.Value
				if may != nil && !may(e) {
					v.Value, v.PersonID = "", 0
				}
				ff.Known = &v
				form.Known++
			} else {
				form.Asked++
				form.Minutes += max(f.Minutes, 3)
			}
		}
		form.Fields = append(form.Fields, ff)
	}
	return form, shape, knownRaw, nil
}

func (s *Server) apiReportForm(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	u, rec, err := s.inboxReport(r.Context(), c, r.PathValue("code"), id, access.ReadInbox)
	if err != nil {
		return err
	}
	form, _, _, err := s.reportForm(r.Context(), u, rec, c.Values().At(u.Code))
	if err != nil {
		return err
	}
	top, _, err := s.db.Completeness(r.Context(), rec, u.Code, false)
	if err != nil {
		return err
	}
	form.Answered = top.Submitted > 0
	writeJSON(w, http.StatusOK, form)
	return nil
}

// checkSubmission validates one unit's submission against the report.
func (s *Server) checkSubmission(ctx context.Context, u units.Unit, rec *store.DemandRecord, sub collect.Submission) ([]store.Value, []FieldError, error) {
	_, shape, known, err := s.reportForm(ctx, u, rec, nil)
	if err != nil {
		return nil, nil, err
	}
	sub.Unit = u.Code
	norm, errs := collect.Check(sub, shape.Asked, known, shape.Rules)
	if len(errs) > 0 {
		var out []FieldError
		for _, e := range errs {
			var p *collect.Problem
			if errors.As(e, &p) {
				out = append(out, FieldError{Unit: u.Code, Element: p.Field, Message: p.Message(), problem: p})
			}
		}
		return nil, out, nil
	}
	vals := make([]store.Value, 0, len(norm))
	for _, e := range shape.ByCode {
		if v, ok := norm[e.Code]; ok {
			vals = append(vals, store.Value{Element: e.Code, Period: shape.Periods[e], Value: v})
		}
	}
	return vals, nil, nil
}

func (s *Server) writeSubmissionErrors(w http.ResponseWriter, fe []FieldError) {
	e := errorf(CodeInvalid, "error.submission", len(fe))
	if len(fe) > 0 {
		e.Field = fe[0].Element
	}
	writeJSON(w, http.StatusBadRequest, SubmissionErrors{Error: e, Errors: fe})
}

func (s *Server) apiSubmit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, rec, err := s.inboxReport(ctx, c, r.PathValue("code"), id, access.ActInbox)
	if err != nil {
		return err
	}
	// Sized for the report's fields, the map the values are decoded into
	// does not grow eight times on the way to 250.
	sub := collect.Submission{Values: make(map[string]string, len(rec.Asks.Fields))}
	if err := decode(r, &sub); err != nil {
		return err
	}
	if sub.Unit != "" && sub.Unit != u.Code {
		return invalid("unit", "error.bad_code", sub.Unit)
	}
	vals, fe, err := s.checkSubmission(ctx, u, rec, sub)
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		s.writeSubmissionErrors(w, fe)
		return nil
	}
	var res SubmissionResult
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		var err error
		res.Submission, res.Duplicate, err = tx.Submit(ctx, rec, u.Code, strings.TrimSpace(sub.Key), vals)
		return err
	})
	if err != nil {
		return err
	}
	if !res.Duplicate {
		res.Values = len(vals)
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	}
	writeJSON(w, status, res)
	return nil
}

// maxBulk bounds a bulk submission body.
const maxBulk = 64 << 20

// bulkLimits bound a bulk submission in CSV: its bytes, lines, and each
// line's bytes and columns.
var bulkLimits = upl.Limits{File: maxBulk, Rows: 1_000_000, Columns: 64, Line: 64 << 10}

// csvError answers a CSV file that could not be read at line: past a
// limit, malformed, or the request ended.
func csvError(line int, err error) error {
	var le *upl.LimitError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &le) && le.Limit == "file", errors.As(err, &mbe):
		return errorf(CodeTooLarge, "error.too_large", maxBulk)
	case errors.As(err, &le):
		return &Error{Code: CodeInvalid, Field: "body", Message: le.Message()}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return invalid("body", "error.csv", line, err.Error())
}

// readBulk reads submissions from JSON or CSV (unit,element,value).
func readBulk(r *http.Request) ([]collect.Submission, error) {
	body := http.MaxBytesReader(nil, r.Body, maxBulk)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		cr := upl.NewCSV(r.Context(), body, bulkLimits)
		head, err := cr.Read()
		if err != nil {
			return nil, csvError(1, err)
		}
		if len(head) > 0 {
			head[0] = strings.TrimPrefix(head[0], "\ufeff")
		}
		if strings.Join(head, ",") != "unit,element,value" {
			return nil, invalid("body", "error.csv", 1, "header unit,element,value expected")
		}
		byUnit := map[string]*collect.Submission{}
		var order []string
		line := 1
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			line++
			if err != nil {
				return nil, csvError(line, err)
			}
			if len(rec) != 3 {
				return nil, invalid("body", "error.csv", line, fmt.Sprintf("%d columns, 3 expected", len(rec)))
			}
			sub, ok := byUnit[rec[0]]
			if !ok {
				sub = &collect.Submission{Unit: rec[0], Values: map[string]string{}}
				byUnit[rec[0]] = sub
				order = append(order, rec[0])
			}
			if _, dup := sub.Values[rec[1]]; dup {
				return nil, invalid("body", "error.csv", line, "unit "+rec[0]+" gives "+rec[1]+" twice")
			}
			sub.Values[rec[1]] = rec[2]
		}
		out := make([]collect.Submission, 0, len(order))
		for _, u := range order {
			out = append(out, *byUnit[u])
		}
		return out, nil
	}
	var subs []collect.Submission
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&subs); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errorf(CodeTooLarge, "error.too_large", maxBulk)
		}
		return nil, jsonError(err)
	}
	return subs, nil
}

func (s *Server) apiBulkSubmit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	subs, err := readBulk(r)
	if err != nil {
		return err
	}
	type prepared struct {
		unit string
		rec  *store.DemandRecord
		key  string
		vals []store.Value
	}
	var all []prepared
	var problems []FieldError
	seen := map[string]bool{}
	if !c.P.CanSomewhere(access.ActInbox) {
		return c.Require(access.ActInbox, c.Person.UnitCode)
	}
	for _, sub := range subs {
		if _, ok := units.LevelOfCode(sub.Unit); ok {
			if err := c.Require(access.ActInbox, sub.Unit); err != nil {
				return err
			}
		}
		if seen[sub.Unit] {
			problems = append(problems, FieldError{Unit: sub.Unit, Message: i18n.Both("collect.bulk.unit_twice")})
			continue
		}
		seen[sub.Unit] = true
		u, rec, err := s.inboxReport(ctx, c, sub.Unit, id, access.ActInbox)
		if err != nil {
			e := asError(err)
			problems = append(problems, FieldError{Unit: sub.Unit, Message: e.Message})
			continue
		}
		vals, fe, err := s.checkSubmission(ctx, u, rec, sub)
		if err != nil {
			return err
		}
		problems = append(problems, fe...)
		all = append(all, prepared{u.Code, rec, strings.TrimSpace(sub.Key), vals})
	}
	if len(problems) > 0 {
		s.writeSubmissionErrors(w, problems)
		return nil
	}
	res := BulkResult{}
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		for _, p := range all {
			_, dup, err := tx.Submit(ctx, p.rec, p.unit, p.key, p.vals)
			if err != nil {
				return err
			}
			if !dup {
				res.Units++
				res.Values += len(p.vals)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// reportFor reads a report the principal may see.
func (s *Server) reportFor(ctx context.Context, c *Ctx, r *http.Request) (*store.DemandRecord, error) {
	id, err := idParam(r)
	if err != nil {
		return nil, err
	}
	rec, err := s.visibleDemand(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if rec.Kind != gate.Report {
		return nil, errorf(CodeNotFound, "error.not_found")
	}
	return rec, nil
}

func (s *Server) apiCompleteness(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	rec, err := s.reportFor(ctx, c, r)
	if err != nil {
		return err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	under, err := codeParam(t, r, "under")
	if err != nil {
		return err
	}
	top, kids, err := s.db.Completeness(ctx, rec, under, true)
	if err != nil {
		return err
	}
	if kids == nil {
		kids = []store.Completeness{}
	}
	writeJSON(w, http.StatusOK, CompletenessView{Total: top, Children: kids})
	return nil
}

// answerQuery is what an answer export reads: the report, the subtree,
// the elements the caller may read at some unit of it, with their periods,
// in field order, and the readers rule that filters each unit's values.
type answerQuery struct {
	rec   *store.DemandRecord
	under string
	elems map[*collect.Element]string
	order []*collect.Element
	rule  access.Values
}

// answerOf resolves an answer export's report, subtree and elements. What
// the caller reads of each unit's values is the readers rule's
// (access.Values), with the caller's own office: q.shown filters a row.
func (s *Server) answerOf(r *http.Request, c *Ctx) (answerQuery, error) {
	ctx := r.Context()
	var q answerQuery
	var err error
	if q.rec, err = s.reportFor(ctx, c, r); err != nil {
		return q, err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return q, err
	}
	if q.under, err = codeParam(t, r, "under"); err != nil {
		return q, err
	}
	all, order, err := s.db.ReportElements(ctx, &q.rec.Demand)
	if err != nil {
		return q, err
	}
	q.rule = c.Values()
	some := q.rule.Under(q.under)
	q.elems = map[*collect.Element]string{}
	for e, p := range all {
		if some(e) {
			q.elems[e] = p
		}
	}
	for _, e := range order {
		if _, ok := q.elems[e]; ok {
			q.order = append(q.order, e)
		}
	}
	return q, nil
}

// shown is what the caller reads of one unit's answer, in field order.
func (q answerQuery) shown(a store.Answer) []store.Value {
	may := q.rule.At(a.Unit.Code)
	var out []store.Value
	for _, e := range q.order {
		if v, ok := a.Values[e.Code]; ok && may(e) {
			out = append(out, v)
		}
	}
	return out
}

func (s *Server) apiAnswerTable(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	q, err := s.answerOf(r, c)
	if err != nil {
		return err
	}
	rec, under, elems := q.rec, q.under, q.elems
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=report-%d.csv", rec.ID))
		cw := csv.NewWriter(w)
		cw.Write([]string{"unit", "unit_name", "element", "period", "value", "demand", "person", "at", "source"})
		err := s.db.EachAnswer(ctx, rec, elems, under, func(a store.Answer) error {
			for _, v := range q.shown(a) {
				cw.Write(export.Cells(a.Unit.Code, a.Unit.Name, v.Element, v.Period, v.Value, strconv.FormatInt(v.DemandID, 10),
					strconv.FormatInt(v.PersonID, 10), v.At.UTC().Format(time.RFC3339), v.Source))
			}
			cw.Flush()
			return cw.Error()
		})
		cw.Flush()
		return err
	}
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return s.db.EachAnswer(ctx, rec, elems, under, func(a store.Answer) error {
		for _, v := range q.shown(a) {
			if err := enc.Encode(v); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	code, err := knownCode(t, "code", r.PathValue("code"))
	if err != nil {
		return err
	}
	rule := c.Values()
	if !rule.Reaches(code) {
		return c.Require(access.ReadInbox, code)
	}
	period := r.URL.Query().Get("period")
	if period == "" {
		return invalid("period", "error.required", "period")
	}
	d, err := s.db.Dictionary(r.Context())
	if err != nil {
		return err
	}
	e, ok := d.Elements[r.PathValue("element")]
	if !ok {
		return &Error{Code: CodeNotFound, Field: "element", Message: i18n.Both("error.dhis2_element", r.PathValue("element"))}
	}
	if !rule.May(e, code) {
		return &Error{Code: CodeForbidden, Field: "element", Message: i18n.Both("error.dhis2_unreadable", e.Code)}
	}
	h, err := s.db.History(r.Context(), code, e.Code, period)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}
