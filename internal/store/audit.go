package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"lighten/internal/audit"
)

// auditLock serialises appends to the audit chain on PostgreSQL; SQLite has
// one writer already.
const auditLock = 0x6c69676874656e // "lighten"

// The statements of an append, prepared once on SQLite's writer
// (writerStatements).
const (
	auditHead   = `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`
	auditAppend = `INSERT INTO audit (seq, at, actor_id, actor, action, entity, entity_id, unit_code, reason, before, after, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`
)

// serialize takes, on PostgreSQL, the lock that audit appends take, now
// rather than at the end of the change: a check that reads one table before
// writing another (an item's code against the draws' names, and the other
// way round) is then one at a time with every other change, as it is on
// SQLite's one writer. The lock is held to the end of the transaction, and
// taking it again in Audit is free.
func (tx *Tx) serialize(ctx context.Context) error {
	if tx.db.Dialect != Postgres {
		return nil
	}
	if err := tx.advisoryLock(ctx, auditLock); err != nil {
		return fmt.Errorf("audit lock: %w", err)
	}
	return nil
}

// Audit appends a record for a change made in this transaction, chained to
// the previous record.
func (tx *Tx) Audit(ctx context.Context, r audit.Record) error {
	if err := tx.serialize(ctx); err != nil {
		return err
	}
	var prev string
	var last int64
	err := tx.queryRow(ctx, auditHead).Scan(&last, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		prev, last = audit.Genesis, 0
	} else if err != nil {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	r.Seq = last + 1
	r.At = tx.Now
	r.ActorID, r.Actor = tx.Actor.ID, tx.Actor.Login
	audit.Seal(&r, prev)
	_, err = tx.exec(ctx, auditAppend,
		r.Seq, r.At, r.ActorID, r.Actor, r.Action, r.Entity, r.EntityID, r.UnitCode, r.Reason,
		string(r.Before), string(r.After), r.PrevHash, r.Hash)
	if err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

const auditColumns = `seq, at, actor_id, actor, action, entity, entity_id, unit_code, reason, before, after, prev_hash, hash`

func scanAudit(rows interface{ Scan(...any) error }) (audit.Record, error) {
	var r audit.Record
	var before, after string
	var at time.Time
	err := rows.Scan(&r.Seq, &at, &r.ActorID, &r.Actor, &r.Action, &r.Entity, &r.EntityID, &r.UnitCode, &r.Reason,
		&before, &after, &r.PrevHash, &r.Hash)
	r.At = at.UTC()
	if before != "" {
		r.Before = []byte(before)
	}
	if after != "" {
		r.After = []byte(after)
	}
	return r, err
}

// EachAudit calls fn for every audit record in sequence order, streaming.
func (db *DB) EachAudit(ctx context.Context, fn func(audit.Record) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return fmt.Errorf("read audit: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// VerifyAudit checks the whole chain; it returns the number of records
// checked and an *audit.Break naming the first broken record.
func (db *DB) VerifyAudit(ctx context.Context) (int64, error) {
	v := audit.NewVerifier()
	err := db.EachAudit(ctx, v.Check)
	return v.Count(), err
}

// AuditQuery selects audit records.
type AuditQuery struct {
	Scopes   []string // subtrees the reader may see; nil for none, [""] for all
	Entity   string
	EntityID string
	Actor    string    // the login of who acted ("system" for imports and the demo)
	Action   string    // an action ("demand.submit"), or every action of an entity ("demand.")
	Under    string    // records of this subtree (within the scopes)
	From, To time.Time // records at or after From and before To, when set
	Before   int64     // records with a smaller sequence number; 0 for the newest
	Limit    int
}

// ListAudit returns records newest first within the reader's scopes.
func (db *DB) ListAudit(ctx context.Context, q AuditQuery) ([]audit.Record, error) {
	if len(q.Scopes) == 0 {
		return nil, nil
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where = append(where, scopeClause("unit_code", q.Scopes, arg))
	if q.Entity != "" {
		where = append(where, "entity = "+arg(q.Entity))
	}
	if q.EntityID != "" {
		where = append(where, "entity_id = "+arg(q.EntityID))
	}
	if q.Actor != "" {
		where = append(where, "actor = "+arg(q.Actor))
	}
	if prefix, ok := strings.CutSuffix(q.Action, "."); ok {
		// "demand." to "demand/": every action that begins "demand.".
		where = append(where, "action >= "+arg(prefix+".")+" AND action < "+arg(prefix+"/"))
	} else if q.Action != "" {
		where = append(where, "action = "+arg(q.Action))
	}
	if q.Under != "" {
		where = append(where, scopeClause("unit_code", []string{q.Under}, arg))
	}
	if !q.From.IsZero() {
		where = append(where, "at >= "+arg(q.From.UTC()))
	}
	if !q.To.IsZero() {
		where = append(where, "at < "+arg(q.To.UTC()))
	}
	if q.Before > 0 {
		where = append(where, "seq < "+arg(q.Before))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit WHERE `+strings.Join(where, " AND ")+
		` ORDER BY seq DESC LIMIT `+arg(q.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []audit.Record
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// scopeClause restricts col to the union of the subtrees in scopes, using
// code ranges so that an index on col serves it. An empty scope is all.
func scopeClause(col string, scopes []string, arg func(any) string) string {
	var ors []string
	for _, s := range scopes {
		if s == "" {
			return "TRUE"
		}
		ors = append(ors, fmt.Sprintf("(%s >= %s AND %s < %s)", col, arg(s), col, arg(s+":")))
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}
