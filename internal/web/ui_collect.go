package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lighten/internal/access"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// collectUIRoutes are the pages of collect-once: the data dictionary, a
// report as a unit fills it in, and the issuer's completeness. Each handler
// checks what the API handler of the same thing checks.
func (s *Server) collectUIRoutes() []*route {
	return []*route{
		{Method: "GET", Pattern: "/elements", Action: access.ReadUnits, Summary: "The data dictionary", h: s.uiElements},
		{Method: "POST", Pattern: "/elements", Auth: signedIn, Action: access.IssueDemands, Summary: "Propose or add an element", h: s.uiSaveElement},
		{Method: "POST", Pattern: "/elements/{element}/decision", Auth: signedIn, Action: access.ReviewDemands, Summary: "Approve or reject a proposed element", h: s.uiDecideElement},
		{Method: "GET", Pattern: "/units/{code}/reports/{id}", Auth: signedIn, Action: access.ReadInbox, Summary: "A report as the unit fills it in", h: s.uiReportForm},
		{Method: "POST", Pattern: "/units/{code}/reports/{id}", Auth: signedIn, Action: access.ActInbox, Summary: "Submit the unit's values", h: s.uiSubmitReport},
		{Method: "POST", Pattern: "/units/{code}/reports/{id}/upload", Auth: signedIn, Action: access.ActInbox, Summary: "Submit the unit's filled-in workbook", h: s.uiUploadReport},
		{Method: "GET", Pattern: "/demands/{id}/completeness", Auth: signedIn, Action: access.ReadDemands, Summary: "A report's completeness under a unit", h: s.uiCompleteness},
	}
}

// Labels of the dictionary's words, written out for the catalogue test.
var (
	typeKeys = map[string]string{
		string(collect.Integer): "ui.collect.type.integer", string(collect.Decimal): "ui.collect.type.decimal",
		string(collect.Text): "ui.collect.type.text", string(collect.Choice): "ui.collect.type.choice",
		string(collect.Date): "ui.collect.type.date", string(collect.Bool): "ui.collect.type.bool", string(collect.Point): "ui.collect.type.point",
	}
	periodKeys = map[string]string{
		string(collect.Day): "ui.collect.period.day", string(collect.Week): "ui.collect.period.week", string(collect.Month): "ui.collect.period.month",
		string(collect.Quarter): "ui.collect.period.quarter", string(collect.Year): "ui.collect.period.year", string(collect.Once): "ui.collect.period.once",
	}
	elementStatusKeys = map[string]string{
		string(collect.Approved): "ui.collect.status.approved", string(collect.Proposed): "ui.collect.status.proposed",
		string(collect.Rejected): "ui.collect.status.rejected",
	}
)

func elementStatusClass(s collect.Status) string {
	switch s {
	case collect.Approved:
		return "ok"
	case collect.Proposed:
		return "review"
	}
	return "muted"
}

func elementName(c *Ctx, e *collect.Element) string {
	if c.Lang == i18n.EN && e.NameEN != "" {
		return e.NameEN
	}
	return e.Name
}

// The data dictionary.

type elementRow struct {
	Code        string
	Name        string
	Type        string
	Measure     string
	Period      string
	ValidDays   int
	Owner       string
	Status      string
	StatusClass string
	Proposed    bool
	Choices     string
	Range       string
	CanDecide   bool
	Typed       string
	Err         string
}

// elementForm is the form of a new element, as typed.
type elementForm struct {
	V       url.Values
	Errs    map[string]string
	Error   string
	Burden  bool // adds approved elements for an office it chooses
	Office  string
	Types   []option
	Periods []option
	Owners  []option
}

func (f elementForm) Get(name string) string { return f.V.Get(name) }
func (f elementForm) Err(name string) string { return f.Errs[name] }

type elementsView struct {
	Rows     []elementRow
	Statuses []option
	Proposed int
	Form     *elementForm
	Done     string
	Error    string
	XLSX     string
	CSV      string
}

// fmtBound writes an element's minimum or maximum.
func fmtBound(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func (s *Server) elementsView(ctx context.Context, c *Ctx, status string, form url.Values) (elementsView, error) {
	v := elementsView{XLSX: "/api/v1/elements.xlsx", CSV: "/api/v1/elements.csv"}
	d, err := s.db.Dictionary(ctx)
	if err != nil {
		return v, err
	}
	v.Statuses = append(v.Statuses, option{Code: "", Label: c.T("ui.collect.status.any"), Selected: status == ""})
	for _, st := range []collect.Status{collect.Approved, collect.Proposed, collect.Rejected} {
		v.Statuses = append(v.Statuses, option{Code: string(st), Label: label(c, elementStatusKeys, string(st)), Selected: status == string(st)})
	}
	offices := map[int64]units.Office{}
	office := func(id int64) (units.Office, error) {
		if o, ok := offices[id]; ok {
			return o, nil
		}
		o, err := s.db.Office(ctx, id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return o, err
		}
		offices[id] = o
		return o, nil
	}
	for _, e := range d.Sorted() {
		if e.Status == collect.Proposed {
			v.Proposed++
		}
		if status != "" && string(e.Status) != status {
			continue
		}
		o, err := office(e.Owner)
		if err != nil {
			return v, err
		}
		row := elementRow{Code: e.Code, Name: elementName(c, e), Type: label(c, typeKeys, string(e.Type)), Measure: e.Measure,
			Period: label(c, periodKeys, string(e.Period)), ValidDays: e.ValidDays, Owner: o.Name, Status: label(c, elementStatusKeys, string(e.Status)),
			StatusClass: elementStatusClass(e.Status), Proposed: e.Status == collect.Proposed, Choices: strings.Join(e.Choices, " / ")}
		if c.Lang == i18n.EN && o.NameEN != "" {
			row.Owner = o.NameEN
		}
		switch lo, hi := fmtBound(e.Min), fmtBound(e.Max); {
		case lo != "" && hi != "":
			row.Range = c.T("ui.collect.range", lo, hi)
		case lo != "":
			row.Range = c.T("ui.collect.min", lo)
		case hi != "":
			row.Range = c.T("ui.collect.max", hi)
		}
		row.CanDecide = row.Proposed && o.ID != 0 && c.P.Can(access.ReviewDemands, o.UnitCode)
		v.Rows = append(v.Rows, row)
	}
	f, err := s.elementFormOf(ctx, c, form)
	if err != nil {
		return v, err
	}
	v.Form = f
	return v, nil
}

// elementFormOf is the form for those who may add to the dictionary: the
// burden office adds approved elements, an office's staff propose them.
func (s *Server) elementFormOf(ctx context.Context, c *Ctx, typed url.Values) (*elementForm, error) {
	burden := c.P.CanSomewhere(access.ReviewDemands)
	if !burden && (c.Person.OfficeID == 0 || !c.P.CanSomewhere(access.IssueDemands)) {
		return nil, nil
	}
	if typed == nil {
		typed = url.Values{"type": {string(collect.Integer)}, "period": {string(collect.Year)}}
	}
	f := &elementForm{V: typed, Errs: map[string]string{}, Burden: burden}
	for _, t := range collect.Types {
		f.Types = append(f.Types, option{Code: string(t), Label: label(c, typeKeys, string(t)), Selected: typed.Get("type") == string(t)})
	}
	for _, p := range collect.PeriodTypes {
		f.Periods = append(f.Periods, option{Code: string(p), Label: label(c, periodKeys, string(p)), Selected: typed.Get("period") == string(p)})
	}
	if burden {
		os, _, err := s.db.ListOffices(ctx, store.ListQuery{Scopes: c.P.Scopes(access.ReviewDemands), Limit: 500})
		if err != nil {
			return nil, err
		}
		t, err := c.Tree(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			name := o.Name
			if c.Lang == i18n.EN && o.NameEN != "" {
				name = o.NameEN
			}
			f.Owners = append(f.Owners, option{Code: itoa64(o.ID), Label: c.T("ui.collect.owner_at", name, unitName(t, o.UnitCode)),
				Selected: typed.Get("owner") == itoa64(o.ID)})
		}
	} else {
		o, err := s.db.Office(ctx, c.Person.OfficeID)
		if err != nil {
			return nil, err
		}
		f.Office = o.Name
	}
	return f, nil
}

func (s *Server) uiElements(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := s.elementsView(r.Context(), c, r.URL.Query().Get("status"), nil)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "proposed":
		v.Done = c.T("ui.collect.done_proposed")
	case "added":
		v.Done = c.T("ui.collect.done_added")
	case "approved":
		v.Done = c.T("ui.collect.done_approved")
	case "rejected":
		v.Done = c.T("ui.collect.done_rejected")
	}
	return s.page(w, r, c, http.StatusOK, "elements", c.T("ui.collect.elements.title"), v)
}

// elementOf reads the element form; a number that does not read is an
// error next to its input.
func elementOf(c *Ctx, v url.Values, errs map[string]string) collect.Element {
	e := collect.Element{Code: strings.TrimSpace(v.Get("code")), Name: strings.TrimSpace(v.Get("name")), NameEN: strings.TrimSpace(v.Get("name_en")),
		Type: collect.Type(v.Get("type")), Measure: strings.TrimSpace(v.Get("measure")), Period: collect.PeriodType(v.Get("period"))}
	if x := strings.TrimSpace(v.Get("valid_days")); x != "" {
		n, err := strconv.Atoi(x)
		if err != nil {
			errs["valid_days"] = c.T("ui.gate.error.number", x)
		}
		e.ValidDays = n
	}
	for _, line := range strings.Split(v.Get("choices"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			e.Choices = append(e.Choices, line)
		}
	}
	bound := func(name string) *float64 {
		x := strings.TrimSpace(v.Get(name))
		if x == "" {
			return nil
		}
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			errs[name] = c.T("ui.collect.error.number", x)
			return nil
		}
		return &f
	}
	e.Min, e.Max = bound("min"), bound("max")
	return e
}

func (s *Server) uiSaveElement(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	if err := parseForm(w, r); err != nil {
		return err
	}
	errs := map[string]string{}
	e := elementOf(c, r.PostForm, errs)
	again := func(status int, msg string) error {
		v, err := s.elementsView(ctx, c, "", r.PostForm)
		if err != nil {
			return err
		}
		v.Form.Errs, v.Form.Error = errs, msg
		return s.page(w, r, c, status, "elements", c.T("ui.collect.elements.title"), v)
	}
	burden := c.P.CanSomewhere(access.ReviewDemands)
	switch {
	case burden:
		id, err := strconv.ParseInt(r.PostFormValue("owner"), 10, 64)
		if err != nil {
			errs["owner"] = c.T("ui.collect.error.owner")
			return again(http.StatusBadRequest, "")
		}
		o, err := s.db.Office(ctx, id)
		if err != nil {
			errs["owner"] = c.T("ui.collect.error.owner")
			return again(http.StatusBadRequest, "")
		}
		if err := c.Require(access.ReviewDemands, o.UnitCode); err != nil {
			return err
		}
		e.Owner, e.Status = id, collect.Approved
	case c.Person.OfficeID != 0 && c.P.CanSomewhere(access.IssueDemands):
		e.Owner, e.Status = c.Person.OfficeID, collect.Proposed
	default:
		return errorf(CodeForbidden, "error.not_issuer")
	}
	if len(errs) > 0 {
		return again(http.StatusBadRequest, "")
	}
	d, err := s.db.Dictionary(ctx)
	if err != nil {
		return err
	}
	if old, ok := d.Elements[e.Code]; ok && !burden && (old.Owner != c.Person.OfficeID || old.Status == collect.Approved) {
		errs["code"] = asError(&Error{Code: CodeConflict, Message: i18n.Both("error.conflict", e.Code)}).Message.In(c.Lang)
		return again(http.StatusConflict, "")
	}
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.SaveElement(ctx, &e) }); err != nil {
		ae := asError(collectError(err))
		if ae.Code != CodeInvalid {
			return err
		}
		if ae.Field != "" && ae.Field != "owner" {
			errs[ae.Field] = ae.Message.In(c.Lang)
			return again(http.StatusBadRequest, "")
		}
		return again(http.StatusBadRequest, ae.Message.In(c.Lang))
	}
	done := "proposed"
	if burden {
		done = "added"
	}
	http.Redirect(w, r, "/elements?done="+done+"#el-"+url.PathEscape(e.Code), http.StatusSeeOther)
	return nil
}

func (s *Server) uiDecideElement(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	d, err := s.db.Dictionary(ctx)
	if err != nil {
		return err
	}
	code := r.PathValue("element")
	e, ok := d.Elements[code]
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
	if err := parseForm(w, r); err != nil {
		return err
	}
	again := func(status int, msg string) error {
		v, err := s.elementsView(ctx, c, string(collect.Proposed), nil)
		if err != nil {
			return err
		}
		shown := false
		for i := range v.Rows {
			if v.Rows[i].Code == code {
				v.Rows[i].Err, v.Rows[i].Typed, shown = msg, r.PostFormValue("reason"), true
			}
		}
		if !shown {
			v.Error = msg
		}
		return s.page(w, r, c, status, "elements", c.T("ui.collect.elements.title"), v)
	}
	var approve bool
	switch r.PostFormValue("decision") {
	case "approve":
		approve = true
	case "reject":
	default:
		return again(http.StatusBadRequest, c.T("ui.collect.error.decision"))
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return again(http.StatusBadRequest, c.T("ui.gate.error.reason"))
	}
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.DecideElement(ctx, e, approve, reason) }); err != nil {
		ae := asError(gateError(err))
		if ae.Code == CodeInternal || ae.Code == CodeUnavailable {
			return err
		}
		return again(ae.Status(), ae.Message.In(c.Lang))
	}
	done := "rejected"
	if approve {
		done = "approved"
	}
	http.Redirect(w, r, "/elements?done="+done+"#el-"+url.PathEscape(code), http.StatusSeeOther)
	return nil
}

// A report on a phone.

type reportFieldView struct {
	Name       string // the report's own name of the field
	Code       string // the element's code; empty when it is not in the dictionary
	Element    string
	Measure    string
	Period     string
	Input      string // number, date, select, bool, textarea, text
	Step       string
	Min, Max   string
	Mode       string // inputmode
	Choices    []option
	Known      bool
	KnownValue string
	Provenance string
	Value      string // as typed
	Err        string
}

type reportPage struct {
	Code       string
	UnitName   string
	Place      string
	ID         int64
	Title      string
	Office     string
	Due        string
	Body       string
	Fields     []reportFieldView
	Asked      int
	Known      int
	Minutes    int
	Answered   bool
	CanSubmit  bool
	CanUpload  bool
	Key        string
	Error      string
	Done       string
	FormXLSX   string
	Upload     string
	UploadErrs []string
	Inbox      string
}

// clientKey makes the key that keeps a form's double tap from storing twice.
func clientKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "form-" + hex.EncodeToString(b)
}

// inputOf chooses the HTML input for an element.
func inputOf(c *Ctx, f *reportFieldView, e *collect.Element) {
	f.Min, f.Max = fmtBound(e.Min), fmtBound(e.Max)
	switch e.Type {
	case collect.Integer:
		f.Input, f.Step, f.Mode = "number", "1", "numeric"
	case collect.Decimal:
		f.Input, f.Step, f.Mode = "number", "any", "decimal"
	case collect.Date:
		f.Input = "date"
	case collect.Choice:
		f.Input = "select"
		for _, ch := range e.Choices {
			f.Choices = append(f.Choices, option{Code: ch, Label: ch, Selected: f.Value == ch})
		}
	case collect.Bool:
		f.Input = "bool"
	case collect.Text:
		f.Input = "textarea"
	default:
		f.Input = "text"
	}
}

// shownValue writes a known value for reading.
func shownValue(c *Ctx, e *collect.Element, v string) string {
	if e.Type == collect.Bool {
		if v == "true" {
			return c.T("ui.collect.yes")
		}
		return c.T("ui.collect.no")
	}
	return v
}

func (s *Server) reportPageOf(ctx context.Context, c *Ctx, u units.Unit, rec *store.DemandRecord, typed url.Values) (reportPage, error) {
	t, err := c.Tree(ctx)
	if err != nil {
		return reportPage{}, err
	}
	form, _, _, err := s.reportForm(ctx, u, rec, c.Values().At(u.Code))
	if err != nil {
		return reportPage{}, err
	}
	top, _, err := s.db.Completeness(ctx, rec, u.Code, false)
	if err != nil {
		return reportPage{}, err
	}
	base := fmt.Sprintf("/units/%s/reports/%d", u.Code, rec.ID)
	v := reportPage{Code: u.Code, UnitName: u.Name, Place: place(t, c, u.Code), ID: rec.ID, Title: rec.Title, Office: rec.OfficeName,
		Due: chinaTime(rec.When()), Body: rec.Body, Asked: form.Asked, Known: form.Known, Minutes: form.Minutes, Answered: top.Submitted > 0,
		Key: typed.Get("key"), FormXLSX: "/api/v1" + base + "/form.xlsx", Upload: base + "/upload", Inbox: "/units/" + u.Code + "/inbox"}
	if v.Key == "" {
		v.Key = clientKey()
	}
	for _, ff := range form.Fields {
		f := reportFieldView{Name: ff.Name, Period: ff.Period}
		if e := ff.Element; e != nil {
			f.Code, f.Element, f.Measure = e.Code, elementName(c, e), e.Measure
			if k := ff.Known; k != nil {
				f.Known, f.KnownValue = true, shownValue(c, e, k.Value)
				if k.DemandID != 0 {
					f.Provenance = c.T("ui.collect.known_report", k.DemandID, chinaDay(k.At))
				} else {
					f.Provenance = c.T("ui.collect.known_source", k.Source, chinaDay(k.At))
				}
			} else {
				f.Value = typed.Get("v." + e.Code)
				inputOf(c, &f, e)
				v.CanSubmit = true
			}
		}
		v.Fields = append(v.Fields, f)
	}
	v.CanUpload = c.P.Can(access.ActInbox, u.Code)
	v.CanSubmit = v.CanSubmit && v.CanUpload
	return v, nil
}

func (s *Server) uiReportForm(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	u, rec, err := s.inboxReport(r.Context(), c, r.PathValue("code"), id, access.ReadInbox)
	if err != nil {
		return err
	}
	v, err := s.reportPageOf(r.Context(), c, u, rec, url.Values{})
	if err != nil {
		return err
	}
	if r.URL.Query().Get("error") == "file" {
		v.UploadErrs = []string{c.T("ui.collect.no_file")}
	}
	return s.page(w, r, c, http.StatusOK, "report_form", rec.Title, v)
}

// fieldMessage says what is wrong with a value in the page's language: the
// form is for one unit, so the unit the check names is left out.
func fieldMessage(c *Ctx, e FieldError) string {
	if e.problem != nil && e.problem.Required() {
		return c.T("ui.collect.required")
	}
	return c.T("ui.collect.not_accepted", e.what().In(c.Lang))
}

// sentTo is where a stored submission goes: the inbox, where the item now
// shows done.
func sentTo(w http.ResponseWriter, r *http.Request, code string, id int64) {
	http.Redirect(w, r, fmt.Sprintf("/units/%s/inbox?sent=%d#d%d", code, id, id), http.StatusSeeOther)
}

// storeSubmission keeps a checked submission once per key; a second tap that races
// the first finds its key taken and is the same submission.
func (s *Server) storeSubmission(ctx context.Context, c *Ctx, rec *store.DemandRecord, code, key string, vals []store.Value) error {
	err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		_, _, err := tx.Submit(ctx, rec, code, key, vals)
		return err
	})
	if errors.Is(err, store.ErrConflict) && key != "" {
		return nil
	}
	return err
}

func (s *Server) uiSubmitReport(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		return err
	}
	u, rec, err := s.inboxReport(ctx, c, r.PathValue("code"), id, access.ActInbox)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	sub := collect.Submission{Unit: u.Code, Values: map[string]string{}, Key: strings.TrimSpace(r.PostFormValue("key"))}
	for name, vals := range r.PostForm {
		// An input left empty is not an answer: the check says it is
		// required, unless the value is already known.
		if code, ok := strings.CutPrefix(name, "v."); ok && len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
			sub.Values[code] = vals[0]
		}
	}
	vals, fe, err := s.checkSubmission(ctx, u, rec, sub)
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		v, err := s.reportPageOf(ctx, c, u, rec, r.PostForm)
		if err != nil {
			return err
		}
		byElement := map[string]string{}
		for _, e := range fe {
			if _, dup := byElement[e.Element]; !dup {
				byElement[e.Element] = fieldMessage(c, e)
			}
		}
		for i := range v.Fields {
			if msg, ok := byElement[v.Fields[i].Code]; ok && v.Fields[i].Code != "" {
				v.Fields[i].Err = msg
				delete(byElement, v.Fields[i].Code)
			}
		}
		v.Error = c.T("ui.collect.fix_below", len(fe))
		for _, msg := range byElement {
			// A value the form does not ask for: said above the form.
			v.Error += " " + msg
		}
		return s.page(w, r, c, http.StatusBadRequest, "report_form", rec.Title, v)
	}
	if err := s.storeSubmission(ctx, c, rec, u.Code, sub.Key, vals); err != nil {
		return err
	}
	sentTo(w, r, u.Code, id)
	return nil
}

func (s *Server) uiUploadReport(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		return err
	}
	u, rec, err := s.inboxReport(ctx, c, r.PathValue("code"), id, access.ActInbox)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, collect.MaxFile+maxForm)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errorf(CodeTooLarge, "error.too_large", collect.MaxFile)
		}
		return errorf(CodeInvalid, "ui.form.bad")
	}
	if err := checkForm(r); err != nil {
		return err
	}
	var data []byte
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 && fhs[0].Size > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				return err
			}
			data, err = io.ReadAll(f)
			f.Close()
			if err != nil {
				return err
			}
		}
	}
	if data == nil {
		// Nothing chosen to upload: back to the form, which says so.
		http.Redirect(w, r, fmt.Sprintf("/units/%s/reports/%d?error=file#upload", u.Code, id), http.StatusSeeOther)
		return nil
	}
	faults := func(fs collect.Faults) error {
		v, err := s.reportPageOf(ctx, c, u, rec, url.Values{})
		if err != nil {
			return err
		}
		for _, f := range fs {
			msg := f.Message.In(c.Lang)
			if f.Row > 0 {
				msg = c.T("ui.collect.fault_at", f.Row, f.Column, msg)
			}
			v.UploadErrs = append(v.UploadErrs, msg)
		}
		return s.page(w, r, c, http.StatusBadRequest, "report_form", rec.Title, v)
	}
	sh, err := s.reportSheetFor(ctx, u, rec, c.Values().At(u.Code))
	if err != nil {
		return err
	}
	filled, err := collect.ReadReportXLSXContext(ctx, bytes.NewReader(data), sh)
	if err != nil {
		var fs collect.Faults
		if errors.As(err, &fs) {
			return faults(fs)
		}
		return err
	}
	sub := collect.Submission{Unit: u.Code, Values: filled.Values, Key: filled.Key()}
	vals, fe, err := s.checkSubmission(ctx, u, rec, sub)
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		// The same checks as the form, told by the workbook's row.
		fs := make(collect.Faults, 0, len(fe))
		for _, e := range fe {
			fs = append(fs, collect.Fault{Row: filled.Rows[e.Element], Column: "E", Message: i18n.Both("collect.fault.value", e.Element, e.what())})
		}
		return faults(fs)
	}
	if err := s.storeSubmission(ctx, c, rec, u.Code, sub.Key, vals); err != nil {
		return err
	}
	sentTo(w, r, u.Code, id)
	return nil
}

// Completeness, for the issuer.

type completenessRow struct {
	Code      string
	Name      string
	Expected  int
	Submitted int
	OnTime    int
	Percent   int
	Link      string
	Target    bool // the line is one target unit
}

type completenessView struct {
	ID         int64
	Title      string
	Under      string
	UnderName  string
	Crumbs     []placeView
	Total      completenessRow
	Rows       []completenessRow
	Late       int
	AnswerCSV  string
	AnswerXLSX string
	CompCSV    string
	CompXLSX   string
	Demand     string
}

// IsReport reports whether a demand page is a report's, which has a
// completeness page. The page carries the kind as its label.
func (v demandPage) IsReport() bool {
	return v.Kind == i18n.T(i18n.ZH, kindKeys[gate.Report]) || v.Kind == i18n.T(i18n.EN, kindKeys[gate.Report])
}

// reportRoot is where a report's completeness starts: the unit its
// targets are under, or the issuing unit for a list of targets.
func reportRoot(rec *store.DemandRecord) string {
	if rec.Targets.Spec() {
		return rec.Targets.Under
	}
	return rec.IssuerUnit
}

func (s *Server) uiCompleteness(w http.ResponseWriter, r *http.Request, c *Ctx) error {
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
	root := reportRoot(rec)
	if !r.URL.Query().Has("under") {
		under = root
	}
	top, kids, err := s.db.Completeness(ctx, rec, under, true)
	if err != nil {
		return err
	}
	percent := func(x store.Completeness) int { return int(x.Percent + 0.5) }
	base := fmt.Sprintf("/demands/%d/completeness?under=", rec.ID)
	v := completenessView{ID: rec.ID, Title: rec.Title, Under: under, UnderName: place(t, c, under), Demand: fmt.Sprintf("/demands/%d", rec.ID),
		Total: completenessRow{Code: under, Name: place(t, c, under), Expected: top.Expected, Submitted: top.Submitted, OnTime: top.OnTime, Percent: percent(top)}}
	v.Late = top.Submitted - top.OnTime
	// Crumbs from the report's root down to the unit shown, to go back up.
	for _, p := range t.Path(under) {
		if p.Code != under && units.Contains(root, p.Code) {
			v.Crumbs = append(v.Crumbs, placeView{Code: p.Code, Name: p.Name})
		}
	}
	targets := map[string]bool{}
	for _, code := range rec.Targets.Units {
		targets[code] = true
	}
	for _, k := range kids {
		if k.Expected == 0 {
			continue
		}
		row := completenessRow{Code: k.Unit, Name: k.Name, Expected: k.Expected, Submitted: k.Submitted, OnTime: k.OnTime, Percent: percent(k)}
		if rec.Targets.Spec() {
			l, _ := units.LevelOfCode(k.Unit)
			row.Target = l == rec.Targets.Level
		} else {
			row.Target = targets[k.Unit] && k.Expected == 1
		}
		if !row.Target {
			row.Link = base + url.QueryEscape(k.Unit)
		}
		v.Rows = append(v.Rows, row)
	}
	q := url.Values{}
	if under != "" {
		q.Set("under", under)
	}
	enc := q.Encode()
	with := func(path string, extra string) string {
		switch {
		case enc == "" && extra == "":
			return path
		case enc == "":
			return path + "?" + extra
		case extra == "":
			return path + "?" + enc
		}
		return path + "?" + extra + "&" + enc
	}
	api := fmt.Sprintf("/api/v1/reports/%d", rec.ID)
	v.AnswerCSV = with(api+"/answer", "format=csv")
	v.AnswerXLSX = with(api+"/answer.xlsx", "")
	v.CompCSV = with(api+"/completeness.csv", "")
	v.CompXLSX = with(api+"/completeness.xlsx", "")
	return s.page(w, r, c, http.StatusOK, "completeness", c.T("ui.collect.completeness.title", rec.Title), v)
}
