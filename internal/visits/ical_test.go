package visits

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"lighten/internal/calendar"
)

func TestWriteICalGolden(t *testing.T) {
	stamp := time.Date(2026, 3, 31, 16, 5, 0, 0, time.FixedZone("CST", 8*3600))
	evs := []ICalEvent{
		{UID: "visit-41@lighten", Day: calendar.NewDate(2026, 4, 14), Summary: "联合检查（2 项）", Location: "桃江县", Description: "目标当日由组长开启；检查组：I0001（组长）、I0007、I0013；清单：低保资金、耕地保护、乡镇卫生院", Stamp: stamp},
		{UID: "visit-42@lighten", Day: calendar.NewDate(2026, 4, 30), Summary: "Joint visit; items: MZ-01, NY-03", Description: "line one\nline two \\ end", Stamp: stamp},
	}
	var b bytes.Buffer
	if err := WriteICal(&b, "检查组 I0001", evs); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/visits.ics")
	if os.Getenv("LIGHTEN_UPDATE_GOLDEN") != "" {
		os.WriteFile("testdata/visits.ics", b.Bytes(), 0o644)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("feed differs from testdata/visits.ics:\n%s", b.String())
	}
}

func TestICalEscaping(t *testing.T) {
	cases := map[string]string{
		`a,b;c\d`:       `a\,b\;c\\d`,
		"one\r\ntwo\n3": `one\ntwo\n3`,
		"冒号:不转义":        "冒号:不转义",
		"bad\xffbyte":   "bad\uFFFDbyte",
	}
	for in, want := range cases {
		if got := escapeText(in); got != want {
			t.Errorf("escapeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every line is at most 75 octets and valid UTF-8; unfolding gives back the
// line written.
func TestICalFolding(t *testing.T) {
	long := strings.Repeat("检查", 40) + strings.Repeat("x", 77) + "é"
	for _, s := range []string{long, strings.Repeat("a", 75), strings.Repeat("a", 76), strings.Repeat("中", 25), strings.Repeat("中", 26), "short"} {
		var b bytes.Buffer
		evs := []ICalEvent{{UID: "u", Day: calendar.NewDate(2026, 1, 5), Summary: s, Stamp: time.Unix(0, 0)}}
		if err := WriteICal(&b, "c", evs); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.HasSuffix(out, "\r\n") || strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
			t.Fatalf("lines must end in CRLF: %q", out)
		}
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 75 {
				t.Errorf("line of %d octets: %q", len(l), l)
			}
			if !utf8.ValidString(l) {
				t.Errorf("a character split across lines: %q", l)
			}
		}
		unfolded := strings.ReplaceAll(out, "\r\n ", "")
		if !strings.Contains(unfolded, "\r\nSUMMARY:"+s+"\r\n") {
			t.Errorf("unfolding does not give back the summary %q", s)
		}
	}
	// Exactly 75 octets is not folded; 76 is.
	var b bytes.Buffer
	writeLine := func(s string) string {
		b.Reset()
		WriteICal(&b, s, nil)
		return b.String()
	}
	name := strings.Repeat("a", 75-len("X-WR-CALNAME:"))
	if strings.Contains(writeLine(name), "\r\n ") {
		t.Error("a line of 75 octets was folded")
	}
	if !strings.Contains(writeLine(name+"a"), "\r\n a\r\n") {
		t.Error("a line of 76 octets was not folded after 75")
	}
}
