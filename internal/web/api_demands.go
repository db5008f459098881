package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/policy"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// DemandInput is what an issuer writes: a demand's content.
type DemandInput struct {
	Kind            gate.Kind          `json:"kind"`
	Title           string             `json:"title"`
	Body            string             `json:"body"`
	Matter          string             `json:"matter,omitempty"`
	Targets         gate.Targets       `json:"targets"`
	Due             *time.Time         `json:"due,omitempty"`
	Start           *time.Time         `json:"start,omitempty"`
	End             *time.Time         `json:"end,omitempty"`
	DataDate        *time.Time         `json:"data_date,omitempty"` // the day a report's figures are for; default the due date
	Place           string             `json:"place,omitempty"`
	Asks            gate.Asks          `json:"asks"`
	Emergency       bool               `json:"emergency,omitempty"`
	EmergencyReason string             `json:"emergency_reason,omitempty"`
	LeadOffice      string             `json:"lead_office,omitempty"`
	Means           *gate.Means        `json:"means,omitempty"`
	Pledge          *gate.PledgeInfo   `json:"pledge,omitempty"`
	Meeting         *gate.MeetingInfo  `json:"meeting,omitempty"`
	Document        *gate.DocumentInfo `json:"document,omitempty"`
	Visit           *gate.VisitInfo    `json:"visit,omitempty"`
	Group           *gate.GroupInfo    `json:"group,omitempty"`
	App             *gate.AppInfo      `json:"app,omitempty"`
}

func (in DemandInput) demand(office units.Office) *gate.Demand {
	d := &gate.Demand{OfficeID: office.ID, IssuerUnit: office.UnitCode, Kind: in.Kind, Title: strings.TrimSpace(in.Title),
		Body: in.Body, Matter: in.Matter, Targets: in.Targets, Place: in.Place, Asks: in.Asks,
		Emergency: in.Emergency, Reason: strings.TrimSpace(in.EmergencyReason),
		LeadOffice: strings.TrimSpace(in.LeadOffice), Means: in.Means, Pledge: in.Pledge,
		Meeting: in.Meeting, Document: in.Document, Visit: in.Visit, Group: in.Group, App: in.App}
	if in.Due != nil {
		d.Due = *in.Due
	}
	if in.Start != nil {
		d.Start = *in.Start
	}
	if in.End != nil {
		d.End = *in.End
	}
	if in.DataDate != nil {
		d.DataDate = *in.DataDate
	}
	return d
}

// CheckResult is a demand with the gate's answer.
type CheckResult struct {
	Demand *store.DemandRecord `json:"demand,omitempty"`
	Result *gate.Result        `json:"result"`
}

// DemandList is a page of demands.
type DemandList struct {
	Demands []*store.DemandRecord `json:"demands"`
	Total   int                   `json:"total"`
}

// ReasonBody carries a written reason.
type ReasonBody struct {
	Reason string `json:"reason"`
}

// DecisionBody decides a demand in review.
type DecisionBody struct {
	Admit  bool   `json:"admit"`
	Reason string `json:"reason"`
}

// DoneBody marks an inbox item done.
type DoneBody struct {
	Note string `json:"note,omitempty"`
}

// UndoBody takes back "done", optionally saying why.
type UndoBody struct {
	Reason string `json:"reason,omitempty"`
}

// Inbox is what waits for one unit.
type Inbox struct {
	Unit   UnitRef           `json:"unit"`
	From   time.Time         `json:"from"`
	To     time.Time         `json:"to"`
	Items  []store.InboxItem `json:"items"`
	Budget BudgetUse         `json:"budget"`
}

// BudgetUse is a unit's use of its monthly budget.
type BudgetUse struct {
	Month   string `json:"month"`
	Used    int    `json:"used"`
	Budget  int    `json:"budget"`
	Percent int    `json:"percent"`
}

// GateStats counts findings and verdicts.
type GateStats struct {
	From     time.Time            `json:"from"`
	To       time.Time            `json:"to"`
	ByRule   []store.FindingCount `json:"by_rule"`
	ByOffice []store.FindingCount `json:"by_office"`
}

// PolicyView is the policy in force at a unit.
type PolicyView struct {
	Unit     string                `json:"unit"`
	Params   []ParamView           `json:"params"`
	Versions []store.PolicyVersion `json:"versions"`
}

// ParamView is one parameter in force, with where it comes from.
type ParamView struct {
	ID        string    `json:"id"`
	Rule      string    `json:"rule"`
	Value     int       `json:"value"`
	Default   int       `json:"default"`
	Inherited int       `json:"inherited"`
	From      string    `json:"from"` // unit whose policy set it; "" the default
	Own       bool      `json:"own"`  // set by this unit's own document
	Tighter   string    `json:"tighter"`
	Unit      i18n.Text `json:"unit_of_measure"`
	Label     i18n.Text `json:"label"`
}

// PolicyBody saves a new version of a unit's policy.
type PolicyBody struct {
	Params map[string]int `json:"params"`
	Note   string         `json:"note"`
}

var pDemand = param{Name: "id", In: "path", Type: "integer", Required: true}

func (s *Server) demandRoutes() []*route {
	return []*route{
		{Method: "GET", Pattern: "/api/v1/demands", Tag: "demands", Auth: signedIn, Action: access.ReadDemands,
			Summary: "Demands issued within my scope, newest first",
			Params: []param{{Name: "status", In: "query", Type: "string", Desc: "comma-separated statuses"}, {Name: "kind", In: "query", Type: "string"},
				{Name: "office", In: "query", Type: "integer"}, pLimit, pOffset}, Result: DemandList{}, h: s.apiDemands},
		{Method: "POST", Pattern: "/api/v1/demands", Tag: "demands", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Draft a demand from my office", Body: DemandInput{}, Result: store.DemandRecord{}, Status: http.StatusCreated, h: s.apiCreateDemand},
		{Method: "POST", Pattern: "/api/v1/demands/check", Tag: "demands", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Dry run: check a demand against the policy without saving it", Body: DemandInput{}, Result: CheckResult{}, h: s.apiCheckInput},
		{Method: "GET", Pattern: "/api/v1/demands/{id}", Tag: "demands", Auth: signedIn, Action: access.ReadDemands,
			Summary: "One demand with its findings and burden", Params: []param{pDemand}, Result: store.DemandRecord{}, h: s.apiDemand},
		{Method: "PUT", Pattern: "/api/v1/demands/{id}", Tag: "demands", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Change a draft or a refused demand", Params: []param{pDemand}, Body: DemandInput{}, Result: store.DemandRecord{}, h: s.apiUpdateDemand},
		{Method: "POST", Pattern: "/api/v1/demands/{id}/check", Tag: "demands", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Dry run of a saved draft", Params: []param{pDemand}, Result: CheckResult{}, h: s.apiCheckDemand},
		{Method: "POST", Pattern: "/api/v1/demands/{id}/submit", Tag: "demands", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Submit a draft to the gate: refused, in review, or admitted", Params: []param{pDemand}, Result: CheckResult{}, h: s.apiSubmitDemand},
		{Method: "POST", Pattern: "/api/v1/demands/{id}/withdraw", Tag: "demands", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Withdraw a demand, with a reason", Params: []param{pDemand}, Body: ReasonBody{}, Result: store.DemandRecord{}, h: s.apiMove(gate.Withdrawn)},
		{Method: "POST", Pattern: "/api/v1/demands/{id}/close", Tag: "demands", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Close an admitted demand, with a reason", Params: []param{pDemand}, Body: ReasonBody{}, Result: store.DemandRecord{}, h: s.apiMove(gate.Closed)},
		{Method: "POST", Pattern: "/api/v1/demands/{id}/decision", Tag: "review", Auth: signedIn, Action: access.ReviewDemands,
			Summary: "Admit or refuse a demand in review, with a written reason", Params: []param{pDemand}, Body: DecisionBody{},
			Result: store.DemandRecord{}, h: s.apiDecide},
		{Method: "GET", Pattern: "/api/v1/review", Tag: "review", Auth: signedIn, Action: access.ReviewDemands,
			Summary: "The review queue: demands in review issued within my scope", Params: []param{pLimit, pOffset}, Result: DemandList{}, h: s.apiReview},
		{Method: "GET", Pattern: "/api/v1/review/stats", Tag: "review", Auth: signedIn, Action: access.ReadDemands,
			Summary: "Findings by rule and by issuing office, and refusals, over a period",
			Params:  []param{{Name: "from", In: "query", Type: "string", Desc: "YYYY-MM-DD"}, {Name: "to", In: "query", Type: "string", Desc: "YYYY-MM-DD"}},
			Result:  GateStats{}, h: s.apiStats},
		{Method: "GET", Pattern: "/api/v1/units/{code}/inbox", Tag: "inbox", Auth: signedIn, Action: access.ReadInbox,
			Summary: "A unit's inbox: everything admitted for it, soonest first, with minutes", Params: []param{pCode,
				{Name: "from", In: "query", Type: "string", Desc: "YYYY-MM-DD; default today"}, {Name: "to", In: "query", Type: "string", Desc: "YYYY-MM-DD; default 8 weeks on"}},
			Result: Inbox{}, h: s.apiInbox},
		{Method: "POST", Pattern: "/api/v1/units/{code}/inbox/{id}/done", Tag: "inbox", Auth: signedIn, Action: access.ActInbox,
			Summary: "Mark an inbox item done for the unit", Params: []param{pCode, pDemand}, Body: DoneBody{}, Status: http.StatusNoContent, h: s.apiDone},
		{Method: "POST", Pattern: "/api/v1/units/{code}/inbox/{id}/undo", Tag: "inbox", Auth: signedIn, Action: access.ActInbox,
			Summary: "Take back \"done\" on an inbox item: it is open again (the note and the reason stay in the audit)", Params: []param{pCode, pDemand},
			Body: UndoBody{}, Status: http.StatusNoContent, h: s.apiUndoDone},
		{Method: "GET", Pattern: "/api/v1/policies/{code}", Tag: "policy", Action: access.ReadUnits,
			Summary: "The policy in force at a unit (code 0 for the country): every parameter, its value and where it comes from",
			Params:  []param{pCode}, Result: PolicyView{}, h: s.apiPolicy},
		{Method: "PUT", Pattern: "/api/v1/policies/{code}", Tag: "policy", Auth: signedIn, Action: access.EditPolicy,
			Summary: "Save a new version of a burden office's policy; parameters may be tightened, never loosened",
			Params:  []param{pCode}, Body: PolicyBody{}, Result: PolicyView{}, h: s.apiSavePolicy},
	}
}

// issuerOffice is the office a person issues demands from.
func (s *Server) issuerOffice(ctx context.Context, c *Ctx) (units.Office, error) {
	if c.Person.OfficeID == 0 || !c.P.CanSomewhere(access.IssueDemands) {
		return units.Office{}, errorf(CodeForbidden, "error.not_issuer")
	}
	return s.db.Office(ctx, c.Person.OfficeID)
}

// requireTargets checks that the issuer may reach every target.
func requireTargets(c *Ctx, t gate.Targets) error {
	if t.Spec() {
		return c.Require(access.IssueDemands, t.Under)
	}
	for _, code := range t.Units {
		if _, ok := units.LevelOfCode(code); ok {
			if err := c.Require(access.IssueDemands, code); err != nil {
				return err
			}
		}
	}
	return nil
}

// gateError turns the gate's and the store's errors into API errors.
func gateError(err error) error {
	var ve *gate.ValidationError
	var vve *visits.ValidationError
	var le *store.LooseningError
	var pe *policy.ParseError
	var se *store.StateError
	var fe *store.ForbiddenError
	switch {
	case errors.As(err, &ve):
		e := errorf(CodeInvalid, ve.Key, ve.Args...)
		e.Field = ve.Field
		return e
	case errors.As(err, &vve):
		e := errorf(CodeInvalid, vve.Key, vve.Args...)
		e.Field = vve.Field
		return e
	case errors.As(err, &le):
		e := &Error{Code: CodeInvalid, Message: le.Message()}
		e.Field = "params." + le.Loosenings[0].Param
		return e
	case errors.As(err, &pe):
		e := errorf(CodeInvalid, "error.policy_bad", pe.Detail())
		e.Field = "params." + pe.Param
		return e
	case errors.As(err, &se):
		return &Error{Code: CodeConflict, Message: se.Message(), cause: err}
	case errors.Is(err, store.ErrState):
		return &Error{Code: CodeConflict, Message: i18n.Both("error.state", err.Error()), cause: err}
	case errors.As(err, &fe):
		return &Error{Code: CodeForbidden, Message: fe.Message(), cause: err}
	case errors.Is(err, store.ErrForbidden):
		return &Error{Code: CodeForbidden, Message: i18n.Both("error.visits.forbidden", err.Error()), cause: err}
	}
	return err
}

// visibleDemand reads a demand the principal may see: issued within a
// ReadDemands scope, or by their own office.
func (s *Server) visibleDemand(ctx context.Context, c *Ctx, id int64) (*store.DemandRecord, error) {
	rec, err := s.db.Demand(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.P.Can(access.ReadDemands, rec.IssuerUnit) && !c.P.Can(access.ReviewDemands, rec.IssuerUnit) &&
		(c.Person.OfficeID == 0 || c.Person.OfficeID != rec.OfficeID) {
		return nil, errorf(CodeNotFound, "error.not_found")
	}
	return rec, nil
}

// ownDemand reads a demand of the principal's own office, for changes.
func (s *Server) ownDemand(ctx context.Context, c *Ctx, id int64) (*store.DemandRecord, error) {
	rec, err := s.visibleDemand(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if c.Person.OfficeID != rec.OfficeID || !c.P.Can(access.IssueDemands, rec.IssuerUnit) {
		return nil, errorf(CodeForbidden, "error.not_your_demand")
	}
	return rec, nil
}

func (s *Server) apiDemands(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := store.DemandQuery{Scopes: c.P.Scopes(access.ReadDemands)}
	if len(q.Scopes) == 0 {
		return c.Require(access.ReadDemands, c.Person.UnitCode)
	}
	for _, st := range strings.Split(r.URL.Query().Get("status"), ",") {
		if st = strings.TrimSpace(st); st != "" {
			q.Status = append(q.Status, gate.Status(st))
		}
	}
	q.Kind = gate.Kind(r.URL.Query().Get("kind"))
	if v := r.URL.Query().Get("office"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return invalid("office", "error.bad_number", "office", v)
		}
		q.OfficeID = n
	}
	return s.writeDemandList(w, r, q, 50, 500)
}

// writeDemandList answers with a page of demands, reading limit and offset.
func (s *Server) writeDemandList(w http.ResponseWriter, r *http.Request, q store.DemandQuery, limit, most int) error {
	var err error
	if q.Limit, err = intParam(r, "limit", limit, most); err != nil {
		return err
	}
	if q.Offset, err = intParam(r, "offset", 0, 0); err != nil {
		return err
	}
	list, total, err := s.db.ListDemands(r.Context(), q)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*store.DemandRecord{}
	}
	writeJSON(w, http.StatusOK, DemandList{Demands: list, Total: total})
	return nil
}

func (s *Server) readInput(r *http.Request, c *Ctx) (*gate.Demand, error) {
	office, err := s.issuerOffice(r.Context(), c)
	if err != nil {
		return nil, err
	}
	var in DemandInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	d := in.demand(office)
	if err := requireTargets(c, d.Targets); err != nil {
		return nil, err
	}
	// Input errors are reported before anything is saved.
	if err := gate.Validate(d, s.db.Now()); err != nil {
		return nil, gateError(err)
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return nil, err
	}
	if _, err := gate.Resolve(t, d.Targets); err != nil {
		return nil, gateError(err)
	}
	return d, nil
}

func (s *Server) apiCreateDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	d, err := s.readInput(r, c)
	if err != nil {
		return err
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.CreateDemand(r.Context(), d) }); err != nil {
		return err
	}
	rec, err := s.db.Demand(r.Context(), d.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

func (s *Server) apiCheckInput(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	d, err := s.readInput(r, c)
	if err != nil {
		return err
	}
	res, err := s.db.CheckDemand(r.Context(), d)
	if err != nil {
		return gateError(err)
	}
	writeJSON(w, http.StatusOK, CheckResult{Result: res})
	return nil
}

func (s *Server) apiDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	rec, err := s.visibleDemand(r.Context(), c, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) apiUpdateDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	before, err := s.ownDemand(r.Context(), c, id)
	if err != nil {
		return err
	}
	d, err := s.readInput(r, c)
	if err != nil {
		return err
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.UpdateDemand(r.Context(), before, d) }); err != nil {
		return gateError(err)
	}
	rec, err := s.db.Demand(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) apiCheckDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	rec, err := s.ownDemand(r.Context(), c, id)
	if err != nil {
		return err
	}
	res, err := s.db.CheckDemand(r.Context(), &rec.Demand)
	if err != nil {
		return gateError(err)
	}
	writeJSON(w, http.StatusOK, CheckResult{Demand: rec, Result: res})
	return nil
}

func (s *Server) apiSubmitDemand(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if _, err := s.ownDemand(r.Context(), c, id); err != nil {
		return err
	}
	rec, res, err := s.db.SubmitDemand(r.Context(), c.Actor(), id)
	if err != nil {
		return gateError(err)
	}
	writeJSON(w, http.StatusOK, CheckResult{Demand: rec, Result: res})
	return nil
}

func (s *Server) apiMove(to gate.Status) handler {
	return func(w http.ResponseWriter, r *http.Request, c *Ctx) error {
		id, err := idParam(r)
		if err != nil {
			return err
		}
		rec, err := s.ownDemand(r.Context(), c, id)
		if err != nil {
			return err
		}
		var b ReasonBody
		if err := decode(r, &b); err != nil {
			return err
		}
		if strings.TrimSpace(b.Reason) == "" {
			return invalid("reason", "error.required", "reason")
		}
		if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
			return tx.Move(r.Context(), rec, to, strings.TrimSpace(b.Reason))
		}); err != nil {
			return gateError(err)
		}
		rec, err = s.db.Demand(r.Context(), id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}
}

func (s *Server) apiDecide(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	rec, err := s.visibleDemand(r.Context(), c, id)
	if err != nil {
		return err
	}
	if err := c.Require(access.ReviewDemands, rec.IssuerUnit); err != nil {
		return err
	}
	var b DecisionBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if strings.TrimSpace(b.Reason) == "" {
		return invalid("reason", "error.required", "reason")
	}
	rec, err = s.db.DecideDemand(r.Context(), c.Actor(), id, b.Admit, strings.TrimSpace(b.Reason))
	if err != nil {
		return gateError(err)
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) apiReview(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := store.DemandQuery{Scopes: c.P.Scopes(access.ReviewDemands), Status: []gate.Status{gate.InReview}}
	if len(q.Scopes) == 0 {
		return c.Require(access.ReviewDemands, c.Person.UnitCode)
	}
	return s.writeDemandList(w, r, q, 100, 1000)
}

// dateParam reads a YYYY-MM-DD date in China, or def.
func dateParam(r *http.Request, name string, def time.Time) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, gate.China)
	if err != nil {
		return t, invalid(name, "error.bad_date", name, v)
	}
	return t, nil
}

// period reads from and to (YYYY-MM-DD), by default this year.
func (s *Server) period(r *http.Request) (time.Time, time.Time, error) {
	t := today(s.db.Now())
	from, err := dateParam(r, "from", time.Date(t.Year(), 1, 1, 0, 0, 0, 0, gate.China))
	if err != nil {
		return from, from, err
	}
	to, err := dateParam(r, "to", time.Date(t.Year()+1, 1, 1, 0, 0, 0, 0, gate.China))
	return from, to, err
}

func today(now time.Time) time.Time {
	n := now.In(gate.China)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, gate.China)
}

func (s *Server) apiStats(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	scopes := c.P.Scopes(access.ReadDemands)
	if len(scopes) == 0 {
		return c.Require(access.ReadDemands, c.Person.UnitCode)
	}
	from, to, err := s.period(r)
	if err != nil {
		return err
	}
	byRule, byOffice, err := s.db.GateStats(r.Context(), scopes, from, to)
	if err != nil {
		return err
	}
	for i := range byRule {
		byRule[i].Label = i18n.Both("rule." + byRule[i].Key)
	}
	if byRule == nil {
		byRule = []store.FindingCount{}
	}
	if byOffice == nil {
		byOffice = []store.FindingCount{}
	}
	writeJSON(w, http.StatusOK, GateStats{From: from, To: to, ByRule: byRule, ByOffice: byOffice})
	return nil
}

// inbox reads a unit's inbox and budget for a period.
func (s *Server) inbox(ctx context.Context, c *Ctx, code string, from, to time.Time) (Inbox, error) {
	t, err := c.Tree(ctx)
	if err != nil {
		return Inbox{}, err
	}
	if _, err := knownCode(t, "code", code); err != nil {
		return Inbox{}, err
	}
	if err := c.Require(access.ReadInbox, code); err != nil {
		return Inbox{}, err
	}
	u, _ := t.Get(code)
	items, err := s.db.Inbox(ctx, u, from, to)
	if err != nil {
		return Inbox{}, err
	}
	if items == nil {
		items = []store.InboxItem{}
	}
	in := Inbox{Unit: UnitRef{Code: u.Code, Name: u.Name, Level: u.Level.String()}, From: from, To: to, Items: items}
	in.Budget, err = s.budgetUse(ctx, u, today(s.db.Now()))
	return in, err
}

func (s *Server) budgetUse(ctx context.Context, u units.Unit, day time.Time) (BudgetUse, error) {
	month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, gate.China)
	used, err := s.db.BudgetUsed(ctx, month)
	if err != nil {
		return BudgetUse{}, err
	}
	pt, err := s.db.PolicyTree(ctx)
	if err != nil {
		return BudgetUse{}, err
	}
	b := BudgetUse{Month: month.Format("2006-01"), Used: used.Used(u.Code), Budget: gate.BudgetOf(u.Level, pt.At(u.Code))}
	if b.Budget > 0 {
		b.Percent = b.Used * 100 / b.Budget
	}
	return b, nil
}

func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t := today(s.db.Now())
	from, err := dateParam(r, "from", t)
	if err != nil {
		return err
	}
	to, err := dateParam(r, "to", t.AddDate(0, 0, 56))
	if err != nil {
		return err
	}
	in, err := s.inbox(r.Context(), c, r.PathValue("code"), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

func (s *Server) apiDone(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	if _, err := knownCode(t, "code", code); err != nil {
		return err
	}
	if err := c.Require(access.ActInbox, code); err != nil {
		return err
	}
	var b DoneBody
	if err := decode(r, &b); err != nil {
		return err
	}
	rec, err := s.db.Demand(r.Context(), id)
	if err != nil {
		return err
	}
	u, _ := t.Get(code)
	items, err := s.db.Inbox(r.Context(), u, time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	found := false
	for _, it := range items {
		found = found || it.Demand.ID == id
	}
	if !found {
		return errorf(CodeNotFound, "error.not_found")
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.MarkDone(r.Context(), rec, code, b.Note) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// policyCode reads a policy's unit from the path: "0" is the country.
func policyCode(t *units.Tree, r *http.Request) (string, error) {
	code := r.PathValue("code")
	if code == "0" {
		return "", nil
	}
	return knownCode(t, "code", code)
}

func (s *Server) policyView(ctx context.Context, code string) (PolicyView, error) {
	pt, err := s.db.PolicyTree(ctx)
	if err != nil {
		return PolicyView{}, err
	}
	set, in := pt.At(code), pt.Inherited(code)
	doc, _ := pt.Document(code)
	v := PolicyView{Unit: code}
	for _, p := range policy.Params {
		_, own := doc.Params[p.ID]
		dir := "lower"
		if p.Tighter == policy.HigherIsTighter {
			dir = "higher"
		}
		v.Params = append(v.Params, ParamView{ID: p.ID, Rule: p.Rule, Value: set.Get(p.ID), Default: p.Default, Inherited: in.Get(p.ID),
			From: set.From(p.ID), Own: own, Tighter: dir, Unit: i18n.Both(p.Unit), Label: i18n.Both("param." + p.ID)})
	}
	if v.Versions, err = s.db.PolicyVersions(ctx, code); err != nil {
		return v, err
	}
	if v.Versions == nil {
		v.Versions = []store.PolicyVersion{}
	}
	return v, nil
}

func (s *Server) apiPolicy(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	code, err := policyCode(t, r)
	if err != nil {
		return err
	}
	v, err := s.policyView(r.Context(), code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiSavePolicy(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	code, err := policyCode(t, r)
	if err != nil {
		return err
	}
	if err := c.Require(access.EditPolicy, code); err != nil {
		return err
	}
	var b PolicyBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.Params == nil {
		b.Params = map[string]int{}
	}
	doc := policy.Document{Params: b.Params, Note: b.Note}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		_, err := tx.SavePolicy(r.Context(), code, doc, strings.TrimSpace(b.Note))
		return err
	}); err != nil {
		return gateError(err)
	}
	v, err := s.policyView(r.Context(), code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiUndoDone(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	var b UndoBody
	if err := decode(r, &b); err != nil {
		return err
	}
	code := r.PathValue("code")
	_, it, err := s.inboxItem(r.Context(), c, code, id, access.ActInbox)
	if err != nil {
		return err
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		return tx.UndoDone(r.Context(), it.Demand, code, strings.TrimSpace(b.Reason))
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
