package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
)

// Servers started at once on a database they find empty (or older than
// they are) all start: one brings the schema up to date, the others find
// it so.
func TestServersStartTogether(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dsn := storetest.DSN(t, store.Postgres)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Errorf("server %d: %v", i, err)
				return
			}
			defer db.Close()
			if have, know, err := db.SchemaVersion(ctx); err != nil || have != know {
				t.Errorf("server %d: schema %d of %d, %v", i, have, know, err)
			}
		}()
	}
	wg.Wait()
}
