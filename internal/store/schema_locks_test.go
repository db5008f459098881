package store_test

import (
	"context"
	"testing"
	"time"

	"lighten/internal/audit"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
)

// Two lighten schemas in one PostgreSQL database do not wait for each
// other: a change being audited in one (holding its audit chain's lock)
// does not hold up an audited change in the other. (PostgreSQL's advisory
// locks belong to the database; keyed alike, every schema's writes were one
// at a time, and a schedule run in one schema deadlocked with a transaction
// of another that took the audit lock before the schedule's.)
func TestSchemasShareNoLocks(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	open := func() *store.DB {
		db, err := store.Open(ctx, storetest.DSN(t, store.Postgres), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	one, other := open(), open()
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- one.Write(ctx, store.System, func(tx *store.Tx) error {
			if err := tx.Audit(ctx, audit.Record{Action: "test.hold", Entity: "test"}); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-done:
		t.Fatal(err)
	}
	// Within the test's bound, well before the lock timeout: a wait for the
	// other schema's lock would end in lock_timeout or the deadline.
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	for _, lock := range []func(*store.Tx) error{
		func(tx *store.Tx) error { return tx.Audit(wctx, audit.Record{Action: "test.other", Entity: "test"}) },
		func(tx *store.Tx) error { return tx.LockGate(wctx) },
	} {
		if err := other.Write(wctx, store.System, lock); err != nil {
			t.Errorf("a change in another schema waited for this one's lock: %v", err)
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, db := range []*store.DB{one, other} {
		if n, err := db.VerifyAudit(ctx); err != nil || n == 0 {
			t.Errorf("audit: %d %v", n, err)
		}
	}
}
