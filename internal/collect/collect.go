// Package collect is the shared data dictionary and the values units have
// reported, so that a figure is collected once and every office reuses it:
// elements, their types and periods, validation of what units submit,
// cross-element rules, and which values are still fresh. It has no SQL and
// no HTTP in it.
package collect

import (
	"fmt"
	"lighten/internal/text"
	"math"
	"strconv"
	"strings"
	"time"

	"lighten/internal/i18n"
)

// Type is what kind of value an element holds.
type Type string

const (
	Integer Type = "integer"
	Decimal Type = "decimal"
	Text    Type = "text"
	Choice  Type = "choice"
	Date    Type = "date"
	Bool    Type = "bool"
	Point   Type = "point" // "lat,lon" in degrees
)

// Types lists every type.
var Types = []Type{Integer, Decimal, Text, Choice, Date, Bool, Point}

// PeriodType is how often an element is measured.
type PeriodType string

const (
	Day     PeriodType = "day"
	Week    PeriodType = "week"
	Month   PeriodType = "month"
	Quarter PeriodType = "quarter"
	Year    PeriodType = "year"
	Once    PeriodType = "once"
)

// PeriodTypes lists every period type.
var PeriodTypes = []PeriodType{Day, Week, Month, Quarter, Year, Once}

// Status is where an element is in the dictionary.
type Status string

const (
	Approved Status = "approved"
	Proposed Status = "proposed" // proposed by an issuer; the burden office reviews it
	Rejected Status = "rejected"
)

// Element is an entry of the shared data dictionary.
type Element struct {
	ID        int64      `json:"id"`
	Code      string     `json:"code"` // stable, also the DHIS2 dataElement
	Name      string     `json:"name"`
	NameEN    string     `json:"name_en"`
	Type      Type       `json:"type"`
	Measure   string     `json:"measure,omitempty"` // unit of measure: 户, 人, 亩, 元
	Period    PeriodType `json:"period"`
	ValidDays int        `json:"valid_days"` // how long a value stays valid; 0 for as long as its period
	Owner     int64      `json:"owner"`      // the owning office
	Readers   []int64    `json:"readers"`    // offices that may read values; empty for every office
	Choices   []string   `json:"choices,omitempty"`
	Min       *float64   `json:"min,omitempty"`
	Max       *float64   `json:"max,omitempty"`
	Status    Status     `json:"status"`
	Created   time.Time  `json:"created"`
}

// Problem is a fault in an element or in a submitted value, naming the
// field. What is wrong is a catalogue key with its arguments, so that it
// reads in either language; an argument that is an i18n.Text is rendered
// in each language in turn.
type Problem struct {
	Field string // the element's code, or the field of a definition
	Unit  string // the unit whose submitted value it is; empty for a definition
	Key   string
	Args  []any
}

// problem is a fault in field, said by the catalogue key with args.
func problem(field, key string, args ...any) *Problem {
	return &Problem{Field: field, Key: key, Args: args}
}

// What says what is wrong in both languages, without the unit.
func (p *Problem) What() i18n.Text { return i18n.Both(p.Key, p.Args...) }

// Message says what is wrong in both languages, naming the unit when the
// value is a unit's.
func (p *Problem) Message() i18n.Text {
	if p.Unit == "" {
		return p.What()
	}
	return i18n.Both("collect.problem.in_unit", p.Unit, p.What())
}

// Msg is the message in English.
func (p *Problem) Msg() string { return p.Message().EN }

// Required reports whether the problem is a value that was not given.
func (p *Problem) Required() bool { return p.Key == keyRequired }

func (p *Problem) Error() string { return p.Field + ": " + p.Msg() }

const keyRequired = "collect.problem.required"

// Validate checks an element's definition.
func (e *Element) Validate() error {
	e.Code, e.Name = strings.TrimSpace(e.Code), strings.TrimSpace(e.Name)
	switch {
	case e.Code == "" || len(e.Code) > 64 || strings.ContainsAny(e.Code, " ,;\t\n\"'"):
		return problem("code", "collect.problem.code", e.Code)
	case e.Name == "":
		return problem("name", keyRequired)
	}
	for _, f := range []struct{ field, v string }{{"code", e.Code}, {"name", e.Name}, {"name_en", e.NameEN}, {"measure", e.Measure}} {
		if at := text.ControlAt(f.v); at > 0 {
			return problem(f.field, "collect.problem.control", at)
		}
	}
	for _, c := range e.Choices {
		if at := text.ControlAt(c); at > 0 {
			return problem("choices", "collect.problem.control", at)
		}
	}
	if !oneOf(string(e.Type), Types) {
		return problem("type", "collect.problem.type", string(e.Type))
	}
	if !oneOf(string(e.Period), PeriodTypes) {
		return problem("period", "collect.problem.period", string(e.Period))
	}
	if e.ValidDays < 0 || e.ValidDays > 3660 {
		return problem("valid_days", "collect.problem.valid_days", e.ValidDays)
	}
	if e.Type == Choice && len(e.Choices) == 0 {
		return problem("choices", "collect.problem.no_choices")
	}
	if e.Min != nil && e.Max != nil && *e.Min > *e.Max {
		return problem("max", "collect.problem.max_below_min")
	}
	return nil
}

func oneOf[T ~string](s string, all []T) bool {
	for _, x := range all {
		if string(x) == s {
			return true
		}
	}
	return false
}

// Normalize checks a raw value against the element and returns it in its
// canonical form.
func (e *Element) Normalize(raw string) (string, error) {
	v := strings.TrimSpace(raw)
	if v == "" {
		return "", problem(e.Code, "collect.problem.empty")
	}
	if at := text.ControlAt(v); at > 0 {
		return "", problem(e.Code, "collect.problem.control", at)
	}
	bounds := func(f float64) error {
		if e.Min != nil && f < *e.Min {
			return problem(e.Code, "collect.problem.below_min", v, fmtNum(*e.Min))
		}
		if e.Max != nil && f > *e.Max {
			return problem(e.Code, "collect.problem.above_max", v, fmtNum(*e.Max))
		}
		return nil
	}
	switch e.Type {
	case Integer:
		n, err := strconv.ParseInt(strings.ReplaceAll(v, ",", ""), 10, 64)
		if err != nil {
			return "", problem(e.Code, "collect.problem.not_integer", raw)
		}
		return strconv.FormatInt(n, 10), bounds(float64(n))
	case Decimal:
		f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", ""), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", problem(e.Code, "collect.problem.not_number", raw)
		}
		return fmtNum(f), bounds(f)
	case Text:
		if len(v) > 4000 {
			return "", problem(e.Code, "collect.problem.text_long")
		}
		if strings.HasPrefix(v, "=") {
			return "", problem(e.Code, "collect.problem.formula")
		}
		return v, nil
	case Choice:
		for _, c := range e.Choices {
			if c == v {
				return v, nil
			}
		}
		return "", problem(e.Code, "collect.problem.not_choice", raw,
			i18n.Text{ZH: strings.Join(e.Choices, "、"), EN: strings.Join(e.Choices, ", ")})
	case Date:
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return "", problem(e.Code, "collect.problem.not_date", raw)
		}
		return t.Format("2006-01-02"), nil
	case Bool:
		switch strings.ToLower(v) {
		case "true", "yes", "1", "是":
			return "true", nil
		case "false", "no", "0", "否":
			return "false", nil
		}
		return "", problem(e.Code, "collect.problem.not_bool", raw)
	case Point:
		lat, lon, ok := strings.Cut(v, ",")
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
		if !ok || err1 != nil || err2 != nil || la < -90 || la > 90 || lo < -180 || lo > 180 {
			return "", problem(e.Code, "collect.problem.not_point", raw)
		}
		return fmtNum(la) + "," + fmtNum(lo), nil
	}
	return "", problem(e.Code, "collect.problem.unknown_type")
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Number reads a normalized numeric value.
func Number(v string) (float64, bool) {
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// PeriodOf is the period key of type pt containing t (China time): a day
// "2026-11-27", a week "2026-W48" (ISO), a month "2026-11", a quarter
// "2026Q4", a year "2026", or "once".
func PeriodOf(pt PeriodType, t time.Time) string {
	t = t.In(china)
	switch pt {
	case Day:
		return t.Format("2006-01-02")
	case Week:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case Month:
		return t.Format("2006-01")
	case Quarter:
		return fmt.Sprintf("%dQ%d", t.Year(), (int(t.Month())-1)/3+1)
	case Year:
		return strconv.Itoa(t.Year())
	}
	return "once"
}

// PeriodEnd is the first instant after period key p.
func PeriodEnd(pt PeriodType, p string) (time.Time, error) {
	bad := fmt.Errorf("period %q is not a %s period", p, pt)
	switch pt {
	case Day:
		t, err := time.ParseInLocation("2006-01-02", p, china)
		if err != nil {
			return t, bad
		}
		return t.AddDate(0, 0, 1), nil
	case Week:
		var y, w int
		if _, err := fmt.Sscanf(p, "%d-W%d", &y, &w); err != nil || w < 1 || w > 53 || p != fmt.Sprintf("%d-W%02d", y, w) {
			return time.Time{}, bad
		}
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, china)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		return monday.AddDate(0, 0, 7*w), nil
	case Month:
		t, err := time.ParseInLocation("2006-01", p, china)
		if err != nil {
			return t, bad
		}
		return t.AddDate(0, 1, 0), nil
	case Quarter:
		var y, q int
		if _, err := fmt.Sscanf(p, "%dQ%d", &y, &q); err != nil || q < 1 || q > 4 || p != fmt.Sprintf("%dQ%d", y, q) {
			return time.Time{}, bad
		}
		return time.Date(y, time.Month(q*3+1), 1, 0, 0, 0, 0, china), nil
	case Year:
		y, err := strconv.Atoi(p)
		if err != nil || y < 1900 || y > 2200 {
			return time.Time{}, bad
		}
		return time.Date(y+1, 1, 1, 0, 0, 0, 0, china), nil
	case Once:
		if p != "once" {
			return time.Time{}, bad
		}
		return time.Date(9999, 1, 1, 0, 0, 0, 0, china), nil
	}
	return time.Time{}, bad
}

var china = time.FixedZone("CST", 8*3600)

// FreshSince is the earliest collection time at which a value of the
// element is still valid at now: values older than ValidDays are stale.
func (e *Element) FreshSince(now time.Time) time.Time {
	if e.ValidDays <= 0 {
		return time.Time{}
	}
	return now.AddDate(0, 0, -e.ValidDays)
}

// Rule is a cross-element rule: Left Op Right, such as households <=
// population. It holds only when both values are present.
type Rule struct {
	ID    int64  `json:"id"`
	Left  string `json:"left"`
	Op    string `json:"op"` // <=, <, >=, >, ==
	Right string `json:"right"`
}

// Validate checks a rule's form.
func (r Rule) Validate() error {
	switch r.Op {
	case "<=", "<", ">=", ">", "==":
	default:
		return problem("op", "collect.problem.op", r.Op)
	}
	if r.Left == "" || r.Right == "" || r.Left == r.Right {
		return problem("left", "collect.problem.rule_sides")
	}
	return nil
}

// OpText is the rule's comparison as a reader reads it: the symbol in
// English, words in Chinese.
func (r Rule) OpText() i18n.Text {
	key := map[string]string{"<=": "collect.op.le", "<": "collect.op.lt", ">=": "collect.op.ge", ">": "collect.op.gt", "==": "collect.op.eq"}[r.Op]
	if key == "" {
		return i18n.Text{ZH: r.Op, EN: r.Op}
	}
	return i18n.Both(key)
}

// Holds reports whether the rule holds for two normalized numbers.
func (r Rule) Holds(left, right float64) bool {
	switch r.Op {
	case "<=":
		return left <= right
	case "<":
		return left < right
	case ">=":
		return left >= right
	case ">":
		return left > right
	}
	return left == right
}

// Submission is what one unit submits for one report: raw values by
// element code.
type Submission struct {
	Unit   string            `json:"unit"`
	Values map[string]string `json:"values"`
	// Key makes a retry store the submission once.
	Key string `json:"client_key,omitempty"`
}

// Check validates a whole submission: every value against its element,
// every asked element present unless known, nothing extra, and every
// cross-element rule over the submitted and known values. It returns the
// normalized values, or the first problems found (up to 20), naming unit,
// element and value.
func Check(s Submission, asked map[string]*Element, known map[string]string, rules []Rule) (map[string]string, []error) {
	var errs []error
	add := func(err error) bool {
		errs = append(errs, err)
		return len(errs) < 20
	}
	out := make(map[string]string, len(s.Values))
	for code, raw := range s.Values {
		e, ok := asked[code]
		if !ok {
			if !add(&Problem{Field: code, Unit: s.Unit, Key: "collect.problem.not_asked", Args: []any{code}}) {
				return nil, errs
			}
			continue
		}
		v, err := e.Normalize(raw)
		if err != nil {
			p := err.(*Problem)
			if !add(&Problem{Field: code, Unit: s.Unit, Key: p.Key, Args: p.Args}) {
				return nil, errs
			}
			continue
		}
		out[code] = v
	}
	for code := range asked {
		if _, ok := out[code]; !ok {
			if _, known := known[code]; !known {
				if _, sent := s.Values[code]; !sent {
					if !add(&Problem{Field: code, Unit: s.Unit, Key: keyRequired}) {
						return nil, errs
					}
				}
			}
		}
	}
	value := func(code string) (float64, bool) {
		if v, ok := out[code]; ok {
			return Number(v)
		}
		if v, ok := known[code]; ok {
			return Number(v)
		}
		return 0, false
	}
	for _, r := range rules {
		l, ok1 := value(r.Left)
		rv, ok2 := value(r.Right)
		if ok1 && ok2 && !r.Holds(l, rv) {
			if !add(&Problem{Field: r.Left, Unit: s.Unit, Key: "collect.problem.rule",
				Args: []any{r.Left, fmtNum(l), r.OpText(), r.Right, fmtNum(rv)}}) {
				return nil, errs
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}
