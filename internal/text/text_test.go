package text

import "testing"

func TestControlAt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{
		"":               0,
		"桃江县 民政局":        0,
		"一行\n二行\r\n\t缩进": 0,
		"a\x00b":         2,
		"三里桥\x07村":       4,
		"x\x7f":          2,
		"x\u0085":        2,
		"ab\xffcd":       3,
		"\uFFFD":         0,
		"é\x1b[31m":      2,
	} {
		if got := ControlAt(in); got != want {
			t.Errorf("ControlAt(%q) = %d, want %d", in, got, want)
		}
	}
	if got := Printable("a\x00b\nc\xff.jpg"); got != "a?b?c?.jpg" {
		t.Errorf("Printable: %q", got)
	}
}

func FuzzControlAt(f *testing.F) {
	f.Add("三里桥村")
	f.Add("a\x00b")
	f.Fuzz(func(t *testing.T, s string) {
		if ControlAt(Printable(s)) != 0 {
			t.Fatalf("Printable(%q) still holds a control character", s)
		}
	})
}
