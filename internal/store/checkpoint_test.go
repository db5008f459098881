package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A server copies SQLite's write-ahead log back into the database file by
// itself, without a commit doing it: the file grows while the writer's
// own threshold (100,000 pages) is far away.
func TestBackgroundCheckpoint(t *testing.T) {
	every := checkpointEvery
	checkpointEvery = 50 * time.Millisecond
	defer func() { checkpointEvery = every }()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ckpt.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func(name string) int64 {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	time.Sleep(200 * time.Millisecond) // what migrating wrote is copied
	before := size(path)
	err = db.Write(ctx, System, func(tx *Tx) error {
		_, err := tx.exec(ctx, `CREATE TABLE filler (b BLOB)`)
		for i := 0; i < 200 && err == nil; i++ {
			_, err = tx.exec(ctx, `INSERT INTO filler VALUES (randomblob(8192))`)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if size(path+"-wal") < 1<<20 {
		t.Fatalf("the log holds %d bytes after 1.6 MB written", size(path+"-wal"))
	}
	deadline := time.Now().Add(10 * time.Second)
	for size(path) < before+1<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes, %d before the write: the log was not copied back", size(path), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM filler`).Scan(&n); err != nil || n != 200 {
		t.Fatalf("%d rows (%v), 200 expected", n, err)
	}
}
