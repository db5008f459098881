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
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

const inspectorsUsage = `usage:
  lighten inspectors import [--db URL] FILE            load the inspector register from CSV or .xlsx, all or nothing
  lighten inspectors export [--db URL] [--format csv|xlsx] [FILE]

The register has one inspector a row, under a header row naming the columns
(in any order; the Chinese names in brackets are read too):

  number      the public register number, unique (编号)
  name        the inspector's name (姓名)
  office      the office's name, or its id (所属部门)
  works       code of the unit where the inspector works (工作单位)
  origin      code of the unit the inspector comes from, may be empty (籍贯)
  relations   codes of units where relations were declared, separated by ; (申报亲属关系)
  capacity    visits a day, 1 to 20 (每日检查数)
  max_travel  minutes of travel a day, 1 to 1440 (每日路程分钟)
  away        days away, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, separated by ; (不在岗日期)

An inspector never visits the township where they work or come from, nor the
units where they declared relations. Importing checks every row and saves
them all or none; a number already in the register is updated. A file ending
in .xlsx is read as a workbook (its first sheet), any other as CSV. Exporting
writes the register in the same columns to FILE, or to standard output
without it (or with "-"); the format comes from --format, else the file's
extension, else CSV.
`

const plansUsage = `usage:
  lighten plans list [--db URL] [--year YEAR]   the annual plans of inspections and research visits, with their items
`

const visitsUsage = `usage:
  lighten visits schedule [--db URL] --scope CODE --from YYYY-MM-DD --to YYYY-MM-DD

Merges every drawn plan item whose window lies in [from, to] and whose targets
lie under the scope into joint visits, schedules them within the caps of the
policy and the inspectors' capacity and travel, and stores them sealed. It
prints the figures of the run, never the targets: they stay sealed until the
visits.
`

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
func cmdVisitWork(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	switch cmd {
	case "inspectors":
		return cmdInspectors(ctx, args, stdout, stderr)
	case "plans":
		return cmdPlans(ctx, args, stdout, stderr)
	}
	return cmdVisits(ctx, args, stdout, stderr)
}

func cmdInspectors(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, inspectorsUsage)
		return errors.New("inspectors: say import or export")
	}
	fs := newFlags("inspectors "+args[0], stderr)
	dsn := dbFlag(fs, "lighten.db")
	format := fs.String("format", "", "csv or xlsx (export; default from the file's extension, else csv)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) > 0 { // flags may follow the file
		if err := fs.Parse(rest[1:]); err != nil {
			return err
		}
		rest = append(rest[:1], fs.Args()...)
	}
	if len(rest) > 1 || (args[0] == "import" && len(rest) != 1) {
		fmt.Fprint(stderr, inspectorsUsage)
		return errors.New("inspectors: give one file")
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
		return inspectorsImport(ctx, db, path, stdout, stderr)
	}
	return inspectorsExport(ctx, db, path, *format, stdout)
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

// readTable reads the rows of a CSV file or of a workbook's first sheet.
func readTable(path string, data []byte) ([][]string, error) {
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("not an .xlsx workbook: %w", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, errors.New("the workbook has no sheet")
		}
		rows, err := f.GetRows(sheets[0])
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
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, errors.New("the CSV file is not UTF-8 text")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	return r.ReadAll()
}

// rowFault is one fault of an imported row: the row (as numbered in the
// file, the header being 1), the column and what was expected.
type rowFault struct {
	row    int
	column string
	msg    string
}

func (f rowFault) String() string {
	if f.column == "" {
		return fmt.Sprintf("row %d: %s", f.row, f.msg)
	}
	return fmt.Sprintf("row %d, column %s: %s", f.row, f.column, f.msg)
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
		return nil, []rowFault{{1, "", "the file is empty; a header row naming the columns is expected (number, name, office, works, origin, relations, capacity, max_travel, away)"}}
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
					faults = append(faults, rowFault{1, rows[0][i], "the column is named twice"})
				}
				col[c.key], found = i, true
			}
		}
		if !found {
			faults = append(faults, rowFault{1, rows[0][i], "unknown column; expected number, name, office, works, origin, relations, capacity, max_travel or away"})
		}
	}
	for _, c := range inspectorColumns {
		if _, ok := col[c.key]; !ok && c.require {
			faults = append(faults, rowFault{1, c.key, "the header has no such column, and it is required"})
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
				return strings.TrimSpace(cells[i])
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
		fault := func(column, format string, a ...any) {
			faults = append(faults, rowFault{row, column, fmt.Sprintf(format, a...)})
		}
		unit := func(column, code string) bool {
			if _, ok := t.Get(code); !ok || code == "" {
				fault(column, "%q is not the statistical code of a unit in the tree", code)
				return false
			}
			return true
		}
		in := visits.RegisteredInspector{Number: get("number"), Name: get("name"), Works: get("works"), Origin: get("origin"), Active: true}
		switch {
		case in.Number == "":
			fault("number", "empty; the inspector's register number is expected")
		case utf8.RuneCountInString(in.Number) > 32:
			fault("number", "%q is longer than 32 characters", in.Number)
		case seen[in.Number] != 0:
			fault("number", "%q is already on row %d; numbers are unique", in.Number, seen[in.Number])
		default:
			seen[in.Number] = row
		}
		if in.Name == "" {
			fault("name", "empty; the inspector's name is expected")
		}
		switch office := get("office"); {
		case office == "":
			fault("office", "empty; the name or id of the inspector's office is expected")
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
					fault("office", "%q is neither the name nor the id of an office", office)
				}
			default:
				fault("office", "%q names %d offices; give the office's id instead", office, len(list))
			}
		}
		if in.Works == "" {
			fault("works", "empty; the code of the unit where the inspector works is expected")
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
				fault(column, "%q: a whole number from %d to %d is expected", s, lo, hi)
			}
			return n
		}
		in.Capacity = number("capacity", 1, 20)
		in.MaxTravel = number("max_travel", 1, 1440)
		for _, part := range splitList(get("away")) {
			a, b, isRange := strings.Cut(part, "..")
			from, err := calendar.ParseDate(a)
			if err != nil {
				fault("away", "%q: a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD is expected", part)
				continue
			}
			to := from
			if isRange {
				if to, err = calendar.ParseDate(b); err != nil || to.Before(from) || to.Sub(from) > 366 {
					fault("away", "%q: a range YYYY-MM-DD..YYYY-MM-DD of at most a year, its end not before its start, is expected", part)
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
		faults = append(faults, rowFault{2, "", "no inspector: the file has a header and no rows"})
	}
	return out, faults
}

func inspectorsImport(ctx context.Context, db *store.DB, path string, stdout, stderr io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	rows, err := readTable(path, data)
	if err != nil {
		return fmt.Errorf("inspectors import %s: %w; nothing was written", path, err)
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
			fmt.Fprintf(stderr, "%s: %s\n", path, f)
		}
		return fmt.Errorf("inspectors import %s: %d fault(s); nothing was written", path, len(faults))
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
				return fmt.Errorf("inspector %s: %w", in.Number, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("inspectors import %s: %w; nothing was written", path, err)
	}
	fmt.Fprintf(stdout, "imported %d inspector(s) from %s: %d added, %d updated\n", len(list), path, added, updated)
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

func inspectorsExport(ctx context.Context, db *store.DB, path, format string, stdout io.Writer) error {
	if format == "" {
		format = "csv"
		if strings.EqualFold(filepath.Ext(path), ".xlsx") {
			format = "xlsx"
		}
	}
	if format != "csv" && format != "xlsx" {
		return fmt.Errorf("inspectors export: --format %q: csv or xlsx expected", format)
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
			w.Write(inspectorRow(in, offices))
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
				out[i] = v
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
	fmt.Fprintf(stdout, "wrote %d inspector(s) to %s\n", len(list), path)
	return nil
}

func cmdPlans(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprint(stderr, plansUsage)
		return errors.New("plans: say list")
	}
	fs := newFlags("plans list", stderr)
	dsn := dbFlag(fs, "lighten.db")
	year := fs.Int("year", 0, "only the plans of this year")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, plansUsage)
		return fmt.Errorf("plans list: unexpected %q", fs.Arg(0))
	}
	if *year != 0 && (*year < 2000 || *year > 2100) {
		return fmt.Errorf("plans list: --year %d: a year from 2000 to 2100 expected", *year)
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
		fmt.Fprintln(stdout, "no plans")
		return nil
	}
	offices, err := allOffices(ctx, db)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, p := range plans {
		office := offices[p.OfficeID].Name
		fmt.Fprintf(w, "plan %d\t%d\t%s\t%s\t%s\n", p.ID, p.Year, p.Status, office, p.Title)
		for _, it := range p.Items {
			draw := "not drawn"
			if it.DrawID != 0 {
				draw = "draw " + strconv.FormatInt(it.DrawID, 10)
				if rec, err := db.DrawByID(ctx, it.DrawID); err == nil {
					draw += " " + rec.Status
				}
			}
			rate := strconv.FormatFloat(it.Rate*100, 'g', -1, 64) + "%"
			fmt.Fprintf(w, "  %s\t%s\t%s..%s\t%s\t%s under %s, %s, team %d, %d check(s)\t%s\n",
				it.Code, it.Kind, it.From, it.To, draw, it.Level, it.Scope, rate, it.Team, len(it.Checklist), it.Title)
		}
	}
	return w.Flush()
}

func cmdVisits(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "schedule" {
		fmt.Fprint(stderr, visitsUsage)
		return errors.New("visits: say schedule")
	}
	fs := newFlags("visits schedule", stderr)
	dsn := dbFlag(fs, "lighten.db")
	scope := fs.String("scope", "", "code of the unit under which the visits are scheduled")
	fromS := fs.String("from", "", "first day of the window, YYYY-MM-DD")
	toS := fs.String("to", "", "last day of the window, YYYY-MM-DD")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, visitsUsage)
		return fmt.Errorf("visits schedule: unexpected %q", fs.Arg(0))
	}
	from, err := calendar.ParseDate(*fromS)
	if err != nil {
		return fmt.Errorf("visits schedule: --from %w", err)
	}
	to, err := calendar.ParseDate(*toS)
	if err != nil {
		return fmt.Errorf("visits schedule: --to %w", err)
	}
	if to.Before(from) {
		return fmt.Errorf("visits schedule: --to %s is before --from %s", to, from)
	}
	if from.Year() != to.Year() {
		return fmt.Errorf("visits schedule: the window %s..%s spans two years; the yearly cap needs one, so schedule each year's part on its own", from, to)
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
		return fmt.Errorf("visits schedule: --scope %q: the code of a unit in the tree is expected", *scope)
	}
	var run *store.ScheduleRun
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		run, err = tx.ScheduleWindow(ctx, u.Code, from, to, visits.Options{})
		return err
	})
	if err != nil {
		return fmt.Errorf("visits schedule: %w", err)
	}
	printRun(stdout, u, run)
	return nil
}

// printRun prints a run's figures: never a target.
func printRun(w io.Writer, u units.Unit, run *store.ScheduleRun) {
	s := run.Stats
	fmt.Fprintf(w, "schedule run %d: %s %s, %s..%s, %d plan item(s)\n", run.ID, u.Name, u.Code, run.From, run.To, len(run.Items))
	fmt.Fprintf(w, "  plan visits     %d asked, %d scheduled\n", s.PlanVisits, s.ScheduledPlanVisits)
	fmt.Fprintf(w, "  visits          %d, of which %d joint\n", s.Visits, s.JointVisits)
	fmt.Fprintf(w, "  joint rate      %.1f%% of the scheduled plan visits went with another plan's\n", 100*s.JointRate)
	fmt.Fprintf(w, "  team-days       %d (lower bound %d)\n", s.InspectorDays, s.LowerBound)
	fmt.Fprintf(w, "  pieces          %d, %d proved optimal\n", s.Pieces, s.Proved)
	fmt.Fprintf(w, "  earlier visits  %d kept (started, done or serving other items), %d planned ones replaced\n", run.Kept, run.Replaced)
	if len(run.Skipped) > 0 {
		fmt.Fprintf(w, "  left out        %s: their windows do not cover the run's; schedule them within their own\n", strings.Join(run.Skipped, ", "))
	}
	if s.Unscheduled == 0 {
		fmt.Fprintln(w, "  unscheduled     none")
		return
	}
	fmt.Fprintf(w, "  unscheduled     %d visit(s); by rule:\n", s.Unscheduled)
	rules := make([]string, 0, len(s.ByRule))
	for r := range s.ByRule {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for _, r := range rules {
		fmt.Fprintf(w, "    %-20s %d\n", r, s.ByRule[r])
	}
}
