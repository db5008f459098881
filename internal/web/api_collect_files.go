package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"lighten/internal/access"
	"lighten/internal/audit"
	"lighten/internal/collect"
	"lighten/internal/export"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
	upl "lighten/internal/upload"
)

// Files in and out for collect-once: the dictionary as Excel and CSV, a
// report's workbook for a unit to fill in and upload, the issuer's answer
// and completeness as files, and DHIS2 interchange.

// FileErrors lists every fault of a refused file; nothing of it was stored.
type FileErrors struct {
	Error  *Error          `json:"error"`
	Faults []collect.Fault `json:"faults"`
}

// DictionaryImport says what an import of dictionary elements did.
type DictionaryImport struct {
	Saved     int `json:"saved"`
	Unchanged int `json:"unchanged"`
	// Skipped are the codes of rows marked proposed or rejected: those are
	// decided one by one, not by an import.
	Skipped []string `json:"skipped"`
}

// DHIS2Import counts what a DHIS2 import stored.
type DHIS2Import struct {
	Values   int `json:"values"`
	Units    int `json:"units"`
	Elements int `json:"elements"`
}

const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvType  = "text/csv; charset=utf-8"
)

// uploadHow is how every upload route takes its file.
const uploadHow = ": the file as the body, as the part \"file\" of a multipart/form-data form, or as a JSON string in base64"

func (s *Server) collectFileRoutes() []*route {
	pFormat := param{Name: "format", In: "query", Type: "string", Desc: "json (default) or csv"}
	return []*route{
		{Method: "GET", Pattern: "/api/v1/elements.xlsx", Tag: "collect", Action: access.ReadUnits,
			Summary: "The data dictionary as an Excel workbook", Params: []param{{Name: "status", In: "query", Type: "string"}},
			h: s.apiElementsFile("xlsx")},
		{Method: "GET", Pattern: "/api/v1/elements.csv", Tag: "collect", Action: access.ReadUnits,
			Summary: "The data dictionary as CSV", Params: []param{{Name: "status", In: "query", Type: "string"}},
			h: s.apiElementsFile("csv")},
		{Method: "POST", Pattern: "/api/v1/elements/import", Tag: "collect", Auth: signedIn, Action: access.ReviewDemands,
			Summary: "Import dictionary elements from Excel or CSV, all or nothing, approved (burden offices, for owner offices in scope)" + uploadHow,
			Result:  DictionaryImport{}, Status: http.StatusCreated, h: s.apiImportElements},
		{Method: "GET", Pattern: "/api/v1/units/{code}/reports/{id}/form.xlsx", Tag: "collect", Auth: signedIn, Action: access.ReadInbox,
			Summary: "A report as an Excel workbook for the unit to fill in: known values filled and locked, a checksum to recognise it by",
			Params:  []param{pCode, pDemand}, h: s.apiReportWorkbook},
		{Method: "POST", Pattern: "/api/v1/units/{code}/reports/{id}/submission.xlsx", Tag: "collect", Auth: signedIn, Action: access.ActInbox,
			Summary: "Submit the unit's filled-in workbook, all or nothing; the same file stores once" + uploadHow,
			Params:  []param{pCode, pDemand}, Result: SubmissionResult{}, Status: http.StatusCreated, h: s.apiSubmitWorkbook},
		{Method: "GET", Pattern: "/api/v1/reports/{id}/answer.xlsx", Tag: "collect", Auth: signedIn, Action: access.ReadDemands,
			Summary: "The issuer's answer as an Excel workbook: a row per unit, a column per element, with provenance",
			Params:  []param{pDemand, pUnder}, h: s.apiAnswerWorkbook},
		{Method: "GET", Pattern: "/api/v1/reports/{id}/completeness.csv", Tag: "collect", Auth: signedIn, Action: access.ReadDemands,
			Summary: "Completeness as CSV, a line per child unit and the total", Params: []param{pDemand, pUnder}, h: s.apiCompletenessFile("csv")},
		{Method: "GET", Pattern: "/api/v1/reports/{id}/completeness.xlsx", Tag: "collect", Auth: signedIn, Action: access.ReadDemands,
			Summary: "Completeness as an Excel workbook, a line per child unit and the total", Params: []param{pDemand, pUnder},
			h: s.apiCompletenessFile("xlsx")},
		{Method: "POST", Pattern: "/api/v1/dhis2/dataValueSets", Tag: "collect", Auth: signedIn, Action: access.IssueDemands,
			Summary: "Import values in DHIS2's dataValueSets form, JSON or CSV (Content-Type text/csv), all or nothing " +
				"(burden offices, or an office for the elements it owns, for units in scope)",
			Body: collect.DataValueSet{}, Result: DHIS2Import{}, Status: http.StatusCreated, h: s.apiDHIS2Import},
		{Method: "GET", Pattern: "/api/v1/dhis2/dataValueSets", Tag: "collect", Auth: signedIn, Action: access.ReadInbox,
			Summary: "Current values in DHIS2's dataValueSets form, as the element's readers allow",
			Params: []param{{Name: "dataElement", In: "query", Type: "string", Required: true, Desc: "element codes, repeated or comma-separated"},
				{Name: "period", In: "query", Type: "string", Required: true, Desc: "DHIS2 periods (20261127, 2026W48, 202611, 2026Q4, 2026), repeated or comma-separated"},
				{Name: "orgUnit", In: "query", Type: "string", Required: true, Desc: "unit codes, repeated or comma-separated"},
				{Name: "children", In: "query", Type: "boolean", Desc: "the units' whole subtrees"}, pFormat},
			Result: collect.DataValueSet{}, h: s.apiDHIS2Export},
	}
}

// writeFaults answers a refused file with every fault, or passes on an
// error that is not about the file.
func writeFaults(w http.ResponseWriter, err error, status int, e *Error) error {
	var fs collect.Faults
	if !errors.As(err, &fs) {
		return err
	}
	if e == nil {
		e = errorf(CodeInvalid, "error.file", fs.Count())
	}
	if len(fs) > 0 && fs[0].Column != "" {
		e.Field = fs[0].Column
	}
	writeJSON(w, status, FileErrors{Error: e, Faults: fs})
	return nil
}

// Room in a multipart upload for what is not the file: the other parts
// (each of at most maxFormPart bytes), their headers and boundaries.
const (
	maxFormPart  = 4 << 10
	formOverhead = 64 << 10
)

// readUpload reads an uploaded file of at most limit bytes: the body
// itself, the part "file" of a multipart form (what a browser sends), or a
// JSON string in base64 (for clients that speak only JSON). A form's whole
// body is capped at the file's limit and a little more, and its other
// parts at a few KiB each.
func readUpload(r *http.Request, limit int64) ([]byte, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	tooLarge := errorf(CodeTooLarge, "error.too_large", limit)
	switch ct {
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(nil, r.Body, limit+formOverhead)
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, invalid("file", "error.upload", err.Error())
		}
		failed := func(err error) error {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return tooLarge
			}
			return invalid("file", "error.upload", err.Error())
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil, invalid("file", "error.required", "file")
			}
			if err != nil {
				return nil, failed(err)
			}
			if name := p.FormName(); name != "file" {
				n, err := io.Copy(io.Discard, io.LimitReader(p, maxFormPart+1))
				if err != nil {
					return nil, failed(err)
				}
				if n > maxFormPart {
					e := errorf(CodeTooLarge, "upload.form_part_too_large", name, upl.Size(maxFormPart))
					e.Field = name
					return nil, e
				}
				continue
			}
			data, err := io.ReadAll(io.LimitReader(p, limit+1))
			if err != nil {
				return nil, failed(err)
			}
			if int64(len(data)) > limit {
				return nil, tooLarge
			}
			return data, nil
		}
	case "application/json":
		var data []byte
		dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, limit/3*4+1024))
		if err := dec.Decode(&data); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, tooLarge
			}
			return nil, jsonError(err)
		}
		if int64(len(data)) > limit {
			return nil, tooLarge
		}
		return data, nil
	}
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		return nil, invalid("file", "error.upload", err.Error())
	}
	return data, nil
}

func attachment(w http.ResponseWriter, contentType, name string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "attachment; filename="+name)
}

func (s *Server) apiElementsFile(format string) handler {
	return func(w http.ResponseWriter, r *http.Request, c *Ctx) error {
		d, err := s.db.Dictionary(r.Context())
		if err != nil {
			return err
		}
		var elems []*collect.Element
		st := r.URL.Query().Get("status")
		for _, e := range d.Sorted() {
			if st == "" || string(e.Status) == st {
				elems = append(elems, e)
			}
		}
		var buf bytes.Buffer
		if format == "csv" {
			err = collect.WriteDictionaryCSV(&buf, elems)
		} else {
			err = collect.WriteDictionaryXLSX(&buf, elems)
		}
		if err != nil {
			return err
		}
		if format == "csv" {
			attachment(w, csvType, "elements.csv")
		} else {
			attachment(w, xlsxType, "elements.xlsx")
		}
		_, err = w.Write(buf.Bytes())
		return err
	}
}

func (s *Server) apiImportElements(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if !c.P.CanSomewhere(access.ReviewDemands) {
		return c.Require(access.ReviewDemands, c.Person.UnitCode)
	}
	ctx := r.Context()
	data, err := readUpload(r, collect.MaxFile)
	if err != nil {
		return err
	}
	rows, err := collect.ReadDictionaryContext(ctx, bytes.NewReader(data))
	if err != nil {
		return writeFaults(w, err, http.StatusBadRequest, nil)
	}
	d, err := s.db.Dictionary(ctx)
	if err != nil {
		return err
	}
	offices := map[int64]*units.Office{}
	office := func(id int64) (*units.Office, error) {
		if o, ok := offices[id]; ok {
			return o, nil
		}
		o, err := s.db.Office(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			offices[id] = nil
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		offices[id] = &o
		return &o, nil
	}
	var faults, outside collect.FaultList
	fault := func(to *collect.FaultList, row collect.DictionaryRow, col, key string, args ...any) {
		to.Add(collect.Fault{Sheet: row.Sheet, Row: row.Row, Column: row.Column(col), Message: i18n.Both(key, args...)})
	}
	res := DictionaryImport{Skipped: []string{}}
	var save []*collect.Element
	for _, row := range rows {
		e := row.Element
		if e.Status == collect.Proposed || e.Status == collect.Rejected {
			res.Skipped = append(res.Skipped, e.Code)
			continue
		}
		o, err := office(e.Owner)
		if err != nil {
			return err
		}
		switch {
		case o == nil:
			fault(&faults, row, "owner", "collect.fault.no_office", e.Owner)
			continue
		case !c.P.Can(access.ReviewDemands, o.UnitCode):
			fault(&outside, row, "owner", "collect.fault.office_outside", e.Owner, o.Name)
			continue
		}
		for _, id := range e.Readers {
			if o, err := office(id); err != nil {
				return err
			} else if o == nil {
				fault(&faults, row, "readers", "collect.fault.no_office", id)
			}
		}
		if old, ok := d.Elements[e.Code]; ok {
			// Changing an element takes the right over its present owner too.
			if o, err := office(old.Owner); err != nil {
				return err
			} else if o != nil && !c.P.Can(access.ReviewDemands, o.UnitCode) {
				fault(&outside, row, "code", "collect.fault.element_outside", e.Code, o.Name)
				continue
			}
			if old.Status == collect.Approved && collect.SameDefinition(old, e) {
				res.Unchanged++
				continue
			}
		}
		e.Status = collect.Approved
		save = append(save, e)
	}
	if outside.Len() > 0 {
		return writeFaults(w, outside.Faults(), http.StatusForbidden, errorf(CodeForbidden, "error.file_outside", outside.Len()))
	}
	if faults.Len() > 0 {
		return writeFaults(w, faults.Faults(), http.StatusBadRequest, nil)
	}
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		for _, e := range save {
			if err := tx.SaveElement(ctx, e); err != nil {
				return fmt.Errorf("element %s: %w", e.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return collectError(err)
	}
	res.Saved = len(save)
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// reportSheet is the workbook of a report for a unit: a row per element
// the report asks, with the unit's known values.
func (s *Server) reportSheet(ctx context.Context, u units.Unit, rec *store.DemandRecord) (*collect.ReportSheet, error) {
	return s.reportSheetFor(ctx, u, rec, nil)
}

// reportSheetFor is the workbook as shown to someone: may is the readers
// rule at u for them (see reportForm).
func (s *Server) reportSheetFor(ctx context.Context, u units.Unit, rec *store.DemandRecord, may func(*collect.Element) bool) (*collect.ReportSheet, error) {
	form, _, _, err := s.reportForm(ctx, u, rec, may)
	if err != nil {
		return nil, err
	}
	sh := &collect.ReportSheet{Report: rec.ID, Title: rec.Title, Unit: u.Code, UnitName: u.Name, Due: rec.Due}
	seen := map[string]bool{}
	for _, f := range form.Fields {
		if f.Element == nil || seen[f.Element.Code] {
			continue
		}
		seen[f.Element.Code] = true
		sf := collect.SheetField{Name: f.Name, Element: f.Element, Period: f.Period}
		if f.Known != nil {
			sf.Known, sf.IsKnown = f.Known.Value, true
		}
		sh.Fields = append(sh.Fields, sf)
	}
	return sh, nil
}

func (s *Server) apiReportWorkbook(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, rec, err := s.inboxReport(ctx, c, r.PathValue("code"), id, access.ReadInbox)
	if err != nil {
		return err
	}
	sh, err := s.reportSheetFor(ctx, u, rec, c.Values().At(u.Code))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := collect.WriteReportXLSX(&buf, sh); err != nil {
		return err
	}
	attachment(w, xlsxType, fmt.Sprintf("report-%d-%s.xlsx", rec.ID, u.Code))
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) apiSubmitWorkbook(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, rec, err := s.inboxReport(ctx, c, r.PathValue("code"), id, access.ActInbox)
	if err != nil {
		return err
	}
	data, err := readUpload(r, collect.MaxFile)
	if err != nil {
		return err
	}
	sh, err := s.reportSheetFor(ctx, u, rec, c.Values().At(u.Code))
	if err != nil {
		return err
	}
	filled, err := collect.ReadReportXLSXContext(ctx, bytes.NewReader(data), sh)
	if err != nil {
		return writeFaults(w, err, http.StatusBadRequest, nil)
	}
	sub := collect.Submission{Unit: u.Code, Values: filled.Values, Key: filled.Key()}
	vals, fe, err := s.checkSubmission(ctx, u, rec, sub)
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		// The same checks as a JSON submission, told by cell.
		fs := make(collect.Faults, 0, len(fe))
		for _, e := range fe {
			f := collect.Fault{Sheet: collect.ReportSheetName, Row: filled.Rows[e.Element], Message: i18n.Both("collect.fault.value", e.Element, e.Message)}
			if f.Row > 0 {
				f.Column = "E"
			}
			fs = append(fs, f)
		}
		return writeFaults(w, fs, http.StatusBadRequest, errorf(CodeInvalid, "error.submission", len(fs)))
	}
	var res SubmissionResult
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		var err error
		res.Submission, res.Duplicate, err = tx.Submit(ctx, rec, u.Code, sub.Key, vals)
		return err
	})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	} else {
		res.Values = len(vals)
	}
	writeJSON(w, status, res)
	return nil
}

func (s *Server) apiAnswerWorkbook(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	// The same report, subtree and readers as the answer in JSON or CSV.
	q, err := s.answerOf(r, c)
	if err != nil {
		return err
	}
	rec, under, elems, cols := q.rec, q.under, q.elems, q.order
	periods := map[string]string{}
	for _, e := range cols {
		periods[e.Code] = elems[e]
	}
	book, err := collect.NewAnswerBook(cols, periods)
	if err != nil {
		return err
	}
	defer book.Close()
	err = s.db.EachAnswer(ctx, rec, elems, under, func(a store.Answer) error {
		row := collect.AnswerRow{Unit: a.Unit.Code, Name: a.Unit.Name, Values: make(map[string]string, len(a.Values))}
		var people, sources []string
		shown := q.shown(a)
		if len(shown) == 0 {
			return nil // nothing of this unit's the caller may read
		}
		for _, v := range shown {
			row.Values[v.Element] = v.Value
			if v.At.After(row.At) {
				row.At = v.At
			}
			people = appendNew(people, strconv.FormatInt(v.PersonID, 10))
			sources = appendNew(sources, sourceOf(v))
		}
		row.People, row.Sources = strings.Join(people, ", "), strings.Join(sources, "; ")
		return book.Add(row)
	})
	if err != nil {
		return err
	}
	attachment(w, xlsxType, fmt.Sprintf("report-%d.xlsx", rec.ID))
	_, err = book.WriteTo(w)
	return err
}

// sourceOf names where a value came from: the report that collected it,
// or its source (dhis2).
func sourceOf(v store.Value) string {
	if v.DemandID != 0 {
		return "report #" + strconv.FormatInt(v.DemandID, 10)
	}
	return v.Source
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func (s *Server) apiCompletenessFile(format string) handler {
	return func(w http.ResponseWriter, r *http.Request, c *Ctx) error {
		ctx := r.Context()
		rec, err := s.reportFor(ctx, c, r)
		if err != nil {
			return err
		}
		t, err := c.Tree(ctx)
		if err != nil {
			return err
		}
		under, err := codeParam(t, r, "under")
		if err != nil {
			return err
		}
		top, kids, err := s.db.Completeness(ctx, rec, under, true)
		if err != nil {
			return err
		}
		top.Name = "合计 Total"
		lines := append(kids, top)
		percent := func(p float64) float64 { return float64(int64(p*10+0.5)) / 10 }
		name := fmt.Sprintf("completeness-%d", rec.ID)
		if under != "" {
			name += "-" + under
		}
		var buf bytes.Buffer
		if format == "csv" {
			cw := csv.NewWriter(&buf)
			cw.Write([]string{"unit", "name", "expected", "submitted", "on_time", "percent"})
			for _, l := range lines {
				cw.Write(export.Cells(l.Unit, l.Name, strconv.Itoa(l.Expected), strconv.Itoa(l.Submitted), strconv.Itoa(l.OnTime),
					strconv.FormatFloat(percent(l.Percent), 'f', 1, 64)))
			}
			cw.Flush()
			attachment(w, csvType, name+".csv")
		} else {
			rows := make([][]any, len(lines))
			for i, l := range lines {
				rows[i] = []any{l.Unit, l.Name, l.Expected, l.Submitted, l.OnTime, percent(l.Percent)}
			}
			if err := collect.WriteTableXLSX(&buf, "完成情况 Completeness",
				[]string{"代码 Unit", "名称 Name", "应报 Expected", "已报 Submitted", "按时 On time", "完成率 Percent"}, rows); err != nil {
				return err
			}
			attachment(w, xlsxType, name+".xlsx")
		}
		_, err = w.Write(buf.Bytes())
		return err
	}
}

func (s *Server) apiDHIS2Import(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	office := c.Person.OfficeID != 0 && c.P.CanSomewhere(access.IssueDemands)
	if !c.P.CanSomewhere(access.ReviewDemands) && !office {
		return errorf(CodeForbidden, "error.dhis2_import_right")
	}
	ctx := r.Context()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isCSV := ct == "text/csv" || ct == "application/csv"
	vals, err := collect.ReadDataValuesContext(ctx, r.Body, isCSV)
	if err != nil {
		return writeFaults(w, err, http.StatusBadRequest, nil)
	}
	d, err := s.db.Dictionary(ctx)
	if err != nil {
		return err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	checked, err := collect.CheckDataValues(vals, d.Elements, func(code string) bool {
		_, ok := t.Get(code)
		return ok && code != ""
	})
	if err != nil {
		return writeFaults(w, err, http.StatusBadRequest, nil)
	}
	var outside collect.FaultList
	for _, v := range checked {
		ok := c.P.Can(access.ReviewDemands, v.Unit) ||
			office && v.Element.Owner == c.Person.OfficeID && c.P.Can(access.IssueDemands, v.Unit)
		if !ok {
			outside.Add(collect.Fault{Row: v.Line, Message: i18n.Both("collect.fault.dhis2_scope", v.Element.Code, v.Unit)})
		}
	}
	if outside.Len() > 0 {
		return writeFaults(w, outside.Faults(), http.StatusForbidden, errorf(CodeForbidden, "error.file_outside", outside.Len()))
	}
	format := "json"
	if isCSV {
		format = "csv"
	}
	res, err := ImportDataValues(ctx, s.db, c.Actor(), checked, format)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// ImportDataValues stores checked DHIS2 values with source "dhis2", a
// unit at a time, all in one transaction with one audit record that
// counts them. The command line's import uses it too.
func ImportDataValues(ctx context.Context, db *store.DB, actor store.Actor, vals []collect.ImportedValue, format string) (DHIS2Import, error) {
	byUnit := map[string][]store.Value{}
	elements := map[string]bool{}
	periods := map[string]bool{}
	h := sha256.New()
	for _, v := range vals {
		byUnit[v.Unit] = append(byUnit[v.Unit], store.Value{Element: v.Element.Code, Period: v.Period, Value: v.Value})
		elements[v.Element.Code], periods[v.Period] = true, true
		fmt.Fprintf(h, "%s\t%s\t%s\t%s\n", v.Unit, v.Element.Code, v.Period, v.Value)
	}
	unitCodes := make([]string, 0, len(byUnit))
	for u := range byUnit {
		unitCodes = append(unitCodes, u)
	}
	sort.Strings(unitCodes)
	res := DHIS2Import{Values: len(vals), Units: len(byUnit), Elements: len(elements)}
	if len(vals) == 0 {
		return res, nil
	}
	periodList := make([]string, 0, len(periods))
	for p := range periods {
		periodList = append(periodList, p)
	}
	sort.Strings(periodList)
	err := db.Write(ctx, actor, func(tx *store.Tx) error {
		for _, u := range unitCodes {
			if err := tx.WriteValues(ctx, u, 0, "dhis2", byUnit[u]); err != nil {
				return fmt.Errorf("unit %s: %w", u, err)
			}
		}
		return tx.Audit(ctx, audit.Record{Action: "dhis2.import", Entity: "data_value_set", EntityID: hex.EncodeToString(h.Sum(nil))[:16],
			UnitCode: commonAncestor(unitCodes), After: audit.JSON(map[string]any{"values": res.Values, "units": res.Units,
				"elements": res.Elements, "periods": periodList, "format": format})})
	})
	if err != nil {
		return DHIS2Import{}, err
	}
	return res, nil
}

// commonAncestor is the lowest unit whose subtree holds every code, so
// that the audit record is read where the import happened.
func commonAncestor(codes []string) string {
	if len(codes) == 0 {
		return ""
	}
	anc := codes[0]
	for _, c := range codes[1:] {
		for anc != "" && !units.Contains(anc, c) {
			anc = units.ParentCode(anc)
		}
	}
	return anc
}

// listParam reads a query parameter given repeatedly or comma-separated.
func listParam(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// DHIS2Period is a period asked of an export: its type and lighten's key.
type DHIS2Period struct {
	Type collect.PeriodType
	Key  string
}

// DHIS2Query selects the current values an export writes: each element
// for the periods of its type, at the units (with their subtrees when
// Children is set; the country when Units is empty).
type DHIS2Query struct {
	Elements []*collect.Element
	Periods  []DHIS2Period
	Units    []string
	Children bool
}

func (s *Server) apiDHIS2Export(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "csv" {
		return invalid("format", "error.dhis2_format", format)
	}
	codes, periods, orgUnits := listParam(r, "dataElement"), listParam(r, "period"), listParam(r, "orgUnit")
	for name, v := range map[string][]string{"dataElement": codes, "period": periods, "orgUnit": orgUnits} {
		if len(v) == 0 {
			return invalid(name, "error.required", name)
		}
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	// The readers rule (access.Values) at each unit asked: what it allows
	// there it allows in the unit's whole subtree, so children=true needs
	// no check of its own.
	rule := c.Values()
	for _, ou := range orgUnits {
		if _, err := knownCode(t, "orgUnit", ou); err != nil {
			return err
		}
		if !rule.Reaches(ou) {
			return c.Require(access.ReadInbox, ou)
		}
	}
	d, err := s.db.Dictionary(ctx)
	if err != nil {
		return err
	}
	q := DHIS2Query{Units: orgUnits, Children: r.URL.Query().Get("children") == "true"}
	for _, code := range codes {
		e, ok := d.Elements[code]
		if !ok {
			return &Error{Code: CodeNotFound, Field: "dataElement", Message: i18n.Both("error.dhis2_element", code)}
		}
		for _, ou := range orgUnits {
			if !rule.May(e, ou) {
				return &Error{Code: CodeForbidden, Field: "dataElement", Message: i18n.Both("error.dhis2_unreadable", code)}
			}
		}
		q.Elements = append(q.Elements, e)
	}
	for _, p := range periods {
		pt, key, err := collect.FromDHIS2Period(p)
		if err != nil {
			return invalid("period", "error.dhis2_period", p)
		}
		q.Periods = append(q.Periods, DHIS2Period{pt, key})
	}
	if err := q.check(); err != nil {
		return err
	}
	var out collect.DataValueWriter
	if format == "csv" {
		attachment(w, csvType, "dataValueSets.csv")
		out, _ = collect.NewDataValueWriter(w, "csv")
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		out, _ = collect.NewDataValueWriter(w, "json")
	}
	if _, err := ExportDataValues(ctx, s.db, q, out); err != nil {
		return err
	}
	return out.Close()
}

// check refuses an element that no period asked is of its type.
func (q DHIS2Query) check() error {
	for _, e := range q.Elements {
		found := false
		for _, p := range q.Periods {
			found = found || p.Type == e.Period
		}
		if !found {
			return invalid("period", "error.dhis2_period_type", e.Code, string(e.Period))
		}
	}
	return nil
}

// ExportDataValues writes the current values a query selects, in DHIS2's
// form, and counts them. Values are read a unit at a time, never whole.
// The command line's export uses it too.
func ExportDataValues(ctx context.Context, db *store.DB, q DHIS2Query, out collect.DataValueWriter) (int, error) {
	if err := q.check(); err != nil {
		return 0, err
	}
	t, err := db.Tree(ctx)
	if err != nil {
		return 0, err
	}
	roots := distinctRoots(q.Units, q.Children)
	if len(roots) == 0 {
		roots, q.Children = []string{""}, true
	}
	logins := map[int64]string{0: "system"}
	login := func(id int64) string {
		if l, ok := logins[id]; ok {
			return l
		}
		l := strconv.FormatInt(id, 10)
		if p, err := db.Person(ctx, id); err == nil {
			l = p.Login
		}
		logins[id] = l
		return l
	}
	n := 0
	for _, period := range q.Periods {
		elems := map[*collect.Element]string{}
		var order []*collect.Element
		for _, e := range q.Elements {
			if e.Period == period.Type {
				elems[e] = period.Key
				order = append(order, e)
			}
		}
		if len(elems) == 0 {
			continue
		}
		dp, err := collect.DHIS2Period(period.Type, period.Key)
		if err != nil {
			return n, err
		}
		write := func(a store.Answer) error {
			for _, e := range order {
				v, ok := a.Values[e.Code]
				if !ok {
					continue
				}
				n++
				if err := out.Write(collect.DataValue{DataElement: e.Code, Period: dp, OrgUnit: a.Unit.Code, Value: v.Value,
					StoredBy: login(v.PersonID), LastUpdated: v.At.UTC().Format("2006-01-02T15:04:05.000"), Comment: sourceOf(v)}); err != nil {
					return err
				}
			}
			return nil
		}
		for _, root := range roots {
			// EachAnswer reads the values of a report's targets; a root alone,
			// or each level of its subtree in turn, stands for those targets.
			var targets []gate.Targets
			if !q.Children {
				targets = []gate.Targets{{Units: []string{root}}}
			} else {
				from := units.Province
				if root != "" {
					u, _ := t.Get(root)
					from = u.Level
				}
				for l := from; l <= units.Village; l++ {
					targets = append(targets, gate.Targets{Level: l, Under: root})
				}
			}
			for _, tg := range targets {
				rec := &store.DemandRecord{Demand: gate.Demand{Targets: tg}}
				if err := db.EachAnswer(ctx, rec, elems, root, write); err != nil {
					return n, err
				}
			}
		}
	}
	return n, nil
}

// distinctRoots drops repeated units and, for subtrees, units within
// another's subtree, so that no value is written twice.
func distinctRoots(codes []string, children bool) []string {
	var out []string
	for i, c := range codes {
		keep := true
		for j, o := range codes {
			if i != j && (o == c && j < i || children && o != c && units.Contains(o, c)) {
				keep = false
			}
		}
		if keep {
			out = append(out, c)
		}
	}
	return out
}
