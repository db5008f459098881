package store

import "context"

// Exec lets tests tamper with rows behind the store's back.
func (db *DB) Exec(ctx context.Context, q string, args ...any) error {
	_, err := db.w.ExecContext(ctx, q, args...)
	return err
}

// DSNForTest is the address the database was opened with.
func (db *DB) DSNForTest() string { return db.dsn }

// WriterPragma reads a pragma on SQLite's writer connection.
func (db *DB) WriterPragma(t interface{ Fatal(...any) }, name string) string {
	var v string
	if err := db.w.QueryRow(`PRAGMA ` + name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
