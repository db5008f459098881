package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// TestSQLiteWriterSyncsEveryCommit: the writer's commits reach the disk
// before they are acknowledged (synchronous=FULL), so a power cut loses
// nothing acknowledged.
func TestSQLiteWriterSyncsEveryCommit(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite, store.Options{})
	if got := db.WriterPragma(t, "synchronous"); got != "2" {
		t.Fatalf("the writer's synchronous is %s, want 2 (FULL)", got)
	}
	if got := db.WriterPragma(t, "journal_size_limit"); got != fmt.Sprint(64<<20) {
		t.Fatalf("journal_size_limit %s", got)
	}
}

// TestLogEmptiedAfterImport: an import that writes much leaves no log of
// its size beside the database.
func TestLogEmptiedAfterImport(t *testing.T) {
	t.Parallel()
	dsn := storetest.DSN(t, store.SQLite)
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tree := []units.Unit{{Code: "43", Name: "湖南省", Level: units.Province}, {Code: "4309", Name: "益阳市", Level: units.City, Parent: "43"},
		{Code: "430922", Name: "桃江县", Level: units.County, Parent: "4309"}}
	for i := 0; i < 100; i++ {
		town := fmt.Sprintf("430922%03d", 100+i)
		tree = append(tree, units.Unit{Code: town, Name: fmt.Sprintf("第%d镇", i), Level: units.Township, Parent: "430922"})
		for j := 0; j < 300; j++ {
			tree = append(tree, units.Unit{Code: fmt.Sprintf("%s%03d", town, 200+j), Name: fmt.Sprintf("第%d镇第%d村", i, j), Level: units.Village, Parent: town})
		}
	}
	if _, err := db.ImportUnits(context.Background(), store.System, tree, nil); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dsn + "-wal")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err == nil && st.Size() > 1<<20 {
		t.Fatalf("the log holds %d bytes after the import", st.Size())
	}
	main, err := os.Stat(dsn)
	if err != nil || main.Size() < 2<<20 {
		t.Fatalf("the import did not reach the database file: %v %v", main, err)
	}
}

// TestPostgresMustBeDurable: a server or address that would acknowledge a
// commit before it is on disk is refused at start.
func TestPostgresMustBeDurable(t *testing.T) {
	t.Parallel()
	dsn := storetest.DSN(t, store.Postgres)
	_, err := store.Open(context.Background(), dsn+"&synchronous_commit=off", store.Options{})
	if !errors.Is(err, store.ErrNotDurable) || !strings.Contains(err.Error(), "synchronous_commit") {
		t.Fatalf("opened with synchronous_commit off: %v", err)
	}
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}
