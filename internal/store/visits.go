package store

// Annual plans, the inspector register, item draws, schedule runs, sealed
// visits, field records and published results.

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"lighten/internal/audit"
	"lighten/internal/auth"
	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/i18n"
	"lighten/internal/policy"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// ErrForbidden is returned when the actor may not do what was asked: a
// sealed visit opened by someone other than its leader, or before its day.
var ErrForbidden = errors.New("forbidden")

// ErrChecksum is returned when stored bytes no longer match their checksum.
var ErrChecksum = errors.New("checksum mismatch")

// scheduleLock is the advisory lock key of schedule runs on PostgreSQL.
const scheduleLock = 7_000_007

// MaxPhotoBytes is the largest photo a field record takes.
const MaxPhotoBytes = 10 << 20

// invalid is an error in what was asked, with a catalogue message naming
// the field and what is expected (keys store.visits.*).
func invalid(field, key string, args ...any) error {
	return &visits.ValidationError{Field: field, Key: key, Args: args}
}

// querier is what reads need of a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func dateArg(d calendar.Date) string { return d.String() }

func scanDate(s string) calendar.Date {
	d, _ := calendar.ParseDate(s)
	return d
}

// officeUnit is the unit of an office.
func officeUnit(ctx context.Context, q querier, office int64) (string, error) {
	var code string
	err := q.QueryRowContext(ctx, `SELECT unit_code FROM offices WHERE id = $1`, office).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("office %d: %w", office, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read office %d: %w", office, err)
	}
	return code, nil
}

// SavePlan creates a draft plan (p.ID == 0) or replaces a draft's title,
// year and items; only drafts change. Item codes are unique over all plans.
func (tx *Tx) SavePlan(ctx context.Context, p *visits.Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	unit, err := officeUnit(ctx, tx.tx, p.OfficeID)
	if err != nil {
		return err
	}
	// Item codes are checked against other plans' and the ad hoc draws'
	// names, which another transaction may be writing (NotItemCode).
	if err := tx.serialize(ctx); err != nil {
		return err
	}
	action := "plan.create"
	keep := map[int64]bool{}
	if p.ID == 0 {
		p.Status, p.Created = visits.PlanDraft, tx.Now
		if err := tx.queryRow(ctx, `INSERT INTO plans (office_id, year, title, status, created, created_by) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
			p.OfficeID, p.Year, p.Title, string(p.Status), tx.Now, tx.Actor.ID).Scan(&p.ID); err != nil {
			return fmt.Errorf("save plan: %w", err)
		}
	} else {
		action = "plan.save"
		var office int64
		var status string
		err := tx.queryRow(ctx, `SELECT office_id, status, created FROM plans WHERE id = $1`, p.ID).Scan(&office, &status, &p.Created)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("plan %d: %w", p.ID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read plan %d: %w", p.ID, err)
		}
		if office != p.OfficeID {
			return forbidden("store.forbidden.plan_office", p.ID, office)
		}
		if status != string(visits.PlanDraft) {
			return stateErr("store.state.plan_not_draft", p.ID, i18n.Both("gate.visit.plan.status."+status))
		}
		p.Status = visits.PlanDraft
		if _, err := tx.exec(ctx, `UPDATE plans SET year = $1, title = $2 WHERE id = $3`, p.Year, p.Title, p.ID); err != nil {
			return fmt.Errorf("save plan: %w", err)
		}
		rows, err := tx.tx.QueryContext(ctx, `SELECT id FROM plan_items WHERE plan_id = $1`, p.ID)
		if err != nil {
			return fmt.Errorf("read plan items: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			keep[id] = true
		}
		rows.Close()
		if _, err := tx.exec(ctx, `DELETE FROM plan_items WHERE plan_id = $1`, p.ID); err != nil {
			return fmt.Errorf("save plan: %w", err)
		}
	}
	for i := range p.Items {
		it := &p.Items[i]
		var other int64
		err := tx.queryRow(ctx, `SELECT plan_id FROM plan_items WHERE code = $1`, it.Code).Scan(&other)
		if err == nil {
			return conflict(fmt.Sprintf("items[%d].code", i), "store.conflict.item_code_plan", it.Code, other)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("check item code %s: %w", it.Code, err)
		}
		// Nor the name of an ad hoc draw: a run finds an item's draw by its
		// code, and a name taken first would make two draws answer to it.
		// (No item has the code, so a draw named so is not an item's.)
		var adhoc int64
		err = tx.queryRow(ctx, `SELECT id FROM draws WHERE plan = $1 ORDER BY id LIMIT 1`, it.Code).Scan(&adhoc)
		if err == nil {
			return conflict(fmt.Sprintf("items[%d].code", i), "store.conflict.item_code_draw", it.Code, adhoc)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("check item code %s: %w", it.Code, err)
		}
		it.PlanID, it.DrawID = p.ID, 0
		checklist, _ := json.Marshal(nonNil(it.Checklist))
		tiers, _ := json.Marshal(nonNil(it.Tiers))
		args := []any{p.ID, i, it.Code, it.Title, it.TitleEN, string(it.Kind), string(checklist), it.Scope, int(it.Level), it.Rate, string(tiers), it.Team, dateArg(it.From), dateArg(it.To)}
		q := `INSERT INTO plan_items (plan_id, seq, code, title, title_en, kind, checklist, scope, level, rate, tiers, team, date_from, date_to) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id`
		if keep[it.ID] {
			// An item edited in place keeps its identifier.
			q = `INSERT INTO plan_items (plan_id, seq, code, title, title_en, kind, checklist, scope, level, rate, tiers, team, date_from, date_to, id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id`
			args = append(args, it.ID)
			delete(keep, it.ID)
		}
		if err := tx.queryRow(ctx, q, args...).Scan(&it.ID); err != nil {
			if isUnique(err) {
				return conflict(fmt.Sprintf("items[%d].code", i), "store.conflict.item_code", it.Code)
			}
			return fmt.Errorf("save plan item %s: %w", it.Code, err)
		}
	}
	codes := make([]string, len(p.Items))
	for i, it := range p.Items {
		codes[i] = it.Code
	}
	return tx.Audit(ctx, audit.Record{Action: action, Entity: "plan", EntityID: strconv.FormatInt(p.ID, 10), UnitCode: unit,
		After: audit.JSON(map[string]any{"office": p.OfficeID, "year": p.Year, "title": p.Title, "items": codes})})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// SetPlanStatus records the gate's decision on a submitted plan.
func (tx *Tx) SetPlanStatus(ctx context.Context, id int64, s visits.PlanStatus) error {
	switch s {
	case visits.PlanDraft, visits.PlanReview, visits.PlanApproved, visits.PlanRefused:
	default:
		return fmt.Errorf("plan status %q: expected draft, review, approved or refused", s)
	}
	var office int64
	var status string
	err := tx.queryRow(ctx, `SELECT office_id, status FROM plans WHERE id = $1`, id).Scan(&office, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("plan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read plan %d: %w", id, err)
	}
	if status == string(visits.PlanApproved) && s != visits.PlanApproved {
		return stateErr("store.state.plan_approved", id)
	}
	if status == string(s) {
		return nil
	}
	var decided any
	if s != visits.PlanDraft {
		decided = tx.Now
	}
	if _, err := tx.exec(ctx, `UPDATE plans SET status = $1, decided = $2 WHERE id = $3`, string(s), decided, id); err != nil {
		return fmt.Errorf("set plan status: %w", err)
	}
	unit, err := officeUnit(ctx, tx.tx, office)
	if err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Record{Action: "plan.status", Entity: "plan", EntityID: strconv.FormatInt(id, 10), UnitCode: unit,
		Before: audit.JSON(map[string]string{"status": status}), After: audit.JSON(map[string]string{"status": string(s)})})
}

// Plan reads a plan with its items.
func (db *DB) Plan(ctx context.Context, id int64) (*visits.Plan, error) {
	ps, err := readPlans(ctx, db.r, `p.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("plan %d: %w", id, ErrNotFound)
	}
	return ps[0], nil
}

// PlanFilter selects plans: an office's (Office > 0), a year's (Year > 0),
// or those of offices whose unit lies under Under.
type PlanFilter struct {
	Office int64
	Year   int
	Under  string
	Status visits.PlanStatus // only plans in this status, if set
}

// Plans lists plans with their items, newest first.
func (db *DB) Plans(ctx context.Context, f PlanFilter) ([]*visits.Plan, error) {
	var where []string
	var args []any
	if f.Office > 0 {
		args = append(args, f.Office)
		where = append(where, fmt.Sprintf("p.office_id = $%d", len(args)))
	}
	if f.Year > 0 {
		args = append(args, f.Year)
		where = append(where, fmt.Sprintf("p.year = $%d", len(args)))
	}
	if f.Status != "" {
		args = append(args, string(f.Status))
		where = append(where, fmt.Sprintf("p.status = $%d", len(args)))
	}
	if f.Under != "" {
		args = append(args, f.Under)
		where = append(where, fmt.Sprintf("p.office_id IN (SELECT id FROM offices WHERE substr(unit_code, 1, length($%d)) = $%d)", len(args), len(args)))
	}
	if len(where) == 0 {
		where = []string{"TRUE"}
	}
	return readPlans(ctx, db.r, strings.Join(where, " AND "), args...)
}

func readPlans(ctx context.Context, q querier, where string, args ...any) ([]*visits.Plan, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.office_id, p.year, p.title, p.status, p.created, p.decided, p.reason, p.decided_by FROM plans p WHERE `+where+` ORDER BY p.created DESC, p.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("read plans: %w", err)
	}
	out := []*visits.Plan{}
	byID := map[int64]*visits.Plan{}
	for rows.Next() {
		p := &visits.Plan{Items: []visits.Item{}}
		var status string
		var decided sql.NullTime
		var reason string
		var by sql.NullInt64
		if err := rows.Scan(&p.ID, &p.OfficeID, &p.Year, &p.Title, &status, &p.Created, &decided, &reason, &by); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read plans: %w", err)
		}
		p.Status = visits.PlanStatus(status)
		if decided.Valid {
			p.Decided = &decided.Time
			if by.Valid {
				p.Decision = &visits.PlanDecision{Approved: p.Status == visits.PlanApproved, Reason: reason, By: by.Int64, At: decided.Time}
			}
		}
		out = append(out, p)
		byID[p.ID] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read plans: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	items, err := readItems(ctx, q, `i.plan_id IN (SELECT p.id FROM plans p WHERE `+where+`)`, args...)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if p := byID[it.PlanID]; p != nil {
			p.Items = append(p.Items, it)
		}
	}
	return out, nil
}

const itemColumns = `i.id, i.plan_id, i.code, i.title, i.title_en, i.kind, i.checklist, i.scope, i.level, i.rate, i.tiers, i.team, i.date_from, i.date_to, i.draw_id`

func scanItem(s interface{ Scan(...any) error }) (visits.Item, error) {
	var it visits.Item
	var kind, checklist, tiers, from, to string
	var level int
	var draw sql.NullInt64
	if err := s.Scan(&it.ID, &it.PlanID, &it.Code, &it.Title, &it.TitleEN, &kind, &checklist, &it.Scope, &level, &it.Rate, &tiers, &it.Team, &from, &to, &draw); err != nil {
		return it, err
	}
	it.Kind, it.Level, it.DrawID = visits.ItemKind(kind), units.Level(level), draw.Int64
	it.From, it.To = scanDate(from), scanDate(to)
	if err := json.Unmarshal([]byte(checklist), &it.Checklist); err != nil {
		return it, fmt.Errorf("item %s checklist: %w", it.Code, err)
	}
	if err := json.Unmarshal([]byte(tiers), &it.Tiers); err != nil {
		return it, fmt.Errorf("item %s tiers: %w", it.Code, err)
	}
	if len(it.Tiers) == 0 {
		it.Tiers = nil
	}
	return it, nil
}

func readItems(ctx context.Context, q querier, where string, args ...any) ([]visits.Item, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+itemColumns+` FROM plan_items i WHERE `+where+` ORDER BY i.plan_id, i.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("read plan items: %w", err)
	}
	defer rows.Close()
	var out []visits.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("read plan items: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// PlanItemByCode finds a plan item and its plan by the item's code.
func (db *DB) PlanItemByCode(ctx context.Context, code string) (*visits.Item, *visits.Plan, error) {
	return planItemByCode(ctx, db.r, code)
}

func planItemByCode(ctx context.Context, q querier, code string) (*visits.Item, *visits.Plan, error) {
	var plan int64
	err := q.QueryRowContext(ctx, `SELECT plan_id FROM plan_items WHERE code = $1`, code).Scan(&plan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("plan item %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read plan item %s: %w", code, err)
	}
	ps, err := readPlans(ctx, q, `p.id = $1`, plan)
	if err != nil {
		return nil, nil, err
	}
	if len(ps) == 0 {
		return nil, nil, fmt.Errorf("plan item %s: %w", code, ErrNotFound)
	}
	for i := range ps[0].Items {
		if ps[0].Items[i].Code == code {
			return &ps[0].Items[i], ps[0], nil
		}
	}
	return nil, nil, fmt.Errorf("plan item %s: %w", code, ErrNotFound)
}

// ComprehensiveItems counts the comprehensive items of an office's approved
// (or in review) plans of a year, leaving out plan except.
func (db *DB) ComprehensiveItems(ctx context.Context, office int64, year int, except int64) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_items i JOIN plans p ON p.id = i.plan_id
		WHERE p.office_id = $1 AND p.year = $2 AND p.id <> $3 AND p.status IN ('approved', 'review') AND i.kind = $4`,
		office, year, except, string(visits.Comprehensive)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count comprehensive items: %w", err)
	}
	return n, nil
}

// checkInspector checks a register entry before it is stored; errors name
// the field and what is expected.
func checkInspector(in *visits.RegisteredInspector) error {
	in.Number, in.Name = strings.TrimSpace(in.Number), strings.TrimSpace(in.Name)
	switch {
	case in.Number == "" || len(in.Number) > 40:
		return invalid("number", "store.visits.inspector_number", in.Number)
	case in.Name == "":
		return invalid("name", "store.visits.inspector_name", in.Number)
	case in.OfficeID <= 0:
		return invalid("office", "store.visits.inspector_office", in.Number)
	case in.Capacity < 1:
		return invalid("capacity", "store.visits.inspector_capacity", in.Number, in.Capacity)
	case in.MaxTravel < 1:
		return invalid("max_travel", "store.visits.inspector_travel", in.Number, in.MaxTravel)
	}
	if _, ok := units.LevelOfCode(in.Works); !ok {
		return invalid("works", "store.visits.inspector_unit", in.Number, in.Works)
	}
	if in.Origin != "" {
		if _, ok := units.LevelOfCode(in.Origin); !ok {
			return invalid("origin", "store.visits.inspector_unit", in.Number, in.Origin)
		}
	}
	for i, r := range in.Relations {
		if _, ok := units.LevelOfCode(r); !ok {
			return invalid(fmt.Sprintf("relations[%d]", i), "store.visits.inspector_unit", in.Number, r)
		}
	}
	return nil
}

// SaveInspector adds (ID == 0) or changes an entry of the inspector
// register. Numbers are unique and, once given, never change: draws and
// visits name inspectors by them. A linked person must exist, belong to
// the entry's office (or work in a unit under the office's unit) and be
// linked to no other entry. While the entry is in the register of a draw
// not yet revealed, or on a team of a visit not yet over, its person, the
// units where it works and comes from and its relations stay as they are.
// The audit keeps the entry before and after, person included.
func (tx *Tx) SaveInspector(ctx context.Context, in *visits.RegisteredInspector) error {
	if err := checkInspector(in); err != nil {
		return err
	}
	unit, err := officeUnit(ctx, tx.tx, in.OfficeID)
	if err != nil {
		return err
	}
	var old *visits.RegisteredInspector
	if in.ID != 0 {
		q := `SELECT ` + inspectorColumns + ` FROM inspectors WHERE id = $1`
		if tx.db.Dialect == Postgres {
			q += ` FOR UPDATE`
		}
		o, err := scanInspector(tx.tx.QueryRowContext(ctx, q, in.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("inspector %d: %w", in.ID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read inspector %d: %w", in.ID, err)
		}
		old = &o
		if in.Number != old.Number {
			return invalid("number", "store.visits.inspector_number_fixed", old.Number, in.Number)
		}
	}
	if in.PersonID > 0 && (old == nil || in.PersonID != old.PersonID || in.OfficeID != old.OfficeID) {
		if err := tx.checkInspectorPerson(ctx, in, unit); err != nil {
			return err
		}
	}
	if old != nil && (in.PersonID != old.PersonID || in.Works != old.Works || in.Origin != old.Origin || !slices.Equal(in.Relations, old.Relations)) {
		if err := tx.inspectorUnbound(ctx, old.Number); err != nil {
			return err
		}
	}
	rel, _ := json.Marshal(nonNil(in.Relations))
	away, _ := json.Marshal(nonNil(in.Away))
	var person any
	if in.PersonID > 0 {
		person = in.PersonID
	}
	action := "inspector.create"
	if in.ID == 0 {
		err = tx.queryRow(ctx, `INSERT INTO inspectors (number, name, office_id, person_id, works, origin, relations, capacity, max_travel, away, active, created)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
			in.Number, in.Name, in.OfficeID, person, in.Works, in.Origin, string(rel), in.Capacity, in.MaxTravel, string(away), in.Active, tx.Now).Scan(&in.ID)
	} else {
		action = "inspector.save"
		var res sql.Result
		res, err = tx.exec(ctx, `UPDATE inspectors SET name=$1, office_id=$2, person_id=$3, works=$4, origin=$5, relations=$6, capacity=$7, max_travel=$8, away=$9, active=$10 WHERE id=$11 AND number=$12`,
			in.Name, in.OfficeID, person, in.Works, in.Origin, string(rel), in.Capacity, in.MaxTravel, string(away), in.Active, in.ID, in.Number)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("inspector %d: %w", in.ID, ErrNotFound)
			}
		}
	}
	if isUnique(err) && in.PersonID > 0 && isPersonOnce(err) {
		// A concurrent transaction linked the person first (PostgreSQL
		// waits for it to commit before refusing): the same answer as the
		// check above, naming the other entry read outside this
		// transaction, which the violation has ended on PostgreSQL.
		var other string
		if e := tx.db.r.QueryRowContext(ctx, `SELECT number FROM inspectors WHERE person_id = $1 AND number <> $2 ORDER BY number LIMIT 1`, in.PersonID, in.Number).Scan(&other); e != nil {
			other = "?"
		}
		return stateErr("store.visits.inspector_person_linked", in.Number, in.PersonID, other)
	}
	if isUnique(err) {
		return conflict("number", "store.conflict.inspector", in.Number)
	}
	if err != nil {
		return fmt.Errorf("save inspector %s: %w", in.Number, err)
	}
	rec := audit.Record{Action: action, Entity: "inspector", EntityID: in.Number, UnitCode: unit, After: audit.JSON(inspectorAudit(in))}
	if old != nil {
		rec.Before = audit.JSON(inspectorAudit(old))
	}
	return tx.Audit(ctx, rec)
}

// inspectorAudit is what the audit keeps of a register entry: not the
// name, which the register does not publish, nor the declared relations,
// which are personal (and name units), only their count and a digest that
// shows any change.
func inspectorAudit(in *visits.RegisteredInspector) map[string]any {
	rel, _ := json.Marshal(nonNil(in.Relations))
	sum := sha256.Sum256(rel)
	return map[string]any{"number": in.Number, "office": in.OfficeID, "person": in.PersonID, "works": in.Works, "origin": in.Origin,
		"relations": len(in.Relations), "relations_sha256": hex.EncodeToString(sum[:]), "capacity": in.Capacity, "max_travel": in.MaxTravel,
		"away": len(in.Away), "active": in.Active}
}

// isPersonOnce reports whether a unique violation is of
// inspectors_person_once (migration 00012): PostgreSQL names the index,
// SQLite its column.
func isPersonOnce(err error) bool {
	s := err.Error()
	return strings.Contains(s, "inspectors_person_once") || strings.Contains(s, "inspectors.person_id")
}

// checkInspectorPerson checks the person linked to a register entry: one
// who exists, of the entry's office or working under its unit, and linked
// to no other entry.
func (tx *Tx) checkInspectorPerson(ctx context.Context, in *visits.RegisteredInspector, officeUnit string) error {
	var code string
	var office sql.NullInt64
	err := tx.tx.QueryRowContext(ctx, `SELECT unit_code, office_id FROM people WHERE id = $1`, in.PersonID).Scan(&code, &office)
	if errors.Is(err, sql.ErrNoRows) {
		return invalid("person", "store.visits.inspector_person_unknown", in.Number, in.PersonID)
	}
	if err != nil {
		return fmt.Errorf("read person %d: %w", in.PersonID, err)
	}
	if office.Int64 != in.OfficeID && !strings.HasPrefix(code, officeUnit) {
		return invalid("person", "store.visits.inspector_person_office", in.Number, in.PersonID, officeUnit)
	}
	var other string
	err = tx.tx.QueryRowContext(ctx, `SELECT number FROM inspectors WHERE person_id = $1 AND id <> $2 ORDER BY number LIMIT 1`, in.PersonID, in.ID).Scan(&other)
	if err == nil {
		return stateErr("store.visits.inspector_person_linked", in.Number, in.PersonID, other)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read inspectors of person %d: %w", in.PersonID, err)
	}
	return nil
}

// inspectorUnbound refuses (StateError, naming them) when a register
// number is in the register of a draw not yet revealed — whether it was
// drawn stays sealed, so being in the register is enough — or on the team
// of a visit planned from today on or started and not done.
func (tx *Tx) inspectorUnbound(ctx context.Context, number string) error {
	id, _ := json.Marshal(map[string]string{"id": number})
	needle := strings.TrimSuffix(strings.TrimPrefix(string(id), "{"), "}")
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(needle) + "%"
	rows, err := tx.tx.QueryContext(ctx, `SELECT id, plan, record FROM draws WHERE status <> 'revealed' AND record LIKE $1 ESCAPE '\' ORDER BY id`, like)
	if err != nil {
		return fmt.Errorf("read draws of inspector %s: %w", number, err)
	}
	var draws []string
	for rows.Next() {
		var id int64
		var plan, body string
		if err := rows.Scan(&id, &plan, &body); err != nil {
			rows.Close()
			return err
		}
		var d visits.Draw
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			rows.Close()
			return fmt.Errorf("read draw %d: %w", id, err)
		}
		if slices.ContainsFunc(d.Inspectors, func(i visits.DrawInspector) bool { return i.ID == number }) {
			draws = append(draws, fmt.Sprintf("%d (%s)", id, plan))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	today := calendar.DateOf(tx.Now.In(calendar.China))
	// The visits are named only once public: a list of sealed visits
	// would let whoever keeps the register rebuild the sealed teams.
	vrows, err := tx.tx.QueryContext(ctx, `SELECT v.id, CASE WHEN `+visitPublic+` THEN 1 ELSE 0 END FROM visit_inspectors vi JOIN visits v ON v.id = vi.visit_id
		WHERE vi.number = $1 AND (v.status = 'started' OR (v.status = 'planned' AND v.day >= $2)) ORDER BY v.id`, number, dateArg(today))
	if err != nil {
		return fmt.Errorf("read visits of inspector %s: %w", number, err)
	}
	var vs []string
	sealed := false
	for vrows.Next() {
		var id int64
		var public int
		if err := vrows.Scan(&id, &public); err != nil {
			vrows.Close()
			return err
		}
		if public == 0 {
			sealed = true
			continue
		}
		vs = append(vs, strconv.FormatInt(id, 10))
	}
	vrows.Close()
	if err := vrows.Err(); err != nil {
		return err
	}
	if len(draws) == 0 && len(vs) == 0 && !sealed {
		return nil
	}
	none := func(l []string) string {
		if len(l) == 0 {
			return "-"
		}
		return strings.Join(l, ", ")
	}
	// The same words whether or not the inspector is on a sealed team:
	// anyone in the pool of a draw not yet revealed may be.
	if sealed || len(draws) > 0 {
		return stateErr("store.visits.inspector_bound_sealed", number, none(draws), none(vs))
	}
	return stateErr("store.visits.inspector_bound", number, none(draws), none(vs))
}

// InspectorFilter selects register entries: an office's (Office > 0), or
// those of offices whose unit lies under Under; ActiveOnly leaves out the
// inactive.
type InspectorFilter struct {
	Office     int64
	Under      string
	ActiveOnly bool
}

const inspectorColumns = `id, number, name, office_id, person_id, works, origin, relations, capacity, max_travel, away, active`

func scanInspector(s interface{ Scan(...any) error }) (visits.RegisteredInspector, error) {
	var in visits.RegisteredInspector
	var person sql.NullInt64
	var rel, away string
	if err := s.Scan(&in.ID, &in.Number, &in.Name, &in.OfficeID, &person, &in.Works, &in.Origin, &rel, &in.Capacity, &in.MaxTravel, &away, &in.Active); err != nil {
		return in, err
	}
	in.PersonID = person.Int64
	json.Unmarshal([]byte(rel), &in.Relations)
	json.Unmarshal([]byte(away), &in.Away)
	if len(in.Relations) == 0 {
		in.Relations = nil
	}
	if len(in.Away) == 0 {
		in.Away = nil
	}
	return in, nil
}

// Inspectors lists register entries in number order.
func (db *DB) Inspectors(ctx context.Context, f InspectorFilter) ([]visits.RegisteredInspector, error) {
	return readInspectors(ctx, db.r, f)
}

func readInspectors(ctx context.Context, q querier, f InspectorFilter) ([]visits.RegisteredInspector, error) {
	where := []string{"TRUE"}
	var args []any
	if f.Office > 0 {
		args = append(args, f.Office)
		where = append(where, fmt.Sprintf("office_id = $%d", len(args)))
	}
	if f.Under != "" {
		args = append(args, f.Under)
		where = append(where, fmt.Sprintf("office_id IN (SELECT id FROM offices WHERE substr(unit_code, 1, length($%d)) = $%d)", len(args), len(args)))
	}
	if f.ActiveOnly {
		where = append(where, "active")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+inspectorColumns+` FROM inspectors WHERE `+strings.Join(where, " AND ")+` ORDER BY number`, args...)
	if err != nil {
		return nil, fmt.Errorf("read inspectors: %w", err)
	}
	defer rows.Close()
	out := []visits.RegisteredInspector{}
	for rows.Next() {
		in, err := scanInspector(rows)
		if err != nil {
			return nil, fmt.Errorf("read inspectors: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// InspectorByPerson finds the register entry of a person who signs in.
func (db *DB) InspectorByPerson(ctx context.Context, person int64) (*visits.RegisteredInspector, error) {
	in, err := scanInspector(db.r.QueryRowContext(ctx, `SELECT `+inspectorColumns+` FROM inspectors WHERE person_id = $1 ORDER BY active DESC, id LIMIT 1`, person))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("inspector of person %d: %w", person, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read inspector: %w", err)
	}
	return &in, nil
}

// visitedSince maps register numbers to the recusal prefixes of the units
// they visited (visits started or done) on or after a day. The prefixes go
// into a draw's public record, so a visit's unit goes in only once it is
// public: some plan item it serves has its draw revealed (the unit is in
// that draw's published selection). While every draw of the visit is
// sealed, the inspector recuses instead from the whole scope of the visit's
// items (the longest, under which the unit lies), which the plans publish
// anyway: the new draw never sends them back to the unit and its record
// names no sealed target.
func visitedSince(ctx context.Context, q querier, since calendar.Date) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT vi.number, v.id, v.unit_code, COALESCE(pi.scope, ''), COALESCE(d.status, '')
		FROM visit_inspectors vi JOIN visits v ON v.id = vi.visit_id
		LEFT JOIN visit_items vit ON vit.visit_id = v.id LEFT JOIN plan_items pi ON pi.code = vit.item_code LEFT JOIN draws d ON d.id = pi.draw_id
		WHERE v.day >= $1 AND v.status IN ('started', 'done') ORDER BY vi.number, v.id`, dateArg(since))
	if err != nil {
		return nil, fmt.Errorf("read recent visits: %w", err)
	}
	defer rows.Close()
	type seen struct {
		number, unit, scope string
		sealed, public      bool
	}
	var visited []*seen
	at := map[[2]string]*seen{}
	for rows.Next() {
		var n, u, scope, status string
		var id int64
		if err := rows.Scan(&n, &id, &u, &scope, &status); err != nil {
			return nil, err
		}
		k := [2]string{n, strconv.FormatInt(id, 10)}
		v := at[k]
		if v == nil {
			v = &seen{number: n, unit: u}
			at[k] = v
			visited = append(visited, v)
		}
		switch {
		case status == "revealed":
			v.public = true
		case status != "" && strings.HasPrefix(u, scope):
			v.sealed = true
			if len(scope) > len(v.scope) {
				v.scope = scope
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, v := range visited {
		prefix := v.unit
		if v.sealed && !v.public {
			prefix = v.scope
		}
		out[v.number] = append(out[v.number], prefix)
	}
	return out, nil
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
	items, err := readItems(ctx, tx.tx, `i.id = $1`, itemID)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("plan item %d: %w", itemID, ErrNotFound)
	}
	it := items[0]
	ps, err := readPlans(ctx, tx.tx, `p.id = $1`, it.PlanID)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("plan %d: %w", it.PlanID, ErrNotFound)
	}
	plan := ps[0]
	if plan.Status != visits.PlanApproved {
		return nil, stateErr("store.visits.plan_not_approved", plan.Title, string(plan.Status))
	}
	if it.DrawID != 0 {
		return nil, stateErr("store.visits.item_drawn", it.Code, it.DrawID)
	}
	tree, err := tx.db.Tree(ctx)
	if err != nil {
		return nil, err
	}
	under := tree.Under(it.Level, it.Scope)
	codes := make([]string, len(under))
	for i, u := range under {
		codes[i] = u.Code
	}
	if len(codes) == 0 {
		return nil, invalid("scope", "store.visits.item_pool_empty", it.Code, it.Scope)
	}
	pt, err := tx.db.PolicyTree(ctx)
	if err != nil {
		return nil, err
	}
	months := pt.At(it.Scope).Get("visit.recent.months")
	since := calendar.DateOf(tx.Now.In(calendar.China).AddDate(0, -months, 0))
	visited, err := visitedSince(ctx, tx.tx, since)
	if err != nil {
		return nil, err
	}
	county := it.Scope
	if len(county) > 6 {
		county = county[:6]
	}
	reg, err := readInspectors(ctx, tx.tx, InspectorFilter{Under: county, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	if len(reg) == 0 {
		unit, err := officeUnit(ctx, tx.tx, plan.OfficeID)
		if err != nil {
			return nil, err
		}
		all, err := readInspectors(ctx, tx.tx, InspectorFilter{Under: unit, ActiveOnly: true})
		if err != nil {
			return nil, err
		}
		for _, in := range all { // the office's own unit, not the offices below it
			if u, _ := officeUnit(ctx, tx.tx, in.OfficeID); u == unit {
				reg = append(reg, in)
			}
		}
	}
	if len(reg) < it.Team {
		return nil, invalid("team", "store.visits.item_inspectors", it.Code, county, len(reg), it.Team)
	}
	d := &visits.Draw{Plan: it.Code, Tiers: it.Pool(codes), MinPerTier: 1, TeamSize: it.Team}
	for _, in := range reg {
		d.Inspectors = append(d.Inspectors, visits.DrawInspector{ID: in.Number, Recuse: visits.Recusals(in, visited[in.Number])})
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	// Whichever units the draw selects must get a team: a unit of the pool
	// where too few are free of conflicts is the office's to fix (more
	// inspectors, from elsewhere) before it commits to the draw.
	if unit, n, short := d.ShortTeam(); short {
		return nil, stateErr("store.visits.item_eligible", it.Code, unit, n, len(reg), it.Team)
	}
	rec, err := tx.CreateDraw(ctx, plan.OfficeID, d, it.To.AddDays(1).Time())
	if err != nil {
		return nil, fmt.Errorf("plan item %s: %w", it.Code, err)
	}
	res, err := tx.exec(ctx, `UPDATE plan_items SET draw_id = $1 WHERE id = $2 AND draw_id IS NULL`, rec.ID, it.ID)
	if err != nil {
		return nil, fmt.Errorf("link draw to plan item %s: %w", it.Code, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, stateErr("store.visits.item_drawn", it.Code, rec.ID)
	}
	return rec, tx.Audit(ctx, audit.Record{Action: "plan_item.draw", Entity: "plan_item", EntityID: it.Code, UnitCode: it.Scope,
		After: audit.JSON(map[string]any{"draw": rec.ID, "pool": len(codes), "inspectors": len(reg), "team": it.Team})})
}

// ScheduleRun is one run of the joint scheduler over a scope and window:
// every drawn item whose window overlaps the run's and whose targets lie
// under the scope is merged into joint visits.
type ScheduleRun struct {
	ID        int64         `json:"id"`
	Scope     string        `json:"scope"`
	From      calendar.Date `json:"from"`
	To        calendar.Date `json:"to"`
	Items     []string      `json:"items"` // plan item codes
	Stats     visits.Stats  `json:"stats"`
	Created   time.Time     `json:"created"`
	CreatedBy int64         `json:"created_by"`
	// Skipped are drawn items whose part of the run's window has no
	// working day.
	Skipped []string `json:"skipped,omitempty"`
	// Kept counts the visits of earlier runs the run leaves alone: started
	// or done, outside its window, or serving an item outside the run.
	Kept int `json:"kept"`
	// Replaced counts the planned visits of earlier runs in the window it
	// replaced: Moved (to another day or team: a new visit with a new id)
	// and Dropped (no day of the window takes them now).
	Replaced int `json:"replaced"`
	// Unchanged counts the planned visits in the window the run would make
	// again exactly (day, team and items): they keep their ids.
	Unchanged int `json:"unchanged"`
	Moved     int `json:"moved"`
	Dropped   int `json:"dropped"`
	// Added counts the visits new to the window.
	Added int `json:"added"`
	// Notified counts the replaced visits whose leader had been shown
	// their day: their teams are told on their visits page.
	Notified int `json:"notified"`
	// Standing counts the run's visits that stand now, ReplacedLater
	// those later runs replaced (as read back).
	Standing      int `json:"standing"`
	ReplacedLater int `json:"replaced_later"`
	// unscheduled holds the reasons, which name units: sealed like the
	// visits themselves.
	unscheduled []visits.Unscheduled
}

// Unscheduled is the sealed list of visits the run could not place, with
// the reasons.
func (r *ScheduleRun) Unscheduled() []visits.Unscheduled { return r.unscheduled }

// Changes a run makes to a window's visits.
const (
	ChangeKept    = "kept"    // made again exactly: the visit stands as it was
	ChangeMoved   = "moved"   // another day or team: a new visit replaces it
	ChangeAdded   = "added"   // a visit new to the window
	ChangeDropped = "dropped" // no day of the window takes it now

	WhyAway = "away"
	WhyTeam = "team"
	WhyDays = "days"
)

// ScheduleChange is what a run does to one visit of its window. It names
// the unit, the days and the team: callers seal it as the visits
// themselves (visit.sealed).
type ScheduleChange struct {
	Change  string        `json:"change"`          // kept, moved, added, dropped
	Visit   int64         `json:"visit,omitempty"` // the earlier visit (kept, moved, dropped)
	Unit    string        `json:"unit"`
	Items   []string      `json:"items"`
	Day     calendar.Date `json:"day,omitzero"`     // the earlier day
	NewDay  calendar.Date `json:"new_day,omitzero"` // moved, added
	Team    []string      `json:"team,omitempty"`
	NewTeam []string      `json:"new_team,omitempty"`
	Told    bool          `json:"told,omitempty"` // its leader was shown the earlier day
	// Why a visit moves: WhyAway (members of its team, Away, are away or
	// on another visit that day), WhyTeam (its team changes) or WhyDays
	// (the run packs the window into fewer team-days).
	Why     string          `json:"why,omitempty"`
	Away    []string        `json:"away,omitempty"`
	Reasons []visits.Reason `json:"reasons,omitempty"` // dropped: why no day takes it
	newAt   int             // the new visit's place in the plan, or -1
	fromRun int64           // the run that made the earlier visit
}

// SchedulePreview is a run as it would be: its figures, every change it
// would make, and the token that confirms exactly this plan.
type SchedulePreview struct {
	Run     *ScheduleRun     `json:"run"`
	Changes []ScheduleChange `json:"changes"`
	// Token is the SHA-256 of everything the plan was made from and of
	// the plan: ScheduleWindow applies it only while it still comes out
	// the same.
	Token string `json:"token"`
}

// runChanges are a run's counts of what it did to earlier visits, as
// schedule_runs keeps them.
type runChanges struct {
	Kept      int `json:"kept"`
	Unchanged int `json:"unchanged"`
	Moved     int `json:"moved"`
	Added     int `json:"added"`
	Dropped   int `json:"dropped"`
	Notified  int `json:"notified"`
}

// runItem is a drawn plan item as a run gathers it.
type runItem struct {
	item   visits.Item
	office int64
	draw   int64
}

// schedulePlan is a previewed run with what applying it needs.
type schedulePlan struct {
	SchedulePreview
	visits []visits.Visit // the new visits, the kept ones included
	kinds  map[string]visits.ItemKind
}

// PreviewSchedule works out a run without changing anything: its figures
// and, for every planned visit of earlier runs in the window and every
// new visit, whether it is kept, moved, added or dropped, and why.
func (tx *Tx) PreviewSchedule(ctx context.Context, scope string, from, to calendar.Date, opt visits.Options) (*SchedulePreview, error) {
	p, err := tx.planSchedule(ctx, scope, from, to, opt)
	if err != nil {
		return nil, err
	}
	return &p.SchedulePreview, nil
}

// ScheduleWindow runs the joint scheduler and stores its visits. Only
// planned visits of earlier runs inside the window that serve only the
// run's items may be replaced; everything else is kept, and the targets
// it serves are not scheduled again. A run that would move or drop any
// visit is applied only with the token of its preview (confirm), and only
// while the plan still comes out the same (StateError otherwise). A
// replaced visit's id is never given to another visit: visit_changes keeps
// it with its new day, and tells its team when its leader had been shown
// the day. The window's days are its working days in the official
// calendar; a window across a year end is scheduled year by year.
func (tx *Tx) ScheduleWindow(ctx context.Context, scope string, from, to calendar.Date, opt visits.Options, confirm string) (*ScheduleRun, error) {
	p, err := tx.planSchedule(ctx, scope, from, to, opt)
	if err != nil {
		return nil, err
	}
	run := p.Run
	sealed, err := tx.sealedItems(ctx, run.Items)
	if err != nil {
		return nil, err
	}
	switch {
	case confirm != "" && confirm != p.Token:
		return nil, stateErr("store.visits.schedule_changed", scope, from.String(), to.String())
	case confirm == "":
		// Whether a run needs its preview must not tell whether it would
		// replace sealed visits: while a draw of its items is sealed, it
		// needs one whenever an earlier run over any of its items overlaps
		// its window (which anyone who may run the scheduler sees), whether
		// or not it would replace anything there.
		if sealed > 0 {
			overlap, err := tx.earlierRunOverlaps(ctx, run.Items, from, to)
			if err != nil {
				return nil, err
			}
			if overlap {
				return nil, stateErr("store.visits.schedule_preview_sealed")
			}
		} else if run.Replaced > 0 {
			return nil, stateErr("store.visits.schedule_preview", run.Replaced, run.Notified)
		}
	}
	itemsJSON, _ := json.Marshal(run.Items)
	stats, _ := json.Marshal(run.Stats)
	uns, _ := json.Marshal(nonNil(run.unscheduled))
	changes, _ := json.Marshal(runChanges{run.Kept, run.Unchanged, run.Moved, run.Added, run.Dropped, run.Notified})
	if err := tx.queryRow(ctx, `INSERT INTO schedule_runs (scope, date_from, date_to, items, stats, unscheduled, changes, created, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
		scope, dateArg(from), dateArg(to), string(itemsJSON), string(stats), string(uns), string(changes), tx.Now, tx.Actor.ID).Scan(&run.ID); err != nil {
		return nil, fmt.Errorf("save schedule run: %w", err)
	}
	// The replaced visits go first, so that the new ones never meet them.
	for _, c := range p.Changes {
		if c.Change != ChangeMoved && c.Change != ChangeDropped {
			continue
		}
		for _, q := range []string{`DELETE FROM visit_items WHERE visit_id = $1`, `DELETE FROM visit_inspectors WHERE visit_id = $1`} {
			if _, err := tx.exec(ctx, q, c.Visit); err != nil {
				return nil, fmt.Errorf("replace visit %d: %w", c.Visit, err)
			}
		}
		res, err := tx.exec(ctx, `DELETE FROM visits WHERE id = $1 AND status = 'planned'`, c.Visit)
		if err != nil {
			return nil, fmt.Errorf("replace visit %d: %w", c.Visit, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil, stateErr("store.visits.schedule_changed", scope, from.String(), to.String())
		}
	}
	// The replaced ids are kept before any new visit is stored: no new
	// visit takes one of them.
	for _, c := range p.Changes {
		if c.Change != ChangeMoved && c.Change != ChangeDropped {
			continue
		}
		team, _ := json.Marshal(nonNil(c.Team))
		newTeam, _ := json.Marshal(nonNil(c.NewTeam))
		var day sql.NullString
		if c.Change == ChangeMoved {
			day = sql.NullString{String: dateArg(c.NewDay), Valid: true}
		}
		if _, err := tx.exec(ctx, `INSERT INTO visit_changes (visit_id, run_id, from_run, day, new_day, team, new_team, told, created) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
			c.Visit, run.ID, c.fromRun, dateArg(c.Day), day, string(team), string(newTeam), c.Told, tx.Now); err != nil {
			return nil, fmt.Errorf("keep replaced visit %d: %w", c.Visit, err)
		}
	}
	var add []visits.Visit
	var at []int
	for _, c := range p.Changes {
		if c.Change == ChangeMoved || c.Change == ChangeAdded {
			add = append(add, p.visits[c.newAt])
			at = append(at, c.newAt)
		}
	}
	ids, err := tx.saveVisits(ctx, run.ID, add, p.kinds)
	if err != nil {
		return nil, err
	}
	newID := map[int]int64{}
	for i, k := range at {
		newID[k] = ids[i]
	}
	for _, c := range p.Changes {
		if c.Change != ChangeMoved {
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE visit_changes SET replaced_by = $1 WHERE visit_id = $2`, newID[c.newAt], c.Visit); err != nil {
			return nil, fmt.Errorf("keep replaced visit %d: %w", c.Visit, err)
		}
	}
	run.Standing = len(add)
	if sealed > 0 {
		// While sealed, not even counts: they depend on the sealed teams
		// and targets (see the web's runView).
		return run, tx.Audit(ctx, audit.Record{Action: "visit.schedule", Entity: "schedule_run", EntityID: strconv.FormatInt(run.ID, 10), UnitCode: scope,
			After: audit.JSON(map[string]any{"from": from, "to": to, "items": len(run.Items), "sealed_items": sealed, "confirmed": confirm != ""})})
	}
	// Counts only: the targets are sealed and the audit log is read by
	// auditors.
	return run, tx.Audit(ctx, audit.Record{Action: "visit.schedule", Entity: "schedule_run", EntityID: strconv.FormatInt(run.ID, 10), UnitCode: scope,
		After: audit.JSON(map[string]any{"from": from, "to": to, "items": len(run.Items), "skipped": len(run.Skipped), "visits": len(p.visits),
			"joint_visits": run.Stats.JointVisits, "unscheduled": len(run.unscheduled), "replaced": run.Replaced, "kept": run.Kept,
			"unchanged": run.Unchanged, "moved": run.Moved, "added": run.Added, "dropped": run.Dropped, "notified": run.Notified,
			"confirmed": confirm != "", "inspector_days": run.Stats.InspectorDays})})
}

// sealedItems counts the items (plan item codes, ad hoc draw names) whose
// draw is not revealed.
func (tx *Tx) sealedItems(ctx context.Context, items []string) (int, error) {
	n := 0
	for _, code := range items {
		var revealed int
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM draws d WHERE d.status = 'revealed' AND (d.plan = $1
			OR d.id = (SELECT draw_id FROM plan_items WHERE code = $1))`, code).Scan(&revealed)
		if err != nil {
			return 0, fmt.Errorf("read draws of %s: %w", code, err)
		}
		if revealed == 0 {
			n++
		}
	}
	return n, nil
}

// earlierRunOverlaps reports whether a run already made shares an item
// with items and a day with the window from to.
func (tx *Tx) earlierRunOverlaps(ctx context.Context, items []string, from, to calendar.Date) (bool, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT items FROM schedule_runs WHERE date_from <= $1 AND date_to >= $2`, dateArg(to), dateArg(from))
	if err != nil {
		return false, fmt.Errorf("read schedule runs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return false, err
		}
		var theirs []string
		json.Unmarshal([]byte(raw), &theirs)
		for _, it := range theirs {
			if slices.Contains(items, it) {
				return true, nil
			}
		}
	}
	return false, rows.Err()
}

// planSchedule works out a run over a scope and window: what stays, what
// the scheduler makes of the rest, and how that changes the visits there.
// It changes nothing.
func (tx *Tx) planSchedule(ctx context.Context, scope string, from, to calendar.Date, opt visits.Options) (*schedulePlan, error) {
	if scope != "" {
		if _, ok := units.LevelOfCode(scope); !ok {
			return nil, invalid("scope", "store.visits.scope", scope)
		}
	}
	// A run over one village or township would tell, by its figures and
	// by the visits it moves, whether a sealed draw picked a unit there: a
	// run covers a county or more (visit.sealed).
	if len(scope) > 6 {
		return nil, invalid("scope", "store.visits.scope_county", scope, scope[:6])
	}
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return nil, invalid("to", "store.visits.window", from.String(), to.String())
	}
	if to.Sub(from) > 366 {
		return nil, invalid("to", "store.visits.window_long", from.String(), to.String())
	}
	if tx.db.Dialect == Postgres {
		// One run at a time: a run reads the visits it replaces and the
		// inspectors' days it must not fill twice. The audit chain's lock
		// comes first, as in every change that takes more than one: two
		// changes never hold them the other way round.
		if err := tx.serialize(ctx); err != nil {
			return nil, err
		}
		if err := tx.advisoryLock(ctx, scheduleLock); err != nil {
			return nil, fmt.Errorf("schedule lock: %w", err)
		}
	}
	cal, err := tx.db.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	workdays := func(a, b calendar.Date) []calendar.Date {
		var out []calendar.Date
		for d := a; !d.After(b); d = d.AddDays(1) {
			if cal.IsWorkday(d) {
				out = append(out, d)
			}
		}
		return out
	}
	if len(workdays(from, to)) == 0 {
		return nil, invalid("from", "store.visits.window_no_workday", from.String(), to.String())
	}
	pt, err := tx.db.PolicyTree(ctx)
	if err != nil {
		return nil, err
	}
	set := pt.At(scope)
	weekCap, yearCap := set.Get("visit.unit.week"), set.Get("visit.unit.year")

	// The drawn items under the scope (or above it, their targets then cut
	// to the scope) whose window overlaps the run's.
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+itemColumns+`, p.office_id FROM plan_items i JOIN plans p ON p.id = i.plan_id JOIN draws d ON d.id = i.draw_id
		WHERE d.status IN ('drawn', 'revealed') AND i.date_from <= $1 AND i.date_to >= $2
		AND (substr(i.scope, 1, length($3)) = $3 OR substr($3, 1, length(i.scope)) = i.scope) ORDER BY i.code`,
		dateArg(to), dateArg(from), scope)
	if err != nil {
		return nil, fmt.Errorf("read drawn items: %w", err)
	}
	var gathered []runItem
	run := &ScheduleRun{Scope: scope, From: from, To: to, Items: []string{}, Created: tx.Now, CreatedBy: tx.Actor.ID,
		Stats: visits.Stats{ByRule: map[string]int{}}}
	for rows.Next() {
		var ri runItem
		it, err := scanItemWith(rows, &ri.office)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read drawn items: %w", err)
		}
		ri.item, ri.draw = it, it.DrawID
		gathered = append(gathered, ri)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read drawn items: %w", err)
	}
	if len(gathered) == 0 {
		return nil, stateErr("store.visits.window_nothing_drawn", scope, from.String(), to.String())
	}
	// Nor may a run cut an item's pool: its figures would count the
	// item's sealed targets in a part of the pool. The scope must cover
	// the pool of every item it merges; items and their scopes are public.
	for _, ri := range gathered {
		if !strings.HasPrefix(ri.item.Scope, scope) {
			return nil, invalid("scope", "store.visits.scope_pool", scope, ri.item.Code, ri.item.Scope)
		}
	}
	inRun := map[string]runItem{}
	for _, ri := range gathered {
		inRun[ri.item.Code] = ri
	}

	// Earlier visits under the scope serving these items: planned ones in
	// the window serving only items of this run may be replaced; the rest
	// (started or done, on a day outside the window, or serving an item
	// outside the run) are kept, and the targets they serve are not
	// scheduled again.
	old, err := readVisits(ctx, tx.tx, `v.id IN (SELECT visit_id FROM visit_items WHERE item_code IN (SELECT value FROM `+tx.jsonEach(1)+`)) AND substr(v.unit_code, 1, length($2)) = $2`,
		tx.jsonList(keys(inRun)), scope)
	if err != nil {
		return nil, err
	}
	served := map[[2]string]bool{}
	var open []visits.ScheduledVisit
	exclude := map[int64]bool{}
	for _, v := range old {
		only := v.Status == visits.Planned && !v.Day.Before(from) && !v.Day.After(to)
		for _, iv := range v.Items {
			if _, ok := inRun[iv.Item]; !ok {
				only = false
			}
		}
		if only {
			open = append(open, v)
			exclude[v.ID] = true
			continue
		}
		run.Kept++
		for _, iv := range v.Items {
			served[[2]string{iv.Item, v.Unit}] = true
		}
	}
	told := map[int64]bool{}
	trows, err := tx.tx.QueryContext(ctx, `SELECT id FROM visits WHERE shown IS NOT NULL AND status = 'planned' AND day >= $1 AND day <= $2 AND substr(unit_code, 1, length($3)) = $3`,
		dateArg(from), dateArg(to), scope)
	if err != nil {
		return nil, fmt.Errorf("read shown visits: %w", err)
	}
	for trows.Next() {
		var id int64
		if err := trows.Scan(&id); err != nil {
			trows.Close()
			return nil, err
		}
		told[id] = true
	}
	trows.Close()
	if err := trows.Err(); err != nil {
		return nil, fmt.Errorf("read shown visits: %w", err)
	}

	reg, err := readInspectors(ctx, tx.tx, InspectorFilter{})
	if err != nil {
		return nil, err
	}
	coords, err := tx.db.Coordinates(ctx)
	if err != nil {
		return nil, err
	}
	p := &schedulePlan{kinds: map[string]visits.ItemKind{}}
	for _, ri := range gathered {
		p.kinds[ri.item.Code] = ri.item.Kind
		run.Items = append(run.Items, ri.item.Code)
	}
	// Items are scheduled together over the run's window, each visit on
	// days that the windows of every item it serves hold: items at a unit
	// whose windows overlap go in one joint visit; those whose windows
	// share no working day visit it separately (visits.PlanItem.From/To).
	// A plan item's window lies in its plan's year, so a window across a
	// year end is scheduled year by year (the yearly cap is a year's), each
	// year's visits counting in the next one's weeks and inspectors' days.
	var windows []*visits.Window
	var unscheduled []visits.Unscheduled
	for y := from.Year(); y <= to.Year(); y++ {
		a, b := from, to
		if jan := calendar.NewDate(y, 1, 1); jan.After(a) {
			a = jan
		}
		if dec := calendar.NewDate(y, 12, 31); dec.Before(b) {
			b = dec
		}
		days := workdays(a, b)
		var items []runItem
		for _, ri := range gathered {
			ia, ib := a, b
			if ri.item.From.After(ia) {
				ia = ri.item.From
			}
			if ri.item.To.Before(ib) {
				ib = ri.item.To
			}
			if ia.After(ib) {
				continue // another year's item
			}
			if len(workdays(ia, ib)) == 0 {
				run.Skipped = append(run.Skipped, ri.item.Code)
				continue
			}
			items = append(items, ri)
		}
		if len(items) == 0 || len(days) == 0 {
			continue
		}
		w, err := tx.windowOf(ctx, scope, days, items, served, reg, coords, pt, exclude, p.visits)
		if err != nil {
			return nil, err
		}
		w.WeekCap, w.YearCap = weekCap, yearCap
		tt, err := visits.Schedule(w, opt)
		if err != nil {
			return nil, fmt.Errorf("schedule %s from %s to %s: %w", scope, a, b, err)
		}
		windows = append(windows, w)
		addStats(&run.Stats, tt.Stats)
		unscheduled = append(unscheduled, tt.Unscheduled...)
		p.visits = append(p.visits, tt.Visits...)
	}
	sort.Strings(run.Skipped)
	run.unscheduled = unscheduled
	if s := &run.Stats; s.ScheduledPlanVisits > 0 {
		s.JointRate = float64(s.MergedPlanVisits) / float64(s.ScheduledPlanVisits)
	}

	// What the plan does to the window's open visits: each is matched with
	// the new visit at its unit sharing most of its items.
	away := map[string]map[calendar.Date]bool{}
	for _, w := range windows {
		for _, in := range w.Inspectors {
			for _, d := range in.Away {
				if away[in.ID] == nil {
					away[in.ID] = map[calendar.Date]bool{}
				}
				away[in.ID][d] = true
			}
		}
	}
	used := make([]bool, len(p.visits))
	atUnit := map[string][]int{}
	for k, v := range p.visits {
		atUnit[v.Unit] = append(atUnit[v.Unit], k)
	}
	itemsOf := func(ivs []visits.ItemVisit) []string {
		out := []string{}
		for _, iv := range ivs {
			if !slices.Contains(out, iv.Item) {
				out = append(out, iv.Item)
			}
		}
		sort.Strings(out)
		return out
	}
	for _, v := range open {
		c := ScheduleChange{Visit: v.ID, Unit: v.Unit, Items: itemsOf(v.Items), Day: v.Day, Team: v.Team, Told: told[v.ID], newAt: -1, fromRun: v.RunID}
		best, score := -1, 0
		for _, k := range atUnit[v.Unit] {
			if used[k] {
				continue
			}
			n := 0
			for _, it := range itemsOf(p.visits[k].Items) {
				if slices.Contains(c.Items, it) {
					n++
				}
			}
			if n > score {
				best, score = k, n
			}
		}
		switch {
		case best < 0:
			c.Change = ChangeDropped
			for _, u := range unscheduled {
				if u.Unit != v.Unit {
					continue
				}
				for _, it := range u.Items {
					if slices.Contains(c.Items, it) {
						c.Reasons = append(c.Reasons, u.Reasons...)
						break
					}
				}
			}
			run.Dropped++
		default:
			used[best] = true
			nv := p.visits[best]
			c.newAt, c.NewDay, c.NewTeam = best, nv.Day, nv.Team
			a, _ := json.Marshal(v.Items)
			b, _ := json.Marshal(nv.Items)
			if nv.Day == v.Day && slices.Equal(nv.Team, v.Team) && string(a) == string(b) {
				c.Change = ChangeKept
				run.Unchanged++
			} else {
				c.Change = ChangeMoved
				run.Moved++
				for _, n := range v.Team {
					if away[n][v.Day] {
						c.Away = append(c.Away, n)
					}
				}
				switch {
				case len(c.Away) > 0:
					c.Why = WhyAway
				case !slices.Equal(nv.Team, v.Team):
					c.Why = WhyTeam
				default:
					c.Why = WhyDays
				}
			}
		}
		if c.Told && c.Change != ChangeKept {
			run.Notified++
		}
		p.Changes = append(p.Changes, c)
	}
	for k, v := range p.visits {
		if !used[k] {
			p.Changes = append(p.Changes, ScheduleChange{Change: ChangeAdded, Unit: v.Unit, Items: itemsOf(v.Items), NewDay: v.Day, NewTeam: v.Team, newAt: k})
			run.Added++
		}
	}
	run.Replaced = run.Moved + run.Dropped
	if p.Changes == nil {
		p.Changes = []ScheduleChange{}
	}
	p.Run = run

	// The token binds the plan to everything it was made from: the
	// scheduler's input (draws, register, days away, caps, history), the
	// open visits and whether their leaders were told, and the plan.
	h := sha256.New()
	enc := json.NewEncoder(h)
	if err := enc.Encode(map[string]any{"scope": scope, "from": from, "to": to, "windows": windows, "open": open, "told": told,
		"visits": p.visits, "unscheduled": unscheduled, "changes": p.Changes, "kept": run.Kept, "skipped": run.Skipped}); err != nil {
		return nil, fmt.Errorf("schedule token: %w", err)
	}
	p.Token = hex.EncodeToString(h.Sum(nil))
	return p, nil
}

// addStats adds the statistics of one part of a run to the run's.
func addStats(s *visits.Stats, t visits.Stats) {
	s.PlanVisits += t.PlanVisits
	s.ScheduledPlanVisits += t.ScheduledPlanVisits
	s.MergedPlanVisits += t.MergedPlanVisits
	s.Visits += t.Visits
	s.JointVisits += t.JointVisits
	s.InspectorDays += t.InspectorDays
	s.LowerBound += t.LowerBound
	s.Unscheduled += t.Unscheduled
	for r, n := range t.ByRule {
		s.ByRule[r] += n
	}
	s.Pieces += t.Pieces
	s.Proved += t.Proved
	s.NoPlace += t.NoPlace
	s.NoHome += t.NoHome
	s.LargestPart = max(s.LargestPart, t.LargestPart)
}

// windowOf builds the scheduler's window for some items over some days:
// their targets and teams from the draws (those under the scope not yet
// served), the targets' visits of the year, the inspectors' limits (a day
// on which an inspector already has a visit counts as away) and the places.
// The visits in exclude (those the run may replace) count nowhere; the
// run's visits of an earlier year (added) count as visits had.
func (tx *Tx) windowOf(ctx context.Context, scope string, days []calendar.Date, items []runItem, served map[[2]string]bool,
	reg []visits.RegisteredInspector, coords map[string][2]float64, pt *policy.Tree, exclude map[int64]bool, added []visits.Visit) (*visits.Window, error) {
	w := &visits.Window{Days: days, Units: map[string]visits.UnitRecord{}, Places: map[string]visits.Point{}}
	numbers := map[string]bool{}
	targeted := map[string]bool{}
	for _, ri := range items {
		rec, err := readDraw(ctx, tx.tx, ri.draw)
		if err != nil {
			return nil, err
		}
		pi := visits.PlanItem{ID: ri.item.Code, Office: strconv.FormatInt(ri.office, 10), Checklist: []string{}, From: ri.item.From, To: ri.item.To}
		for _, c := range ri.item.Checklist {
			pi.Checklist = append(pi.Checklist, c.Code)
		}
		teams := rec.Teams()
		for i, u := range rec.Selection() {
			if !strings.HasPrefix(u, scope) || served[[2]string{ri.item.Code, u}] {
				continue
			}
			t := visits.Target{Unit: u}
			if i < len(teams) {
				t.Inspectors = teams[i]
			}
			for _, n := range t.Inspectors {
				numbers[n] = true
			}
			pi.Targets = append(pi.Targets, t)
			targeted[u] = true
		}
		w.Items = append(w.Items, pi)
	}

	// The targets' history this year: inspections count towards the
	// year's cap, every visit towards its week's.
	year := days[0].Year()
	weeks := map[calendar.Date]bool{}
	for _, d := range days {
		weeks[visits.WeekOf(d)] = true
	}
	hist, err := tx.tx.QueryContext(ctx, `SELECT id, unit_code, day, research FROM visits WHERE day >= $1 AND day <= $2 AND substr(unit_code, 1, length($3)) = $3`,
		dateArg(calendar.NewDate(year, 1, 1).AddDays(-6)), dateArg(calendar.NewDate(year, 12, 31).AddDays(6)), scope)
	if err != nil {
		return nil, fmt.Errorf("read visit history: %w", err)
	}
	type had struct {
		unit     string
		day      calendar.Date
		research bool
	}
	var history []had
	for hist.Next() {
		var id int64
		var u, day string
		var research bool
		if err := hist.Scan(&id, &u, &day, &research); err != nil {
			hist.Close()
			return nil, err
		}
		if exclude[id] {
			continue
		}
		history = append(history, had{u, scanDate(day), research})
	}
	hist.Close()
	if err := hist.Err(); err != nil {
		return nil, fmt.Errorf("read visit history: %w", err)
	}
	for _, v := range added {
		// An earlier year's: it counts in its week only.
		history = append(history, had{v.Unit, v.Day, true})
	}
	for _, h := range history {
		u, d, research := h.unit, h.day, h.research
		if !targeted[u] {
			continue
		}
		r := w.Units[u]
		if !research && d.Year() == year {
			r.YearVisits++
		}
		if wk := visits.WeekOf(d); weeks[wk] {
			if r.WeekVisits == nil {
				r.WeekVisits = map[calendar.Date]int{}
			}
			r.WeekVisits[wk]++
		}
		w.Units[u] = r
	}
	// Admitted visit demands (research, or an inspection listing units)
	// take their week's room as the gate counts them.
	var codes []string
	for u := range targeted {
		codes = append(codes, u)
	}
	sort.Strings(codes)
	first := visits.WeekOf(days[0])
	asked, err := unitVisitsOf(ctx, tx.db, tx.tx, codes, first, visits.WeekOf(days[len(days)-1]).AddDays(6), false)
	if err != nil {
		return nil, err
	}
	for u, ds := range asked {
		r := w.Units[u]
		for _, d := range ds {
			if wk := visits.WeekOf(d); weeks[wk] {
				if r.WeekVisits == nil {
					r.WeekVisits = map[calendar.Date]int{}
				}
				r.WeekVisits[wk]++
			}
		}
		w.Units[u] = r
	}
	// Each target's caps are those in force where it lies: a county may
	// have tightened them under a city-wide run.
	for u := range targeted {
		r := w.Units[u]
		set := pt.At(u)
		r.WeekCap, r.YearCap = set.Get("visit.unit.week"), set.Get("visit.unit.year")
		w.Units[u] = r
	}

	// The drawn inspectors' limits; days they already have visits on are
	// taken.
	busy := map[string][]calendar.Date{}
	brows, err := tx.tx.QueryContext(ctx, `SELECT vi.visit_id, vi.number, v.day FROM visit_inspectors vi JOIN visits v ON v.id = vi.visit_id WHERE v.day >= $1 AND v.day <= $2`,
		dateArg(days[0]), dateArg(days[len(days)-1]))
	if err != nil {
		return nil, fmt.Errorf("read inspectors' visits: %w", err)
	}
	for brows.Next() {
		var id int64
		var n, day string
		if err := brows.Scan(&id, &n, &day); err != nil {
			brows.Close()
			return nil, err
		}
		if numbers[n] && !exclude[id] {
			busy[n] = append(busy[n], scanDate(day))
		}
	}
	brows.Close()
	if err := brows.Err(); err != nil {
		return nil, fmt.Errorf("read inspectors' visits: %w", err)
	}
	for _, v := range added {
		for _, n := range v.Team {
			if numbers[n] && !v.Day.Before(days[0]) && !v.Day.After(days[len(days)-1]) {
				busy[n] = append(busy[n], v.Day)
			}
		}
	}
	homes := map[string]bool{}
	for _, in := range reg {
		if !numbers[in.Number] {
			continue
		}
		// In day order without repeats: the same input makes the same
		// timetable and the same preview token.
		away := append(append([]calendar.Date(nil), in.Away...), busy[in.Number]...)
		slices.SortFunc(away, func(a, b calendar.Date) int { return a.Compare(b) })
		away = slices.Compact(away)
		w.Inspectors = append(w.Inspectors, visits.Inspector{ID: in.Number, Home: in.Works, Capacity: in.Capacity, MaxTravel: in.MaxTravel, Away: away})
		homes[in.Works] = true
		delete(numbers, in.Number)
	}
	for n := range numbers {
		return nil, fmt.Errorf("inspector %s of a drawn team is not in the register", n)
	}

	// The places of the targets and homes, and of their ancestors.
	for _, m := range []map[string]bool{targeted, homes} {
		for c := range m {
			for ; c != ""; c = units.ParentCode(c) {
				if p, ok := coords[c]; ok {
					w.Places[c] = visits.Point{Lat: p[0], Lon: p[1]}
				}
			}
		}
	}
	return w, nil
}

// saveVisits stores a timetable's visits with the items they serve and
// their inspectors.
// The visits are stored in a random order, so that their ids, handed out
// in order, do not follow their days or targets (visit.sealed).
//
// It returns the new visits' ids in the order given. An id is never one a
// visit had before, even one since replaced (visit_changes keeps those).
func (tx *Tx) saveVisits(ctx context.Context, run int64, vs []visits.Visit, kinds map[string]visits.ItemKind) ([]int64, error) {
	ids := make([]int64, len(vs))
	insert := `INSERT INTO visits (run_id, unit_code, day, team, items, research, status) VALUES ($1,$2,$3,$4,$5,$6,'planned') RETURNING id`
	if tx.db.Dialect == SQLite {
		// SQLite gives a new row the largest id plus one, which is a
		// replaced visit's when the largest were just replaced.
		insert = `INSERT INTO visits (id, run_id, unit_code, day, team, items, research, status) VALUES ((SELECT MAX(m) + 1 FROM
			(SELECT COALESCE(MAX(id), 0) AS m FROM visits UNION ALL SELECT COALESCE(MAX(visit_id), 0) FROM visit_changes) AS t),
			$1,$2,$3,$4,$5,$6,'planned') RETURNING id`
	}
	order := mrand.Perm(len(vs))
	for _, k := range order {
		v := vs[k]
		research := true
		for _, iv := range v.Items {
			if kinds[iv.Item] != visits.Research {
				research = false
			}
		}
		team, _ := json.Marshal(v.Team)
		its, _ := json.Marshal(v.Items)
		var id int64
		if err := tx.queryRow(ctx, insert, run, v.Unit, dateArg(v.Day), string(team), string(its), research).Scan(&id); err != nil {
			return nil, fmt.Errorf("save visit: %w", err)
		}
		ids[k] = id
		seen := map[string]bool{}
		for _, iv := range v.Items {
			if seen[iv.Item] {
				continue
			}
			seen[iv.Item] = true
			if _, err := tx.exec(ctx, `INSERT INTO visit_items (visit_id, item_code) VALUES ($1,$2)`, id, iv.Item); err != nil {
				return nil, fmt.Errorf("save visit: %w", err)
			}
		}
		for _, n := range v.Team {
			if _, err := tx.exec(ctx, `INSERT INTO visit_inspectors (visit_id, number) VALUES ($1,$2)`, id, n); err != nil {
				return nil, fmt.Errorf("save visit: %w", err)
			}
		}
	}
	return ids, nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// jsonEach is a table expression of the elements of a JSON array of
// strings passed as parameter n, in either dialect.
func (tx *Tx) jsonEach(n int) string { return jsonEachOf(tx.db.Dialect, n) }

func jsonEachOf(d Dialect, n int) string {
	if d == Postgres {
		return fmt.Sprintf("json_array_elements_text($%d::json) AS t(value)", n)
	}
	return fmt.Sprintf("json_each($%d)", n)
}

func (tx *Tx) jsonList(s []string) string {
	b, _ := json.Marshal(nonNil(s))
	return string(b)
}

// scanItemWith scans a plan item followed by one more column.
func scanItemWith(rows *sql.Rows, extra any) (visits.Item, error) {
	var it visits.Item
	var kind, checklist, tiers, from, to string
	var level int
	var draw sql.NullInt64
	if err := rows.Scan(&it.ID, &it.PlanID, &it.Code, &it.Title, &it.TitleEN, &kind, &checklist, &it.Scope, &level, &it.Rate, &tiers, &it.Team, &from, &to, &draw, extra); err != nil {
		return it, err
	}
	it.Kind, it.Level, it.DrawID = visits.ItemKind(kind), units.Level(level), draw.Int64
	it.From, it.To = scanDate(from), scanDate(to)
	json.Unmarshal([]byte(checklist), &it.Checklist)
	json.Unmarshal([]byte(tiers), &it.Tiers)
	return it, nil
}

// ScheduleRuns lists the runs over scopes under (or equal to) under.
func (db *DB) ScheduleRuns(ctx context.Context, under string) ([]*ScheduleRun, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, scope, date_from, date_to, items, stats, unscheduled, changes, created, created_by FROM schedule_runs
		WHERE substr(scope, 1, length($1)) = $1 ORDER BY id DESC`, under)
	if err != nil {
		return nil, fmt.Errorf("read schedule runs: %w", err)
	}
	defer rows.Close()
	out := []*ScheduleRun{}
	for rows.Next() {
		r := &ScheduleRun{}
		var from, to, items, stats, uns, changes string
		if err := rows.Scan(&r.ID, &r.Scope, &from, &to, &items, &stats, &uns, &changes, &r.Created, &r.CreatedBy); err != nil {
			return nil, fmt.Errorf("read schedule runs: %w", err)
		}
		var ch runChanges
		json.Unmarshal([]byte(changes), &ch)
		r.Kept, r.Unchanged, r.Moved, r.Added, r.Dropped, r.Notified = ch.Kept, ch.Unchanged, ch.Moved, ch.Added, ch.Dropped, ch.Notified
		r.Replaced = ch.Moved + ch.Dropped
		r.From, r.To = scanDate(from), scanDate(to)
		json.Unmarshal([]byte(items), &r.Items)
		json.Unmarshal([]byte(stats), &r.Stats)
		json.Unmarshal([]byte(uns), &r.unscheduled)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schedule runs: %w", err)
	}
	rows.Close()
	// What stands of each run now, and what later runs replaced: counts.
	for _, r := range out {
		if err := db.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM visits WHERE run_id = $1), (SELECT COUNT(*) FROM visit_changes WHERE from_run = $1)`, r.ID).
			Scan(&r.Standing, &r.ReplacedLater); err != nil {
			return nil, fmt.Errorf("read schedule run %d: %w", r.ID, err)
		}
	}
	return out, nil
}

const visitColumns = `v.id, v.run_id, v.unit_code, v.day, v.team, v.items, v.status, v.started, v.done`

func readVisits(ctx context.Context, q querier, where string, args ...any) ([]visits.ScheduledVisit, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+visitColumns+` FROM visits v WHERE `+where+` ORDER BY v.day, v.unit_code, v.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read visits: %w", err)
	}
	defer rows.Close()
	out := []visits.ScheduledVisit{}
	for rows.Next() {
		var v visits.ScheduledVisit
		var day, team, items, status string
		var started, done sql.NullTime
		if err := rows.Scan(&v.ID, &v.RunID, &v.Unit, &day, &team, &items, &status, &started, &done); err != nil {
			return nil, fmt.Errorf("read visits: %w", err)
		}
		v.Day, v.Status = scanDate(day), visits.VisitStatus(status)
		json.Unmarshal([]byte(team), &v.Team)
		json.Unmarshal([]byte(items), &v.Items)
		if started.Valid {
			v.Started = &started.Time
		}
		if done.Valid {
			v.Done = &done.Time
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func readVisit(ctx context.Context, q querier, id int64) (*visits.ScheduledVisit, error) {
	vs, err := readVisits(ctx, q, `v.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("visit %d: %w", id, ErrNotFound)
	}
	return &vs[0], nil
}

// Visit reads a scheduled visit, target included: callers seal it.
func (db *DB) Visit(ctx context.Context, id int64) (*visits.ScheduledVisit, error) {
	return readVisit(ctx, db.r, id)
}

// VisitsOfInspector lists the visits whose team includes the register
// number, with days in [from, to], targets included: callers seal them.
func (db *DB) VisitsOfInspector(ctx context.Context, number string, from, to calendar.Date) ([]visits.ScheduledVisit, error) {
	return readVisits(ctx, db.r, `v.id IN (SELECT visit_id FROM visit_inspectors WHERE number = $1) AND v.day >= $2 AND v.day <= $3`,
		number, dateArg(from), dateArg(to))
}

// VisitsOfItem lists the visits serving a plan item (targets included).
func (db *DB) VisitsOfItem(ctx context.Context, code string) ([]visits.ScheduledVisit, error) {
	return readVisits(ctx, db.r, `v.id IN (SELECT visit_id FROM visit_items WHERE item_code = $1)`, code)
}

// StartVisit opens a sealed visit's target to its team: only the team
// leader (number), only on the visit's day (in China's time zone). Every
// reveal is audited as visit.reveal; a refusal reveals nothing and
// changes nothing.
func (tx *Tx) StartVisit(ctx context.Context, id int64, leader string) (*visits.ScheduledVisit, error) {
	v, err := readVisit(ctx, tx.tx, id)
	if err != nil {
		return nil, err
	}
	if leader == "" || leader != v.Leader() {
		return nil, forbidden("store.forbidden.visit_leader", id)
	}
	today := calendar.DateOf(tx.Now)
	first := false
	switch {
	case v.Status == visits.Planned && today.Before(v.Day):
		return nil, forbidden("store.forbidden.visit_day", id, v.Day.String())
	case v.Status == visits.Planned && today.After(v.Day):
		return nil, stateErr("store.state.visit_passed", id, v.Day.String())
	case v.Status == visits.Planned:
		if _, err := tx.exec(ctx, `UPDATE visits SET status = 'started', started = $1 WHERE id = $2 AND status = 'planned'`, tx.Now, id); err != nil {
			return nil, fmt.Errorf("start visit %d: %w", id, err)
		}
		now := tx.Now
		v.Status, v.Started, first = visits.Started, &now, true
	}
	unit, err := tx.visitAuditUnit(ctx, v)
	if err != nil {
		return nil, err
	}
	return v, tx.Audit(ctx, audit.Record{Action: "visit.reveal", Entity: "visit", EntityID: strconv.FormatInt(id, 10), UnitCode: unit,
		After: audit.JSON(map[string]any{"leader": leader, "day": v.Day, "first": first})})
}

// reportedValues reads a unit's current values of elements for the periods
// containing a day, keyed by element code.
func (tx *Tx) reportedValues(ctx context.Context, unit string, day calendar.Date, elements []string) (map[string]string, error) {
	out := map[string]string{}
	if len(elements) == 0 {
		return out, nil
	}
	d, err := tx.db.Dictionary(ctx)
	if err != nil {
		return nil, err
	}
	at := day.Time().Add(12 * time.Hour)
	for _, code := range elements {
		e, ok := d.Elements[code]
		if !ok {
			continue
		}
		var v string
		err := tx.queryRow(ctx, `SELECT value FROM vals WHERE unit_code = $1 AND element_id = $2 AND period = $3 AND current ORDER BY id DESC LIMIT 1`,
			unit, e.ID, collect.PeriodOf(e.Period, at)).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read reported value of %s: %w", code, err)
		}
		out[code] = v
	}
	return out, nil
}

// SaveFieldRecord stores a started visit's field record, filling each
// claim's Reported from the values the unit reported and flagging
// discrepancies; done marks the visit done.
//
// Only a started visit's record changes, and only until the last window of
// the items it serves is over: a visit done, or one never marked done after
// its window, is closed (StateError). Every save is kept as a new version
// with its SHA-256, which the audit names with the previous one's.
func (tx *Tx) SaveFieldRecord(ctx context.Context, r *visits.FieldRecord, done bool) error {
	v, err := tx.openForRecord(ctx, r.VisitID)
	if err != nil {
		return err
	}
	if err := r.Validate(v); err != nil {
		return err
	}
	// A claim compares what is seen with what the unit reported of an
	// element its items' checklists name, approved with the plan: no
	// other element's values are read for the team (the readers rule of
	// the dictionary stays whole).
	named := map[string]bool{}
	for _, iv := range v.Items {
		var raw string
		if err := tx.queryRow(ctx, `SELECT checklist FROM plan_items WHERE code = $1`, iv.Item).Scan(&raw); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			return fmt.Errorf("read checklist of %s: %w", iv.Item, err)
		}
		var lines []visits.CheckItem
		json.Unmarshal([]byte(raw), &lines)
		for _, l := range lines {
			if l.Element != "" {
				named[l.Element] = true
			}
		}
	}
	var elements []string
	for i, c := range r.Claims {
		if c.Element == "" {
			continue
		}
		if !named[c.Element] {
			return invalid("claims["+strconv.Itoa(i)+"].element", "store.visits.claim_element", i+1, c.Element)
		}
		elements = append(elements, c.Element)
	}
	reported, err := tx.reportedValues(ctx, v.Unit, v.Day, elements)
	if err != nil {
		return err
	}
	visits.CompareClaims(r.Claims, reported)
	r.By, r.At, r.Photos = tx.Actor.ID, tx.Now, nil
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE field_records SET record = $1, by_id = $2, at = $3 WHERE visit_id = $4`, string(body), tx.Actor.ID, tx.Now, v.ID)
	if err != nil {
		return fmt.Errorf("save field record: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.exec(ctx, `INSERT INTO field_records (visit_id, record, by_id, at) VALUES ($1,$2,$3,$4)`, v.ID, string(body), tx.Actor.ID, tx.Now); err != nil {
			return fmt.Errorf("save field record: %w", err)
		}
	}
	var version int
	var previous string
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM field_record_versions WHERE visit_id = $1`, v.ID).Scan(&version); err != nil {
		return fmt.Errorf("read field record versions: %w", err)
	}
	if version > 0 {
		if err := tx.queryRow(ctx, `SELECT sha256 FROM field_record_versions WHERE visit_id = $1 AND version = $2`, v.ID, version).Scan(&previous); err != nil {
			return fmt.Errorf("read field record version: %w", err)
		}
	}
	version++
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	if _, err := tx.exec(ctx, `INSERT INTO field_record_versions (visit_id, version, record, sha256, done, by_id, at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		v.ID, version, string(body), digest, done, tx.Actor.ID, tx.Now); err != nil {
		return fmt.Errorf("keep field record version: %w", err)
	}
	if done {
		res, err := tx.exec(ctx, `UPDATE visits SET status = 'done', done = $1 WHERE id = $2 AND status = 'started'`, tx.Now, v.ID)
		if err != nil {
			return fmt.Errorf("finish visit: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return stateErr("store.visits.record_done", v.ID)
		}
	}
	checks, failed, disc := visits.Summary(r)
	unit, err := tx.visitAuditUnit(ctx, v)
	if err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Record{Action: "visit.record", Entity: "visit", EntityID: strconv.FormatInt(v.ID, 10), UnitCode: unit,
		After: audit.JSON(map[string]any{"checks": checks, "failed": failed, "claims": len(r.Claims), "discrepancies": disc, "findings": len(r.Findings), "done": done,
			"version": version, "sha256": digest, "previous": previous})})
}

// visitAuditUnit is the unit a visit's audit records carry, so that the
// auditors over it read them: the scope of the items it serves (the
// longest, under which the target lies), cut to its county. Plans publish
// their items' scopes; the target, and its township, stay out of the log
// (visit.sealed), whether the draws are revealed or not.
func (tx *Tx) visitAuditUnit(ctx context.Context, v *visits.ScheduledVisit) (string, error) {
	unit := ""
	for _, iv := range v.Items {
		var scope string
		err := tx.queryRow(ctx, `SELECT scope FROM plan_items WHERE code = $1`, iv.Item).Scan(&scope)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("read scope of item %s: %w", iv.Item, err)
		}
		if len(scope) > len(unit) && strings.HasPrefix(v.Unit, scope) {
			unit = scope
		}
	}
	if len(unit) > 6 {
		unit = unit[:6]
	}
	return unit, nil
}

// openForRecord reads a visit whose field record may change: started, not
// done, and within the last window of the items it serves (China's date).
// It takes the visit's row, so that a concurrent save marking it done is
// either before (and this one refused) or after.
func (tx *Tx) openForRecord(ctx context.Context, id int64) (*visits.ScheduledVisit, error) {
	res, err := tx.exec(ctx, `UPDATE visits SET status = status WHERE id = $1 AND status = 'started'`, id)
	if err != nil {
		return nil, fmt.Errorf("open visit %d: %w", id, err)
	}
	v, err := readVisit(ctx, tx.tx, id)
	if err != nil {
		return nil, err
	}
	switch v.Status {
	case visits.Planned:
		return nil, stateErr("store.state.visit_not_started", v.ID)
	case visits.Done:
		return nil, stateErr("store.visits.record_done", v.ID)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, stateErr("store.visits.record_done", v.ID)
	}
	var last sql.NullString
	if err := tx.queryRow(ctx, `SELECT MAX(i.date_to) FROM plan_items i JOIN visit_items vi ON vi.item_code = i.code WHERE vi.visit_id = $1`, v.ID).Scan(&last); err != nil {
		return nil, fmt.Errorf("read windows of visit %d: %w", v.ID, err)
	}
	if last.Valid {
		if end := scanDate(last.String); calendar.DateOf(tx.Now.In(calendar.China)).After(end) {
			return nil, stateErr("store.visits.record_closed", v.ID, end.String())
		}
	}
	return v, nil
}

// FieldRecordVersion is one saved version of a visit's field record.
type FieldRecordVersion struct {
	Version int                `json:"version"`
	SHA256  string             `json:"sha256"` // of Record's JSON as stored; "" for a record kept from before versions
	Done    bool               `json:"done"`
	By      int64              `json:"by"`
	At      time.Time          `json:"at"`
	Record  visits.FieldRecord `json:"record"`
}

// FieldRecordVersions lists every saved version of a visit's field record,
// oldest first.
func (db *DB) FieldRecordVersions(ctx context.Context, visit int64) ([]FieldRecordVersion, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT version, sha256, done, by_id, at, record FROM field_record_versions WHERE visit_id = $1 ORDER BY version`, visit)
	if err != nil {
		return nil, fmt.Errorf("read field record versions: %w", err)
	}
	defer rows.Close()
	var out []FieldRecordVersion
	for rows.Next() {
		var fv FieldRecordVersion
		var body string
		if err := rows.Scan(&fv.Version, &fv.SHA256, &fv.Done, &fv.By, &fv.At, &body); err != nil {
			return nil, fmt.Errorf("read field record versions: %w", err)
		}
		if err := json.Unmarshal([]byte(body), &fv.Record); err != nil {
			return nil, fmt.Errorf("read field record version %d of visit %d: %w", fv.Version, visit, err)
		}
		out = append(out, fv)
	}
	return out, rows.Err()
}

// FieldRecord reads a visit's field record (nil, nil when none), with the
// visit's photos.
func (db *DB) FieldRecord(ctx context.Context, visit int64) (*visits.FieldRecord, error) {
	var body string
	err := db.r.QueryRowContext(ctx, `SELECT record FROM field_records WHERE visit_id = $1`, visit).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read field record: %w", err)
	}
	r := &visits.FieldRecord{}
	if err := json.Unmarshal([]byte(body), r); err != nil {
		return nil, fmt.Errorf("read field record of visit %d: %w", visit, err)
	}
	if r.Photos, err = db.VisitPhotos(ctx, visit); err != nil {
		return nil, err
	}
	return r, nil
}

// VisitPhotos lists a visit's photos in the order they were taken up,
// whether or not its field record was saved yet.
func (db *DB) VisitPhotos(ctx context.Context, visit int64) ([]visits.Photo, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, type, size, sha256, taken FROM photos WHERE visit_id = $1 ORDER BY created, taken, id`, visit)
	if err != nil {
		return nil, fmt.Errorf("read photos: %w", err)
	}
	defer rows.Close()
	var out []visits.Photo
	for rows.Next() {
		var p visits.Photo
		if err := rows.Scan(&p.ID, &p.Name, &p.Type, &p.Size, &p.SHA256, &p.Taken); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// MaxPhotosPerVisit bounds a visit's photos (each at most MaxPhotoBytes),
// so that one visit cannot fill the database.
const MaxPhotosPerVisit = 200

// AddPhoto stores a photo of a started visit with its SHA-256; like the
// field record, only while the visit is open (openForRecord).
func (tx *Tx) AddPhoto(ctx context.Context, visit int64, name, typ string, taken time.Time, data []byte) (visits.Photo, error) {
	p := visits.Photo{Name: strings.TrimSpace(name), Type: typ, Size: int64(len(data)), Taken: taken.UTC()}
	v, err := tx.openForRecord(ctx, visit)
	if err != nil {
		return p, err
	}
	switch {
	case len(data) == 0:
		return p, invalid("photo", "store.visits.photo_empty", name)
	case len(data) > MaxPhotoBytes:
		return p, invalid("photo", "store.visits.photo_size", name, len(data), MaxPhotoBytes)
	case !strings.HasPrefix(typ, "image/"):
		return p, invalid("type", "store.visits.photo_type", name, typ)
	case taken.IsZero():
		p.Taken = tx.Now
	}
	if p.Name == "" {
		p.Name = "photo"
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM photos WHERE visit_id = $1`, v.ID).Scan(&n); err != nil {
		return p, fmt.Errorf("count photos: %w", err)
	}
	if n >= MaxPhotosPerVisit {
		return p, invalid("photo", "store.visits.photo_count", MaxPhotosPerVisit)
	}
	sum := sha256.Sum256(data)
	p.SHA256 = hex.EncodeToString(sum[:])
	// A photo's id is random: sequential ids would tell how many photos
	// other visits took, and when.
	p.ID = photoID()
	if _, err := tx.exec(ctx, `INSERT INTO photos (id, visit_id, name, type, size, sha256, data, taken, created) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		p.ID, visit, p.Name, p.Type, p.Size, p.SHA256, data, p.Taken, tx.Now); err != nil {
		return p, fmt.Errorf("save photo: %w", err)
	}
	unit, err := tx.visitAuditUnit(ctx, v)
	if err != nil {
		return p, err
	}
	return p, tx.Audit(ctx, audit.Record{Action: "visit.photo", Entity: "visit", EntityID: strconv.FormatInt(visit, 10), UnitCode: unit,
		After: audit.JSON(map[string]any{"photo": p.ID, "size": p.Size, "sha256": p.SHA256})})
}

// photoID is a random photo id in [2^32, 2^53): unguessable, and exact in
// JSON numbers.
func photoID() int64 {
	var b [8]byte
	crand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>11) | 1<<32
}

// Photo reads a photo, its visit and its bytes; the checksum is verified on
// read (ErrChecksum when the bytes no longer match it).
func (db *DB) Photo(ctx context.Context, id int64) (visits.Photo, int64, []byte, error) {
	var p visits.Photo
	var visit int64
	var data []byte
	err := db.r.QueryRowContext(ctx, `SELECT id, visit_id, name, type, size, sha256, data, taken FROM photos WHERE id = $1`, id).
		Scan(&p.ID, &visit, &p.Name, &p.Type, &p.Size, &p.SHA256, &data, &p.Taken)
	if errors.Is(err, sql.ErrNoRows) {
		return p, 0, nil, fmt.Errorf("photo %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, 0, nil, fmt.Errorf("read photo %d: %w", id, err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != p.SHA256 || int64(len(data)) != p.Size {
		return p, visit, nil, fmt.Errorf("photo %d: the stored bytes do not match their SHA-256 %s: %w", id, p.SHA256, ErrChecksum)
	}
	return p, visit, data, nil
}

// UnitInspectionsUnder counts the inspections (research left out) of a
// year at each unit of a level under a unit, in one query over the range
// of codes under it: what UnitInspections answers for a pool over a
// province or the country, without sending its codes in batches. Units
// without an inspection are not listed. Sealed visits are left out
// (visitPublic): the gate reads these counts.
func (db *DB) UnitInspectionsUnder(ctx context.Context, level units.Level, under string, year int) (map[string]int, error) {
	out := map[string]int{}
	first, last := calendar.NewDate(year, 1, 1), calendar.NewDate(year, 12, 31)
	// Codes are digits: every code beginning with under sorts from under
	// up to the next code of its length (430922 → 430923), a range of the
	// unit index. Both bounds are digits only, so that every collation
	// orders them as bytes do.
	args := []any{level.CodeLength(), dateArg(first), dateArg(last), under}
	within := `v.unit_code >= $4`
	if hi := nextCode(under); hi != "" {
		args = append(args, hi)
		within += ` AND v.unit_code < $5`
	}
	rows, err := db.r.QueryContext(ctx, `SELECT v.unit_code, COUNT(*) FROM visits v WHERE NOT v.research AND `+within+`
		AND length(v.unit_code) = $1 AND v.day >= $2 AND v.day <= $3 AND `+visitPublic+` GROUP BY v.unit_code`, args...)
	if err != nil {
		return nil, fmt.Errorf("count inspections under %s: %w", under, err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var n int
		if err := rows.Scan(&u, &n); err != nil {
			return nil, err
		}
		out[u] = n
	}
	return out, rows.Err()
}

// nextCode is the digit string of the same length after code ("430922" →
// "430923", "4309" → "4310"), or "" when there is none ("99", "").
func nextCode(code string) string {
	b := []byte(code)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return ""
}

// UnitInspections counts the inspection visits (research left out) of a
// year at each of the units, scheduled or done, once no longer sealed
// (visitPublic): the gate reads these counts.
func (db *DB) UnitInspections(ctx context.Context, units []string, year int) (map[string]int, error) {
	out := map[string]int{}
	first, last := calendar.NewDate(year, 1, 1), calendar.NewDate(year, 12, 31)
	const batch = 500
	for len(units) > 0 {
		chunk := units[:min(batch, len(units))]
		units = units[len(chunk):]
		b, _ := json.Marshal(chunk)
		rows, err := db.r.QueryContext(ctx, `SELECT v.unit_code, COUNT(*) FROM visits v WHERE NOT v.research AND v.day >= $1 AND v.day <= $2
			AND v.unit_code IN (SELECT value FROM `+jsonEachOf(db.Dialect, 3)+`) AND `+visitPublic+` GROUP BY v.unit_code`, dateArg(first), dateArg(last), string(b))
		if err != nil {
			return nil, fmt.Errorf("count inspections: %w", err)
		}
		for rows.Next() {
			var u string
			var n int
			if err := rows.Scan(&u, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[u] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CalendarPrefix begins the secrets of iCal feeds.
const CalendarPrefix = "ltc_"

// CalendarToken makes a new secret for an inspector's iCal feed and
// returns it; only its digest is kept, so the secret is shown once and a
// new one replaces the old (whose feed address stops working).
func (tx *Tx) CalendarToken(ctx context.Context, inspector int64) (string, error) {
	token := auth.NewToken(CalendarPrefix)
	var number string
	err := tx.queryRow(ctx, `UPDATE inspectors SET calendar_digest = $1 WHERE id = $2 RETURNING number`, auth.Digest(token), inspector).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("inspector %d: %w", inspector, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("calendar token: %w", err)
	}
	return token, tx.Audit(ctx, audit.Record{Action: "inspector.calendar_token", Entity: "inspector", EntityID: number})
}

// InspectorByCalendarToken finds the inspector of a feed.
func (db *DB) InspectorByCalendarToken(ctx context.Context, token string) (*visits.RegisteredInspector, error) {
	if !strings.HasPrefix(token, CalendarPrefix) {
		return nil, fmt.Errorf("calendar feed: %w", ErrNotFound)
	}
	in, err := scanInspector(db.r.QueryRowContext(ctx, `SELECT `+inspectorColumns+` FROM inspectors WHERE calendar_digest = $1`, auth.Digest(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("calendar feed: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read inspector: %w", err)
	}
	return &in, nil
}

// ItemResult is the published result of one plan item: its visits only
// once its window is over and its draw revealed. Draw is the public record
// (commitment and pool; secret and selection once revealed).
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
	p, err := db.Plan(ctx, plan)
	if err != nil {
		return nil, err
	}
	today := calendar.DateOf(db.Now())
	out := []ItemResult{}
	for _, it := range p.Items {
		r := ItemResult{Item: it}
		if it.DrawID != 0 {
			if r.Draw, err = db.DrawByID(ctx, it.DrawID); err != nil {
				return nil, err
			}
		}
		r.Published = r.Draw != nil && r.Draw.Status == "revealed" && today.After(it.To)
		if r.Published {
			vs, err := db.VisitsOfItem(ctx, it.Code)
			if err != nil {
				return nil, err
			}
			r.Visits = []VisitResult{}
			for _, v := range vs {
				if v.Status == visits.Planned {
					continue
				}
				vr := VisitResult{Unit: v.Unit, Day: v.Day, Joint: len(v.Items) > 1, Findings: []visits.Finding{}}
				fr, err := db.FieldRecord(ctx, v.ID)
				if err != nil {
					return nil, err
				}
				if fr != nil {
					// The item's own checks; claims and discrepancies are
					// the unit's, whichever item saw them.
					own := *fr
					own.Checks = nil
					for _, c := range fr.Checks {
						if c.Item == it.Code {
							own.Checks = append(own.Checks, c)
						}
					}
					vr.Checks, vr.Failed, vr.Discrepancies = visits.Summary(&own)
					for _, f := range fr.Findings {
						if f.Item == "" || f.Item == it.Code {
							vr.Findings = append(vr.Findings, f)
						}
					}
				}
				r.Visits = append(r.Visits, vr)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// MarkVisitsShown records, once, that a leader was shown the days of their
// planned visits (their list of visits, a visit's page, their calendar
// feed): a run that later moves or drops such a visit tells its team
// (VisitNotices). It records what lighten showed, not a change anybody
// made, so it writes no audit record; it writes nothing when every visit
// was shown before.
func (db *DB) MarkVisitsShown(ctx context.Context, leader string, vs []visits.ScheduledVisit) error {
	var ids []string
	for _, v := range vs {
		if v.Status == visits.Planned && leader != "" && v.Leader() == leader {
			ids = append(ids, strconv.FormatInt(v.ID, 10))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	list := `SELECT CAST(value AS BIGINT) FROM ` + jsonEachOf(db.Dialect, 1)
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM visits WHERE shown IS NULL AND status = 'planned' AND id IN (`+list+`)`, string(must(json.Marshal(ids)))).Scan(&n); err != nil {
		return fmt.Errorf("read shown visits: %w", err)
	}
	if n == 0 {
		return nil
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE visits SET shown = $2 WHERE shown IS NULL AND status = 'planned' AND id IN (`+list+`)`, string(must(json.Marshal(ids))), db.Now()); err != nil {
		return fmt.Errorf("mark visits shown: %w", err)
	}
	return nil
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// VisitNotice tells a team member that a confirmed run moved or dropped a
// visit whose day its leader had been shown.
type VisitNotice struct {
	Visit      int64         `json:"visit"` // the replaced visit's id, never another visit's
	Day        calendar.Date `json:"day"`
	ReplacedBy int64         `json:"replaced_by,omitempty"` // the new visit, when the reader is on its team
	NewDay     calendar.Date `json:"new_day,omitzero"`      // moved, to a member of the new team: the new day
	Moved      bool          `json:"moved"`                 // moved (else dropped)
	OnTeam     bool          `json:"on_team"`               // the reader is on the new visit's team
	Run        int64         `json:"run"`
	At         time.Time     `json:"at"`
}

// VisitNotices lists the notices for an inspector: visits of their team
// whose day its leader had been shown and that a run moved or dropped,
// whose earlier or new day is on or after since, newest first.
func (db *DB) VisitNotices(ctx context.Context, number string, since calendar.Date) ([]VisitNotice, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT visit_id, run_id, replaced_by, day, new_day, team, new_team, created FROM visit_changes
		WHERE told AND (day >= $1 OR new_day >= $1) ORDER BY created DESC, visit_id`, dateArg(since))
	if err != nil {
		return nil, fmt.Errorf("read visit notices: %w", err)
	}
	defer rows.Close()
	out := []VisitNotice{}
	for rows.Next() {
		var n VisitNotice
		var by sql.NullInt64
		var day, team, newTeam string
		var newDay sql.NullString
		if err := rows.Scan(&n.Visit, &n.Run, &by, &day, &newDay, &team, &newTeam, &n.At); err != nil {
			return nil, fmt.Errorf("read visit notices: %w", err)
		}
		var was, now []string
		json.Unmarshal([]byte(team), &was)
		json.Unmarshal([]byte(newTeam), &now)
		if !slices.Contains(was, number) {
			continue
		}
		n.Day, n.Moved = scanDate(day), by.Valid
		// The new day and visit only to its team: a member no longer on
		// it learns no more of it.
		if by.Valid && slices.Contains(now, number) {
			n.OnTeam, n.ReplacedBy, n.NewDay = true, by.Int64, scanDate(newDay.String)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
