package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/audit"
	"lighten/internal/auth"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// maxBody bounds every JSON request body.
const maxBody = 1 << 20

// UnitView is a unit as the API shows it.
type UnitView struct {
	Code        string       `json:"code"`
	Name        string       `json:"name"`
	Level       string       `json:"level"`
	Parent      string       `json:"parent,omitempty"`
	Placeholder bool         `json:"placeholder"`
	Children    int          `json:"children"`
	Path        []UnitRef    `json:"path,omitempty"`
	Subtree     *SubtreeView `json:"subtree,omitempty"`
}

// UnitRef names a unit.
type UnitRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// SubtreeView counts the units below one unit, by level.
type SubtreeView struct {
	Total     int `json:"total"`
	Provinces int `json:"provinces"`
	Cities    int `json:"cities"`
	Counties  int `json:"counties"`
	Townships int `json:"townships"`
	Villages  int `json:"villages"`
}

// UnitList is a page of units.
type UnitList struct {
	Units []UnitView `json:"units"`
	Total int        `json:"total,omitempty"` // children in all, when listing children
	More  bool       `json:"more"`            // further matches were cut by the limit
}

func unitView(t *units.Tree, u units.Unit, detail bool) UnitView {
	_, n := t.Children(u.Code, 0, 0)
	v := UnitView{Code: u.Code, Name: u.Name, Level: u.Level.String(), Parent: u.Parent, Placeholder: u.Placeholder, Children: n}
	if detail {
		for _, p := range t.Path(u.Code) {
			v.Path = append(v.Path, UnitRef{Code: p.Code, Name: p.Name, Level: p.Level.String()})
		}
		v.Subtree = subtreeView(t.SubtreeCounts(u.Code))
	}
	return v
}

func subtreeView(c [units.Village + 1]int) *SubtreeView {
	return &SubtreeView{Total: c[0], Provinces: c[units.Province], Cities: c[units.City], Counties: c[units.County],
		Townships: c[units.Township], Villages: c[units.Village]}
}

// Me is who a signed-in person is and what they may do.
type Me struct {
	Person units.Person        `json:"person"`
	Rights map[string][]string `json:"rights"` // action -> subtrees ("" is the country)
	Office *units.Office       `json:"office,omitempty"`
	Units  map[string]UnitRef  `json:"units"` // names of the units mentioned
}

// NewPersonBody creates a person.
type NewPersonBody struct {
	Login    string        `json:"login"`
	Name     string        `json:"name"`
	Unit     string        `json:"unit"`
	Office   int64         `json:"office,omitempty"`
	Phone    string        `json:"phone,omitempty"`
	Password string        `json:"password"`
	Grants   []units.Grant `json:"grants"`
}

// NewOfficeBody creates an office.
type NewOfficeBody struct {
	Unit   string `json:"unit"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
	Burden bool   `json:"burden,omitempty"`
}

// SignInBody signs in.
type SignInBody struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// PasswordBody changes a password. The person's sessions end, and their API
// tokens are revoked unless keep_tokens is true.
type PasswordBody struct {
	Current    string `json:"current,omitempty"`
	Password   string `json:"password"`
	KeepTokens bool   `json:"keep_tokens,omitempty"`
}

// PasswordChanged is what a password change ended besides the password.
type PasswordChanged struct {
	SessionsEnded int64     `json:"sessions_ended"`
	TokensRevoked int64     `json:"tokens_revoked"`
	FeedsEnded    int64     `json:"feeds_ended"` // iCal feeds of the person's register entries
	Message       i18n.Text `json:"message"`
}

func passwordChanged(c store.PasswordChange) PasswordChanged {
	key := "people.password.done"
	if c.TokensRevoked == 0 {
		key = "people.password.done_no_tokens"
	}
	msg := i18n.Both(key, c.TokensRevoked)
	if c.FeedsEnded > 0 {
		msg = i18n.Both("people.password.feeds_ended", msg, c.FeedsEnded)
	}
	return PasswordChanged{SessionsEnded: c.SessionsEnded, TokensRevoked: c.TokensRevoked, FeedsEnded: c.FeedsEnded, Message: msg}
}

// Unlocked is the answer to clearing a person's sign-in lock.
type Unlocked struct {
	Cleared int64     `json:"cleared"` // failed sign-ins forgotten
	Message i18n.Text `json:"message"`
}

// DisableBody disables or re-enables a person.
type DisableBody struct {
	Disabled bool   `json:"disabled"`
	Reason   string `json:"reason"`
}

// NewTokenBody asks for an API token.
type NewTokenBody struct {
	Name string `json:"name"`
	Days int    `json:"days"`
}

// NewToken is a token with its secret, shown once.
type NewToken struct {
	Token  store.APIToken `json:"token"`
	Secret string         `json:"secret"`
}

// PeopleList is a page of people.
type PeopleList struct {
	People []units.Person `json:"people"`
	Total  int            `json:"total"`
}

// OfficeList is a page of offices.
type OfficeList struct {
	Offices []units.Office `json:"offices"`
	Total   int            `json:"total"`
}

// AuditList is a page of the audit log, newest first.
type AuditList struct {
	Records []audit.Record `json:"records"`
}

// AuditCheck is the result of verifying the chain.
type AuditCheck struct {
	Records int64  `json:"records"`
	OK      bool   `json:"ok"`
	Broken  int64  `json:"broken_at,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

var (
	pCode   = param{Name: "code", In: "path", Type: "string", Required: true, Desc: "statistical code (2, 4, 6, 9 or 12 digits)"}
	pID     = param{Name: "id", In: "path", Type: "integer", Required: true}
	pUnder  = param{Name: "under", In: "query", Type: "string", Desc: "only within this unit's subtree"}
	pQ      = param{Name: "q", In: "query", Type: "string", Desc: "part of a name, or the beginning of a code"}
	pLimit  = param{Name: "limit", In: "query", Type: "integer"}
	pOffset = param{Name: "offset", In: "query", Type: "integer"}
)

func (s *Server) apiRoutes() []*route {
	return []*route{
		{Method: "GET", Pattern: "/api/v1/openapi.json", Tag: "meta", Summary: "This API's OpenAPI 3 document", Result: map[string]any{}, h: s.openapi},
		{Method: "GET", Pattern: "/api/v1/units", Tag: "units", Action: access.ReadUnits,
			Summary: "Search units by name or code prefix (q), or list the children of a unit (parent; empty for the provinces)",
			Params: []param{pQ, {Name: "parent", In: "query", Type: "string"}, pUnder,
				{Name: "level", In: "query", Type: "string", Desc: "province, city, county, township or village"}, pLimit, pOffset},
			Result: UnitList{}, h: s.apiUnits},
		{Method: "GET", Pattern: "/api/v1/units/{code}", Tag: "units", Action: access.ReadUnits,
			Summary: "One unit, with its path from the province and the count of units below it", Params: []param{pCode}, Result: UnitView{}, h: s.apiUnit},
		{Method: "POST", Pattern: "/api/v1/session", Tag: "session", Summary: "Sign in with login and password; sets the session cookie",
			Body: SignInBody{}, Result: Me{}, h: s.apiSignIn},
		{Method: "DELETE", Pattern: "/api/v1/session", Tag: "session", Auth: signedIn, Summary: "Sign out", Status: http.StatusNoContent, h: s.apiSignOut},
		{Method: "GET", Pattern: "/api/v1/me", Tag: "session", Auth: signedIn, Summary: "Who I am and what I may do where", Result: Me{}, h: s.apiMe},
		{Method: "POST", Pattern: "/api/v1/me/password", Tag: "session", Auth: signedIn,
			Summary: "Change my password; ends all my sessions and revokes my API tokens (unless keep_tokens)",
			Body:    PasswordBody{}, Result: PasswordChanged{}, h: s.apiMyPassword},
		{Method: "GET", Pattern: "/api/v1/me/tokens", Tag: "session", Auth: signedIn, Summary: "My API tokens", Result: []store.APIToken{}, h: s.apiTokens},
		{Method: "POST", Pattern: "/api/v1/me/tokens", Tag: "session", Auth: signedIn, Summary: "Create an API token; its secret is shown once",
			Body: NewTokenBody{}, Result: NewToken{}, Status: http.StatusCreated, h: s.apiCreateToken},
		{Method: "DELETE", Pattern: "/api/v1/me/tokens/{id}", Tag: "session", Auth: signedIn, Summary: "Revoke one of my API tokens",
			Params: []param{pID}, Status: http.StatusNoContent, h: s.apiRevokeToken},
		{Method: "GET", Pattern: "/api/v1/offices", Tag: "offices", Auth: signedIn, Action: access.ReadOffices,
			Summary: "Offices within my scope", Params: []param{pUnder, {Name: "unit", In: "query", Type: "string"}, pQ, pLimit, pOffset},
			Result: OfficeList{}, h: s.apiOffices},
		{Method: "POST", Pattern: "/api/v1/offices", Tag: "offices", Auth: signedIn, Action: access.WriteOffices,
			Summary: "Create an office at a unit", Body: NewOfficeBody{}, Result: units.Office{}, Status: http.StatusCreated, h: s.apiCreateOffice},
		{Method: "GET", Pattern: "/api/v1/offices/{id}", Tag: "offices", Auth: signedIn, Action: access.ReadOffices,
			Summary: "One office", Params: []param{pID}, Result: units.Office{}, h: s.apiOffice},
		{Method: "GET", Pattern: "/api/v1/people", Tag: "people", Auth: signedIn, Action: access.ReadPeople,
			Summary: "People within my scope", Params: []param{pUnder, {Name: "unit", In: "query", Type: "string"}, pQ, pLimit, pOffset},
			Result: PeopleList{}, h: s.apiPeople},
		{Method: "POST", Pattern: "/api/v1/people", Tag: "people", Auth: signedIn, Action: access.WritePeople,
			Summary: "Create a person with roles", Body: NewPersonBody{}, Result: units.Person{}, Status: http.StatusCreated, h: s.apiCreatePerson},
		{Method: "GET", Pattern: "/api/v1/people/{id}", Tag: "people", Auth: signedIn, Action: access.ReadPeople,
			Summary: "One person, with roles", Params: []param{pID}, Result: units.Person{}, h: s.apiPerson},
		{Method: "POST", Pattern: "/api/v1/people/{id}/grants", Tag: "people", Auth: signedIn, Action: access.WritePeople,
			Summary: "Give a person a role at a unit", Params: []param{pID}, Body: units.Grant{}, Result: units.Person{}, h: s.apiGrant},
		{Method: "DELETE", Pattern: "/api/v1/people/{id}/grants", Tag: "people", Auth: signedIn, Action: access.WritePeople,
			Summary: "Take a role from a person", Params: []param{pID, {Name: "role", In: "query", Type: "string", Required: true},
				{Name: "unit", In: "query", Type: "string", Desc: "empty for the whole country"}}, Result: units.Person{}, h: s.apiRevoke},
		{Method: "POST", Pattern: "/api/v1/people/{id}/disabled", Tag: "people", Auth: signedIn, Action: access.WritePeople,
			Summary: "Disable or re-enable a person; disabling ends their sessions and tokens", Params: []param{pID}, Body: DisableBody{},
			Result: units.Person{}, h: s.apiDisable},
		{Method: "POST", Pattern: "/api/v1/people/{id}/password", Tag: "people", Auth: signedIn, Action: access.WritePeople,
			Summary: "Set a person's password; ends their sessions and revokes their API tokens (unless keep_tokens)",
			Params:  []param{pID}, Body: PasswordBody{}, Result: PasswordChanged{}, h: s.apiSetPassword},
		{Method: "GET", Pattern: "/api/v1/people/{id}/signin-lock", Tag: "people", Auth: signedIn, Action: access.WritePeople,
			Summary: "A person's failed sign-ins within the lock-out window, and whether they are locked out", Params: []param{pID},
			Result: store.SignInLock{}, h: s.apiSignInLock},
		{Method: "DELETE", Pattern: "/api/v1/people/{id}/signin-lock", Tag: "people", Auth: signedIn, Action: access.WritePeople,
			Summary: "Clear a person's sign-in lock-out (forgets their failed sign-ins from every address)", Params: []param{pID},
			Result: Unlocked{}, h: s.apiClearSignInLock},
		{Method: "GET", Pattern: "/api/v1/audit", Tag: "audit", Auth: signedIn, Action: access.ReadAudit,
			Summary: "Audit records within my scope, newest first", Params: []param{{Name: "entity", In: "query", Type: "string"},
				{Name: "who", In: "query", Type: "string", Desc: "the login of who acted (system for imports)"},
				{Name: "what", In: "query", Type: "string", Desc: `an action ("demand.submit"), or every action of an entity ("demand.")`},
				{Name: "id", In: "query", Type: "string", Desc: "the record's entity id"},
				{Name: "under", In: "query", Type: "string", Desc: "records of this subtree, within my scope"},
				{Name: "from", In: "query", Type: "string", Desc: "first day, YYYY-MM-DD, China time"},
				{Name: "to", In: "query", Type: "string", Desc: "last day, YYYY-MM-DD, China time"},
				{Name: "before", In: "query", Type: "integer", Desc: "records before this sequence number"}, pLimit},
			Result: AuditList{}, h: s.apiAudit},
		{Method: "GET", Pattern: "/api/v1/audit/verify", Tag: "audit", Auth: signedIn, Action: access.ReadAudit,
			Summary: "Verify the whole hash chain (national scope only)", Result: AuditCheck{}, h: s.apiAuditVerify},
	}
}

func decode(r *http.Request, v any) error {
	body := http.MaxBytesReader(nil, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errorf(CodeTooLarge, "error.too_large", maxBody)
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(CodeInvalid, "error.json.trailing")
	}
	return checkJSON(v)
}

func intParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalid(name, "error.bad_number", name, v)
	}
	if max > 0 && n > max {
		n = max
	}
	return n, nil
}

func idParam(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, invalid("id", "error.bad_number", "id", v)
	}
	return n, nil
}

// codeParam validates an optional unit code from the query.
func codeParam(t *units.Tree, r *http.Request, name string) (string, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return "", nil
	}
	return knownCode(t, name, v)
}

func knownCode(t *units.Tree, field, code string) (string, error) {
	if _, ok := units.LevelOfCode(code); !ok {
		return "", invalid(field, "error.bad_code", code)
	}
	if _, ok := t.Get(code); !ok {
		return "", &Error{Code: CodeNotFound, Field: field, Message: i18n.Both("error.unknown_unit", code)}
	}
	return code, nil
}

func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	under, err := codeParam(t, r, "under")
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 20, 200)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 0)
	if err != nil {
		return err
	}
	var level units.Level
	if v := r.URL.Query().Get("level"); v != "" {
		if level, err = units.ParseLevel(v); err != nil {
			return invalid("level", "error.bad_level", v)
		}
	}
	out := UnitList{Units: []UnitView{}}
	if q := r.URL.Query().Get("q"); strings.TrimSpace(q) != "" {
		found, more := t.Search(units.Query{Text: q, Under: under, Level: level, Limit: limit})
		for _, u := range found {
			out.Units = append(out.Units, unitView(t, u, false))
		}
		out.More = more
	} else {
		parent, err := codeParam(t, r, "parent")
		if err != nil {
			return err
		}
		kids, total := t.Children(parent, offset, limit)
		for _, u := range kids {
			out.Units = append(out.Units, unitView(t, u, false))
		}
		out.Total, out.More = total, offset+len(kids) < total
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiUnit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	code, err := knownCode(t, "code", r.PathValue("code"))
	if err != nil {
		return err
	}
	u, _ := t.Get(code)
	writeJSON(w, http.StatusOK, unitView(t, u, true))
	return nil
}

func (s *Server) apiSignIn(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b SignInBody
	if err := decode(r, &b); err != nil {
		return err
	}
	p, token, err := s.signIn(r.Context(), b.Login, b.Password, s.clientAddress(r))
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	c.Person, c.P = p, principalOf(p)
	return s.writeMe(w, r, c)
}

func (s *Server) apiSignOut(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := s.signOut(r.Context(), w, c); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(ctx context.Context, c *Ctx) (Me, error) {
	m := Me{Person: c.Person, Rights: map[string][]string{}, Units: map[string]UnitRef{}}
	if m.Person.Grants == nil {
		m.Person.Grants = []units.Grant{}
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return m, err
	}
	name := func(code string) {
		if u, ok := t.Get(code); ok {
			m.Units[code] = UnitRef{Code: u.Code, Name: u.Name, Level: u.Level.String()}
		}
	}
	name(c.Person.UnitCode)
	for a := range access.Actions() {
		if sc := c.P.Scopes(a); len(sc) > 0 {
			m.Rights[string(a)] = sc
			for _, code := range sc {
				name(code)
			}
		}
	}
	m.Rights[string(access.ReadUnits)] = []string{""}
	if c.Person.OfficeID != 0 {
		o, err := s.db.Office(ctx, c.Person.OfficeID)
		if err != nil {
			return m, err
		}
		m.Office = &o
	}
	return m, nil
}

func (s *Server) writeMe(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	m, err := s.me(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return s.writeMe(w, r, c)
}

func (s *Server) apiMyPassword(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b PasswordBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if err := s.checkCurrentPassword(r.Context(), r, c.Person.Login, b.Current); err != nil {
		return err
	}
	newHash, err := hashPassword(b.Password)
	if err != nil {
		return err
	}
	var done store.PasswordChange
	err = s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		var err error
		done, err = tx.SetPassword(r.Context(), c.Person, newHash, b.KeepTokens)
		return err
	})
	if err != nil {
		return err
	}
	s.clearSessionCookie(w)
	writeJSON(w, http.StatusOK, passwordChanged(done))
	return nil
}

func hashPassword(pw string) (string, error) {
	if len(pw) < auth.MinPasswordLength {
		return "", invalid("password", "error.password_short", auth.MinPasswordLength)
	}
	return auth.HashPassword(pw)
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ts, err := s.db.APITokens(r.Context(), c.Person.ID)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []store.APIToken{}
	}
	writeJSON(w, http.StatusOK, ts)
	return nil
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b NewTokenBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if strings.TrimSpace(b.Name) == "" {
		return invalid("name", "error.required", "name")
	}
	maxDays := int(auth.TokenMax / (24 * time.Hour))
	if b.Days < 1 || b.Days > maxDays {
		return invalid("days", "error.token_days", maxDays)
	}
	var out NewToken
	err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error {
		var err error
		out.Token, out.Secret, err = tx.CreateAPIToken(r.Context(), c.Person, strings.TrimSpace(b.Name), time.Duration(b.Days)*24*time.Hour)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.RevokeAPIToken(r.Context(), c.Person, id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listQuery reads the shared list parameters and limits the query to the
// principal's scopes for action a.
func listQuery(r *http.Request, c *Ctx, a access.Action) (store.ListQuery, error) {
	q := store.ListQuery{Scopes: c.P.Scopes(a), Text: strings.TrimSpace(r.URL.Query().Get("q"))}
	if len(q.Scopes) == 0 {
		return q, c.Require(a, c.Person.UnitCode)
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return q, err
	}
	if q.Under, err = codeParam(t, r, "under"); err != nil {
		return q, err
	}
	if q.Unit, err = codeParam(t, r, "unit"); err != nil {
		return q, err
	}
	if q.Limit, err = intParam(r, "limit", 50, 500); err != nil {
		return q, err
	}
	q.Offset, err = intParam(r, "offset", 0, 0)
	return q, err
}

func (s *Server) apiOffices(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q, err := listQuery(r, c, access.ReadOffices)
	if err != nil {
		return err
	}
	os, total, err := s.db.ListOffices(r.Context(), q)
	if err != nil {
		return err
	}
	if os == nil {
		os = []units.Office{}
	}
	writeJSON(w, http.StatusOK, OfficeList{Offices: os, Total: total})
	return nil
}

// visibleOffice finds an office the principal may read; one outside the
// scope is reported as not found, so that its existence does not leak.
func (s *Server) visibleOffice(ctx context.Context, c *Ctx, id int64, a access.Action) (units.Office, error) {
	o, err := s.db.Office(ctx, id)
	if err != nil {
		return o, err
	}
	if !c.P.Can(access.ReadOffices, o.UnitCode) {
		return o, errorf(CodeNotFound, "error.not_found")
	}
	return o, c.Require(a, o.UnitCode)
}

func (s *Server) apiOffice(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	o, err := s.visibleOffice(r.Context(), c, id, access.ReadOffices)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) apiCreateOffice(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b NewOfficeBody
	if err := decode(r, &b); err != nil {
		return err
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	if _, err := knownCode(t, "unit", b.Unit); err != nil {
		return err
	}
	if err := c.Require(access.WriteOffices, b.Unit); err != nil {
		return err
	}
	if strings.TrimSpace(b.Name) == "" {
		return invalid("name", "error.required", "name")
	}
	o := units.Office{UnitCode: b.Unit, Name: strings.TrimSpace(b.Name), NameEN: strings.TrimSpace(b.NameEN), Burden: b.Burden}
	if err := s.db.Write(r.Context(), c.Actor(), func(tx *store.Tx) error { return tx.CreateOffice(r.Context(), &o) }); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q, err := listQuery(r, c, access.ReadPeople)
	if err != nil {
		return err
	}
	ps, total, err := s.db.ListPeople(r.Context(), q)
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []units.Person{}
	}
	writeJSON(w, http.StatusOK, PeopleList{People: ps, Total: total})
	return nil
}

// visiblePerson finds a person the principal may read. Someone outside
// every scope is not found, so that their existence does not leak.
func (s *Server) visiblePerson(ctx context.Context, c *Ctx, id int64) (units.Person, error) {
	p, err := s.db.Person(ctx, id)
	if err != nil {
		return p, err
	}
	if !c.P.Can(access.ReadPeople, p.UnitCode) && !c.P.Can(access.WritePeople, p.UnitCode) {
		return p, errorf(CodeNotFound, "error.not_found")
	}
	return p, nil
}

// mayActOn is the one rule for changing a person (password, disabling,
// roles, tokens, sign-in lock): the principal's scope for writing people
// must cover the person's home unit and every grant they hold. A person one
// may read but not change is refused with 403, naming the place beyond.
func mayActOn(c *Ctx, p units.Person) error {
	if !c.P.SignedIn() {
		return errorf(CodeUnauthorized, "error.unauthorized")
	}
	if ok, beyond := c.P.MayActOn(p.UnitCode, p.Grants); !ok {
		return errorf(CodeForbidden, "people.error.beyond_scope", p.Login, placeName(beyond))
	}
	return nil
}

// actOnPerson changes person id in one transaction: the person is read
// again inside it, and mayActOn checked against what was read, so that a
// role given meanwhile is not missed. One outside every scope is not found.
func (s *Server) actOnPerson(ctx context.Context, c *Ctx, id int64, change func(tx *store.Tx, p units.Person) error) error {
	if _, err := s.visiblePerson(ctx, c, id); err != nil {
		return err
	}
	return s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		p, err := tx.Person(ctx, id)
		if err != nil {
			return err
		}
		if err := mayActOn(c, p); err != nil {
			return err
		}
		return change(tx, p)
	})
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.visiblePerson(r.Context(), c, id)
	if err != nil {
		return err
	}
	if p.Grants == nil {
		p.Grants = []units.Grant{}
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// checkGrant validates a role and place, and that the principal may give it.
func checkGrant(t *units.Tree, c *Ctx, g units.Grant) error {
	if _, err := units.ParseRole(string(g.Role)); err != nil {
		return invalid("role", "error.bad_role", string(g.Role))
	}
	if g.UnitCode != "" {
		if _, err := knownCode(t, "unit", g.UnitCode); err != nil {
			return err
		}
	}
	if !c.P.MayGrant(g.Role, g.UnitCode) {
		return errorf(CodeForbidden, "error.grant_outside", placeName(g.UnitCode))
	}
	return nil
}

func (s *Server) apiCreatePerson(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b NewPersonBody
	if err := decode(r, &b); err != nil {
		return err
	}
	ctx := r.Context()
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	if !units.ValidLogin(b.Login) {
		return invalid("login", "error.bad_login", b.Login)
	}
	if strings.TrimSpace(b.Name) == "" {
		return invalid("name", "error.required", "name")
	}
	if _, err := knownCode(t, "unit", b.Unit); err != nil {
		return err
	}
	if err := c.Require(access.WritePeople, b.Unit); err != nil {
		return err
	}
	if b.Office != 0 {
		o, err := s.db.Office(ctx, b.Office)
		if err != nil || o.UnitCode != b.Unit {
			return invalid("office", "error.office_elsewhere", b.Office, b.Unit)
		}
	}
	for _, g := range b.Grants {
		if err := checkGrant(t, c, g); err != nil {
			return err
		}
	}
	hash, err := hashPassword(b.Password)
	if err != nil {
		return err
	}
	var p units.Person
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		p, err = tx.CreatePerson(ctx, store.NewPerson{Login: b.Login, Name: strings.TrimSpace(b.Name), UnitCode: b.Unit,
			OfficeID: b.Office, Phone: b.Phone, PasswordHash: hash, Grants: b.Grants})
		return err
	})
	if err != nil {
		return err
	}
	if p.Grants == nil {
		p.Grants = []units.Grant{}
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

// changePerson applies a change to the person of the request's id under
// actOnPerson's rule and answers with the person as they now are.
func (s *Server) changePerson(w http.ResponseWriter, r *http.Request, c *Ctx, change func(ctx context.Context, tx *store.Tx, t *units.Tree, p units.Person) error) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	if err := s.actOnPerson(ctx, c, id, func(tx *store.Tx, p units.Person) error { return change(ctx, tx, t, p) }); err != nil {
		return err
	}
	p, err := s.db.Person(ctx, id)
	if err != nil {
		return err
	}
	if p.Grants == nil {
		p.Grants = []units.Grant{}
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiGrant(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var g units.Grant
	if err := decode(r, &g); err != nil {
		return err
	}
	return s.changePerson(w, r, c, func(ctx context.Context, tx *store.Tx, t *units.Tree, p units.Person) error {
		if err := checkGrant(t, c, g); err != nil {
			return err
		}
		return tx.Grant(ctx, p, g)
	})
}

func (s *Server) apiRevoke(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	g := units.Grant{Role: units.Role(r.URL.Query().Get("role")), UnitCode: r.URL.Query().Get("unit")}
	return s.changePerson(w, r, c, func(ctx context.Context, tx *store.Tx, t *units.Tree, p units.Person) error {
		if err := checkGrant(t, c, g); err != nil {
			return err
		}
		return tx.Revoke(ctx, p, g)
	})
}

func (s *Server) apiDisable(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b DisableBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if strings.TrimSpace(b.Reason) == "" {
		return invalid("reason", "error.required", "reason")
	}
	return s.changePerson(w, r, c, func(ctx context.Context, tx *store.Tx, t *units.Tree, p units.Person) error {
		return tx.SetDisabled(ctx, p, b.Disabled, strings.TrimSpace(b.Reason))
	})
}

func (s *Server) apiSetPassword(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	var b PasswordBody
	if err := decode(r, &b); err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	hash, err := hashPassword(b.Password)
	if err != nil {
		return err
	}
	var done store.PasswordChange
	err = s.actOnPerson(r.Context(), c, id, func(tx *store.Tx, p units.Person) error {
		var err error
		done, err = tx.SetPassword(r.Context(), p, hash, b.KeepTokens)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, passwordChanged(done))
	return nil
}

// signInLock is how person p stands against the sign-in lock-out now.
func (s *Server) signInLock(ctx context.Context, p units.Person) (store.SignInLock, error) {
	return s.db.SignInLockOf(ctx, p.Login, s.db.Now().Add(-auth.Window), auth.MaxFailures, auth.MaxFailuresPerLogin)
}

func (s *Server) apiSignInLock(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.visiblePerson(r.Context(), c, id)
	if err != nil {
		return err
	}
	if err := mayActOn(c, p); err != nil {
		return err
	}
	l, err := s.signInLock(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// clearSignInLock forgets every failed sign-in of person id, for an
// administrator whose scope covers the person's every grant; audited.
func (s *Server) clearSignInLock(ctx context.Context, c *Ctx, id int64) (int64, error) {
	var n int64
	err := s.actOnPerson(ctx, c, id, func(tx *store.Tx, p units.Person) error {
		var err error
		n, err = tx.ClearSignInLock(ctx, p)
		return err
	})
	return n, err
}

func (s *Server) apiClearSignInLock(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	n, err := s.clearSignInLock(r.Context(), c, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Unlocked{Cleared: n, Message: i18n.Both("people.unlock.done", n)})
	return nil
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	scopes := c.P.Scopes(access.ReadAudit)
	if len(scopes) == 0 {
		return c.Require(access.ReadAudit, c.Person.UnitCode)
	}
	limit, err := intParam(r, "limit", 100, 500)
	if err != nil {
		return err
	}
	before, err := intParam(r, "before", 0, 0)
	if err != nil {
		return err
	}
	q, err := s.auditQuery(c, r.URL.Query())
	if err != nil {
		return err
	}
	q.Entity, q.Before, q.Limit = r.URL.Query().Get("entity"), int64(before), limit
	recs, err := s.db.ListAudit(r.Context(), q)
	if err != nil {
		return err
	}
	if recs == nil {
		recs = []audit.Record{}
	}
	writeJSON(w, http.StatusOK, AuditList{Records: recs})
	return nil
}

func (s *Server) apiAuditVerify(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := c.Require(access.ReadAudit, ""); err != nil {
		return err
	}
	n, err := s.db.VerifyAudit(r.Context())
	out := AuditCheck{Records: n, OK: err == nil}
	var br *audit.Break
	if errors.As(err, &br) {
		out.Broken, out.Reason = br.Seq, br.Reason
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
