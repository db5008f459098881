// Package duties holds the duty lists of townships and villages: the
// matters each level owns (自身职责), assists with (配合职责) and must not be
// given (负面清单); the register of approved letters of responsibility; and
// escalation (吹哨报到). It has no SQL and no HTTP in it.
package duties

import (
	"fmt"
	"lighten/internal/text"
	"sort"
	"strings"
	"time"

	"lighten/internal/i18n"
	"lighten/internal/units"
)

// Category is which of the three lists a matter is on.
type Category string

const (
	Own      Category = "own"      // the level's own duty
	Assist   Category = "assist"   // it assists the lead office
	Negative Category = "negative" // it must not be given this
)

// ParseCategory reads a category name.
func ParseCategory(s string) (Category, bool) {
	switch Category(s) {
	case Own, Assist, Negative:
		return Category(s), true
	}
	return "", false
}

// Matter is one entry of a duty list.
type Matter struct {
	Code     string   `json:"code"` // stable key, the same in a template and the lists that adjust it
	Name     string   `json:"name"`
	NameEN   string   `json:"name_en,omitempty"`
	Category Category `json:"category"`
	Basis    string   `json:"basis"`          // legal or policy basis
	Lead     string   `json:"lead,omitempty"` // the lead office, for an assisting duty
}

// List is one version of the duty list an office sets for a level of
// units below it: a province's template, or a county's adjustment.
type List struct {
	ID        int64       `json:"id"`
	Owner     string      `json:"owner"` // unit code of the office that set it ("" the country)
	Level     units.Level `json:"level"` // the level it is for: township or village
	Version   int         `json:"version"`
	Effective time.Time   `json:"effective"` // from this day (China time)
	Matters   []Matter    `json:"matters"`
	Note      string      `json:"note,omitempty"`
	Created   time.Time   `json:"created"`
}

// Problem is what is wrong with a list or a pledge item, naming the
// matter: a message from the catalogue (keys problem.duty.* and
// problem.pledge.*) and its arguments.
type Problem struct {
	Matter string
	Key    string
	Args   []any
}

func problem(matter, key string, args ...any) *Problem {
	return &Problem{Matter: matter, Key: key, Args: args}
}

func (p *Problem) Error() string { return p.Message().EN }

// Message is the problem in both languages, saying it is the duty list's.
func (p *Problem) Message() i18n.Text {
	if p.Matter != "" {
		return i18n.Both("problem.duty.list_matter", p.Matter, i18n.Both(p.Key, p.Args...))
	}
	return i18n.Both("problem.duty.list", i18n.Both(p.Key, p.Args...))
}

// Detail is the problem in both languages without saying whose it is, for
// a caller that says so itself: the matter, if any, and what is wrong.
func (p *Problem) Detail() i18n.Text {
	if p.Matter != "" {
		return i18n.Both("problem.duty.matter", p.Matter, i18n.Both(p.Key, p.Args...))
	}
	return i18n.Both(p.Key, p.Args...)
}

// Validate checks a list on its own: levels, codes, names, categories,
// and a lead office for every assisting duty.
func (l *List) Validate() error {
	if l.Level != units.Township && l.Level != units.Village {
		return problem("", "problem.duty.level", levelName(l.Level))
	}
	if len(l.Matters) == 0 {
		return problem("", "problem.duty.empty")
	}
	seen := map[string]bool{}
	for i := range l.Matters {
		m := &l.Matters[i]
		m.Code, m.Name, m.Lead = strings.TrimSpace(m.Code), strings.TrimSpace(m.Name), strings.TrimSpace(m.Lead)
		switch {
		case m.Code == "":
			return problem("", "problem.duty.no_code", i+1)
		case seen[m.Code]:
			return problem(m.Code, "problem.duty.twice")
		case m.Name == "":
			return problem(m.Code, "problem.duty.no_name")
		}
		for _, f := range []string{m.Code, m.Name, m.NameEN, m.Lead, m.Basis} {
			if at := text.ControlAt(f); at > 0 {
				return problem(m.Code, "problem.duty.control", at)
			}
		}
		if _, ok := ParseCategory(string(m.Category)); !ok {
			return problem(m.Code, "problem.duty.category", string(m.Category))
		}
		if m.Category == Assist && m.Lead == "" {
			return problem(m.Code, "problem.duty.no_lead")
		}
		seen[m.Code] = true
	}
	return nil
}

// Effective is the list in force for one unit on one day: the template of
// the nearest office above with one, adjusted by each office below it.
type Effective struct {
	Level   units.Level
	Matters map[string]Matter
	From    map[string]string // matter code -> owner whose list set it
	Lists   []*List           // the lists that made it, from the top
}

// Find looks a matter up by code.
func (e *Effective) Find(code string) (Matter, bool) {
	m, ok := e.Matters[code]
	return m, ok
}

// Sorted lists the matters by category, then code.
func (e *Effective) Sorted() []Matter {
	out := make([]Matter, 0, len(e.Matters))
	for _, m := range e.Matters {
		out = append(out, m)
	}
	order := map[Category]int{Own: 0, Assist: 1, Negative: 2}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Category != out[j].Category {
			return order[out[i].Category] < order[out[j].Category]
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// Book holds every version of every duty list and answers which list is in
// force where and when.
type Book struct {
	byOwner map[string][]*List // owner+level -> versions, by effective date then version
}

func key(owner string, l units.Level) string { return owner + "/" + l.String() }

// NewBook indexes lists.
func NewBook(lists []*List) *Book {
	b := &Book{byOwner: map[string][]*List{}}
	for _, l := range lists {
		k := key(l.Owner, l.Level)
		b.byOwner[k] = append(b.byOwner[k], l)
	}
	for _, ls := range b.byOwner {
		sort.Slice(ls, func(i, j int) bool {
			if !ls[i].Effective.Equal(ls[j].Effective) {
				return ls[i].Effective.Before(ls[j].Effective)
			}
			return ls[i].Version < ls[j].Version
		})
	}
	return b
}

// inForce is the version of owner's list for level in force on day.
func (b *Book) inForce(owner string, l units.Level, day time.Time) *List {
	var cur *List
	for _, v := range b.byOwner[key(owner, l)] {
		if v.Effective.After(day) {
			break
		}
		cur = v
	}
	return cur
}

// chain lists the owners from the country down to (not including) code.
func chain(code string) []string {
	var out []string
	for c := units.ParentCode(code); ; c = units.ParentCode(c) {
		out = append(out, c)
		if c == "" {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// At is the list in force for a unit of level l with code on day. Offices
// above the unit set and adjust it; the unit itself does not.
func (b *Book) At(code string, l units.Level, day time.Time) *Effective {
	e := &Effective{Level: l, Matters: map[string]Matter{}, From: map[string]string{}}
	for _, owner := range chain(code) {
		v := b.inForce(owner, l, day)
		if v == nil {
			continue
		}
		e.Lists = append(e.Lists, v)
		for _, m := range v.Matters {
			e.Matters[m.Code] = m
			e.From[m.Code] = owner
		}
	}
	return e
}

// Key identifies the chain of lists a unit's effective list depends on, so
// that callers can reuse one Effective for every unit that shares it.
func (b *Book) Key(code string, l units.Level, day time.Time) string {
	var parts []string
	for _, owner := range chain(code) {
		if v := b.inForce(owner, l, day); v != nil {
			parts = append(parts, fmt.Sprintf("%s#%d", owner, v.ID))
		}
	}
	return strings.Join(parts, ",")
}

// CheckAdjustment refuses a list that takes a matter off the negative list
// it inherits: what a level must not be given stays forbidden below.
func CheckAdjustment(inherited *Effective, l *List) error {
	for _, m := range l.Matters {
		if old, ok := inherited.Find(m.Code); ok && old.Category == Negative && m.Category != Negative {
			return problem(m.Code, "problem.duty.negative", ownerName(inherited.From[m.Code]))
		}
	}
	return nil
}

// levelName is a level in both languages, or as written when it is none.
func levelName(l units.Level) any {
	if l >= units.Country && l <= units.Village {
		return i18n.Both("level." + l.String())
	}
	return l.String()
}

func ownerName(code string) any {
	if code == "" {
		return i18n.Both("problem.duty.country")
	}
	return code
}
