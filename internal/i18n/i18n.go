// Package i18n holds lighten's one catalogue of user-facing strings, each in
// 简体中文 and English, and chooses a language for a request.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Lang is a language lighten speaks.
type Lang string

const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Langs lists the languages, Chinese first.
var Langs = []Lang{ZH, EN}

//go:embed catalogue/*.json
var files embed.FS

// Entry is one string in both languages. Arguments are fmt verbs, in the
// same order in both.
type Entry struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

var catalogue = mustLoad(files)

func mustLoad(fsys fs.FS) map[string]Entry {
	c, err := load(fsys)
	if err != nil {
		panic(err)
	}
	return c
}

// load reads every catalogue file; the files are parts of one catalogue, and
// a key may appear in only one of them.
func load(fsys fs.FS) (map[string]Entry, error) {
	names, err := fs.Glob(fsys, "catalogue/*.json")
	if err != nil {
		return nil, err
	}
	out := map[string]Entry{}
	from := map[string]string{}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		var part map[string]Entry
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", n, err)
		}
		for k, e := range part {
			if f, dup := from[k]; dup {
				return nil, fmt.Errorf("catalogue: key %q in both %s and %s", k, f, path.Base(n))
			}
			from[k] = path.Base(n)
			out[k] = e
		}
	}
	return out, nil
}

// Keys lists every key in the catalogue.
func Keys() []string {
	ks := make([]string, 0, len(catalogue))
	for k := range catalogue {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Lookup returns the entry for key.
func Lookup(key string) (Entry, bool) {
	e, ok := catalogue[key]
	return e, ok
}

// T renders key in lang with args. A missing key renders as the key itself
// in brackets, which the catalogue tests forbid.
func T(lang Lang, key string, args ...any) string {
	e, ok := catalogue[key]
	if !ok {
		return "[" + key + "]"
	}
	s := e.EN
	if lang == ZH {
		s = e.ZH
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Text is a message in both languages, as APIs return it.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Both renders key in both languages. An argument that is itself a Text is
// rendered in each language in turn.
func Both(key string, args ...any) Text {
	return Text{ZH: T(ZH, key, in(ZH, args)...), EN: T(EN, key, in(EN, args)...)}
}

func in(l Lang, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(Text); ok {
			a = t.In(l)
		}
		out[i] = a
	}
	return out
}

// In picks one language of a Text.
func (t Text) In(l Lang) string {
	if l == ZH {
		return t.ZH
	}
	return t.EN
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})

// Negotiate picks a language from an Accept-Language header: Chinese when
// the browser prefers it, English otherwise.
func Negotiate(accept string) Lang {
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return EN
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return EN
	}
	if i == 1 {
		return ZH
	}
	return EN
}

// Parse reads a language code such as "zh", "zh-CN" or "en".
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(s)
	switch {
	case s == "zh" || strings.HasPrefix(s, "zh-"):
		return ZH, true
	case s == "en" || strings.HasPrefix(s, "en-"):
		return EN, true
	}
	return "", false
}

// FromEnv picks the command line's language from the environment, read
// through getenv: LIGHTEN_LANG if set, else the first set of LC_ALL,
// LC_MESSAGES and LANG, in the POSIX order. Chinese when that value begins
// with "zh" (zh, zh_CN, zh_CN.UTF-8, zh-Hans…), English otherwise and when
// none is set (C, POSIX, en_US.UTF-8…). A nil getenv reads nothing.
func FromEnv(getenv func(string) string) Lang {
	if getenv == nil {
		return EN
	}
	for _, name := range []string{"LIGHTEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			continue
		}
		if strings.HasPrefix(strings.ToLower(v), "zh") {
			return ZH
		}
		return EN
	}
	return EN
}
