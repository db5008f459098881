package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lighten/internal/audit"
	"lighten/internal/units"
)

// CreateOffice adds an office to a unit.
func (tx *Tx) CreateOffice(ctx context.Context, o *units.Office) error {
	err := tx.queryRow(ctx, `INSERT INTO offices (unit_code, name, name_en, burden, created) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		o.UnitCode, o.Name, o.NameEN, o.Burden, tx.Now).Scan(&o.ID)
	if isUnique(err) {
		return conflict("name", "store.conflict.office", o.Name, o.UnitCode)
	}
	if err != nil {
		return fmt.Errorf("create office: %w", err)
	}
	return tx.Audit(ctx, audit.Record{Action: "office.create", Entity: "office", EntityID: strconv.FormatInt(o.ID, 10),
		UnitCode: o.UnitCode, After: audit.JSON(o)})
}

const officeColumns = `id, unit_code, name, name_en, burden`

func scanOffice(r interface{ Scan(...any) error }) (units.Office, error) {
	var o units.Office
	err := r.Scan(&o.ID, &o.UnitCode, &o.Name, &o.NameEN, &o.Burden)
	return o, err
}

// Office finds an office by id.
func (db *DB) Office(ctx context.Context, id int64) (units.Office, error) {
	o, err := scanOffice(db.r.QueryRowContext(ctx, `SELECT `+officeColumns+` FROM offices WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("office %d: %w", id, ErrNotFound)
	}
	return o, err
}

// ListQuery selects offices or people.
type ListQuery struct {
	Scopes []string // subtrees the reader may see; nil for none
	Under  string   // restrict to this subtree
	Unit   string   // restrict to exactly this unit
	Text   string   // part of the name (or login)
	Offset int
	Limit  int
}

// LikeContains is a LIKE pattern that matches text anywhere, with LIKE's
// wildcards (%, _) and its escape character (\) in text taken literally; the
// query must say ESCAPE '\' (the same on SQLite and PostgreSQL).
func LikeContains(text string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(text) + "%"
}

func (q *ListQuery) where(col string, arg func(any) string, text ...string) string {
	w := []string{scopeClause(col, q.Scopes, arg)}
	if q.Under != "" {
		w = append(w, scopeClause(col, []string{q.Under}, arg))
	}
	if q.Unit != "" {
		w = append(w, col+" = "+arg(q.Unit))
	}
	if q.Text != "" {
		var ors []string
		p := arg(LikeContains(strings.ToLower(q.Text)))
		for _, c := range text {
			ors = append(ors, "LOWER("+c+") LIKE "+p+` ESCAPE '\'`)
		}
		w = append(w, "("+strings.Join(ors, " OR ")+")")
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	return strings.Join(w, " AND ")
}

// ListOffices returns offices within the query's scopes, ordered by unit and
// name, and how many match in all.
func (db *DB) ListOffices(ctx context.Context, q ListQuery) ([]units.Office, int, error) {
	if len(q.Scopes) == 0 {
		return nil, 0, nil
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := q.where("unit_code", arg, "name", "name_en")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM offices WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count offices: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+officeColumns+` FROM offices WHERE `+where+
		` ORDER BY unit_code, name LIMIT `+arg(q.Limit)+` OFFSET `+arg(q.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list offices: %w", err)
	}
	defer rows.Close()
	var out []units.Office
	for rows.Next() {
		o, err := scanOffice(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// NewPerson is what creating a person needs.
type NewPerson struct {
	Login        string
	Name         string
	UnitCode     string
	OfficeID     int64
	Phone        string
	PasswordHash string
	Grants       []units.Grant
}

// CreatePerson adds a person with their roles.
func (tx *Tx) CreatePerson(ctx context.Context, n NewPerson) (units.Person, error) {
	p := units.Person{Login: n.Login, Name: n.Name, UnitCode: n.UnitCode, OfficeID: n.OfficeID, Phone: n.Phone, Created: tx.Now}
	var office any
	if n.OfficeID != 0 {
		office = n.OfficeID
	}
	err := tx.queryRow(ctx, `INSERT INTO people (login, name, unit_code, office_id, phone, password_hash, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		n.Login, n.Name, n.UnitCode, office, n.Phone, n.PasswordHash, tx.Now).Scan(&p.ID)
	if isUnique(err) {
		return p, conflict("login", "store.conflict.login", n.Login)
	}
	if err != nil {
		return p, fmt.Errorf("create person %s: %w", n.Login, err)
	}
	if err := tx.Audit(ctx, audit.Record{Action: "person.create", Entity: "person", EntityID: strconv.FormatInt(p.ID, 10),
		UnitCode: p.UnitCode, After: audit.JSON(p)}); err != nil {
		return p, err
	}
	for _, g := range n.Grants {
		if err := tx.Grant(ctx, p, g); err != nil {
			return p, err
		}
		p.Grants = append(p.Grants, g)
	}
	return p, nil
}

// Grant gives person p role g.Role at g.UnitCode.
func (tx *Tx) Grant(ctx context.Context, p units.Person, g units.Grant) error {
	tx.forgetAuth() // the roles or the standing of a signed-in person change
	_, err := tx.exec(ctx, `INSERT INTO grants (person_id, role, unit_code) VALUES ($1, $2, $3)`, p.ID, string(g.Role), g.UnitCode)
	if isUnique(err) {
		return conflict("role", "store.conflict.grant", p.Login, string(g.Role), g.UnitCode)
	}
	if err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	return tx.Audit(ctx, audit.Record{Action: "grant.add", Entity: "person", EntityID: strconv.FormatInt(p.ID, 10),
		UnitCode: p.UnitCode, After: audit.JSON(g)})
}

// Revoke takes role g.Role at g.UnitCode from person p.
func (tx *Tx) Revoke(ctx context.Context, p units.Person, g units.Grant) error {
	tx.forgetAuth() // the roles or the standing of a signed-in person change
	res, err := tx.exec(ctx, `DELETE FROM grants WHERE person_id = $1 AND role = $2 AND unit_code = $3`, p.ID, string(g.Role), g.UnitCode)
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s holds no %s at %q: %w", p.Login, g.Role, g.UnitCode, ErrNotFound)
	}
	return tx.Audit(ctx, audit.Record{Action: "grant.revoke", Entity: "person", EntityID: strconv.FormatInt(p.ID, 10),
		UnitCode: p.UnitCode, Before: audit.JSON(g)})
}

// PasswordChange is what a password change ended besides the password.
type PasswordChange struct {
	SessionsEnded int64 `json:"sessions_ended"`
	TokensRevoked int64 `json:"tokens_revoked"`
	// FeedsEnded counts the iCal feeds of the person's register entries
	// ended with the tokens: a feed's address is a secret too.
	FeedsEnded int64 `json:"feeds_ended"`
}

// SetPassword replaces a person's password hash. Every session of the person
// ends, and unless keepTokens every API token they hold is revoked: a stolen
// credential must not outlive the password. The audit records both counts.
func (tx *Tx) SetPassword(ctx context.Context, p units.Person, hash string, keepTokens bool) (PasswordChange, error) {
	tx.forgetAuth() // the roles or the standing of a signed-in person change
	var out PasswordChange
	if _, err := tx.exec(ctx, `UPDATE people SET password_hash = $1 WHERE id = $2`, hash, p.ID); err != nil {
		return out, fmt.Errorf("set password: %w", err)
	}
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE person_id = $1`, p.ID)
	if err != nil {
		return out, err
	}
	out.SessionsEnded, _ = res.RowsAffected()
	if !keepTokens {
		res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked = $1 WHERE person_id = $2 AND revoked IS NULL`, tx.Now, p.ID)
		if err != nil {
			return out, fmt.Errorf("revoke tokens: %w", err)
		}
		out.TokensRevoked, _ = res.RowsAffected()
		if out.FeedsEnded, err = tx.endFeeds(ctx, p.ID); err != nil {
			return out, err
		}
	}
	return out, tx.Audit(ctx, audit.Record{Action: "person.password", Entity: "person", EntityID: strconv.FormatInt(p.ID, 10), UnitCode: p.UnitCode,
		After: audit.JSON(out)})
}

// endFeeds ends the iCal feeds of a person's register entries: a new
// address must be asked for.
func (tx *Tx) endFeeds(ctx context.Context, person int64) (int64, error) {
	res, err := tx.exec(ctx, `UPDATE inspectors SET calendar_digest = NULL WHERE person_id = $1 AND calendar_digest IS NOT NULL`, person)
	if err != nil {
		return 0, fmt.Errorf("end calendar feeds: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// SetDisabled disables or re-enables a person; disabling ends their sessions
// and tokens.
func (tx *Tx) SetDisabled(ctx context.Context, p units.Person, disabled bool, reason string) error {
	tx.forgetAuth() // the roles or the standing of a signed-in person change
	if _, err := tx.exec(ctx, `UPDATE people SET disabled = $1 WHERE id = $2`, disabled, p.ID); err != nil {
		return fmt.Errorf("disable: %w", err)
	}
	if disabled {
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE person_id = $1`, p.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE api_tokens SET revoked = $1 WHERE person_id = $2 AND revoked IS NULL`, tx.Now, p.ID); err != nil {
			return err
		}
		if _, err := tx.endFeeds(ctx, p.ID); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, audit.Record{Action: "person.disable", Entity: "person", EntityID: strconv.FormatInt(p.ID, 10), UnitCode: p.UnitCode,
		Reason: reason, Before: audit.JSON(map[string]bool{"disabled": p.Disabled}), After: audit.JSON(map[string]bool{"disabled": disabled})})
}

const personColumns = `id, login, name, unit_code, COALESCE(office_id, 0), phone, disabled, created`

func scanPerson(r interface{ Scan(...any) error }) (units.Person, error) {
	var p units.Person
	var created time.Time
	err := r.Scan(&p.ID, &p.Login, &p.Name, &p.UnitCode, &p.OfficeID, &p.Phone, &p.Disabled, &created)
	p.Created = created.UTC()
	return p, err
}

func (db *DB) person(ctx context.Context, where string, arg any) (units.Person, string, error) {
	var hash string
	var p units.Person
	var created time.Time
	err := db.r.QueryRowContext(ctx, `SELECT `+personColumns+`, password_hash FROM people WHERE `+where, arg).
		Scan(&p.ID, &p.Login, &p.Name, &p.UnitCode, &p.OfficeID, &p.Phone, &p.Disabled, &created, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return p, "", fmt.Errorf("person %v: %w", arg, ErrNotFound)
	}
	if err != nil {
		return p, "", fmt.Errorf("read person: %w", err)
	}
	p.Created = created.UTC()
	p.Grants, err = db.grants(ctx, p.ID)
	return p, hash, err
}

// Person reads a person with their roles inside the transaction (on
// PostgreSQL locking the person's row), so that a check of who may change
// them and the change see the same roles.
func (tx *Tx) Person(ctx context.Context, id int64) (units.Person, error) {
	q := `SELECT ` + personColumns + ` FROM people WHERE id = $1`
	if tx.db.Dialect == Postgres {
		q += ` FOR UPDATE`
	}
	p, err := scanPerson(tx.tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("person %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("read person: %w", err)
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT role, unit_code FROM grants WHERE person_id = $1 ORDER BY role, unit_code`, id)
	if err != nil {
		return p, fmt.Errorf("read grants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g units.Grant
		if err := rows.Scan(&g.Role, &g.UnitCode); err != nil {
			return p, err
		}
		p.Grants = append(p.Grants, g)
	}
	return p, rows.Err()
}

// Person finds a person by id, with their roles.
func (db *DB) Person(ctx context.Context, id int64) (units.Person, error) {
	p, _, err := db.person(ctx, "id = $1", id)
	return p, err
}

// PersonByLogin finds a person by login and returns the password hash too.
func (db *DB) PersonByLogin(ctx context.Context, login string) (units.Person, string, error) {
	return db.person(ctx, "login = $1", login)
}

func (db *DB) grants(ctx context.Context, id int64) ([]units.Grant, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT role, unit_code FROM grants WHERE person_id = $1 ORDER BY role, unit_code`, id)
	if err != nil {
		return nil, fmt.Errorf("read grants: %w", err)
	}
	defer rows.Close()
	var out []units.Grant
	for rows.Next() {
		var g units.Grant
		if err := rows.Scan(&g.Role, &g.UnitCode); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ListPeople returns people within the query's scopes, with their roles.
func (db *DB) ListPeople(ctx context.Context, q ListQuery) ([]units.Person, int, error) {
	if len(q.Scopes) == 0 {
		return nil, 0, nil
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := q.where("unit_code", arg, "name", "login")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count people: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+personColumns+` FROM people WHERE `+where+
		` ORDER BY unit_code, login LIMIT `+arg(q.Limit)+` OFFSET `+arg(q.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list people: %w", err)
	}
	var out []units.Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if out[i].Grants, err = db.grants(ctx, out[i].ID); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// CountPeople counts all people; the demo uses it to know whether it has run.
func (db *DB) CountPeople(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM people`).Scan(&n)
	return n, err
}
