package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// DutyListView is the duty list in force for one unit.
type DutyListView struct {
	Unit    UnitRef        `json:"unit"`
	Date    string         `json:"date"`
	Matters []DutyMatter   `json:"matters"`
	Lists   []*duties.List `json:"lists"` // the versions that make it, from the top
}

// DutyMatter is one matter in force, with the office whose list set it.
type DutyMatter struct {
	duties.Matter
	Owner     string `json:"owner"`
	OwnerName string `json:"owner_name"`
}

// DutyListBody saves a new version of an office's list for a level.
type DutyListBody struct {
	Owner     string          `json:"owner"` // "0" or "" for the country
	Level     units.Level     `json:"level"`
	Effective string          `json:"effective"` // YYYY-MM-DD
	Matters   []duties.Matter `json:"matters"`
	Note      string          `json:"note,omitempty"`
}

// RefuseBody is a unit's "not ours".
type RefuseBody struct {
	Matter string `json:"matter,omitempty"` // the list entry cited; empty when the demand's matter is on no list of the unit
	Reason string `json:"reason"`
}

// UpholdBody decides a refusal.
type UpholdBody struct {
	Uphold bool   `json:"uphold"`
	Reason string `json:"reason"`
}

// EscalationBody is a township's summons.
type EscalationBody struct {
	Unit        string  `json:"unit"`
	Matter      string  `json:"matter,omitempty"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Offices     []int64 `json:"offices"`
}

// ResponseBody answers an escalation.
type ResponseBody struct {
	Response string `json:"response"`
}

// DutyStats are the duty figures for the burden office.
type DutyStats struct {
	From        time.Time            `json:"from"`
	To          time.Time            `json:"to"`
	ByOffice    []store.DutyCount    `json:"by_office"`
	ByMatter    []store.DutyCount    `json:"by_matter"`
	Escalations []*duties.Escalation `json:"escalations"`
}

func (s *Server) dutyRoutes() []*route {
	return []*route{
		{Method: "GET", Pattern: "/api/v1/duties/{code}", Tag: "duties", Action: access.ReadUnits,
			Summary: "The duty list in force for a township or village: own duties, assisting duties and the negative list",
			Params:  []param{pCode, {Name: "date", In: "query", Type: "string", Desc: "YYYY-MM-DD; default today"}}, Result: DutyListView{}, h: s.apiDuties},
		{Method: "GET", Pattern: "/api/v1/duty-lists", Tag: "duties", Action: access.ReadUnits,
			Summary: "Every version of the duty lists an office set", Params: []param{{Name: "owner", In: "query", Type: "string", Required: true, Desc: "unit code; 0 for the country"}},
			Result: []*duties.List{}, h: s.apiDutyLists},
		{Method: "POST", Pattern: "/api/v1/duty-lists", Tag: "duties", Auth: signedIn, Action: access.EditDuties,
			Summary: "Save a new version of an office's duty list for townships or villages, in force from a date", Body: DutyListBody{},
			Result: duties.List{}, Status: http.StatusCreated, h: s.apiSaveDutyList},
		{Method: "GET", Pattern: "/api/v1/pledge-items", Tag: "duties", Action: access.ReadUnits,
			Summary: "The register of approved letters of responsibility and one-vote-veto items", Result: []duties.PledgeItem{}, h: s.apiPledgeItems},
		{Method: "POST", Pattern: "/api/v1/pledge-items", Tag: "duties", Auth: signedIn, Action: access.EditDuties,
			Summary: "Register an approved item", Body: duties.PledgeItem{}, Result: duties.PledgeItem{}, Status: http.StatusCreated, h: s.apiSavePledgeItem},
		{Method: "POST", Pattern: "/api/v1/units/{code}/inbox/{id}/refuse", Tag: "duties", Auth: signedIn, Action: access.ActInbox,
			Summary: "Refuse a demand as not the unit's duty, citing its list", Params: []param{pCode, pDemand}, Body: RefuseBody{},
			Result: store.Refusal{}, Status: http.StatusCreated, h: s.apiRefuse},
		{Method: "GET", Pattern: "/api/v1/refusals", Tag: "duties", Auth: signedIn, Action: access.ReviewDemands,
			Summary: "Refusals by units within my scope", Params: []param{{Name: "status", In: "query", Type: "string", Desc: "pending, upheld or overturned"}},
			Result: []store.Refusal{}, h: s.apiRefusals},
		{Method: "POST", Pattern: "/api/v1/refusals/{id}/decision", Tag: "duties", Auth: signedIn, Action: access.ReviewDemands,
			Summary: "Uphold or overturn a refusal, with a reason", Params: []param{pID}, Body: UpholdBody{}, Result: store.Refusal{}, h: s.apiDecideRefusal},
		{Method: "POST", Pattern: "/api/v1/escalations", Tag: "duties", Auth: signedIn, Action: access.ActInbox,
			Summary: "A township summons the offices responsible for a matter it cannot handle (吹哨)", Body: EscalationBody{},
			Result: duties.Escalation{}, Status: http.StatusCreated, h: s.apiEscalate},
		{Method: "GET", Pattern: "/api/v1/escalations", Tag: "duties", Auth: signedIn,
			Summary: "Escalations raised within my scope, or summoning my office", Result: []*duties.Escalation{}, h: s.apiEscalations},
		{Method: "POST", Pattern: "/api/v1/escalations/{id}/ack", Tag: "duties", Auth: signedIn,
			Summary: "My office acknowledges an escalation (报到)", Params: []param{pID}, Result: duties.Escalation{}, h: s.apiAnswer(false)},
		{Method: "POST", Pattern: "/api/v1/escalations/{id}/respond", Tag: "duties", Auth: signedIn,
			Summary: "My office responds to an escalation", Params: []param{pID}, Body: ResponseBody{}, Result: duties.Escalation{}, h: s.apiAnswer(true)},
		{Method: "GET", Pattern: "/api/v1/duties-stats", Tag: "duties", Auth: signedIn, Action: access.ReadDemands,
			Summary: "Tasks each office pushes down, refusals by office and by matter, escalations answered late",
			Params:  []param{{Name: "from", In: "query", Type: "string"}, {Name: "to", In: "query", Type: "string"}}, Result: DutyStats{}, h: s.apiDutyStats},
	}
}

func dutyError(err error) error {
	var p *duties.Problem
	if errors.As(err, &p) {
		e := errorf(CodeInvalid, "error.duty_list", p.Detail())
		e.Field = "matters"
		if p.Matter != "" {
			e.Field = "matters." + p.Matter
		}
		return e
	}
	return gateError(err)
}

// ownerParam reads an owner code: "0" or "" is the country.
func ownerParam(t *units.Tree, field, v string) (string, error) {
	if v == "" || v == "0" {
		return "", nil
	}
	return knownCode(t, field, v)
}

func (s *Server) dutyView(ctx context.Context, t *units.Tree, u units.Unit, day time.Time) (DutyListView, error) {
	book, err := s.db.DutyBook(ctx)
	if err != nil {
		return DutyListView{}, err
	}
	eff := book.At(u.Code, u.Level, day)
	v := DutyListView{Unit: UnitRef{Code: u.Code, Name: u.Name, Level: u.Level.String()}, Date: day.Format("2006-01-02"), Lists: eff.Lists, Matters: []DutyMatter{}}
	if v.Lists == nil {
		v.Lists = []*duties.List{}
	}
	for _, m := range eff.Sorted() {
		owner := eff.From[m.Code]
		name := i18n.T(i18n.ZH, "error.country")
		if o, ok := t.Get(owner); ok {
			name = o.Name
		}
		v.Matters = append(v.Matters, DutyMatter{Matter: m, Owner: owner, OwnerName: name})
	}
	return v, nil
}

func (s *Server) apiDuties(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	code, err := knownCode(t, "code", r.PathValue("code"))
	if err != nil {
		return err
	}
	day, err := dateParam(r, "date", today(s.db.Now()))
	if err != nil {
		return err
	}
	u, _ := t.Get(code)
	v, err := s.dutyView(r.Context(), t, u, day)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiDutyLists(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	owner, err := ownerParam(t, "owner", r.URL.Query().Get("owner"))
	if err != nil {
		return err
	}
	lists, err := s.db.DutyLists(r.Context(), &owner)
	if err != nil {
		return err
	}
	if lists == nil {
		lists = []*duties.List{}
	}
	writeJSON(w, http.StatusOK, lists)
	return nil
}

func (s *Server) apiSaveDutyList(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b DutyListBody
	if err := decode(r, &b); err != nil {
		return err
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	owner, err := ownerParam(t, "owner", b.Owner)
	if err != nil {
		return err
	}
	if err := c.Require(access.EditDuties, owner); err != nil {
		return err
	}
	if ol, _ := units.LevelOfCode(owner); owner != "" && ol >= b.Level {
		return invalid("level", "gate.error.level_not_below", b.Level.String(), owner)
	}
	eff, err := time.ParseInLocation("2006-01-02", b.Effective, gate.China)
	if err != nil {
		return invalid("effective", "error.bad_date", "effective", b.Effective)
	}
	l := &duties.List{Owner: owner, Level: b.Level, Effective: eff, Matters: b.Matters, Note: strings.TrimSpace(b.Note)}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.SaveDutyList(r.Context(), l) }); err != nil {
		return dutyError(err)
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (s *Server) apiPledgeItems(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	items, err := s.db.PledgeItems(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items)
	return nil
}

func (s *Server) apiSavePledgeItem(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var p duties.PledgeItem
	if err := decode(r, &p); err != nil {
		return err
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	if p.Owner, err = ownerParam(t, "owner", p.Owner); err != nil {
		return err
	}
	if err := c.Require(access.EditDuties, p.Owner); err != nil {
		return err
	}
	p.ID = 0
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.SavePledgeItem(r.Context(), &p) }); err != nil {
		return dutyError(err)
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) apiRefuse(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	code, err := knownCode(t, "code", r.PathValue("code"))
	if err != nil {
		return err
	}
	if err := c.Require(access.ActInbox, code); err != nil {
		return err
	}
	var b RefuseBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if strings.TrimSpace(b.Reason) == "" {
		return invalid("reason", "error.required", "reason")
	}
	u, _ := t.Get(code)
	items, err := s.db.Inbox(ctx, u, time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	var rec *store.DemandRecord
	for _, it := range items {
		if it.Demand.ID == id {
			rec = it.Demand
		}
	}
	if rec == nil {
		return errorf(CodeNotFound, "error.not_found")
	}
	book, err := s.db.DutyBook(ctx)
	if err != nil {
		return err
	}
	eff := book.At(code, u.Level, rec.When())
	if b.Matter != "" {
		if _, ok := eff.Find(b.Matter); !ok {
			return invalid("matter", "error.refuse_matter", b.Matter)
		}
	} else if m, ok := eff.Find(rec.Matter); ok && m.Category != duties.Negative {
		// Citing nothing claims the matter is on no list of the unit.
		return invalid("matter", "error.refuse_listed", rec.Matter)
	}
	var ref store.Refusal
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		var err error
		ref, err = tx.Refuse(ctx, rec, code, b.Matter, strings.TrimSpace(b.Reason))
		return err
	}); err != nil {
		return err
	}
	ref, err = s.db.RefusalByID(ctx, ref.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ref)
	return nil
}

func (s *Server) apiRefusals(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	scopes := c.P.Scopes(access.ReviewDemands)
	if len(scopes) == 0 {
		return c.Require(access.ReviewDemands, c.Person.UnitCode)
	}
	list, err := s.db.Refusals(r.Context(), scopes, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) apiDecideRefusal(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ref, err := s.db.RefusalByID(r.Context(), id)
	if err != nil {
		return err
	}
	if !c.P.Can(access.ReviewDemands, ref.Unit) && !c.P.Can(access.ReadInbox, ref.Unit) {
		return errorf(CodeNotFound, "error.not_found")
	}
	if err := c.Require(access.ReviewDemands, ref.Unit); err != nil {
		return err
	}
	var b UpholdBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if strings.TrimSpace(b.Reason) == "" {
		return invalid("reason", "error.required", "reason")
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		return tx.DecideRefusal(r.Context(), ref, b.Uphold, strings.TrimSpace(b.Reason))
	}); err != nil {
		return gateError(err)
	}
	ref, err = s.db.RefusalByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ref)
	return nil
}

func (s *Server) apiEscalate(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b EscalationBody
	if err := decode(r, &b); err != nil {
		return err
	}
	ctx := r.Context()
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	if _, err := knownCode(t, "unit", b.Unit); err != nil {
		return err
	}
	if err := c.Require(access.ActInbox, b.Unit); err != nil {
		return err
	}
	u, _ := t.Get(b.Unit)
	if u.Level != units.Township {
		return invalid("unit", "error.escalate_township")
	}
	if strings.TrimSpace(b.Title) == "" {
		return invalid("title", "error.required", "title")
	}
	if len(b.Offices) == 0 {
		return invalid("offices", "error.required", "offices")
	}
	e := &duties.Escalation{Unit: b.Unit, Matter: strings.TrimSpace(b.Matter), Title: strings.TrimSpace(b.Title), Description: strings.TrimSpace(b.Description)}
	seen := map[int64]bool{}
	for _, id := range b.Offices {
		o, err := s.db.Office(ctx, id)
		if err != nil || o.UnitCode == b.Unit || !units.Contains(o.UnitCode, b.Unit) || seen[id] {
			return invalid("offices", "error.escalate_office", id)
		}
		seen[id] = true
		e.Calls = append(e.Calls, duties.Call{OfficeID: id, OfficeName: o.Name})
	}
	cal, err := s.db.Calendar(ctx)
	if err != nil {
		return err
	}
	pt, err := s.db.PolicyTree(ctx)
	if err != nil {
		return err
	}
	set := pt.At(b.Unit)
	e.AckBy, e.RespondBy = duties.Deadlines(cal, s.db.Now(), set.Get("escalation.ack_hours"), set.Get("escalation.respond_days"))
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.CreateEscalation(ctx, e) }); err != nil {
		return err
	}
	return s.writeEscalation(w, r, c, e.ID, http.StatusCreated)
}

func (s *Server) writeEscalation(w http.ResponseWriter, r *http.Request, c *Ctx, id int64, status int) error {
	list, err := s.db.Escalations(r.Context(), store.EscalationQuery{Scopes: []string{""}, ID: id})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errorf(CodeNotFound, "error.not_found")
	}
	writeJSON(w, status, list[0])
	return nil
}

func (s *Server) apiEscalations(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := store.EscalationQuery{Scopes: c.P.Scopes(access.ReadInbox), Office: c.Person.OfficeID}
	list, err := s.db.Escalations(r.Context(), q)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*duties.Escalation{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) apiAnswer(respond bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *Ctx) error {
		id, err := idParam(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		list, err := s.db.Escalations(ctx, store.EscalationQuery{Scopes: c.P.Scopes(access.ReadInbox), Office: c.Person.OfficeID, ID: id})
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return errorf(CodeNotFound, "error.not_found")
		}
		e := list[0]
		summoned := false
		for _, call := range e.Calls {
			summoned = summoned || c.Person.OfficeID != 0 && call.OfficeID == c.Person.OfficeID
		}
		if !summoned {
			return errorf(CodeForbidden, "error.not_summoned")
		}
		response := ""
		if respond {
			var b ResponseBody
			if err := decode(r, &b); err != nil {
				return err
			}
			if response = strings.TrimSpace(b.Response); response == "" {
				return invalid("response", "error.required", "response")
			}
		}
		if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
			return tx.AnswerEscalation(ctx, e, c.Person.OfficeID, response)
		}); err != nil {
			return err
		}
		return s.writeEscalation(w, r, c, id, http.StatusOK)
	}
}

func (s *Server) apiDutyStats(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	scopes := c.P.Scopes(access.ReadDemands)
	if len(scopes) == 0 {
		return c.Require(access.ReadDemands, c.Person.UnitCode)
	}
	from, to, err := s.period(r)
	if err != nil {
		return err
	}
	byOffice, byMatter, err := s.db.DutyStats(r.Context(), scopes, from, to)
	if err != nil {
		return err
	}
	out := DutyStats{From: from, To: to, ByOffice: byOffice, ByMatter: byMatter}
	if out.ByOffice == nil {
		out.ByOffice = []store.DutyCount{}
	}
	if out.ByMatter == nil {
		out.ByMatter = []store.DutyCount{}
	}
	if out.Escalations, err = s.db.Escalations(r.Context(), store.EscalationQuery{Scopes: scopes}); err != nil {
		return err
	}
	if out.Escalations == nil {
		out.Escalations = []*duties.Escalation{}
	}
	// An office late to acknowledge or respond counts against it.
	idx := map[string]int{}
	for i, o := range out.ByOffice {
		idx[o.Key] = i
	}
	for _, e := range out.Escalations {
		for _, l := range e.Late {
			k := itoa64(l.OfficeID)
			i, ok := idx[k]
			if !ok {
				name := ""
				for _, call := range e.Calls {
					if call.OfficeID == l.OfficeID {
						name = call.OfficeName
					}
				}
				i = len(out.ByOffice)
				idx[k] = i
				out.ByOffice = append(out.ByOffice, store.DutyCount{Key: k, Name: name})
			}
			out.ByOffice[i].Late++
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
