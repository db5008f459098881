package collect

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"lighten/internal/text"
	"slices"
	"strconv"
	"strings"
	"time"

	"lighten/internal/i18n"
	"lighten/internal/upload"
)

// DHIS2 interchange: values travel in DHIS2's dataValueSets form, mapped
// by code (dataElement is the element code, orgUnit the unit's statistical
// code), so that a health office's existing data loads instead of being
// asked for again.

// DataValue is one value in DHIS2's dataValueSets form.
type DataValue struct {
	DataElement          string `json:"dataElement"`
	Period               string `json:"period"`
	OrgUnit              string `json:"orgUnit"`
	CategoryOptionCombo  string `json:"categoryOptionCombo,omitempty"`
	AttributeOptionCombo string `json:"attributeOptionCombo,omitempty"`
	Value                string `json:"value"`
	StoredBy             string `json:"storedBy,omitempty"`
	LastUpdated          string `json:"lastUpdated,omitempty"`
	Comment              string `json:"comment,omitempty"`
	FollowUp             bool   `json:"followup,omitempty"`
	// Line is where the value stands in the file read, for messages.
	Line int `json:"-"`
}

// DataValueSet is DHIS2's envelope of values.
type DataValueSet struct {
	DataValues []DataValue `json:"dataValues"`
}

// MaxDataValues bounds a DHIS2 file read.
const MaxDataValues = 64 << 20

// maxFaults bounds the faults listed for one file: enough to fix a batch,
// not so many that the answer drowns.
const maxFaults = 50

// DHIS2Period writes a lighten period key in DHIS2's ISO form: a day
// 20261127, a week 2026W48, a month 202611, a quarter 2026Q4, a year 2026.
// DHIS2 has no period for "once".
func DHIS2Period(pt PeriodType, key string) (string, error) {
	if _, err := PeriodEnd(pt, key); err != nil {
		return "", err
	}
	switch pt {
	case Day:
		return strings.ReplaceAll(key, "-", ""), nil
	case Week:
		var y, w int
		fmt.Sscanf(key, "%d-W%d", &y, &w)
		return fmt.Sprintf("%dW%d", y, w), nil
	case Month:
		return strings.ReplaceAll(key, "-", ""), nil
	case Quarter, Year:
		return key, nil
	}
	return "", fmt.Errorf("period type %s has no DHIS2 form", pt)
}

// dhis2Periods says which DHIS2 periods lighten reads.
const dhis2Periods = "a DHIS2 period is expected: day yyyyMMdd, week yyyyWn, month yyyyMM, quarter yyyyQn or year yyyy"

// FromDHIS2Period reads a DHIS2 ISO period and returns its type and
// lighten's key for it. Other DHIS2 period types (bi-monthly, six-monthly,
// financial years, weeks starting on other days) have no lighten period.
func FromDHIS2Period(p string) (PeriodType, string, error) {
	bad := fmt.Errorf("%q: %s", p, dhis2Periods)
	digits := func(s string) bool {
		if s == "" {
			return false
		}
		for _, r := range s {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	if len(p) < 4 || !digits(p[:4]) {
		return "", "", bad
	}
	year, rest := p[:4], p[4:]
	var pt PeriodType
	var key string
	switch {
	case rest == "":
		pt, key = Year, year
	case len(rest) == 2 && digits(rest):
		pt, key = Month, year+"-"+rest
	case len(rest) == 4 && digits(rest):
		pt, key = Day, year+"-"+rest[:2]+"-"+rest[2:]
	case len(rest) == 2 && rest[0] == 'Q' && digits(rest[1:]):
		pt, key = Quarter, year+rest
	case len(rest) >= 2 && len(rest) <= 3 && rest[0] == 'W' && digits(rest[1:]):
		w, _ := strconv.Atoi(rest[1:])
		pt, key = Week, fmt.Sprintf("%s-W%02d", year, w)
	default:
		return "", "", bad
	}
	// The key must name the period it was read from: this refuses 30
	// February and week 53 of a year that has 52.
	end, err := PeriodEnd(pt, key)
	if err != nil || PeriodOf(pt, end.Add(-time.Second)) != key {
		return "", "", bad
	}
	return pt, key, nil
}

// ReadDataValues reads DHIS2 values as JSON ({"dataValues": [...]}) or,
// when csv is set, as DHIS2's CSV. Faults name the line.
func ReadDataValues(r io.Reader, csv bool) ([]DataValue, error) {
	return ReadDataValuesContext(context.Background(), r, csv)
}

// ReadDataValuesContext reads DHIS2 values within DHIS2Limits, and stops
// when ctx ends.
func ReadDataValuesContext(ctx context.Context, r io.Reader, csv bool) ([]DataValue, error) {
	if csv {
		return readDataValuesCSV(ctx, r)
	}
	return readDataValuesJSON(ctx, r)
}

// lineFault is a fault of a CSV or JSON file at a line.
func lineFault(line int, key string, args ...any) Fault {
	return Fault{Row: line, Message: i18n.Both(key, args...)}
}

// ReadDataValuesJSON reads a dataValueSets JSON document. The set's own
// period, orgUnit and attributeOptionCombo apply to the values that lack
// them, as in DHIS2; other fields are ignored.
func ReadDataValuesJSON(r io.Reader) ([]DataValue, error) {
	return readDataValuesJSON(context.Background(), r)
}

func readDataValuesJSON(ctx context.Context, r io.Reader) ([]DataValue, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDataValues+1))
	if err != nil {
		return nil, Faults{lineFault(0, "collect.fault.read", err.Error())}
	}
	if len(data) > MaxDataValues {
		return nil, Faults{lineFault(0, "collect.fault.too_large", MaxDataValues>>20)}
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	lines := newLineCounter(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	syntax := func(err error) error {
		line := lines.at(int(dec.InputOffset()))
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = lines.at(int(se.Offset))
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return Faults{lineFault(line, "collect.fault.json_truncated")}
		}
		return Faults{lineFault(line, "collect.fault.json", err.Error())}
	}
	if t, err := dec.Token(); err != nil {
		return nil, syntax(err)
	} else if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, Faults{lineFault(1, "collect.fault.json_object")}
	}
	var set struct{ period, orgUnit, aoc string }
	var out []DataValue
	found := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		key, _ := t.(string)
		switch key {
		case "period", "orgUnit", "attributeOptionCombo":
			var s string
			if err := dec.Decode(&s); err != nil {
				return nil, Faults{lineFault(lines.at(int(dec.InputOffset())), "collect.fault.json_type", key, "string")}
			}
			switch key {
			case "period":
				set.period = s
			case "orgUnit":
				set.orgUnit = s
			default:
				set.aoc = s
			}
		case "dataValues":
			found = true
			if t, err := dec.Token(); err != nil {
				return nil, syntax(err)
			} else if d, ok := t.(json.Delim); !ok || d != '[' {
				return nil, Faults{lineFault(lines.at(int(dec.InputOffset())), "collect.fault.json_type", "dataValues", "list")}
			}
			for dec.More() {
				if len(out)%64 == 0 {
					if err := context.Cause(ctx); err != nil {
						return nil, err
					}
				}
				if len(out) >= DHIS2Limits.Rows {
					return nil, Faults{lineFault(0, "upload.limit.values", DHIS2Limits.Rows)}
				}
				line := lines.next(int(dec.InputOffset()))
				var raw struct {
					DataElement          string          `json:"dataElement"`
					Period               string          `json:"period"`
					OrgUnit              string          `json:"orgUnit"`
					CategoryOptionCombo  string          `json:"categoryOptionCombo"`
					AttributeOptionCombo string          `json:"attributeOptionCombo"`
					Value                json.RawMessage `json:"value"`
					StoredBy             string          `json:"storedBy"`
					LastUpdated          string          `json:"lastUpdated"`
					Comment              string          `json:"comment"`
					FollowUp             json.RawMessage `json:"followup"`
				}
				if err := dec.Decode(&raw); err != nil {
					var te *json.UnmarshalTypeError
					if errors.As(err, &te) {
						return nil, Faults{lineFault(line, "collect.fault.json_type", te.Field, te.Type.String())}
					}
					return nil, syntax(err)
				}
				v := DataValue{DataElement: raw.DataElement, Period: raw.Period, OrgUnit: raw.OrgUnit, CategoryOptionCombo: raw.CategoryOptionCombo,
					AttributeOptionCombo: raw.AttributeOptionCombo, StoredBy: raw.StoredBy, LastUpdated: raw.LastUpdated, Comment: raw.Comment, Line: line}
				var ok bool
				if v.Value, ok = scalar(raw.Value); !ok {
					return nil, Faults{lineFault(line, "collect.fault.json_type", "value", "string, number")}
				}
				f, _ := scalar(raw.FollowUp)
				v.FollowUp = f == "true"
				out = append(out, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntax(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, syntax(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, Faults{lineFault(lines.at(int(dec.InputOffset())), "collect.fault.json_trailing")}
	}
	if !found {
		return nil, Faults{lineFault(1, "collect.fault.json_object")}
	}
	for i := range out {
		if out[i].Period == "" {
			out[i].Period = set.period
		}
		if out[i].OrgUnit == "" {
			out[i].OrgUnit = set.orgUnit
		}
		if out[i].AttributeOptionCombo == "" {
			out[i].AttributeOptionCombo = set.aoc
		}
	}
	return out, nil
}

// scalar reads a JSON string, number or boolean as text; absent is "".
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case '{', '[':
		return "", false
	}
	return string(raw), true
}

// lineCounter turns byte offsets into line numbers, moving forward only.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func newLineCounter(data []byte) *lineCounter { return &lineCounter{data: data, line: 1} }

// at is the line of offset off.
func (c *lineCounter) at(off int) int {
	off = min(max(off, 0), len(c.data))
	if off < c.off {
		return 1 + bytes.Count(c.data[:off], []byte("\n"))
	}
	c.line += bytes.Count(c.data[c.off:off], []byte("\n"))
	c.off = off
	return c.line
}

// next is the line where the next value starts after off, past blanks
// and a separating comma.
func (c *lineCounter) next(off int) int {
	for off < len(c.data) {
		switch c.data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
			continue
		}
		break
	}
	return c.at(off)
}

// csvColumns are DHIS2's CSV columns in its order, with the short names
// some DHIS2 versions write.
var csvColumns = []struct {
	name    string
	aliases []string
}{
	{"dataelement", nil},
	{"period", nil},
	{"orgunit", nil},
	{"categoryoptioncombo", []string{"catoptcombo"}},
	{"attributeoptioncombo", []string{"attroptcombo"}},
	{"value", nil},
	{"storedby", nil},
	{"lastupdated", nil},
	{"comment", nil},
	{"followup", nil},
}

// ReadDataValuesCSV reads DHIS2's CSV form. The header names the columns
// (in any order and case); dataelement, period, orgunit and value are
// needed, the others are read when present, and unknown ones ignored.
func ReadDataValuesCSV(r io.Reader) ([]DataValue, error) {
	return readDataValuesCSV(context.Background(), r)
}

func readDataValuesCSV(ctx context.Context, r io.Reader) ([]DataValue, error) {
	cr := upload.NewCSV(ctx, r, DHIS2Limits)
	head, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, Faults{lineFault(1, "collect.fault.csv_header", "dataelement,period,orgunit,value")}
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, Faults{lineFault(1, "collect.fault.csv", err.Error())}
		}
		return nil, readFault("", err)
	}
	head = slices.Clone(head)
	cr.ReuseRecord = true
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for _, c := range csvColumns {
			if h == c.name || contains(c.aliases, h) {
				if _, dup := col[c.name]; !dup {
					col[c.name] = i
				}
			}
		}
	}
	var missing []string
	for _, need := range []string{"dataelement", "period", "orgunit", "value"} {
		if _, ok := col[need]; !ok {
			missing = append(missing, need)
		}
	}
	if len(missing) > 0 {
		return nil, Faults{lineFault(1, "collect.fault.csv_header", strings.Join(missing, ","))}
	}
	var out []DataValue
	var faults FaultList
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fs, ok := readFault("", err).(Faults)
			if !ok {
				return nil, err
			}
			faults.Add(fs[0])
			return nil, faults.Faults()
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		for _, need := range []string{"dataelement", "period", "orgunit", "value"} {
			if col[need] >= len(rec) {
				faults.Add(lineFault(line, "collect.fault.csv_short", len(rec), len(head)))
				break
			}
		}
		out = append(out, DataValue{DataElement: get("dataelement"), Period: get("period"), OrgUnit: get("orgunit"),
			CategoryOptionCombo: get("categoryoptioncombo"), AttributeOptionCombo: get("attributeoptioncombo"),
			Value: get("value"), StoredBy: get("storedby"), LastUpdated: get("lastupdated"), Comment: get("comment"),
			FollowUp: strings.EqualFold(get("followup"), "true"), Line: line})
	}
	if faults.Len() > 0 {
		return nil, faults.Faults()
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ImportedValue is a DHIS2 value checked against the dictionary: lighten's
// unit, element, period key and the value in canonical form.
type ImportedValue struct {
	Line    int
	Unit    string
	Element *Element
	Period  string
	Value   string
}

// CheckDataValues checks every value of an import: the element is known
// and approved, the period is a DHIS2 period of the element's period type,
// the unit is known, the value is valid for the element, and no element,
// period and unit comes twice. It returns the checked values, or every
// fault (up to 50) naming the line.
func CheckDataValues(vals []DataValue, elements map[string]*Element, unitKnown func(code string) bool) ([]ImportedValue, error) {
	var faults FaultList
	add := func(line int, key string, args ...any) {
		faults.Add(lineFault(line, key, args...))
	}
	out := make([]ImportedValue, 0, len(vals))
	seen := map[string]int{}
	for _, v := range vals {
		e, ok := elements[v.DataElement]
		if !ok || e.Status != Approved {
			switch {
			case v.DataElement == "":
				add(v.Line, "collect.fault.dhis2_empty", "dataElement")
			case !ok:
				add(v.Line, "collect.fault.dhis2_element", v.DataElement)
			default:
				add(v.Line, "collect.fault.dhis2_status", v.DataElement, string(e.Status))
			}
			continue
		}
		if field, at := controlIn(v); at > 0 {
			add(v.Line, "collect.fault.dhis2_control", field, at)
			continue
		}
		pt, key, err := FromDHIS2Period(v.Period)
		if err != nil {
			add(v.Line, "collect.fault.dhis2_period", v.Period)
			continue
		}
		if pt != e.Period {
			add(v.Line, "collect.fault.dhis2_period_type", v.Period, string(pt), e.Code, string(e.Period))
			continue
		}
		if !unitKnown(v.OrgUnit) {
			add(v.Line, "collect.fault.dhis2_unit", v.OrgUnit)
			continue
		}
		norm, err := e.Normalize(v.Value)
		if err != nil {
			var msg any = err.Error()
			var p *Problem
			if errors.As(err, &p) {
				msg = p.Message()
			}
			add(v.Line, "collect.fault.dhis2_value", e.Code, msg)
			continue
		}
		k := e.Code + "\x00" + key + "\x00" + v.OrgUnit
		if first, dup := seen[k]; dup {
			add(v.Line, "collect.fault.dhis2_twice", e.Code, v.Period, v.OrgUnit, first)
			continue
		}
		seen[k] = v.Line
		out = append(out, ImportedValue{Line: v.Line, Unit: v.OrgUnit, Element: e, Period: key, Value: norm})
	}
	if faults.Len() > 0 {
		return nil, faults.Faults()
	}
	return out, nil
}

// DataValueWriter writes values in one of DHIS2's forms, one at a time,
// so that a large export never sits in memory.
type DataValueWriter interface {
	Write(DataValue) error
	// Close ends the document; it does not close the underlying writer.
	Close() error
}

// NewDataValueWriter writes JSON ("json") or DHIS2's CSV ("csv").
//
// Both are for machines (DHIS2 and the programs that feed it), so values
// are written exactly as held: the CSV is NOT passed through export.Cell,
// and a text value beginning with = + - @ is written as it is, since a
// quote put before it would be imported as part of the value. Whoever
// opens this CSV in a spreadsheet should import it as text; the answer's
// CSV and workbook are the files for people.
func NewDataValueWriter(w io.Writer, format string) (DataValueWriter, error) {
	switch format {
	case "json", "":
		return &jsonValues{w: w}, nil
	case "csv":
		cw := csv.NewWriter(w)
		head := make([]string, len(csvColumns))
		for i, c := range csvColumns {
			head[i] = c.name
		}
		if err := cw.Write(head); err != nil {
			return nil, err
		}
		return &csvValues{w: cw}, nil
	}
	return nil, fmt.Errorf("format %q: json or csv expected", format)
}

type jsonValues struct {
	w   io.Writer
	n   int
	buf bytes.Buffer
}

func (j *jsonValues) Write(v DataValue) error {
	j.buf.Reset()
	if j.n == 0 {
		j.buf.WriteString(`{"dataValues":[`)
	} else {
		j.buf.WriteByte(',')
	}
	j.buf.WriteByte('\n')
	enc := json.NewEncoder(&j.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	j.buf.Truncate(j.buf.Len() - 1) // the encoder's newline
	j.n++
	_, err := j.w.Write(j.buf.Bytes())
	return err
}

func (j *jsonValues) Close() error {
	end := "\n]}\n"
	if j.n == 0 {
		end = `{"dataValues":[]}` + "\n"
	}
	_, err := io.WriteString(j.w, end)
	return err
}

type csvValues struct{ w *csv.Writer }

func (c *csvValues) Write(v DataValue) error {
	follow := "false"
	if v.FollowUp {
		follow = "true"
	}
	return c.w.Write([]string{v.DataElement, v.Period, v.OrgUnit, v.CategoryOptionCombo, v.AttributeOptionCombo, v.Value,
		v.StoredBy, v.LastUpdated, v.Comment, follow})
}

func (c *csvValues) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// controlIn finds a field of a data value holding what text may not hold
// (the value itself is checked by its element).
func controlIn(v DataValue) (string, int) {
	for _, f := range []struct{ name, v string }{{"storedBy", v.StoredBy}, {"lastUpdated", v.LastUpdated}, {"comment", v.Comment},
		{"categoryOptionCombo", v.CategoryOptionCombo}, {"attributeOptionCombo", v.AttributeOptionCombo}} {
		if at := text.ControlAt(f.v); at > 0 {
			return f.name, at
		}
	}
	return "", 0
}
