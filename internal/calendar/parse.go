package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The keys of a calendar file, as the npm package chinese-days writes it.
const (
	keyHolidays = "holidays"
	keyWorkdays = "workdays"
	keyInLieu   = "inLieuDays"
)

// MaxFileSize bounds a calendar file; the whole of 2004–2026 is 37 KB.
const MaxFileSize = 4 << 20

// Limits on what a file may say, to catch a wrong file rather than to police
// a right one.
const (
	firstYear     = 1949 // the People's Republic's first holidays
	lastYear      = 2999
	maxName       = 100 // characters of a holiday's name in one language
	maxStatutory  = 31
	maxListErrors = 20
)

// Parse reads a calendar file in the format of the npm package chinese-days:
// one JSON object with the maps "holidays", "workdays" (weekend days that are
// working days) and "inLieuDays" (holidays that are days off in lieu), each
// from a date "YYYY-MM-DD" to "English name,中文名,days".
//
// A file gives whole years: every year it lists days in must list its 1
// January (New Year's Day, a public holiday every year) as a holiday. Days in
// December count towards the next year, whose New Year's break they begin.
// The errors name the key, the date and what was expected.
func Parse(r io.Reader) (*Calendar, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read calendar file: %w", err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("calendar file is larger than %d MiB; a calendar file is a few dozen KiB", MaxFileSize>>20)
	}
	lists, err := readMaps(b)
	if err != nil {
		return nil, err
	}
	var errs problems
	type entry struct {
		name Text
		days int
	}
	parsed := map[string]map[Date]entry{}
	order := map[string][]Date{} // as the file lists them, so errors come in file order
	for _, key := range []string{keyHolidays, keyWorkdays, keyInLieu} {
		parsed[key] = map[Date]entry{}
		for _, kv := range lists[key] {
			d, err := ParseDate(kv.date)
			if err != nil {
				errs.add("%s: %v", key, err)
				continue
			}
			name, days, err := parseValue(kv.value)
			if err != nil {
				errs.add("%s: %s: %v", key, kv.date, err)
				continue
			}
			if _, dup := parsed[key][d]; dup {
				errs.add("%s: %s is listed twice", key, kv.date)
				continue
			}
			parsed[key][d] = entry{name, days}
			order[key] = append(order[key], d)
		}
	}
	var days []Day
	for _, d := range order[keyHolidays] {
		e := parsed[keyHolidays][d]
		l, inLieu := parsed[keyInLieu][d]
		if inLieu && l != e {
			errs.add("%s: %s is %q, but %s gives the same day as %q", keyInLieu, d, format(l.name, l.days), keyHolidays, format(e.name, e.days))
		}
		if _, both := parsed[keyWorkdays][d]; both {
			errs.add("%s is listed both in %s and in %s; a day is either off or worked", d, keyHolidays, keyWorkdays)
		}
		days = append(days, Day{Date: d, Kind: Holiday, Name: e.name, Statutory: e.days, InLieu: inLieu})
	}
	for _, d := range order[keyInLieu] {
		if _, ok := parsed[keyHolidays][d]; !ok {
			errs.add("%s: %s is not listed in %s; a day off in lieu is a holiday", keyInLieu, d, keyHolidays)
		}
	}
	for _, d := range order[keyWorkdays] {
		if _, both := parsed[keyHolidays][d]; !both {
			e := parsed[keyWorkdays][d]
			days = append(days, Day{Date: d, Kind: MakeUpWorkday, Name: e.name, Statutory: e.days})
		}
	}
	if len(days) == 0 && len(errs.list) == 0 {
		return nil, errors.New(`calendar file lists no days: expected {"holidays": {"YYYY-MM-DD": "English name,中文名,days", …}, "workdays": {…}, "inLieuDays": {…}}`)
	}
	// The days that did read are checked too, so that one reading shows
	// every fault.
	check(days, &errs)
	if err := errs.err(); err != nil {
		return nil, err
	}
	return build(days), nil
}

type dateValue struct{ date, value string }

// readMaps reads the file's structure; a structural fault ends the reading,
// since nothing after it can be trusted.
func readMaps(b []byte) (map[string][]dateValue, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	const shape = `{"holidays": {…}, "workdays": {…}, "inLieuDays": {…}}`
	syntax := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("calendar file is not valid JSON at byte %d: %v", se.Offset, se)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("calendar file ends too early: the JSON is incomplete")
		}
		return fmt.Errorf("calendar file: %w", err)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntax(err)
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("calendar file: expected a JSON object %s, found %s", shape, describe(tok))
	}
	out := map[string][]dateValue{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		key, _ := tok.(string)
		switch key {
		case keyHolidays, keyWorkdays, keyInLieu:
		default:
			return nil, fmt.Errorf("calendar file: unknown key %q; expected %q, %q and %q", key, keyHolidays, keyWorkdays, keyInLieu)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("calendar file: key %q appears twice", key)
		}
		out[key] = []dateValue{}
		if tok, err = dec.Token(); err != nil {
			return nil, syntax(err)
		}
		if tok != json.Delim('{') {
			return nil, fmt.Errorf("%s: expected an object of dates {\"YYYY-MM-DD\": \"English name,中文名,days\"}, found %s", key, describe(tok))
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, syntax(err)
			}
			date, _ := tok.(string)
			if tok, err = dec.Token(); err != nil {
				return nil, syntax(err)
			}
			value, ok := tok.(string)
			if !ok {
				return nil, fmt.Errorf("%s: %s: expected a string \"English name,中文名,days\", found %s", key, date, describe(tok))
			}
			out[key] = append(out[key], dateValue{date, value})
		}
		if _, err := dec.Token(); err != nil { // the closing }
			return nil, syntax(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax(err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, syntax(err)
		}
		return nil, fmt.Errorf("calendar file: unexpected %s after the end of the object", describe(tok))
	}
	return out, nil
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "a list"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return fmt.Sprintf("the string %q", v)
	case float64:
		return fmt.Sprintf("the number %v", v)
	case bool:
		return fmt.Sprintf("%v", v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// parseValue reads "English name,中文名,days". The English name may itself
// hold commas, so the fields are cut from the right.
func parseValue(s string) (Text, int, error) {
	const want = `expected "English name,中文名,days"`
	i := strings.LastIndexByte(s, ',')
	if i < 0 {
		return Text{}, 0, fmt.Errorf("%q: %s", s, want)
	}
	j := strings.LastIndexByte(s[:i], ',')
	if j < 0 {
		return Text{}, 0, fmt.Errorf("%q: %s", s, want)
	}
	name := Text{EN: strings.TrimSpace(s[:j]), ZH: strings.TrimSpace(s[j+1 : i])}
	days, err := strconv.Atoi(strings.TrimSpace(s[i+1:]))
	if err != nil {
		return Text{}, 0, fmt.Errorf("%q: the days after the last comma are not a whole number; %s", s, want)
	}
	return name, days, nil
}

func format(name Text, days int) string { return name.EN + "," + name.ZH + "," + strconv.Itoa(days) }

// Value is the day's name as a calendar file writes it:
// "English name,中文名,days".
func (d Day) Value() string { return format(d.Name, d.Statutory) }

// ParseValue reads a name written "English name,中文名,days".
func ParseValue(s string) (name Text, statutory int, err error) { return parseValue(s) }

// New makes a calendar of the listed days, checking that they make sense:
// one entry per date, names in both languages, make-up working days on
// weekends, and whole years (see Parse). The store rebuilds loaded years
// with it.
func New(days []Day) (*Calendar, error) {
	var errs problems
	check(days, &errs)
	if err := errs.err(); err != nil {
		return nil, err
	}
	return build(days), nil
}

func check(days []Day, errs *problems) {
	seen := make(map[Date]bool, len(days))
	years := map[int][]Date{}
	covered := map[int]bool{}
	for _, d := range days {
		key := keyHolidays
		if d.Kind == MakeUpWorkday {
			key = keyWorkdays
		}
		switch {
		case d.Kind != Holiday && d.Kind != MakeUpWorkday:
			errs.add("%s: kind %v; expected a holiday or a make-up working day", d.Date, d.Kind)
			continue
		case seen[d.Date]:
			errs.add("%s is listed twice", d.Date)
			continue
		case d.Date.Year() < firstYear || d.Date.Year() > lastYear:
			errs.add("%s: %s: expected a year from %d to %d", key, d.Date, firstYear, lastYear)
			continue
		}
		seen[d.Date] = true
		if err := checkName("English name", d.Name.EN); err != nil {
			errs.add("%s: %s: %v", key, d.Date, err)
		}
		if err := checkName("中文名 (Chinese name)", d.Name.ZH); err != nil {
			errs.add("%s: %s: %v", key, d.Date, err)
		}
		if d.Statutory < 0 || d.Statutory > maxStatutory {
			errs.add("%s: %s: %d statutory days; expected 0 to %d", key, d.Date, d.Statutory, maxStatutory)
		}
		if d.Kind == MakeUpWorkday && !d.Date.isWeekend() {
			errs.add("%s: %s is a %s; a make-up working day is a Saturday or a Sunday", key, d.Date, d.Date.Weekday())
		}
		if d.InLieu && d.Kind != Holiday {
			errs.add("%s: %s is marked in lieu; only a holiday is a day off in lieu", key, d.Date)
		}
		y := scheduleYear(d.Date)
		years[y] = append(years[y], d.Date)
		if d.Kind == Holiday && d.Date == NewDate(y, time.January, 1) {
			covered[y] = true
		}
	}
	for _, y := range slices.Sorted(maps.Keys(years)) {
		ds := years[y]
		if covered[y] {
			continue
		}
		first := ds[0]
		for _, d := range ds {
			if d.Before(first) {
				first = d
			}
		}
		why := ""
		if first.Month() == time.December {
			why = " (December days belong to the next year's schedule, whose New Year's break they begin)"
		}
		errs.add("year %d: %d day(s) listed, from %s%s, but %d-01-01 is not listed as a holiday: "+
			"a calendar gives whole years, each with its New Year's Day", y, len(ds), first, why, y)
	}
}

func checkName(what, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("the %s is empty", what)
	case !utf8.ValidString(s):
		return fmt.Errorf("the %s is not valid UTF-8", what)
	case utf8.RuneCountInString(s) > maxName:
		return fmt.Errorf("the %s is longer than %d characters", what, maxName)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("the %s %q holds a control character", what, s)
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("the %s %q begins or ends with a space", what, s)
	}
	return nil
}

// MarshalJSON writes the calendar in the format Parse reads.
func (c *Calendar) MarshalJSON() ([]byte, error) {
	file := struct {
		Holidays map[string]string `json:"holidays"`
		Workdays map[string]string `json:"workdays"`
		InLieu   map[string]string `json:"inLieuDays"`
	}{map[string]string{}, map[string]string{}, map[string]string{}}
	for _, d := range c.list {
		v := format(d.Name, d.Statutory)
		switch d.Kind {
		case Holiday:
			file.Holidays[d.Date.String()] = v
			if d.InLieu {
				file.InLieu[d.Date.String()] = v
			}
		case MakeUpWorkday:
			file.Workdays[d.Date.String()] = v
		}
	}
	return json.Marshal(file)
}

// problems gathers a file's faults so that one reading shows many of them.
type problems struct {
	list []error
	more int
}

func (p *problems) add(f string, args ...any) {
	if len(p.list) == maxListErrors {
		p.more++
		return
	}
	p.list = append(p.list, fmt.Errorf(f, args...))
}

func (p *problems) err() error {
	if p.more > 0 {
		p.list = append(p.list, fmt.Errorf("… and %d more", p.more))
	}
	return errors.Join(p.list...)
}
