package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"lighten/internal/store"
	"lighten/internal/units"
)

const importUsage = `usage: lighten import units [--db URL] DIR

Reads the national unit tree from DIR, which holds provinces, cities, areas,
streets and villages, each as NAME.csv.gz or NAME.csv (the National Bureau of
Statistics codes as packaged by china-division), and writes it to the database
in one transaction. Running it again renames changed units and adds new ones;
nothing is duplicated or removed. A fault in the files stops the import before
anything is written.

flags:
`

// cmdImport runs `lighten import units`.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import units", stderr)
	dsn := dbFlag(fs, "lighten.db")
	fs.Usage = func() {
		fmt.Fprint(stderr, importUsage)
		fs.PrintDefaults()
	}
	switch {
	case len(args) == 0:
		fs.Usage()
		return errors.New("import: say what to import: lighten import units DIR")
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		fs.Usage()
		return flag.ErrHelp
	case args[0] == "coordinates":
		return cmdImportCoordinates(ctx, args[1:], stdout, stderr)
	case args[0] != "units":
		return fmt.Errorf("import: unknown kind %q; lighten imports units (lighten import units DIR) and coordinates (lighten import coordinates FILE)", args[0])
	}
	// Flags may come before or after DIR.
	var dirs []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		dirs = append(dirs, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(dirs) != 1 {
		fs.Usage()
		return fmt.Errorf("import units: give one folder, not %d", len(dirs))
	}
	return importUnits(ctx, *dsn, dirs[0], stdout, stderr)
}

func importUnits(ctx context.Context, dsn, dir string, stdout, stderr io.Writer) error {
	start := time.Now()
	fmt.Fprintf(stderr, "reading units from %s\n", dir)
	all, err := units.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("import units: %w; nothing was written", err)
	}
	fmt.Fprintf(stderr, "read %d units in %.1f s; writing them\n", len(all), time.Since(start).Seconds())

	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return fmt.Errorf("import units: %w", err)
	}
	defer db.Close()
	progress, done := importProgress(stderr, len(all))
	st, err := db.ImportUnits(ctx, store.System, all, progress)
	done()
	if err != nil {
		return fmt.Errorf("import units into %s: %w; nothing was written", db.URL, err)
	}
	fmt.Fprintf(stdout, "imported %d units into %s in %.1f s: %d added, %d renamed, %d unchanged\n",
		st.Read, db.URL, time.Since(start).Seconds(), st.Added, st.Renamed, st.Unchanged)
	return nil
}

// importProgress draws a bar on a terminal and writes a line at every tenth
// otherwise, so that logs stay readable. done ends the bar.
func importProgress(w io.Writer, total int) (store.Progress, func()) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("importing units"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)
		return func(done, _ int) { bar.Set(done) }, func() {
			if !bar.IsFinished() {
				bar.Exit() // a failed import leaves the bar where it stopped
				fmt.Fprintln(w)
			}
		}
	}
	next := 1 // the next tenth to report
	return func(done, total int) {
		if total == 0 || done*10 < next*total {
			return
		}
		for done*10 >= next*total {
			next++
		}
		fmt.Fprintf(w, "imported %d/%d units\n", done, total)
	}, func() {}
}
