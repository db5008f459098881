package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"lighten/internal/collect"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/web"
)

// cmdDHIS2 imports and exports values in DHIS2's dataValueSets form.
func cmdDHIS2(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, i18n.T(l, "cli.dhis2.usage"))
		return failf("cli.dhis2.say")
	}
	fs := newFlags(l, "dhis2 "+args[0], stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	element := fs.String("element", "", i18n.T(l, "cli.dhis2.flag.element"))
	period := fs.String("period", "", i18n.T(l, "cli.dhis2.flag.period"))
	under := fs.String("under", "", i18n.T(l, "cli.dhis2.flag.under"))
	format := fs.String("format", "", i18n.T(l, "cli.dhis2.flag.format"))
	if err := parseFlags(l, fs, args[1:]); err != nil {
		return err
	}
	// Flags may follow the file.
	rest := fs.Args()
	if len(rest) > 0 {
		if err := parseFlags(l, fs, rest[1:]); err != nil {
			return err
		}
		rest = append(rest[:1], fs.Args()...)
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, i18n.T(l, "cli.dhis2.usage"))
		return failf("cli.dhis2.one_file")
	}
	path := rest[0]
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "import" {
		return dhis2Import(ctx, l, db, path, stdout, stderr)
	}
	return dhis2Export(ctx, l, db, path, *element, *period, *under, *format, stdout)
}

func dhis2Import(ctx context.Context, l i18n.Lang, db *store.DB, path string, stdout, stderr io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	isCSV := strings.EqualFold(filepath.Ext(path), ".csv")
	fail := func(err error) error {
		var fs collect.Faults
		if errors.As(err, &fs) {
			for _, f := range fs {
				fmt.Fprintf(stderr, "%s: %s\n", path, errorText(l, f))
			}
			return failf("cli.dhis2.import_faults", path, len(fs))
		}
		return failf("cli.dhis2.import_error", path, err)
	}
	vals, err := collect.ReadDataValues(bytes.NewReader(data), isCSV)
	if err != nil {
		return fail(err)
	}
	d, err := db.Dictionary(ctx)
	if err != nil {
		return err
	}
	t, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	checked, err := collect.CheckDataValues(vals, d.Elements, func(code string) bool {
		_, ok := t.Get(code)
		return ok && code != ""
	})
	if err != nil {
		return fail(err)
	}
	format := "json"
	if isCSV {
		format = "csv"
	}
	res, err := web.ImportDataValues(ctx, db, store.System, checked, format)
	if err != nil {
		return fail(err)
	}
	say(stdout, l, "cli.dhis2.imported", res.Values, res.Elements, res.Units, path)
	return nil
}

func dhis2Export(ctx context.Context, l i18n.Lang, db *store.DB, path, element, period, under, format string, stdout io.Writer) error {
	split := func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	codes, periods := split(element), split(period)
	if len(codes) == 0 || len(periods) == 0 {
		return failf("cli.dhis2.required")
	}
	if format == "" {
		format = "json"
		if strings.EqualFold(filepath.Ext(path), ".csv") {
			format = "csv"
		}
	}
	if format != "json" && format != "csv" {
		return failf("cli.dhis2.bad_format", format)
	}
	d, err := db.Dictionary(ctx)
	if err != nil {
		return err
	}
	q := web.DHIS2Query{Children: true}
	for _, c := range codes {
		e, ok := d.Elements[c]
		if !ok {
			return failf("cli.dhis2.no_element", c)
		}
		q.Elements = append(q.Elements, e)
	}
	for _, p := range periods {
		pt, key, err := collect.FromDHIS2Period(p)
		if err != nil {
			return failf("cli.dhis2.bad_period", err)
		}
		q.Periods = append(q.Periods, web.DHIS2Period{Type: pt, Key: key})
	}
	for _, e := range q.Elements {
		found := false
		for _, p := range q.Periods {
			found = found || p.Type == e.Period
		}
		if !found {
			return failf("cli.dhis2.no_period_of_type", e.Code, string(e.Period))
		}
	}
	if under != "" {
		t, err := db.Tree(ctx)
		if err != nil {
			return err
		}
		if _, ok := t.Get(under); !ok {
			if _, valid := units.LevelOfCode(under); !valid {
				return failf("cli.dhis2.under_not_code", under)
			}
			return failf("cli.dhis2.under_no_unit", under)
		}
		q.Units = []string{under}
	}
	var w io.Writer = stdout
	var file *os.File
	if path != "-" {
		if file, err = os.Create(path); err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	out, err := collect.NewDataValueWriter(w, format)
	if err != nil {
		return err
	}
	n, err := web.ExportDataValues(ctx, db, q, out)
	if err == nil {
		err = out.Close()
	}
	if err == nil && file != nil {
		err = file.Close()
	}
	if err != nil {
		return failf("cli.dhis2.export_error", path, err)
	}
	if path != "-" {
		say(stdout, l, "cli.dhis2.wrote", n, path)
	}
	return nil
}
