package store

import (
	"context"
	"errors"
	"fmt"
)

// journalLimit is the size SQLite's write-ahead log is cut back to when a
// checkpoint has copied all of it (64 MiB).
const journalLimit = 64 << 20

// ErrNotDurable refuses a PostgreSQL server that would acknowledge a commit
// before it is on disk.
var ErrNotDurable = errors.New("the PostgreSQL server does not make commits durable")

// checkDurable refuses a PostgreSQL server on which an acknowledged commit
// could be lost by a power cut: synchronous_commit off (for this
// connection's settings too), or fsync off.
func (db *DB) checkDurable(ctx context.Context) error {
	var commit, fsync string
	if err := db.w.QueryRowContext(ctx, `SELECT current_setting('synchronous_commit'), current_setting('fsync')`).Scan(&commit, &fsync); err != nil {
		return fmt.Errorf("read durability settings: %w", err)
	}
	if commit == "off" {
		return fmt.Errorf("%w: synchronous_commit is off; set it to on (or remove it from the address)", ErrNotDurable)
	}
	if fsync != "on" {
		return fmt.Errorf("%w: fsync is %s; set it to on in postgresql.conf", ErrNotDurable, fsync)
	}
	return nil
}

// TruncateLog copies SQLite's write-ahead log back into the database and
// empties it, after work that wrote much (an import of the tree): the log
// would otherwise keep the size of that work on disk. It waits for readers
// that still read the log. On PostgreSQL it does nothing.
func (db *DB) TruncateLog(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	if _, err := db.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}
