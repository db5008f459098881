package store

import "context"

// SearchUnitsSQL runs a name search as a plain LIKE scan, the baseline that
// benchmarks compare the in-memory index with.
func (db *DB) SearchUnitsSQL(ctx context.Context, text string, limit int) error {
	rows, err := db.r.QueryContext(ctx, `SELECT code, name FROM units WHERE name LIKE $1 ESCAPE '\' ORDER BY level, code LIMIT $2`, LikeContains(text), limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}
