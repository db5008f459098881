package export

import "testing"

func TestCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=1+1":                       "'=1+1",
		"+cmd":                       "'+cmd",
		"-2+3":                       "'-2+3",
		"@SUM(A1)":                   "'@SUM(A1)",
		"\t=1":                       "'\t=1",
		"\r=1":                       "'\r=1",
		`=HYPERLINK("http://x","y")`: `'=HYPERLINK("http://x","y")`,
		"-1+2":                       "'-1+2",
		"-":                          "'-",
		"-.5":                        "'-.5",
		"-3.":                        "'-3.",
		"-1e5":                       "'-1e5",
		"'=x":                        "''=x", // so that Restore gives it back
		"-3.5":                       "-3.5", // a plain number stays a number
		"-12":                        "-12",
		"3.5":                        "3.5",
		"户数":                         "户数",
		"a=b":                        "a=b",
		"'quoted":                    "'quoted",
		"":                           "",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
		if back := Restore(Cell(in)); back != in {
			t.Errorf("Restore(Cell(%q)) = %q", in, back)
		}
	}
	if got := Restore("'cat"); got != "'cat" {
		t.Errorf("Restore of a quote before plain text: %q", got)
	}
}

func FuzzCellRestore(f *testing.F) {
	for _, s := range []string{"=1+1", "'=x", "''+", "-3.5", "-", "'", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Cell(s)
		if Restore(c) != s {
			t.Fatalf("Restore(Cell(%q)) = %q", s, Restore(c))
		}
		if c != "" && risky(c) {
			t.Fatalf("Cell(%q) = %q is still read as a formula", s, c)
		}
	})
}
