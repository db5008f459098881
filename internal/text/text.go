// Package text holds the one rule for what text lighten stores: no control
// characters and nothing that is not UTF-8, wherever it comes from (a form,
// a JSON body, a file's cell, a file name).
package text

import "unicode/utf8"

// ControlAt finds the first character that text may not hold: NUL and the
// other control characters (tab, line feed and carriage return are text),
// DEL, the C1 controls, and bytes that are not UTF-8. PostgreSQL refuses
// NUL in text, and none of them is anything a person typed. It returns the
// character's position, counted from 1, or 0 when s is clean.
func ControlAt(s string) int {
	n := 0
	for i, r := range s {
		n++
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return n
			}
		case r == '\t' || r == '\n' || r == '\r':
		case Control(r):
			return n
		}
	}
	return 0
}

// Control reports whether r is a control character text may not hold (tab,
// line feed and carriage return aside).
func Control(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// Printable replaces what text may not hold by '?', for showing a name
// that came with it (a file name) rather than refusing it.
func Printable(s string) string {
	out := []rune{}
	for _, r := range s {
		if r == utf8.RuneError || Control(r) || r == '\t' || r == '\n' || r == '\r' {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}
