package store

import "context"

// advisoryLock takes, on PostgreSQL, a transaction-scoped advisory lock
// named by key within this database's schema. PostgreSQL's advisory locks
// belong to the whole database, not to a schema: lighten instances (and the
// tests, each in a schema of its own) sharing one database would otherwise
// serialise each other's writes on one key, and deadlock when their
// transactions take two keys in different orders.
func (tx *Tx) advisoryLock(ctx context.Context, key int64) error {
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(current_schema(), $1))`, key)
	return err
}
