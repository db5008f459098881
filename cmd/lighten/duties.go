package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

func cmdDuties(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, i18n.T(l, "cli.duties.usage"))
		return failf("cli.duties.say")
	}
	fs := newFlags(l, "duties "+args[0], stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	owner := fs.String("owner", "", i18n.T(l, "cli.duties.flag.owner"))
	level := fs.String("level", "", i18n.T(l, "cli.duties.flag.level"))
	effective := fs.String("effective", "", i18n.T(l, "cli.duties.flag.effective"))
	note := fs.String("note", "", i18n.T(l, "cli.duties.flag.note"))
	unit := fs.String("unit", "", i18n.T(l, "cli.duties.flag.unit"))
	date := fs.String("date", "", i18n.T(l, "cli.duties.flag.date"))
	if err := parseFlags(l, fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, i18n.T(l, "cli.duties.usage"))
		return failf("cli.duties.one_file")
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
			return failf("cli.duties.export_unit", *unit)
		}
		day := time.Now().In(gate.China)
		if *date != "" {
			if day, err = time.ParseInLocation("2006-01-02", *date, gate.China); err != nil {
				return failf("cli.duties.export_date", *date)
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
		say(stdout, l, "cli.duties.wrote", len(eff.Matters), u.Name, u.Code, day.Format("2006-01-02"), path)
		return nil
	}
	o := *owner
	if o == "0" {
		o = ""
	}
	if _, ok := t.Get(o); o != "" && !ok {
		return failf("cli.duties.import_owner", *owner)
	}
	lv, err := units.ParseLevel(*level)
	if err != nil {
		return failf("cli.duties.import_level", err)
	}
	eff, err := time.ParseInLocation("2006-01-02", *effective, gate.China)
	if err != nil {
		return failf("cli.duties.import_effective", *effective)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	matters, err := duties.ReadXLSX(f)
	if err != nil {
		return failf("cli.duties.import_error", path, err)
	}
	list := &duties.List{Owner: o, Level: lv, Effective: eff, Matters: matters, Note: *note}
	if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveDutyList(ctx, list) }); err != nil {
		return failf("cli.duties.import_error", path, err)
	}
	say(stdout, l, "cli.duties.saved", list.Version, levelName(l, lv), ownerLabel(l, t, o), len(matters), *effective)
	return nil
}

// levelName names a level in l.
func levelName(l i18n.Lang, lv units.Level) string {
	if !lv.Valid() {
		return lv.String()
	}
	return i18n.T(l, "level."+lv.String())
}

func ownerLabel(l i18n.Lang, t *units.Tree, code string) string {
	if u, ok := t.Get(code); ok {
		return u.Name + " " + u.Code
	}
	return i18n.T(l, "problem.duty.country")
}
