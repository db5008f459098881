// Command lighten is the gate through which every demand on the grassroots
// passes: one binary that serves the web UI and API, and administers the
// database from the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

const usage = `lighten — the one gate for every demand on the grassroots

Usage:
  lighten demo    [--db FILE] [--addr HOST:PORT]     run the demo county (SQLite) and serve it
  lighten serve   [--db URL] [--addr HOST:PORT]      serve the web UI and API
  lighten migrate [--db URL] [--status]              bring the schema up to date
  lighten import units [--db URL] DIR                load the national unit tree from DIR
  lighten user add [--db URL] --login L --name N --unit CODE [--office ID]
                   --role ROLE@CODE ... [--password-stdin]
  lighten duties import [--db URL] --owner CODE --level L --effective DATE FILE.xlsx
                                                     save a version of an office's duty list (three-list layout)
  lighten duties export [--db URL] --unit CODE FILE.xlsx  write the duty list in force for a unit
  lighten dhis2 import [--db URL] FILE               load DHIS2 dataValueSets (JSON or .csv), all or nothing
  lighten dhis2 export [--db URL] --element CODE --period P [--under CODE] [--format json|csv] FILE
  lighten draw verify FILE                           recompute a published inspection draw from its record
  lighten inspectors import [--db URL] FILE          load the inspector register (CSV or .xlsx), all or nothing
  lighten inspectors export [--db URL] [--format csv|xlsx] [FILE]
  lighten plans list [--db URL] [--year YEAR]        the annual plans of inspections and research visits
  lighten visits schedule [--db URL] --scope CODE --from YYYY-MM-DD --to YYYY-MM-DD
                                                     merge and schedule the drawn visits of a window
  lighten audit verify [--db URL]                    check the audit hash chain
  lighten calendar load [--db URL] FILE              store newer or corrected years of the official calendar
  lighten calendar show [--db URL] YEAR              list a year's holidays, make-up working days and working-day count
  lighten version

The database is --db, else $LIGHTEN_DB, else lighten.db (SQLite). A postgres://
URL selects PostgreSQL. Run "lighten COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "lighten:", err)
		}
		os.Exit(1)
	}
}

// run is the whole program, callable in-process by tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout, stderr)
	case "import":
		return cmdImport(ctx, rest, stdout, stderr)
	case "user":
		return cmdUser(ctx, rest, stdin, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, rest, stdout, stderr)
	case "calendar":
		return cmdCalendar(ctx, rest, stdout, stderr)
	case "duties":
		return cmdDuties(ctx, rest, stdout, stderr)
	case "draw":
		return cmdDraw(ctx, rest, stdout, stderr)
	case "dhis2":
		return cmdDHIS2(ctx, rest, stdout, stderr)
	case "inspectors", "plans", "visits":
		return cmdVisitWork(ctx, cmd, rest, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "lighten", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// dbFlag adds the shared --db flag.
func dbFlag(fs *flag.FlagSet, def string) *string {
	if env := os.Getenv("LIGHTEN_DB"); env != "" {
		def = env
	}
	return fs.String("db", def, "database: a SQLite file path or sqlite: URL, or a postgres:// URL (env LIGHTEN_DB)")
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("lighten "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
