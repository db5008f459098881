package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"lighten/internal/calendar"
	"lighten/internal/export"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/upload"
	"lighten/internal/visits"
)

// inspectorColumns are the register's columns in the order they are
// written, with the header names read for each.
var inspectorColumns = []struct {
	key     string
	names   []string
	require bool
}{
	{"number", []string{"number", "编号"}, true},
	{"name", []string{"name", "姓名"}, true},
	{"office", []string{"office", "所属部门"}, true},
	{"works", []string{"works", "工作单位"}, true},
	{"origin", []string{"origin", "籍贯"}, false},
	{"relations", []string{"relations", "申报亲属关系"}, false},
	{"capacity", []string{"capacity", "每日检查数"}, true},
	{"max_travel", []string{"max_travel", "每日路程分钟"}, true},
	{"away", []string{"away", "不在岗日期"}, false},
}

// cmdVisitWork runs the commands of the inspector register, the annual
// plans and the scheduling of visits.
func cmdVisitWork(ctx context.Context, l i18n.Lang, cmd string, args []string, stdout, stderr io.Writer) error {
	switch cmd {
	case "inspectors":
		return cmdInspectors(ctx, l, args, stdout, stderr)
	case "plans":
		return cmdPlans(ctx, l, args, stdout, stderr)
	}
	return cmdVisits(ctx, l, args, stdout, stderr)
}

func cmdInspectors(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, i18n.T(l, "cli.inspectors.usage"))
		return failf("cli.inspectors.say")
	}
	fs := newFlags(l, "inspectors "+args[0], stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	format := fs.String("format", "", i18n.T(l, "cli.inspectors.flag.format"))
	if err := parseFlags(l, fs, args[1:]); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) > 0 { // flags may follow the file
		if err := parseFlags(l, fs, rest[1:]); err != nil {
			return err
		}
		rest = append(rest[:1], fs.Args()...)
	}
	if len(rest) > 1 || (args[0] == "import" && len(rest) != 1) {
		fmt.Fprint(stderr, i18n.T(l, "cli.inspectors.usage"))
		return failf("cli.inspectors.one_file")
	}
	path := "-"
	if len(rest) == 1 {
		path = rest[0]
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "import" {
		return inspectorsImport(ctx, l, db, path, stdout, stderr)
	}
	return inspectorsExport(ctx, l, db, path, *format, stdout)
}

// allOffices reads every office, by id.
func allOffices(ctx context.Context, db *store.DB) (map[int64]units.Office, error) {
	out := map[int64]units.Office{}
	q := store.ListQuery{Scopes: []string{""}, Limit: 500}
	for {
		list, total, err := db.ListOffices(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			out[o.ID] = o
		}
		q.Offset += len(list)
		if len(list) == 0 || q.Offset >= total {
			return out, nil
		}
	}
}

// registerLimits bound an inspector register read from a file, as every
// upload is bounded: a county's register is a few thousand rows.
var registerLimits = upload.Limits{File: 8 * upload.MiB, Unzipped: 64 * upload.MiB, Sheet: 32 * upload.MiB,
	Other: 8 * upload.MiB, Parts: 1000, Elements: 50_000, Strings: 200_000, Text: upload.TextBytes,
	Rows: 20_000, Columns: 64, Cells: 500_000, Line: 64 << 10}

// readRegisterFile reads a register file of at most registerLimits.File
// bytes.
func readRegisterFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, registerLimits.File+1))
	if err == nil && int64(len(data)) > registerLimits.File {
		err = &upload.LimitError{Limit: "file", Max: registerLimits.File}
	}
	return data, err
}

// readTable reads the rows of a CSV file or of a workbook's first sheet,
// within registerLimits, stopping when ctx ends.
func readTable(ctx context.Context, path string, data []byte) ([][]string, error) {
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		wb, err := upload.OpenWorkbook(ctx, data, registerLimits)
		var nw *upload.NotWorkbook
		if errors.As(err, &nw) {
			return nil, failf("cli.inspectors.not_xlsx", nw.Err)
		}
		if err != nil {
			return nil, err
		}
		defer wb.Close()
		sheets := wb.Sheets()
		if len(sheets) == 0 {
			return nil, failf("cli.inspectors.no_sheet")
		}
		rows, err := wb.Rows(ctx, sheets[0], false)
		if errors.As(err, &nw) {
			return nil, failf("cli.inspectors.not_xlsx", nw.Err)
		}
		if err != nil || len(rows) == 0 {
			return rows, err
		}
		// A workbook leaves out a row's empty cells at its end.
		for i, r := range rows {
			for len(r) < len(rows[0]) {
				r = append(r, "")
			}
			rows[i] = r
		}
		return rows, nil
	}
	if !utf8.Valid(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))) {
		return nil, failf("cli.inspectors.not_utf8")
	}
	r := upload.NewCSV(ctx, bytes.NewReader(data), registerLimits)
	r.TrimLeadingSpace = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, rec)
	}
}

// rowFault is one fault of an imported row: the row (as numbered in the
// file, the header being 1), the column and what was expected, as a
// catalogue key and its arguments.
type rowFault struct {
	row    int
	column string
	key    string
	args   []any
}

// String gives the fault in English.
func (f rowFault) String() string { return f.In(i18n.EN) }

// In gives the fault in l.
func (f rowFault) In(l i18n.Lang) string {
	msg := i18n.T(l, f.key, f.args...)
	if f.column == "" {
		return i18n.T(l, "cli.inspectors.fault_row", f.row, msg)
	}
	return i18n.T(l, "cli.inspectors.fault_row_column", f.row, f.column, msg)
}

// splitList splits a cell holding several values.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == '；' || r == ',' || r == '，' || r == '、' || r == ' ' || r == '\n'
	}) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseInspectors checks every row of the register against the tree and the
// offices, and returns the entries, or every fault found.
func parseInspectors(rows [][]string, t *units.Tree, offices map[int64]units.Office) ([]visits.RegisteredInspector, []rowFault) {
	var faults []rowFault
	if len(rows) == 0 {
		return nil, []rowFault{{1, "", "cli.inspectors.fault.empty_file", nil}}
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		found := false
		for _, c := range inspectorColumns {
			if slices.Contains(c.names, h) {
				if _, dup := col[c.key]; dup {
					faults = append(faults, rowFault{1, rows[0][i], "cli.inspectors.fault.column_twice", nil})
				}
				col[c.key], found = i, true
			}
		}
		if !found {
			faults = append(faults, rowFault{1, rows[0][i], "cli.inspectors.fault.unknown_column", nil})
		}
	}
	for _, c := range inspectorColumns {
		if _, ok := col[c.key]; !ok && c.require {
			faults = append(faults, rowFault{1, c.key, "cli.inspectors.fault.missing_column", nil})
		}
	}
	if len(faults) > 0 {
		return nil, faults
	}
	byName := map[string][]units.Office{}
	for _, o := range offices {
		byName[o.Name] = append(byName[o.Name], o)
	}
	seen := map[string]int{}
	var out []visits.RegisteredInspector
	for r, cells := range rows[1:] {
		row := r + 2
		get := func(key string) string {
			if i, ok := col[key]; ok && i < len(cells) {
				// A cell the export quoted reads as what it quoted.
				return strings.TrimSpace(export.Restore(cells[i]))
			}
			return ""
		}
		blank := true
		for _, c := range cells {
			blank = blank && strings.TrimSpace(c) == ""
		}
		if blank {
			continue
		}
		fault := func(column, key string, a ...any) {
			faults = append(faults, rowFault{row, column, key, a})
		}
		unit := func(column, code string) bool {
			if _, ok := t.Get(code); !ok || code == "" {
				fault(column, "cli.inspectors.fault.not_unit", code)
				return false
			}
			return true
		}
		in := visits.RegisteredInspector{Number: get("number"), Name: get("name"), Works: get("works"), Origin: get("origin"), Active: true}
		switch {
		case in.Number == "":
			fault("number", "cli.inspectors.fault.number_empty")
		case utf8.RuneCountInString(in.Number) > 32:
			fault("number", "cli.inspectors.fault.number_long", in.Number)
		case seen[in.Number] != 0:
			fault("number", "cli.inspectors.fault.number_repeated", in.Number, seen[in.Number])
		default:
			seen[in.Number] = row
		}
		if in.Name == "" {
			fault("name", "cli.inspectors.fault.name_empty")
		}
		switch office := get("office"); {
		case office == "":
			fault("office", "cli.inspectors.fault.office_empty")
		default:
			if id, err := strconv.ParseInt(office, 10, 64); err == nil {
				if _, ok := offices[id]; ok {
					in.OfficeID = id
					break
				}
			}
			switch list := byName[office]; len(list) {
			case 1:
				in.OfficeID = list[0].ID
			case 0:
				if in.OfficeID == 0 {
					fault("office", "cli.inspectors.fault.office_unknown", office)
				}
			default:
				fault("office", "cli.inspectors.fault.office_ambiguous", office, len(list))
			}
		}
		if in.Works == "" {
			fault("works", "cli.inspectors.fault.works_empty")
		} else {
			unit("works", in.Works)
		}
		if in.Origin != "" {
			unit("origin", in.Origin)
		}
		for _, code := range splitList(get("relations")) {
			if unit("relations", code) && !slices.Contains(in.Relations, code) {
				in.Relations = append(in.Relations, code)
			}
		}
		number := func(column string, lo, hi int) int {
			s := get(column)
			n, err := strconv.Atoi(s)
			if err != nil || n < lo || n > hi {
				fault(column, "cli.inspectors.fault.whole_number", s, lo, hi)
			}
			return n
		}
		in.Capacity = number("capacity", 1, 20)
		in.MaxTravel = number("max_travel", 1, 1440)
		for _, part := range splitList(get("away")) {
			a, b, isRange := strings.Cut(part, "..")
			from, err := calendar.ParseDate(a)
			if err != nil {
				fault("away", "cli.inspectors.fault.away_date", part)
				continue
			}
			to := from
			if isRange {
				if to, err = calendar.ParseDate(b); err != nil || to.Before(from) || to.Sub(from) > 366 {
					fault("away", "cli.inspectors.fault.away_range", part)
					continue
				}
			}
			for d := from; !d.After(to); d = d.AddDays(1) {
				if !slices.Contains(in.Away, d) {
					in.Away = append(in.Away, d)
				}
			}
		}
		slices.SortFunc(in.Away, calendar.Date.Compare)
		out = append(out, in)
	}
	if len(out) == 0 && len(faults) == 0 {
		faults = append(faults, rowFault{2, "", "cli.inspectors.fault.no_rows", nil})
	}
	return out, faults
}

func inspectorsImport(ctx context.Context, l i18n.Lang, db *store.DB, path string, stdout, stderr io.Writer) error {
	data, err := readRegisterFile(path)
	var le *upload.LimitError
	if errors.As(err, &le) {
		return failf("cli.inspectors.import_error", path, err)
	}
	if err != nil {
		return err
	}
	rows, err := readTable(ctx, path, data)
	if err != nil {
		return failf("cli.inspectors.import_error", path, err)
	}
	t, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	offices, err := allOffices(ctx, db)
	if err != nil {
		return err
	}
	list, faults := parseInspectors(rows, t, offices)
	if len(faults) > 0 {
		for _, f := range faults {
			fmt.Fprintf(stderr, "%s: %s\n", path, f.In(l))
		}
		return failf("cli.inspectors.import_faults", path, len(faults))
	}
	have, err := db.Inspectors(ctx, store.InspectorFilter{})
	if err != nil {
		return err
	}
	known := map[string]visits.RegisteredInspector{}
	for _, in := range have {
		known[in.Number] = in
	}
	added, updated := 0, 0
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		for i := range list {
			in := &list[i]
			if old, ok := known[in.Number]; ok {
				in.ID, in.PersonID = old.ID, old.PersonID
				updated++
			} else {
				added++
			}
			if err := tx.SaveInspector(ctx, in); err != nil {
				return failf("cli.inspectors.inspector_error", in.Number, err)
			}
		}
		return nil
	})
	if err != nil {
		return failf("cli.inspectors.import_error", path, err)
	}
	say(stdout, l, "cli.inspectors.imported", len(list), path, added, updated)
	return nil
}

// inspectorRow is an entry as the register's columns write it.
func inspectorRow(in visits.RegisteredInspector, offices map[int64]units.Office) []string {
	office := strconv.FormatInt(in.OfficeID, 10)
	if o, ok := offices[in.OfficeID]; ok {
		office = o.Name
		for _, other := range offices {
			if other.ID != o.ID && other.Name == o.Name {
				office = strconv.FormatInt(o.ID, 10) // the name alone is ambiguous
			}
		}
	}
	away := make([]string, len(in.Away))
	for i, d := range in.Away {
		away[i] = d.String()
	}
	return []string{in.Number, in.Name, office, in.Works, in.Origin, strings.Join(in.Relations, ";"),
		strconv.Itoa(in.Capacity), strconv.Itoa(in.MaxTravel), strings.Join(away, ";")}
}

func inspectorsExport(ctx context.Context, l i18n.Lang, db *store.DB, path, format string, stdout io.Writer) error {
	if format == "" {
		format = "csv"
		if strings.EqualFold(filepath.Ext(path), ".xlsx") {
			format = "xlsx"
		}
	}
	if format != "csv" && format != "xlsx" {
		return failf("cli.inspectors.bad_format", format)
	}
	list, err := db.Inspectors(ctx, store.InspectorFilter{})
	if err != nil {
		return err
	}
	offices, err := allOffices(ctx, db)
	if err != nil {
		return err
	}
	header := make([]string, len(inspectorColumns))
	for i, c := range inspectorColumns {
		header[i] = c.key
	}
	var buf bytes.Buffer
	if format == "csv" {
		w := csv.NewWriter(&buf)
		w.Write(header)
		for _, in := range list {
			w.Write(export.Cells(inspectorRow(in, offices)...))
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
	} else {
		f := excelize.NewFile()
		sheet := "inspectors"
		if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		cells := func(s []string) []any {
			out := make([]any, len(s))
			for i, v := range s {
				out[i] = export.Cell(v)
			}
			return out
		}
		if err := sw.SetRow("A1", cells(header)); err != nil {
			return err
		}
		for i, in := range list {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, cells(inspectorRow(in, offices))); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		if err := f.Write(&buf); err != nil {
			return err
		}
	}
	if path == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	say(stdout, l, "cli.inspectors.wrote", len(list), path)
	return nil
}

func cmdPlans(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprint(stderr, i18n.T(l, "cli.plans.usage"))
		return failf("cli.plans.say")
	}
	fs := newFlags(l, "plans list", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	year := fs.Int("year", 0, i18n.T(l, "cli.plans.flag.year"))
	if err := parseFlags(l, fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, i18n.T(l, "cli.plans.usage"))
		return failf("cli.plans.unexpected", fs.Arg(0))
	}
	if *year != 0 && (*year < 2000 || *year > 2100) {
		return failf("cli.plans.bad_year", *year)
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	plans, err := db.Plans(ctx, store.PlanFilter{Year: *year})
	if err != nil {
		return err
	}
	if len(plans) == 0 {
		say(stdout, l, "cli.plans.none")
		return nil
	}
	offices, err := allOffices(ctx, db)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, p := range plans {
		office := offices[p.OfficeID].Name
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\n", i18n.T(l, "cli.plans.plan", p.ID), p.Year, p.Status, office, p.Title)
		for _, it := range p.Items {
			draw := i18n.T(l, "cli.plans.not_drawn")
			if it.DrawID != 0 {
				draw = i18n.T(l, "cli.plans.draw", it.DrawID)
				if rec, err := db.DrawByID(ctx, it.DrawID); err == nil {
					draw += " " + rec.Status
				}
			}
			rate := strconv.FormatFloat(it.Rate*100, 'g', -1, 64) + "%"
			fmt.Fprintf(w, "  %s\t%s\t%s..%s\t%s\t%s\t%s\n", it.Code, it.Kind, it.From, it.To, draw,
				i18n.T(l, "cli.plans.item", levelName(l, it.Level), it.Scope, rate, it.Team, len(it.Checklist)), it.Title)
		}
	}
	return w.Flush()
}

func cmdVisits(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "schedule" {
		fmt.Fprint(stderr, i18n.T(l, "cli.visits.usage"))
		return failf("cli.visits.say")
	}
	fs := newFlags(l, "visits schedule", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	scope := fs.String("scope", "", i18n.T(l, "cli.visits.flag.scope"))
	fromS := fs.String("from", "", i18n.T(l, "cli.visits.flag.from"))
	toS := fs.String("to", "", i18n.T(l, "cli.visits.flag.to"))
	confirm := fs.String("confirm", "", i18n.T(l, "cli.visits.flag.confirm"))
	if err := parseFlags(l, fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, i18n.T(l, "cli.visits.usage"))
		return failf("cli.visits.unexpected", fs.Arg(0))
	}
	from, err := calendar.ParseDate(*fromS)
	if err != nil {
		return failf("cli.visits.bad_from", err)
	}
	to, err := calendar.ParseDate(*toS)
	if err != nil {
		return failf("cli.visits.bad_to", err)
	}
	if to.Before(from) {
		return failf("cli.visits.backwards", to, from)
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	u, ok := t.Get(*scope)
	if *scope == "" || !ok {
		return failf("cli.visits.bad_scope", *scope)
	}
	if *confirm == "" {
		// The preview: what the run would do, then how to apply it.
		var p *store.SchedulePreview
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			p, err = tx.PreviewSchedule(ctx, u.Code, from, to, visits.Options{})
			return err
		})
		if err != nil {
			return failf("cli.visits.error", err)
		}
		printPreview(l, stdout, u, p)
		say(stdout, l, "cli.visits.preview_apply", u.Code, from, to, p.Token)
		return nil
	}
	var run *store.ScheduleRun
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		run, err = tx.ScheduleWindow(ctx, u.Code, from, to, visits.Options{}, *confirm)
		return err
	})
	if err != nil {
		return failf("cli.visits.error", err)
	}
	say(stdout, l, "cli.visits.run", run.ID, u.Name, u.Code, run.From, run.To, len(run.Items))
	printRun(l, stdout, run)
	return nil
}

// printPreview prints what a run would do: its figures and its changes
// counted by kind and plan items, never a target, a day or a team.
func printPreview(l i18n.Lang, w io.Writer, u units.Unit, p *store.SchedulePreview) {
	run := p.Run
	say(w, l, "cli.visits.preview", u.Name, u.Code, run.From, run.To, len(run.Items))
	printRun(l, w, run)
	say(w, l, "cli.visits.preview_changes", run.Unchanged, run.Moved, run.Added, run.Dropped, run.Notified)
	type key struct{ change, items string }
	count := map[key]int{}
	var keys []key
	for _, c := range p.Changes {
		k := key{c.Change, strings.Join(c.Items, ", ")}
		if count[k] == 0 {
			keys = append(keys, k)
		}
		count[k]++
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].change != keys[j].change {
			return keys[i].change < keys[j].change
		}
		return keys[i].items < keys[j].items
	})
	line := map[string]string{store.ChangeKept: "cli.visits.preview_change_kept", store.ChangeMoved: "cli.visits.preview_change_moved",
		store.ChangeAdded: "cli.visits.preview_change_added", store.ChangeDropped: "cli.visits.preview_change_dropped"}
	for _, k := range keys {
		say(w, l, line[k.change], count[k], k.items)
	}
}

// printRun prints a run's figures: never a target.
func printRun(l i18n.Lang, w io.Writer, run *store.ScheduleRun) {
	s := run.Stats
	say(w, l, "cli.visits.run_plan_visits", s.PlanVisits, s.ScheduledPlanVisits)
	say(w, l, "cli.visits.run_visits", s.Visits, s.JointVisits)
	say(w, l, "cli.visits.run_joint_rate", 100*s.JointRate)
	say(w, l, "cli.visits.run_team_days", s.InspectorDays, s.LowerBound)
	say(w, l, "cli.visits.run_pieces", s.Pieces, s.Proved)
	say(w, l, "cli.visits.run_earlier", run.Kept, run.Replaced)
	if len(run.Skipped) > 0 {
		say(w, l, "cli.visits.run_left_out", strings.Join(run.Skipped, ", "))
	}
	if s.Unscheduled == 0 {
		say(w, l, "cli.visits.run_unscheduled_none")
		return
	}
	say(w, l, "cli.visits.run_unscheduled", s.Unscheduled)
	rules := make([]string, 0, len(s.ByRule))
	for r := range s.ByRule {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for _, r := range rules {
		fmt.Fprintf(w, "    %-20s %d\n", r, s.ByRule[r])
	}
}
