package i18n

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// Every string exists in both languages, with the same arguments: the same
// argument numbers taking values of the same type (%q and %s both take a
// string; %[2]d names the second argument).
func TestCatalogueComplete(t *testing.T) {
	for _, k := range Keys() {
		e, _ := Lookup(k)
		if strings.TrimSpace(e.ZH) == "" || strings.TrimSpace(e.EN) == "" {
			t.Errorf("%s: missing a language: zh=%q en=%q", k, e.ZH, e.EN)
		}
		if a, b := argTypes(e.ZH), argTypes(e.EN); a != b {
			t.Errorf("%s: arguments differ: zh %s, en %s", k, a, b)
		}
	}
}

var verb = regexp.MustCompile(`%(\[(\d+)\])?[-+# 0-9.]*([a-zA-Z%])`)

func argTypes(s string) string {
	types := map[int]string{}
	next := 1
	for _, m := range verb.FindAllStringSubmatch(s, -1) {
		if m[3] == "%" {
			continue
		}
		if m[2] != "" {
			next, _ = strconv.Atoi(m[2])
		}
		v := m[3]
		if v == "q" {
			v = "s"
		}
		types[next] = v
		next++
	}
	var out []string
	for i := 1; i <= len(types); i++ {
		out = append(out, types[i])
	}
	return strings.Join(out, ",")
}

func TestDuplicateKeyRefused(t *testing.T) {
	fsys := fstest.MapFS{
		"catalogue/a.json": {Data: []byte(`{"x": {"zh": "一", "en": "one"}}`)},
		"catalogue/b.json": {Data: []byte(`{"x": {"zh": "二", "en": "two"}}`)},
	}
	if _, err := load(fsys); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Fatalf("duplicate key: %v", err)
	}
}

func TestNegotiate(t *testing.T) {
	for accept, want := range map[string]Lang{
		"zh-CN,zh;q=0.9,en;q=0.8": ZH,
		"zh-TW":                   ZH,
		"en-US,en;q=0.9":          EN,
		"fr-FR":                   EN,
		"":                        EN,
		"en;q=0.5,zh;q=0.9":       ZH,
	} {
		if got := Negotiate(accept); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", accept, got, want)
		}
	}
}
