package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"lighten/internal/audit"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/units"
)

// A submission's statements, prepared once on SQLite (writerStatements).
const (
	submissionByKey  = `SELECT id FROM submissions WHERE demand_id = $1 AND unit_code = $2 AND client_key = $3`
	insertSubmission = `INSERT INTO submissions (demand_id, unit_code, client_key, person_id, at, n_values) VALUES ($1,$2,$3,$4,$5,$6)
		ON CONFLICT (demand_id, unit_code, client_key) DO NOTHING RETURNING id`
	markDone = `INSERT INTO demand_acts (demand_id, unit_code, act, person_id, at, note) VALUES ($1, $2, 'done', $3, $4, '')
		ON CONFLICT DO NOTHING`
)

// Submit stores a unit's submission to a report, all or nothing. A retry
// with the same client key stores nothing more and reports the earlier
// submission (dup), also when the first is still being stored: the retry
// waits for it and answers as any later retry does (on PostgreSQL the
// unique key makes it wait for the first's transaction; on SQLite there
// is one writer). The unit's inbox item is marked done.
func (tx *Tx) Submit(ctx context.Context, d *DemandRecord, unit, key string, vals []Value) (id int64, dup bool, err error) {
	if key == "" {
		// A submission without a key is never a retry.
		b := make([]byte, 12)
		rand.Read(b)
		key = "auto-" + strconv.FormatInt(tx.Now.UnixNano(), 36) + "-" + hex.EncodeToString(b)
	} else {
		err := tx.queryRow(ctx, submissionByKey, d.ID, unit, key).Scan(&id)
		if err == nil {
			return id, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, false, fmt.Errorf("read submission: %w", err)
		}
	}
	err = tx.queryRow(ctx, insertSubmission, d.ID, unit, key, tx.Actor.ID, tx.Now, len(vals)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		// Stored meanwhile by a transaction that has now committed: read
		// committed, this statement sees it.
		if err := tx.queryRow(ctx, submissionByKey, d.ID, unit, key).Scan(&id); err != nil {
			return 0, false, fmt.Errorf("read submission: %w", err)
		}
		return id, true, nil
	}
	if err != nil {
		if isUnique(err) {
			return 0, false, conflict("client_key", "store.conflict.submission", key)
		}
		return 0, false, fmt.Errorf("record submission: %w", err)
	}
	if err := tx.WriteValues(ctx, unit, d.ID, "report", vals); err != nil {
		return 0, false, err
	}
	if _, err := tx.exec(ctx, markDone, d.ID, unit, tx.Actor.ID, tx.Now); err != nil {
		return 0, false, fmt.Errorf("mark done: %w", err)
	}
	return id, false, tx.Audit(ctx, audit.Record{Action: "report.submit", Entity: "demand", EntityID: strconv.FormatInt(d.ID, 10),
		UnitCode: unit, After: audit.JSON(map[string]any{"submission": id, "values": len(vals), "client_key": key})})
}

// InboxReport reads one report from a unit's inbox: admitted or active,
// not answered, aimed at the unit and not refused by it, as Inbox lists
// it. A submission needs that one report, and reading the whole inbox
// would cost a query per report the unit has ever had. The record is
// shared by every caller and must not be changed.
//
// The query asks only whether the report is in the inbox and which state
// it is in; the record itself, whose asks are decoded from JSON (250 fields
// for a large report), is kept per report and read again when its status,
// submission, decision or answered mark moved, which every change to a
// demand does (content changes only in drafts, which go through
// submission again).
func (db *DB) InboxReport(ctx context.Context, u units.Unit, id int64) (*DemandRecord, error) {
	var v demandVersion
	var submitted, decided sql.NullTime
	err := db.queryRowRead(ctx, `SELECT d.status, d.submitted, d.decided, d.answered FROM demands d
		WHERE d.id = $1 AND d.kind = $4 AND d.status IN ($5, $6) AND d.answered = FALSE AND (
			(d.target_units = 0 AND d.target_level = $3 AND substr($2, 1, length(d.target_under)) = d.target_under)
			OR EXISTS (SELECT 1 FROM demand_units WHERE demand_id = $1 AND unit_code = $2))
		AND NOT EXISTS (SELECT 1 FROM refusals WHERE demand_id = $1 AND unit_code = $2 AND status = 'upheld')`,
		id, u.Code, int(u.Level), string(gate.Report), string(gate.Admitted), string(gate.Active)).Scan(&v.status, &submitted, &decided, &v.answered)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report %d in the inbox of %s: %w", id, u.Code, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("inbox report: %w", err)
	}
	v.submitted, v.decided = submitted.Time.UnixMicro(), decided.Time.UnixMicro()
	if rec, ok := db.reports.get(id, v); ok {
		return rec, nil
	}
	rec, err := db.Demand(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("inbox report: %w", err)
	}
	// Keep it only if it is the state just checked, not a later one.
	if string(rec.Status) == v.status && rec.Submitted.UnixMicro() == v.submitted && rec.Decided.UnixMicro() == v.decided && rec.Answered == v.answered {
		db.reports.put(id, v, rec)
	}
	return rec, nil
}

// demandVersion is what changes with every change to a demand.
type demandVersion struct {
	status             string
	submitted, decided int64
	answered           bool
}

// reportCache keeps decoded reports that units submit to.
type reportCache struct {
	mu     sync.Mutex
	m      map[int64]cachedReport
	shapes map[*DemandRecord]cachedShape

	compl complCache // completeness sets (completeness.go)
}

type cachedReport struct {
	v   demandVersion
	rec *DemandRecord
}

func (c *reportCache) get(id int64, v demandVersion) (*DemandRecord, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[id]
	return r.rec, ok && r.v == v
}

func (c *reportCache) put(id int64, v demandVersion, rec *DemandRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= 1000 {
		c.m = map[int64]cachedReport{}
	}
	c.m[id] = cachedReport{v: v, rec: rec}
}

// Completeness counts, for one report and the units under one unit, how
// many were expected to answer, how many did, and how many did on time.
type Completeness struct {
	Unit      string  `json:"unit"`
	Name      string  `json:"name"`
	Expected  int     `json:"expected"`
	Submitted int     `json:"submitted"`
	OnTime    int     `json:"on_time"`
	Percent   float64 `json:"percent"`
}

// targetRange is the run of a spec report's targets under a unit, or
// false when none are there.
func targetRange(t *units.Tree, tg gate.Targets, under string) (string, bool) {
	switch {
	case units.Contains(tg.Under, under):
		return under, true
	case units.Contains(under, tg.Under):
		return tg.Under, true
	}
	return "", false
}

// completenessExpected is how many of a report's targets are under code.
func completenessExpected(tree *units.Tree, d *DemandRecord, code string) int {
	if d.Targets.Spec() {
		if p, ok := targetRange(tree, d.Targets, code); ok {
			lo, hi := tree.UnderRange(d.Targets.Level, p)
			return hi - lo
		}
		return 0
	}
	n := 0
	for _, u := range d.Targets.Units {
		if units.Contains(code, u) {
			n++
		}
	}
	return n
}

func unitName(tree *units.Tree, code string) string {
	if u, ok := tree.Get(code); ok {
		return u.Name
	}
	return ""
}

// Completeness of a report under a unit ("" the country), with a line per
// child unit when children is set. It counts from the report's sets kept
// in memory (completeness.go), and gives the same answer as
// CompletenessSQL.
func (db *DB) Completeness(ctx context.Context, d *DemandRecord, under string, children bool) (Completeness, []Completeness, error) {
	tree, err := db.Tree(ctx)
	if err != nil {
		return Completeness{}, nil, err
	}
	top := Completeness{Unit: under, Name: unitName(tree, under), Expected: completenessExpected(tree, d, under)}
	c := &db.reports.compl
	s, err := db.complSetsFor(ctx, c, tree, d)
	if err != nil {
		return top, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	top.Submitted, top.OnTime = s.count(tree, under)
	var lines []Completeness
	if children {
		kids, _ := tree.Children(under, 0, -1)
		for _, k := range kids {
			cl := Completeness{Unit: k.Code, Name: k.Name, Expected: completenessExpected(tree, d, k.Code)}
			cl.Submitted, cl.OnTime = s.count(tree, k.Code)
			if cl.Expected == 0 && cl.Submitted == 0 {
				continue
			}
			if cl.Expected > 0 {
				cl.Percent = float64(cl.Submitted) * 100 / float64(cl.Expected)
			}
			lines = append(lines, cl)
		}
	}
	if top.Expected > 0 {
		top.Percent = float64(top.Submitted) * 100 / float64(top.Expected)
	}
	return top, lines, nil
}

// CompletenessSQL answers as Completeness does, grouping the report's
// submissions in SQL each time. It is the reference the sets are tested
// against.
func (db *DB) CompletenessSQL(ctx context.Context, d *DemandRecord, under string, children bool) (Completeness, []Completeness, error) {
	tree, err := db.Tree(ctx)
	if err != nil {
		return Completeness{}, nil, err
	}
	name := func(code string) string { return unitName(tree, code) }
	expected := func(code string) int { return completenessExpected(tree, d, code) }
	top := Completeness{Unit: under, Name: name(under), Expected: expected(under)}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := "demand_id = " + arg(d.ID)
	if under != "" {
		where += " AND " + scopeClause("unit_code", []string{under}, arg)
	}
	due := d.When().UTC()
	var lines []Completeness
	if !children {
		q := `SELECT COUNT(*), COALESCE(SUM(CASE WHEN first <= ` + arg(due) + ` THEN 1 ELSE 0 END), 0) FROM
			(SELECT unit_code, MIN(at) AS first FROM submissions WHERE ` + where + ` GROUP BY unit_code) s`
		if err := db.r.QueryRowContext(ctx, q, args...).Scan(&top.Submitted, &top.OnTime); err != nil {
			return top, nil, fmt.Errorf("completeness: %w", err)
		}
	} else {
		kids, _ := tree.Children(under, 0, -1)
		width := 2
		if len(kids) > 0 {
			width = len(kids[0].Code)
		}
		q := `SELECT substr(unit_code, 1, ` + strconv.Itoa(width) + `) AS k, COUNT(*), COALESCE(SUM(CASE WHEN first <= ` + arg(due) + ` THEN 1 ELSE 0 END), 0) FROM
			(SELECT unit_code, MIN(at) AS first FROM submissions WHERE ` + where + ` GROUP BY unit_code) s GROUP BY k`
		rows, err := db.r.QueryContext(ctx, q, args...)
		if err != nil {
			return top, nil, fmt.Errorf("completeness: %w", err)
		}
		got := map[string][2]int{}
		for rows.Next() {
			var k string
			var n, on int
			if err := rows.Scan(&k, &n, &on); err != nil {
				rows.Close()
				return top, nil, err
			}
			got[k] = [2]int{n, on}
			top.Submitted += n
			top.OnTime += on
		}
		rows.Close()
		for _, k := range kids {
			c := Completeness{Unit: k.Code, Name: k.Name, Expected: expected(k.Code), Submitted: got[k.Code][0], OnTime: got[k.Code][1]}
			if c.Expected == 0 && c.Submitted == 0 {
				continue
			}
			if c.Expected > 0 {
				c.Percent = float64(c.Submitted) * 100 / float64(c.Expected)
			}
			lines = append(lines, c)
		}
	}
	if top.Expected > 0 {
		top.Percent = float64(top.Submitted) * 100 / float64(top.Expected)
	}
	return top, lines, nil
}

// Answer is one target's row of a report's answer: its current value of
// each element, with provenance.
type Answer struct {
	Unit   units.Unit
	Values map[string]Value
}

// EachAnswer streams, in unit code order, the current values a report
// asked for, for every target under a unit that holds any. Elements is the
// report's elements with their periods. It reads row by row, so a
// national table never sits in memory whole.
func (db *DB) EachAnswer(ctx context.Context, d *DemandRecord, elements map[*collect.Element]string, under string, fn func(Answer) error) error {
	tree, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	if len(elements) == 0 {
		return nil
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	// One condition a period, the element ids written out (they are
	// numbers). A report whose elements share one period, as most do, is
	// then read along vals_key's range of that period in unit order,
	// without a sort; with an OR per element, SQLite searched the whole
	// period once per element and sorted the lot.
	byID := map[int64]*collect.Element{}
	byPeriod := map[string][]int64{}
	for e, period := range elements {
		byPeriod[period] = append(byPeriod[period], e.ID)
		byID[e.ID] = e
	}
	periods := make([]string, 0, len(byPeriod))
	for p := range byPeriod {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	var ors []string
	for _, p := range periods {
		ids := byPeriod[p]
		slices.Sort(ids)
		var in strings.Builder
		for i, id := range ids {
			if i > 0 {
				in.WriteByte(',')
			}
			in.WriteString(strconv.FormatInt(id, 10))
		}
		ors = append(ors, "(v.period = "+arg(p)+" AND v.element_id IN ("+in.String()+"))")
	}
	where := "v.current AND " + ors[0]
	if len(ors) > 1 {
		where = "v.current AND (" + strings.Join(ors, " OR ") + ")"
	}
	scope := under
	if d.Targets.Spec() {
		p, ok := targetRange(tree, d.Targets, under)
		if !ok {
			return nil
		}
		scope = p
	}
	if scope != "" {
		where += " AND " + scopeClause("v.unit_code", []string{scope}, arg)
	}
	listed := map[string]bool{}
	for _, u := range d.Targets.Units {
		listed[u] = true
	}
	rows, err := db.r.QueryContext(ctx, `SELECT v.unit_code, v.element_id, v.value, COALESCE(v.demand_id, 0), v.person_id, v.at, v.source
		FROM vals v WHERE `+where+` ORDER BY v.unit_code`, args...)
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	defer rows.Close()
	var cur *Answer
	flush := func() error {
		if cur == nil {
			return nil
		}
		a := *cur
		cur = nil
		return fn(a)
	}
	for rows.Next() {
		var v Value
		var id int64
		if err := rows.Scan(&v.Unit, &id, &v.Value, &v.DemandID, &v.PersonID, valAt{&v.At}, &v.Source); err != nil {
			return err
		}
		e := byID[id]
		v.Element, v.Period, v.Current = e.Code, elements[e], true
		if cur == nil || cur.Unit.Code != v.Unit {
			if err := flush(); err != nil {
				return err
			}
			u, ok := tree.Get(v.Unit)
			isTarget := ok && (d.Targets.Spec() && u.Level == d.Targets.Level || listed[v.Unit])
			if !isTarget {
				continue
			}
			cur = &Answer{Unit: u, Values: map[string]Value{}}
		}
		cur.Values[e.Code] = v
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// ReportElements resolves the elements a report asks, with their periods.
func (db *DB) ReportElements(ctx context.Context, d *gate.Demand) (map[*collect.Element]string, []*collect.Element, error) {
	dict, err := db.Dictionary(ctx)
	if err != nil {
		return nil, nil, err
	}
	out, order := reportElements(dict, d)
	return out, order, nil
}

func reportElements(dict *Dictionary, d *gate.Demand) (map[*collect.Element]string, []*collect.Element) {
	out := make(map[*collect.Element]string, len(d.Asks.Fields))
	order := make([]*collect.Element, 0, len(d.Asks.Fields))
	for _, f := range d.Asks.Fields {
		if e, ok := dict.Elements[f.Element]; ok {
			if _, dup := out[e]; !dup {
				out[e] = collect.PeriodOf(e.Period, d.FiguresDate())
				order = append(order, e)
			}
		}
	}
	return out, order
}

// ReportShape is what every submission to a report needs to know of the
// elements it asks, worked out once per report and dictionary rather than
// for each of its submissions. It is shared and must not be changed.
type ReportShape struct {
	// Periods gives each element the report asks its period.
	Periods map[*collect.Element]string
	// Asked and Want are the same by element code.
	Asked map[string]*collect.Element
	Want  map[string]string
	// Rules are the dictionary's cross-element rules that name an element
	// the report asks.
	Rules []collect.Rule
	// ByCode is the elements sorted by code, the order in which a
	// submission's values are stored.
	ByCode []*collect.Element
}

// ReportShape resolves a report's elements, as ReportElements does, and
// keeps the answer for the record (records in the inbox cache are shared
// until the report changes) and the dictionary it was made from.
func (db *DB) ReportShape(ctx context.Context, rec *DemandRecord) (*ReportShape, error) {
	dict, err := db.Dictionary(ctx)
	if err != nil {
		return nil, err
	}
	c := &db.reports
	c.mu.Lock()
	sh, ok := c.shapes[rec]
	c.mu.Unlock()
	if ok && sh.dict == dict {
		return sh.shape, nil
	}
	periods, order := reportElements(dict, &rec.Demand)
	shape := &ReportShape{Periods: periods, ByCode: order,
		Asked: make(map[string]*collect.Element, len(order)), Want: make(map[string]string, len(order))}
	for _, e := range order {
		shape.Asked[e.Code], shape.Want[e.Code] = e, periods[e]
	}
	shape.Rules = dict.RulesFor(shape.Asked)
	slices.SortFunc(shape.ByCode, func(a, b *collect.Element) int { return strings.Compare(a.Code, b.Code) })
	c.mu.Lock()
	if c.shapes == nil || len(c.shapes) >= 1000 {
		c.shapes = map[*DemandRecord]cachedShape{}
	}
	c.shapes[rec] = cachedShape{dict: dict, shape: shape}
	c.mu.Unlock()
	return shape, nil
}

type cachedShape struct {
	dict  *Dictionary
	shape *ReportShape
}
