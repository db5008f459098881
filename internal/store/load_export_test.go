package store

import (
	"context"
	"database/sql"
)

// HoldReaders takes n of the readers' connections until release is called.
func (db *DB) HoldReaders(ctx context.Context, n int) (release func(), err error) {
	var held []*sql.Conn
	release = func() {
		for _, c := range held {
			c.Close()
		}
	}
	for i := 0; i < n; i++ {
		c, err := db.r.Conn(ctx)
		if err != nil {
			release()
			return nil, err
		}
		held = append(held, c)
	}
	return release, nil
}

// ReaderWaits is how many times a read has waited for a reader's connection.
func (db *DB) ReaderWaits() int64 { return db.r.Stats().WaitCount }

// TakeLocks takes and lets go each lock of the store's caches in turn: it
// returns only when none is held elsewhere for good.
func (db *DB) TakeLocks() {
	for _, mu := range []interface {
		Lock()
		Unlock()
	}{&db.collect.mu, &db.reports.compl.mu, &db.reports.mu, &db.treeMu,
		&db.policies.mu, &db.duties.mu, &db.loads.mu, &db.readersMu, &db.auth.mu} {
		mu.Lock()
		mu.Unlock()
	}
}

// ForgetElements is what a change to the dictionary does on commit.
func (db *DB) ForgetElements() { db.collect.forgetElements() }

// ForgetTree is what a change to the tree does on commit.
func (db *DB) ForgetTree() { db.forgetTree() }

// ForgetCaches makes every versioned cache read the database again.
func (db *DB) ForgetCaches() {
	db.policies.forget()
	db.duties.forget()
	db.loads.forget()
}

// CatchUpRows is how many value rows the fresh-value sets' catch-ups read.
func (db *DB) CatchUpRows() int64 {
	db.collect.mu.Lock()
	defer db.collect.mu.Unlock()
	return db.collect.rowsRead
}
