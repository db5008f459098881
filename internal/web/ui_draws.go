package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"lighten/internal/access"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// drawUIRoutes are the public page of a verifiable draw and its office's
// two steps. Each handler checks what the API handler of the same thing
// checks.
func (s *Server) drawUIRoutes() []*route {
	return []*route{
		{Method: "GET", Pattern: "/draws", Action: access.ReadUnits, Summary: "The public index of plans' draws and their results", h: s.uiDraws},
		{Method: "GET", Pattern: "/draws/{id}", Action: access.ReadUnits, Summary: "A draw's public record", h: s.uiDraw},
		{Method: "GET", Pattern: "/draws/{id}/record.json", Action: access.ReadUnits, Summary: "A draw's record, for lighten draw verify", h: s.uiDrawRecord},
		{Method: "POST", Pattern: "/draws/{id}/run", Auth: signedIn, Action: access.IssueDemands, Summary: "Enter the public value and draw", h: s.uiRunDraw},
		{Method: "POST", Pattern: "/draws/{id}/reveal", Auth: signedIn, Action: access.IssueDemands, Summary: "Reveal the secret and the selection", h: s.uiRevealDraw},
	}
}

var drawStatusKeys = map[string]string{
	"committed": "ui.draw.status.committed", "drawn": "ui.draw.status.drawn", "revealed": "ui.draw.status.revealed",
}

type tierView struct {
	Name  string
	Rate  string
	Units int
	Drawn int
}

// drawnView is a unit drawn and, when the draw draws teams, its team's
// register numbers, the leader first.
type drawnView struct {
	Code string
	Name string
	Team []string
}

type drawPage struct {
	ID          int64
	Plan        string
	Office      string
	Status      string
	StatusClass string
	Pool        int
	Drawn       int
	Tiers       []tierView
	MinPerTier  int
	Version     string
	Commitment  string
	PublicValue string
	Digest      string
	Secret      string
	Created     string
	DrawnAt     string
	RevealAfter string
	RevealedAt  string
	Selected    []drawnView
	Register    int // inspectors in the register, when the draw draws teams
	TeamSize    int
	Revealed    bool
	Record      string
	CanRun      bool
	CanReveal   bool
	RevealLater bool // the reveal button shows, disabled until the window ends
	Typed       string
	Err         string
	Done        string
	// Beacon is the round the draw committed to; nil when its public value
	// is entered by hand (ByHand).
	Beacon *beaconView
	ByHand bool
}

// beaconView is a draw's beacon round as its page shows it.
type beaconView struct {
	Chain     string
	Round     uint64
	At        string // when the round is published, China time
	URL       string
	Signature string
	Early     bool // the round is not published yet
}

// mayRunDraw is the check of the API's ownDraw: staff of the draw's
// office who issue demands.
func mayRunDraw(c *Ctx, rec *store.DrawRecord) bool {
	return c.Person.OfficeID != 0 && c.Person.OfficeID == rec.OfficeID && c.P.CanSomewhere(access.IssueDemands)
}

func (s *Server) drawPageOf(r *http.Request, c *Ctx, rec *store.DrawRecord) (drawPage, error) {
	ctx := r.Context()
	d := rec.Draw
	v := drawPage{ID: rec.ID, Plan: d.Plan, Status: label(c, drawStatusKeys, rec.Status), MinPerTier: d.MinPerTier, Version: d.Version,
		Commitment: d.Commitment, PublicValue: d.PublicValue, Digest: d.Digest, Secret: d.Secret, Created: chinaTime(rec.Created),
		RevealAfter: chinaTime(rec.RevealAfter), Revealed: rec.Status == "revealed", Record: fmt.Sprintf("/draws/%d/record.json", rec.ID)}
	v.StatusClass = map[string]string{"committed": "review", "drawn": "review", "revealed": "ok"}[rec.Status]
	if rec.Drawn != nil {
		v.DrawnAt = chinaTime(*rec.Drawn)
	}
	if rec.Revealed != nil {
		v.RevealedAt = chinaTime(*rec.Revealed)
	}
	o, err := s.db.Office(ctx, rec.OfficeID)
	if err == nil {
		v.Office = o.Name
		if c.Lang == i18n.EN && o.NameEN != "" {
			v.Office = o.NameEN
		}
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return v, err
	}
	for _, tier := range d.Tiers {
		v.Pool += len(tier.Units)
		v.Tiers = append(v.Tiers, tierView{Name: tier.Name, Rate: strconv.FormatFloat(tier.Rate*100, 'f', -1, 64) + "%",
			Units: len(tier.Units), Drawn: d.Count(tier.Rate, len(tier.Units))})
		v.Drawn += d.Count(tier.Rate, len(tier.Units))
	}
	if d.TeamSize > 0 {
		v.Register, v.TeamSize = len(d.Inspectors), d.TeamSize
	}
	if b := d.Beacon; b != nil {
		c, _ := b.Known()
		v.Beacon = &beaconView{Chain: c.Name, Round: b.Round, At: b.Time().In(gate.China).Format("2006-01-02 15:04:05"), URL: b.URL(),
			Signature: b.Signature, Early: s.db.Now().Before(b.Time())}
	} else {
		v.ByHand = true
	}
	for i, code := range d.Selected {
		u := drawnView{Code: code, Name: placeOf(t, code, code)}
		if i < len(d.Teams) {
			u.Team = d.Teams[i]
		}
		v.Selected = append(v.Selected, u)
	}
	own := mayRunDraw(c, rec)
	v.CanRun = own && rec.Status == "committed"
	v.CanReveal = own && rec.Status == "drawn"
	v.RevealLater = v.CanReveal && s.db.Now().Before(rec.RevealAfter)
	return v, nil
}

func (s *Server) draw(r *http.Request) (*store.DrawRecord, error) {
	id, err := idParam(r)
	if err != nil {
		return nil, err
	}
	return s.db.DrawByID(r.Context(), id)
}

func (s *Server) uiDraw(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	rec, err := s.draw(r)
	if err != nil {
		return err
	}
	v, err := s.drawPageOf(r, c, rec)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "drawn":
		v.Done = c.T("ui.draw.done_drawn")
	case "revealed":
		v.Done = c.T("ui.draw.done_revealed")
	}
	return s.page(w, r, c, http.StatusOK, "draw", c.T("ui.draw.title", rec.ID), v)
}

// uiDrawRecord serves the public record as `lighten draw verify` reads it.
func (s *Server) uiDrawRecord(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	rec, err := s.draw(r)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(rec.Draw, "", "  ")
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=draw-%d.json", rec.ID))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(append(b, '\n'))
	return nil
}

// ownDrawUI reads a draw of the person's own office, as ownDraw does.
func (s *Server) ownDrawUI(r *http.Request, c *Ctx) (*store.DrawRecord, error) {
	rec, err := s.draw(r)
	if err != nil {
		return nil, err
	}
	if !mayRunDraw(c, rec) {
		return nil, errorf(CodeForbidden, "error.not_your_demand")
	}
	return rec, nil
}

// drawAgain shows the draw's page with an error next to its form.
func (s *Server) drawAgain(w http.ResponseWriter, r *http.Request, c *Ctx, rec *store.DrawRecord, err error) error {
	e := asError(gateError(err))
	if e.Code == CodeInternal || e.Code == CodeUnavailable {
		return err
	}
	// A failed write leaves the record as it was read; read it again.
	if fresh, rerr := s.db.DrawByID(r.Context(), rec.ID); rerr == nil {
		rec = fresh
	}
	v, verr := s.drawPageOf(r, c, rec)
	if verr != nil {
		return verr
	}
	v.Err, v.Typed = e.Message.In(c.Lang), r.PostFormValue("value")
	return s.page(w, r, c, e.Status(), "draw", c.T("ui.draw.title", rec.ID), v)
}

func (s *Server) uiRunDraw(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	rec, err := s.ownDrawUI(r, c)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	value := strings.TrimSpace(r.PostFormValue("value"))
	if value == "" {
		return s.drawAgain(w, r, c, rec, invalid("value", "ui.draw.error.value"))
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.RunDraw(r.Context(), rec, value) }); err != nil {
		return s.drawAgain(w, r, c, rec, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/draws/%d?done=drawn", rec.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) uiRevealDraw(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	rec, err := s.ownDrawUI(r, c)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if rec.Status == "drawn" && s.db.Now().Before(rec.RevealAfter) {
		// Sealed until its visits are over; said in the page's words.
		return s.drawAgain(w, r, c, rec, &Error{Code: CodeConflict, Message: i18n.Both("ui.draw.error.sealed", chinaTime(rec.RevealAfter))})
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.RevealDraw(r.Context(), rec) }); err != nil {
		return s.drawAgain(w, r, c, rec, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/draws/%d?done=revealed", rec.ID), http.StatusSeeOther)
	return nil
}

// ---- the public index

// drawsPageSize is how many draws a page of the index lists.
const drawsPageSize = 20

// drawRow is a draw in the public index: what its record page says before
// the reveal, and nothing of what it drew.
type drawRow struct {
	ID          int64
	Name        string // the item's title, or the ad hoc draw's name
	Code        string // the plan item's code (the draw's plan)
	Plan        string // the plan's title, for a plan item's draw
	Year        int
	Office      string
	Place       string
	Status      string
	StatusClass string
	Step        string // what happened last, and when
	Next        string // what happens next, and when
	Results     string // the plan's results, once the draw is revealed
}

// publicPlanRow is an approved plan in the public index.
type publicPlanRow struct {
	ID      int64
	Title   string
	Year    int
	Office  string
	Place   string
	Counts  string // items, drawn, revealed
	Results string // once an item's draw is revealed
}

// plansOnIndex is how many plans the index's first page lists at most.
const plansOnIndex = 100

type drawsPage struct {
	Plans  []publicPlanRow
	Rows   []drawRow
	Years  []option
	Places []option
	Year   string
	Place  string
	Pager  pager
	Any    bool // any filter is set
}

// drawQuery reads the index's filters: year, place (a unit code), offset
// and, for the API, limit.
func drawQuery(r *http.Request, t *units.Tree, limit int) (store.DrawQuery, error) {
	q := r.URL.Query()
	dq := store.DrawQuery{Limit: limit}
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return dq, invalid("year", "ui.draws.error.year", y)
		}
		dq.Year = n
	}
	if p := q.Get("place"); p != "" {
		if _, ok := t.Get(p); !ok {
			return dq, invalid("place", "ui.draws.error.place", p)
		}
		dq.Under = p
	}
	if o := q.Get("offset"); o != "" {
		n, err := strconv.Atoi(o)
		if err != nil || n < 0 {
			return dq, invalid("offset", "ui.draws.error.offset", o)
		}
		dq.Offset = n
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return dq, invalid("limit", "ui.draws.error.limit", l)
		}
		dq.Limit = min(n, 200)
	}
	return dq, nil
}

func (s *Server) uiDraws(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	dq, err := drawQuery(r, t, drawsPageSize)
	if err != nil {
		return err
	}
	v := drawsPage{Place: dq.Under}
	if dq.Year != 0 {
		v.Year = strconv.Itoa(dq.Year)
	}
	v.Any = v.Year != "" || v.Place != ""
	list, total, err := s.db.ListDraws(ctx, dq)
	if err != nil {
		return err
	}
	for _, l := range list {
		row := drawRow{ID: l.ID, Code: l.Plan, Name: l.Plan, Plan: l.PlanTitle, Year: l.Year,
			Status: label(c, drawStatusKeys, l.Status), Place: place(t, c, l.OfficeUnit),
			StatusClass: map[string]string{"committed": "review", "drawn": "review", "revealed": "ok"}[l.Status]}
		row.Office = l.Office
		if c.Lang == i18n.EN && l.OfficeEN != "" {
			row.Office = l.OfficeEN
		}
		if l.ItemTitle != "" {
			row.Name = l.ItemTitle
			if c.Lang == i18n.EN && l.ItemTitleEN != "" {
				row.Name = l.ItemTitleEN
			}
		}
		switch {
		case l.Revealed != nil:
			row.Step = c.T("ui.draws.step.revealed", chinaTime(*l.Revealed))
			if l.PlanID != 0 {
				row.Results = fmt.Sprintf("/plans/%d/results", l.PlanID)
			}
		case l.Drawn != nil:
			row.Step = c.T("ui.draws.step.drawn", chinaTime(*l.Drawn))
			row.Next = c.T("ui.draws.next.reveal", chinaTime(l.RevealAfter))
		default:
			row.Step = c.T("ui.draws.step.committed", chinaTime(l.Created))
			row.Next = c.T("ui.draws.next.run")
		}
		v.Rows = append(v.Rows, row)
	}
	v.Pager = pagerOf(r, dq.Offset, dq.Limit, len(list), total)
	if dq.Offset == 0 {
		plans, err := s.db.ListPublicPlans(ctx, dq, plansOnIndex)
		if err != nil {
			return err
		}
		for _, p := range plans {
			row := publicPlanRow{ID: p.ID, Title: p.Title, Year: p.Year, Office: p.Office, Place: place(t, c, p.OfficeUnit),
				Counts: c.T("ui.draws.plan_counts", p.Items, p.Drawn, p.Revealed)}
			if c.Lang == i18n.EN && p.OfficeEN != "" {
				row.Office = p.OfficeEN
			}
			if p.Revealed > 0 {
				row.Results = fmt.Sprintf("/plans/%d/results", p.ID)
			}
			v.Plans = append(v.Plans, row)
		}
	}
	years, err := s.db.DrawYears(ctx)
	if err != nil {
		return err
	}
	for _, y := range years {
		ys := strconv.Itoa(y)
		v.Years = append(v.Years, option{Code: ys, Label: ys, Selected: ys == v.Year})
	}
	places, err := s.db.DrawPlaces(ctx)
	if err != nil {
		return err
	}
	// Each place with the units above it, so that a province or a city
	// lists the draws of its counties; in code order, which nests them.
	seen := map[string]bool{}
	var codes []string
	for _, p := range places {
		for _, u := range t.Path(p) {
			if !u.Placeholder && !seen[u.Code] {
				seen[u.Code] = true
				codes = append(codes, u.Code)
			}
		}
	}
	if v.Place != "" && !seen[v.Place] {
		codes = append(codes, v.Place)
	}
	sort.Strings(codes)
	for _, code := range codes {
		v.Places = append(v.Places, option{Code: code, Label: place(t, c, code), Selected: code == v.Place})
	}
	return s.page(w, r, c, http.StatusOK, "draws", c.T("ui.draws.title"), v)
}
