package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// DrawBody asks for a draw of targets: every unit of a level under a unit,
// drawn at a rate, or risk tiers with their own rates.
type DrawBody struct {
	Plan        string        `json:"plan"`
	Level       units.Level   `json:"level"`
	Under       string        `json:"under"`
	Rate        float64       `json:"rate"`
	MinPerTier  int           `json:"min_per_tier"`
	Tiers       []visits.Tier `json:"tiers,omitempty"` // instead of level/under/rate
	RevealAfter string        `json:"reveal_after"`    // YYYY-MM-DD: the end of the visits' window
}

// PublicValueBody fixes the public randomness of a draw.
type PublicValueBody struct {
	Value string `json:"value"`
}

func (s *Server) drawRoutes() []*route {
	return []*route{
		{Method: "POST", Pattern: "/api/v1/draws", Tag: "visits", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Commit to a draw of inspection targets: publishes the commitment, the pool and the parameters",
			Body:    DrawBody{}, Result: store.DrawRecord{}, Status: http.StatusCreated, h: s.apiCreateDraw},
		{Method: "GET", Pattern: "/api/v1/draws", Tag: "visits", Action: access.ReadUnits,
			Summary: "The public index of draws, newest first: state, office, plan and item; nothing a sealed draw drew",
			Params: []param{{Name: "year", In: "query", Type: "integer", Desc: "the plan's year, or the year an ad hoc draw was committed"},
				{Name: "place", In: "query", Type: "string", Desc: "a unit code: draws of offices, or of items scoped, under it"}, pLimit, pOffset},
			Result: DrawList{}, h: s.apiDraws},
		{Method: "GET", Pattern: "/api/v1/draws/{id}", Tag: "visits", Action: access.ReadUnits,
			Summary: "A draw's public record: before the reveal only the commitment, public value and selection digest",
			Params:  []param{pID}, Result: store.DrawRecord{}, h: s.apiDraw},
		{Method: "POST", Pattern: "/api/v1/draws/{id}/run", Tag: "visits", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Enter the public value (fixed after the commitment) and draw; the selection stays sealed",
			Params:  []param{pID}, Body: PublicValueBody{}, Result: store.DrawRecord{}, h: s.apiRunDraw},
		{Method: "POST", Pattern: "/api/v1/draws/{id}/reveal", Tag: "visits", Auth: signedIn, Action: access.IssueDemands,
			Summary: "After the visits, reveal the secret and the selection so that anyone can verify the draw",
			Params:  []param{pID}, Result: store.DrawRecord{}, h: s.apiRevealDraw},
	}
}

func (s *Server) apiCreateDraw(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	office, err := s.issuerOffice(r.Context(), c)
	if err != nil {
		return err
	}
	var b DrawBody
	if err := decode(r, &b); err != nil {
		return err
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	if strings.TrimSpace(b.Plan) == "" {
		return invalid("plan", "error.required", "plan")
	}
	after, err := time.ParseInLocation("2006-01-02", b.RevealAfter, gate.China)
	if err != nil {
		return invalid("reveal_after", "error.bad_date", "reveal_after", b.RevealAfter)
	}
	// The selection stays sealed until reveal_after: a day already begun
	// would let it be revealed at once.
	if now := s.db.Now(); !after.After(now) {
		return invalid("reveal_after", "error.draw_reveal_after", b.RevealAfter, now.In(gate.China).Format("2006-01-02"))
	}
	d := &visits.Draw{Plan: strings.TrimSpace(b.Plan), MinPerTier: b.MinPerTier, Tiers: b.Tiers}
	if len(d.Tiers) == 0 {
		if b.Under != "" {
			if _, err := knownCode(t, "under", b.Under); err != nil {
				return err
			}
		}
		if err := c.Require(access.IssueDemands, b.Under); err != nil {
			return err
		}
		var codes []string
		for _, u := range t.Under(b.Level, b.Under) {
			codes = append(codes, u.Code)
		}
		if len(codes) == 0 {
			return invalid("level", "gate.error.level_not_below", b.Level.String(), b.Under)
		}
		d.Tiers = []visits.Tier{{Name: "all", Rate: b.Rate, Units: codes}}
	} else {
		for _, tier := range d.Tiers {
			for _, code := range tier.Units {
				if _, err := knownCode(t, "tiers.units", code); err != nil {
					return err
				}
				if err := c.Require(access.IssueDemands, code); err != nil {
					return err
				}
			}
		}
	}
	if err := d.Validate(); err != nil {
		var ve *visits.ValidationError
		if errors.As(err, &ve) {
			return &Error{Code: CodeInvalid, Message: ve.Message(), Field: ve.Field, cause: err}
		}
		return invalid("tiers", "error.draw", err.Error())
	}
	var rec *store.DrawRecord
	err = s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		// A plan item's draw goes through its item (its pool, its register,
		// its window): an ad hoc draw may not take an item's code as its plan.
		if err := tx.NotItemCode(r.Context(), d.Plan); err != nil {
			e := gateError(err)
			if we, ok := e.(*Error); ok {
				we.Field = "plan"
			}
			return e
		}
		var err error
		rec, err = tx.CreateDraw(r.Context(), office.ID, d, after)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

// DrawList is a page of the public index of draws, with the approved
// plans of the same year and place on the first page.
type DrawList struct {
	Plans []store.PlanListing `json:"plans,omitempty"`
	Draws []store.DrawListing `json:"draws"`
	Total int                 `json:"total"`
}

func (s *Server) apiDraws(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	dq, err := drawQuery(r, t, 50)
	if err != nil {
		return err
	}
	list, total, err := s.db.ListDraws(r.Context(), dq)
	if err != nil {
		return err
	}
	out := DrawList{Draws: list, Total: total}
	if dq.Offset == 0 {
		if out.Plans, err = s.db.ListPublicPlans(r.Context(), dq, plansOnIndex); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiDraw(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	rec, err := s.db.DrawByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// ownDraw reads a draw of the principal's own office.
func (s *Server) ownDraw(r *http.Request, c *Ctx) (*store.DrawRecord, error) {
	id, err := idParam(r)
	if err != nil {
		return nil, err
	}
	rec, err := s.db.DrawByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if c.Person.OfficeID == 0 || c.Person.OfficeID != rec.OfficeID || !c.P.CanSomewhere(access.IssueDemands) {
		return nil, errorf(CodeForbidden, "error.not_your_demand")
	}
	return rec, nil
}

func (s *Server) apiRunDraw(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	rec, err := s.ownDraw(r, c)
	if err != nil {
		return err
	}
	var b PublicValueBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if strings.TrimSpace(b.Value) == "" {
		return invalid("value", "error.required", "value")
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.RunDraw(r.Context(), rec, strings.TrimSpace(b.Value)) }); err != nil {
		return gateError(err)
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) apiRevealDraw(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	rec, err := s.ownDraw(r, c)
	if err != nil {
		return err
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.RevealDraw(r.Context(), rec) }); err != nil {
		return gateError(err)
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}
