package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"lighten/internal/audit"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/units"
)

const elementColumns = `id, code, name, name_en, type, measure, period, valid_days, owner_id, readers, choices, min_value, max_value, status, created`

func scanElement(s interface{ Scan(...any) error }) (*collect.Element, error) {
	var e collect.Element
	var readers, choices string
	var min, max sql.NullFloat64
	if err := s.Scan(&e.ID, &e.Code, &e.Name, &e.NameEN, &e.Type, &e.Measure, &e.Period, &e.ValidDays, &e.Owner, &readers, &choices,
		&min, &max, &e.Status, &e.Created); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(readers), &e.Readers)
	json.Unmarshal([]byte(choices), &e.Choices)
	if min.Valid {
		e.Min = &min.Float64
	}
	if max.Valid {
		e.Max = &max.Float64
	}
	if e.Readers == nil {
		e.Readers = []int64{}
	}
	return &e, nil
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// SaveElement adds an element to the dictionary, or replaces the
// definition of one with the same code. Approved elements come from the
// owning office; an issuer's new element is saved as proposed.
func (tx *Tx) SaveElement(ctx context.Context, e *collect.Element) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.Readers == nil {
		e.Readers = []int64{}
	}
	readers, choices := audit.JSON(e.Readers), audit.JSON(e.Choices)
	if e.Choices == nil {
		choices = []byte("[]")
	}
	var before *collect.Element
	old, err := scanElement(tx.queryRow(ctx, `SELECT `+elementColumns+` FROM elements WHERE code = $1`, e.Code))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e.Created = tx.Now
		err = tx.queryRow(ctx, `INSERT INTO elements (code, name, name_en, type, measure, period, valid_days, owner_id, readers, choices, min_value, max_value, status, created, created_by)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id`,
			e.Code, e.Name, e.NameEN, string(e.Type), e.Measure, string(e.Period), e.ValidDays, e.Owner, string(readers), string(choices),
			nullFloat(e.Min), nullFloat(e.Max), string(e.Status), tx.Now, tx.Actor.ID).Scan(&e.ID)
	case err != nil:
		return fmt.Errorf("read element %s: %w", e.Code, err)
	default:
		before = old
		e.ID, e.Created = old.ID, old.Created
		_, err = tx.exec(ctx, `UPDATE elements SET name=$1, name_en=$2, type=$3, measure=$4, period=$5, valid_days=$6, owner_id=$7, readers=$8,
			choices=$9, min_value=$10, max_value=$11, status=$12 WHERE id=$13`,
			e.Name, e.NameEN, string(e.Type), e.Measure, string(e.Period), e.ValidDays, e.Owner, string(readers), string(choices),
			nullFloat(e.Min), nullFloat(e.Max), string(e.Status), e.ID)
	}
	if err != nil {
		return fmt.Errorf("save element %s: %w", e.Code, err)
	}
	tx.committed = append(tx.committed, tx.db.collect.forgetElements)
	var b []byte
	if before != nil {
		b = audit.JSON(before)
	}
	return tx.Audit(ctx, audit.Record{Action: "element.save", Entity: "element", EntityID: e.Code, Before: b, After: audit.JSON(e)})
}

// DecideElement approves or rejects a proposed element, with a reason.
func (tx *Tx) DecideElement(ctx context.Context, e *collect.Element, approve bool, reason string) error {
	if e.Status != collect.Proposed {
		return stateErr("store.state.element_decided", e.Code, i18n.Both("ui.collect.status."+string(e.Status)))
	}
	to := collect.Rejected
	if approve {
		to = collect.Approved
	}
	res, err := tx.exec(ctx, `UPDATE elements SET status=$1, decided_by=$2, decision=$3 WHERE id=$4 AND status=$5`,
		string(to), tx.Actor.ID, reason, e.ID, string(collect.Proposed))
	if err != nil {
		return fmt.Errorf("decide element: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		// Decided by someone else since it was read: say how.
		var now string
		if err := tx.queryRow(ctx, `SELECT status FROM elements WHERE id = $1`, e.ID).Scan(&now); err != nil {
			return fmt.Errorf("element %s: %w", e.Code, err)
		}
		return stateErr("store.state.element_decided", e.Code, i18n.Both("ui.collect.status."+now))
	}
	tx.committed = append(tx.committed, tx.db.collect.forgetElements)
	return tx.Audit(ctx, audit.Record{Action: "element." + string(to), Entity: "element", EntityID: e.Code, Reason: reason,
		Before: audit.JSON(map[string]string{"status": string(e.Status)}), After: audit.JSON(map[string]string{"status": string(to)})})
}

// SaveRule adds a cross-element rule.
func (tx *Tx) SaveRule(ctx context.Context, r *collect.Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := tx.queryRow(ctx, `INSERT INTO element_rules (left_code, op, right_code, created) VALUES ($1,$2,$3,$4) RETURNING id`,
		r.Left, r.Op, r.Right, tx.Now).Scan(&r.ID); err != nil {
		return fmt.Errorf("save rule: %w", err)
	}
	tx.committed = append(tx.committed, tx.db.collect.forgetElements)
	return tx.Audit(ctx, audit.Record{Action: "element_rule.create", Entity: "element_rule", EntityID: strconv.FormatInt(r.ID, 10), After: audit.JSON(r)})
}

// Dictionary is the data dictionary as loaded: elements by code and the
// cross-element rules.
type Dictionary struct {
	Elements map[string]*collect.Element
	ByID     map[int64]*collect.Element
	Rules    []collect.Rule
}

// Sorted lists the elements by code.
func (d *Dictionary) Sorted() []*collect.Element {
	out := make([]*collect.Element, 0, len(d.Elements))
	for _, e := range d.Elements {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// RulesFor lists the rules between elements of a set.
func (d *Dictionary) RulesFor(codes map[string]*collect.Element) []collect.Rule {
	var out []collect.Rule
	for _, r := range d.Rules {
		_, l := codes[r.Left]
		_, rr := codes[r.Right]
		if l || rr {
			out = append(out, r)
		}
	}
	return out
}

// Dictionary reads the data dictionary. It is kept for a second, and read
// again at once after a change on this server; the read holds no lock and
// is made once for all who ask at the same time.
func (db *DB) Dictionary(ctx context.Context) (*Dictionary, error) {
	c := &db.collect
	c.mu.Lock()
	d, gen := c.dict, c.dictGen
	fresh := d != nil && time.Since(c.checked) < treeRecheck
	c.mu.Unlock()
	if fresh {
		return d, nil
	}
	// A read begun before a change is not joined by those who ask after it.
	return flight(ctx, &c.flights, "dictionary "+strconv.FormatUint(gen, 10), func(ctx context.Context) (*Dictionary, error) {
		d, err := readDictionary(ctx, db.r)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.dictGen == gen {
			c.dict, c.checked = d, time.Now()
		}
		c.mu.Unlock()
		return d, nil
	})
}

// dictionary is the dictionary a transaction writes values with. The
// elements' ids never change, so the one this server holds serves,
// however old, when it has every element named; otherwise it is read
// through the transaction's own connection, never by waiting for
// another.
func (tx *Tx) dictionary(ctx context.Context, vals []Value) (*Dictionary, error) {
	c := &tx.db.collect
	c.mu.Lock()
	d := c.dict
	c.mu.Unlock()
	if d != nil {
		all := true
		for _, v := range vals {
			if _, ok := d.Elements[v.Element]; !ok {
				all = false
				break
			}
		}
		if all {
			return d, nil
		}
	}
	return readDictionary(ctx, tx.tx)
}

func readDictionary(ctx context.Context, q querier) (*Dictionary, error) {
	d := &Dictionary{Elements: map[string]*collect.Element{}, ByID: map[int64]*collect.Element{}}
	rows, err := q.QueryContext(ctx, `SELECT `+elementColumns+` FROM elements`)
	if err != nil {
		return nil, fmt.Errorf("read dictionary: %w", err)
	}
	for rows.Next() {
		e, err := scanElement(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		d.Elements[e.Code], d.ByID[e.ID] = e, e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read dictionary: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT id, left_code, op, right_code FROM element_rules ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r collect.Rule
		if err := rows.Scan(&r.ID, &r.Left, &r.Op, &r.Right); err != nil {
			return nil, err
		}
		d.Rules = append(d.Rules, r)
	}
	return d, rows.Err()
}

// Value is one stored value with its provenance.
type Value struct {
	Unit     string    `json:"unit"`
	Element  string    `json:"element"`
	Period   string    `json:"period"`
	Value    string    `json:"value"`
	DemandID int64     `json:"demand,omitempty"`
	PersonID int64     `json:"person"`
	At       time.Time `json:"at"`
	Source   string    `json:"source"`
	Current  bool      `json:"current"`
}

// UnitValues reads a unit's current values of some elements for their
// periods, fresh at now: what a report prefills.
func (db *DB) UnitValues(ctx context.Context, unit string, want map[string]string) (map[string]Value, error) {
	d, err := db.Dictionary(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]Value{}
	now := db.Now()
	// One query a period for all its elements, along vals_key, where
	// a unit's current values of a period are adjacent: a report of 250
	// fields costs one round trip, not 250.
	byID := make(map[int64]*collect.Element, len(want))
	byPeriod := map[string][]int64{}
	for code, period := range want {
		if e, ok := d.Elements[code]; ok {
			byID[e.ID] = e
			byPeriod[period] = append(byPeriod[period], e.ID)
		}
	}
	for period, ids := range byPeriod {
		var rows *sql.Rows
		var err error
		if db.Dialect == SQLite {
			rows, err = db.queryRead(ctx, `SELECT element_id, value, demand_id, person_id, at, source FROM vals
				WHERE period = ? AND unit_code = ? AND current AND +element_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
				period, unit, jsonInts(ids))
		} else {
			rows, err = db.r.QueryContext(ctx, `SELECT element_id, value, demand_id, person_id, at, source FROM vals
				WHERE period = $1 AND unit_code = $2 AND current AND element_id = ANY($3::bigint[]) ORDER BY id`, period, unit, ids)
		}
		if err != nil {
			return nil, fmt.Errorf("read values: %w", err)
		}
		for rows.Next() {
			v := Value{Unit: unit, Period: period, Current: true}
			var id int64
			var demand sql.NullInt64
			if err := rows.Scan(&id, &v.Value, &demand, &v.PersonID, valAt{&v.At}, &v.Source); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read values: %w", err)
			}
			e := byID[id]
			if v.At.Before(e.FreshSince(now)) {
				continue
			}
			v.Element, v.DemandID = e.Code, demand.Int64
			out[e.Code] = v // in id order: the newest wins, should two be current
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read values: %w", err)
		}
	}
	return out, nil
}

// History lists every value a unit gave for an element and period, newest
// first: a correction keeps the earlier value.
func (db *DB) History(ctx context.Context, unit, element, period string) ([]Value, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT v.value, v.demand_id, v.person_id, v.at, v.source, v.current FROM vals v JOIN elements e ON e.id = v.element_id
		WHERE v.unit_code = $1 AND e.code = $2 AND v.period = $3 ORDER BY v.id DESC`, unit, element, period)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer rows.Close()
	out := []Value{}
	for rows.Next() {
		v := Value{Unit: unit, Element: element, Period: period}
		var demand sql.NullInt64
		if err := rows.Scan(&v.Value, &demand, &v.PersonID, valAt{&v.At}, &v.Source, &v.Current); err != nil {
			return nil, err
		}
		v.DemandID = demand.Int64
		out = append(out, v)
	}
	return out, rows.Err()
}

// placeholders writes n groups of k parameters for a multi-row statement.
// SQLite binds "?" far faster than "$N" in large statements; PostgreSQL
// needs "$N".
func (db *DB) placeholders(b *strings.Builder, rows, cols, first int) {
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			if db.Dialect == SQLite {
				b.WriteByte('?')
			} else {
				// Not fmt: a bulk load writes millions of these.
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(first + r*cols + c))
			}
		}
		b.WriteByte(')')
	}
}

// The statements that write a unit's values, whatever their number: the
// values travel as one JSON document (SQLite) or three arrays
// (PostgreSQL), so that the text never changes and is parsed and planned
// once, rather than 2,250 parameters bound into a statement parsed on
// every submission.
const (
	supersedeSQLite  = `UPDATE vals SET current = FALSE WHERE current AND period = ? AND unit_code = ? AND +element_id IN (SELECT value FROM json_each(?))`
	insertValsSQLite = `INSERT INTO vals (unit_code, element_id, period, value, demand_id, person_id, at, source, current)
		SELECT ?1, CAST(j.key AS INTEGER), ?2, j.value, ?3, ?4, ?5, ?6, TRUE FROM json_each(?7) j`
	supersedePostgres  = `UPDATE vals SET current = FALSE WHERE current AND period = $1 AND unit_code = $2 AND element_id = ANY($3::bigint[])`
	insertValsPostgres = `INSERT INTO vals (unit_code, element_id, period, value, demand_id, person_id, at, source, current)
		SELECT $1::text, x.e, x.p, x.v, $2::bigint, $3::bigint, $4::timestamptz, $5::text, TRUE FROM unnest($6::bigint[], $7::text[], $8::text[]) AS x (e, p, v)`
)

// writerStatements are prepared once on SQLite's writer (DB.prepared).
var writerStatements = []string{supersedeSQLite, insertValsSQLite, submissionByKey, insertSubmission, markDone, auditHead, auditAppend}

// WriteValues stores values for one unit, superseding its current values
// of the same elements and periods. source says where they came from.
func (tx *Tx) WriteValues(ctx context.Context, unit string, demandID int64, source string, vals []Value) error {
	if len(vals) == 0 {
		return nil
	}
	d, err := tx.dictionary(ctx, vals)
	if err != nil {
		return err
	}
	ids := make([]int64, len(vals))
	byPeriod := map[string][]int64{}
	for i, v := range vals {
		e, ok := d.Elements[v.Element]
		if !ok {
			return fmt.Errorf("element %q: %w", v.Element, ErrNotFound)
		}
		ids[i] = e.ID
		byPeriod[v.Period] = append(byPeriod[v.Period], e.ID)
	}
	var demand any
	if demandID != 0 {
		demand = demandID
	}
	if tx.db.Dialect == Postgres {
		for period, pids := range byPeriod {
			if _, err := tx.exec(ctx, supersedePostgres, period, unit, pids); err != nil {
				return fmt.Errorf("supersede values: %w", err)
			}
		}
		periods, values := make([]string, len(vals)), make([]string, len(vals))
		for i, v := range vals {
			periods[i], values[i] = v.Period, v.Value
		}
		if _, err := tx.exec(ctx, insertValsPostgres, unit, demand, tx.Actor.ID, tx.Now, source, ids, periods, values); err != nil {
			return fmt.Errorf("write values: %w", err)
		}
		return nil
	}
	for period, pids := range byPeriod {
		if _, err := tx.exec(ctx, supersedeSQLite, period, unit, jsonInts(pids)); err != nil {
			return fmt.Errorf("supersede values: %w", err)
		}
	}
	// A JSON object a period, from element id to value, which SQLite's
	// json_each reads as rows of key and value.
	for period := range byPeriod {
		b := make([]byte, 0, 32*len(vals))
		b = append(b, '{')
		for i, v := range vals {
			if v.Period != period {
				continue
			}
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = strconv.AppendInt(b, ids[i], 10)
			b = append(b, '"', ':')
			b = appendJSONString(b, v.Value)
		}
		b = append(b, '}')
		if _, err := tx.exec(ctx, insertValsSQLite, unit, period, demand, tx.Actor.ID, tx.db.valAt(tx.Now), source, string(b)); err != nil {
			return fmt.Errorf("write values: %w", err)
		}
	}
	return nil
}

// jsonInts writes ids as a JSON array, for SQLite's json_each.
func jsonInts(ids []int64) string {
	b := make([]byte, 0, 8*len(ids))
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// appendJSONString appends s as a JSON string. Bytes that are not UTF-8
// become U+FFFD, as encoding/json writes them.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\\ufffd"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// Overlaps lists the reports in review, admitted or active that ask an
// element for a period, except one.
func (db *DB) Overlaps(ctx context.Context, element, period string, except int64) ([]gate.Overlap, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT d.id, d.title, d.target_units, d.target_level, d.target_under FROM report_fields f
		JOIN demands d ON d.id = f.demand_id WHERE f.element_code = $1 AND f.period = $2 AND d.id <> $3
		AND d.status IN ('review', 'admitted', 'active') AND d.answered = FALSE`, element, period, except)
	if err != nil {
		return nil, fmt.Errorf("read overlapping reports: %w", err)
	}
	var out []gate.Overlap
	var listed []int
	for rows.Next() {
		var o gate.Overlap
		var n, level int
		if err := rows.Scan(&o.DemandID, &o.Title, &n, &level, &o.Targets.Under); err != nil {
			rows.Close()
			return nil, err
		}
		o.Targets.Level = units.Level(level)
		if n > 0 {
			o.Targets.Level, o.Targets.Under = 0, ""
			listed = append(listed, len(out))
		}
		out = append(out, o)
	}
	rows.Close()
	for _, i := range listed {
		urows, err := db.r.QueryContext(ctx, `SELECT unit_code FROM demand_units WHERE demand_id = $1`, out[i].DemandID)
		if err != nil {
			return nil, err
		}
		for urows.Next() {
			var c string
			urows.Scan(&c)
			out[i].Targets.Units = append(out[i].Targets.Units, c)
		}
		urows.Close()
	}
	return out, nil
}

// A value's time (vals.at) is kept on SQLite as whole microseconds since
// 1970 in an INTEGER column (migration 00013): eight bytes in the row and
// in vals_key, where the text SQLite otherwise holds for a time takes 32,
// so that the 250 values of a submission make smaller rows and index
// entries to write. PostgreSQL keeps a timestamptz, which is eight bytes
// already.

// valAt is t as vals.at holds it, for binding.
func (db *DB) valAt(t time.Time) any {
	if db.Dialect == SQLite {
		return t.UnixMicro()
	}
	return t
}

// valAt scans vals.at from either database into a time.Time.
type valAt struct{ t *time.Time }

func (v valAt) Scan(src any) error {
	switch x := src.(type) {
	case int64:
		*v.t = time.UnixMicro(x).UTC()
	case time.Time:
		*v.t = x
	default:
		return fmt.Errorf("value time: %T %v, microseconds or a time expected", src, src)
	}
	return nil
}
