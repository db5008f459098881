package units

import "time"

// Office is a department of a unit; offices issue demands.
type Office struct {
	ID       int64  `json:"id"`
	UnitCode string `json:"unit"`
	Name     string `json:"name"`
	NameEN   string `json:"name_en,omitempty"`
	// Burden marks the unit's burden-reduction office (减负办).
	Burden bool `json:"burden"`
}

// Person is a user of lighten. A person belongs to a unit or to an office.
type Person struct {
	ID       int64     `json:"id"`
	Login    string    `json:"login"`
	Name     string    `json:"name"`
	UnitCode string    `json:"unit"`             // the unit the person belongs to, or the office's unit
	OfficeID int64     `json:"office,omitempty"` // 0 when the person belongs to a unit directly
	Phone    string    `json:"phone,omitempty"`
	Disabled bool      `json:"disabled"`
	Created  time.Time `json:"created"`
	Grants   []Grant   `json:"grants"`
}

// Role is what a person may do at a place in the tree.
type Role string

const (
	RoleAdmin     Role = "admin"     // system administrator
	RoleBurden    Role = "burden"    // burden-reduction office staff (减负办)
	RoleIssuer    Role = "issuer"    // office staff who issue demands
	RoleCadre     Role = "cadre"     // township or village cadre
	RoleInspector Role = "inspector" // member of inspection teams
	RoleAuditor   Role = "auditor"   // read-only oversight
)

// Roles lists every role a person can hold, in display order.
var Roles = []Role{RoleAdmin, RoleBurden, RoleIssuer, RoleCadre, RoleInspector, RoleAuditor}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", &ValueError{Key: "units.error.role", Args: []any{s}}
}

// Grant is one role held at one unit; it reaches that unit's subtree. An
// empty UnitCode is the whole country.
type Grant struct {
	Role     Role   `json:"role"`
	UnitCode string `json:"unit"`
}

// ValidLogin reports whether s may be used as a login name: 3 to 64
// characters of letters, digits, '.', '-', '_' or '@'.
func ValidLogin(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_', c == '@':
		default:
			return false
		}
	}
	return true
}
