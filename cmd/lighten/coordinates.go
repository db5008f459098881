package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"lighten/internal/store"
	"lighten/internal/units"
)

// cmdImportCoordinates runs `lighten import coordinates FILE`: where units
// are, so that the gate can estimate travel to meetings. All or nothing.
func cmdImportCoordinates(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import coordinates", stderr)
	dsn := dbFlag(fs, "lighten.db")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: lighten import coordinates [--db URL] FILE (CSV with the header code,lat,lon)")
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import coordinates: %w", err)
	}
	defer f.Close()
	coords, err := units.ReadCoordinates(f, path)
	if err != nil {
		return fmt.Errorf("import coordinates: %w; nothing was written", err)
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SetCoordinates(ctx, coords) }); err != nil {
		return fmt.Errorf("import coordinates: %w; nothing was written", err)
	}
	fmt.Fprintf(stdout, "located %d units\n", len(coords))
	return nil
}
