package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

const dutiesUsage = `usage:
  lighten duties import [--db URL] --owner CODE --level township|village --effective YYYY-MM-DD [--note TEXT] FILE.xlsx
  lighten duties export [--db URL] --unit CODE [--date YYYY-MM-DD] FILE.xlsx

A workbook holds the three lists townships publish, one sheet each: 自身职责 (own
duties), 配合职责 (assisting duties, naming the lead office) and 负面清单 (the
negative list). Importing saves a new version of the office's list, in force
from the date; it is all or nothing, and a lower office may not take a matter
off the negative list it inherits. Exporting writes the list in force for a unit.
`

func cmdDuties(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, dutiesUsage)
		return errors.New("duties: say import or export")
	}
	fs := newFlags("duties "+args[0], stderr)
	dsn := dbFlag(fs, "lighten.db")
	owner := fs.String("owner", "", "unit code of the office whose list it is (0 for the country)")
	level := fs.String("level", "", "township or village")
	effective := fs.String("effective", "", "the day it takes effect, YYYY-MM-DD")
	note := fs.String("note", "", "a note on this version")
	unit := fs.String("unit", "", "the township or village whose list in force to export")
	date := fs.String("date", "", "the day the list is in force (default today)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, dutiesUsage)
		return errors.New("duties: give one .xlsx file")
	}
	path := fs.Arg(0)
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	if args[0] == "export" {
		u, ok := t.Get(*unit)
		if !ok || (u.Level != units.Township && u.Level != units.Village) {
			return fmt.Errorf("duties export: --unit %q is not a township or village", *unit)
		}
		day := time.Now().In(gate.China)
		if *date != "" {
			if day, err = time.ParseInLocation("2006-01-02", *date, gate.China); err != nil {
				return fmt.Errorf("duties export: --date %q: YYYY-MM-DD expected", *date)
			}
		}
		book, err := db.DutyBook(ctx)
		if err != nil {
			return err
		}
		eff := book.At(u.Code, u.Level, day)
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := duties.WriteXLSX(f, eff.Sorted()); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %d matters in force for %s %s on %s to %s\n", len(eff.Matters), u.Name, u.Code, day.Format("2006-01-02"), path)
		return nil
	}
	o := *owner
	if o == "0" {
		o = ""
	}
	if _, ok := t.Get(o); o != "" && !ok {
		return fmt.Errorf("duties import: --owner %q: no such unit", *owner)
	}
	lv, err := units.ParseLevel(*level)
	if err != nil {
		return fmt.Errorf("duties import: --level: %w", err)
	}
	eff, err := time.ParseInLocation("2006-01-02", *effective, gate.China)
	if err != nil {
		return fmt.Errorf("duties import: --effective %q: YYYY-MM-DD expected", *effective)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	matters, err := duties.ReadXLSX(f)
	if err != nil {
		return fmt.Errorf("duties import %s: %w; nothing was written", path, err)
	}
	l := &duties.List{Owner: o, Level: lv, Effective: eff, Matters: matters, Note: *note}
	if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveDutyList(ctx, l) }); err != nil {
		return fmt.Errorf("duties import %s: %w; nothing was written", path, err)
	}
	fmt.Fprintf(stdout, "saved version %d of the %s list of %s: %d matters, in force from %s\n", l.Version, lv, ownerLabel(t, o), len(matters), *effective)
	return nil
}

func ownerLabel(t *units.Tree, code string) string {
	if u, ok := t.Get(code); ok {
		return u.Name + " " + u.Code
	}
	return "the country"
}
