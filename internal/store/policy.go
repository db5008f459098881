package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"lighten/internal/audit"
	"lighten/internal/i18n"
	"lighten/internal/policy"
)

// PolicyVersion is one saved version of an office's policy document.
type PolicyVersion struct {
	Unit     string          `json:"unit"`
	Version  int             `json:"version"`
	Document policy.Document `json:"document"`
	Note     string          `json:"note,omitempty"`
	AuthorID int64           `json:"author"`
	Created  time.Time       `json:"created"`
}

// LooseningError refuses a document that would loosen what its office
// inherits.
type LooseningError struct {
	Unit       string
	Loosenings []policy.Loosening
}

func (e *LooseningError) Error() string {
	l := e.Loosenings[0]
	return fmt.Sprintf("policy of %q would loosen %s to %d; it inherits %d", e.Unit, l.Param, l.Value, l.Inherited)
}

// Message is the first loosening in both languages: the parameter, the
// value refused, what is inherited and from where.
func (e *LooseningError) Message() i18n.Text {
	l := e.Loosenings[0]
	var from any = l.From
	if l.From == "" {
		from = i18n.Both("policy.default")
	}
	return i18n.Both("error.policy_loosen", l.Param, l.Value, l.Inherited, from)
}

// SavePolicy stores a new version of the policy of the burden office at
// unit, refusing one that loosens any inherited parameter.
func (tx *Tx) SavePolicy(ctx context.Context, unit string, doc policy.Document, note string) (PolicyVersion, error) {
	if err := doc.Validate(); err != nil {
		return PolicyVersion{}, err
	}
	tree, err := tx.db.PolicyTree(ctx)
	if err != nil {
		return PolicyVersion{}, err
	}
	if ls := tree.Inherited(unit).Loosenings(doc); len(ls) > 0 {
		return PolicyVersion{}, &LooseningError{Unit: unit, Loosenings: ls}
	}
	var v int
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM policies WHERE unit_code = $1`, unit).Scan(&v); err != nil {
		return PolicyVersion{}, fmt.Errorf("policy version: %w", err)
	}
	pv := PolicyVersion{Unit: unit, Version: v + 1, Document: doc, Note: note, AuthorID: tx.Actor.ID, Created: tx.Now}
	body := audit.JSON(doc)
	if _, err := tx.exec(ctx, `INSERT INTO policies (unit_code, version, doc, note, author_id, created) VALUES ($1, $2, $3, $4, $5, $6)`,
		unit, pv.Version, string(body), note, tx.Actor.ID, tx.Now); err != nil {
		return pv, fmt.Errorf("save policy: %w", err)
	}
	if err := tx.bump(ctx, "policies_version"); err != nil {
		return pv, err
	}
	var before []byte
	if old, ok := tree.Document(unit); ok {
		before = audit.JSON(old)
	}
	return pv, tx.Audit(ctx, audit.Record{Action: "policy.save", Entity: "policy", EntityID: unit + "@" + strconv.Itoa(pv.Version),
		UnitCode: unit, Reason: note, Before: before, After: body})
}

// bump moves a version counter, so that every server rebuilds what it
// caches from the data behind it; this server forgets at once on commit.
func (tx *Tx) bump(ctx context.Context, key string) error {
	_, err := tx.exec(ctx, `UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = $1`, key)
	if err != nil {
		return fmt.Errorf("bump %s: %w", key, err)
	}
	db := tx.db
	switch key {
	case "policies_version":
		tx.committed = append(tx.committed, db.policies.forget)
	case "loads_version":
		tx.committed = append(tx.committed, db.loads.forget)
	case "duties_version":
		tx.committed = append(tx.committed, db.duties.forget)
	case "units_version":
		tx.committed = append(tx.committed, db.forgetTree)
	}
	return nil
}

func (c *versioned[T]) forget() {
	c.mu.Lock()
	c.checked = time.Time{}
	c.gen++
	c.mu.Unlock()
}

func (c *loadCache) forget() {
	c.mu.Lock()
	c.checked = time.Time{}
	c.gen++
	c.mu.Unlock()
}

func (db *DB) forgetTree() {
	db.treeMu.Lock()
	db.treeChecked = time.Time{}
	db.treeGen++
	db.treeMu.Unlock()
}

func (db *DB) metaVersion(ctx context.Context, key string) (int64, error) {
	var v string
	if err := db.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v); err != nil {
		return 0, fmt.Errorf("read %s: %w", key, err)
	}
	return strconv.ParseInt(v, 10, 64)
}

// versioned caches a value built from the database until a version counter
// in meta moves, checking the counter at most once a second. The counter
// is read and the value built with no lock held.
type versioned[T any] struct {
	mu      sync.Mutex
	version int64
	checked time.Time
	value   T
	ok      bool
	gen     uint64 // moved by forget
}

func (c *versioned[T]) get(ctx context.Context, db *DB, key string, build func() (T, error)) (T, error) {
	c.mu.Lock()
	if c.ok && time.Since(c.checked) < treeRecheck {
		defer c.mu.Unlock()
		return c.value, nil
	}
	have, value, ok, gen := c.version, c.value, c.ok, c.gen
	c.mu.Unlock()
	v, err := db.metaVersion(ctx, key)
	if err != nil {
		return value, err
	}
	if !ok || v != have {
		val, err := build()
		if err != nil {
			return value, err
		}
		value = val
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && (!c.ok || c.version <= v) {
		c.value, c.version, c.ok, c.checked = value, v, true, time.Now()
	}
	return value, nil
}

// PolicyTree resolves the policy in force anywhere in the tree from the
// newest document of every office that has one.
func (db *DB) PolicyTree(ctx context.Context) (*policy.Tree, error) {
	return db.policies.get(ctx, db, "policies_version", func() (*policy.Tree, error) {
		rows, err := db.r.QueryContext(ctx, `SELECT p.unit_code, p.doc FROM policies p
			WHERE p.version = (SELECT MAX(version) FROM policies q WHERE q.unit_code = p.unit_code)`)
		if err != nil {
			return nil, fmt.Errorf("read policies: %w", err)
		}
		defer rows.Close()
		docs := map[string]policy.Document{}
		for rows.Next() {
			var unit, body string
			if err := rows.Scan(&unit, &body); err != nil {
				return nil, err
			}
			d, err := policy.Parse([]byte(body))
			if err != nil {
				return nil, fmt.Errorf("stored policy of %q: %w", unit, err)
			}
			docs[unit] = d
		}
		return policy.NewTree(docs), rows.Err()
	})
}

// PolicyVersions lists the versions of a unit's policy, newest first.
func (db *DB) PolicyVersions(ctx context.Context, unit string) ([]PolicyVersion, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT version, doc, note, author_id, created FROM policies WHERE unit_code = $1 ORDER BY version DESC`, unit)
	if err != nil {
		return nil, fmt.Errorf("read policy versions: %w", err)
	}
	defer rows.Close()
	var out []PolicyVersion
	for rows.Next() {
		pv := PolicyVersion{Unit: unit}
		var body string
		if err := rows.Scan(&pv.Version, &body, &pv.Note, &pv.AuthorID, &pv.Created); err != nil {
			return nil, err
		}
		if pv.Document, err = policy.Parse([]byte(body)); err != nil {
			return nil, err
		}
		out = append(out, pv)
	}
	return out, rows.Err()
}

var _ = errors.New
