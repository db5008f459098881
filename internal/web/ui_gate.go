package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// gateUIRoutes are the gate's pages: demands, review, inboxes, policies and
// their spreadsheets. Each handler checks what the API handler of the same
// thing checks.
func (s *Server) gateUIRoutes() []*route {
	return []*route{
		{Method: "GET", Pattern: "/demands", Auth: signedIn, Action: access.ReadDemands, Summary: "Demands issued within my scope", h: s.uiDemands},
		{Method: "GET", Pattern: "/demands/new", Auth: signedIn, Action: access.IssueDemands, Summary: "The form for a new demand", h: s.uiNewDemand},
		{Method: "GET", Pattern: "/demands/units", Action: access.ReadUnits, Summary: "Units to choose as targets (htmx fragment)", h: s.uiPickUnits},
		{Method: "POST", Pattern: "/demands", Auth: signedIn, Action: access.IssueDemands, Summary: "Save a new draft", h: s.uiCreateDemand},
		{Method: "POST", Pattern: "/demands/check", Auth: signedIn, Action: access.IssueDemands, Summary: "Dry run of the demand form", h: s.uiCheckDemand},
		{Method: "GET", Pattern: "/demands/{id}", Auth: signedIn, Action: access.ReadDemands, Summary: "One demand with its verdict", h: s.uiDemand},
		{Method: "GET", Pattern: "/demands/{id}/edit", Auth: signedIn, Action: access.IssueDemands, Summary: "Change a draft or a refused demand", h: s.uiEditDemand},
		{Method: "POST", Pattern: "/demands/{id}", Auth: signedIn, Action: access.IssueDemands, Summary: "Save a changed draft", h: s.uiUpdateDemand},
		{Method: "POST", Pattern: "/demands/{id}/submit", Auth: signedIn, Action: access.IssueDemands, Summary: "Submit a draft to the gate", h: s.uiSubmitDemand},
		{Method: "POST", Pattern: "/demands/{id}/withdraw", Auth: signedIn, Action: access.IssueDemands, Summary: "Withdraw a demand", h: s.uiMoveDemand(gate.Withdrawn)},
		{Method: "POST", Pattern: "/demands/{id}/close", Auth: signedIn, Action: access.IssueDemands, Summary: "Close a demand", h: s.uiMoveDemand(gate.Closed)},
		{Method: "POST", Pattern: "/demands/{id}/decision", Auth: signedIn, Action: access.ReviewDemands, Summary: "Admit or refuse a demand in review", h: s.uiDecide},
		{Method: "GET", Pattern: "/review", Auth: signedIn, Action: access.ReviewDemands, Summary: "The review queue", h: s.uiReview},
		{Method: "GET", Pattern: "/review.xlsx", Auth: signedIn, Action: access.ReviewDemands, Summary: "The review queue as a spreadsheet", h: s.uiReviewXLSX},
		{Method: "GET", Pattern: "/review/stats", Auth: signedIn, Action: access.ReadDemands, Summary: "Findings by rule and by office", h: s.uiStats},
		{Method: "GET", Pattern: "/units/{code}/inbox", Auth: signedIn, Action: access.ReadInbox, Summary: "A unit's inbox", h: s.uiInbox},
		{Method: "GET", Pattern: "/units/{code}/inbox.xlsx", Auth: signedIn, Action: access.ReadInbox, Summary: "A unit's inbox as a spreadsheet", h: s.uiInboxXLSX},
		{Method: "POST", Pattern: "/units/{code}/inbox/{id}/done", Auth: signedIn, Action: access.ActInbox, Summary: "Mark an inbox item done", h: s.uiDone},
		{Method: "POST", Pattern: "/units/{code}/inbox/{id}/undo", Auth: signedIn, Action: access.ActInbox, Summary: "Take back \"done\" on an inbox item", h: s.uiUndoDone},
		{Method: "GET", Pattern: "/units/{code}/digest", Auth: signedIn, Action: access.ReadInbox, Summary: "A unit's printable weekly digest", h: s.uiDigest},
		{Method: "GET", Pattern: "/policy/{code}", Action: access.ReadUnits, Summary: "The burden-reduction rules in force at a unit", h: s.uiPolicy},
		{Method: "POST", Pattern: "/policy/{code}", Auth: signedIn, Action: access.EditPolicy, Summary: "Save a new version of a policy", h: s.uiSavePolicy},
	}
}

// Labels of the gate's words. The keys are written out, not built, so that
// the catalogue test sees every one.
var (
	statusKeys = map[gate.Status]string{
		gate.Draft: "ui.gate.status.draft", gate.Submitted: "ui.gate.status.submitted", gate.Refused: "ui.gate.status.refused",
		gate.InReview: "ui.gate.status.review", gate.Admitted: "ui.gate.status.admitted", gate.Active: "ui.gate.status.active",
		gate.Closed: "ui.gate.status.closed", gate.Withdrawn: "ui.gate.status.withdrawn",
	}
	kindKeys = map[gate.Kind]string{
		gate.Report: "ui.gate.kind.report", gate.Meeting: "ui.gate.kind.meeting", gate.Visit: "ui.gate.kind.visit",
		gate.Document: "ui.gate.kind.document", gate.Task: "ui.gate.kind.task", gate.Group: "ui.gate.kind.group",
		gate.Pledge: "ui.gate.kind.pledge", gate.App: "ui.gate.kind.app",
	}
	severityKeys = map[gate.Severity]string{
		gate.Block: "ui.gate.severity.block", gate.Review: "ui.gate.severity.review", gate.Note: "ui.gate.severity.note",
	}
	verdictKeys = map[gate.Status]string{
		gate.Admitted: "ui.gate.verdict.admitted", gate.InReview: "ui.gate.verdict.review", gate.Refused: "ui.gate.verdict.refused",
	}
	formatKeys = map[string]string{
		"onsite": "ui.gate.meeting.onsite", "video": "ui.gate.meeting.video", "discussion": "ui.gate.meeting.discussion",
	}
	// Notices after a form, by the done= parameter of the redirect.
	demandDoneKeys = map[string]string{
		"saved": "ui.gate.done.saved", "submitted": "ui.gate.done.submitted", "withdrawn": "ui.gate.done.withdrawn",
		"closed": "ui.gate.done.closed", "admitted": "ui.gate.done.admitted", "refused": "ui.gate.done.refused",
	}
)

// statuses lists the statuses in the order of a demand's life.
var statuses = []gate.Status{gate.Draft, gate.Submitted, gate.InReview, gate.Refused, gate.Admitted, gate.Active, gate.Closed, gate.Withdrawn}

func label(c *Ctx, keys map[string]string, v string) string {
	if k, ok := keys[v]; ok {
		return c.T(k)
	}
	return v
}

func statusLabel(c *Ctx, s gate.Status) string {
	if k, ok := statusKeys[s]; ok {
		return c.T(k)
	}
	return string(s)
}

func kindLabel(c *Ctx, k gate.Kind) string {
	if key, ok := kindKeys[k]; ok {
		return c.T(key)
	}
	return string(k)
}

// statusClass is the tag style of a status: what it means for the issuer.
func statusClass(s gate.Status) string {
	switch s {
	case gate.Refused:
		return "warn"
	case gate.InReview, gate.Submitted:
		return "review"
	case gate.Admitted, gate.Active:
		return "ok"
	}
	return "muted"
}

// Times are shown as they are in China, whatever the server's zone.
func chinaDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(gate.China).Format("2006-01-02")
}

func chinaTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(gate.China).Format("2006-01-02 15:04")
}

// The demands list.

type demandRow struct {
	ID          int64
	Title       string
	Status      string
	StatusClass string
	Kind        string
	Office      string
	Day         string
	Targets     int
	PerUnit     int
	Checked     bool // the gate has estimated its burden
	Emergency   bool
}

func demandRowOf(c *Ctx, rec *store.DemandRecord) demandRow {
	return demandRow{ID: rec.ID, Title: rec.Title, Status: statusLabel(c, rec.Status), StatusClass: statusClass(rec.Status),
		Kind: kindLabel(c, rec.Kind), Office: rec.OfficeName, Day: chinaDay(rec.When()), Targets: rec.TargetN, PerUnit: rec.PerUnit,
		Checked: !rec.Submitted.IsZero(), Emergency: rec.Emergency}
}

type demandsView struct {
	Statuses []option
	Kinds    []option
	Rows     []demandRow
	Pager    pager
	CanIssue bool
	CanStats bool
}

func kindOptions(c *Ctx, chosen string, any bool) []option {
	var out []option
	if any {
		out = append(out, option{Code: "", Label: c.T("ui.gate.filter.any_kind"), Selected: chosen == ""})
	}
	for _, k := range gate.Kinds {
		out = append(out, option{Code: string(k), Label: kindLabel(c, k), Selected: string(k) == chosen})
	}
	return out
}

func (s *Server) uiDemands(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := store.DemandQuery{Scopes: c.P.Scopes(access.ReadDemands), Limit: uiListPage}
	if len(q.Scopes) == 0 {
		return c.Require(access.ReadDemands, c.Person.UnitCode)
	}
	st, kind := r.URL.Query().Get("status"), r.URL.Query().Get("kind")
	if st != "" {
		q.Status = []gate.Status{gate.Status(st)}
	}
	if kind != "" {
		q.Kind = gate.Kind(kind)
	}
	var err error
	if q.Offset, err = intParam(r, "offset", 0, 0); err != nil {
		return err
	}
	list, total, err := s.db.ListDemands(r.Context(), q)
	if err != nil {
		return err
	}
	v := demandsView{Kinds: kindOptions(c, kind, true), CanIssue: c.P.CanSomewhere(access.IssueDemands) && c.Person.OfficeID != 0,
		CanStats: true}
	v.Statuses = append(v.Statuses, option{Code: "", Label: c.T("ui.gate.filter.any_status"), Selected: st == ""})
	for _, x := range statuses {
		v.Statuses = append(v.Statuses, option{Code: string(x), Label: statusLabel(c, x), Selected: string(x) == st})
	}
	for _, rec := range list {
		v.Rows = append(v.Rows, demandRowOf(c, rec))
	}
	v.Pager = pagerOf(r, q.Offset, q.Limit, len(list), total)
	return s.page(w, r, c, http.StatusOK, "demands", c.T("ui.gate.demands.title"), v)
}

// The demand form.

// maxDemandForm bounds the demand form: a document's body and a long list
// of target units are larger than the other forms.
const maxDemandForm = 4 << 20

func parseDemandForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxDemandForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errorf(CodeTooLarge, "error.too_large", maxDemandForm)
		}
		return errorf(CodeInvalid, "ui.form.bad")
	}
	return checkValues(r.PostForm)
}

// inputView is one input of a form built from a list.
type inputView struct {
	Name  string
	Label string
	Value string
	On    bool
	Err   string
}

// formView is the demand form as the person typed it: a form that comes
// back with an error keeps everything they wrote.
type formView struct {
	V        url.Values
	Errs     map[string]string
	Error    string // an error that names no field of the form
	ID       int64  // the demand being changed; 0 for a new one
	Save     string // where "save draft" posts
	Office   string
	Kinds    []option
	Levels   []option
	Formats  []option
	Builders []option
	Numbers  []inputView
	Flags    []inputView
	Under    *resultView // the unit chosen for "every unit of a level under"
	Picks    resultsView // units found by the picker, without JavaScript
	Check    *checkView
}

// Get is what the person typed into a field.
func (f formView) Get(name string) string { return f.V.Get(name) }

// On reports whether a checkbox or radio choice is ticked.
func (f formView) On(name string) bool { return f.V.Get(name) != "" }

// Is reports whether a field holds a value.
func (f formView) Is(name, value string) bool { return f.V.Get(name) == value }

// Err is the error shown next to a field.
func (f formView) Err(name string) string { return f.Errs[name] }

// The asks a form lists as numbers and as ticks, with their labels.
var (
	askNumbers = []struct{ name, key string }{
		{"attendees", "ui.gate.asks.attendees"}, {"materials", "ui.gate.asks.materials"},
		{"staff_second", "ui.gate.asks.staff_second"}, {"second_days", "ui.gate.asks.second_days"},
		{"other_minutes", "ui.gate.asks.other_minutes"},
	}
	askFlags = []struct{ name, key string }{
		{"photos", "ui.gate.asks.photos"}, {"videos", "ui.gate.asks.videos"}, {"screenshots", "ui.gate.asks.screenshots"},
		{"study_notes", "ui.gate.asks.study_notes"}, {"counts", "ui.gate.asks.counts"},
		{"signature", "ui.gate.asks.signature"}, {"empty_form", "ui.gate.asks.empty_form"},
		{"check_in", "ui.gate.asks.check_in"}, {"ranking", "ui.gate.asks.ranking"}, {"download", "ui.gate.asks.download"},
		{"report_back", "ui.gate.asks.report_back"}, {"support_docs", "ui.gate.asks.support_docs"},
		{"forms", "ui.gate.asks.forms"}, {"security_use", "ui.gate.asks.security_use"},
	}
)

func (s *Server) formView(ctx context.Context, c *Ctx, office units.Office, v url.Values, errs map[string]string) (formView, error) {
	if errs == nil {
		errs = map[string]string{}
	}
	f := formView{V: v, Errs: errs, Save: "/demands", Office: office.Name}
	if c.Lang == i18n.EN && office.NameEN != "" {
		f.Office = office.NameEN
	}
	f.Kinds = kindOptions(c, v.Get("kind"), false)
	for l := units.Province; l <= units.Village; l++ {
		f.Levels = append(f.Levels, option{Code: l.String(), Label: c.T(keyOfLevel(l)), Selected: v.Get("level") == l.String()})
	}
	for _, m := range []string{"onsite", "video", "discussion"} {
		f.Formats = append(f.Formats, option{Code: m, Label: label(c, formatKeys, m), Selected: v.Get("meeting_format") == m})
	}
	f.Builders = append(f.Builders, option{Code: "", Label: c.T("ui.gate.app.built_by_issuer"), Selected: v.Get("app_built_by") == ""})
	for l := units.Province; l <= units.Village; l++ {
		f.Builders = append(f.Builders, option{Code: l.String(), Label: c.T(keyOfLevel(l)), Selected: v.Get("app_built_by") == l.String()})
	}
	for _, n := range askNumbers {
		f.Numbers = append(f.Numbers, inputView{Name: n.name, Label: c.T(n.key), Value: v.Get(n.name), Err: errs[n.name]})
	}
	for _, n := range askFlags {
		f.Flags = append(f.Flags, inputView{Name: n.name, Label: c.T(n.key), On: v.Get(n.name) != ""})
	}
	if code := v.Get("under"); code != "" {
		t, err := c.Tree(ctx)
		if err != nil {
			return f, err
		}
		if u, ok := t.Get(code); ok {
			f.Under = &resultView{nodeView: nodeOf(t, u), Above: placeOf(t, u.Parent, "")}
		}
	}
	return f, nil
}

// newDemandValues are a new form's choices: every village under the
// office's own unit, the most common demand there is.
func newDemandValues(office units.Office) url.Values {
	v := url.Values{"kind": {string(gate.Report)}, "targets": {"spec"}, "level": {units.Village.String()}, "meeting_format": {"video"}}
	if l, ok := units.LevelOfCode(office.UnitCode); ok && l < units.Village {
		v.Set("under", office.UnitCode)
	}
	return v
}

// showForm renders the form: the whole page, or for htmx the form alone,
// which replaces the one on the page.
func (s *Server) showForm(w http.ResponseWriter, r *http.Request, c *Ctx, status int, f formView) error {
	if r.Header.Get("HX-Request") != "" {
		// htmx swaps only successful answers; the form carries the errors.
		return s.fragment(w, c, "demandform", f)
	}
	title := c.T("ui.gate.form.new")
	if f.ID != 0 {
		title = c.T("ui.gate.form.edit", f.ID)
	}
	return s.page(w, r, c, status, "demand_form", title, f)
}

func (s *Server) uiNewDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	office, err := s.issuerOffice(r.Context(), c)
	if err != nil {
		return err
	}
	f, err := s.formView(r.Context(), c, office, newDemandValues(office), nil)
	if err != nil {
		return err
	}
	return s.showForm(w, r, c, http.StatusOK, f)
}

// formFields maps the gate's field names to the form's inputs.
func formField(field string) string {
	base, _, _ := strings.Cut(field, "[")
	switch {
	case base == "targets.units":
		return "units"
	case base == "targets.under":
		return "under"
	case base == "targets.level":
		return "level"
	case strings.HasPrefix(base, "targets"):
		return "targets"
	case strings.HasPrefix(base, "asks.fields"):
		return "fields"
	case strings.HasPrefix(base, "asks."):
		return strings.TrimPrefix(base, "asks.")
	case strings.HasPrefix(base, "meeting."):
		return "meeting_" + strings.TrimPrefix(base, "meeting.")
	case strings.HasPrefix(base, "means."):
		return "means_" + strings.TrimPrefix(base, "means.")
	case strings.HasPrefix(base, "pledge"):
		return "pledge_item"
	}
	return base
}

// formInputs are the form's inputs next to which an error can be shown;
// an error naming anything else is shown above the form.
var formInputs = map[string]bool{
	"kind": true, "title": true, "body": true, "matter": true, "targets": true, "units": true, "level": true, "under": true,
	"due": true, "start": true, "end": true, "fields": true, "asks": true, "emergency_reason": true, "meeting": true,
	"meeting_format": true, "meeting_minutes": true, "meeting_speech": true, "meeting_needed": true, "visit_scoring": true,
	"data_date": true, "group_expires": true, "group_members": true, "app_office_apps": true, "lead_office": true, "means_people": true,
	"means_funds": true, "means_authority": true, "pledge_item": true,
	"attendees": true, "materials": true, "staff_second": true, "second_days": true, "other_minutes": true,
}

// formError places an error of the person's own making next to the input it
// names; other errors (a fault of lighten's) are returned as they are.
func formError(c *Ctx, err error, errs map[string]string) (string, int, error) {
	var e *Error
	if !errors.As(gateError(err), &e) || e.Code == CodeInternal || e.Code == CodeUnavailable {
		return "", 0, err
	}
	msg := e.Message.In(c.Lang)
	field := formField(e.Field)
	if e.Code == CodeForbidden {
		field = "targets" // the only thing of the form that reaches beyond the issuer's scope
	}
	if formInputs[field] {
		errs[field] = msg
		return "", e.Status(), nil
	}
	return msg, e.Status(), nil
}

// readDemandForm reads the demand form and checks it as the API's readInput
// checks a body: input errors come before anything is saved or run.
func (s *Server) readDemandForm(ctx context.Context, c *Ctx, office units.Office, v url.Values) (*gate.Demand, error) {
	d, err := demandOf(v, office)
	if err != nil {
		return nil, err
	}
	// An empty "under" is the whole country: for most issuers, a unit
	// they forgot to choose rather than a reach they lack.
	if d.Targets.Spec() && d.Targets.Under == "" && !c.P.Can(access.IssueDemands, "") {
		return nil, invalid("under", "ui.gate.error.under")
	}
	if err := requireTargets(c, d.Targets); err != nil {
		return nil, err
	}
	if err := gate.Validate(d, s.db.Now()); err != nil {
		return nil, gateError(err)
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := gate.Resolve(t, d.Targets); err != nil {
		return nil, gateError(err)
	}
	return d, nil
}

// formAgain shows the form with an error, or returns the error when it is
// not the person's to fix.
func (s *Server) formAgain(w http.ResponseWriter, r *http.Request, c *Ctx, office units.Office, id int64, err error) error {
	errs := map[string]string{}
	general, status, err := formError(c, err, errs)
	if err != nil {
		return err
	}
	f, err := s.formView(r.Context(), c, office, r.PostForm, errs)
	if err != nil {
		return err
	}
	f.Error = general
	if len(errs) > 0 && general == "" {
		f.Error = c.T("ui.gate.form.fix_below")
	}
	if id != 0 {
		f.ID, f.Save = id, fmt.Sprintf("/demands/%d", id)
	}
	return s.showForm(w, r, c, status, f)
}

func (s *Server) uiCheckDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	office, err := s.issuerOffice(ctx, c)
	if err != nil {
		return err
	}
	if err := parseDemandForm(w, r); err != nil {
		return err
	}
	var id int64
	if v := r.PostFormValue("id"); v != "" {
		// The form of a saved draft: "save" goes back to it.
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return invalid("id", "error.bad_number", "id", v)
		}
		if _, err := s.ownDemand(ctx, c, n); err != nil {
			return err
		}
		id = n
	}
	if r.PostFormValue("op") == "find" {
		f, err := s.formView(ctx, c, office, r.PostForm, nil)
		if err != nil {
			return err
		}
		t, err := c.Tree(ctx)
		if err != nil {
			return err
		}
		f.Picks = searchTree(t, r.PostFormValue("under_q"), pickScope(c))
		if id != 0 {
			f.ID, f.Save = id, fmt.Sprintf("/demands/%d", id)
		}
		return s.showForm(w, r, c, http.StatusOK, f)
	}
	d, err := s.readDemandForm(ctx, c, office, r.PostForm)
	if err != nil {
		return s.formAgain(w, r, c, office, id, err)
	}
	res, err := s.db.CheckDemand(ctx, d)
	if err != nil {
		return s.formAgain(w, r, c, office, id, err)
	}
	f, err := s.formView(ctx, c, office, r.PostForm, nil)
	if err != nil {
		return err
	}
	if id != 0 {
		f.ID, f.Save = id, fmt.Sprintf("/demands/%d", id)
	}
	f.Check = checkViewOf(c, res.Verdict, res.Findings, &res.Burden, res.Targets)
	return s.showForm(w, r, c, http.StatusOK, f)
}

func (s *Server) uiCreateDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	office, err := s.issuerOffice(ctx, c)
	if err != nil {
		return err
	}
	if err := parseDemandForm(w, r); err != nil {
		return err
	}
	d, err := s.readDemandForm(ctx, c, office, r.PostForm)
	if err != nil {
		return s.formAgain(w, r, c, office, 0, err)
	}
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.CreateDemand(ctx, d) }); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/demands/%d?done=saved", d.ID), http.StatusSeeOther)
	return nil
}

// editable reports whether a demand's content may still change.
func editable(s gate.Status) bool { return s == gate.Draft || s == gate.Refused }

func (s *Server) uiEditDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		return err
	}
	rec, err := s.ownDemand(ctx, c, id)
	if err != nil {
		return err
	}
	if !editable(rec.Status) {
		return gateError(&store.StateError{Key: "store.state.demand_fixed", Args: []any{id, i18n.Both("ui.gate.status." + string(rec.Status))}})
	}
	office, err := s.issuerOffice(ctx, c)
	if err != nil {
		return err
	}
	f, err := s.formView(ctx, c, office, demandValues(&rec.Demand), nil)
	if err != nil {
		return err
	}
	f.ID, f.Save = id, fmt.Sprintf("/demands/%d", id)
	return s.showForm(w, r, c, http.StatusOK, f)
}

func (s *Server) uiUpdateDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		return err
	}
	before, err := s.ownDemand(ctx, c, id)
	if err != nil {
		return err
	}
	office, err := s.issuerOffice(ctx, c)
	if err != nil {
		return err
	}
	if err := parseDemandForm(w, r); err != nil {
		return err
	}
	d, err := s.readDemandForm(ctx, c, office, r.PostForm)
	if err != nil {
		return s.formAgain(w, r, c, office, id, err)
	}
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.UpdateDemand(ctx, before, d) }); err != nil {
		return s.formAgain(w, r, c, office, id, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/demands/%d?done=saved", id), http.StatusSeeOther)
	return nil
}

// uiPickUnits answers the target picker as the person types: the units
// found, each a choice of the form's "under" field.
func (s *Server) uiPickUnits(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	return s.fragment(w, c, "pick", searchTree(t, r.URL.Query().Get("under_q"), pickScope(c)))
}

// pickScope is where the picker looks: the one subtree an issuer may reach,
// or the whole tree.
func pickScope(c *Ctx) string {
	if sc := c.P.Scopes(access.IssueDemands); len(sc) == 1 {
		return sc[0]
	}
	return ""
}

// demandOf reads the form into a demand. Only the chosen kind's own section
// is read: the others may hold what the person typed before changing kind.
func demandOf(v url.Values, office units.Office) (*gate.Demand, error) {
	text := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	on := func(name string) bool { return v.Get(name) != "" }
	var err error
	num := func(name string) int {
		s := text(name)
		if s == "" || err != nil {
			return 0
		}
		n, e := strconv.Atoi(s)
		if e != nil || n < 0 {
			err = invalid(name, "ui.gate.error.number", s)
		}
		return n
	}
	when := func(name string) time.Time {
		s := text(name)
		if s == "" || err != nil {
			return time.Time{}
		}
		for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
			if t, e := time.ParseInLocation(layout, s, gate.China); e == nil {
				return t
			}
		}
		err = invalid(name, "ui.gate.error.time", s)
		return time.Time{}
	}
	kind := gate.Kind(text("kind"))
	d := &gate.Demand{OfficeID: office.ID, IssuerUnit: office.UnitCode, Kind: kind, Title: text("title"),
		Body: strings.ReplaceAll(v.Get("body"), "\r\n", "\n"), Matter: text("matter"), Place: text("place")}
	if v.Get("targets") == "units" {
		d.Targets.Units = splitCodes(v.Get("units"))
	} else {
		l, e := units.ParseLevel(text("level"))
		if e != nil {
			return nil, invalid("level", "ui.gate.error.level")
		}
		d.Targets = gate.Targets{Level: l, Under: text("under")}
	}
	if kind == gate.Meeting || kind == gate.Visit {
		d.Start, d.End = when("start"), when("end")
	} else {
		d.Due = when("due")
	}
	if kind == gate.Report {
		if s := text("data_date"); s != "" {
			t, e := time.ParseInLocation("2006-01-02", s, gate.China)
			if e != nil {
				return nil, invalid("data_date", "ui.gate.error.date", s)
			}
			d.DataDate = t
		}
	}
	fields, ferr := fieldsOf(v.Get("fields"))
	if ferr != nil {
		return nil, ferr
	}
	a := gate.Asks{Fields: fields, Attendees: num("attendees"), Materials: num("materials"), StaffSecond: num("staff_second"),
		SecondDays: num("second_days"), OtherMinutes: num("other_minutes"),
		Photos: on("photos"), Videos: on("videos"), Screenshots: on("screenshots"), StudyNotes: on("study_notes"), Counts: on("counts"),
		Signature: on("signature"), EmptyForm: on("empty_form"), CheckIn: on("check_in"), Ranking: on("ranking"),
		Download: on("download"), ReportBack: on("report_back"), SupportDocs: on("support_docs"), Forms: on("forms"),
		SecurityUse: on("security_use")}
	d.Asks = a
	if on("emergency") {
		d.Emergency, d.Reason = true, text("emergency_reason")
	}
	switch kind {
	case gate.Task:
		d.LeadOffice = text("lead_office")
		m := &gate.Means{People: num("means_people"), Funds: num("means_funds"), Authority: text("means_authority")}
		if !m.None() {
			d.Means = m
		}
	case gate.Pledge:
		if item := text("pledge_item"); item != "" {
			d.Pledge = &gate.PledgeInfo{Item: item}
		}
	case gate.Meeting:
		d.Meeting = &gate.MeetingInfo{Format: text("meeting_format"), Comprehensive: on("meeting_comprehensive"),
			Minutes: num("meeting_minutes"), SpeechMinutes: num("meeting_speech"), Needed: num("meeting_needed"), PlaceUnit: text("meeting_place")}
	case gate.Document:
		d.Document = &gate.DocumentInfo{Special: on("document_special"), Implement: on("document_implement")}
	case gate.Visit:
		x := &gate.VisitInfo{Research: on("visit_research"), Plan: text("visit_plan"), Approved: on("visit_approved"),
			ApprovalReason: text("visit_approval_reason"), ScoringItems: num("visit_scoring"), Comprehensive: on("visit_comprehensive"),
			Team: num("visit_team"), Briefing: on("visit_briefing"), Reception: on("visit_reception")}
		if s := text("visit_rate"); s != "" {
			// A share of the pool in per cent, as on the plan's page.
			pct, e := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
			if e != nil || !(pct > 0 && pct <= 100) {
				return nil, invalid("visit_rate", "ui.gate.error.percent", s)
			}
			x.Rate = pct / 100
		}
		d.Visit = x
	case gate.Group:
		g := &gate.GroupInfo{Owner: text("group_owner"), Purpose: text("group_purpose"), Members: num("group_members")}
		if s := text("group_expires"); s != "" {
			t, e := time.ParseInLocation("2006-01-02", s, gate.China)
			if e != nil {
				return nil, invalid("group_expires", "ui.gate.error.date", s)
			}
			g.Expires = t
		}
		d.Group = g
	case gate.App:
		app := &gate.AppInfo{NewPlatform: on("app_new_platform"), OfficeApps: num("app_office_apps")}
		if s := text("app_built_by"); s != "" {
			l, e := units.ParseLevel(s)
			if e != nil {
				return nil, invalid("app_built_by", "ui.gate.error.level")
			}
			app.BuiltBy = l
		}
		d.App = app
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// splitCodes reads unit codes separated by spaces, commas or lines.
func splitCodes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '　'
	})
}

// fieldsOf reads the fields to fill, one a line: a name, then optionally
// "| minutes" for its own estimate and "| element" for the data
// dictionary's element; a lone part after the name is the minutes when it
// is a number and the element otherwise.
func fieldsOf(s string) ([]gate.Field, error) {
	var out []gate.Field
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		f := gate.Field{Name: parts[0]}
		minutes := ""
		switch len(parts) {
		case 1:
		case 2:
			if _, err := strconv.Atoi(parts[1]); err == nil {
				minutes = parts[1]
			} else {
				f.Element = parts[1]
			}
		case 3:
			minutes, f.Element = parts[1], parts[2]
		default:
			return nil, invalid("fields", "ui.gate.error.field_parts", line)
		}
		if minutes != "" {
			n, err := strconv.Atoi(minutes)
			if err != nil || n < 0 {
				return nil, invalid("fields", "ui.gate.error.field_minutes", line)
			}
			f.Minutes = n
		}
		out = append(out, f)
	}
	return out, nil
}

// demandValues writes a saved demand into the form's fields, for editing.
func demandValues(d *gate.Demand) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	flag := func(k string, b bool) {
		if b {
			v.Set(k, "1")
		}
	}
	num := func(k string, n int) {
		if n != 0 {
			v.Set(k, strconv.Itoa(n))
		}
	}
	local := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(gate.China).Format("2006-01-02T15:04")
	}
	set("kind", string(d.Kind))
	set("title", d.Title)
	set("body", d.Body)
	set("matter", d.Matter)
	set("place", d.Place)
	if len(d.Targets.Units) > 0 {
		v.Set("targets", "units")
		set("units", strings.Join(d.Targets.Units, "\n"))
		v.Set("level", units.Village.String())
	} else {
		v.Set("targets", "spec")
		set("level", d.Targets.Level.String())
		set("under", d.Targets.Under)
	}
	set("due", local(d.Due))
	set("data_date", chinaDay(d.DataDate))
	set("start", local(d.Start))
	set("end", local(d.End))
	var lines []string
	for _, f := range d.Asks.Fields {
		switch {
		case f.Minutes > 0 && f.Element != "":
			lines = append(lines, fmt.Sprintf("%s | %d | %s", f.Name, f.Minutes, f.Element))
		case f.Minutes > 0:
			lines = append(lines, fmt.Sprintf("%s | %d", f.Name, f.Minutes))
		case f.Element != "":
			lines = append(lines, fmt.Sprintf("%s | | %s", f.Name, f.Element))
		default:
			lines = append(lines, f.Name)
		}
	}
	set("fields", strings.Join(lines, "\n"))
	a := d.Asks
	num("attendees", a.Attendees)
	num("materials", a.Materials)
	num("staff_second", a.StaffSecond)
	num("second_days", a.SecondDays)
	num("other_minutes", a.OtherMinutes)
	for name, on := range map[string]bool{"photos": a.Photos, "videos": a.Videos, "screenshots": a.Screenshots, "study_notes": a.StudyNotes,
		"counts": a.Counts, "signature": a.Signature, "empty_form": a.EmptyForm, "check_in": a.CheckIn, "ranking": a.Ranking,
		"download": a.Download, "report_back": a.ReportBack, "support_docs": a.SupportDocs, "forms": a.Forms, "security_use": a.SecurityUse} {
		flag(name, on)
	}
	flag("emergency", d.Emergency)
	set("emergency_reason", d.Reason)
	set("lead_office", d.LeadOffice)
	if m := d.Means; m != nil {
		num("means_people", m.People)
		num("means_funds", m.Funds)
		set("means_authority", m.Authority)
	}
	if p := d.Pledge; p != nil {
		set("pledge_item", p.Item)
	}
	v.Set("meeting_format", "video")
	if m := d.Meeting; m != nil {
		set("meeting_format", m.Format)
		flag("meeting_comprehensive", m.Comprehensive)
		num("meeting_minutes", m.Minutes)
		num("meeting_speech", m.SpeechMinutes)
		num("meeting_needed", m.Needed)
		set("meeting_place", m.PlaceUnit)
	}
	if x := d.Document; x != nil {
		flag("document_special", x.Special)
		flag("document_implement", x.Implement)
	}
	if x := d.Visit; x != nil {
		flag("visit_research", x.Research)
		set("visit_plan", x.Plan)
		flag("visit_approved", x.Approved)
		set("visit_approval_reason", x.ApprovalReason)
		num("visit_scoring", x.ScoringItems)
		flag("visit_comprehensive", x.Comprehensive)
		if x.Rate > 0 {
			v.Set("visit_rate", strconv.FormatFloat(x.Rate*100, 'f', -1, 64))
		}
		num("visit_team", x.Team)
		flag("visit_briefing", x.Briefing)
		flag("visit_reception", x.Reception)
	}
	if x := d.Group; x != nil {
		set("group_owner", x.Owner)
		set("group_purpose", x.Purpose)
		set("group_expires", chinaDay(x.Expires))
		num("group_members", x.Members)
	}
	if x := d.App; x != nil {
		flag("app_new_platform", x.NewPlatform)
		if x.BuiltBy != 0 {
			v.Set("app_built_by", x.BuiltBy.String())
		}
		num("app_office_apps", x.OfficeApps)
	}
	return v
}

// The gate's answer.

type findingView struct {
	Rule      string
	RuleLabel string
	Severity  string // block, review or note, for the style
	Level     string // the severity in words
	Message   string
	Fix       string
	Evidence  string
	Units     int
}

type burdenLine struct {
	Label   string
	Minutes int
}

type budgetLine struct {
	Code    string
	Name    string
	Used    int
	Demand  int
	Budget  int
	Percent int
}

type checkView struct {
	Verdict      string
	VerdictClass string
	Targets      int
	Findings     []findingView
	Blocks       int
	Reviews      int
	PerUnit      int
	Max          int
	Total        int
	Lines        []burdenLine
	Budget       []budgetLine
	HasBurden    bool
}

// findingViews writes findings in the page's language.
func findingViews(c *Ctx, fs []gate.Finding) []findingView {
	var out []findingView
	for _, f := range fs {
		ev := f.Evidence
		if e, ok := i18n.Lookup("gate.asks." + ev); ok && ev != "" {
			ev = i18n.Text{ZH: e.ZH, EN: e.EN}.In(c.Lang)
		}
		ruleLabel := f.Rule
		if _, ok := i18n.Lookup("rule." + f.Rule); ok {
			ruleLabel = c.T("rule." + f.Rule)
		}
		sev := string(f.Severity)
		lvl := sev
		if k, ok := severityKeys[f.Severity]; ok {
			lvl = c.T(k)
		}
		out = append(out, findingView{Rule: f.Rule, RuleLabel: ruleLabel, Severity: sev, Level: lvl, Message: f.Message.In(c.Lang),
			Fix: f.Fix.In(c.Lang), Evidence: ev, Units: f.Units})
	}
	return out
}

func checkViewOf(c *Ctx, verdict gate.Status, fs []gate.Finding, b *gate.Burden, targets int) *checkView {
	v := &checkView{Targets: targets, Findings: findingViews(c, fs)}
	if k, ok := verdictKeys[verdict]; ok {
		v.Verdict, v.VerdictClass = c.T(k), statusClass(verdict)
	}
	for _, f := range fs {
		switch f.Severity {
		case gate.Block:
			v.Blocks++
		case gate.Review:
			v.Reviews++
		}
	}
	if b != nil {
		v.HasBurden = true
		v.PerUnit, v.Max, v.Total = b.PerUnit, b.Max, int(b.Total)
		for _, it := range b.Breakdown {
			v.Lines = append(v.Lines, burdenLine{Label: it.Label.In(c.Lang), Minutes: it.Minutes})
		}
		for _, x := range b.Budget {
			v.Budget = append(v.Budget, budgetLine{Code: x.Unit, Name: x.Name, Used: x.Used, Demand: x.Demand, Budget: x.Budget, Percent: x.Percent})
		}
	}
	return v
}

// verdictOf is the gate's verdict on a submitted demand, from where it went.
func verdictOf(rec *store.DemandRecord) gate.Status {
	switch rec.Status {
	case gate.Refused, gate.InReview:
		return rec.Status
	case gate.Admitted, gate.Active, gate.Closed:
		return gate.Admitted
	}
	return ""
}

// The demand page.

type factView struct {
	Label string
	Value string
}

type demandPage struct {
	ID          int64
	Title       string
	Body        string
	Status      string
	StatusClass string
	Kind        string
	Office      string
	Issuer      string
	IssuerCode  string
	Facts       []factView
	Targets     string
	TargetUnits []placeView
	MoreUnits   int
	Asks        []string
	Emergency   string
	Check       *checkView
	Checked     bool
	Decision    string
	DecidedBy   string
	Decided     string
	Done        string
	Error       string

	CanEdit     bool
	CanSubmit   bool
	CanWithdraw bool
	CanClose    bool
	CanDecide   bool
	Decide      *decideForm
	Reason      string // what was typed into a reason that came back
	ReasonFor   string // which form it belongs to: withdraw, close or decision
	ReasonErr   string
}

// shownUnits is how many listed targets the demand page names.
const shownUnits = 30

func (s *Server) demandPageOf(ctx context.Context, c *Ctx, rec *store.DemandRecord) (demandPage, error) {
	t, err := c.Tree(ctx)
	if err != nil {
		return demandPage{}, err
	}
	d := &rec.Demand
	v := demandPage{ID: rec.ID, Title: rec.Title, Body: rec.Body, Status: statusLabel(c, rec.Status), StatusClass: statusClass(rec.Status),
		Kind: kindLabel(c, rec.Kind), Office: rec.OfficeName, Issuer: place(t, c, rec.IssuerUnit), IssuerCode: rec.IssuerUnit,
		Asks: asksOf(c, d), Checked: !rec.Submitted.IsZero()}
	if d.Emergency {
		v.Emergency = d.Reason
	}
	fact := func(key, value string) {
		if value != "" {
			v.Facts = append(v.Facts, factView{Label: c.T(key), Value: value})
		}
	}
	fact("ui.gate.field.due", chinaTime(d.Due))
	fact("ui.gate.field.start", chinaTime(d.Start))
	fact("ui.gate.field.end", chinaTime(d.End))
	fact("ui.gate.field.data_date", chinaDay(d.DataDate))
	fact("ui.gate.field.place", d.Place)
	fact("ui.gate.field.matter", d.Matter)
	fact("ui.gate.demand.created", chinaTime(rec.Created))
	fact("ui.gate.demand.submitted", chinaTime(rec.Submitted))
	for _, f := range kindFacts(c, d) {
		v.Facts = append(v.Facts, f)
	}
	if d.Targets.Spec() {
		under := place(t, c, d.Targets.Under)
		n := len(t.Under(d.Targets.Level, d.Targets.Under))
		v.Targets = c.T("ui.gate.targets.spec", i18n.T(c.Lang, "level."+d.Targets.Level.String()), under, n)
	} else {
		v.Targets = c.T("ui.gate.targets.listed", len(d.Targets.Units))
		for i, code := range d.Targets.Units {
			if i == shownUnits {
				v.MoreUnits = len(d.Targets.Units) - shownUnits
				break
			}
			v.TargetUnits = append(v.TargetUnits, placeView{Code: code, Name: placeOf(t, code, "")})
		}
	}
	if v.Checked {
		v.Check = checkViewOf(c, verdictOf(rec), rec.Findings, rec.Burden, rec.TargetN)
	}
	if rec.Decision != "" {
		v.Decision, v.Decided = rec.Decision, chinaTime(rec.Decided)
		if rec.DecidedBy != 0 {
			p, err := s.db.Person(ctx, rec.DecidedBy)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return v, err
			}
			v.DecidedBy = p.Name
		}
	}
	own := c.Person.OfficeID != 0 && c.Person.OfficeID == rec.OfficeID && c.P.Can(access.IssueDemands, rec.IssuerUnit)
	v.CanEdit = own && editable(rec.Status)
	v.CanSubmit = own && editable(rec.Status)
	v.CanWithdraw = own && gate.CanMove(rec.Status, gate.Withdrawn)
	v.CanClose = own && gate.CanMove(rec.Status, gate.Closed)
	v.CanDecide = rec.Status == gate.InReview && c.P.Can(access.ReviewDemands, rec.IssuerUnit)
	if v.CanDecide {
		v.Decide = &decideForm{ID: rec.ID}
	}
	return v, nil
}

// kindFacts are a demand's kind-specific details, in words.
func kindFacts(c *Ctx, d *gate.Demand) []factView {
	var out []factView
	add := func(key, value string) { out = append(out, factView{Label: c.T(key), Value: value}) }
	yes := c.T("ui.gate.yes")
	if d.LeadOffice != "" {
		add("ui.gate.task.lead_office", d.LeadOffice)
	}
	if m := d.Means; m != nil {
		if m.People > 0 {
			add("ui.gate.task.means_people", strconv.Itoa(m.People))
		}
		if m.Funds > 0 {
			add("ui.gate.task.means_funds", formatNumber(m.Funds))
		}
		if m.Authority != "" {
			add("ui.gate.task.means_authority", m.Authority)
		}
	}
	if p := d.Pledge; p != nil && p.Item != "" {
		add("ui.gate.pledge.item", p.Item)
	}
	if m := d.Meeting; m != nil {
		add("ui.gate.meeting.format", label(c, formatKeys, m.Format))
		if m.Comprehensive {
			add("ui.gate.meeting.comprehensive", yes)
		}
		if m.Minutes > 0 {
			add("ui.gate.meeting.minutes", c.T("ui.gate.minutes", m.Minutes))
		}
		if m.SpeechMinutes > 0 {
			add("ui.gate.meeting.speech", c.T("ui.gate.minutes", m.SpeechMinutes))
		}
		if m.Needed > 0 {
			add("ui.gate.meeting.needed", strconv.Itoa(m.Needed))
		}
		if m.PlaceUnit != "" {
			add("ui.gate.meeting.place_unit", m.PlaceUnit)
		}
	}
	if x := d.Document; x != nil {
		if x.Special {
			add("ui.gate.document.special", yes)
		}
		if x.Implement {
			add("ui.gate.document.implement", yes)
		}
	}
	if x := d.Visit; x != nil {
		if x.Research {
			add("ui.gate.visit.research", yes)
		}
		if x.Plan != "" {
			add("ui.gate.visit.plan", x.Plan)
		}
		if x.Approved {
			add("ui.gate.visit.approved", yes)
		}
		if x.ApprovalReason != "" {
			add("ui.gate.visit.approval_reason", x.ApprovalReason)
		}
		if x.Rate > 0 {
			add("ui.gate.visit.rate", strconv.FormatFloat(x.Rate*100, 'f', -1, 64)+"%")
		}
		if x.Team > 0 {
			add("ui.gate.visit.team", strconv.Itoa(x.Team))
		}
		if x.Briefing {
			add("ui.gate.visit.briefing", yes)
		}
		if x.Reception {
			add("ui.gate.visit.reception", yes)
		}
		if x.ScoringItems > 0 {
			add("ui.gate.visit.scoring", strconv.Itoa(x.ScoringItems))
		}
		if x.Comprehensive {
			add("ui.gate.visit.comprehensive", yes)
		}
	}
	if x := d.Group; x != nil {
		if x.Owner != "" {
			add("ui.gate.group.owner", x.Owner)
		}
		if x.Purpose != "" {
			add("ui.gate.group.purpose", x.Purpose)
		}
		if !x.Expires.IsZero() {
			add("ui.gate.group.expires", chinaDay(x.Expires))
		}
	}
	if x := d.App; x != nil {
		if x.NewPlatform {
			add("ui.gate.app.new_platform", yes)
		}
		if x.BuiltBy != 0 {
			add("ui.gate.app.built_by", c.T(keyOfLevel(x.BuiltBy)))
		}
		if x.OfficeApps > 0 {
			add("ui.gate.app.office_apps", strconv.Itoa(x.OfficeApps))
		}
	}
	return out
}

// asksOf says in words what a demand asks of each unit.
func asksOf(c *Ctx, d *gate.Demand) []string {
	var out []string
	a := d.Asks
	if n := len(a.Fields); n > 0 {
		var names []string
		for i, f := range a.Fields {
			if i == 8 {
				names = append(names, "…")
				break
			}
			names = append(names, f.Name)
		}
		out = append(out, c.T("ui.gate.says.fields", n, strings.Join(names, c.T("ui.list.sep"))))
	}
	if m := d.Meeting; m != nil {
		minutes := m.Minutes
		if minutes == 0 && !d.End.IsZero() {
			minutes = int(d.End.Sub(d.Start).Minutes())
		}
		out = append(out, c.T("ui.gate.says.meeting", label(c, formatKeys, m.Format), minutes))
	}
	if d.Kind == gate.Visit {
		if d.Visit != nil && d.Visit.Research {
			out = append(out, c.T("ui.gate.says.research"))
		} else {
			out = append(out, c.T("ui.gate.says.inspection"))
		}
	}
	if a.Attendees > 0 {
		out = append(out, c.T("ui.gate.says.attendees", a.Attendees))
	}
	if a.Materials > 0 {
		out = append(out, c.T("ui.gate.says.materials", a.Materials))
	}
	var proofs []string
	for _, p := range []struct {
		on   bool
		name string
	}{{a.Photos, "photos"}, {a.Videos, "videos"}, {a.Screenshots, "screenshots"}, {a.StudyNotes, "study_notes"}, {a.Counts, "counts"},
		{a.CheckIn, "check_in"}, {a.Ranking, "ranking"}, {a.Download, "download"}} {
		if p.on {
			proofs = append(proofs, i18n.T(c.Lang, "gate.asks."+p.name))
		}
	}
	if len(proofs) > 0 {
		out = append(out, c.T("ui.gate.says.proof", strings.Join(proofs, c.T("ui.list.sep"))))
	}
	if a.Signature {
		if a.EmptyForm {
			out = append(out, c.T("ui.gate.says.signature_empty"))
		} else {
			out = append(out, c.T("ui.gate.says.signature"))
		}
	}
	if a.ReportBack {
		out = append(out, c.T("ui.gate.says.report_back"))
	}
	if a.SupportDocs {
		out = append(out, c.T("ui.gate.says.support_docs"))
	}
	if a.Forms {
		out = append(out, c.T("ui.gate.says.forms"))
	}
	if a.StaffSecond > 0 {
		out = append(out, c.T("ui.gate.says.second", a.StaffSecond, a.SecondDays))
	}
	if d.Kind == gate.Document {
		out = append(out, c.T("ui.gate.says.read"))
	}
	if d.Kind == gate.Group {
		out = append(out, c.T("ui.gate.says.group"))
	}
	if d.Kind == gate.App {
		out = append(out, c.T("ui.gate.says.app"))
	}
	if d.Kind == gate.Pledge {
		out = append(out, c.T("ui.gate.says.pledge"))
	}
	if a.OtherMinutes > 0 {
		out = append(out, c.T("ui.gate.says.other", a.OtherMinutes))
	}
	return out
}

func (s *Server) uiDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	rec, err := s.visibleDemand(r.Context(), c, id)
	if err != nil {
		return err
	}
	v, err := s.demandPageOf(r.Context(), c, rec)
	if err != nil {
		return err
	}
	if k, ok := demandDoneKeys[r.URL.Query().Get("done")]; ok {
		v.Done = c.T(k)
	}
	return s.page(w, r, c, http.StatusOK, "demand", rec.Title, v)
}

// demandAgain shows the demand page with an error from one of its forms.
func (s *Server) demandAgain(w http.ResponseWriter, r *http.Request, c *Ctx, rec *store.DemandRecord, form string, err error) error {
	var e *Error
	if !errors.As(gateError(err), &e) || e.Code == CodeInternal || e.Code == CodeUnavailable {
		return err
	}
	v, verr := s.demandPageOf(r.Context(), c, rec)
	if verr != nil {
		return verr
	}
	switch {
	case form == "decision" && v.Decide != nil:
		v.Decide.Err, v.Decide.Reason = e.Message.In(c.Lang), r.PostFormValue("reason")
	case form == "" || form == "decision":
		v.Error = e.Message.In(c.Lang)
	default:
		v.ReasonFor, v.ReasonErr, v.Reason = form, e.Message.In(c.Lang), r.PostFormValue("reason")
	}
	return s.page(w, r, c, e.Status(), "demand", rec.Title, v)
}

func (s *Server) uiSubmitDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		return err
	}
	rec, err := s.ownDemand(ctx, c, id)
	if err != nil {
		return err
	}
	if _, _, err := s.db.SubmitDemand(ctx, c.Actor(), id); err != nil {
		return s.demandAgain(w, r, c, rec, "", err)
	}
	http.Redirect(w, r, fmt.Sprintf("/demands/%d?done=submitted", id), http.StatusSeeOther)
	return nil
}

func (s *Server) uiMoveDemand(to gate.Status) handler {
	form, done := "withdraw", "withdrawn"
	if to == gate.Closed {
		form, done = "close", "closed"
	}
	return func(w http.ResponseWriter, r *http.Request, c *Ctx) error {
		ctx := r.Context()
		id, err := idParam(r)
		if err != nil {
			return err
		}
		rec, err := s.ownDemand(ctx, c, id)
		if err != nil {
			return err
		}
		if err := parseForm(w, r); err != nil {
			return err
		}
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if reason == "" {
			return s.demandAgain(w, r, c, rec, form, invalid("reason", "ui.gate.error.reason"))
		}
		if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.Move(ctx, rec, to, reason) }); err != nil {
			return s.demandAgain(w, r, c, rec, form, err)
		}
		http.Redirect(w, r, fmt.Sprintf("/demands/%d?done=%s", id, done), http.StatusSeeOther)
		return nil
	}
}

func (s *Server) uiDecide(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		return err
	}
	rec, err := s.visibleDemand(ctx, c, id)
	if err != nil {
		return err
	}
	if err := c.Require(access.ReviewDemands, rec.IssuerUnit); err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	fromReview := r.PostFormValue("from") == "review"
	again := func(err error) error {
		if fromReview {
			return s.reviewAgain(w, r, c, id, err)
		}
		return s.demandAgain(w, r, c, rec, "decision", err)
	}
	var admit bool
	switch r.PostFormValue("decision") {
	case "admit":
		admit = true
	case "refuse":
	default:
		return again(invalid("decision", "ui.gate.error.decision"))
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return again(invalid("reason", "ui.gate.error.reason"))
	}
	if _, err := s.db.DecideDemand(ctx, c.Actor(), id, admit, reason); err != nil {
		return again(err)
	}
	done := "refused"
	if admit {
		done = "admitted"
	}
	if fromReview {
		http.Redirect(w, r, "/review?done="+done, http.StatusSeeOther)
	} else {
		http.Redirect(w, r, fmt.Sprintf("/demands/%d?done=%s", id, done), http.StatusSeeOther)
	}
	return nil
}

// The review queue.

type reviewItem struct {
	Row    demandRow
	Issuer string
	Asks   []string
	Check  *checkView
	Decide decideForm
}

// decideForm is the form of a decision, with what came back from it.
type decideForm struct {
	ID     int64
	From   string // "review" when the queue shows it
	Reason string
	Err    string
}

type reviewView struct {
	Plans  []reviewPlan // annual plans in review
	Items  []reviewItem
	Pager  pager
	Done   string
	Error  string
	Policy string // the rules in force where the reviewer works
	// ErrorAt is the form whose decision failed, named at the top of the
	// page where the eye is, with a link down to it.
	ErrorAt *errorAt
}

// errorAt links the message at the top of a long page to the form below
// that it concerns.
type errorAt struct {
	Href, Title string
}

// reviewPlan is an annual plan the gate sent to review, in the queue.
type reviewPlan struct {
	ID     int64
	Title  string
	Office string
	Year   int
	Items  int
}

// plansInReview lists the annual plans in review of offices under the
// scopes, newest first.
func (s *Server) plansInReview(ctx context.Context, c *Ctx, scopes []string) ([]reviewPlan, error) {
	var out []reviewPlan
	seen := map[int64]bool{}
	for _, sc := range access.Minimal(scopes) {
		ps, err := s.db.Plans(ctx, store.PlanFilter{Under: sc, Status: visits.PlanReview})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			rp := reviewPlan{ID: p.ID, Title: p.Title, Year: p.Year, Items: len(p.Items)}
			if o, err := s.db.Office(ctx, p.OfficeID); err == nil {
				rp.Office = o.Name
				if c.Lang == i18n.EN && o.NameEN != "" {
					rp.Office = o.NameEN
				}
			}
			out = append(out, rp)
		}
	}
	return out, nil
}

// reviewPage is how many demands of the queue a page shows, each with its
// findings.
const reviewPage = 20

func (s *Server) reviewView(r *http.Request, c *Ctx) (reviewView, error) {
	ctx := r.Context()
	v := reviewView{}
	q := store.DemandQuery{Scopes: c.P.Scopes(access.ReviewDemands), Status: []gate.Status{gate.InReview}, Limit: reviewPage}
	if len(q.Scopes) == 0 {
		return v, c.Require(access.ReviewDemands, c.Person.UnitCode)
	}
	var err error
	if q.Offset, err = intParam(r, "offset", 0, 0); err != nil {
		return v, err
	}
	list, total, err := s.db.ListDemands(ctx, q)
	if err != nil {
		return v, err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return v, err
	}
	for _, x := range list {
		rec, err := s.db.Demand(ctx, x.ID)
		if err != nil {
			return v, err
		}
		v.Items = append(v.Items, reviewItem{Row: demandRowOf(c, rec), Issuer: place(t, c, rec.IssuerUnit), Asks: asksOf(c, &rec.Demand),
			Check: checkViewOf(c, gate.InReview, rec.Findings, rec.Burden, rec.TargetN), Decide: decideForm{ID: rec.ID, From: "review"}})
	}
	v.Pager = pagerOf(r, q.Offset, q.Limit, len(list), total)
	if v.Plans, err = s.plansInReview(ctx, c, q.Scopes); err != nil {
		return v, err
	}
	code := q.Scopes[0]
	if code == "" {
		code = "0"
	}
	v.Policy = "/policy/" + code
	return v, nil
}

func (s *Server) uiReview(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := s.reviewView(r, c)
	if err != nil {
		return err
	}
	if k, ok := demandDoneKeys[r.URL.Query().Get("done")]; ok {
		v.Done = c.T(k)
	}
	return s.page(w, r, c, http.StatusOK, "review", c.T("ui.gate.review.title"), v)
}

// reviewAgain shows the queue with a decision's error next to its form.
func (s *Server) reviewAgain(w http.ResponseWriter, r *http.Request, c *Ctx, id int64, err error) error {
	var e *Error
	if !errors.As(gateError(err), &e) || e.Code == CodeInternal || e.Code == CodeUnavailable {
		return err
	}
	v, verr := s.reviewView(r, c)
	if verr != nil {
		return verr
	}
	v.Error = e.Message.In(c.Lang)
	for i := range v.Items {
		if v.Items[i].Row.ID == id {
			v.Items[i].Decide.Err, v.Items[i].Decide.Reason = v.Error, r.PostFormValue("reason")
			v.ErrorAt = &errorAt{Href: "#reason-" + itoa64(id), Title: v.Items[i].Row.Title}
		}
	}
	return s.page(w, r, c, e.Status(), "review", c.T("ui.gate.review.title"), v)
}

// Figures.

type statRow struct {
	Label    string
	Block    int
	Review   int
	Note     int
	Findings int
	Demands  int
	Admitted int
	Refused  int
}

type statsView struct {
	From, To  string
	ByRule    []statRow
	ByOffice  []statRow
	MaxRule   int
	MaxOffice int
	Demands   int
	Refused   int
	Admitted  int
}

func (s *Server) uiStats(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	scopes := c.P.Scopes(access.ReadDemands)
	if len(scopes) == 0 {
		return c.Require(access.ReadDemands, c.Person.UnitCode)
	}
	t := today(s.db.Now())
	from, err := dateParam(r, "from", time.Date(t.Year(), 1, 1, 0, 0, 0, 0, gate.China))
	if err != nil {
		return err
	}
	// The form's "to" is the last day counted; the store's end is exclusive.
	to, err := dateParam(r, "to", time.Date(t.Year(), 12, 31, 0, 0, 0, 0, gate.China))
	if err != nil {
		return err
	}
	byRule, byOffice, err := s.db.GateStats(r.Context(), scopes, from, to.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	v := statsView{From: from.Format("2006-01-02"), To: to.Format("2006-01-02")}
	for _, x := range byRule {
		lbl := x.Key
		if _, ok := i18n.Lookup("rule." + x.Key); ok {
			lbl = c.T("rule." + x.Key)
		}
		row := statRow{Label: lbl, Block: x.Block, Review: x.Review, Note: x.Note, Findings: x.Block + x.Review + x.Note}
		v.MaxRule = max(v.MaxRule, row.Findings)
		v.ByRule = append(v.ByRule, row)
	}
	for _, x := range byOffice {
		row := statRow{Label: x.Name, Block: x.Block, Review: x.Review, Note: x.Note, Findings: x.Block + x.Review + x.Note,
			Demands: x.Demands, Admitted: x.Admitted, Refused: x.Refused}
		v.MaxOffice = max(v.MaxOffice, row.Demands)
		v.Demands += x.Demands
		v.Refused += x.Refused
		v.Admitted += x.Admitted
		v.ByOffice = append(v.ByOffice, row)
	}
	return s.page(w, r, c, http.StatusOK, "stats", c.T("ui.gate.stats.title"), v)
}
