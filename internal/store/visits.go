package store

// Annual plans, the inspector register, item draws, schedule runs, sealed
// visits, field records and published results.
//
// CONTRACT SKELETON: the signatures below are the interface the web, gate,
// demo and CLI code against; the bodies are being written.

import (
	"context"
	"errors"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/visits"
)

var errTODO = errors.New("not yet implemented")

// SavePlan creates a draft plan (p.ID == 0) or replaces a draft's title,
// year and items; only drafts change. Item codes are unique over all plans.
func (tx *Tx) SavePlan(ctx context.Context, p *visits.Plan) error { return errTODO }

// SetPlanStatus records the gate's decision on a submitted plan.
func (tx *Tx) SetPlanStatus(ctx context.Context, id int64, s visits.PlanStatus) error { return errTODO }

// Plan reads a plan with its items.
func (db *DB) Plan(ctx context.Context, id int64) (*visits.Plan, error) { return nil, errTODO }

// PlanFilter selects plans: an office's (Office > 0), a year's (Year > 0),
// or those of offices whose unit lies under Under.
type PlanFilter struct {
	Office int64
	Year   int
	Under  string
}

// Plans lists plans with their items, newest first.
func (db *DB) Plans(ctx context.Context, f PlanFilter) ([]*visits.Plan, error) { return nil, errTODO }

// PlanItemByCode finds a plan item and its plan by the item's code.
func (db *DB) PlanItemByCode(ctx context.Context, code string) (*visits.Item, *visits.Plan, error) {
	return nil, nil, errTODO
}

// ComprehensiveItems counts the comprehensive items of an office's approved
// (or in review) plans of a year, leaving out plan except.
func (db *DB) ComprehensiveItems(ctx context.Context, office int64, year int, except int64) (int, error) {
	return 0, errTODO
}

// SaveInspector adds (ID == 0) or changes an entry of the inspector
// register. Numbers are unique.
func (tx *Tx) SaveInspector(ctx context.Context, in *visits.RegisteredInspector) error {
	return errTODO
}

// InspectorFilter selects register entries: an office's (Office > 0), or
// those of offices whose unit lies under Under; ActiveOnly leaves out the
// inactive.
type InspectorFilter struct {
	Office     int64
	Under      string
	ActiveOnly bool
}

// Inspectors lists register entries in number order.
func (db *DB) Inspectors(ctx context.Context, f InspectorFilter) ([]visits.RegisteredInspector, error) {
	return nil, errTODO
}

// InspectorByPerson finds the register entry of a person who signs in.
func (db *DB) InspectorByPerson(ctx context.Context, person int64) (*visits.RegisteredInspector, error) {
	return nil, errTODO
}

// CommitItemDraw commits the draw of a plan item of an approved plan: the
// pool is the units of the item's level under its scope (with its tiers),
// the inspectors are the active register entries of offices under the
// item's county (or the plan office's unit), each with the recusal
// prefixes of their conflicts (township where they work and where they
// come from, declared relations, units they visited in the last
// visit.recent.months months); the team size is the item's. The draw
// stays sealed until the day after the item's window.
func (tx *Tx) CommitItemDraw(ctx context.Context, itemID int64) (*DrawRecord, error) {
	return nil, errTODO
}

// ScheduleRun is one run of the joint scheduler over a scope and window:
// every drawn item whose window lies in it and whose targets lie under the
// scope is merged into joint visits.
type ScheduleRun struct {
	ID        int64         `json:"id"`
	Scope     string        `json:"scope"`
	From      calendar.Date `json:"from"`
	To        calendar.Date `json:"to"`
	Items     []string      `json:"items"` // plan item codes
	Stats     visits.Stats  `json:"stats"`
	Created   time.Time     `json:"created"`
	CreatedBy int64         `json:"created_by"`
	// unscheduled holds the reasons, which name units: sealed like the
	// visits themselves.
	unscheduled []visits.Unscheduled
}

// Unscheduled is the sealed list of visits the run could not place, with
// the reasons.
func (r *ScheduleRun) Unscheduled() []visits.Unscheduled { return r.unscheduled }

// ScheduleWindow runs the joint scheduler and stores its visits, replacing
// the planned (not started) visits of the same items from earlier runs.
func (tx *Tx) ScheduleWindow(ctx context.Context, scope string, from, to calendar.Date, opt visits.Options) (*ScheduleRun, error) {
	return nil, errTODO
}

// ScheduleRuns lists the runs over scopes under (or equal to) under.
func (db *DB) ScheduleRuns(ctx context.Context, under string) ([]*ScheduleRun, error) {
	return nil, errTODO
}

// Visit reads a scheduled visit, target included: callers seal it.
func (db *DB) Visit(ctx context.Context, id int64) (*visits.ScheduledVisit, error) {
	return nil, errTODO
}

// VisitsOfInspector lists the visits whose team includes the register
// number, with days in [from, to], targets included: callers seal them.
func (db *DB) VisitsOfInspector(ctx context.Context, number string, from, to calendar.Date) ([]visits.ScheduledVisit, error) {
	return nil, errTODO
}

// VisitsOfItem lists the visits serving a plan item (targets included).
func (db *DB) VisitsOfItem(ctx context.Context, code string) ([]visits.ScheduledVisit, error) {
	return nil, errTODO
}

// StartVisit opens a sealed visit's target to its team: only the team
// leader (number), only on the visit's day (in China's time zone). Every
// call is audited as visit.reveal.
func (tx *Tx) StartVisit(ctx context.Context, id int64, leader string) (*visits.ScheduledVisit, error) {
	return nil, errTODO
}

// SaveFieldRecord stores a started visit's field record, filling each
// claim's Reported from the values the unit reported and flagging
// discrepancies; done marks the visit done.
func (tx *Tx) SaveFieldRecord(ctx context.Context, r *visits.FieldRecord, done bool) error {
	return errTODO
}

// FieldRecord reads a visit's field record (nil, nil when none).
func (db *DB) FieldRecord(ctx context.Context, visit int64) (*visits.FieldRecord, error) {
	return nil, errTODO
}

// AddPhoto stores a photo of a started visit with its SHA-256.
func (tx *Tx) AddPhoto(ctx context.Context, visit int64, name, typ string, taken time.Time, data []byte) (visits.Photo, error) {
	return visits.Photo{}, errTODO
}

// Photo reads a photo and its bytes; the checksum is verified on read.
func (db *DB) Photo(ctx context.Context, id int64) (visits.Photo, int64, []byte, error) {
	return visits.Photo{}, 0, nil, errTODO
}

// UnitInspections counts the inspection visits (research left out) of a
// year at each of the units, scheduled or done.
func (db *DB) UnitInspections(ctx context.Context, units []string, year int) (map[string]int, error) {
	return nil, errTODO
}

// CalendarToken returns the secret of an inspector's iCal feed, making one
// on first use.
func (tx *Tx) CalendarToken(ctx context.Context, inspector int64) (string, error) { return "", errTODO }

// InspectorByCalendarToken finds the inspector of a feed.
func (db *DB) InspectorByCalendarToken(ctx context.Context, token string) (*visits.RegisteredInspector, error) {
	return nil, errTODO
}

// ItemResult is the published result of one plan item: only once its
// window is over and its draw revealed.
type ItemResult struct {
	Item      visits.Item   `json:"item"`
	Published bool          `json:"published"`
	Draw      *DrawRecord   `json:"draw,omitempty"`
	Visits    []VisitResult `json:"visits,omitempty"`
}

// VisitResult is a visited unit's line on the published page.
type VisitResult struct {
	Unit          string           `json:"unit"`
	Day           calendar.Date    `json:"day"`
	Joint         bool             `json:"joint"`
	Checks        int              `json:"checks"`
	Failed        int              `json:"failed"`
	Discrepancies int              `json:"discrepancies"`
	Findings      []visits.Finding `json:"findings"`
}

// PlanResults gathers a plan's published results.
func (db *DB) PlanResults(ctx context.Context, plan int64) ([]ItemResult, error) {
	return nil, errTODO
}
