package main

import (
	"context"
	"io"
	"os"

	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// cmdImportCoordinates runs `lighten import coordinates FILE`: where units
// are, so that the gate can estimate travel to meetings. All or nothing.
func cmdImportCoordinates(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(l, "import coordinates", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	if err := parseFlags(l, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return failf("cli.coordinates.usage")
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return failf("cli.coordinates.error", err)
	}
	defer f.Close()
	coords, err := units.ReadCoordinates(f, path)
	if err != nil {
		return failf("cli.coordinates.not_written", err)
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SetCoordinates(ctx, coords) }); err != nil {
		return failf("cli.coordinates.not_written", err)
	}
	say(stdout, l, "cli.coordinates.located", len(coords))
	return nil
}
