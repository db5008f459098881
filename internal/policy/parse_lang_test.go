package policy

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// Every fault of a policy document says itself in both languages, from
// the catalogue; Error stays the English, with the decoder's own words.
func TestParseErrorInBothLanguages(t *testing.T) {
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)
	for doc, want := range map[string]struct{ zh, en string }{
		`{"params": {"lead.time.reprot": 7}}`: {"减负规则参数“lead.time.reprot”：没有这个参数（见参数列表）",
			`policy parameter "lead.time.reprot": no such parameter (see the list of parameters)`},
		`{"params": {"doc.length": -5}}`: {"减负规则参数“doc.length”：-5 超出允许范围 100…1000000",
			`policy parameter "doc.length": -5 is outside 100…1000000`},
		`{"params": {"rest.days.start": 1000, "rest.days.end": 900}}`: {"减负规则参数“rest.days.end”：工作时间的结束须晚于开始",
			`policy parameter "rest.days.end": working hours must end after they start`},
		`{"params": {}} {}`: {"减负规则文件：文件之后还有多余的内容", "policy document: trailing data after the document"},
		`{"parameters": {}}`: {`减负规则文件：不是有效的 JSON，格式应为 {"params": {"lead.time.report": 7}}`,
			`policy document: not valid JSON of the form {"params": {"lead.time.report": 7}}`},
	} {
		_, err := Parse([]byte(doc))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("Parse(%s) = %v (%T), want a *ParseError", doc, err, err)
		}
		m := pe.Message()
		if m.ZH != want.zh || m.EN != want.en {
			t.Errorf("Parse(%s): message\n  %+v\nwant\n  %s\n  %s", doc, m, want.zh, want.en)
		}
		if !strings.HasPrefix(err.Error(), want.en) {
			t.Errorf("Parse(%s): error %q", doc, err)
		}
		// Parameter ids, JSON and the example stay as written.
		rest := strings.NewReplacer(pe.Param, "", "JSON", "", `{"params": {"lead.time.report": 7}}`, "").Replace(m.ZH)
		if bad := latin.FindAllString(rest, -1); len(bad) > 0 {
			t.Errorf("Parse(%s): English in the Chinese %q: %v", doc, m.ZH, bad)
		}
		if d := pe.Detail(); strings.HasPrefix(d.ZH, "减负规则") || strings.HasPrefix(d.EN, "policy") {
			t.Errorf("Parse(%s): detail %+v says whose it is", doc, d)
		}
	}

	// The decoder's own words are kept in Error and out of the message.
	_, err := Parse([]byte(`{"params": {"lead.time.report": "seven"}}`))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Err == nil || !strings.Contains(err.Error(), pe.Err.Error()) || strings.Contains(pe.Message().ZH, pe.Err.Error()) {
		t.Errorf("bad JSON: %v", err)
	}
}
