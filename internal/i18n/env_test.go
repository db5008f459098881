package i18n

import "testing"

func TestFromEnv(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want Lang
	}{
		{nil, EN},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, ZH},
		{map[string]string{"LANG": "zh_CN"}, ZH},
		{map[string]string{"LANG": "zh"}, ZH},
		{map[string]string{"LANG": "ZH_tw.UTF-8"}, ZH},
		{map[string]string{"LANG": "en_US.UTF-8"}, EN},
		{map[string]string{"LANG": "C"}, EN},
		{map[string]string{"LANG": "POSIX"}, EN},
		{map[string]string{"LANG": "de_DE.UTF-8"}, EN},
		// LC_ALL overrides LC_MESSAGES, which overrides LANG.
		{map[string]string{"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "C"}, EN},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, ZH},
		{map[string]string{"LC_MESSAGES": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, EN},
		{map[string]string{"LANG": "C", "LC_ALL": "zh_CN.UTF-8"}, ZH},
		// An empty variable counts as unset.
		{map[string]string{"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, ZH},
		// LIGHTEN_LANG overrides the locale.
		{map[string]string{"LIGHTEN_LANG": "zh", "LC_ALL": "C"}, ZH},
		{map[string]string{"LIGHTEN_LANG": "en", "LANG": "zh_CN.UTF-8"}, EN},
		{map[string]string{"LIGHTEN_LANG": "zh-CN"}, ZH},
	} {
		got := FromEnv(func(k string) string { return c.env[k] })
		if got != c.want {
			t.Errorf("%v: %s, want %s", c.env, got, c.want)
		}
	}
	if got := FromEnv(nil); got != EN {
		t.Errorf("nil getenv: %s", got)
	}
}
