package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	textrule "lighten/internal/text"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"lighten/internal/access"
	"lighten/internal/calendar"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// Visits: annual plans, item draws, the inspector register, schedule runs,
// sealed visits, field records, photos, published results and the iCal
// feed. A visit's target is sealed (visit.sealed): no answer of these
// routes names it before the team leader starts the visit on its day,
// except to the team once started, and the published results after the
// window.

// PlanBody creates or replaces a draft plan.
type PlanBody struct {
	Year  int           `json:"year"`
	Title string        `json:"title"`
	Items []visits.Item `json:"items"`
}

// PlanDecisionBody decides a plan in review.
type PlanDecisionBody struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason"`
}

// ScheduleBody asks for a schedule run over a scope and a window. A run
// that would move or drop planned visits is applied only with Confirm, the
// token of its preview, and only while the plan still comes out the same.
type ScheduleBody struct {
	Scope   string `json:"scope"`
	From    string `json:"from"` // YYYY-MM-DD
	To      string `json:"to"`   // YYYY-MM-DD
	Confirm string `json:"confirm,omitempty"`
}

// SchedulePreviewView is what a run would do, as those who run the
// scheduler see it: the run's figures as the runs list shows them, and
// its changes to the window's visits. While any of its draws is sealed
// the changes are counted by kind and items, without visit, unit, day or
// team (visit.sealed); once all are revealed, each visit is listed.
type SchedulePreviewView struct {
	RunView
	Changes []ScheduleChangeView `json:"changes"`
	// Summary says the figures in people's words.
	Summary i18n.Text `json:"summary"`
	// Token confirms exactly this plan (ScheduleBody.Confirm).
	Token string `json:"token"`
}

// ScheduleChangeView is one line of a preview: a visit, or while sealed
// the visits of one kind and the same items.
type ScheduleChangeView struct {
	Change  string          `json:"change"` // kept, moved, added, dropped
	Count   int             `json:"count"`
	Told    int             `json:"told"` // of them, moved or dropped after their leaders were shown the day
	Items   []string        `json:"items"`
	Visit   int64           `json:"visit,omitempty"`
	Unit    string          `json:"unit,omitempty"`
	Day     calendar.Date   `json:"day,omitzero"`
	NewDay  calendar.Date   `json:"new_day,omitzero"`
	Team    []string        `json:"team,omitempty"`
	NewTeam []string        `json:"new_team,omitempty"`
	Why     string          `json:"why,omitempty"` // moved: away, team or days
	Reasons []visits.Reason `json:"reasons,omitempty"`
	Message i18n.Text       `json:"message"`
}

// RunView is a schedule run as the API shows it: the unscheduled visits'
// units stay sealed until every draw of the run is revealed.
type RunView struct {
	*store.ScheduleRun
	Sealed      bool              `json:"sealed"`
	Unscheduled []UnscheduledView `json:"unscheduled"`
}

// UnscheduledView is a visit the run could not place and why; Unit and the
// reasons' units are empty while sealed.
type UnscheduledView struct {
	Unit    string          `json:"unit,omitempty"`
	Items   []string        `json:"items"`
	Reasons []visits.Reason `json:"reasons"`
}

// VisitView is a scheduled visit as its team sees it: the target is
// present only once the visit has started.
type VisitView struct {
	ID      int64              `json:"id"`
	Day     calendar.Date      `json:"day"`
	Team    []string           `json:"team"`
	Leader  bool               `json:"leader"` // the asker leads the team
	Status  visits.VisitStatus `json:"status"`
	Items   []VisitItemView    `json:"items"`
	Target  *UnitRef           `json:"target,omitempty"`
	Started string             `json:"started,omitempty"`
}

// VisitItemView is a plan item a visit serves, with its checklist.
type VisitItemView struct {
	Code      string             `json:"code"`
	Title     string             `json:"title"`
	Kind      visits.ItemKind    `json:"kind"`
	Office    int64              `json:"office"`
	Checklist []visits.CheckItem `json:"checklist"`
}

// MyVisits are an inspector's visits, and the notices of visits of theirs
// that a schedule run moved or dropped after their leader was shown the
// day.
type MyVisits struct {
	Number  string            `json:"number"`
	Visits  []VisitView       `json:"visits"`
	Notices []VisitNoticeView `json:"notices"`
}

// VisitNoticeView is a notice in people's words: the new day and visit
// only to members of the new visit's team.
type VisitNoticeView struct {
	store.VisitNotice
	Message i18n.Text `json:"message"`
}

// FieldRecordBody is what a team saves at a visit; Done closes the visit.
type FieldRecordBody struct {
	Checks   []visits.CheckResult `json:"checks"`
	Claims   []visits.Claim       `json:"claims"`
	Point    *visits.Point        `json:"point,omitempty"`
	Accuracy float64              `json:"accuracy,omitempty"`
	Findings []visits.Finding     `json:"findings"`
	Done     bool                 `json:"done,omitempty"`
}

// CalendarFeed is the address of an inspector's iCal feed.
type CalendarFeed struct {
	Token string `json:"token"`
	URL   string `json:"url"`
}

// PlanResults is a plan's public page: only the published items.
type PlanResults struct {
	Plan   int64              `json:"plan"`
	Title  string             `json:"title"`
	Office string             `json:"office"`
	Year   int                `json:"year"`
	Items  []store.ItemResult `json:"items"`
	Names  map[string]string  `json:"names"` // visited units' names
}

// maxPhoto bounds one photo's upload.
const maxPhoto = 10 << 20

var pItem = param{Name: "item", In: "path", Type: "integer", Desc: "plan item id", Required: true}

func (s *Server) visitRoutes() []*route {
	return []*route{
		{Method: "GET", Pattern: "/api/v1/plans", Tag: "visits", Auth: signedIn, Action: access.PlanVisits,
			Summary: "Annual inspection plans: my office's, and those of offices in scope",
			Result:  []*visits.Plan{}, h: s.apiPlans},
		{Method: "POST", Pattern: "/api/v1/plans", Tag: "visits", Auth: signedIn, Action: access.PlanVisits,
			Summary: "Create a draft plan of my office", Body: PlanBody{}, Result: visits.Plan{}, Status: http.StatusCreated, h: s.apiCreatePlan},
		{Method: "GET", Pattern: "/api/v1/plans/{id}", Tag: "visits", Auth: signedIn, Action: access.PlanVisits,
			Summary: "A plan with its items and checklists", Params: []param{pID}, Result: visits.Plan{}, h: s.apiPlan},
		{Method: "PUT", Pattern: "/api/v1/plans/{id}", Tag: "visits", Auth: signedIn, Action: access.PlanVisits,
			Summary: "Replace a draft plan's title, year and items", Params: []param{pID}, Body: PlanBody{}, Result: visits.Plan{}, h: s.apiUpdatePlan},
		{Method: "POST", Pattern: "/api/v1/plans/{id}/check", Tag: "visits", Auth: signedIn, Action: access.PlanVisits,
			Summary: "Dry-run the gate's visit rules on a plan", Params: []param{pID}, Result: store.PlanCheck{}, h: s.apiCheckPlan},
		{Method: "POST", Pattern: "/api/v1/plans/{id}/submit", Tag: "visits", Auth: signedIn, Action: access.PlanVisits,
			Summary: "Submit a draft plan through the gate: approved, sent to review or refused", Params: []param{pID}, Result: store.PlanCheck{}, h: s.apiSubmitPlan},
		{Method: "POST", Pattern: "/api/v1/plans/{id}/decision", Tag: "review", Auth: signedIn, Action: access.ReviewDemands,
			Summary: "Approve or refuse a plan in review, with a written reason (the burden office over the plan's office)",
			Params:  []param{pID}, Body: PlanDecisionBody{}, Result: visits.Plan{}, h: s.apiDecidePlan},
		{Method: "POST", Pattern: "/api/v1/plans/{id}/items/{item}/draw", Tag: "visits", Auth: signedIn, Action: access.PlanVisits,
			Summary: "Commit the draw of an approved plan's item; then run and reveal it through /api/v1/draws",
			Params:  []param{pID, pItem}, Result: store.DrawRecord{}, Status: http.StatusCreated, h: s.apiCommitItemDraw},
		{Method: "GET", Pattern: "/api/v1/plans/{id}/results", Tag: "visits", Action: access.ReadUnits,
			Summary: "A plan's published results: items whose window is over and whose draw is revealed",
			Params:  []param{pID}, Result: PlanResults{}, h: s.apiPlanResults},

		{Method: "GET", Pattern: "/api/v1/inspectors", Tag: "visits", Auth: signedIn, Action: access.ScheduleVisits,
			Summary: "The inspector register of offices in scope", Result: []visits.RegisteredInspector{}, h: s.apiInspectors},
		{Method: "POST", Pattern: "/api/v1/inspectors", Tag: "visits", Auth: signedIn, Action: access.ScheduleVisits,
			Summary: "Add an inspector to the register", Body: visits.RegisteredInspector{}, Result: visits.RegisteredInspector{},
			Status: http.StatusCreated, h: s.apiAddInspector},
		{Method: "PUT", Pattern: "/api/v1/inspectors/{id}", Tag: "visits", Auth: signedIn, Action: access.ScheduleVisits,
			Summary: "Change an entry of the inspector register", Params: []param{pID}, Body: visits.RegisteredInspector{},
			Result: visits.RegisteredInspector{}, h: s.apiChangeInspector},

		{Method: "GET", Pattern: "/api/v1/schedule-runs", Tag: "visits", Auth: signedIn, Action: access.ScheduleVisits,
			Summary: "Schedule runs in scope with their figures; unplaced visits' units sealed until the draws are revealed",
			Result:  []RunView{}, h: s.apiScheduleRuns},
		{Method: "POST", Pattern: "/api/v1/schedule-runs/preview", Tag: "visits", Auth: signedIn, Action: access.ScheduleVisits,
			Summary: "Preview a schedule run: its figures and which planned visits of the window it keeps, moves, adds or drops, and why (sealed while any draw is), with the token that confirms it; changes nothing",
			Body:    ScheduleBody{}, Result: SchedulePreviewView{}, h: s.apiSchedulePreview},
		{Method: "POST", Pattern: "/api/v1/schedule-runs", Tag: "visits", Auth: signedIn, Action: access.ScheduleVisits,
			Summary: "Merge every drawn item of a scope (a county or more, covering every item's pool) and window into joint visits and schedule them; a run that moves or drops planned visits needs its preview's token in confirm (409 otherwise, and when anything changed since)",
			Body:    ScheduleBody{}, Result: RunView{}, Status: http.StatusCreated, h: s.apiSchedule},

		{Method: "GET", Pattern: "/api/v1/me/visits", Tag: "visits", Auth: signedIn, Action: access.FieldVisits,
			Summary: "My visits as an inspector: day, team and status; the target only once started", Result: MyVisits{}, h: s.apiMyVisits},
		{Method: "POST", Pattern: "/api/v1/me/calendar", Tag: "visits", Auth: signedIn, Action: access.FieldVisits,
			Summary: "The address of my iCal feed of visits", Result: CalendarFeed{}, h: s.apiCalendarToken},
		{Method: "GET", Pattern: "/api/v1/visits/{id}", Tag: "visits", Auth: signedIn, Action: access.FieldVisits,
			Summary: "One of my visits; the target only once started", Params: []param{pID}, Result: VisitView{}, h: s.apiVisit},
		{Method: "POST", Pattern: "/api/v1/visits/{id}/start", Tag: "visits", Auth: signedIn, Action: access.FieldVisits,
			Summary: "Start a visit (the team leader, on its day): opens the target, audited as visit.reveal",
			Params:  []param{pID}, Result: VisitView{}, h: s.apiStartVisit},
		{Method: "GET", Pattern: "/api/v1/visits/{id}/record", Tag: "visits", Auth: signedIn, Action: access.FieldVisits,
			Summary: "A started visit's field record: the team's; once the draws are revealed, also the plan offices', the burden office's and auditors' over the unit", Params: []param{pID}, Result: visits.FieldRecord{}, h: s.apiFieldRecord},
		{Method: "GET", Pattern: "/api/v1/visits/{id}/record/versions", Tag: "visits", Auth: signedIn, Action: access.FieldVisits,
			Summary: "Every saved version of a started visit's field record, oldest first: when, by whom, its SHA-256 and the record (read as the record)",
			Params:  []param{pID}, Result: []store.FieldRecordVersion{}, h: s.apiFieldRecordVersions},
		{Method: "PUT", Pattern: "/api/v1/visits/{id}/record", Tag: "visits", Auth: signedIn, Action: access.FieldVisits,
			Summary: "Save a started visit's field record; reported values and discrepancies are filled in",
			Params:  []param{pID}, Body: FieldRecordBody{}, Result: visits.FieldRecord{}, h: s.apiSaveFieldRecord},
		{Method: "POST", Pattern: "/api/v1/visits/{id}/photos", Tag: "visits", Auth: signedIn, Action: access.FieldVisits,
			Summary: "Upload a photo of a started visit (multipart field photo, a JPEG or PNG of 10 MiB at most)",
			Params:  []param{pID}, Result: visits.Photo{}, Status: http.StatusCreated, h: s.apiAddPhoto},
		{Method: "GET", Pattern: "/api/v1/photos/{id}", Tag: "visits", Auth: signedIn, Action: access.FieldVisits,
			Summary: "A photo's bytes, their SHA-256 in X-Content-SHA256: the team's as uploaded; once the draws are revealed, those who read the record get a copy without metadata",
			Params:  []param{pID}, h: s.apiPhoto},
	}
}

// ---- plans

// planOffice is the office of the person, who must plan visits.
func (s *Server) planOffice(ctx context.Context, c *Ctx) (units.Office, error) {
	if c.Person.OfficeID == 0 || !c.P.CanSomewhere(access.PlanVisits) {
		return units.Office{}, errorf(CodeForbidden, "error.visits.not_planner")
	}
	return s.db.Office(ctx, c.Person.OfficeID)
}

// readerScopes are the subtrees whose offices' plans a person reads.
func readerScopes(c *Ctx) []string {
	return access.Minimal(append(c.P.Scopes(access.ReadDemands), c.P.Scopes(access.ScheduleVisits)...))
}

// visiblePlan reads a plan the person may see: their office's, or one of
// an office in a reading scope.
func (s *Server) visiblePlan(ctx context.Context, c *Ctx, id int64) (*visits.Plan, error) {
	p, err := s.db.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Person.OfficeID != 0 && c.Person.OfficeID == p.OfficeID {
		return p, nil
	}
	o, err := s.db.Office(ctx, p.OfficeID)
	if err != nil {
		return nil, err
	}
	for _, sc := range readerScopes(c) {
		if units.Contains(sc, o.UnitCode) {
			return p, nil
		}
	}
	return nil, errorf(CodeNotFound, "error.not_found")
}

// ownPlan reads a plan of the person's office, who must plan visits.
func (s *Server) ownPlan(ctx context.Context, c *Ctx, id int64) (*visits.Plan, error) {
	if _, err := s.planOffice(ctx, c); err != nil {
		return nil, err
	}
	p, err := s.db.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.OfficeID != c.Person.OfficeID {
		// A plan the person cannot see is answered as a missing one.
		if _, err := s.visiblePlan(ctx, c, id); err != nil {
			return nil, err
		}
		return nil, errorf(CodeForbidden, "error.visits.not_your_plan")
	}
	return p, nil
}

func (s *Server) apiPlans(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	plans, err := s.plansOf(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, plans)
	return nil
}

// plansOf lists the plans a person sees, newest first, each once.
func (s *Server) plansOf(ctx context.Context, c *Ctx) ([]*visits.Plan, error) {
	if !c.P.CanSomewhere(access.PlanVisits) && len(readerScopes(c)) == 0 {
		return nil, errorf(CodeForbidden, "error.visits.not_planner")
	}
	seen := map[int64]bool{}
	out := []*visits.Plan{}
	add := func(f store.PlanFilter) error {
		ps, err := s.db.Plans(ctx, f)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, p)
			}
		}
		return nil
	}
	if c.Person.OfficeID != 0 && c.P.CanSomewhere(access.PlanVisits) {
		if err := add(store.PlanFilter{Office: c.Person.OfficeID}); err != nil {
			return nil, err
		}
	}
	for _, sc := range readerScopes(c) {
		if err := add(store.PlanFilter{Under: sc}); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b *visits.Plan) int {
		if a.Year != b.Year {
			return b.Year - a.Year
		}
		return int(b.ID - a.ID)
	})
	return out, nil
}

func (s *Server) apiCreatePlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	office, err := s.planOffice(r.Context(), c)
	if err != nil {
		return err
	}
	var b PlanBody
	if err := decode(r, &b); err != nil {
		return err
	}
	p := &visits.Plan{OfficeID: office.ID, Status: visits.PlanDraft}
	if err := s.savePlan(r.Context(), c, p, b); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/plans/"+itoa64(p.ID))
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) apiPlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.visiblePlan(r.Context(), c, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiUpdatePlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.ownPlan(r.Context(), c, id)
	if err != nil {
		return err
	}
	var b PlanBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if err := s.savePlan(r.Context(), c, p, b); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// savePlan checks a plan's fields and saves it as a draft.
func (s *Server) savePlan(ctx context.Context, c *Ctx, p *visits.Plan, b PlanBody) error {
	if p.ID != 0 && p.Status != visits.PlanDraft {
		return &Error{Code: CodeConflict, Message: i18n.Both("error.visits.not_draft", string(p.Status))}
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	if err := checkPlanBody(t, c, &b); err != nil {
		return err
	}
	p.Year, p.Title, p.Items = b.Year, strings.TrimSpace(b.Title), b.Items
	return s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return gateError(tx.SavePlan(ctx, p)) })
}

// itemErr says which item's field is wrong and what was expected.
func itemErr(row int, field, sub string, expect string, args ...any) *Error {
	f := "items[" + strconv.Itoa(row) + "]." + field
	if sub != "" {
		f += sub
	}
	e := invalid(f, "error.visits.item", row+1, field+sub, i18n.Both(expect, args...))
	return e
}

// tierErr says which tier of which item is wrong, and what was expected.
func tierErr(row int, code string, tier int, name, field, expect string, args ...any) *Error {
	f := "items[" + strconv.Itoa(row) + "].tiers[" + strconv.Itoa(tier) + "]." + field
	return invalid(f, "error.visits.tier", row+1, code, tier+1, name, field, i18n.Both(expect, args...))
}

// checkPlanBody checks what the gate does not: that every field is of its
// form and every place known and within the planner's scope.
func checkPlanBody(t *units.Tree, c *Ctx, b *PlanBody) error {
	if strings.TrimSpace(b.Title) == "" {
		return invalid("title", "error.required", "title")
	}
	if b.Year < 2000 || b.Year > 2100 {
		return invalid("year", "error.visits.year", strconv.Itoa(b.Year))
	}
	codes := map[string]bool{}
	for i := range b.Items {
		it := &b.Items[i]
		it.Code, it.Title, it.Scope = strings.TrimSpace(it.Code), strings.TrimSpace(it.Title), strings.TrimSpace(it.Scope)
		switch {
		case it.Code == "":
			return itemErr(i, "code", "", "error.visits.expect.text")
		case codes[it.Code]:
			return itemErr(i, "code", "", "error.visits.expect.unique", it.Code)
		case it.Title == "":
			return itemErr(i, "title", "", "error.visits.expect.text")
		case it.Kind != visits.Comprehensive && it.Kind != visits.Special && it.Kind != visits.Research:
			return itemErr(i, "kind", "", "error.visits.expect.kind", string(it.Kind))
		}
		codes[it.Code] = true
		if _, ok := units.LevelOfCode(it.Scope); !ok {
			return itemErr(i, "scope", "", "error.visits.expect.unit", it.Scope)
		}
		if _, ok := t.Get(it.Scope); !ok {
			return itemErr(i, "scope", "", "error.visits.expect.unit", it.Scope)
		}
		if err := c.Require(access.PlanVisits, it.Scope); err != nil {
			e := asError(err)
			e.Field = "items[" + strconv.Itoa(i) + "].scope"
			return e
		}
		if sl, _ := units.LevelOfCode(it.Scope); it.Level <= sl || it.Level > units.Village {
			return itemErr(i, "level", "", "error.visits.expect.level", it.Level.String(), it.Scope)
		}
		if it.Rate <= 0 || it.Rate > 1 || math.IsNaN(it.Rate) {
			return itemErr(i, "rate", "", "error.visits.expect.rate", strconv.FormatFloat(it.Rate, 'g', -1, 64))
		}
		if it.Team < 1 || it.Team > 20 {
			return itemErr(i, "team", "", "error.visits.expect.team", it.Team)
		}
		if it.From.IsZero() || it.To.IsZero() || it.To.Before(it.From) {
			return itemErr(i, "to", "", "error.visits.expect.window")
		}
		for j, tier := range it.Tiers {
			if strings.TrimSpace(tier.Name) == "" {
				return tierErr(i, it.Code, j, tier.Name, "name", "error.visits.expect.text")
			}
			if tier.Rate <= 0 || tier.Rate > 1 || math.IsNaN(tier.Rate) {
				return tierErr(i, it.Code, j, tier.Name, "rate", "error.visits.expect.rate", strconv.FormatFloat(tier.Rate*100, 'g', -1, 64))
			}
			for _, u := range tier.Units {
				if _, ok := t.Get(u); !ok || !units.Contains(it.Scope, u) {
					return tierErr(i, it.Code, j, tier.Name, "units", "error.visits.expect.under", u, it.Scope)
				}
			}
		}
		checks := map[string]bool{}
		for j := range it.Checklist {
			ck := &it.Checklist[j]
			ck.Code, ck.Text = strings.TrimSpace(ck.Code), strings.TrimSpace(ck.Text)
			sub := "[" + strconv.Itoa(j) + "]"
			switch {
			case ck.Code == "":
				return itemErr(i, "checklist", sub+".code", "error.visits.expect.text")
			case checks[ck.Code]:
				return itemErr(i, "checklist", sub+".code", "error.visits.expect.unique", ck.Code)
			case ck.Text == "":
				return itemErr(i, "checklist", sub+".text", "error.visits.expect.text")
			}
			checks[ck.Code] = true
		}
	}
	return nil
}

func (s *Server) apiCheckPlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.ownPlan(r.Context(), c, id)
	if err != nil {
		return err
	}
	pc, err := s.db.CheckPlan(r.Context(), p.ID)
	if err != nil {
		return gateError(err)
	}
	writeJSON(w, http.StatusOK, pc)
	return nil
}

func (s *Server) apiSubmitPlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if _, err := s.ownPlan(r.Context(), c, id); err != nil {
		return err
	}
	pc, err := s.submitPlan(r.Context(), c, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pc)
	return nil
}

// submitPlan submits a draft plan through the gate.
func (s *Server) submitPlan(ctx context.Context, c *Ctx, id int64) (*store.PlanCheck, error) {
	var pc *store.PlanCheck
	err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		var err error
		pc, err = tx.SubmitPlan(ctx, id)
		return err
	})
	if err != nil {
		return nil, gateError(err)
	}
	return pc, nil
}

func (s *Server) apiDecidePlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	var b PlanDecisionBody
	if err := decode(r, &b); err != nil {
		return err
	}
	p, err := s.decidePlan(r.Context(), c, id, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// decidePlan is the burden office's decision on a plan in review: the
// office whose scope covers the unit of the plan's office, as for demands
// in review (demands.review).
func (s *Server) decidePlan(ctx context.Context, c *Ctx, id int64, b PlanDecisionBody) (*visits.Plan, error) {
	p, err := s.visiblePlan(ctx, c, id)
	if err != nil {
		return nil, err
	}
	o, err := s.db.Office(ctx, p.OfficeID)
	if err != nil {
		return nil, err
	}
	if err := c.Require(access.ReviewDemands, o.UnitCode); err != nil {
		return nil, err
	}
	if strings.TrimSpace(b.Reason) == "" {
		return nil, invalid("reason", "error.required", "reason")
	}
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		var err error
		p, err = tx.DecidePlan(ctx, id, b.Approve, b.Reason)
		return err
	})
	if err != nil {
		return nil, gateError(err)
	}
	return p, nil
}

func (s *Server) apiCommitItemDraw(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	rec, err := s.commitItemDraw(r, c)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/draws/"+itoa64(rec.ID))
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

// commitItemDraw commits the draw of an item of an approved plan of the
// person's office.
func (s *Server) commitItemDraw(r *http.Request, c *Ctx) (*store.DrawRecord, error) {
	id, err := idParam(r)
	if err != nil {
		return nil, err
	}
	itemID, err := strconv.ParseInt(r.PathValue("item"), 10, 64)
	if err != nil || itemID <= 0 {
		return nil, invalid("item", "error.bad_number", "item", r.PathValue("item"))
	}
	p, err := s.ownPlan(r.Context(), c, id)
	if err != nil {
		return nil, err
	}
	if p.Status != visits.PlanApproved {
		return nil, &Error{Code: CodeConflict, Message: i18n.Both("error.visits.not_approved", string(p.Status))}
	}
	var it *visits.Item
	for i := range p.Items {
		if p.Items[i].ID == itemID {
			it = &p.Items[i]
		}
	}
	if it == nil {
		return nil, errorf(CodeNotFound, "error.not_found")
	}
	if it.DrawID != 0 {
		return nil, &Error{Code: CodeConflict, Message: i18n.Both("error.visits.drawn", it.Code, it.DrawID)}
	}
	// The draw takes its inspectors from the register of the item's
	// county (or else of the office's unit): too few is the office's to fix.
	county := it.Scope
	if len(county) > 6 {
		county = county[:6]
	}
	reg, err := s.db.Inspectors(r.Context(), store.InspectorFilter{Under: county, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	if len(reg) == 0 {
		if o, err := s.db.Office(r.Context(), p.OfficeID); err == nil {
			if reg, err = s.db.Inspectors(r.Context(), store.InspectorFilter{Under: o.UnitCode, ActiveOnly: true}); err != nil {
				return nil, err
			}
		}
	}
	if len(reg) < it.Team {
		return nil, &Error{Code: CodeConflict, Message: i18n.Both("error.visits.too_few", it.Code, len(reg), county, it.Team)}
	}
	var rec *store.DrawRecord
	err = s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		var err error
		rec, err = tx.CommitItemDraw(r.Context(), itemID)
		return err
	})
	if err != nil {
		return nil, gateError(err)
	}
	return rec, nil
}

func (s *Server) apiPlanResults(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	res, err := s.planResults(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// planResults gathers the published part of an approved plan.
func (s *Server) planResults(r *http.Request, c *Ctx) (*PlanResults, error) {
	id, err := idParam(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	p, err := s.db.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != visits.PlanApproved {
		return nil, errorf(CodeNotFound, "error.not_found")
	}
	items, err := s.db.PlanResults(ctx, id)
	if err != nil {
		return nil, err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return nil, err
	}
	out := &PlanResults{Plan: p.ID, Title: p.Title, Year: p.Year, Items: []store.ItemResult{}, Names: map[string]string{}}
	if o, err := s.db.Office(ctx, p.OfficeID); err == nil {
		out.Office = o.Name
		if c.Lang == i18n.EN && o.NameEN != "" {
			out.Office = o.NameEN
		}
	}
	for _, it := range items {
		if !it.Published || it.Draw == nil || it.Draw.Status != "revealed" {
			continue
		}
		for _, v := range it.Visits {
			out.Names[v.Unit] = placeOf(t, v.Unit, v.Unit)
		}
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// ---- the inspector register

// registerScopes are where a person keeps the register: the burden office
// and administrators.
func registerScopes(c *Ctx) []string { return c.P.Scopes(access.ScheduleVisits) }

func (s *Server) apiInspectors(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	list, err := s.inspectorsOf(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) inspectorsOf(ctx context.Context, c *Ctx) ([]visits.RegisteredInspector, error) {
	scopes := registerScopes(c)
	if len(scopes) == 0 {
		return nil, errorf(CodeForbidden, "error.forbidden", placeName(c.Person.UnitCode), string(access.ScheduleVisits))
	}
	out := []visits.RegisteredInspector{}
	for _, sc := range scopes {
		l, err := s.db.Inspectors(ctx, store.InspectorFilter{Under: sc})
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	slices.SortFunc(out, func(a, b visits.RegisteredInspector) int { return strings.Compare(a.Number, b.Number) })
	return out, nil
}

func (s *Server) apiAddInspector(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var in visits.RegisteredInspector
	if err := decode(r, &in); err != nil {
		return err
	}
	in.ID = 0
	if err := s.saveInspector(r.Context(), c, &in); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, in)
	return nil
}

func (s *Server) apiChangeInspector(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if _, err := s.registeredInspector(r.Context(), c, id); err != nil {
		return err
	}
	var in visits.RegisteredInspector
	if err := decode(r, &in); err != nil {
		return err
	}
	in.ID = id
	if err := s.saveInspector(r.Context(), c, &in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

// registeredInspector finds a register entry within the person's scopes.
func (s *Server) registeredInspector(ctx context.Context, c *Ctx, id int64) (*visits.RegisteredInspector, error) {
	list, err := s.inspectorsOf(ctx, c)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, errorf(CodeNotFound, "error.not_found")
}

// saveInspector checks an entry and saves it: its office must lie in the
// person's register scope, its places must be known.
func (s *Server) saveInspector(ctx context.Context, c *Ctx, in *visits.RegisteredInspector) error {
	in.Number, in.Name = strings.TrimSpace(in.Number), strings.TrimSpace(in.Name)
	if in.Number == "" {
		return invalid("number", "error.required", "number")
	}
	if in.Name == "" {
		return invalid("name", "error.required", "name")
	}
	if in.OfficeID <= 0 {
		return invalid("office", "error.required", "office")
	}
	o, err := s.db.Office(ctx, in.OfficeID)
	if errors.Is(err, store.ErrNotFound) {
		return invalid("office", "error.visits.office", in.OfficeID)
	}
	if err != nil {
		return err
	}
	if err := c.Require(access.ScheduleVisits, o.UnitCode); err != nil {
		return err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	if _, err := knownCode(t, "works", in.Works); err != nil {
		return err
	}
	if in.Origin != "" {
		if _, err := knownCode(t, "origin", in.Origin); err != nil {
			return err
		}
	}
	for i, rel := range in.Relations {
		if _, err := knownCode(t, "relations["+strconv.Itoa(i)+"]", rel); err != nil {
			return err
		}
	}
	if in.Capacity < 1 || in.Capacity > 10 {
		return invalid("capacity", "error.visits.capacity", in.Capacity)
	}
	if in.MaxTravel < 1 || in.MaxTravel > 24*60 {
		return invalid("max_travel", "error.visits.max_travel", in.MaxTravel)
	}
	if in.PersonID < 0 {
		return invalid("person", "error.bad_number", "person", strconv.FormatInt(in.PersonID, 10))
	}
	return s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return gateError(tx.SaveInspector(ctx, in)) })
}

// ---- schedule runs

func (s *Server) apiSchedule(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b ScheduleBody
	if err := decode(r, &b); err != nil {
		return err
	}
	run, err := s.schedule(r.Context(), c, b)
	if err != nil {
		return err
	}
	v, err := s.runView(r.Context(), run)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// scheduleWindow checks a run's scope and window. A window may cross a
// year end: each year's part is scheduled with that year's items.
func (s *Server) scheduleWindow(ctx context.Context, c *Ctx, b *ScheduleBody) (calendar.Date, calendar.Date, error) {
	var from, to calendar.Date
	t, err := c.Tree(ctx)
	if err != nil {
		return from, to, err
	}
	b.Scope = strings.TrimSpace(b.Scope)
	if b.Scope != "" {
		if _, err := knownCode(t, "scope", b.Scope); err != nil {
			return from, to, err
		}
	}
	if err := c.Require(access.ScheduleVisits, b.Scope); err != nil {
		return from, to, err
	}
	from, err = calendar.ParseDate(strings.TrimSpace(b.From))
	if err != nil {
		return from, to, invalid("from", "error.bad_date", "from", b.From)
	}
	to, err = calendar.ParseDate(strings.TrimSpace(b.To))
	if err != nil {
		return from, to, invalid("to", "error.bad_date", "to", b.To)
	}
	if to.Before(from) || to.Sub(from) > 366 {
		return from, to, invalid("to", "error.visits.window_span", b.From, b.To)
	}
	return from, to, nil
}

// schedule checks a run's scope and window and runs the scheduler: at
// once when it replaces no planned visit, else only with the token of its
// preview (b.Confirm).
func (s *Server) schedule(ctx context.Context, c *Ctx, b ScheduleBody) (*store.ScheduleRun, error) {
	from, to, err := s.scheduleWindow(ctx, c, &b)
	if err != nil {
		return nil, err
	}
	var run *store.ScheduleRun
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		var err error
		run, err = tx.ScheduleWindow(ctx, b.Scope, from, to, visits.Options{}, strings.TrimSpace(b.Confirm))
		return err
	})
	if err != nil {
		return nil, gateError(err)
	}
	return run, nil
}

func (s *Server) apiSchedulePreview(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b ScheduleBody
	if err := decode(r, &b); err != nil {
		return err
	}
	v, err := s.previewSchedule(r.Context(), c, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// previewSchedule works out what a run would do, changing nothing.
func (s *Server) previewSchedule(ctx context.Context, c *Ctx, b ScheduleBody) (*SchedulePreviewView, error) {
	from, to, err := s.scheduleWindow(ctx, c, &b)
	if err != nil {
		return nil, err
	}
	var p *store.SchedulePreview
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		var err error
		p, err = tx.PreviewSchedule(ctx, b.Scope, from, to, visits.Options{})
		return err
	})
	if err != nil {
		return nil, gateError(err)
	}
	return s.previewView(ctx, c, p)
}

// itemNames names plan items by title with their codes, in both languages.
func (s *Server) itemNames(ctx context.Context, cache map[string]i18n.Text, codes []string) (i18n.Text, error) {
	var zh, en []string
	for _, code := range codes {
		name, ok := cache[code]
		if !ok {
			name = i18n.Text{ZH: code, EN: code}
			it, _, err := s.db.PlanItemByCode(ctx, code)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return name, err
			}
			if err == nil {
				title := it.Title
				if it.TitleEN != "" {
					title = it.TitleEN
				}
				name = i18n.Text{ZH: it.Title + "（" + code + "）", EN: title + " (" + code + ")"}
			}
			cache[code] = name
		}
		zh, en = append(zh, name.ZH), append(en, name.EN)
	}
	return i18n.Text{ZH: strings.Join(zh, "、"), EN: strings.Join(en, ", ")}, nil
}

// previewView seals a preview as runView seals a run: while any draw of
// its items is sealed, its changes are counted by kind and items only,
// with the reasons sealed, and nothing else.
func (s *Server) previewView(ctx context.Context, c *Ctx, p *store.SchedulePreview) (*SchedulePreviewView, error) {
	rv, err := s.runView(ctx, p.Run)
	if err != nil {
		return nil, err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return nil, err
	}
	run := p.Run
	out := &SchedulePreviewView{RunView: rv, Token: p.Token, Changes: []ScheduleChangeView{},
		Summary: i18n.Both("visits.preview.summary", run.Unchanged, run.Moved, run.Added, run.Dropped, run.Notified, run.Kept)}
	if rv.Sealed {
		// As a run's figures: nothing of what it would do while sealed.
		out.Summary = i18n.Both("visits.preview.withheld")
		return out, nil
	}
	names := map[string]i18n.Text{}
	for _, ch := range p.Changes {
		what, err := s.itemNames(ctx, names, ch.Items)
		if err != nil {
			return nil, err
		}
		v := ScheduleChangeView{Change: ch.Change, Count: 1, Items: ch.Items, Visit: ch.Visit, Unit: ch.Unit, Day: ch.Day, NewDay: ch.NewDay,
			Team: ch.Team, NewTeam: ch.NewTeam, Why: ch.Why, Reasons: ch.Reasons}
		where := placeOf(t, ch.Unit, ch.Unit) + " (" + ch.Unit + ")"
		switch ch.Change {
		case store.ChangeKept:
			v.Message = i18n.Both("visits.preview.kept", ch.Visit, where, ch.Day.String(), what)
		case store.ChangeMoved:
			why := i18n.Both("visits.preview.why."+ch.Why, strings.Join(ch.Away, ", "))
			v.Message = i18n.Both("visits.preview.moved", ch.Visit, where, ch.Day.String(), ch.NewDay.String(), what, why)
		case store.ChangeAdded:
			v.Message = i18n.Both("visits.preview.added", where, ch.NewDay.String(), what)
		case store.ChangeDropped:
			v.Message = i18n.Both("visits.preview.dropped", ch.Visit, where, ch.Day.String(), what)
		}
		if ch.Told && ch.Change != store.ChangeKept {
			v.Told = 1
			v.Message = i18n.Both("visits.preview.told_one", v.Message)
		}
		out.Changes = append(out.Changes, v)
	}
	return out, nil
}

func (s *Server) apiScheduleRuns(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	views, err := s.runsOf(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, views)
	return nil
}

func (s *Server) runsOf(ctx context.Context, c *Ctx) ([]RunView, error) {
	scopes := registerScopes(c)
	if len(scopes) == 0 {
		return nil, errorf(CodeForbidden, "error.forbidden", placeName(c.Person.UnitCode), string(access.ScheduleVisits))
	}
	out := []RunView{}
	for _, sc := range scopes {
		runs, err := s.db.ScheduleRuns(ctx, sc)
		if err != nil {
			return nil, err
		}
		for _, run := range runs {
			v, err := s.runView(ctx, run)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// runView seals a run's unplaced visits unless every draw of its items is
// revealed.
func (s *Server) runView(ctx context.Context, run *store.ScheduleRun) (RunView, error) {
	sealed := false
	for _, code := range run.Items {
		rev, err := s.itemRevealed(ctx, code)
		if err != nil {
			return RunView{}, err
		}
		if !rev {
			sealed = true
			break
		}
	}
	v := RunView{ScheduleRun: run, Sealed: sealed, Unscheduled: []UnscheduledView{}}
	if sealed {
		// Where the scheduler could place a sealed visit, and what it did
		// to earlier ones, depends on the sealed teams and targets: the
		// register's keeper could mark an inspector away and see whether a
		// figure moves. While any draw of the run is sealed its figures are
		// withheld, all of them, and shown once every draw is revealed.
		withheld := *run
		withheld.Stats = visits.Stats{ByRule: map[string]int{}}
		withheld.Kept, withheld.Replaced, withheld.Unchanged, withheld.Moved, withheld.Dropped = 0, 0, 0, 0, 0
		withheld.Added, withheld.Notified, withheld.Standing, withheld.ReplacedLater = 0, 0, 0, 0
		v.ScheduleRun = &withheld
		return v, nil
	}
	for _, u := range run.Unscheduled() {
		uv := UnscheduledView{Items: u.Items, Reasons: slices.Clone(u.Reasons)}
		if sealed {
			// The unit out of the field and the message alike.
			for i := range uv.Reasons {
				uv.Reasons[i] = uv.Reasons[i].Sealed()
			}
		} else {
			uv.Unit = u.Unit
		}
		v.Unscheduled = append(v.Unscheduled, uv)
	}
	return v, nil
}

// itemRevealed reports whether a plan item's draw is revealed.
func (s *Server) itemRevealed(ctx context.Context, code string) (bool, error) {
	it, _, err := s.db.PlanItemByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if it.DrawID == 0 {
		return false, nil
	}
	d, err := s.db.DrawByID(ctx, it.DrawID)
	if err != nil {
		return false, err
	}
	return d.Status == "revealed", nil
}

// ---- visits

// inspectorMe is the register entry of the inspector asking.
func (s *Server) inspectorMe(ctx context.Context, c *Ctx) (*visits.RegisteredInspector, error) {
	if !c.P.CanSomewhere(access.FieldVisits) {
		return nil, errorf(CodeForbidden, "error.visits.not_inspector")
	}
	in, err := s.db.InspectorByPerson(ctx, c.Person.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(CodeForbidden, "error.visits.not_inspector")
	}
	return in, err
}

// today is the day in China's time zone by the store's clock.
func (s *Server) today() calendar.Date { return calendar.DateOf(s.db.Now().In(gate.China)) }

// sealedView is a visit as a team member sees it.
func (s *Server) sealedView(ctx context.Context, c *Ctx, v *visits.ScheduledVisit, number string) (VisitView, error) {
	out := VisitView{ID: v.ID, Day: v.Day, Team: v.Team, Leader: v.Leader() == number, Status: v.Status, Items: []VisitItemView{}}
	for _, iv := range v.Items {
		view := VisitItemView{Code: iv.Item}
		if it, p, err := s.db.PlanItemByCode(ctx, iv.Item); err == nil {
			view.Title, view.Kind, view.Office, view.Checklist = it.Title, it.Kind, p.OfficeID, it.Checklist
			if c.Lang == i18n.EN && it.TitleEN != "" {
				view.Title = it.TitleEN
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return out, err
		}
		out.Items = append(out.Items, view)
	}
	if v.Status != visits.Planned {
		t, err := c.Tree(ctx)
		if err != nil {
			return out, err
		}
		u, _ := t.Get(v.Unit)
		out.Target = &UnitRef{Code: v.Unit, Name: placeOf(t, v.Unit, v.Unit), Level: u.Level.String()}
		if v.Started != nil {
			out.Started = chinaTime(*v.Started)
		}
	}
	return out, nil
}

func (s *Server) apiMyVisits(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	mv, err := s.myVisits(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, mv)
	return nil
}

// orderForToday puts the day's work first, as a phone shows it: today's
// visits and those started, then the coming ones soonest first, then the
// past ones, latest first.
func orderForToday(vs []VisitView, today calendar.Date) {
	group := func(v VisitView) int {
		switch {
		case v.Day == today || v.Status == visits.Started:
			return 0
		case v.Day.After(today):
			return 1
		}
		return 2
	}
	slices.SortStableFunc(vs, func(a, b VisitView) int {
		ga, gb := group(a), group(b)
		if ga != gb {
			return ga - gb
		}
		if ga == 2 {
			return b.Day.Compare(a.Day)
		}
		return a.Day.Compare(b.Day)
	})
}

func (s *Server) myVisits(ctx context.Context, c *Ctx) (*MyVisits, error) {
	in, err := s.inspectorMe(ctx, c)
	if err != nil {
		return nil, err
	}
	today := s.today()
	list, err := s.db.VisitsOfInspector(ctx, in.Number, today.AddDays(-62), today.AddDays(366))
	if err != nil {
		return nil, err
	}
	out := &MyVisits{Number: in.Number, Visits: []VisitView{}, Notices: []VisitNoticeView{}}
	for i := range list {
		v, err := s.sealedView(ctx, c, &list[i], in.Number)
		if err != nil {
			return nil, err
		}
		out.Visits = append(out.Visits, v)
	}
	orderForToday(out.Visits, today)
	// The leader has now been shown these days: a run that moves one
	// of these visits tells the team.
	if err := s.db.MarkVisitsShown(ctx, in.Number, list); err != nil {
		return nil, err
	}
	notices, err := s.db.VisitNotices(ctx, in.Number, today.AddDays(-14))
	if err != nil {
		return nil, err
	}
	for _, n := range notices {
		nv := VisitNoticeView{VisitNotice: n}
		when := chinaTime(n.At)
		switch {
		case n.Moved && n.OnTeam:
			nv.Message = i18n.Both("visits.notice.moved", when, n.Visit, n.Day.String(), n.NewDay.String(), n.ReplacedBy)
		case n.Moved:
			nv.Message = i18n.Both("visits.notice.moved_off", when, n.Visit, n.Day.String())
		default:
			nv.Message = i18n.Both("visits.notice.dropped", when, n.Visit, n.Day.String())
		}
		out.Notices = append(out.Notices, nv)
	}
	return out, nil
}

// teamVisit reads a visit of the inspector asking; others learn nothing
// of it, not even that it exists.
func (s *Server) teamVisit(r *http.Request, c *Ctx) (*visits.ScheduledVisit, *visits.RegisteredInspector, error) {
	id, err := idParam(r)
	if err != nil {
		return nil, nil, err
	}
	in, err := s.inspectorMe(r.Context(), c)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.db.Visit(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(v.Team, in.Number) {
		return nil, nil, errorf(CodeNotFound, "error.not_found")
	}
	return v, in, nil
}

func (s *Server) apiVisit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, in, err := s.teamVisit(r, c)
	if err != nil {
		return err
	}
	if err := s.db.MarkVisitsShown(r.Context(), in.Number, []visits.ScheduledVisit{*v}); err != nil {
		return err
	}
	view, err := s.sealedView(r.Context(), c, v, in.Number)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

func (s *Server) apiStartVisit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, in, err := s.startVisit(r, c)
	if err != nil {
		return err
	}
	view, err := s.sealedView(r.Context(), c, v, in.Number)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

// startVisit opens a visit's target to its leader on the visit's day.
func (s *Server) startVisit(r *http.Request, c *Ctx) (*visits.ScheduledVisit, *visits.RegisteredInspector, error) {
	v, in, err := s.teamVisit(r, c)
	if err != nil {
		return nil, nil, err
	}
	if v.Leader() != in.Number {
		return nil, nil, errorf(CodeForbidden, "error.visits.not_leader")
	}
	if v.Status != visits.Planned {
		return v, in, nil // started already: the leader sees it again
	}
	if today := s.today(); today != v.Day {
		return nil, nil, &Error{Code: CodeConflict, Message: i18n.Both("error.visits.not_today", v.Day.String())}
	}
	var started *visits.ScheduledVisit
	err = s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		var err error
		started, err = tx.StartVisit(r.Context(), v.ID, in.Number)
		return err
	})
	if err != nil {
		return nil, nil, gateError(err)
	}
	return started, in, nil
}

// startedTeamVisit is a started visit of the inspector asking.
func (s *Server) startedTeamVisit(r *http.Request, c *Ctx) (*visits.ScheduledVisit, *visits.RegisteredInspector, error) {
	v, in, err := s.teamVisit(r, c)
	if err != nil {
		return nil, nil, err
	}
	if v.Status == visits.Planned {
		return nil, nil, &Error{Code: CodeConflict, Message: i18n.Both("error.visits.not_started")}
	}
	return v, in, nil
}

// recordReader says who reads a visit's field record, versions and
// photos: its team once started; once every draw of the items it serves
// is revealed, also the offices whose items it serves, the burden office
// and auditors over the unit. Until then a record names its target (the
// claims' reported values, the GPS point, the photos), so nobody else
// reads it, whatever their area: the answer must not depend on whether
// the target lies in it (visit.sealed).
type recordReader int

const (
	noReader recordReader = iota
	teamReader
	publicReader // after the reveal, not of the team: photos without metadata
)

func (s *Server) recordReaderOf(ctx context.Context, c *Ctx, v *visits.ScheduledVisit) (recordReader, error) {
	if v.Status == visits.Planned || !c.P.SignedIn() {
		return noReader, nil
	}
	if c.P.CanSomewhere(access.FieldVisits) {
		if in, err := s.db.InspectorByPerson(ctx, c.Person.ID); err == nil && slices.Contains(v.Team, in.Number) {
			return teamReader, nil
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return noReader, err
		}
	}
	for _, iv := range v.Items {
		rev, err := s.itemRevealed(ctx, iv.Item)
		if err != nil {
			return noReader, err
		}
		if !rev {
			return noReader, nil
		}
	}
	if c.P.Can(access.ScheduleVisits, v.Unit) || c.P.Can(access.ReadAudit, v.Unit) {
		return publicReader, nil
	}
	if c.Person.OfficeID != 0 {
		for _, iv := range v.Items {
			_, p, err := s.db.PlanItemByCode(ctx, iv.Item)
			if err == nil && p.OfficeID == c.Person.OfficeID {
				return publicReader, nil
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return noReader, err
			}
		}
	}
	return noReader, nil
}

// mayReadRecord reports whether c reads the visit's field record.
func (s *Server) mayReadRecord(ctx context.Context, c *Ctx, v *visits.ScheduledVisit) (bool, error) {
	who, err := s.recordReaderOf(ctx, c, v)
	return who != noReader, err
}

// readableRecord is the visit id of the request, if c may read its field
// record; otherwise not found, as if there were no such visit.
func (s *Server) readableRecord(r *http.Request, c *Ctx) (int64, error) {
	id, err := idParam(r)
	if err != nil {
		return 0, err
	}
	v, err := s.db.Visit(r.Context(), id)
	if err != nil {
		return 0, err
	}
	ok, err := s.mayReadRecord(r.Context(), c, v)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errorf(CodeNotFound, "error.not_found")
	}
	return id, nil
}

func (s *Server) apiFieldRecord(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := s.readableRecord(r, c)
	if err != nil {
		return err
	}
	rec, err := s.db.FieldRecord(r.Context(), id)
	if err != nil {
		return err
	}
	if rec == nil {
		rec = &visits.FieldRecord{VisitID: id, Checks: []visits.CheckResult{}, Claims: []visits.Claim{}, Findings: []visits.Finding{}}
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// apiFieldRecordVersions lists the saved versions of a visit's field
// record to those who may read the record.
func (s *Server) apiFieldRecordVersions(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := s.readableRecord(r, c)
	if err != nil {
		return err
	}
	versions, err := s.db.FieldRecordVersions(r.Context(), id)
	if err != nil {
		return err
	}
	if versions == nil {
		versions = []store.FieldRecordVersion{}
	}
	writeJSON(w, http.StatusOK, versions)
	return nil
}

func (s *Server) apiSaveFieldRecord(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, _, err := s.startedTeamVisit(r, c)
	if err != nil {
		return err
	}
	var b FieldRecordBody
	if err := decode(r, &b); err != nil {
		return err
	}
	rec, err := s.saveFieldRecord(r.Context(), c, v, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

var severities = []string{"info", "minor", "major"}

// rowErr says which line of a list is wrong and what was expected.
func rowErr(list string, row int, field, expect string, args ...any) *Error {
	return invalid(list+"["+strconv.Itoa(row)+"]."+field, "error.visits.row", list, row+1, field, i18n.Both(expect, args...))
}

// checkFieldRecord checks a record against the visit's checklists.
func checkFieldRecord(v *visits.ScheduledVisit, lists map[string][]visits.CheckItem, b *FieldRecordBody) error {
	served := map[string]bool{}
	for _, iv := range v.Items {
		served[iv.Item] = true
	}
	for i := range b.Checks {
		ck := &b.Checks[i]
		if !served[ck.Item] {
			return rowErr("checks", i, "item", "error.visits.expect.item", ck.Item)
		}
		if !slices.ContainsFunc(lists[ck.Item], func(x visits.CheckItem) bool { return x.Code == ck.Check }) {
			return rowErr("checks", i, "check", "error.visits.expect.check", ck.Check, ck.Item)
		}
		if ck.Result != "pass" && ck.Result != "fail" && ck.Result != "na" {
			return rowErr("checks", i, "result", "error.visits.expect.result", ck.Result)
		}
	}
	for i := range b.Claims {
		cl := &b.Claims[i]
		cl.Label, cl.Seen = strings.TrimSpace(cl.Label), strings.TrimSpace(cl.Seen)
		cl.Reported, cl.Discrepancy = "", false // filled in by lighten, never entered
		if cl.Label == "" {
			return rowErr("claims", i, "label", "error.visits.expect.text")
		}
		if cl.Seen == "" {
			return rowErr("claims", i, "seen", "error.visits.expect.text")
		}
	}
	for i := range b.Findings {
		fd := &b.Findings[i]
		fd.Text = strings.TrimSpace(fd.Text)
		if fd.Text == "" {
			return rowErr("findings", i, "text", "error.visits.expect.text")
		}
		if fd.Severity == "" {
			fd.Severity = "info"
		}
		if !slices.Contains(severities, fd.Severity) {
			return rowErr("findings", i, "severity", "error.visits.expect.severity", fd.Severity)
		}
		if fd.Item != "" && !served[fd.Item] {
			return rowErr("findings", i, "item", "error.visits.expect.item", fd.Item)
		}
	}
	if p := b.Point; p != nil {
		if p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 || math.IsNaN(p.Lat) || math.IsNaN(p.Lon) {
			return invalid("point", "error.visits.point")
		}
	}
	if b.Accuracy < 0 || math.IsNaN(b.Accuracy) {
		return invalid("accuracy", "error.visits.point")
	}
	return nil
}

// saveFieldRecord checks and saves a started visit's field record.
func (s *Server) saveFieldRecord(ctx context.Context, c *Ctx, v *visits.ScheduledVisit, b FieldRecordBody) (*visits.FieldRecord, error) {
	if v.Status == visits.Done {
		return nil, &Error{Code: CodeConflict, Message: i18n.Both("error.visits.done")}
	}
	lists := map[string][]visits.CheckItem{}
	for _, iv := range v.Items {
		if it, _, err := s.db.PlanItemByCode(ctx, iv.Item); err == nil {
			lists[iv.Item] = it.Checklist
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if err := checkFieldRecord(v, lists, &b); err != nil {
		return nil, err
	}
	old, err := s.db.FieldRecord(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	rec := &visits.FieldRecord{VisitID: v.ID, Checks: b.Checks, Claims: b.Claims, Point: b.Point, Accuracy: b.Accuracy,
		Findings: b.Findings, By: c.Person.ID}
	if old != nil {
		rec.Photos = old.Photos
	}
	if rec.Checks == nil {
		rec.Checks = []visits.CheckResult{}
	}
	if rec.Claims == nil {
		rec.Claims = []visits.Claim{}
	}
	if rec.Findings == nil {
		rec.Findings = []visits.Finding{}
	}
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.SaveFieldRecord(ctx, rec, b.Done) }); err != nil {
		return nil, gateError(err)
	}
	return rec, nil
}

func (s *Server) apiAddPhoto(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, _, err := s.startedTeamVisit(r, c)
	if err != nil {
		return err
	}
	ph, err := s.addPhoto(w, r, c, v)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/photos/"+itoa64(ph.ID))
	writeJSON(w, http.StatusCreated, ph)
	return nil
}

// addPhoto reads the multipart field photo (an image, maxPhoto at most).
func (s *Server) addPhoto(w http.ResponseWriter, r *http.Request, c *Ctx, v *visits.ScheduledVisit) (visits.Photo, error) {
	if v.Status == visits.Done {
		return visits.Photo{}, &Error{Code: CodeConflict, Message: i18n.Both("error.visits.done")}
	}
	if err := parseMultipartPhoto(w, r); err != nil {
		return visits.Photo{}, err
	}
	ph, _, err := s.storePhoto(r, c, v)
	return ph, err
}

// parseMultipartPhoto reads a multipart form that may carry a photo,
// bounded by a photo's size and a form's.
func parseMultipartPhoto(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPhoto+maxForm)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errorf(CodeTooLarge, "error.too_large", maxPhoto)
		}
		return invalid("photo", "error.visits.photo")
	}
	if err := checkForm(r); err != nil {
		return err
	}
	return nil
}

// photoAttached reports whether a parsed multipart form carries a file in
// its photo field.
func photoAttached(r *http.Request) bool {
	if r.MultipartForm == nil {
		return false
	}
	fs := r.MultipartForm.File["photo"]
	return len(fs) > 0 && fs[0].Size > 0
}

// storePhoto checks and stores the photo of a parsed multipart form; ok
// is false when there is none.
func (s *Server) storePhoto(r *http.Request, c *Ctx, v *visits.ScheduledVisit) (visits.Photo, bool, error) {
	file, hdr, err := r.FormFile("photo")
	if err != nil {
		return visits.Photo{}, false, invalid("photo", "error.visits.photo")
	}
	defer file.Close()
	if hdr.Size > maxPhoto {
		return visits.Photo{}, true, errorf(CodeTooLarge, "error.too_large", maxPhoto)
	}
	data := make([]byte, hdr.Size)
	if _, err := io.ReadFull(file, data); err != nil {
		return visits.Photo{}, true, invalid("photo", "error.visits.photo")
	}
	typ := http.DetectContentType(data)
	if !strings.HasPrefix(typ, "image/") {
		return visits.Photo{}, true, invalid("photo", "error.visits.photo_type", typ)
	}
	// Only formats whose metadata can be stripped for readers outside the
	// team, and only well-formed ones.
	if _, err := visits.StripMetadata(typ, data); err != nil {
		return visits.Photo{}, true, invalid("photo", "error.visits.photo_format", typ)
	}
	// A file's name is kept for people to read: what text may not hold
	// is shown as '?' rather than refusing the photo.
	name := textrule.Printable(strings.TrimSpace(hdr.Filename))
	if name == "" || len(name) > 200 {
		name = "photo"
	}
	var ph visits.Photo
	err = s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		var err error
		ph, err = tx.AddPhoto(r.Context(), v.ID, name, typ, s.db.Now(), data)
		return err
	})
	if err != nil {
		return ph, true, gateError(err)
	}
	return ph, true, nil
}

func (s *Server) apiPhoto(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ph, visitID, data, err := s.db.Photo(r.Context(), id)
	if err != nil {
		return err
	}
	v, err := s.db.Visit(r.Context(), visitID)
	if err != nil {
		return err
	}
	who, err := s.recordReaderOf(r.Context(), c, v)
	if err != nil {
		return err
	}
	sum := ph.SHA256
	switch who {
	case noReader:
		return errorf(CodeNotFound, "error.not_found")
	case publicReader:
		// Others than the team get a copy without metadata (EXIF GPS, the
		// device, the time), with its own checksum; the team keeps the
		// original and the checksum recorded at the upload.
		if data, err = visits.StripMetadata(ph.Type, data); err != nil {
			return errorf(CodeNotFound, "error.not_found")
		}
		b := sha256.Sum256(data)
		sum = hex.EncodeToString(b[:])
	}
	h := w.Header()
	h.Set("Content-Type", ph.Type)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-SHA256", sum)
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
	return nil
}

// ---- the iCal feed

func (s *Server) apiCalendarToken(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	in, err := s.inspectorMe(r.Context(), c)
	if err != nil {
		return err
	}
	var token string
	err = s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		var err error
		token, err = tx.CalendarToken(r.Context(), in.ID)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, CalendarFeed{Token: token, URL: s.absURL(r, "/ical/"+token+".ics")})
	return nil
}
