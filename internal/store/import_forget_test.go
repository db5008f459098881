package store_test

import (
	"context"
	"testing"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
)

// A server that imports the tree knows the new units at once, as with every
// other change it makes (Tx.committed), not only once it next asks the
// database for the tree's version (within a second, as other servers do).
func TestImportedUnitsKnownAtOnceToTheImporter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ImportUnits(ctx, store.System, villages(2), nil); err != nil {
			t.Fatal(err)
		}
		tr, err := db.Tree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tr.Get("430922112003"); ok {
			t.Fatal("village 3 before its import")
		}
		if _, err := db.ImportUnits(ctx, store.System, villages(3), nil); err != nil {
			t.Fatal(err)
		}
		if tr, err = db.Tree(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok := tr.Get("430922112003"); !ok {
			t.Error("the importing server's tree lacks the village it has just imported")
		}
	})
}
