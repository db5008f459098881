package store

import (
	"context"
	"errors"
	"sort"

	"fmt"
	"lighten/internal/audit"
	"math"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/policy"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// GateEnv is what the gate sees of the database for one check: the tree,
// the calendar and the policies as they stand, and counts and budgets read
// on demand. Errors from those reads are kept and reported by Err, since
// the gate's rules cannot return them.
type GateEnv struct {
	ctx     context.Context
	db      *DB
	tree    *units.Tree
	cal     gate.Calendar
	pol     *policy.Tree
	coords  map[string][2]float64
	budgets map[string]gate.Budget
	book    *duties.Book
	pledges map[string]duties.PledgeItem
	dict    *Dictionary
	err     error

	// plan is the plan passing the gate, as it stands in the transaction
	// that submits it; items is every other plan item looked up.
	plan  *visits.Plan
	items map[string]planItem
}

type planItem struct {
	item *visits.Item
	plan *visits.Plan
}

// GateEnv gathers what a check needs.
func (db *DB) GateEnv(ctx context.Context) (*GateEnv, error) {
	e := &GateEnv{ctx: ctx, db: db, budgets: map[string]gate.Budget{}}
	var err error
	if e.tree, err = db.Tree(ctx); err != nil {
		return nil, err
	}
	cal, err := db.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	e.cal = gate.Official(cal)
	if e.pol, err = db.PolicyTree(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Duties is every duty list.
func (e *GateEnv) Duties() *duties.Book {
	if e.book == nil {
		b, err := e.db.DutyBook(e.ctx)
		if err != nil {
			e.fail(err)
			return duties.NewBook(nil)
		}
		e.book = b
	}
	return e.book
}

// PledgeItem finds an item of the register.
func (e *GateEnv) PledgeItem(code string) (duties.PledgeItem, bool) {
	if e.pledges == nil {
		items, err := e.db.PledgeItems(e.ctx)
		if err != nil {
			e.fail(err)
			return duties.PledgeItem{}, false
		}
		e.pledges = map[string]duties.PledgeItem{}
		for _, p := range items {
			e.pledges[p.Code] = p
		}
	}
	p, ok := e.pledges[code]
	return p, ok
}

// PledgeReceived reports whether unit received the item as a pledge.
func (e *GateEnv) PledgeReceived(unit, item string) bool {
	ok, err := e.db.PledgeReceived(e.ctx, unit, item)
	e.fail(err)
	return ok
}

// Element finds an element of the data dictionary.
func (e *GateEnv) Element(code string) (*collect.Element, bool) {
	if e.dict == nil {
		d, err := e.db.Dictionary(e.ctx)
		if err != nil {
			e.fail(err)
			return nil, false
		}
		e.dict = d
	}
	el, ok := e.dict.Elements[code]
	return el, ok
}

// Known says which units hold a fresh value of an element for a period.
func (e *GateEnv) Known(el *collect.Element, period string) collect.Known {
	k, err := e.db.Known(e.ctx, el, period)
	if err != nil {
		e.fail(err)
		return collect.None
	}
	return k
}

// Overlaps lists other live reports asking an element for a period.
func (e *GateEnv) Overlaps(element, period string, except int64) []gate.Overlap {
	o, err := e.db.Overlaps(e.ctx, element, period, except)
	e.fail(err)
	return o
}

// PlanItem finds a plan item by its code: the plan passing the gate first,
// then the stored plans.
func (e *GateEnv) PlanItem(code string) (*visits.Item, *visits.Plan, bool) {
	if p := e.plan; p != nil {
		for i := range p.Items {
			if p.Items[i].Code == code {
				return &p.Items[i], p, true
			}
		}
	}
	if pi, ok := e.items[code]; ok {
		return pi.item, pi.plan, pi.item != nil
	}
	it, p, err := e.db.PlanItemByCode(e.ctx, code)
	if err != nil && !errors.Is(err, ErrNotFound) {
		e.fail(err)
	}
	if e.items == nil {
		e.items = map[string]planItem{}
	}
	e.items[code] = planItem{it, p}
	return it, p, it != nil && p != nil
}

// ComprehensiveItems counts the comprehensive items of an office's other
// approved or in-review plans of a year.
func (e *GateEnv) ComprehensiveItems(office int64, year int, except int64) int {
	n, err := e.db.ComprehensiveItems(e.ctx, office, year, except)
	e.fail(err)
	return n
}

// UnitInspections counts each unit's inspections of a year.
func (e *GateEnv) UnitInspections(codes []string, year int) map[string]int {
	m, err := e.db.UnitInspections(e.ctx, codes, year)
	e.fail(err)
	return m
}

// UnitInspectionsUnder counts the inspections of a year of the units of a
// level under a unit, in one query (gate.ScopedInspections).
func (e *GateEnv) UnitInspectionsUnder(level units.Level, under string, year int) map[string]int {
	m, err := e.db.UnitInspectionsUnder(e.ctx, level, under, year)
	e.fail(err)
	return m
}

// UnitVisits lists each unit's visits between two days.
func (e *GateEnv) UnitVisits(codes []string, from, to calendar.Date) map[string][]calendar.Date {
	m, err := e.db.unitVisits(e.ctx, codes, from, to)
	e.fail(err)
	return m
}

// Err is the first error a read during the check met.
func (e *GateEnv) Err() error { return e.err }

func (e *GateEnv) fail(err error) {
	if e.err == nil && err != nil {
		e.err = err
	}
}

func (e *GateEnv) Tree() *units.Tree       { return e.tree }
func (e *GateEnv) Calendar() gate.Calendar { return e.cal }
func (e *GateEnv) Policies() *policy.Tree  { return e.pol }

func (e *GateEnv) IssuerCount(office int64, kind gate.Kind, from, to time.Time, comprehensive bool) int {
	n, err := e.db.IssuerCount(e.ctx, office, kind, from, to, comprehensive)
	e.fail(err)
	return n
}

func (e *GateEnv) BudgetUsed(month time.Time) gate.Budget {
	key := monthKey(month)
	if b, ok := e.budgets[key]; ok {
		return b
	}
	b, err := e.db.BudgetUsed(e.ctx, month)
	if err != nil {
		e.fail(err)
		return budgetMonth{}
	}
	e.budgets[key] = b
	return b
}

// Speeds for travel estimates from coordinates: roads wind, so the
// straight line is stretched, and county roads are slow.
const (
	roadFactor = 1.4
	roadKmH    = 40.0
)

// Travel estimates the round trip between two units from their coordinates
// (or their nearest ancestors' that have coordinates), if known.
func (e *GateEnv) Travel(from, to string) (int, bool) {
	if e.coords == nil {
		c, err := e.db.Coordinates(e.ctx)
		if err != nil {
			e.fail(err)
			return 0, false
		}
		e.coords = c
	}
	a, ok1 := e.nearest(from)
	b, ok2 := e.nearest(to)
	if !ok1 || !ok2 {
		return 0, false
	}
	km := haversine(a, b) * roadFactor
	return int(math.Round(2 * km / roadKmH * 60)), true
}

func (e *GateEnv) nearest(code string) ([2]float64, bool) {
	for c := code; c != ""; c = units.ParentCode(c) {
		if p, ok := e.coords[c]; ok {
			return p, true
		}
	}
	return [2]float64{}, false
}

func haversine(a, b [2]float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dlat, dlon := (b[0]-a[0])*rad, (b[1]-a[1])*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(a[0]*rad)*math.Cos(b[0]*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// Coordinates reads the units whose location is known.
func (db *DB) Coordinates(ctx context.Context) (map[string][2]float64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT code, lat, lon FROM units WHERE lat IS NOT NULL AND lon IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("read coordinates: %w", err)
	}
	defer rows.Close()
	out := map[string][2]float64{}
	for rows.Next() {
		var c string
		var p [2]float64
		if err := rows.Scan(&c, &p[0], &p[1]); err != nil {
			return nil, err
		}
		out[c] = p
	}
	return out, rows.Err()
}

// SetCoordinates records where units are (latitude, longitude in degrees),
// in code order so that an error names the same unit every time.
func (tx *Tx) SetCoordinates(ctx context.Context, coords map[string][2]float64) error {
	codes := make([]string, 0, len(coords))
	for c := range coords {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, code := range codes {
		p := coords[code]
		res, err := tx.exec(ctx, `UPDATE units SET lat = $1, lon = $2 WHERE code = $3`, p[0], p[1], code)
		if err != nil {
			return fmt.Errorf("set coordinates of %s: %w", code, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("set coordinates: unit %s: %w", code, ErrNotFound)
		}
	}
	return tx.Audit(ctx, audit.Record{Action: "units.locate", Entity: "units", EntityID: "coordinates",
		After: audit.JSON(map[string]int{"units": len(coords)})})
}
