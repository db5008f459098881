package store

// Annual plans through the gate: each item of a plan is checked as a visit
// demand of the plan's office, and the plan takes the worst verdict of its
// items.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lighten/internal/audit"
	"lighten/internal/calendar"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// PlanCheck is the gate's answer on a plan: the verdict and each item's
// result, in the plan's order.
type PlanCheck struct {
	Plan    *visits.Plan      `json:"plan"`
	Verdict visits.PlanStatus `json:"verdict"` // approved, review or refused
	Items   []ItemCheck       `json:"items"`
}

// ItemCheck is the gate's result on one plan item.
type ItemCheck struct {
	Code   string       `json:"code"`
	Result *gate.Result `json:"result"`
}

// Findings lists every item's findings, each item's in its order.
func (pc *PlanCheck) Findings() []gate.Finding {
	out := []gate.Finding{}
	for _, ic := range pc.Items {
		out = append(out, ic.Result.Findings...)
	}
	return out
}

// StateError is ErrState with a message from the catalogue naming what is
// wrong and how to put it right: a plan that is not in the status asked
// for, an item already drawn, a window where nothing is drawn, too few
// inspectors free of conflicts. The web answers it 409 in both languages.
type StateError struct {
	Key  string
	Args []any
}

func (e *StateError) Error() string { return i18n.Both(e.Key, e.Args...).EN }

// Unwrap makes errors.Is(err, ErrState) hold.
func (e *StateError) Unwrap() error { return ErrState }

// Message is the error in both languages.
func (e *StateError) Message() i18n.Text { return i18n.Both(e.Key, e.Args...) }

func stateErr(key string, args ...any) error { return &StateError{Key: key, Args: args} }

// Hours of the working day a plan item's window starts and ends at.
const (
	windowStart = 8*time.Hour + 30*time.Minute
	windowEnd   = 17*time.Hour + 30*time.Minute
)

// PlanDemand is the visit demand that stands for a plan item while its plan
// passes the gate: the office's, to every unit of the item's level under its
// scope (the pool), over the item's window (from now, if it has begun).
func PlanDemand(p *visits.Plan, i int, issuerUnit string, now time.Time) (*gate.Demand, error) {
	it := &p.Items[i]
	start, end := it.From.Time().Add(windowStart), it.To.Time().Add(windowEnd)
	if start.Before(now) {
		start = now.Truncate(time.Minute).Add(time.Minute)
	}
	if it.From.IsZero() || it.To.IsZero() || !end.After(start) {
		return nil, &gate.ValidationError{Field: "items[" + strconv.Itoa(i) + "].to", Key: "gate.error.plan_item_window",
			Args: []any{i + 1, it.Code, it.From.String(), it.To.String()}}
	}
	return &gate.Demand{OfficeID: p.OfficeID, IssuerUnit: issuerUnit, Kind: gate.Visit, Title: it.Title,
		Targets: gate.Targets{Level: it.Level, Under: it.Scope},
		Start:   start, End: end, Created: now,
		Visit: &gate.VisitInfo{Plan: it.Code, Research: it.Kind == visits.Research, Comprehensive: it.Kind == visits.Comprehensive,
			ScoringItems: gate.ScoringItems(it), Rate: gate.LowestRate(it), Team: it.Team, DrawID: it.DrawID, Planning: true}}, nil
}

// checkPlan runs the gate over every item of a plan.
func checkPlan(ctx context.Context, db *DB, q querier, p *visits.Plan, now time.Time) (*PlanCheck, error) {
	if len(p.Items) == 0 {
		return nil, &gate.ValidationError{Field: "items", Key: "gate.error.plan_empty", Args: []any{p.Title}}
	}
	issuer, err := officeUnit(ctx, q, p.OfficeID)
	if err != nil {
		return nil, err
	}
	env, err := db.GateEnv(ctx)
	if err != nil {
		return nil, err
	}
	env.plan = p // the plan as it stands, though not yet committed
	pc := &PlanCheck{Plan: p, Verdict: visits.PlanApproved}
	for i := range p.Items {
		d, err := PlanDemand(p, i, issuer, now)
		if err != nil {
			return nil, err
		}
		res, err := gate.Run(env, d, now)
		var ve *gate.ValidationError
		if errors.As(err, &ve) {
			// Name the row: items[2].targets.under.
			return nil, &gate.ValidationError{Field: "items[" + strconv.Itoa(i) + "]." + ve.Field, Key: ve.Key, Args: ve.Args}
		}
		if err != nil {
			return nil, err
		}
		if err := env.Err(); err != nil {
			return nil, err
		}
		pc.Items = append(pc.Items, ItemCheck{Code: p.Items[i].Code, Result: res})
		switch {
		case res.Verdict == gate.Refused:
			pc.Verdict = visits.PlanRefused
		case res.Verdict == gate.InReview && pc.Verdict != visits.PlanRefused:
			pc.Verdict = visits.PlanReview
		}
	}
	return pc, nil
}

// CheckPlan runs the gate over a plan without changing anything: the
// office's dry run.
func (db *DB) CheckPlan(ctx context.Context, id int64) (*PlanCheck, error) {
	p, err := db.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	return checkPlan(ctx, db, db.r, p, db.Now())
}

// SubmitPlan runs the gate over a draft plan and records the verdict
// (approved, review or refused) and the findings of each item, in the
// transaction that no other admission runs beside.
func (tx *Tx) SubmitPlan(ctx context.Context, id int64) (*PlanCheck, error) {
	if err := tx.LockGate(ctx); err != nil {
		return nil, err
	}
	ps, err := readPlans(ctx, tx.tx, `p.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("plan %d: %w", id, ErrNotFound)
	}
	p := ps[0]
	if p.Status != visits.PlanDraft {
		return nil, stateErr("store.visits.plan_not_draft", p.Title, string(p.Status))
	}
	pc, err := checkPlan(ctx, tx.db, tx.tx, p, tx.Now)
	if err != nil {
		return nil, err
	}
	if err := tx.SetPlanStatus(ctx, id, pc.Verdict); err != nil {
		return nil, err
	}
	p.Status = pc.Verdict
	unit, err := officeUnit(ctx, tx.tx, p.OfficeID)
	if err != nil {
		return nil, err
	}
	type itemAudit struct {
		Code     string         `json:"code"`
		Verdict  gate.Status    `json:"verdict"`
		Findings []auditFinding `json:"findings"`
	}
	items := make([]itemAudit, len(pc.Items))
	for i, ic := range pc.Items {
		items[i] = itemAudit{Code: ic.Code, Verdict: ic.Result.Verdict, Findings: []auditFinding{}}
		for _, f := range ic.Result.Findings {
			items[i].Findings = append(items[i].Findings, auditFinding{Rule: f.Rule, Severity: f.Severity, Message: f.Message.EN, Params: f.Params})
		}
	}
	if err := tx.Audit(ctx, audit.Record{Action: "plan.submit", Entity: "plan", EntityID: strconv.FormatInt(id, 10), UnitCode: unit,
		After: audit.JSON(map[string]any{"verdict": pc.Verdict, "items": items})}); err != nil {
		return nil, err
	}
	return pc, nil
}

// DecidePlan is the burden-reduction office's decision on a plan the gate
// sent to review: approved, its items can be drawn; refused, it is done
// with. Only a plan in review is decided, always with a written reason,
// recorded with the decider and audited as plan.decide. It runs beside no
// other admission: an approved plan's comprehensive items count against
// the office's cap in the gate.
func (tx *Tx) DecidePlan(ctx context.Context, id int64, approve bool, reason string) (*visits.Plan, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, invalid("reason", "store.visits.decision_reason")
	}
	if err := tx.LockGate(ctx); err != nil {
		return nil, err
	}
	ps, err := readPlans(ctx, tx.tx, `p.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("plan %d: %w", id, ErrNotFound)
	}
	p := ps[0]
	if p.Status != visits.PlanReview {
		return nil, stateErr("store.visits.plan_not_review", p.Title, string(p.Status))
	}
	to := visits.PlanRefused
	if approve {
		to = visits.PlanApproved
	}
	res, err := tx.exec(ctx, `UPDATE plans SET status = $1, decided = $2, reason = $3, decided_by = $4 WHERE id = $5 AND status = $6`,
		string(to), tx.Now, reason, tx.Actor.ID, id, string(visits.PlanReview))
	if err != nil {
		return nil, fmt.Errorf("decide plan %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, stateErr("store.visits.plan_not_review", p.Title, "?")
	}
	unit, err := officeUnit(ctx, tx.tx, p.OfficeID)
	if err != nil {
		return nil, err
	}
	if err := tx.Audit(ctx, audit.Record{Action: "plan.decide", Entity: "plan", EntityID: strconv.FormatInt(id, 10), UnitCode: unit, Reason: reason,
		Before: audit.JSON(map[string]string{"status": string(p.Status)}),
		After:  audit.JSON(map[string]any{"status": to, "reason": reason})}); err != nil {
		return nil, err
	}
	ps, err = readPlans(ctx, tx.tx, `p.id = $1`, id)
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

// auditFinding is a finding as the audit keeps it.
type auditFinding struct {
	Rule     string         `json:"rule"`
	Severity gate.Severity  `json:"severity"`
	Message  string         `json:"message"`
	Params   map[string]int `json:"params,omitempty"`
}

// visitPublic is the SQL condition that a scheduled visit (aliased v) is no
// longer sealed: every plan item it serves has its draw revealed, so that
// its target is public in the draw's record. The gate counts only such
// visits (and admitted visit demands): a sealed visit, planned, started or
// done, must not change any office's verdict, or a dry run would tell which
// unit is about to be (or is being) inspected. The joint scheduler, which
// sees sealed visits, keeps the caps against them.
const visitPublic = `NOT EXISTS (SELECT 1 FROM visit_items svi JOIN plan_items spi ON spi.code = svi.item_code
	LEFT JOIN draws sdr ON sdr.id = spi.draw_id WHERE svi.visit_id = v.id AND (sdr.status IS NULL OR sdr.status <> 'revealed'))`

// unitVisits lists, per unit, the days of its visits from from to to:
// scheduled visits no longer sealed (visitPublic), and admitted visit demands that list the unit or (for
// research) reach its level under a unit above it. Inspection demands over
// a pool are not visits of every unit: their drawn units' visits are
// scheduled ones.
func (db *DB) unitVisits(ctx context.Context, codes []string, from, to calendar.Date) (map[string][]calendar.Date, error) {
	return unitVisitsOf(ctx, db, db.r, codes, from, to, true)
}

// unitVisitsOf is unitVisits read through q; without scheduled, only the
// admitted visit demands (what the joint scheduler adds to the visits it
// reads itself).
func unitVisitsOf(ctx context.Context, db *DB, q querier, codes []string, from, to calendar.Date, scheduled bool) (map[string][]calendar.Date, error) {
	out := map[string][]calendar.Date{}
	if len(codes) == 0 {
		return out, nil
	}
	const chunk = 500
	for lo := 0; lo < len(codes); lo += chunk {
		part := codes[lo:min(lo+chunk, len(codes))]
		args := []any{from.String(), to.String()}
		marks := make([]string, len(part))
		for i, c := range part {
			args = append(args, c)
			marks[i] = "$" + strconv.Itoa(i+3)
		}
		in := strings.Join(marks, ",")
		if scheduled {
			rows, err := q.QueryContext(ctx, `SELECT v.unit_code, v.day FROM visits v WHERE v.day >= $1 AND v.day <= $2 AND v.unit_code IN (`+in+`) AND `+visitPublic, args...)
			if err != nil {
				return nil, fmt.Errorf("read visits of units: %w", err)
			}
			for rows.Next() {
				var code, day string
				if err := rows.Scan(&code, &day); err != nil {
					rows.Close()
					return nil, err
				}
				out[code] = append(out[code], scanDate(day))
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
		args[0], args[1] = from.Time().UTC(), to.AddDays(1).Time().UTC()
		rows, err := q.QueryContext(ctx, `SELECT du.unit_code, d.start_at FROM demands d JOIN demand_units du ON du.demand_id = d.id
			WHERE d.kind = 'visit' AND d.status IN ('admitted', 'active', 'closed') AND d.start_at >= $1 AND d.start_at < $2
			AND du.unit_code IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read visit demands of units: %w", err)
		}
		for rows.Next() {
			var code string
			var start time.Time
			if err := rows.Scan(&code, &start); err != nil {
				rows.Close()
				return nil, err
			}
			out[code] = append(out[code], calendar.DateOf(start))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// Research visits to every unit of a level under a unit.
	rows, err := q.QueryContext(ctx, `SELECT target_level, target_under, start_at, details FROM demands
		WHERE kind = 'visit' AND status IN ('admitted', 'active', 'closed') AND target_units = 0 AND start_at >= $1 AND start_at < $2`,
		from.Time().UTC(), to.AddDays(1).Time().UTC())
	if err != nil {
		return nil, fmt.Errorf("read visit demands: %w", err)
	}
	defer rows.Close()
	var wanted map[string]units.Level
	for rows.Next() {
		var level int
		var under, det string
		var start time.Time
		if err := rows.Scan(&level, &under, &start, &det); err != nil {
			return nil, err
		}
		var dt details
		if json.Unmarshal([]byte(det), &dt) != nil || dt.Visit == nil || !dt.Visit.Research {
			continue
		}
		if wanted == nil {
			tree, err := db.Tree(ctx)
			if err != nil {
				return nil, err
			}
			wanted = make(map[string]units.Level, len(codes))
			for _, c := range codes {
				if u, ok := tree.Get(c); ok {
					wanted[c] = u.Level
				}
			}
		}
		day := calendar.DateOf(start)
		for c, l := range wanted {
			if int(l) == level && strings.HasPrefix(c, under) {
				out[c] = append(out[c], day)
			}
		}
	}
	return out, rows.Err()
}

// demandStatus is a demand's status as people read it, for messages.
func demandStatus(s gate.Status) i18n.Text { return i18n.Both("ui.gate.status." + string(s)) }
