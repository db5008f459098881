package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lighten/internal/i18n"
)

// runEnv runs lighten with env as its whole environment and returns what it
// printed on stdout and stderr.
func runEnv(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), func(k string) string { return env[k] }, args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

var chinese = map[string]string{"LANG": "zh_CN.UTF-8"}

func TestLanguageFromEnvironment(t *testing.T) {
	// The usage.
	out, _, err := runEnv(t, chinese, "help")
	if err != nil || !strings.Contains(out, "用法：") || !strings.Contains(out, "核验审计哈希链") || strings.Contains(out, "Usage:") {
		t.Fatalf("usage in Chinese: %v\n%s", err, out)
	}
	for _, env := range []map[string]string{nil, {"LANG": "C"}, {"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, {"LANG": "zh_CN.UTF-8", "LIGHTEN_LANG": "en"}} {
		out, _, err := runEnv(t, env, "help")
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "check the audit hash chain") || strings.Contains(out, "用法") {
			t.Fatalf("usage in English with %v: %v\n%s", env, err, out)
		}
	}
	if out, _, _ := runEnv(t, map[string]string{"LC_MESSAGES": "zh_CN", "LANG": "C"}, "help"); !strings.Contains(out, "用法：") {
		t.Fatalf("LC_MESSAGES=zh_CN: %s", out)
	}

	// A result: the audit chain and the calendar.
	dsn := filepath.Join(t.TempDir(), "lighten.db")
	if _, _, err := runEnv(t, nil, "migrate", "--db", dsn); err != nil {
		t.Fatal(err)
	}
	out, _, err = runEnv(t, chinese, "audit", "verify", "--db", dsn)
	if err != nil || !strings.HasPrefix(out, "审计链完好：") {
		t.Fatalf("audit verify in Chinese: %v %q", err, out)
	}
	out, _, err = runEnv(t, nil, "audit", "verify", "--db", dsn)
	if err != nil || !strings.HasPrefix(out, "audit chain intact: ") {
		t.Fatalf("audit verify in English: %v %q", err, out)
	}
	out, _, err = runEnv(t, chinese, "calendar", "show", "--db", dsn, "2026")
	for _, want := range []string{"2026 官方日历 —— 内置", "法定节假日", "2026-02-15 周日 – 2026-02-23 周一   9 天  春节 Spring Festival  （调休：02-20, 02-23）",
		"调休上班", "2026-02-14 周六  春节 Spring Festival", "工作日：248"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("calendar show in Chinese lacks %q: %v\n%s", want, err, out)
		}
	}
	if strings.Contains(out, "Working days") || strings.Contains(out, "Public holidays") {
		t.Errorf("calendar show in Chinese speaks English:\n%s", out)
	}
	out, _, err = runEnv(t, nil, "calendar", "show", "--db", dsn, "2026")
	for _, want := range []string{"2026 official calendar — built in", "Public holidays", "2026-02-15 Sun – 2026-02-23 Mon   9 days  春节 Spring Festival  (in lieu: 02-20, 02-23)",
		"Make-up working days", "Working days: 248"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("calendar show in English lacks %q: %v\n%s", want, err, out)
		}
	}

	// Faults found by other packages read in the language too: a role the
	// flag reads, a folder that is not there.
	_, errOut, err := runEnv(t, chinese, "user", "add", "--db", dsn, "--login", "ab", "--name", "n", "--unit", "43", "--role", "king@43")
	if err == nil || !strings.Contains(errOut, "未知角色“king”") || strings.Contains(errOut, "unknown role") {
		t.Fatalf("unknown role in Chinese: %v\n%s", err, errOut)
	}
	_, errOut, err = runEnv(t, chinese, "import", "units", "--db", dsn, filepath.Join(t.TempDir(), "nowhere"))
	if err == nil || !strings.Contains(errOut, "找不到这个文件夹") || strings.Contains(errOut, "no such") {
		t.Fatalf("missing folder in Chinese: %v\n%s", err, errOut)
	}

	// A failing command names its fault in the language; the error value
	// itself stays English.
	_, errOut, err = runEnv(t, chinese, "frobnicate")
	if err == nil || !strings.Contains(errOut, `lighten: 未知命令 "frobnicate"`) || err.Error() != `unknown command "frobnicate"` {
		t.Fatalf("unknown command in Chinese: %v\n%s", err, errOut)
	}
	_, errOut, err = runEnv(t, nil, "frobnicate")
	if err == nil || !strings.Contains(errOut, `lighten: unknown command "frobnicate"`) {
		t.Fatalf("unknown command in English: %v\n%s", err, errOut)
	}
	_, errOut, err = runEnv(t, chinese, "calendar", "show", "--db", dsn, "next")
	if err == nil || !strings.Contains(errOut, `lighten: calendar show：YEAR "next"：应为年份`) {
		t.Fatalf("bad year in Chinese: %v\n%s", err, errOut)
	}
	_, errOut, err = runEnv(t, chinese)
	if err == nil || !strings.Contains(errOut, "lighten: 未给出命令") || !strings.Contains(errOut, "用法：") {
		t.Fatalf("no command in Chinese: %v\n%s", err, errOut)
	}

	// A fault in the flags.
	_, errOut, err = runEnv(t, chinese, "plans", "list", "--db", dsn, "--year", "next", "--nope")
	if err == nil || !strings.Contains(errOut, `lighten: 参数 -year 的值 "next" 无效：无法读取`) || !strings.Contains(errOut, "lighten plans list 的参数：") {
		t.Fatalf("bad flag value in Chinese: %v\n%s", err, errOut)
	}
	_, errOut, err = runEnv(t, chinese, "audit", "verify", "--nope")
	if err == nil || !strings.Contains(errOut, "lighten: 未定义的参数：-nope") || strings.Contains(errOut, "provided") {
		t.Fatalf("unknown flag in Chinese: %v\n%s", err, errOut)
	}
	_, errOut, err = runEnv(t, nil, "audit", "verify", "--nope")
	if err == nil || !strings.Contains(errOut, "lighten: flag provided but not defined: -nope") {
		t.Fatalf("unknown flag in English: %v\n%s", err, errOut)
	}

	// Flag help.
	_, errOut, _ = runEnv(t, chinese, "audit", "verify", "-h")
	if !strings.Contains(errOut, "lighten audit verify 的参数：") || !strings.Contains(errOut, "数据库：SQLite 文件路径") || !strings.Contains(errOut, "（默认 lighten.db）") {
		t.Fatalf("flag help in Chinese:\n%s", errOut)
	}
	_, errOut, _ = runEnv(t, nil, "audit", "verify", "-h")
	if !strings.Contains(errOut, "Usage of lighten audit verify:") || !strings.Contains(errOut, "database: a SQLite file path") {
		t.Fatalf("flag help in English:\n%s", errOut)
	}
}

// bilingual is an error that says itself in both languages, as the errors
// of lighten's packages do.
type bilingual struct{}

func (bilingual) Error() string      { return "plain text" }
func (bilingual) Message() i18n.Text { return i18n.Text{ZH: "中文说明", EN: "English message"} }

// An error that can say itself in both languages is reported in the chosen
// one, found through any wrapping; any other by its text.
func TestErrorText(t *testing.T) {
	wrapped := fmt.Errorf("somewhere: %w", bilingual{})
	if got := errorText(i18n.ZH, wrapped); got != "中文说明" {
		t.Errorf("wrapped, zh: %q", got)
	}
	if got := errorText(i18n.EN, wrapped); got != "English message" {
		t.Errorf("wrapped, en: %q", got)
	}
	if got := errorText(i18n.ZH, errors.New("no such file")); got != "no such file" {
		t.Errorf("plain: %q", got)
	}
	// The command line's own errors render the errors they carry in the
	// same language, and still unwrap to them; their Error is English with
	// the carried errors' own text.
	own := failf("cli.visits.error", wrapped)
	if got := errorText(i18n.ZH, own); got != "visits schedule：中文说明" {
		t.Errorf("own, zh: %q", got)
	}
	if got := errorText(i18n.EN, own); got != "visits schedule: English message" {
		t.Errorf("own, en: %q", got)
	}
	if got := own.Error(); got != "visits schedule: somewhere: plain text" {
		t.Errorf("own, Error: %q", got)
	}
	var b bilingual
	if !errors.As(own, &b) {
		t.Error("own error does not unwrap to what it carries")
	}
}

var cliKey = regexp.MustCompile(`"(cli\.[a-z0-9_.]+)"`)

// Every cli. key of the catalogue is used by the command line, and every
// one it uses is in the catalogue.
func TestCLIKeysUsed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range cliKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	n := 0
	for _, k := range i18n.Keys() {
		if !strings.HasPrefix(k, "cli.") {
			continue
		}
		n++
		if !used[k] {
			t.Errorf("catalogue key %s is not used by cmd/lighten", k)
		}
	}
	if n == 0 {
		t.Fatal("the catalogue has no cli. keys")
	}
	for k := range used {
		if _, ok := i18n.Lookup(k); !ok {
			t.Errorf("cmd/lighten uses %s, which the catalogue lacks", k)
		}
	}
}
