package i18n

import (
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// Every string exists in both languages, with the same arguments.
func TestCatalogueComplete(t *testing.T) {
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for _, k := range Keys() {
		e, _ := Lookup(k)
		if strings.TrimSpace(e.ZH) == "" || strings.TrimSpace(e.EN) == "" {
			t.Errorf("%s: missing a language: zh=%q en=%q", k, e.ZH, e.EN)
		}
		if a, b := verb.FindAllString(e.ZH, -1), verb.FindAllString(e.EN, -1); strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("%s: arguments differ: zh %v, en %v", k, a, b)
		}
	}
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
