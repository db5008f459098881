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
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/web"
)

const dhis2Usage = `usage:
  lighten dhis2 import [--db URL] FILE
  lighten dhis2 export [--db URL] --element CODE[,CODE…] --period P[,P…] [--under CODE] [--format json|csv] FILE

Values travel in DHIS2's dataValueSets form, JSON ({"dataValues": [...]}) or
CSV (header dataelement,period,orgunit,value; DHIS2's other columns are read
or ignored), mapped by code: dataElement is the element code, orgUnit the
unit's statistical code, and periods are DHIS2's: day 20261127, week 2026W48,
month 202611, quarter 2026Q4, year 2026.

Importing checks every value and stores them all, or none, as the system with
source "dhis2". A file ending in .csv is read as CSV, any other as JSON.
Exporting writes the current values of the elements for the periods, at
--under and every unit below it (the whole country without it); FILE "-" is
standard output.
`

// cmdDHIS2 imports and exports values in DHIS2's dataValueSets form.
func cmdDHIS2(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, dhis2Usage)
		return errors.New("dhis2: say import or export")
	}
	fs := newFlags("dhis2 "+args[0], stderr)
	dsn := dbFlag(fs, "lighten.db")
	element := fs.String("element", "", "element codes, comma-separated (export)")
	period := fs.String("period", "", "DHIS2 periods, comma-separated (export)")
	under := fs.String("under", "", "unit code: export it and every unit below it (default the country)")
	format := fs.String("format", "", "json or csv (export; default from the file's extension, else json)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	// Flags may follow the file.
	rest := fs.Args()
	if len(rest) > 0 {
		if err := fs.Parse(rest[1:]); err != nil {
			return err
		}
		rest = append(rest[:1], fs.Args()...)
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, dhis2Usage)
		return errors.New("dhis2: give one file")
	}
	path := rest[0]
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "import" {
		return dhis2Import(ctx, db, path, stdout, stderr)
	}
	return dhis2Export(ctx, db, path, *element, *period, *under, *format, stdout)
}

func dhis2Import(ctx context.Context, db *store.DB, path string, stdout, stderr io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	isCSV := strings.EqualFold(filepath.Ext(path), ".csv")
	fail := func(err error) error {
		var fs collect.Faults
		if errors.As(err, &fs) {
			for _, f := range fs {
				fmt.Fprintf(stderr, "%s: %s\n", path, f.Error())
			}
			return fmt.Errorf("dhis2 import %s: %d fault(s); nothing was written", path, len(fs))
		}
		return fmt.Errorf("dhis2 import %s: %w; nothing was written", path, err)
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
	fmt.Fprintf(stdout, "imported %d value(s) of %d element(s) for %d unit(s) from %s\n", res.Values, res.Elements, res.Units, path)
	return nil
}

func dhis2Export(ctx context.Context, db *store.DB, path, element, period, under, format string, stdout io.Writer) error {
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
		return errors.New("dhis2 export: --element and --period are required")
	}
	if format == "" {
		format = "json"
		if strings.EqualFold(filepath.Ext(path), ".csv") {
			format = "csv"
		}
	}
	if format != "json" && format != "csv" {
		return fmt.Errorf("dhis2 export: --format %q: json or csv expected", format)
	}
	d, err := db.Dictionary(ctx)
	if err != nil {
		return err
	}
	q := web.DHIS2Query{Children: true}
	for _, c := range codes {
		e, ok := d.Elements[c]
		if !ok {
			return fmt.Errorf("dhis2 export: --element %s: no such element", c)
		}
		q.Elements = append(q.Elements, e)
	}
	for _, p := range periods {
		pt, key, err := collect.FromDHIS2Period(p)
		if err != nil {
			return fmt.Errorf("dhis2 export: --period %w", err)
		}
		q.Periods = append(q.Periods, web.DHIS2Period{Type: pt, Key: key})
	}
	for _, e := range q.Elements {
		found := false
		for _, p := range q.Periods {
			found = found || p.Type == e.Period
		}
		if !found {
			return fmt.Errorf("dhis2 export: element %s is reported by %s, and no --period is of that type", e.Code, e.Period)
		}
	}
	if under != "" {
		t, err := db.Tree(ctx)
		if err != nil {
			return err
		}
		if _, ok := t.Get(under); !ok {
			if _, valid := units.LevelOfCode(under); !valid {
				return fmt.Errorf("dhis2 export: --under %q is not a statistical code", under)
			}
			return fmt.Errorf("dhis2 export: --under %s: no such unit", under)
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
		return fmt.Errorf("dhis2 export %s: %w", path, err)
	}
	if path != "-" {
		fmt.Fprintf(stdout, "wrote %d value(s) to %s\n", n, path)
	}
	return nil
}
