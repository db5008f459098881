package store

import (
	"context"
	"fmt"
)

// Health reads the schema version the database holds, and the newest this
// program knows, through a reader: on SQLite the one writer may be busy
// with a long import, and a health check must not wait for it.
func (db *DB) Health(ctx context.Context) (have, know int64, err error) {
	know = db.known // read once when the database was opened
	// goose's own table: the highest version applied and not rolled back.
	err = db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&have)
	if err != nil {
		return 0, know, fmt.Errorf("read schema version: %w", err)
	}
	return have, know, nil
}
