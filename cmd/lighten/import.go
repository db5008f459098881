package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// cmdImport runs `lighten import units`.
func cmdImport(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(l, "import units", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	fs.Usage = func() {
		fmt.Fprint(stderr, i18n.T(l, "cli.import.usage"))
		printDefaults(l, fs, stderr)
	}
	switch {
	case len(args) == 0:
		fs.Usage()
		return failf("cli.import.say")
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		fs.Usage()
		return flag.ErrHelp
	case args[0] == "coordinates":
		return cmdImportCoordinates(ctx, l, args[1:], stdout, stderr)
	case args[0] != "units":
		return failf("cli.import.unknown_kind", args[0])
	}
	// Flags may come before or after DIR.
	var dirs []string
	rest := args[1:]
	for {
		if err := parseFlags(l, fs, rest); err != nil {
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
		return failf("cli.import.one_folder", len(dirs))
	}
	return importUnits(ctx, l, *dsn, dirs[0], stdout, stderr)
}

func importUnits(ctx context.Context, l i18n.Lang, dsn, dir string, stdout, stderr io.Writer) error {
	start := time.Now()
	say(stderr, l, "cli.import.reading", dir)
	all, err := units.ReadDir(dir)
	if err != nil {
		return failf("cli.import.not_written", err)
	}
	say(stderr, l, "cli.import.read", len(all), time.Since(start).Seconds())

	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return failf("cli.import.error", err)
	}
	defer db.Close()
	progress, done := importProgress(l, stderr, len(all))
	st, err := db.ImportUnits(ctx, store.System, all, progress)
	done()
	if err != nil {
		return failf("cli.import.into_error", db.URL, err)
	}
	say(stdout, l, "cli.import.imported", st.Read, db.URL, time.Since(start).Seconds(), st.Added, st.Renamed, st.Unchanged)
	return nil
}

// importProgress draws a bar on a terminal and writes a line at every tenth
// otherwise, so that logs stay readable. done ends the bar.
func importProgress(l i18n.Lang, w io.Writer, total int) (store.Progress, func()) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(i18n.T(l, "cli.import.progress_bar")),
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
		say(w, l, "cli.import.progress", done, total)
	}, func() {}
}
