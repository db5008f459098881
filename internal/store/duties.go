package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lighten/internal/audit"
	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/units"
)

// SaveDutyList stores a new version of an office's duty list for a level,
// refusing one that takes a matter off the negative list it inherits.
func (tx *Tx) SaveDutyList(ctx context.Context, l *duties.List) error {
	if err := l.Validate(); err != nil {
		return err
	}
	book, err := tx.db.DutyBook(ctx)
	if err != nil {
		return err
	}
	if err := duties.CheckAdjustment(book.At(l.Owner, l.Level, l.Effective), l); err != nil {
		return err
	}
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM duty_lists WHERE owner = $1 AND level = $2`, l.Owner, int(l.Level)).Scan(&l.Version); err != nil {
		return fmt.Errorf("duty list version: %w", err)
	}
	l.Created = tx.Now
	if err := tx.queryRow(ctx, `INSERT INTO duty_lists (owner, level, version, effective, note, author_id, created) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
		l.Owner, int(l.Level), l.Version, l.Effective.UTC(), l.Note, tx.Actor.ID, tx.Now).Scan(&l.ID); err != nil {
		return fmt.Errorf("save duty list: %w", err)
	}
	for i, m := range l.Matters {
		if _, err := tx.exec(ctx, `INSERT INTO duty_matters (list_id, seq, code, name, name_en, category, basis, lead) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
			l.ID, i, m.Code, m.Name, m.NameEN, string(m.Category), m.Basis, m.Lead); err != nil {
			return fmt.Errorf("save duty list matter %s: %w", m.Code, err)
		}
	}
	if err := tx.bump(ctx, "duties_version"); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Record{Action: "duties.save", Entity: "duty_list", EntityID: strconv.FormatInt(l.ID, 10), UnitCode: l.Owner,
		Reason: l.Note, After: audit.JSON(map[string]any{"level": l.Level, "version": l.Version, "effective": l.Effective, "matters": len(l.Matters)})})
}

// DutyLists reads every version of every list, or of one owner's.
func (db *DB) DutyLists(ctx context.Context, owner *string) ([]*duties.List, error) {
	q := `SELECT id, owner, level, version, effective, note, created FROM duty_lists`
	var args []any
	if owner != nil {
		q += ` WHERE owner = $1`
		args = append(args, *owner)
	}
	rows, err := db.r.QueryContext(ctx, q+` ORDER BY owner, level, version`, args...)
	if err != nil {
		return nil, fmt.Errorf("read duty lists: %w", err)
	}
	var lists []*duties.List
	byID := map[int64]*duties.List{}
	for rows.Next() {
		l := &duties.List{}
		var level int
		if err := rows.Scan(&l.ID, &l.Owner, &level, &l.Version, &l.Effective, &l.Note, &l.Created); err != nil {
			rows.Close()
			return nil, err
		}
		l.Level = units.Level(level)
		l.Effective = l.Effective.In(gate.China)
		lists = append(lists, l)
		byID[l.ID] = l
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	mq := `SELECT list_id, code, name, name_en, category, basis, lead FROM duty_matters`
	if owner != nil {
		mq += ` WHERE list_id IN (SELECT id FROM duty_lists WHERE owner = $1)`
	}
	rows, err = db.r.QueryContext(ctx, mq+` ORDER BY list_id, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("read duty matters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m duties.Matter
		if err := rows.Scan(&id, &m.Code, &m.Name, &m.NameEN, &m.Category, &m.Basis, &m.Lead); err != nil {
			return nil, err
		}
		if l := byID[id]; l != nil {
			l.Matters = append(l.Matters, m)
		}
	}
	return lists, rows.Err()
}

// DutyBook is every list, indexed; cached until a list is saved.
func (db *DB) DutyBook(ctx context.Context) (*duties.Book, error) {
	return db.duties.get(ctx, db, "duties_version", func() (*duties.Book, error) {
		lists, err := db.DutyLists(ctx, nil)
		if err != nil {
			return nil, err
		}
		return duties.NewBook(lists), nil
	})
}

// SavePledgeItem adds an approved item to the register.
func (tx *Tx) SavePledgeItem(ctx context.Context, p *duties.PledgeItem) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.Created = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO pledge_items (code, owner, name, name_en, approved_by, basis, veto, valid_until, created) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
		p.Code, p.Owner, p.Name, p.NameEN, p.ApprovedBy, p.Basis, p.VetoItem, p.ValidUntil.UTC(), tx.Now).Scan(&p.ID)
	if isUnique(err) {
		return conflict("code", "store.conflict.pledge_item", p.Code)
	}
	if err != nil {
		return fmt.Errorf("save pledge item: %w", err)
	}
	return tx.Audit(ctx, audit.Record{Action: "pledge_item.create", Entity: "pledge_item", EntityID: p.Code, UnitCode: p.Owner, After: audit.JSON(p)})
}

// PledgeItems lists the register.
func (db *DB) PledgeItems(ctx context.Context) ([]duties.PledgeItem, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, code, owner, name, name_en, approved_by, basis, veto, valid_until, created FROM pledge_items ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("read pledge items: %w", err)
	}
	defer rows.Close()
	out := []duties.PledgeItem{}
	for rows.Next() {
		var p duties.PledgeItem
		if err := rows.Scan(&p.ID, &p.Code, &p.Owner, &p.Name, &p.NameEN, &p.ApprovedBy, &p.Basis, &p.VetoItem, &p.ValidUntil, &p.Created); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PledgeReceived reports whether unit is a target of an admitted pledge of
// the register item.
func (db *DB) PledgeReceived(ctx context.Context, unit, item string) (bool, error) {
	l, ok := units.LevelOfCode(unit)
	if !ok {
		return false, nil
	}
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM demands d WHERE d.kind = 'pledge' AND d.pledge_item = $1
		AND d.status IN ('admitted', 'active', 'closed') AND (
			(d.target_units = 0 AND d.target_level = $3 AND substr($2, 1, length(d.target_under)) = d.target_under)
			OR d.id IN (SELECT demand_id FROM demand_units WHERE unit_code = $2))`, item, unit, int(l)).Scan(&n)
	return n > 0, err
}

// Refusal is a unit's "not ours" on a demand in its inbox.
type Refusal struct {
	ID          int64      `json:"id"`
	DemandID    int64      `json:"demand"`
	DemandTitle string     `json:"demand_title"`
	OfficeID    int64      `json:"office"`
	OfficeName  string     `json:"office_name"`
	Unit        string     `json:"unit"`
	Matter      string     `json:"matter"`
	Reason      string     `json:"reason"`
	PersonID    int64      `json:"person"`
	Created     time.Time  `json:"created"`
	Status      string     `json:"status"` // pending, upheld, overturned
	DecidedBy   int64      `json:"decided_by,omitempty"`
	Decided     *time.Time `json:"decided,omitempty"`
	Decision    string     `json:"decision,omitempty"`
}

// Refuse records a unit's refusal of a demand as not its duty.
func (tx *Tx) Refuse(ctx context.Context, d *DemandRecord, unit, matter, reason string) (Refusal, error) {
	r := Refusal{DemandID: d.ID, Unit: unit, Matter: matter, Reason: reason, PersonID: tx.Actor.ID, Created: tx.Now, Status: "pending"}
	err := tx.queryRow(ctx, `INSERT INTO refusals (demand_id, unit_code, matter, reason, person_id, created, status) VALUES ($1,$2,$3,$4,$5,$6,'pending') RETURNING id`,
		d.ID, unit, matter, reason, tx.Actor.ID, tx.Now).Scan(&r.ID)
	if isUnique(err) {
		return r, conflict("", "store.conflict.refused", unit, d.ID)
	}
	if err != nil {
		return r, fmt.Errorf("refuse: %w", err)
	}
	return r, tx.Audit(ctx, audit.Record{Action: "demand.refuse", Entity: "demand", EntityID: strconv.FormatInt(d.ID, 10), UnitCode: unit,
		Reason: reason, After: audit.JSON(map[string]string{"matter": matter})})
}

// DecideRefusal upholds or overturns a pending refusal. An upheld refusal
// takes the demand off the unit's inbox and its minutes off the unit's
// budget; it counts against the issuer.
func (tx *Tx) DecideRefusal(ctx context.Context, r Refusal, uphold bool, reason string) error {
	if r.Status != "pending" {
		return stateErr("store.state.refusal_decided", r.ID, i18n.Both("ui.duties.refusal."+r.Status))
	}
	status := "overturned"
	if uphold {
		status = "upheld"
	}
	res, err := tx.exec(ctx, `UPDATE refusals SET status=$1, decided_by=$2, decided=$3, decision=$4 WHERE id=$5 AND status='pending'`,
		status, tx.Actor.ID, tx.Now, reason, r.ID)
	if err != nil {
		return fmt.Errorf("decide refusal: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		// Decided by someone else since it was read: say how.
		var now string
		if err := tx.queryRow(ctx, `SELECT status FROM refusals WHERE id = $1`, r.ID).Scan(&now); err != nil {
			return fmt.Errorf("refusal %d: %w", r.ID, err)
		}
		return stateErr("store.state.refusal_decided", r.ID, i18n.Both("ui.duties.refusal."+now))
	}
	if uphold {
		var minutes int
		var month string
		err := tx.queryRow(ctx, `SELECT COALESCE(SUM(minutes), 0), COALESCE(MAX(month), '') FROM loads WHERE demand_id = $1 AND (unit_code = $2 OR (unit_code = '' AND level = $3))`,
			r.DemandID, r.Unit, levelOf(r.Unit)).Scan(&minutes, &month)
		if err != nil {
			return err
		}
		if minutes != 0 {
			if _, err := tx.exec(ctx, `INSERT INTO loads (demand_id, month, level, under, unit_code, minutes) VALUES ($1,$2,0,'',$3,$4)`,
				r.DemandID, month, r.Unit, -minutes); err != nil {
				return err
			}
			if err := tx.bump(ctx, "loads_version"); err != nil {
				return err
			}
		}
	}
	return tx.Audit(ctx, audit.Record{Action: "refusal." + status, Entity: "demand", EntityID: strconv.FormatInt(r.DemandID, 10),
		UnitCode: r.Unit, Reason: reason, Before: audit.JSON(map[string]string{"status": r.Status}), After: audit.JSON(map[string]string{"status": status})})
}

func levelOf(code string) int {
	l, _ := units.LevelOfCode(code)
	return int(l)
}

const refusalColumns = `r.id, r.demand_id, d.title, d.office_id, o.name, r.unit_code, r.matter, r.reason, r.person_id, r.created, r.status,
	COALESCE(r.decided_by, 0), r.decided, r.decision`

func scanRefusal(s interface{ Scan(...any) error }) (Refusal, error) {
	var r Refusal
	var decided sql.NullTime
	err := s.Scan(&r.ID, &r.DemandID, &r.DemandTitle, &r.OfficeID, &r.OfficeName, &r.Unit, &r.Matter, &r.Reason, &r.PersonID, &r.Created,
		&r.Status, &r.DecidedBy, &decided, &r.Decision)
	if decided.Valid {
		r.Decided = &decided.Time
	}
	return r, err
}

// RefusalByID reads one refusal.
func (db *DB) RefusalByID(ctx context.Context, id int64) (Refusal, error) {
	r, err := scanRefusal(db.r.QueryRowContext(ctx, `SELECT `+refusalColumns+` FROM refusals r JOIN demands d ON d.id = r.demand_id
		JOIN offices o ON o.id = d.office_id WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("refusal %d: %w", id, ErrNotFound)
	}
	return r, err
}

// Refusals lists refusals by units within scopes, newest first.
func (db *DB) Refusals(ctx context.Context, scopes []string, status string) ([]Refusal, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := scopeClause("r.unit_code", scopes, arg)
	if status != "" {
		where += " AND r.status = " + arg(status)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+refusalColumns+` FROM refusals r JOIN demands d ON d.id = r.demand_id
		JOIN offices o ON o.id = d.office_id WHERE `+where+` ORDER BY r.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("read refusals: %w", err)
	}
	defer rows.Close()
	out := []Refusal{}
	for rows.Next() {
		r, err := scanRefusal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CreateEscalation records a township's summons of offices.
func (tx *Tx) CreateEscalation(ctx context.Context, e *duties.Escalation) error {
	e.Created, e.CreatedBy = tx.Now, tx.Actor.ID
	if err := tx.queryRow(ctx, `INSERT INTO escalations (unit_code, matter, title, description, created, ack_by, respond_by, created_by)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`, e.Unit, e.Matter, e.Title, e.Description, tx.Now, e.AckBy.UTC(), e.RespondBy.UTC(), tx.Actor.ID).Scan(&e.ID); err != nil {
		return fmt.Errorf("create escalation: %w", err)
	}
	for _, c := range e.Calls {
		if _, err := tx.exec(ctx, `INSERT INTO escalation_calls (escalation_id, office_id) VALUES ($1, $2)`, e.ID, c.OfficeID); err != nil {
			return fmt.Errorf("summon office %d: %w", c.OfficeID, err)
		}
	}
	return tx.Audit(ctx, audit.Record{Action: "escalation.create", Entity: "escalation", EntityID: strconv.FormatInt(e.ID, 10), UnitCode: e.Unit, After: audit.JSON(e)})
}

// AnswerEscalation records an office's acknowledgement, or its response.
func (tx *Tx) AnswerEscalation(ctx context.Context, e *duties.Escalation, office int64, response string) error {
	var call *duties.Call
	for i := range e.Calls {
		if e.Calls[i].OfficeID == office {
			call = &e.Calls[i]
		}
	}
	if call == nil {
		return fmt.Errorf("office %d was not summoned by escalation %d: %w", office, e.ID, ErrNotFound)
	}
	action := "escalation.ack"
	var err error
	if response == "" {
		if call.Acked != nil {
			return conflict("", "store.conflict.acknowledged", office, e.ID)
		}
		_, err = tx.exec(ctx, `UPDATE escalation_calls SET acked = $1 WHERE escalation_id = $2 AND office_id = $3`, tx.Now, e.ID, office)
	} else {
		if call.Responded != nil {
			return conflict("", "store.conflict.responded", office, e.ID)
		}
		action = "escalation.respond"
		_, err = tx.exec(ctx, `UPDATE escalation_calls SET acked = COALESCE(acked, $1), responded = $1, response = $2 WHERE escalation_id = $3 AND office_id = $4`,
			tx.Now, response, e.ID, office)
	}
	if err != nil {
		return fmt.Errorf("answer escalation: %w", err)
	}
	return tx.Audit(ctx, audit.Record{Action: action, Entity: "escalation", EntityID: strconv.FormatInt(e.ID, 10), UnitCode: e.Unit,
		Reason: response, After: audit.JSON(map[string]int64{"office": office})})
}

// EscalationQuery selects escalations: raised within scopes, or summoning
// an office.
type EscalationQuery struct {
	Scopes []string
	Office int64
	ID     int64
}

// Escalations lists escalations with their calls, judged at now.
func (db *DB) Escalations(ctx context.Context, q EscalationQuery) ([]*duties.Escalation, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	var ors []string
	if len(q.Scopes) > 0 {
		ors = append(ors, scopeClause("e.unit_code", q.Scopes, arg))
	}
	if q.Office != 0 {
		ors = append(ors, "e.id IN (SELECT escalation_id FROM escalation_calls WHERE office_id = "+arg(q.Office)+")")
	}
	if len(ors) == 0 {
		return nil, nil
	}
	where := "(" + strings.Join(ors, " OR ") + ")"
	if q.ID != 0 {
		where += " AND e.id = " + arg(q.ID)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT e.id, e.unit_code, e.matter, e.title, e.description, e.created, e.ack_by, e.respond_by, e.created_by
		FROM escalations e WHERE `+where+` ORDER BY e.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("read escalations: %w", err)
	}
	var out []*duties.Escalation
	byID := map[int64]*duties.Escalation{}
	for rows.Next() {
		e := &duties.Escalation{}
		if err := rows.Scan(&e.ID, &e.Unit, &e.Matter, &e.Title, &e.Description, &e.Created, &e.AckBy, &e.RespondBy, &e.CreatedBy); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
		byID[e.ID] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, e := range out {
		crows, err := db.r.QueryContext(ctx, `SELECT c.office_id, o.name, c.acked, c.responded, c.response FROM escalation_calls c
			JOIN offices o ON o.id = c.office_id WHERE c.escalation_id = $1 ORDER BY c.office_id`, e.ID)
		if err != nil {
			return nil, err
		}
		for crows.Next() {
			var c duties.Call
			var acked, responded sql.NullTime
			if err := crows.Scan(&c.OfficeID, &c.OfficeName, &acked, &responded, &c.Response); err != nil {
				crows.Close()
				return nil, err
			}
			if acked.Valid {
				c.Acked = &acked.Time
			}
			if responded.Valid {
				c.Responded = &responded.Time
			}
			e.Calls = append(e.Calls, c)
		}
		crows.Close()
		e.Judge(db.Now())
	}
	return out, nil
}

// DutyCount is one line of the duty figures.
type DutyCount struct {
	Key        string `json:"key"` // office id or matter code
	Name       string `json:"name"`
	Tasks      int    `json:"tasks,omitempty"`   // tasks admitted
	Minutes    int64  `json:"minutes,omitempty"` // minutes they cost the units
	Refusals   int    `json:"refusals"`          // "not ours" refusals
	Upheld     int    `json:"upheld"`
	Pending    int    `json:"pending"`
	Overturned int    `json:"overturned"`
	Late       int    `json:"late,omitempty"` // escalations answered late
}

// DutyStats counts, for demands issued within scopes since from: tasks each
// office pushes down, refusals by issuing office and by matter, and late
// answers to escalations.
func (db *DB) DutyStats(ctx context.Context, scopes []string, from, to time.Time) (byOffice, byMatter []DutyCount, err error) {
	if len(scopes) == 0 {
		return nil, nil, nil
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := scopeClause("d.issuer_unit", scopes, arg) + " AND d.day >= " + arg(from.UTC()) + " AND d.day < " + arg(to.UTC())
	idx := map[string]int{}
	get := func(id int64, name string) *DutyCount {
		k := strconv.FormatInt(id, 10)
		i, ok := idx[k]
		if !ok {
			i = len(byOffice)
			idx[k] = i
			byOffice = append(byOffice, DutyCount{Key: k, Name: name})
		}
		return &byOffice[i]
	}
	rows, err := db.r.QueryContext(ctx, `SELECT d.office_id, o.name, COUNT(*), COALESCE(SUM(d.total_minutes), 0) FROM demands d JOIN offices o ON o.id = d.office_id
		WHERE `+where+` AND d.kind = 'task' AND d.status IN ('admitted', 'active', 'closed') GROUP BY d.office_id, o.name ORDER BY d.office_id`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("duty stats: %w", err)
	}
	for rows.Next() {
		var id int64
		var name string
		var n int
		var m int64
		if err := rows.Scan(&id, &name, &n, &m); err != nil {
			rows.Close()
			return nil, nil, err
		}
		c := get(id, name)
		c.Tasks, c.Minutes = n, m
	}
	rows.Close()
	rows, err = db.r.QueryContext(ctx, `SELECT d.office_id, o.name, r.matter, r.status, COUNT(*) FROM refusals r JOIN demands d ON d.id = r.demand_id
		JOIN offices o ON o.id = d.office_id WHERE `+where+` GROUP BY d.office_id, o.name, r.matter, r.status`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("refusal stats: %w", err)
	}
	midx := map[string]int{}
	for rows.Next() {
		var id int64
		var name, matter, status string
		var n int
		if err := rows.Scan(&id, &name, &matter, &status, &n); err != nil {
			rows.Close()
			return nil, nil, err
		}
		i, ok := midx[matter]
		if !ok {
			i = len(byMatter)
			midx[matter] = i
			byMatter = append(byMatter, DutyCount{Key: matter, Name: matter})
		}
		for _, c := range []*DutyCount{get(id, name), &byMatter[i]} {
			c.Refusals += n
			switch status {
			case "upheld":
				c.Upheld += n
			case "pending":
				c.Pending += n
			case "overturned":
				c.Overturned += n
			}
		}
	}
	rows.Close()
	return byOffice, byMatter, rows.Err()
}
