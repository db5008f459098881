package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"lighten/internal/audit"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/units"
)

// details is the JSON of a demand's kind-specific information.
type details struct {
	LeadOffice string             `json:"lead_office,omitempty"`
	Means      *gate.Means        `json:"means,omitempty"`
	Pledge     *gate.PledgeInfo   `json:"pledge,omitempty"`
	Meeting    *gate.MeetingInfo  `json:"meeting,omitempty"`
	Document   *gate.DocumentInfo `json:"document,omitempty"`
	Visit      *gate.VisitInfo    `json:"visit,omitempty"`
	Group      *gate.GroupInfo    `json:"group,omitempty"`
	App        *gate.AppInfo      `json:"app,omitempty"`
}

// DemandRecord is a demand with what lighten knows about it.
type DemandRecord struct {
	gate.Demand
	OfficeName string         `json:"office_name"`
	Findings   []gate.Finding `json:"findings"`
	Burden     *gate.Burden   `json:"burden,omitempty"`
	TargetN    int            `json:"target_count"`
	PerUnit    int            `json:"per_unit"`
	Total      int64          `json:"total_minutes"`
	CreatedBy  int64          `json:"created_by"`
	// Answered says every field was known for every target: the report
	// reached no unit and the issuer has its data.
	Answered  bool   `json:"answered,omitempty"`
	DecidedBy int64  `json:"decided_by,omitempty"`
	Decision  string `json:"decision,omitempty"`
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

func detailsOf(d *gate.Demand) details {
	return details{LeadOffice: d.LeadOffice, Means: d.Means, Pledge: d.Pledge, Meeting: d.Meeting, Document: d.Document,
		Visit: d.Visit, Group: d.Group, App: d.App}
}

func pledgeItem(d *gate.Demand) string {
	if d.Pledge != nil {
		return d.Pledge.Item
	}
	return ""
}

func comprehensive(d *gate.Demand) bool {
	return d.Meeting != nil && d.Meeting.Comprehensive || d.Visit != nil && d.Visit.Comprehensive
}

// CreateDemand stores a new draft.
func (tx *Tx) CreateDemand(ctx context.Context, d *gate.Demand) error {
	d.Status, d.Created = gate.Draft, tx.Now
	asks, det := audit.JSON(d.Asks), audit.JSON(detailsOf(d))
	err := tx.queryRow(ctx, `INSERT INTO demands (office_id, issuer_unit, kind, title, body, matter, target_units, target_level, target_under,
		due, start_at, end_at, day, place, asks, details, emergency, emergency_reason, comprehensive, status, created_by, created, pledge_item, data_date)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24) RETURNING id`,
		d.OfficeID, d.IssuerUnit, string(d.Kind), d.Title, d.Body, d.Matter, len(d.Targets.Units), int(d.Targets.Level), d.Targets.Under,
		nullTime(d.Due), nullTime(d.Start), nullTime(d.End), d.When().UTC(), d.Place, string(asks), string(det),
		d.Emergency, d.Reason, comprehensive(d), string(d.Status), tx.Actor.ID, tx.Now, pledgeItem(d), nullTime(d.DataDate)).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("create demand: %w", err)
	}
	if err := tx.writeDemandUnits(ctx, d); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Record{Action: "demand.create", Entity: "demand", EntityID: strconv.FormatInt(d.ID, 10),
		UnitCode: d.IssuerUnit, After: audit.JSON(d)})
}

func (tx *Tx) writeDemandUnits(ctx context.Context, d *gate.Demand) error {
	if _, err := tx.exec(ctx, `DELETE FROM demand_units WHERE demand_id = $1`, d.ID); err != nil {
		return err
	}
	const batch = 400
	us := d.Targets.Units
	for lo := 0; lo < len(us); lo += batch {
		hi := min(lo+batch, len(us))
		var q strings.Builder
		q.WriteString(`INSERT INTO demand_units (demand_id, unit_code) VALUES `)
		args := []any{d.ID}
		seen := map[string]bool{}
		n := 0
		for _, u := range us[lo:hi] {
			if seen[u] {
				continue
			}
			seen[u] = true
			if n > 0 {
				q.WriteByte(',')
			}
			args = append(args, u)
			fmt.Fprintf(&q, "($1,$%d)", len(args))
			n++
		}
		q.WriteString(` ON CONFLICT DO NOTHING`)
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("write targets: %w", err)
		}
	}
	return nil
}

// UpdateDemand replaces a draft's content; only drafts and refused demands
// change.
func (tx *Tx) UpdateDemand(ctx context.Context, before *DemandRecord, d *gate.Demand) error {
	if before.Status != gate.Draft && before.Status != gate.Refused {
		return stateErr("store.state.demand_fixed", before.ID, demandStatus(before.Status))
	}
	d.ID, d.Status, d.Created = before.ID, gate.Draft, before.Created
	asks, det := audit.JSON(d.Asks), audit.JSON(detailsOf(d))
	_, err := tx.exec(ctx, `UPDATE demands SET kind=$1, title=$2, body=$3, matter=$4, target_units=$5, target_level=$6, target_under=$7,
		due=$8, start_at=$9, end_at=$10, day=$11, place=$12, asks=$13, details=$14, emergency=$15, emergency_reason=$16, comprehensive=$17,
		status=$18, pledge_item=$19, data_date=$20 WHERE id=$21`,
		string(d.Kind), d.Title, d.Body, d.Matter, len(d.Targets.Units), int(d.Targets.Level), d.Targets.Under,
		nullTime(d.Due), nullTime(d.Start), nullTime(d.End), d.When().UTC(), d.Place, string(asks), string(det),
		d.Emergency, d.Reason, comprehensive(d), string(gate.Draft), pledgeItem(d), nullTime(d.DataDate), d.ID)
	if err != nil {
		return fmt.Errorf("update demand: %w", err)
	}
	if err := tx.writeDemandUnits(ctx, d); err != nil {
		return err
	}
	// A draft again (a refused demand being changed): no longer live.
	if err := tx.clearReportFields(ctx, d.ID); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Record{Action: "demand.update", Entity: "demand", EntityID: strconv.FormatInt(d.ID, 10),
		UnitCode: d.IssuerUnit, Before: audit.JSON(before.Demand), After: audit.JSON(d)})
}

// ErrState is returned for a change the demand's status does not allow.
var ErrState = errors.New("not allowed in this status")

// LockGate serialises gate decisions, so that two admissions never both
// spend the same budget or cap.
func (tx *Tx) LockGate(ctx context.Context) error {
	if tx.db.Dialect == Postgres {
		// The audit chain's lock first, as in every change that takes
		// more than one, so that no two changes wait for each other.
		if err := tx.serialize(ctx); err != nil {
			return err
		}
		if err := tx.advisoryLock(ctx, auditLock+1); err != nil {
			return fmt.Errorf("gate lock: %w", err)
		}
	}
	return nil
}

// RecordVerdict stores the gate's result on a submitted demand: its
// findings, its burden, and its new status; an admitted demand's load is
// added to its targets' months.
func (tx *Tx) RecordVerdict(ctx context.Context, d *DemandRecord, res *gate.Result, perTarget []int, targets []units.Unit) error {
	if d.Status != gate.Draft && d.Status != gate.Refused {
		return stateErr("store.state.demand_checked", d.ID, demandStatus(d.Status))
	}
	status := res.Verdict
	burden := audit.JSON(res.Burden)
	decided := any(nil)
	if status != gate.InReview {
		decided = tx.Now
	}
	r, err := tx.exec(ctx, `UPDATE demands SET status=$1, targets=$2, per_unit=$3, total_minutes=$4, burden=$5, submitted=$6, decided=$7,
		answered=$8 WHERE id=$9 AND status=$10`, string(status), res.Targets, res.Burden.PerUnit, res.Burden.Total, string(burden), tx.Now, decided,
		res.Answered, d.ID, string(d.Status))
	if err != nil {
		return fmt.Errorf("record verdict: %w", err)
	}
	if err := tx.demandMoved(ctx, r, d, "store.state.demand_checked"); err != nil {
		return err
	}
	if err := tx.writeFindings(ctx, d.ID, res.Findings); err != nil {
		return err
	}
	if (status == gate.Admitted || status == gate.InReview) && !res.Answered {
		if err := tx.writeReportFields(ctx, &d.Demand); err != nil {
			return err
		}
	} else if err := tx.clearReportFields(ctx, d.ID); err != nil {
		return err
	}
	if status == gate.Admitted && !res.Answered {
		if err := tx.writeLoads(ctx, &d.Demand, perTarget, targets); err != nil {
			return err
		}
	}
	counts := map[string]int{}
	for _, f := range res.Findings {
		counts[string(f.Severity)]++
	}
	return tx.Audit(ctx, audit.Record{Action: "demand.submit", Entity: "demand", EntityID: strconv.FormatInt(d.ID, 10),
		UnitCode: d.IssuerUnit, Before: audit.JSON(map[string]string{"status": string(d.Status)}),
		After: audit.JSON(map[string]any{"status": status, "findings": counts, "targets": res.Targets, "per_unit": res.Burden.PerUnit})})
}

func (tx *Tx) writeFindings(ctx context.Context, id int64, fs []gate.Finding) error {
	if _, err := tx.exec(ctx, `DELETE FROM findings WHERE demand_id = $1`, id); err != nil {
		return err
	}
	for i, f := range fs {
		if _, err := tx.exec(ctx, `INSERT INTO findings (demand_id, seq, rule, severity, message_zh, message_en, fix_zh, fix_en, evidence, params, units)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, id, i, f.Rule, string(f.Severity), f.Message.ZH, f.Message.EN, f.Fix.ZH, f.Fix.EN,
			f.Evidence, string(audit.JSON(f.Params)), f.Units); err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
	}
	return nil
}

func monthKey(t time.Time) string { return t.In(gate.China).Format("2006-01") }

// writeLoads records what an admitted demand costs its targets.
func (tx *Tx) writeLoads(ctx context.Context, d *gate.Demand, perTarget []int, targets []units.Unit) error {
	month := monthKey(d.When())
	if d.Targets.Spec() {
		base := d.Targets.Level
		// The most common minutes go on the spec row; units that differ
		// (travel) get a row with the difference.
		common := 0
		if len(perTarget) > 0 {
			common = perTarget[0]
			freq := map[int]int{}
			for _, m := range perTarget {
				freq[m]++
				if freq[m] > freq[common] {
					common = m
				}
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO loads (demand_id, month, level, under, unit_code, minutes) VALUES ($1,$2,$3,$4,'',$5)`,
			d.ID, month, int(base), d.Targets.Under, common); err != nil {
			return fmt.Errorf("write load: %w", err)
		}
		for i, m := range perTarget {
			if m != common {
				if _, err := tx.exec(ctx, `INSERT INTO loads (demand_id, month, level, under, unit_code, minutes) VALUES ($1,$2,0,'',$3,$4)`,
					d.ID, month, targets[i].Code, m-common); err != nil {
					return fmt.Errorf("write load: %w", err)
				}
			}
		}
	} else {
		for i, u := range targets {
			if _, err := tx.exec(ctx, `INSERT INTO loads (demand_id, month, level, under, unit_code, minutes) VALUES ($1,$2,0,'',$3,$4)`,
				d.ID, month, u.Code, perTarget[i]); err != nil {
				return fmt.Errorf("write load: %w", err)
			}
		}
	}
	return tx.bump(ctx, "loads_version")
}

// Decide settles a demand in review: admitted or refused, with the burden
// office's written reason.
func (tx *Tx) Decide(ctx context.Context, d *DemandRecord, admit bool, reason string, perTarget []int, targets []units.Unit) error {
	if d.Status != gate.InReview {
		return stateErr("store.state.demand_not_review", d.ID, demandStatus(d.Status))
	}
	to := gate.Refused
	if admit {
		to = gate.Admitted
	}
	r, err := tx.exec(ctx, `UPDATE demands SET status=$1, decided=$2, decided_by=$3, decision=$4 WHERE id=$5 AND status=$6`,
		string(to), tx.Now, tx.Actor.ID, reason, d.ID, string(gate.InReview))
	if err != nil {
		return fmt.Errorf("decide: %w", err)
	}
	if err := tx.demandMoved(ctx, r, d, "store.state.demand_not_review"); err != nil {
		return err
	}
	if admit {
		if err := tx.writeLoads(ctx, &d.Demand, perTarget, targets); err != nil {
			return err
		}
	} else if err := tx.clearReportFields(ctx, d.ID); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Record{Action: "demand.decide", Entity: "demand", EntityID: strconv.FormatInt(d.ID, 10),
		UnitCode: d.IssuerUnit, Reason: reason, Before: audit.JSON(map[string]string{"status": string(d.Status)}),
		After: audit.JSON(map[string]string{"status": string(to)})})
}

// Move changes a demand's status along the lifecycle (activate, close,
// withdraw); a withdrawn demand no longer loads its targets.
func (tx *Tx) Move(ctx context.Context, d *DemandRecord, to gate.Status, reason string) error {
	if !gate.CanMove(d.Status, to) {
		return stateErr("store.state.demand_move", d.ID, demandStatus(d.Status), demandStatus(to))
	}
	r, err := tx.exec(ctx, `UPDATE demands SET status=$1 WHERE id=$2 AND status=$3`, string(to), d.ID, string(d.Status))
	if err != nil {
		return fmt.Errorf("move demand: %w", err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		now, err := tx.demandStatus(ctx, d.ID)
		if err != nil {
			return err
		}
		return stateErr("store.state.demand_move", d.ID, demandStatus(now), demandStatus(to))
	}
	if to != gate.Active {
		if err := tx.clearReportFields(ctx, d.ID); err != nil {
			return err
		}
	}
	if to == gate.Withdrawn {
		if _, err := tx.exec(ctx, `DELETE FROM loads WHERE demand_id = $1`, d.ID); err != nil {
			return err
		}
		if err := tx.bump(ctx, "loads_version"); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, audit.Record{Action: "demand." + string(to), Entity: "demand", EntityID: strconv.FormatInt(d.ID, 10),
		UnitCode: d.IssuerUnit, Reason: reason, Before: audit.JSON(map[string]string{"status": string(d.Status)}),
		After: audit.JSON(map[string]string{"status": string(to)})})
}

// demandMoved checks that a status change updated its demand: the update
// names the status it expects, so a demand that another change moved in
// the meantime is left alone and refused with the status it has now.
func (tx *Tx) demandMoved(ctx context.Context, r sql.Result, d *DemandRecord, key string) error {
	if n, _ := r.RowsAffected(); n == 1 {
		return nil
	}
	now, err := tx.demandStatus(ctx, d.ID)
	if err != nil {
		return err
	}
	return stateErr(key, d.ID, demandStatus(now))
}

// demandStatus reads a demand's status inside the transaction.
func (tx *Tx) demandStatus(ctx context.Context, id int64) (gate.Status, error) {
	var st gate.Status
	err := tx.queryRow(ctx, `SELECT status FROM demands WHERE id = $1`, id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("demand %d: %w", id, ErrNotFound)
	}
	return st, err
}

const demandColumns = `d.id, d.office_id, d.issuer_unit, d.kind, d.title, d.body, d.matter, d.target_units, d.target_level, d.target_under,
	d.due, d.start_at, d.end_at, d.place, d.asks, d.details, d.emergency, d.emergency_reason, d.status, d.created, d.submitted, d.decided,
	d.targets, d.per_unit, d.total_minutes, d.burden, d.created_by, COALESCE(d.decided_by, 0), d.decision, o.name, d.answered, d.data_date`

func scanDemand(r interface{ Scan(...any) error }) (*DemandRecord, error) {
	var rec DemandRecord
	d := &rec.Demand
	var nUnits, level int
	var due, start, end, submitted, decided, dataDate sql.NullTime
	var asks, det, burden string
	err := r.Scan(&d.ID, &d.OfficeID, &d.IssuerUnit, &d.Kind, &d.Title, &d.Body, &d.Matter, &nUnits, &level, &d.Targets.Under,
		&due, &start, &end, &d.Place, &asks, &det, &d.Emergency, &d.Reason, &d.Status, &d.Created, &submitted, &decided,
		&rec.TargetN, &rec.PerUnit, &rec.Total, &burden, &rec.CreatedBy, &rec.DecidedBy, &rec.Decision, &rec.OfficeName, &rec.Answered, &dataDate)
	if err != nil {
		return nil, err
	}
	d.Targets.Level = units.Level(level)
	d.Due, d.Start, d.End = due.Time, start.Time, end.Time
	d.Submitted, d.Decided, d.DataDate = submitted.Time, decided.Time, dataDate.Time
	if err := json.Unmarshal([]byte(asks), &d.Asks); err != nil {
		return nil, fmt.Errorf("demand %d asks: %w", d.ID, err)
	}
	var x details
	if err := json.Unmarshal([]byte(det), &x); err != nil {
		return nil, fmt.Errorf("demand %d details: %w", d.ID, err)
	}
	d.Meeting, d.Document, d.Visit, d.Group, d.App = x.Meeting, x.Document, x.Visit, x.Group, x.App
	d.LeadOffice, d.Means, d.Pledge = x.LeadOffice, x.Means, x.Pledge
	if burden != "" {
		rec.Burden = &gate.Burden{}
		if err := json.Unmarshal([]byte(burden), rec.Burden); err != nil {
			return nil, fmt.Errorf("demand %d burden: %w", d.ID, err)
		}
	}
	return &rec, nil
}

// Demand reads one demand with its targets and findings.
func (db *DB) Demand(ctx context.Context, id int64) (*DemandRecord, error) {
	rec, err := scanDemand(db.r.QueryRowContext(ctx, `SELECT `+demandColumns+` FROM demands d JOIN offices o ON o.id = d.office_id WHERE d.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("demand %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read demand: %w", err)
	}
	if n := rec.TargetN; n >= 0 {
		rows, err := db.r.QueryContext(ctx, `SELECT unit_code FROM demand_units WHERE demand_id = $1 ORDER BY unit_code`, id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c string
			rows.Scan(&c)
			rec.Targets.Units = append(rec.Targets.Units, c)
		}
		rows.Close()
	}
	rec.Findings, err = db.findings(ctx, id)
	return rec, err
}

func (db *DB) findings(ctx context.Context, id int64) ([]gate.Finding, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT rule, severity, message_zh, message_en, fix_zh, fix_en, evidence, params, units
		FROM findings WHERE demand_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("read findings: %w", err)
	}
	defer rows.Close()
	out := []gate.Finding{}
	for rows.Next() {
		var f gate.Finding
		var params string
		if err := rows.Scan(&f.Rule, &f.Severity, &f.Message.ZH, &f.Message.EN, &f.Fix.ZH, &f.Fix.EN, &f.Evidence, &params, &f.Units); err != nil {
			return nil, err
		}
		if params != "" && params != "null" {
			json.Unmarshal([]byte(params), &f.Params)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// DemandQuery selects demands.
type DemandQuery struct {
	Scopes   []string // issuer units the reader may see; nil for none
	OfficeID int64
	Status   []gate.Status
	Kind     gate.Kind
	From, To time.Time // the demand's day
	Offset   int
	Limit    int
}

// ListDemands returns demands newest first, without body or findings.
func (db *DB) ListDemands(ctx context.Context, q DemandQuery) ([]*DemandRecord, int, error) {
	if len(q.Scopes) == 0 {
		return nil, 0, nil
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	w := []string{scopeClause("d.issuer_unit", q.Scopes, arg)}
	if q.OfficeID != 0 {
		w = append(w, "d.office_id = "+arg(q.OfficeID))
	}
	if len(q.Status) > 0 {
		var ss []string
		for _, s := range q.Status {
			ss = append(ss, arg(string(s)))
		}
		w = append(w, "d.status IN ("+strings.Join(ss, ",")+")")
	}
	if q.Kind != "" {
		w = append(w, "d.kind = "+arg(string(q.Kind)))
	}
	if !q.From.IsZero() {
		w = append(w, "d.day >= "+arg(q.From.UTC()))
	}
	if !q.To.IsZero() {
		w = append(w, "d.day < "+arg(q.To.UTC()))
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	where := strings.Join(w, " AND ")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM demands d WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count demands: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+demandColumns+` FROM demands d JOIN offices o ON o.id = d.office_id WHERE `+where+
		` ORDER BY d.day DESC, d.id DESC LIMIT `+arg(q.Limit)+` OFFSET `+arg(q.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list demands: %w", err)
	}
	defer rows.Close()
	var out []*DemandRecord
	for rows.Next() {
		rec, err := scanDemand(rows)
		if err != nil {
			return nil, 0, err
		}
		rec.Body = ""
		out = append(out, rec)
	}
	return out, total, rows.Err()
}

// InboxItem is one admitted demand waiting for a unit.
type InboxItem struct {
	Demand  *DemandRecord `json:"demand"`
	Minutes int           `json:"minutes"`
	Done    *time.Time    `json:"done,omitempty"`
	Note    string        `json:"note,omitempty"` // typed with "done"
	Overdue bool          `json:"overdue"`
	// Refusal is the status of the unit's "not ours" refusal, if any:
	// pending or overturned (an upheld one takes the item away).
	Refusal string `json:"refusal,omitempty"`
}

// Sealed reports whether a demand must not reach its units before it
// happens: an inspection (a visit that is not research) arrives
// unannounced (visit.sealed), so neither the unit nor its township is told
// in advance through an inbox or a digest.
func Sealed(d *gate.Demand) bool {
	return d.Kind == gate.Visit && (d.Visit == nil || !d.Visit.Research)
}

// Inbox lists what is admitted for a unit with its day on or after from,
// soonest first, with the minutes each costs the unit. Inspections are
// never listed (Sealed); research visits are.
func (db *DB) Inbox(ctx context.Context, u units.Unit, from, to time.Time) ([]InboxItem, error) {
	args := []any{u.Code, int(u.Level), string(gate.Admitted), string(gate.Active), from.UTC(), to.UTC()}
	rows, err := db.r.QueryContext(ctx, `SELECT `+demandColumns+` FROM demands d JOIN offices o ON o.id = d.office_id
		WHERE d.status IN ($3, $4) AND d.answered = FALSE AND d.day >= $5 AND d.day < $6 AND (
			(d.target_units = 0 AND d.target_level = $2 AND substr($1, 1, length(d.target_under)) = d.target_under)
			OR d.id IN (SELECT demand_id FROM demand_units WHERE unit_code = $1))
		AND d.id NOT IN (SELECT demand_id FROM refusals WHERE unit_code = $1 AND status = 'upheld')
		ORDER BY d.day, d.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	var items []InboxItem
	for rows.Next() {
		rec, err := scanDemand(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if Sealed(&rec.Demand) {
			continue
		}
		items = append(items, InboxItem{Demand: rec})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	now := db.Now()
	for i := range items {
		it := &items[i]
		d := it.Demand
		var minutes int
		err := db.r.QueryRowContext(ctx, `SELECT COALESCE(SUM(minutes), 0) FROM loads WHERE demand_id = $1 AND (unit_code = $2 OR (unit_code = '' AND level = $3))`,
			d.ID, u.Code, int(u.Level)).Scan(&minutes)
		if err != nil {
			return nil, err
		}
		it.Minutes = minutes
		var done sql.NullTime
		err = db.r.QueryRowContext(ctx, `SELECT at, note FROM demand_acts WHERE demand_id = $1 AND unit_code = $2 AND act = 'done'`, d.ID, u.Code).Scan(&done, &it.Note)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if done.Valid {
			it.Done = &done.Time
		}
		err = db.r.QueryRowContext(ctx, `SELECT status FROM refusals WHERE demand_id = $1 AND unit_code = $2`, d.ID, u.Code).Scan(&it.Refusal)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		it.Overdue = it.Done == nil && d.When().Before(now)
	}
	return items, nil
}

// MarkDone records that a unit has done what a demand asked.
func (tx *Tx) MarkDone(ctx context.Context, d *DemandRecord, unit, note string) error {
	_, err := tx.exec(ctx, `INSERT INTO demand_acts (demand_id, unit_code, act, person_id, at, note) VALUES ($1, $2, 'done', $3, $4, $5)`,
		d.ID, unit, tx.Actor.ID, tx.Now, note)
	if isUnique(err) {
		return conflict("", "store.conflict.done", d.ID, unit)
	}
	if err != nil {
		return fmt.Errorf("mark done: %w", err)
	}
	return tx.Audit(ctx, audit.Record{Action: "demand.done", Entity: "demand", EntityID: strconv.FormatInt(d.ID, 10),
		UnitCode: unit, Reason: note})
}

// UndoDone takes back a unit's "done" on a demand: the item is open in its
// inbox again. What was recorded (when, by whom, the note) stays in the
// audit with the reason.
func (tx *Tx) UndoDone(ctx context.Context, d *DemandRecord, unit, reason string) error {
	var at time.Time
	var note string
	var by int64
	err := tx.queryRow(ctx, `SELECT at, note, person_id FROM demand_acts WHERE demand_id = $1 AND unit_code = $2 AND act = 'done'`, d.ID, unit).Scan(&at, &note, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return stateErr("store.state.not_done", d.ID)
	}
	if err != nil {
		return fmt.Errorf("undo done: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM demand_acts WHERE demand_id = $1 AND unit_code = $2 AND act = 'done'`, d.ID, unit); err != nil {
		return fmt.Errorf("undo done: %w", err)
	}
	return tx.Audit(ctx, audit.Record{Action: "demand.undone", Entity: "demand", EntityID: strconv.FormatInt(d.ID, 10),
		UnitCode: unit, Reason: reason, Before: audit.JSON(map[string]any{"done": at, "note": note, "by": by})})
}

// FindingCount is how often a rule fired, or an office was found wanting.
type FindingCount struct {
	Key      string    `json:"key"` // rule id, or office id
	Name     string    `json:"name,omitempty"`
	Label    i18n.Text `json:"label,omitempty"`
	Block    int       `json:"block"`
	Review   int       `json:"review"`
	Note     int       `json:"note"`
	Refused  int       `json:"refused,omitempty"`
	Demands  int       `json:"demands,omitempty"`
	Admitted int       `json:"admitted,omitempty"`
}

// GateStats counts findings by rule and by issuing office, and demands by
// verdict, for demands issued within scopes with their day in [from, to).
func (db *DB) GateStats(ctx context.Context, scopes []string, from, to time.Time) (byRule, byOffice []FindingCount, err error) {
	if len(scopes) == 0 {
		return nil, nil, nil
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := scopeClause("d.issuer_unit", scopes, arg) + " AND d.day >= " + arg(from.UTC()) + " AND d.day < " + arg(to.UTC()) +
		" AND d.status <> 'draft'"
	rows, err := db.r.QueryContext(ctx, `SELECT f.rule, f.severity, COUNT(*) FROM findings f JOIN demands d ON d.id = f.demand_id
		WHERE `+where+` GROUP BY f.rule, f.severity ORDER BY f.rule`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("stats by rule: %w", err)
	}
	idx := map[string]int{}
	for rows.Next() {
		var rule, sev string
		var n int
		if err := rows.Scan(&rule, &sev, &n); err != nil {
			rows.Close()
			return nil, nil, err
		}
		i, ok := idx[rule]
		if !ok {
			i = len(byRule)
			idx[rule] = i
			byRule = append(byRule, FindingCount{Key: rule})
		}
		addSeverity(&byRule[i], sev, n)
	}
	rows.Close()
	rows, err = db.r.QueryContext(ctx, `SELECT d.office_id, o.name, d.status, COUNT(*) FROM demands d JOIN offices o ON o.id = d.office_id
		WHERE `+where+` GROUP BY d.office_id, o.name, d.status ORDER BY d.office_id`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("stats by office: %w", err)
	}
	oidx := map[string]int{}
	for rows.Next() {
		var id int64
		var name, status string
		var n int
		if err := rows.Scan(&id, &name, &status, &n); err != nil {
			rows.Close()
			return nil, nil, err
		}
		key := strconv.FormatInt(id, 10)
		i, ok := oidx[key]
		if !ok {
			i = len(byOffice)
			oidx[key] = i
			byOffice = append(byOffice, FindingCount{Key: key, Name: name})
		}
		byOffice[i].Demands += n
		switch gate.Status(status) {
		case gate.Refused:
			byOffice[i].Refused += n
		case gate.Admitted, gate.Active, gate.Closed:
			byOffice[i].Admitted += n
		}
	}
	rows.Close()
	rows, err = db.r.QueryContext(ctx, `SELECT d.office_id, f.severity, COUNT(*) FROM findings f JOIN demands d ON d.id = f.demand_id
		WHERE `+where+` GROUP BY d.office_id, f.severity`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("stats by office: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var sev string
		var n int
		if err := rows.Scan(&id, &sev, &n); err != nil {
			return nil, nil, err
		}
		if i, ok := oidx[strconv.FormatInt(id, 10)]; ok {
			addSeverity(&byOffice[i], sev, n)
		}
	}
	return byRule, byOffice, rows.Err()
}

func addSeverity(c *FindingCount, sev string, n int) {
	switch gate.Severity(sev) {
	case gate.Block:
		c.Block += n
	case gate.Review:
		c.Review += n
	default:
		c.Note += n
	}
}

// loadCache holds the monthly budget use of every unit, rebuilt when an
// admission or withdrawal moves loads_version.
type loadCache struct {
	mu      sync.Mutex
	version int64
	checked time.Time
	months  map[string]budgetMonth
	gen     uint64 // moved by forget
}

type budgetMonth map[string]int

// Used is a unit's minutes already asked for in the month.
func (b budgetMonth) Used(code string) int { return b[code] }

// BudgetUsed returns every unit's use of its budget in the month starting
// at month. The database is read with no lock held.
func (db *DB) BudgetUsed(ctx context.Context, month time.Time) (gate.Budget, error) {
	key := monthKey(month)
	c := &db.loads
	c.mu.Lock()
	fresh := c.months != nil && time.Since(c.checked) < treeRecheck
	b, ok := c.months[key]
	have, gen := c.version, c.gen
	c.mu.Unlock()
	if fresh && ok {
		return b, nil
	}
	v := have
	if !fresh {
		var err error
		if v, err = db.metaVersion(ctx, "loads_version"); err != nil {
			return nil, err
		}
		if v == have && ok {
			c.mu.Lock()
			if c.gen == gen && c.version == v {
				c.checked = time.Now()
			}
			c.mu.Unlock()
			return b, nil
		}
	}
	tree, err := db.Tree(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT level, under, unit_code, minutes FROM loads WHERE month = $1`, key)
	if err != nil {
		return nil, fmt.Errorf("read loads: %w", err)
	}
	defer rows.Close()
	b = budgetMonth{}
	for rows.Next() {
		var level, minutes int
		var under, unit string
		if err := rows.Scan(&level, &under, &unit, &minutes); err != nil {
			return nil, err
		}
		if unit != "" {
			b[unit] += minutes
			continue
		}
		for _, u := range tree.Under(units.Level(level), under) {
			b[u.Code] += minutes
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return b, nil // changed meanwhile: good for this caller, not kept
	}
	if c.months == nil || c.version != v {
		c.months, c.version = map[string]budgetMonth{}, v
	}
	if !fresh {
		c.checked = time.Now()
	}
	c.months[key] = b
	return b, nil
}

// IssuerCount counts an office's demands of a kind admitted, active or
// closed with their day in [from, to).
func (db *DB) IssuerCount(ctx context.Context, office int64, kind gate.Kind, from, to time.Time, comprehensiveOnly bool) (int, error) {
	q := `SELECT COUNT(*) FROM demands WHERE office_id = $1 AND kind = $2 AND day >= $3 AND day < $4 AND status IN ('admitted', 'active', 'closed')`
	if comprehensiveOnly {
		q += ` AND comprehensive = TRUE`
	}
	var n int
	err := db.r.QueryRowContext(ctx, q, office, string(kind), from.UTC(), to.UTC()).Scan(&n)
	return n, err
}

// writeReportFields records which element and period each field of a
// live report asks (in review, admitted or active), for finding
// overlapping reports. Drafts, refused, withdrawn and closed reports keep
// none: issuers save many drafts, and every check of every field would
// otherwise read past all of theirs (store.Overlaps).
func (tx *Tx) writeReportFields(ctx context.Context, d *gate.Demand) error {
	if err := tx.clearReportFields(ctx, d.ID); err != nil {
		return err
	}
	if d.Kind != gate.Report {
		return nil
	}
	dict, err := tx.db.Dictionary(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range d.Asks.Fields {
		e, ok := dict.Elements[f.Element]
		if !ok || seen[f.Element] {
			continue
		}
		seen[f.Element] = true
		if _, err := tx.exec(ctx, `INSERT INTO report_fields (demand_id, element_code, period) VALUES ($1, $2, $3)`,
			d.ID, e.Code, collect.PeriodOf(e.Period, d.FiguresDate())); err != nil {
			return fmt.Errorf("write report fields: %w", err)
		}
	}
	return nil
}

// clearReportFields forgets what a report asks, once it is no longer live.
func (tx *Tx) clearReportFields(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM report_fields WHERE demand_id = $1`, id); err != nil {
		return fmt.Errorf("clear report fields: %w", err)
	}
	return nil
}
