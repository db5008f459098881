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
	"sync"
	"time"

	"lighten/internal/audit"
	"lighten/internal/collect"
	"lighten/internal/gate"
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
		return fmt.Errorf("element %s is %s, not proposed: %w", e.Code, e.Status, ErrState)
	}
	to := collect.Rejected
	if approve {
		to = collect.Approved
	}
	if _, err := tx.exec(ctx, `UPDATE elements SET status=$1, decided_by=$2, decision=$3 WHERE id=$4`, string(to), tx.Actor.ID, reason, e.ID); err != nil {
		return fmt.Errorf("decide element: %w", err)
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

// collectCache keeps the dictionary and, per element and period, which
// units hold a fresh value, in step with the database by reading only the
// values added since it last looked.
type collectCache struct {
	mu       sync.Mutex
	dict     *Dictionary
	lastVal  int64
	tree     *units.Tree
	checked  time.Time
	known    map[string]*knownSet // element code + "@" + period
	elements bool
}

type knownSet struct {
	bits  collect.Bitset
	since time.Time // values collected before this are stale
	built time.Time
}

func (c *collectCache) forgetElements() {
	c.mu.Lock()
	c.dict = nil
	c.mu.Unlock()
}

// Dictionary reads the data dictionary.
func (db *DB) Dictionary(ctx context.Context) (*Dictionary, error) {
	c := &db.collect
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dict != nil && time.Since(c.checked) < treeRecheck {
		return c.dict, nil
	}
	d := &Dictionary{Elements: map[string]*collect.Element{}, ByID: map[int64]*collect.Element{}}
	rows, err := db.r.QueryContext(ctx, `SELECT `+elementColumns+` FROM elements`)
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
	rows, err = db.r.QueryContext(ctx, `SELECT id, left_code, op, right_code FROM element_rules ORDER BY id`)
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
	c.dict, c.checked = d, time.Now()
	return d, rows.Err()
}

// knownHorizon is how long a fresh-value set is trusted before it is built
// again, so that values going stale with time drop out.
const knownHorizon = time.Hour

// Known says which units hold a fresh value of an element for a period,
// as positions in the tree index.
func (db *DB) Known(ctx context.Context, e *collect.Element, period string) (collect.Known, error) {
	tree, err := db.Tree(ctx)
	if err != nil {
		return nil, err
	}
	c := &db.collect
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tree != tree {
		c.tree, c.known, c.lastVal = tree, map[string]*knownSet{}, 0
		if err := db.maxValID(ctx, &c.lastVal); err != nil {
			return nil, err
		}
	} else if err := db.catchUp(ctx, c); err != nil {
		return nil, err
	}
	key := e.Code + "@" + period
	now := db.Now()
	if k, ok := c.known[key]; ok && now.Sub(k.built) < knownHorizon {
		return k.bits, nil
	}
	k := &knownSet{bits: collect.NewBitset(tree.Len()), since: e.FreshSince(now), built: now}
	rows, err := db.r.QueryContext(ctx, `SELECT unit_code FROM vals WHERE element_id = $1 AND period = $2 AND current AND at >= $3`,
		e.ID, period, k.since)
	if err != nil {
		return nil, fmt.Errorf("read known values: %w", err)
	}
	defer rows.Close()
	var code string
	cur := posCursor{tree: tree}
	for rows.Next() {
		if err := rows.Scan(&code); err != nil {
			return nil, err
		}
		if p, ok := cur.pos(code); ok {
			k.bits.Set(p)
		}
	}
	c.known[key] = k
	return k.bits, rows.Err()
}

// posCursor finds the tree positions of codes that mostly come in code
// order, as rows read along an index do: it looks a few units past the
// last one found before searching the whole level, which for a national
// report saves a binary search over 620,000 villages per value.
type posCursor struct {
	tree  *units.Tree
	level units.Level
	us    []units.Unit // the units of level, in code order
	base  int          // the position of us[0]
	next  int          // the index in us after the last one found
}

func (c *posCursor) pos(code string) (int, bool) {
	l, ok := units.LevelOfCode(code)
	if !ok {
		return 0, false
	}
	if c.us == nil || l != c.level {
		c.level, c.us, c.next = l, c.tree.Under(l, ""), 0
		c.base, _ = c.tree.UnderRange(l, "")
	}
	for i := c.next; i < min(c.next+8, len(c.us)); i++ {
		if c.us[i].Code == code {
			c.next = i + 1
			return c.base + i, true
		}
	}
	p, ok := c.tree.Pos(code)
	if ok {
		c.next = p - c.base + 1
	}
	return p, ok
}

func (db *DB) maxValID(ctx context.Context, into *int64) error {
	return db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM vals`).Scan(into)
}

// catchUp applies the values written since the cache last looked, by any
// server, to the fresh-value sets it holds.
func (db *DB) catchUp(ctx context.Context, c *collectCache) error {
	if len(c.known) == 0 {
		return db.maxValID(ctx, &c.lastVal)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT v.id, v.unit_code, e.code, v.period FROM vals v JOIN elements e ON e.id = v.element_id
		WHERE v.id > $1 AND v.current ORDER BY v.id`, c.lastVal)
	if err != nil {
		return fmt.Errorf("catch up on values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var unit, code, period string
		if err := rows.Scan(&id, &unit, &code, &period); err != nil {
			return err
		}
		c.lastVal = id
		if k, ok := c.known[code+"@"+period]; ok {
			if p, ok := c.tree.Pos(unit); ok {
				k.bits.Set(p)
			}
		}
	}
	return rows.Err()
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
	// One query for all the elements, filtered by period and freshness
	// here: a report of 250 fields costs one round trip, not 250.
	byID := map[int64]*collect.Element{}
	ids := make([]int64, 0, len(want))
	for code := range want {
		if e, ok := d.Elements[code]; ok {
			byID[e.ID] = e
			ids = append(ids, e.ID)
		}
	}
	const batch = 500
	for lo := 0; lo < len(ids); lo += batch {
		hi := min(lo+batch, len(ids))
		var q strings.Builder
		args := []any{unit}
		q.WriteString(`SELECT element_id, period, value, demand_id, person_id, at, source FROM vals WHERE unit_code = `)
		if db.Dialect == SQLite {
			q.WriteString(`? AND current AND element_id IN `)
		} else {
			q.WriteString(`$1 AND current AND element_id IN `)
		}
		db.placeholders(&q, 1, hi-lo, 2)
		q.WriteString(` ORDER BY id`)
		for _, id := range ids[lo:hi] {
			args = append(args, id)
		}
		rows, err := db.r.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("read values: %w", err)
		}
		for rows.Next() {
			var v Value
			var id int64
			var demand sql.NullInt64
			if err := rows.Scan(&id, &v.Period, &v.Value, &demand, &v.PersonID, &v.At, &v.Source); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read values: %w", err)
			}
			e := byID[id]
			if v.Period != want[e.Code] || v.At.Before(e.FreshSince(now)) {
				continue
			}
			v.Unit, v.Element, v.DemandID, v.Current = unit, e.Code, demand.Int64, true
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
		if err := rows.Scan(&v.Value, &demand, &v.PersonID, &v.At, &v.Source, &v.Current); err != nil {
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
				// Not fmt: a 250-value submission writes 2,250 of these.
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(first + r*cols + c))
			}
		}
		b.WriteByte(')')
	}
}

// WriteValues stores values for one unit, superseding its current values
// of the same elements and periods. source says where they came from.
func (tx *Tx) WriteValues(ctx context.Context, unit string, demandID int64, source string, vals []Value) error {
	if len(vals) == 0 {
		return nil
	}
	d, err := tx.db.Dictionary(ctx)
	if err != nil {
		return err
	}
	byPeriod := map[string][]int64{}
	for _, v := range vals {
		e, ok := d.Elements[v.Element]
		if !ok {
			return fmt.Errorf("element %q: %w", v.Element, ErrNotFound)
		}
		byPeriod[v.Period] = append(byPeriod[v.Period], e.ID)
	}
	for period, ids := range byPeriod {
		var q strings.Builder
		q.WriteString(`UPDATE vals SET current = FALSE WHERE current AND unit_code = `)
		args := []any{unit, period}
		if tx.db.Dialect == SQLite {
			q.WriteString(`? AND period = ? AND element_id IN (`)
		} else {
			q.WriteString(`$1 AND period = $2 AND element_id IN (`)
		}
		for i, id := range ids {
			if i > 0 {
				q.WriteByte(',')
			}
			args = append(args, id)
			if tx.db.Dialect == SQLite {
				q.WriteByte('?')
			} else {
				q.WriteByte('$')
				q.WriteString(strconv.Itoa(len(args)))
			}
		}
		q.WriteByte(')')
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("supersede values: %w", err)
		}
	}
	const batch = 500
	var demand any
	if demandID != 0 {
		demand = demandID
	}
	for lo := 0; lo < len(vals); lo += batch {
		hi := min(lo+batch, len(vals))
		var q strings.Builder
		q.WriteString(`INSERT INTO vals (unit_code, element_id, period, value, demand_id, person_id, at, source, current) VALUES `)
		tx.db.placeholders(&q, hi-lo, 9, 1)
		args := make([]any, 0, (hi-lo)*9)
		for _, v := range vals[lo:hi] {
			args = append(args, unit, d.Elements[v.Element].ID, v.Period, v.Value, demand, tx.Actor.ID, tx.Now, source, true)
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("write values: %w", err)
		}
	}
	return nil
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
