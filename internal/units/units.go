// Package units holds the administrative tree: units keyed by their
// statistical code, the offices that belong to them and the people who work
// there. It has no SQL and no HTTP in it.
package units

import (
	"fmt"
	"strings"

	"lighten/internal/i18n"
)

// Level is a unit's place in the five-level tree.
type Level int

const (
	Country  Level = 0 // the virtual root; never stored as a row
	Province Level = 1
	City     Level = 2
	County   Level = 3
	Township Level = 4
	Village  Level = 5
)

var levelNames = [...]string{"country", "province", "city", "county", "township", "village"}

// codeLengths is the length of a statistical code at each level.
var codeLengths = [...]int{0, 2, 4, 6, 9, 12}

func (l Level) String() string {
	if l < Country || l > Village {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return levelNames[l]
}

// Valid reports whether l is one of the five stored levels.
func (l Level) Valid() bool { return l >= Province && l <= Village }

// CodeLength is the number of digits of a code at level l.
func (l Level) CodeLength() int {
	if l < Country || l > Village {
		return -1
	}
	return codeLengths[l]
}

// ParseLevel reads a level name such as "village".
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if n == s && i > 0 {
			return Level(i), nil
		}
	}
	return 0, &ValueError{Key: "units.error.level", Args: []any{s}}
}

// LevelOfCode infers the level from the length of a statistical code.
func LevelOfCode(code string) (Level, bool) {
	for l := Province; l <= Village; l++ {
		if len(code) == codeLengths[l] {
			return l, isDigits(code)
		}
	}
	return 0, false
}

// ValidCode reports whether code is a well-formed statistical code of level l.
func ValidCode(code string, l Level) bool {
	return l.Valid() && len(code) == codeLengths[l] && isDigits(code)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Unit is one node of the administrative tree.
type Unit struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Level  Level  `json:"-"`
	Parent string `json:"parent,omitempty"` // "" for a province
	// Placeholder marks statistical nodes that are not governments: the
	// municipalities' 市辖区, 省直辖县级行政区划, and cities without counties
	// repeating their own name at county level.
	Placeholder bool `json:"placeholder"`
}

// Contains reports whether the subtree rooted at scope contains code. The
// empty scope is the whole country. Statistical codes are hierarchical: a
// unit's code begins with its parent's.
func Contains(scope, code string) bool {
	return strings.HasPrefix(code, scope)
}

// ParentCode is the code of the parent implied by the code's structure.
func ParentCode(code string) string {
	l, ok := LevelOfCode(code)
	if !ok || l == Province {
		return ""
	}
	return code[:codeLengths[l-1]]
}

// IsPlaceholder applies the National Bureau of Statistics conventions for
// nodes that exist only to keep the five levels complete.
func IsPlaceholder(l Level, name, parentName string) bool {
	switch l {
	case City:
		switch name {
		case "市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划":
			return true
		}
	case County:
		return name == parentName
	}
	return false
}

// MarshalText writes a level by name ("village"), as the API shows it.
func (l Level) MarshalText() ([]byte, error) {
	if l == 0 {
		return []byte(""), nil
	}
	return []byte(l.String()), nil
}

// UnmarshalText reads a level by name.
func (l *Level) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*l = 0
		return nil
	}
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ValueError is a word that is not one lighten knows (a level, a role),
// said in both languages from the catalogue.
type ValueError struct {
	Key  string
	Args []any
}

func (e *ValueError) Error() string { return i18n.Both(e.Key, e.Args...).EN }

// Message is the error in both languages.
func (e *ValueError) Message() i18n.Text { return i18n.Both(e.Key, e.Args...) }
