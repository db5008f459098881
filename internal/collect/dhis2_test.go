package collect

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"lighten/internal/upload/uploadtest"
	"time"
)

func TestDHIS2Periods(t *testing.T) {
	for _, c := range []struct {
		in   string
		pt   PeriodType
		key  string
		back string
	}{
		{"20261127", Day, "2026-11-27", "20261127"},
		{"20240229", Day, "2024-02-29", "20240229"},
		{"2026W48", Week, "2026-W48", "2026W48"},
		{"2026W5", Week, "2026-W05", "2026W5"},
		{"2026W05", Week, "2026-W05", "2026W5"},
		{"2026W53", Week, "2026-W53", "2026W53"}, // 2026 begins on a Thursday: 53 weeks
		{"202611", Month, "2026-11", "202611"},
		{"2026Q4", Quarter, "2026Q4", "2026Q4"},
		{"2026", Year, "2026", "2026"},
	} {
		pt, key, err := FromDHIS2Period(c.in)
		if err != nil || pt != c.pt || key != c.key {
			t.Errorf("FromDHIS2Period(%q) = %s %q %v, want %s %q", c.in, pt, key, err, c.pt, c.key)
			continue
		}
		if back, err := DHIS2Period(pt, key); err != nil || back != c.back {
			t.Errorf("DHIS2Period(%s, %q) = %q %v, want %q", pt, key, back, err, c.back)
		}
	}
	for _, bad := range []string{"", "abcd", "2026-11", "2026-11-27", "20260230", "202613", "202600", "2026Q5", "2026Q0",
		"2025W53", "2026W0", "2026W54", "2026S1", "2026BiW1", "2026WedW5", "2026April", "202611B", "1800", "2026W", "2026Q"} {
		if pt, key, err := FromDHIS2Period(bad); err == nil {
			t.Errorf("FromDHIS2Period(%q) = %s %q, want an error", bad, pt, key)
		}
	}
	if _, err := DHIS2Period(Once, "once"); err == nil {
		t.Error("DHIS2 has no period for once")
	}
	if _, err := DHIS2Period(Month, "2026-13"); err == nil {
		t.Error("a bad key is refused")
	}
}

// Every lighten period key of every day over several years travels to
// DHIS2 and back unchanged.
func TestDHIS2PeriodsRoundTripEveryDay(t *testing.T) {
	for d := time.Date(2019, 12, 20, 12, 0, 0, 0, china); d.Year() < 2028; d = d.AddDate(0, 0, 1) {
		for _, pt := range []PeriodType{Day, Week, Month, Quarter, Year} {
			key := PeriodOf(pt, d)
			p, err := DHIS2Period(pt, key)
			if err != nil {
				t.Fatalf("%s %s: %v", pt, key, err)
			}
			gotType, gotKey, err := FromDHIS2Period(p)
			if err != nil || gotType != pt || gotKey != key {
				t.Fatalf("%s %s → %s → %s %s %v", pt, key, p, gotType, gotKey, err)
			}
		}
	}
}

func TestReadDataValuesJSON(t *testing.T) {
	doc := `{
  "dataSet": "pBOMPrpg1QX",
  "period": "2026",
  "orgUnit": "430922100201",
  "dataValues": [
    {"dataElement": "HH", "value": "120"},
    {"dataElement": "POP", "period": "2026", "orgUnit": "430922100202", "value": 300, "comment": "census", "followup": true},
    {"dataElement": "FLAG", "value": true, "categoryOptionCombo": "HllvX50cXC0", "extra": {"ignored": [1, 2]}}
  ]
}`
	vals, err := ReadDataValuesJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []DataValue{
		{DataElement: "HH", Period: "2026", OrgUnit: "430922100201", Value: "120", Line: 6},
		{DataElement: "POP", Period: "2026", OrgUnit: "430922100202", Value: "300", Comment: "census", FollowUp: true, Line: 7},
		{DataElement: "FLAG", Period: "2026", OrgUnit: "430922100201", Value: "true", CategoryOptionCombo: "HllvX50cXC0", Line: 8},
	}
	if !reflect.DeepEqual(vals, want) {
		t.Fatalf("got %+v\nwant %+v", vals, want)
	}
	for _, c := range []struct{ doc, want string }{
		{`{"dataValues": [{"dataElement": "HH", "value": "1"}`, "truncated"},
		{"{\n\"dataValues\": [\n{\"dataElement\": \"HH\", \"value\": {\"x\": 1}}]}", "line 3: value has the wrong type"},
		{`{"period": "2026"}`, "An object with a list of values"},
		{`[1, 2]`, "An object with a list of values"},
		{"{\"dataValues\": [\n\n{\"dataElement\": 5}]}", "line 3: dataElement has the wrong type; expected: string"},
		{`{"dataValues": []} {}`, "more after the end"},
		{``, "truncated"},
	} {
		_, err := ReadDataValuesJSON(strings.NewReader(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.doc, err, c.want)
		}
	}
}

func TestReadDataValuesCSV(t *testing.T) {
	// DHIS2's own header, with the short names some versions write, a
	// column lighten does not know, and columns in another order.
	doc := "\ufeffdataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup,deleted\n" +
		"HH,2026,430922100201,HllvX50cXC0,HllvX50cXC0,120,admin,2026-01-02T10:00:00.000,\"a, quoted\",false,false\n" +
		"POP,2026,430922100202,,,300,,,,true,\n"
	vals, err := ReadDataValuesCSV(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []DataValue{
		{DataElement: "HH", Period: "2026", OrgUnit: "430922100201", CategoryOptionCombo: "HllvX50cXC0", AttributeOptionCombo: "HllvX50cXC0",
			Value: "120", StoredBy: "admin", LastUpdated: "2026-01-02T10:00:00.000", Comment: "a, quoted", Line: 2},
		{DataElement: "POP", Period: "2026", OrgUnit: "430922100202", Value: "300", FollowUp: true, Line: 3},
	}
	if !reflect.DeepEqual(vals, want) {
		t.Fatalf("got %+v\nwant %+v", vals, want)
	}
	vals, err = ReadDataValuesCSV(strings.NewReader("Value,OrgUnit,DataElement,Period\n7,430922100201,HH,2026\n"))
	if err != nil || len(vals) != 1 || vals[0].Value != "7" || vals[0].DataElement != "HH" {
		t.Fatalf("minimal columns in another order: %+v %v", vals, err)
	}
	for _, c := range []struct{ doc, want string }{
		{"dataelement,period,value\nHH,2026,1\n", "orgunit"},
		{"", "header"},
		{"dataelement,period,orgunit,value\nHH,2026\n", "line 2"},
		{"dataelement,period,orgunit,value\nHH,2026,4309,\"1\n", "line 2"},
	} {
		_, err := ReadDataValuesCSV(strings.NewReader(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.doc, err, c.want)
		}
	}
}

func TestCheckDataValues(t *testing.T) {
	ptr := func(f float64) *float64 { return &f }
	elements := map[string]*Element{
		"HH":   {Code: "HH", Name: "户数", Type: Integer, Period: Year, Min: ptr(0), Status: Approved},
		"CASE": {Code: "CASE", Name: "病例", Type: Integer, Period: Month, Status: Approved},
		"NEW":  {Code: "NEW", Name: "新", Type: Integer, Period: Year, Status: Proposed},
	}
	known := func(code string) bool { return strings.HasPrefix(code, "430922") }
	ok := []DataValue{
		{DataElement: "HH", Period: "2026", OrgUnit: "430922100201", Value: "1,200", Line: 2},
		{DataElement: "CASE", Period: "202611", OrgUnit: "430922100201", Value: "3", Line: 3},
	}
	got, err := CheckDataValues(ok, elements, known)
	if err != nil || len(got) != 2 || got[0].Value != "1200" || got[1].Period != "2026-11" || got[1].Element.Code != "CASE" {
		t.Fatalf("%+v %v", got, err)
	}
	bad := []DataValue{
		{DataElement: "CARS", Period: "2026", OrgUnit: "430922100201", Value: "1", Line: 2},
		{DataElement: "HH", Period: "202611", OrgUnit: "430922100201", Value: "1", Line: 3},
		{DataElement: "HH", Period: "2026", OrgUnit: "999999", Value: "1", Line: 4},
		{DataElement: "HH", Period: "2026", OrgUnit: "430922100201", Value: "-1", Line: 5},
		{DataElement: "HH", Period: "2026", OrgUnit: "430922100202", Value: "2", Line: 6},
		{DataElement: "HH", Period: "2026", OrgUnit: "430922100202", Value: "3", Line: 7},
		{DataElement: "NEW", Period: "2026", OrgUnit: "430922100202", Value: "3", Line: 8},
		{DataElement: "CASE", Period: "2026S1", OrgUnit: "430922100202", Value: "3", Line: 9},
	}
	_, err = CheckDataValues(bad, elements, known)
	var fs Faults
	if !errors.As(err, &fs) || len(fs) != 7 {
		t.Fatalf("%v", err)
	}
	for i, want := range []string{"line 2: The dictionary has no element CARS", "line 3: Period \"202611\" is a month period, but element HH is reported by year",
		"line 4: There is no unit with statistical code \"999999\"", "line 5: The value of element HH is wrong: -1 is below the minimum 0",
		"line 7: Element HH, period 2026, unit 430922100202 is given twice; line 6 has it already", "line 8: Element NEW is proposed",
		"line 9: \"2026S1\" is not a DHIS2 period"} {
		if !strings.Contains(fs[i].Error(), want) || fs[i].Message.ZH == "" {
			t.Errorf("fault %d: %s, want %q", i, fs[i].Error(), want)
		}
	}
}

func TestDataValueWriters(t *testing.T) {
	vals := []DataValue{
		{DataElement: "HH", Period: "2026", OrgUnit: "430922100201", Value: "120", StoredBy: "cun", LastUpdated: "2026-11-27T02:00:00.000", Comment: "report #3"},
		{DataElement: "NOTE", Period: "2026W48", OrgUnit: "430922100202", Value: "a \"quoted\", <b>line</b>\nand more", FollowUp: true},
	}
	for _, format := range []string{"json", "csv"} {
		var buf bytes.Buffer
		w, err := NewDataValueWriter(&buf, format)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if err := w.Write(v); err != nil {
				t.Fatal(err)
			}
		}
		w.Close()
		got, err := ReadDataValues(bytes.NewReader(buf.Bytes()), format == "csv")
		if err != nil {
			t.Fatalf("%s: %v\n%s", format, err, buf.String())
		}
		for i := range got {
			got[i].Line = 0
		}
		if !reflect.DeepEqual(got, vals) {
			t.Errorf("%s round trip:\n%+v\n%+v", format, got, vals)
		}
		if format == "csv" && !strings.HasPrefix(buf.String(), "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup\n") {
			t.Errorf("csv header: %s", buf.String())
		}
	}
	var buf bytes.Buffer
	w, _ := NewDataValueWriter(&buf, "json")
	w.Close()
	if buf.String() != "{\"dataValues\":[]}\n" {
		t.Errorf("empty set: %q", buf.String())
	}
	if _, err := NewDataValueWriter(&buf, "xml"); err == nil {
		t.Error("xml is not a format")
	}
}

// A period read from outside either fails or names a real period that
// travels back to the same DHIS2 form (up to a week's zero padding).
func FuzzFromDHIS2Period(f *testing.F) {
	for _, s := range []string{"20261127", "2026W48", "2026W05", "202611", "2026Q4", "2026", "2026W53", "20240229", "2026S1", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		pt, key, err := FromDHIS2Period(p)
		if err != nil {
			return
		}
		if _, err := PeriodEnd(pt, key); err != nil {
			t.Fatalf("%q → %s %q is not a period: %v", p, pt, key, err)
		}
		back, err := DHIS2Period(pt, key)
		if err != nil {
			t.Fatalf("%q → %s %q has no DHIS2 form: %v", p, pt, key, err)
		}
		pt2, key2, err := FromDHIS2Period(back)
		if err != nil || pt2 != pt || key2 != key {
			t.Fatalf("%q → %q → %s %q %v", p, back, pt2, key2, err)
		}
	})
}

// Whatever JSON arrives, reading it either fails or gives values that
// write and read back the same.
func FuzzReadDataValuesJSON(f *testing.F) {
	f.Add(`{"dataValues":[{"dataElement":"HH","period":"2026","orgUnit":"430922100201","value":"120"}]}`)
	f.Add(`{"period":"202611","orgUnit":"43","dataValues":[{"dataElement":"A","value":1.5,"followup":"true"},{"dataElement":"B","value":null}]}`)
	f.Add(`{"dataValues":[]}`)
	f.Add(`{"dataValues":[{"value":{}}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var vals []DataValue
		var err error
		if a, most := uploadtest.Allocated(func() { vals, err = ReadDataValuesJSON(strings.NewReader(doc)) }), uploadtest.Bound(len(doc)); a > most {
			t.Fatalf("reading %d bytes allocated %d, more than %d", len(doc), a, most)
		}
		if err != nil {
			var fs Faults
			if !errors.As(err, &fs) || len(fs) == 0 {
				t.Fatalf("an error that is not a list of faults: %v", err)
			}
			return
		}
		roundTrip(t, vals, "json")
	})
}

// Whatever CSV arrives, reading it either fails with faults or gives
// values that write and read back the same.
func FuzzReadDataValuesCSV(f *testing.F) {
	f.Add("dataelement,period,orgunit,value\nHH,2026,430922100201,120\n")
	f.Add("dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup\nA,202611,43,x,y,\"1,5\",u,2026-01-01,\"c\"\"d\",true\n")
	f.Add("Value,OrgUnit,DataElement,Period\n7,4309,HH,2026\n\n")
	f.Add(strings.Repeat("x,", 5000) + "\n")
	f.Fuzz(func(t *testing.T, doc string) {
		var vals []DataValue
		var err error
		if a, most := uploadtest.Allocated(func() { vals, err = ReadDataValuesCSV(strings.NewReader(doc)) }), uploadtest.Bound(len(doc)); a > most {
			t.Fatalf("reading %d bytes allocated %d, more than %d", len(doc), a, most)
		}
		if err != nil {
			var fs Faults
			if !errors.As(err, &fs) || len(fs) == 0 {
				t.Fatalf("an error that is not a list of faults: %v", err)
			}
			return
		}
		roundTrip(t, vals, "csv")
	})
}

func roundTrip(t *testing.T, vals []DataValue, format string) {
	t.Helper()
	var buf bytes.Buffer
	w, _ := NewDataValueWriter(&buf, format)
	for _, v := range vals {
		if err := w.Write(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := ReadDataValues(bytes.NewReader(buf.Bytes()), format == "csv")
	if err != nil {
		t.Fatalf("written values do not read back: %v\n%s", err, buf.String())
	}
	if len(again) != len(vals) {
		t.Fatalf("%d values, %d read back", len(vals), len(again))
	}
	for i := range vals {
		a, b := vals[i], again[i]
		a.Line, b.Line = 0, 0
		if a != b {
			t.Fatalf("value %d: %+v, read back %+v", i, a, b)
		}
	}
}
