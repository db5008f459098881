package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"lighten/internal/access"
	"lighten/internal/calendar"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// visitUIRoutes are the pages of visits: plans of an office, the
// inspector register, schedule runs, an inspector's visits and field
// record, a plan's published results and the iCal feed. Each handler
// checks what the API handler of the same thing checks.
func (s *Server) visitUIRoutes() []*route {
	return []*route{
		{Method: "GET", Pattern: "/plans", Auth: signedIn, Action: access.PlanVisits, Summary: "Annual inspection plans", h: s.uiPlans},
		{Method: "POST", Pattern: "/plans", Auth: signedIn, Action: access.PlanVisits, Summary: "Create a draft plan", h: s.uiCreatePlan},
		{Method: "GET", Pattern: "/plans/{id}", Auth: signedIn, Action: access.PlanVisits, Summary: "A plan, its items and checklists", h: s.uiPlan},
		{Method: "POST", Pattern: "/plans/{id}", Auth: signedIn, Action: access.PlanVisits, Summary: "Save a draft plan", h: s.uiSavePlan},
		{Method: "POST", Pattern: "/plans/{id}/submit", Auth: signedIn, Action: access.PlanVisits, Summary: "Submit a plan through the gate", h: s.uiSubmitPlan},
		{Method: "POST", Pattern: "/plans/{id}/decision", Auth: signedIn, Action: access.ReviewDemands, Summary: "Approve or refuse a plan in review", h: s.uiDecidePlan},
		{Method: "POST", Pattern: "/plans/{id}/items/{item}/draw", Auth: signedIn, Action: access.PlanVisits, Summary: "Commit an item's draw", h: s.uiCommitItemDraw},
		{Method: "GET", Pattern: "/plans/{id}/results", Action: access.ReadUnits, Summary: "A plan's published results", h: s.uiPlanResults},
		{Method: "GET", Pattern: "/inspectors", Auth: signedIn, Action: access.ScheduleVisits, Summary: "The inspector register", h: s.uiInspectors},
		{Method: "POST", Pattern: "/inspectors", Auth: signedIn, Action: access.ScheduleVisits, Summary: "Add an inspector", h: s.uiSaveInspector},
		{Method: "POST", Pattern: "/inspectors/{id}", Auth: signedIn, Action: access.ScheduleVisits, Summary: "Change an inspector", h: s.uiSaveInspector},
		{Method: "GET", Pattern: "/schedule", Auth: signedIn, Action: access.ScheduleVisits, Summary: "Schedule runs", h: s.uiSchedule},
		{Method: "POST", Pattern: "/schedule", Auth: signedIn, Action: access.ScheduleVisits, Summary: "Run the joint scheduler", h: s.uiRunSchedule},
		{Method: "GET", Pattern: "/visits", Auth: signedIn, Action: access.FieldVisits, Summary: "My visits", h: s.uiMyVisits},
		{Method: "POST", Pattern: "/visits/{id}/start", Auth: signedIn, Action: access.FieldVisits, Summary: "Start a visit", h: s.uiStartVisit},
		{Method: "GET", Pattern: "/visits/{id}", Auth: signedIn, Action: access.FieldVisits, Summary: "A visit's field record", h: s.uiVisit},
		{Method: "POST", Pattern: "/visits/{id}", Auth: signedIn, Action: access.FieldVisits, Summary: "Save a field record", h: s.uiSaveVisit},
		{Method: "POST", Pattern: "/visits/{id}/photos", Auth: signedIn, Action: access.FieldVisits, Summary: "Upload a photo", h: s.uiAddPhoto},
		{Method: "GET", Pattern: "/ical/{file}", Action: access.ReadUnits, Summary: "An inspector's iCal feed ({token}.ics)", h: s.uiICal},
	}
}

var planStatusKeys = map[string]string{
	"draft": "ui.visits.plan.status.draft", "review": "ui.visits.plan.status.review",
	"approved": "ui.visits.plan.status.approved", "refused": "ui.visits.plan.status.refused",
}

// planVerdictKeys say what the gate's check of a plan would do: a dry run
// decides nothing, and must not read as a decision.
var planVerdictKeys = map[string]string{
	"approved": "ui.visits.plan.verdict.approved", "review": "ui.visits.plan.verdict.review", "refused": "ui.visits.plan.verdict.refused",
}

var planStatusClass = map[visits.PlanStatus]string{
	visits.PlanDraft: "", visits.PlanReview: "review", visits.PlanApproved: "ok", visits.PlanRefused: "block",
}

var itemKindKeys = map[string]string{
	"comprehensive": "ui.visits.kind.comprehensive", "special": "ui.visits.kind.special", "research": "ui.visits.kind.research",
}

var visitStatusKeys = map[string]string{
	"planned": "ui.visits.status.planned", "started": "ui.visits.status.started", "done": "ui.visits.status.done",
}

type planRow struct {
	ID          int64
	Year        int
	Title       string
	Status      string
	StatusClass string
	Items       int
	Own         bool
}

type plansPage struct {
	Plans   []planRow
	CanPlan bool
	Year    int
	Err     string
	Typed   string
	TypedYr string
	Item    itemForm // the new plan's first item
}

func (s *Server) uiPlans(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return s.plansPageWith(w, r, c, http.StatusOK, plansPage{})
}

func (s *Server) plansPageWith(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v plansPage) error {
	plans, err := s.plansOf(r.Context(), c)
	if err != nil {
		return err
	}
	for _, p := range plans {
		v.Plans = append(v.Plans, planRow{ID: p.ID, Year: p.Year, Title: p.Title, Status: label(c, planStatusKeys, string(p.Status)),
			StatusClass: planStatusClass[p.Status], Items: len(p.Items), Own: p.OfficeID == c.Person.OfficeID})
	}
	v.CanPlan = c.Person.OfficeID != 0 && c.P.CanSomewhere(access.PlanVisits)
	v.Item = blankItem(c, 0)
	if v.Year == 0 {
		v.Year = s.db.Now().In(gate.China).Year() + 1
	}
	return s.page(w, r, c, status, "plans", c.T("ui.visits.plans.title"), v)
}

func (s *Server) uiCreatePlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	office, err := s.planOffice(r.Context(), c)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	year, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	p := &visits.Plan{OfficeID: office.ID, Status: visits.PlanDraft}
	b, err := planFromForm(r, p)
	if err == nil {
		err = s.savePlan(r.Context(), c, p, b)
	}
	if err != nil {
		e := asError(gateError(err))
		if e.Code == CodeInternal || e.Code == CodeUnavailable {
			return err
		}
		msg := e.Message.In(c.Lang)
		if e.Field != "" {
			msg = e.Field + ": " + msg
		}
		return s.plansPageWith(w, r, c, e.Status(), plansPage{Err: msg, Typed: r.PostFormValue("title"), TypedYr: r.PostFormValue("year"), Year: year})
	}
	http.Redirect(w, r, fmt.Sprintf("/plans/%d", p.ID), http.StatusSeeOther)
	return nil
}

type checkLine struct {
	Code, Text, Element string
	Scoring             bool
}

type itemForm struct {
	N         int
	ID        int64
	Code      string
	Title     string
	Kind      string
	KindLabel string
	Scope     string
	ScopeName string
	Level     string
	Rate      string
	Team      int
	From, To  string
	Checklist string // one line a check: code | text | element | scoring
	Checks    []checkLine
	Tiers     int
	TiersText string // one line a tier: name | share % | unit codes
	TierLines []tierLine
	DrawID    int64
	CanDraw   bool
	Kinds     []kindOption
	Levels    []levelOption
}

type tierLine struct {
	Name, Rate, Units string
}

type planPage struct {
	ID          int64
	Title       string
	Year        int
	Office      string
	Status      string
	StatusClass string
	Draft       bool
	Own         bool
	Approved    bool
	Items       []itemForm
	Kinds       []kindOption
	Levels      []levelOption
	Findings    []findingView
	Verdict     string
	Err         string
	Done        string
	// Decision is the burden office's decision on the plan, once made in
	// review; CanDecide offers the form to the burden office over the
	// plan's office while the plan is in review.
	Decision     *planDecisionView
	CanDecide    bool
	DecideReason string
	DecideErr    string
}

type planDecisionView struct {
	Label, Class, Reason, By, At string
}

type kindOption struct{ Value, Label string }
type levelOption struct{ Value, Label string }

// planPageOf shows a plan; a draft of the person's office as a form with
// one empty item row more.
func (s *Server) planPageOf(r *http.Request, c *Ctx, p *visits.Plan) (planPage, error) {
	t, err := c.Tree(r.Context())
	if err != nil {
		return planPage{}, err
	}
	v := planPage{ID: p.ID, Title: p.Title, Year: p.Year, Status: label(c, planStatusKeys, string(p.Status)),
		StatusClass: planStatusClass[p.Status], Own: p.OfficeID == c.Person.OfficeID && c.P.CanSomewhere(access.PlanVisits)}
	v.Draft = v.Own && p.Status == visits.PlanDraft
	v.Approved = p.Status == visits.PlanApproved
	if o, err := s.db.Office(r.Context(), p.OfficeID); err == nil {
		v.Office = o.Name
		if c.Lang == i18n.EN && o.NameEN != "" {
			v.Office = o.NameEN
		}
	}
	if d := p.Decision; d != nil {
		dv := &planDecisionView{Label: label(c, planStatusKeys, string(p.Status)), Class: planStatusClass[p.Status], Reason: d.Reason, At: chinaTime(d.At)}
		if who, err := s.db.Person(r.Context(), d.By); err == nil {
			dv.By = who.Name
		} else if !errors.Is(err, store.ErrNotFound) {
			return planPage{}, err
		}
		v.Decision = dv
	}
	if p.Status == visits.PlanReview {
		if o, err := s.db.Office(r.Context(), p.OfficeID); err == nil && c.P.Can(access.ReviewDemands, o.UnitCode) {
			v.CanDecide = true
		}
	}
	v.Kinds, v.Levels = itemKindOptions(c), itemLevelOptions(c)
	for i, it := range p.Items {
		f := itemFormOf(c, t, i, it, v.Own && v.Approved)
		f.Kinds, f.Levels = v.Kinds, v.Levels
		v.Items = append(v.Items, f)
	}
	if v.Draft {
		v.Items = append(v.Items, blankItem(c, len(p.Items)))
	}
	return v, nil
}

// blankItem is an empty item row of a plan form.
func blankItem(c *Ctx, n int) itemForm {
	f := itemForm{N: n, Kind: string(visits.Special), Level: units.Village.String(), Team: 2}
	f.Kinds, f.Levels = itemKindOptions(c), itemLevelOptions(c)
	return f
}

func itemKindOptions(c *Ctx) []kindOption {
	var out []kindOption
	for _, k := range []visits.ItemKind{visits.Comprehensive, visits.Special, visits.Research} {
		out = append(out, kindOption{string(k), label(c, itemKindKeys, string(k))})
	}
	return out
}

func itemLevelOptions(c *Ctx) []levelOption {
	var out []levelOption
	for _, l := range []units.Level{units.Township, units.Village} {
		out = append(out, levelOption{l.String(), c.T(keyOfLevel(l))})
	}
	return out
}

func itemFormOf(c *Ctx, t *units.Tree, n int, it visits.Item, drawable bool) itemForm {
	f := itemForm{N: n, ID: it.ID, Code: it.Code, Title: it.Title, Kind: string(it.Kind), KindLabel: label(c, itemKindKeys, string(it.Kind)),
		Scope: it.Scope, ScopeName: placeOf(t, it.Scope, it.Scope), Level: it.Level.String(),
		Rate: strconv.FormatFloat(it.Rate*100, 'f', -1, 64), Team: it.Team, Tiers: len(it.Tiers), DrawID: it.DrawID}
	if c.Lang == i18n.EN && it.TitleEN != "" {
		f.Title = it.TitleEN
	}
	if !it.From.IsZero() {
		f.From, f.To = it.From.String(), it.To.String()
	}
	var lines []string
	for _, ck := range it.Checklist {
		f.Checks = append(f.Checks, checkLine{ck.Code, ck.Text, ck.Element, ck.Scoring})
		line := ck.Code + " | " + ck.Text
		if ck.Element != "" || ck.Scoring {
			line += " | " + ck.Element
		}
		if ck.Scoring {
			line += " | scoring"
		}
		lines = append(lines, line)
	}
	f.Checklist = strings.Join(lines, "\n")
	f.TiersText = tiersText(it.Tiers)
	for _, ts := range it.Tiers {
		f.TierLines = append(f.TierLines, tierLine{ts.Name, strconv.FormatFloat(ts.Rate*100, 'f', -1, 64), strings.Join(ts.Units, " ")})
	}
	f.CanDraw = drawable && it.DrawID == 0
	return f
}

func (s *Server) uiPlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.visiblePlan(r.Context(), c, id)
	if err != nil {
		return err
	}
	v, err := s.planPageOf(r, c, p)
	if err != nil {
		return err
	}
	if v.CanDecide {
		// What the gate finds in the plan now, for the burden office to weigh.
		if res, err := s.db.CheckPlan(r.Context(), p.ID); err == nil {
			v.Findings = findingViews(c, res.Findings())
			v.Verdict = label(c, planVerdictKeys, string(res.Verdict))
		}
	}
	switch r.URL.Query().Get("done") {
	case "decided":
		v.Done = c.T("ui.visits.plan.done_decided")
	case "saved":
		v.Done = c.T("ui.visits.plan.done_saved")
	case "submitted":
		v.Done = c.T("ui.visits.plan.done_submitted")
	}
	return s.page(w, r, c, http.StatusOK, "plan", c.T("ui.visits.plan.title", p.Title), v)
}

// planFromForm reads a plan form: rows item.N.* while a row has a code or
// a title; the tiers of an item kept by its code.
func planFromForm(r *http.Request, old *visits.Plan) (PlanBody, error) {
	year, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil {
		return PlanBody{}, invalid("year", "error.visits.year", r.PostFormValue("year"))
	}
	b := PlanBody{Year: year, Title: r.PostFormValue("title"), Items: []visits.Item{}}
	tiers := map[string][]visits.TierSpec{}
	for _, it := range old.Items {
		tiers[it.Code] = it.Tiers
	}
	for n := 0; n < 200; n++ {
		get := func(k string) string { return strings.TrimSpace(r.PostFormValue(fmt.Sprintf("item.%d.%s", n, k))) }
		if !r.PostForm.Has(fmt.Sprintf("item.%d.code", n)) {
			break
		}
		if get("code") == "" && get("title") == "" {
			continue
		}
		it := visits.Item{Code: get("code"), Title: get("title"), Kind: visits.ItemKind(get("kind")), Scope: get("scope")}
		row := len(b.Items)
		if get("remove") != "" {
			continue
		}
		lv, err := units.ParseLevel(get("level"))
		if err != nil {
			return b, itemErr(row, "level", "", "error.visits.expect.level", get("level"), it.Scope)
		}
		it.Level = lv
		rate, err := strconv.ParseFloat(get("rate"), 64)
		if err != nil {
			return b, itemErr(row, "rate", "", "error.visits.expect.rate", get("rate"))
		}
		it.Rate = rate / 100
		if it.Team, err = strconv.Atoi(get("team")); err != nil {
			return b, itemErr(row, "team", "", "error.visits.expect.team", 0)
		}
		if it.From, err = calendar.ParseDate(get("from")); err != nil {
			return b, itemErr(row, "from", "", "error.visits.expect.window")
		}
		if it.To, err = calendar.ParseDate(get("to")); err != nil {
			return b, itemErr(row, "to", "", "error.visits.expect.window")
		}
		for j, line := range strings.Split(get("checklist"), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			parts := strings.Split(line, "|")
			for k := range parts {
				parts[k] = strings.TrimSpace(parts[k])
			}
			if len(parts) < 2 {
				return b, itemErr(row, "checklist", "["+strconv.Itoa(j)+"]", "error.visits.expect.check_line", line)
			}
			ck := visits.CheckItem{Code: parts[0], Text: parts[1]}
			if len(parts) > 2 {
				ck.Element = parts[2]
			}
			if len(parts) > 3 {
				ck.Scoring = parts[3] == "scoring" || parts[3] == "计分"
			}
			it.Checklist = append(it.Checklist, ck)
		}
		if it.Checklist == nil {
			it.Checklist = []visits.CheckItem{}
		}
		it.Tiers = tiers[it.Code]
		if r.PostForm.Has(fmt.Sprintf("item.%d.tiers", n)) {
			if it.Tiers, err = tiersFromForm(row, it.Code, get("tiers")); err != nil {
				return b, err
			}
		}
		b.Items = append(b.Items, it)
	}
	return b, nil
}

// tiersFromForm reads an item's risk tiers, one a line:
// "name | share drawn in % | unit codes" with the codes separated by
// spaces or commas; the codes are sorted and kept once.
func tiersFromForm(row int, code, text string) ([]visits.TierSpec, error) {
	out := []visits.TierSpec{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		j := len(out)
		parts := strings.Split(line, "|")
		for k := range parts {
			parts[k] = strings.TrimSpace(parts[k])
		}
		if len(parts) != 3 {
			return nil, tierErr(row, code, j, "", "name", "error.visits.expect.tier_line", line)
		}
		ts := visits.TierSpec{Name: parts[0]}
		if ts.Name == "" {
			return nil, tierErr(row, code, j, "", "name", "error.visits.expect.text")
		}
		pct, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(parts[1], "%")), "％"), 64)
		if err != nil || !(pct > 0 && pct <= 100) {
			return nil, tierErr(row, code, j, ts.Name, "rate", "error.visits.expect.rate", parts[1])
		}
		ts.Rate = pct / 100
		seen := map[string]bool{}
		for _, u := range strings.FieldsFunc(parts[2], func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || unicode.IsSpace(r) }) {
			if !seen[u] {
				seen[u] = true
				ts.Units = append(ts.Units, u)
			}
		}
		if len(ts.Units) == 0 {
			return nil, tierErr(row, code, j, ts.Name, "units", "error.visits.expect.tier_units")
		}
		sort.Strings(ts.Units)
		out = append(out, ts)
	}
	return out, nil
}

// tiersText writes an item's tiers as the form reads them.
func tiersText(ts []visits.TierSpec) string {
	var lines []string
	for _, t := range ts {
		lines = append(lines, t.Name+" | "+strconv.FormatFloat(t.Rate*100, 'f', -1, 64)+" | "+strings.Join(t.Units, " "))
	}
	return strings.Join(lines, "\n")
}

// planAgain shows the plan's page with an error, or the gate's findings.
func (s *Server) planAgain(w http.ResponseWriter, r *http.Request, c *Ctx, p *visits.Plan, status int, err error, res *store.PlanCheck) error {
	v, verr := s.planPageOf(r, c, p)
	if verr != nil {
		return verr
	}
	if err != nil {
		e := asError(gateError(err))
		if e.Code == CodeInternal || e.Code == CodeUnavailable {
			return err
		}
		v.Err, status = e.Message.In(c.Lang), e.Status()
		if e.Field != "" {
			v.Err = e.Field + ": " + v.Err
		}
	}
	if res != nil {
		v.Findings = findingViews(c, res.Findings())
		v.Verdict = label(c, planVerdictKeys, string(res.Verdict))
	}
	return s.page(w, r, c, status, "plan", c.T("ui.visits.plan.title", p.Title), v)
}

func (s *Server) uiSavePlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.ownPlan(r.Context(), c, id)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	b, err := planFromForm(r, p)
	if err == nil {
		err = s.savePlan(r.Context(), c, p, b)
	}
	if err != nil {
		if fresh, rerr := s.db.Plan(r.Context(), id); rerr == nil {
			p = fresh
		}
		return s.planAgain(w, r, c, p, 0, err, nil)
	}
	http.Redirect(w, r, fmt.Sprintf("/plans/%d?done=saved", p.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) uiSubmitPlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.ownPlan(r.Context(), c, id)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if r.PostFormValue("dry") != "" {
		res, err := s.db.CheckPlan(r.Context(), p.ID)
		if err != nil {
			return s.planAgain(w, r, c, p, 0, err, nil)
		}
		return s.planAgain(w, r, c, p, http.StatusOK, nil, res)
	}
	res, err := s.submitPlan(r.Context(), c, id)
	if err != nil {
		return s.planAgain(w, r, c, p, 0, err, nil)
	}
	if fresh, rerr := s.db.Plan(r.Context(), id); rerr == nil {
		p = fresh
	}
	if len(res.Findings()) > 0 {
		// The findings are the answer: show them with the plan.
		return s.planAgain(w, r, c, p, http.StatusOK, nil, res)
	}
	http.Redirect(w, r, fmt.Sprintf("/plans/%d?done=submitted", id), http.StatusSeeOther)
	return nil
}

// uiDecidePlan is the burden office's decision on a plan in review, from
// the plan's page: approve or refuse, with a written reason.
func (s *Server) uiDecidePlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	b := PlanDecisionBody{Approve: r.PostFormValue("decision") == "approve", Reason: r.PostFormValue("reason")}
	if d := r.PostFormValue("decision"); d != "approve" && d != "refuse" {
		return invalid("decision", "ui.visits.plan.decide_choose")
	}
	if _, err := s.decidePlan(r.Context(), c, id, b); err != nil {
		e := asError(err)
		if e.Code != CodeInvalid && e.Code != CodeConflict {
			return err
		}
		p, perr := s.visiblePlan(r.Context(), c, id)
		if perr != nil {
			return err
		}
		v, verr := s.planPageOf(r, c, p)
		if verr != nil {
			return verr
		}
		v.DecideErr, v.DecideReason = e.Message.In(c.Lang), r.PostFormValue("reason")
		return s.page(w, r, c, e.Status(), "plan", c.T("ui.visits.plan.title", p.Title), v)
	}
	http.Redirect(w, r, fmt.Sprintf("/plans/%d?done=decided", id), http.StatusSeeOther)
	return nil
}

func (s *Server) uiCommitItemDraw(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	rec, err := s.commitItemDraw(r, c)
	if err != nil {
		e := asError(err)
		if e.Code == CodeConflict || e.Code == CodeInvalid {
			if id, ierr := idParam(r); ierr == nil {
				if p, perr := s.ownPlan(r.Context(), c, id); perr == nil {
					return s.planAgain(w, r, c, p, 0, err, nil)
				}
			}
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/draws/%d", rec.ID), http.StatusSeeOther)
	return nil
}

// ---- published results

type resultItemView struct {
	Code, Title, Kind string
	Draw              int64
	Visits            []resultVisitView
}

type resultVisitView struct {
	Code, Name, Day           string
	Joint                     bool
	Checks, Failed, Discrepan int
	Findings                  []visits.Finding
}

type resultsPage struct {
	ID     int64
	Title  string
	Office string
	Year   int
	Items  []resultItemView
}

func (s *Server) uiPlanResults(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	res, err := s.planResults(r, c)
	if err != nil {
		return err
	}
	v := resultsPage{ID: res.Plan, Title: res.Title, Office: res.Office, Year: res.Year}
	for _, it := range res.Items {
		iv := resultItemView{Code: it.Item.Code, Title: it.Item.Title, Kind: label(c, itemKindKeys, string(it.Item.Kind))}
		if c.Lang == i18n.EN && it.Item.TitleEN != "" {
			iv.Title = it.Item.TitleEN
		}
		if it.Draw != nil {
			iv.Draw = it.Draw.ID
		}
		for _, vr := range it.Visits {
			iv.Visits = append(iv.Visits, resultVisitView{Code: vr.Unit, Name: res.Names[vr.Unit], Day: vr.Day.String(), Joint: vr.Joint,
				Checks: vr.Checks, Failed: vr.Failed, Discrepan: vr.Discrepancies, Findings: vr.Findings})
		}
		v.Items = append(v.Items, iv)
	}
	return s.page(w, r, c, http.StatusOK, "plan_results", c.T("ui.visits.results.title", res.Title), v)
}

// ---- the inspector register

type inspectorRow struct {
	visits.RegisteredInspector
	OfficeName string
	Relations  string
}

type inspectorsPage struct {
	Inspectors []inspectorRow
	Offices    []units.Office
	Err        string
	Done       string
}

func (s *Server) uiInspectors(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return s.inspectorsPageWith(w, r, c, http.StatusOK, inspectorsPage{})
}

func (s *Server) inspectorsPageWith(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v inspectorsPage) error {
	list, err := s.inspectorsOf(r.Context(), c)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	offices, _, err := s.db.ListOffices(r.Context(), store.ListQuery{Scopes: registerScopes(c), Limit: 1000})
	if err != nil {
		return err
	}
	for _, o := range offices {
		names[o.ID] = o.Name
		v.Offices = append(v.Offices, o)
	}
	for _, in := range list {
		v.Inspectors = append(v.Inspectors, inspectorRow{RegisteredInspector: in, OfficeName: names[in.OfficeID], Relations: strings.Join(in.Relations, " ")})
	}
	if r.URL.Query().Get("done") == "saved" {
		v.Done = c.T("ui.visits.register.done")
	}
	return s.page(w, r, c, status, "inspectors", c.T("ui.visits.register.title"), v)
}

func (s *Server) uiSaveInspector(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	in := visits.RegisteredInspector{Active: true}
	if r.PathValue("id") != "" {
		id, err := idParam(r)
		if err != nil {
			return err
		}
		old, err := s.registeredInspector(r.Context(), c, id)
		if err != nil {
			return err
		}
		in = *old
	}
	get := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	atoi := func(k string) int { n, _ := strconv.Atoi(get(k)); return n }
	if r.PostForm.Has("number") {
		in.Number = get("number")
	}
	if r.PostForm.Has("name") {
		in.Name = get("name")
	}
	if r.PostForm.Has("office") {
		in.OfficeID, _ = strconv.ParseInt(get("office"), 10, 64)
	}
	if r.PostForm.Has("person") {
		in.PersonID, _ = strconv.ParseInt(get("person"), 10, 64)
	}
	if r.PostForm.Has("works") {
		in.Works, in.Origin = get("works"), get("origin")
		in.Relations = strings.Fields(get("relations"))
		in.Capacity, in.MaxTravel = atoi("capacity"), atoi("max_travel")
	}
	if r.PostForm.Has("active") {
		in.Active = get("active") == "1"
	}
	if err := s.saveInspector(r.Context(), c, &in); err != nil {
		e := asError(err)
		if e.Code == CodeInternal || e.Code == CodeUnavailable || e.Code == CodeForbidden {
			return err
		}
		msg := e.Message.In(c.Lang)
		if e.Field != "" {
			msg = e.Field + ": " + msg
		}
		return s.inspectorsPageWith(w, r, c, e.Status(), inspectorsPage{Err: msg})
	}
	http.Redirect(w, r, "/inspectors?done=saved", http.StatusSeeOther)
	return nil
}

// ---- schedule runs

type runRow struct {
	ID          int64
	Scope       string
	From, To    string
	Items       string
	Created     string
	Stats       visits.Stats
	JointRate   string
	Sealed      bool
	Unscheduled []unscheduledRow
	Now         string // what stands of it now
	Latest      bool   // the run just applied
}

type unscheduledRow struct {
	Unit    string
	Items   string
	Reasons []string
}

type schedulePage struct {
	Runs     []runRow
	Scopes   []placeView
	Scope    string
	From, To string
	Err      string
	Done     string
	Preview  *previewPage
}

// previewPage is a run as it would be, and the form that confirms it.
type previewPage struct {
	Run     runRow
	Summary string
	Changes []previewRow
	Token   string
}

type previewRow struct {
	Change  string
	Message string
	Reasons []string
}

func (s *Server) uiSchedule(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return s.schedulePageWith(w, r, c, http.StatusOK, schedulePage{})
}

// reasonText says a reason in the page's words; the unit only when shown.
func reasonText(c *Ctx, rs visits.Reason) string {
	var days []string
	for _, d := range rs.Days {
		days = append(days, d.String())
	}
	txt := c.T("ui.visits.reason", rs.Rule, rs.Have, rs.Limit, strings.Join(days, " "))
	if rs.Inspector != "" {
		txt += " · " + c.T("ui.visits.reason.inspector", rs.Inspector)
	}
	if rs.Unit != "" {
		txt += " · " + rs.Unit
	}
	return txt
}

func (s *Server) schedulePageWith(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v schedulePage) error {
	runs, err := s.runsOf(r.Context(), c)
	if err != nil {
		return err
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	for _, sc := range registerScopes(c) {
		v.Scopes = append(v.Scopes, placeView{Code: sc, Name: placeOf(t, sc, c.T("ui.country"))})
	}
	if v.From == "" {
		today := s.today()
		v.From, v.To = today.AddDays(1).String(), today.AddDays(30).String()
	}
	latest, _ := strconv.ParseInt(r.URL.Query().Get("run"), 10, 64)
	for _, run := range runs {
		row := s.runRowOf(c, t, run)
		row.Now = c.T("ui.visits.schedule.did", run.Unchanged, run.Moved, run.Added, run.Dropped, run.Kept) + " " +
			c.T("ui.visits.schedule.now", run.Standing, run.ReplacedLater)
		row.Latest = run.ID == latest
		v.Runs = append(v.Runs, row)
	}
	if r.URL.Query().Get("done") == "run" {
		v.Done = c.T("ui.visits.schedule.done")
		if latest > 0 {
			v.Done = c.T("ui.visits.schedule.done_run", latest)
		}
	}
	return s.page(w, r, c, status, "schedule", c.T("ui.visits.schedule.title"), v)
}

// runRowOf is a run's figures and unplaced visits as the page shows them.
func (s *Server) runRowOf(c *Ctx, t *units.Tree, run RunView) runRow {
	row := runRow{ID: run.ID, Scope: placeOf(t, run.Scope, c.T("ui.country")), From: run.From.String(), To: run.To.String(),
		Items: strings.Join(run.Items, ", "), Created: chinaTime(run.Created), Stats: run.Stats,
		JointRate: strconv.FormatFloat(run.Stats.JointRate*100, 'f', 1, 64) + "%", Sealed: run.Sealed}
	for _, u := range run.Unscheduled {
		ur := unscheduledRow{Unit: u.Unit, Items: strings.Join(u.Items, ", ")}
		for _, rs := range u.Reasons {
			ur.Reasons = append(ur.Reasons, reasonText(c, rs))
		}
		row.Unscheduled = append(row.Unscheduled, ur)
	}
	return row
}

// uiRunSchedule previews a run (the form's first step) or applies the
// previewed plan (confirm, the second): a run is never applied from the
// page without its preview.
func (s *Server) uiRunSchedule(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	b := ScheduleBody{Scope: r.PostFormValue("scope"), From: r.PostFormValue("from"), To: r.PostFormValue("to"), Confirm: r.PostFormValue("confirm")}
	fail := func(err error) error {
		e := asError(err)
		if e.Code == CodeInternal || e.Code == CodeUnavailable || e.Code == CodeForbidden {
			return err
		}
		return s.schedulePageWith(w, r, c, e.Status(), schedulePage{Err: e.Message.In(c.Lang), Scope: b.Scope, From: b.From, To: b.To})
	}
	if b.Confirm == "" {
		pv, err := s.previewSchedule(r.Context(), c, b)
		if err != nil {
			return fail(err)
		}
		t, err := c.Tree(r.Context())
		if err != nil {
			return err
		}
		page := &previewPage{Run: s.runRowOf(c, t, pv.RunView), Summary: pv.Summary.In(c.Lang), Token: pv.Token}
		for _, ch := range pv.Changes {
			row := previewRow{Change: ch.Change, Message: ch.Message.In(c.Lang)}
			for _, rs := range ch.Reasons {
				row.Reasons = append(row.Reasons, reasonText(c, rs))
			}
			page.Changes = append(page.Changes, row)
		}
		return s.schedulePageWith(w, r, c, http.StatusOK, schedulePage{Scope: b.Scope, From: b.From, To: b.To, Preview: page})
	}
	run, err := s.schedule(r.Context(), c, b)
	if err != nil {
		return fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/schedule?done=run&run=%d#run-%d", run.ID, run.ID), http.StatusSeeOther)
	return nil
}

// ---- an inspector's visits

type visitRow struct {
	VisitView
	StatusLabel string
	Today       bool
	CanStart    bool
	TeamText    string
	ItemsText   string
}

type myVisitsPage struct {
	Number  string
	Visits  []visitRow
	Notices []string
	Feed    string
	Err     string
}

func (s *Server) uiMyVisits(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return s.myVisitsPageWith(w, r, c, http.StatusOK, "")
}

func (s *Server) myVisitsPageWith(w http.ResponseWriter, r *http.Request, c *Ctx, status int, msg string) error {
	mv, err := s.myVisits(r.Context(), c)
	if err != nil {
		return err
	}
	today := s.today()
	v := myVisitsPage{Number: mv.Number, Err: msg}
	for _, n := range mv.Notices {
		v.Notices = append(v.Notices, n.Message.In(c.Lang))
	}
	for _, vv := range mv.Visits {
		var titles []string
		for _, it := range vv.Items {
			titles = append(titles, it.Title)
		}
		v.Visits = append(v.Visits, visitRow{VisitView: vv, StatusLabel: label(c, visitStatusKeys, string(vv.Status)), Today: vv.Day == today,
			CanStart: vv.Leader && vv.Day == today && vv.Status == visits.Planned, TeamText: strings.Join(vv.Team, ", "),
			ItemsText: strings.Join(titles, "；")})
	}
	if r.URL.Query().Get("feed") != "" {
		in, err := s.inspectorMe(r.Context(), c)
		if err != nil {
			return err
		}
		err = s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
			token, err := tx.CalendarToken(r.Context(), in.ID)
			v.Feed = s.absURL(r, "/ical/"+token+".ics")
			return err
		})
		if err != nil {
			return err
		}
	}
	return s.page(w, r, c, status, "visits", c.T("ui.visits.mine.title"), v)
}

func (s *Server) uiStartVisit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, _, err := s.startVisit(r, c)
	if err != nil {
		if e := asError(err); e.Code == CodeConflict {
			return s.myVisitsPageWith(w, r, c, e.Status(), e.Message.In(c.Lang))
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/visits/%d", v.ID), http.StatusSeeOther)
	return nil
}

type checkRow struct {
	Item, Check, Text, Element string
	Scoring                    bool
	Result, Note               string
}

type claimRow struct {
	N                                 int
	Element, Label, Claimed, Reported string
	Seen                              string
	Discrepancy                       bool
}

type findingRow struct {
	N                    int
	Item, Text, Severity string
}

type visitPage struct {
	VisitView
	StatusLabel string
	Open        bool // started, not done: the form is shown
	Checks      []checkRow
	Claims      []claimRow
	Findings    []findingRow
	Photos      []visits.Photo
	Lat, Lon    string
	Accuracy    string
	Saved       string
	Err         string
	Done        string
	History     []historyRow // the record's saved versions, oldest first
}

// historyRow is one saved version of the field record: its line and its
// digest ("" for a record kept from before versions).
type historyRow struct {
	Line   string
	SHA256 string
	Done   bool
}

// recordHistory lists a visit's saved record versions: version, when and
// who (the register number of the person's entry, else the person).
func (s *Server) recordHistory(ctx context.Context, c *Ctx, visit int64) ([]historyRow, error) {
	versions, err := s.db.FieldRecordVersions(ctx, visit)
	if err != nil {
		return nil, err
	}
	who := map[int64]string{}
	var out []historyRow
	for _, fv := range versions {
		name, ok := who[fv.By]
		if !ok {
			in, err := s.db.InspectorByPerson(ctx, fv.By)
			switch {
			case err == nil:
				name = in.Number
			case errors.Is(err, store.ErrNotFound):
				name = c.T("ui.visits.visit.history_person", fv.By)
			default:
				return nil, err
			}
			who[fv.By] = name
		}
		out = append(out, historyRow{Line: c.T("ui.visits.visit.history_row", fv.Version, chinaTime(fv.At), name), SHA256: fv.SHA256, Done: fv.Done})
	}
	return out, nil
}

func (s *Server) uiVisit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return s.visitPageWith(w, r, c, http.StatusOK, "")
}

func (s *Server) visitPageWith(w http.ResponseWriter, r *http.Request, c *Ctx, status int, msg string) error {
	return s.visitPageFrom(w, r, c, status, msg, nil)
}

// visitPageFrom is the visit's page; the form shows typed, when given,
// instead of the stored record (its photos are the stored ones).
func (s *Server) visitPageFrom(w http.ResponseWriter, r *http.Request, c *Ctx, status int, msg string, typed *visits.FieldRecord) error {
	v, in, err := s.teamVisit(r, c)
	if err != nil {
		return err
	}
	view, err := s.sealedView(r.Context(), c, v, in.Number)
	if err != nil {
		return err
	}
	p := visitPage{VisitView: view, StatusLabel: label(c, visitStatusKeys, string(v.Status)), Open: v.Status == visits.Started, Err: msg}
	if v.Status == visits.Planned {
		if err := s.db.MarkVisitsShown(r.Context(), in.Number, []visits.ScheduledVisit{*v}); err != nil {
			return err
		}
		return s.page(w, r, c, status, "visit", c.T("ui.visits.visit.title", v.Day.String()), p)
	}
	rec, err := s.db.FieldRecord(r.Context(), v.ID)
	if err != nil {
		return err
	}
	if rec == nil {
		// Photos may go up before the record is first saved.
		rec = &visits.FieldRecord{}
		if rec.Photos, err = s.db.VisitPhotos(r.Context(), v.ID); err != nil {
			return err
		}
	} else {
		p.Saved = chinaTime(rec.At)
	}
	if typed != nil {
		shown := *typed
		shown.Photos = rec.Photos
		rec = &shown
	}
	results := map[string]visits.CheckResult{}
	for _, cr := range rec.Checks {
		results[cr.Item+"\x00"+cr.Check] = cr
	}
	for _, it := range view.Items {
		for _, ck := range it.Checklist {
			cr := results[it.Code+"\x00"+ck.Code]
			p.Checks = append(p.Checks, checkRow{Item: it.Code, Check: ck.Code, Text: ck.Text, Element: ck.Element, Scoring: ck.Scoring,
				Result: cr.Result, Note: cr.Note})
		}
	}
	for i, cl := range rec.Claims {
		p.Claims = append(p.Claims, claimRow{N: i, Element: cl.Element, Label: cl.Label, Claimed: cl.Claimed, Reported: cl.Reported,
			Seen: cl.Seen, Discrepancy: cl.Discrepancy})
	}
	if p.Open {
		// Claims to fill: each element of a checklist not yet claimed, and
		// one free line.
		have := map[string]bool{}
		for _, cl := range rec.Claims {
			have[cl.Element] = true
		}
		for _, ck := range p.Checks {
			if ck.Element != "" && !have[ck.Element] {
				have[ck.Element] = true
				p.Claims = append(p.Claims, claimRow{N: len(p.Claims), Element: ck.Element, Label: ck.Text})
			}
		}
		p.Claims = append(p.Claims, claimRow{N: len(p.Claims)})
	}
	for i, fd := range rec.Findings {
		p.Findings = append(p.Findings, findingRow{N: i, Item: fd.Item, Text: fd.Text, Severity: fd.Severity})
	}
	if p.Open {
		p.Findings = append(p.Findings, findingRow{N: len(p.Findings), Severity: "minor"})
	}
	p.Photos = rec.Photos
	if p.History, err = s.recordHistory(r.Context(), c, v.ID); err != nil {
		return err
	}
	if rec.Point != nil {
		p.Lat, p.Lon = strconv.FormatFloat(rec.Point.Lat, 'f', 6, 64), strconv.FormatFloat(rec.Point.Lon, 'f', 6, 64)
		p.Accuracy = strconv.FormatFloat(rec.Accuracy, 'f', 0, 64)
	}
	switch r.URL.Query().Get("done") {
	case "saved":
		p.Done = c.T("ui.visits.visit.done_saved")
	case "photo":
		p.Done = c.T("ui.visits.visit.done_photo")
	}
	return s.page(w, r, c, status, "visit", c.T("ui.visits.visit.title", v.Day.String()), p)
}

// fieldFromForm reads the field record form.
func fieldFromForm(r *http.Request, view VisitView) FieldRecordBody {
	get := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	b := FieldRecordBody{Checks: []visits.CheckResult{}, Claims: []visits.Claim{}, Findings: []visits.Finding{}, Done: get("done") != ""}
	for _, it := range view.Items {
		for _, ck := range it.Checklist {
			key := "check." + it.Code + "." + ck.Code
			if res := get(key); res != "" {
				b.Checks = append(b.Checks, visits.CheckResult{Item: it.Code, Check: ck.Code, Result: res, Note: get(key + ".note")})
			}
		}
	}
	for n := 0; n < 100 && r.PostForm.Has(fmt.Sprintf("claim.%d.label", n)); n++ {
		k := fmt.Sprintf("claim.%d.", n)
		// A line offered with its label but nothing claimed or seen is
		// not filled in yet.
		if get(k+"claimed") == "" && get(k+"seen") == "" && (get(k+"label") == "" || get(k+"element") != "") {
			continue
		}
		b.Claims = append(b.Claims, visits.Claim{Element: get(k + "element"), Label: get(k + "label"), Claimed: get(k + "claimed"), Seen: get(k + "seen")})
	}
	for n := 0; n < 100 && r.PostForm.Has(fmt.Sprintf("finding.%d.text", n)); n++ {
		k := fmt.Sprintf("finding.%d.", n)
		if get(k+"text") == "" {
			continue
		}
		b.Findings = append(b.Findings, visits.Finding{Item: get(k + "item"), Text: get(k + "text"), Severity: get(k + "severity")})
	}
	lat, lerr := strconv.ParseFloat(get("lat"), 64)
	lon, oerr := strconv.ParseFloat(get("lon"), 64)
	if lerr == nil && oerr == nil {
		b.Point = &visits.Point{Lat: lat, Lon: lon}
		b.Accuracy, _ = strconv.ParseFloat(get("accuracy"), 64)
	}
	return b
}

// uiSaveVisit saves the field record; a photo chosen in the form goes up
// with it, after the record is saved, so that uploading a photo never
// loses what was typed.
func (s *Server) uiSaveVisit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, in, err := s.startedTeamVisit(r, c)
	if err != nil {
		return err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := parseMultipartPhoto(w, r); err != nil {
			return err
		}
		if err := checkValues(r.PostForm); err != nil {
			return err
		}
	} else if err := parseForm(w, r); err != nil {
		return err
	}
	view, err := s.sealedView(r.Context(), c, v, in.Number)
	if err != nil {
		return err
	}
	b := fieldFromForm(r, view)
	// An error shows the page with what was typed, not the stored record.
	typed := &visits.FieldRecord{Checks: b.Checks, Claims: b.Claims, Findings: b.Findings, Point: b.Point, Accuracy: b.Accuracy}
	fail := func(err error, typed *visits.FieldRecord) error {
		e := asError(err)
		if e.Code == CodeInternal || e.Code == CodeUnavailable {
			return err
		}
		msg := e.Message.In(c.Lang)
		if e.Field != "" {
			msg = e.Field + ": " + msg
		}
		return s.visitPageFrom(w, r, c, e.Status(), msg, typed)
	}
	// The photo goes first (a visit marked done takes none), then the
	// record; a fault of either keeps the other and what was typed.
	photo := photoAttached(r)
	var photoErr error
	if photo {
		_, _, photoErr = s.storePhoto(r, c, v)
	}
	if _, err := s.saveFieldRecord(r.Context(), c, v, b); err != nil {
		return fail(err, typed)
	}
	if photoErr != nil {
		return fail(photoErr, nil)
	}
	done := "saved"
	if photo {
		done = "photo#photos"
	}
	http.Redirect(w, r, fmt.Sprintf("/visits/%d?done=%s", v.ID, done), http.StatusSeeOther)
	return nil
}

func (s *Server) uiAddPhoto(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, _, err := s.startedTeamVisit(r, c)
	if err != nil {
		return err
	}
	if _, err := s.addPhoto(w, r, c, v); err != nil {
		e := asError(err)
		if e.Code != CodeInvalid {
			return err
		}
		return s.visitPageWith(w, r, c, e.Status(), e.Message.In(c.Lang))
	}
	http.Redirect(w, r, fmt.Sprintf("/visits/%d?done=photo", v.ID), http.StatusSeeOther)
	return nil
}

// ---- the iCal feed

// uiICal serves an inspector's visits as an iCal feed: sealed visits
// carry no location, a started one its target.
func (s *Server) uiICal(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || token == "" {
		return errorf(CodeNotFound, "error.not_found")
	}
	in, err := s.db.InspectorByCalendarToken(r.Context(), token)
	if err != nil {
		return err
	}
	today := s.today()
	list, err := s.db.VisitsOfInspector(r.Context(), in.Number, today.AddDays(-62), today.AddDays(366))
	if err != nil {
		return err
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	host := r.Host
	if host == "" {
		host = "lighten"
	}
	// The feed is visits.WriteICal's (docs/visits.md): a sealed visit's
	// event names neither its target nor its place.
	stamp := s.db.Now().UTC()
	events := make([]visits.ICalEvent, 0, len(list))
	for _, v := range list {
		role := c.T("ui.visits.ical.member")
		if v.Leader() == in.Number {
			role = c.T("ui.visits.ical.leader")
		}
		ev := visits.ICalEvent{UID: fmt.Sprintf("visit-%d@%s", v.ID, host), Day: v.Day, Stamp: stamp,
			Description: c.T("ui.visits.ical.team", strings.Join(v.Team, ", "))}
		if v.Status == visits.Planned {
			ev.Summary = c.T("ui.visits.ical.sealed", role)
		} else {
			name := placeOf(t, v.Unit, v.Unit)
			ev.Summary, ev.Location = c.T("ui.visits.ical.visit", name, role), name
		}
		events = append(events, ev)
	}
	var b bytes.Buffer
	if err := visits.WriteICal(&b, c.T("ui.visits.ical.name", in.Number), events); err != nil {
		return err
	}
	if err := s.db.MarkVisitsShown(r.Context(), in.Number, list); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}
