package policy

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestParseErrors(t *testing.T) {
	for doc, want := range map[string]string{
		`{"params": {"lead.time.report": 7}}`:                         "",
		`{"params": {"lead.time.reprot": 7}}`:                         `"lead.time.reprot": no such parameter`,
		`{"params": {"doc.length": -5}}`:                              `"doc.length": -5 is outside`,
		`{"params": {"lead.time.report": "seven"}}`:                   "not valid JSON",
		`{"parameters": {}}`:                                          "not valid JSON",
		`{"params": {}} {}`:                                           "trailing data",
		`{"params": {"rest.days.start": 1000, "rest.days.end": 900}}`: "end after they start",
		``: "not valid JSON",
	} {
		_, err := Parse([]byte(doc))
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("Parse(%s) = %v, want %q", doc, err, want)
		}
	}
}

func TestLooseningNamed(t *testing.T) {
	tree := NewTree(map[string]Document{"430922": {Params: map[string]int{"lead.time.report": 8, "budget.village": 1000}}})
	in := tree.Inherited("430922100")
	ls := in.Loosenings(Document{Params: map[string]int{"lead.time.report": 6, "budget.village": 900, "doc.length": 6000}})
	if len(ls) != 2 || ls[0].Param != "doc.length" || ls[0].Inherited != 5000 || ls[0].From != "" ||
		ls[1].Param != "lead.time.report" || ls[1].Inherited != 8 || ls[1].From != "430922" {
		t.Fatalf("loosenings %+v", ls)
	}
}

func drawDoc(t *rapid.T, label string) Document {
	d := Document{Params: map[string]int{}}
	n := rapid.IntRange(0, 4).Draw(t, label+"-n")
	for i := 0; i < n; i++ {
		p := Params[rapid.IntRange(0, len(Params)-1).Draw(t, label+"-p")]
		d.Params[p.ID] = rapid.IntRange(p.Min, p.Max).Draw(t, label+"-v")
	}
	return d
}

// Whatever documents offices along a path write, the policy in force at a
// unit is at least as tight as at its parent, and as the defaults.
func TestNoInheritancePathLoosens(t *testing.T) {
	path := []string{"", "43", "4309", "430922", "430922100", "430922100201"}
	rapid.Check(t, func(t *rapid.T) {
		docs := map[string]Document{}
		for _, c := range path {
			if rapid.Bool().Draw(t, "has-"+c) {
				docs[c] = drawDoc(t, c)
			}
		}
		tree := NewTree(docs)
		prev := Defaults()
		for _, c := range path {
			s := tree.At(c)
			for _, p := range Params {
				if p.ID == "rest.days.end" {
					continue // clamped to the start when both ends were tightened past each other
				}
				if !p.AtLeastAsTight(s.Get(p.ID), prev.Get(p.ID)) {
					t.Fatalf("%s at %q: %d is looser than %d above", p.ID, c, s.Get(p.ID), prev.Get(p.ID))
				}
				if d, ok := docs[c]; ok {
					if v, set := d.Params[p.ID]; set && !p.AtLeastAsTight(s.Get(p.ID), v) {
						t.Fatalf("%s at %q: own value %d not applied (%d)", p.ID, c, v, s.Get(p.ID))
					}
				}
			}
			prev = s
		}
	})
}
