package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"lighten/internal/audit"
	"lighten/internal/calendar"
	"lighten/internal/i18n"
	"lighten/internal/visits"
)

// DrawRecord is a draw as lighten keeps it: the public record, and — kept
// sealed until the reveal — the secret and the selection.
type DrawRecord struct {
	ID       int64       `json:"id"`
	OfficeID int64       `json:"office"`
	Status   string      `json:"status"` // committed, drawn, revealed
	Draw     visits.Draw `json:"record"`
	Created  time.Time   `json:"created"`
	// RevealAfter is the end of the visits' window: before it the
	// selection stays sealed.
	RevealAfter time.Time  `json:"reveal_after"`
	Drawn       *time.Time `json:"drawn,omitempty"`
	Revealed    *time.Time `json:"revealed,omitempty"`
	CreatedBy   int64      `json:"created_by"`
	secret      []byte
	selection   []string
	teams       [][]string
}

// Selection is the sealed list of targets; only for the reveal and the
// scheduling of the visits.
func (d *DrawRecord) Selection() []string { return d.selection }

// Teams are the sealed inspector teams drawn for the targets, parallel to
// Selection (the leader first); nil when the draw draws no teams.
func (d *DrawRecord) Teams() [][]string { return d.teams }

// CreateDraw commits to a fresh secret over the pool and parameters.
func (tx *Tx) CreateDraw(ctx context.Context, office int64, d *visits.Draw, revealAfter time.Time) (*DrawRecord, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	// The public value comes from a beacon round published after the
	// commitment, which names it: the office cannot try values first.
	d.Beacon = nil
	if tx.db.beacon != nil {
		d.Beacon = tx.db.beacon.Commit(tx.Now)
	}
	d.Prepare(secret)
	d.PublicValue, d.Secret, d.Selected, d.Teams, d.Digest = "", "", nil, nil, ""
	rec := &DrawRecord{OfficeID: office, Status: "committed", Draw: *d, Created: tx.Now, RevealAfter: revealAfter, CreatedBy: tx.Actor.ID, secret: secret}
	body, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	if err := tx.queryRow(ctx, `INSERT INTO draws (office_id, plan, record, secret, status, created, created_by, reveal_after) VALUES ($1,$2,$3,$4,'committed',$5,$6,$7) RETURNING id`,
		office, d.Plan, string(body), hex.EncodeToString(secret), tx.Now, tx.Actor.ID, revealAfter.UTC()).Scan(&rec.ID); err != nil {
		return nil, fmt.Errorf("create draw: %w", err)
	}
	pool := 0
	for _, t := range d.Tiers {
		pool += len(t.Units)
	}
	county, err := drawCounty(ctx, tx.tx, office)
	if err != nil {
		return nil, err
	}
	after := map[string]any{"plan": d.Plan, "pool": pool, "commitment": d.Commitment}
	if d.Beacon != nil {
		after["beacon"] = map[string]any{"chain": d.Beacon.Chain, "round": d.Beacon.Round, "at": d.Beacon.Time()}
	}
	return rec, tx.Audit(ctx, audit.Record{Action: "draw.commit", Entity: "draw", EntityID: strconv.FormatInt(rec.ID, 10), UnitCode: county,
		After: audit.JSON(after)})
}

// NotItemCode refuses (StateError) an ad hoc draw whose plan is the code of
// a plan item: an item's draw is committed through the item.
func (tx *Tx) NotItemCode(ctx context.Context, plan string) error {
	if err := tx.serialize(ctx); err != nil {
		return err
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM plan_items WHERE code = $1`, plan).Scan(&n); err != nil {
		return fmt.Errorf("read plan items: %w", err)
	}
	if n > 0 {
		return stateErr("store.draws.plan_item", plan)
	}
	return nil
}

// RunDraw fixes the public value and draws. The selection is stored
// sealed; only its digest is published.
//
// A draw committed to a beacon round takes as its value the round's
// signature (hex, or drand's JSON answer for the round): refused before
// the round is published and unless it verifies under the chain's key; the
// public value is then the round's randomness. A draw without a beacon
// takes the value as entered.
//
// It reads the draw again inside the transaction and changes it only while
// it is still committed: of two runs at once, exactly one draws.
func (tx *Tx) RunDraw(ctx context.Context, rec *DrawRecord, public string) error {
	cur, err := readDraw(ctx, tx.tx, rec.ID)
	if err != nil {
		return err
	}
	if cur.Status != "committed" {
		*rec = *cur
		return stateErr("store.state.draw_not_committed", rec.ID, i18n.Both("ui.draw.status."+rec.Status))
	}
	*rec = *cur
	if b := rec.Draw.Beacon; b != nil {
		at := b.Time()
		if tx.Now.Before(at) {
			return stateErr("store.draws.beacon_early", rec.ID, b.Round, at.In(calendar.China).Format("2006-01-02 15:04:05"))
		}
		round, sig, err := visits.ParseBeaconValue(public)
		if err != nil {
			return invalid("value", "store.draws.beacon_value", b.Round)
		}
		if round != 0 && round != b.Round {
			return invalid("value", "store.draws.beacon_round", round, b.Round)
		}
		if public, err = b.Randomness(sig); err != nil {
			return invalid("value", "store.draws.beacon_bad", b.Round)
		}
		b.Signature = sig
	}
	rec.Draw.PublicValue = public
	var sel []string
	var teams [][]string
	if rec.Draw.TeamSize > 0 {
		sel, teams, err = rec.Draw.RunTeams(rec.secret)
	} else {
		sel, err = rec.Draw.Run(rec.secret)
	}
	if err != nil {
		return err
	}
	// Targets and teams stay sealed until the reveal.
	rec.Draw.Selected, rec.Draw.Teams = nil, nil
	body, _ := json.Marshal(rec.Draw)
	selection, _ := json.Marshal(sel)
	teamsJSON, _ := json.Marshal(nonNil(teams))
	res, err := tx.exec(ctx, `UPDATE draws SET record=$1, selection=$2, teams=$3, status='drawn', drawn=$4 WHERE id=$5 AND status='committed'`, string(body), string(selection), string(teamsJSON), tx.Now, rec.ID)
	if err != nil {
		return fmt.Errorf("run draw: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return stateErr("store.state.draw_raced", rec.ID)
	}
	rec.Status, rec.selection, rec.teams = "drawn", sel, teams
	county, err := drawCounty(ctx, tx.tx, rec.OfficeID)
	if err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Record{Action: "draw.run", Entity: "draw", EntityID: strconv.FormatInt(rec.ID, 10), UnitCode: county,
		After: audit.JSON(map[string]any{"public_value": public, "beacon": rec.Draw.Beacon != nil, "digest": rec.Draw.Digest, "drawn": len(sel)})})
}

// RevealDraw publishes the secret and the selection, so that anyone can
// verify the draw.
//
// Like RunDraw, it reads the draw again inside the transaction and reveals
// it only while it is still drawn.
func (tx *Tx) RevealDraw(ctx context.Context, rec *DrawRecord) error {
	cur, err := readDraw(ctx, tx.tx, rec.ID)
	if err != nil {
		return err
	}
	*rec = *cur
	if rec.Status != "drawn" {
		return stateErr("store.state.draw_not_drawn", rec.ID, i18n.Both("ui.draw.status."+rec.Status))
	}
	if tx.Now.Before(rec.RevealAfter) {
		return stateErr("store.state.draw_sealed", rec.ID, rec.RevealAfter.Format(time.RFC3339))
	}
	rec.Draw.Secret, rec.Draw.Selected = hex.EncodeToString(rec.secret), rec.selection
	if rec.Draw.TeamSize > 0 {
		rec.Draw.Teams = rec.teams
	}
	body, _ := json.Marshal(rec.Draw)
	res, err := tx.exec(ctx, `UPDATE draws SET record=$1, status='revealed', revealed=$2 WHERE id=$3 AND status='drawn'`, string(body), tx.Now, rec.ID)
	if err != nil {
		return fmt.Errorf("reveal draw: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return stateErr("store.state.draw_raced", rec.ID)
	}
	rec.Status = "revealed"
	county, err := drawCounty(ctx, tx.tx, rec.OfficeID)
	if err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Record{Action: "draw.reveal", Entity: "draw", EntityID: strconv.FormatInt(rec.ID, 10), UnitCode: county})
}

// drawCounty is the unit a draw's audit records carry: the county of the
// drawing office (its own unit when that lies above a county). Never a
// target: the records of a sealed draw must not differ by what it drew.
func drawCounty(ctx context.Context, q querier, office int64) (string, error) {
	code, err := officeUnit(ctx, q, office)
	if err != nil {
		return "", err
	}
	if len(code) > 6 {
		code = code[:6]
	}
	return code, nil
}

// DrawByID reads a draw with its sealed parts.
func (db *DB) DrawByID(ctx context.Context, id int64) (*DrawRecord, error) {
	return readDraw(ctx, db.r, id)
}

func readDraw(ctx context.Context, q querier, id int64) (*DrawRecord, error) {
	rec := &DrawRecord{ID: id}
	var body, secret, selection, teams string
	var drawn, revealed sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT office_id, record, secret, selection, teams, status, created, drawn, revealed, created_by, reveal_after FROM draws WHERE id = $1`, id).
		Scan(&rec.OfficeID, &body, &secret, &selection, &teams, &rec.Status, &rec.Created, &drawn, &revealed, &rec.CreatedBy, &rec.RevealAfter)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("draw %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read draw: %w", err)
	}
	if err := json.Unmarshal([]byte(body), &rec.Draw); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(selection), &rec.selection)
	json.Unmarshal([]byte(teams), &rec.teams)
	if len(rec.teams) == 0 {
		rec.teams = nil
	}
	rec.secret, _ = hex.DecodeString(secret)
	if drawn.Valid {
		rec.Drawn = &drawn.Time
	}
	if revealed.Valid {
		rec.Revealed = &revealed.Time
	}
	return rec, nil
}

// DrawListing is a draw as the public index lists it: its state, its
// office and, for a plan item's draw, the plan and the item. Nothing of
// the selection: the index is the same whatever a sealed draw drew.
type DrawListing struct {
	ID          int64      `json:"id"`
	Status      string     `json:"status"` // committed, drawn, revealed
	Plan        string     `json:"plan"`   // the draw's plan name (a plan item's code)
	Created     time.Time  `json:"created"`
	Drawn       *time.Time `json:"drawn,omitempty"`
	Revealed    *time.Time `json:"revealed,omitempty"`
	RevealAfter time.Time  `json:"reveal_after"`
	OfficeID    int64      `json:"office"`
	Office      string     `json:"office_name"`
	OfficeEN    string     `json:"office_name_en,omitempty"`
	OfficeUnit  string     `json:"office_unit"`
	PlanID      int64      `json:"plan_id,omitempty"` // 0 for an ad hoc draw
	PlanTitle   string     `json:"plan_title,omitempty"`
	Year        int        `json:"year"` // the plan's year, or the year (China) the ad hoc draw was committed
	ItemTitle   string     `json:"item_title,omitempty"`
	ItemTitleEN string     `json:"item_title_en,omitempty"`
	Scope       string     `json:"scope,omitempty"` // the item's scope; empty for an ad hoc draw
}

// DrawQuery filters the public index of draws.
type DrawQuery struct {
	Year   int    // 0 for every year
	Under  string // draws of offices, or of items whose scope lies, under this unit
	Offset int
	Limit  int
}

const drawListFrom = ` FROM draws d JOIN offices o ON o.id = d.office_id
	LEFT JOIN plan_items i ON i.draw_id = d.id LEFT JOIN plans p ON p.id = i.plan_id`

// ListDraws lists draws for the public index, newest first, with the
// number that match.
func (db *DB) ListDraws(ctx context.Context, q DrawQuery) ([]DrawListing, int, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if q.Year != 0 {
		from := time.Date(q.Year, 1, 1, 0, 0, 0, 0, calendar.China).UTC()
		to := time.Date(q.Year+1, 1, 1, 0, 0, 0, 0, calendar.China).UTC()
		where = append(where, "(p.year = "+arg(q.Year)+" OR (p.id IS NULL AND d.created >= "+arg(from)+" AND d.created < "+arg(to)+"))")
	}
	if q.Under != "" {
		where = append(where, "("+scopeClause("o.unit_code", []string{q.Under}, arg)+" OR "+scopeClause("i.scope", []string{q.Under}, arg)+")")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*)`+drawListFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count draws: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT d.id, d.status, d.plan, d.created, d.drawn, d.revealed, d.reveal_after,
		o.id, o.name, o.name_en, o.unit_code, COALESCE(p.id, 0), COALESCE(p.title, ''), COALESCE(p.year, 0),
		COALESCE(i.title, ''), COALESCE(i.title_en, ''), COALESCE(i.scope, '')`+drawListFrom+cond+
		` ORDER BY d.id DESC LIMIT `+arg(q.Limit)+` OFFSET `+arg(q.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list draws: %w", err)
	}
	defer rows.Close()
	out := []DrawListing{}
	for rows.Next() {
		var l DrawListing
		var drawn, revealed sql.NullTime
		if err := rows.Scan(&l.ID, &l.Status, &l.Plan, &l.Created, &drawn, &revealed, &l.RevealAfter,
			&l.OfficeID, &l.Office, &l.OfficeEN, &l.OfficeUnit, &l.PlanID, &l.PlanTitle, &l.Year,
			&l.ItemTitle, &l.ItemTitleEN, &l.Scope); err != nil {
			return nil, 0, fmt.Errorf("list draws: %w", err)
		}
		if drawn.Valid {
			l.Drawn = &drawn.Time
		}
		if revealed.Valid {
			l.Revealed = &revealed.Time
		}
		if l.PlanID == 0 {
			l.Year = l.Created.In(calendar.China).Year()
		}
		out = append(out, l)
	}
	return out, total, rows.Err()
}

// DrawPlaces are the units of the offices that have committed draws or
// approved plans, and the scopes of drawn items: what the public index
// filters by.
func (db *DB) DrawPlaces(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT o.unit_code FROM draws d JOIN offices o ON o.id = d.office_id
		UNION SELECT DISTINCT i.scope FROM plan_items i WHERE i.draw_id IS NOT NULL
		UNION SELECT DISTINCT o.unit_code FROM plans p JOIN offices o ON o.id = p.office_id WHERE p.status = 'approved'`)
	if err != nil {
		return nil, fmt.Errorf("draw places: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DrawYears are the years the public index lists, newest first: the
// years of approved plans and those in which ad hoc draws were committed
// (China).
func (db *DB) DrawYears(ctx context.Context) ([]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT COALESCE(p.year, 0), d.created`+drawListFrom)
	if err != nil {
		return nil, fmt.Errorf("draw years: %w", err)
	}
	defer rows.Close()
	seen := map[int]bool{}
	var out []int
	for rows.Next() {
		var y int
		var created time.Time
		if err := rows.Scan(&y, &created); err != nil {
			return nil, err
		}
		if y == 0 {
			y = created.In(calendar.China).Year()
		}
		if !seen[y] {
			seen[y] = true
			out = append(out, y)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	plans, err := db.r.QueryContext(ctx, `SELECT DISTINCT year FROM plans WHERE status = 'approved'`)
	if err != nil {
		return nil, fmt.Errorf("draw years: %w", err)
	}
	defer plans.Close()
	for plans.Next() {
		var y int
		if err := plans.Scan(&y); err != nil {
			return nil, err
		}
		if !seen[y] {
			seen[y] = true
			out = append(out, y)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out, plans.Err()
}

// PlanListing is an approved plan as the public index lists it: its items,
// how many are drawn and how many revealed.
type PlanListing struct {
	ID         int64  `json:"id"`
	Title      string `json:"title"`
	Year       int    `json:"year"`
	OfficeID   int64  `json:"office"`
	Office     string `json:"office_name"`
	OfficeEN   string `json:"office_name_en,omitempty"`
	OfficeUnit string `json:"office_unit"`
	Items      int    `json:"items"`
	Drawn      int    `json:"drawn"`
	Revealed   int    `json:"revealed"`
}

// ListPublicPlans lists approved plans for the public index (the year and
// place of q; no paging: at most limit, newest year first).
func (db *DB) ListPublicPlans(ctx context.Context, q DrawQuery, limit int) ([]PlanListing, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := []string{"p.status = " + arg(string(visits.PlanApproved))}
	if q.Year != 0 {
		where = append(where, "p.year = "+arg(q.Year))
	}
	if q.Under != "" {
		where = append(where, "("+scopeClause("o.unit_code", []string{q.Under}, arg)+
			" OR EXISTS (SELECT 1 FROM plan_items s WHERE s.plan_id = p.id AND "+scopeClause("s.scope", []string{q.Under}, arg)+"))")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT p.id, p.title, p.year, o.id, o.name, o.name_en, o.unit_code,
		(SELECT COUNT(*) FROM plan_items i WHERE i.plan_id = p.id),
		(SELECT COUNT(*) FROM plan_items i WHERE i.plan_id = p.id AND i.draw_id IS NOT NULL),
		(SELECT COUNT(*) FROM plan_items i JOIN draws d ON d.id = i.draw_id WHERE i.plan_id = p.id AND d.status = 'revealed')
		FROM plans p JOIN offices o ON o.id = p.office_id WHERE `+strings.Join(where, " AND ")+
		` ORDER BY p.year DESC, p.id DESC LIMIT `+arg(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	defer rows.Close()
	out := []PlanListing{}
	for rows.Next() {
		var p PlanListing
		if err := rows.Scan(&p.ID, &p.Title, &p.Year, &p.OfficeID, &p.Office, &p.OfficeEN, &p.OfficeUnit, &p.Items, &p.Drawn, &p.Revealed); err != nil {
			return nil, fmt.Errorf("list plans: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
