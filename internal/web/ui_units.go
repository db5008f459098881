package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/auth"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// Units are listed a page at a time: a county may have hundreds of villages.
const (
	uiChildPage  = 50
	uiSearchPage = 20
	uiListPage   = 50
)

// nodeView is a unit in a list.
type nodeView struct {
	Code        string
	Name        string
	Level       units.Level
	Children    int
	Placeholder bool
}

func nodeOf(t *units.Tree, u units.Unit) nodeView {
	_, n := t.Children(u.Code, 0, 0)
	return nodeView{Code: u.Code, Name: u.Name, Level: u.Level, Children: n, Placeholder: u.Placeholder}
}

// childrenView is one page of a unit's children; the fragment ends with a
// link to the next page when there is one.
type childrenView struct {
	Parent string
	Nodes  []nodeView
	Total  int
	Shown  int // children shown up to the end of this page
	Next   int // offset of the next page
	More   bool
}

func childrenOf(t *units.Tree, parent string, offset, limit int) childrenView {
	kids, total := t.Children(parent, offset, limit)
	v := childrenView{Parent: parent, Total: total}
	for _, u := range kids {
		v.Nodes = append(v.Nodes, nodeOf(t, u))
	}
	v.Shown = offset + len(kids)
	v.Next, v.More = v.Shown, v.Shown < total
	return v
}

// resultView is a search hit with the path above it, since many villages
// share a name.
type resultView struct {
	nodeView
	Above string
}

type resultsView struct {
	Q        string
	Searched bool
	Units    []resultView
	More     bool
}

func searchTree(t *units.Tree, q, under string) resultsView {
	v := resultsView{Q: q, Searched: strings.TrimSpace(q) != ""}
	if !v.Searched {
		return v
	}
	found, more := t.Search(units.Query{Text: q, Under: under, Limit: uiSearchPage})
	for _, u := range found {
		v.Units = append(v.Units, resultView{nodeView: nodeOf(t, u), Above: placeOf(t, u.Parent, "")})
	}
	v.More = more
	return v
}

// placeOf names a place by its path, skipping the statistical placeholders
// (市辖区) that no one says aloud. The empty code is the whole country,
// named by country.
func placeOf(t *units.Tree, code, country string) string {
	if code == "" {
		return country
	}
	var names []string
	for _, u := range t.Path(code) {
		if !u.Placeholder {
			names = append(names, u.Name)
		}
	}
	if len(names) == 0 {
		return code
	}
	return strings.Join(names, " › ")
}

// place names a scope in the request's language.
func place(t *units.Tree, c *Ctx, code string) string {
	return placeOf(t, code, c.T("ui.country"))
}

type levelCount struct {
	Level units.Level
	N     int
}

func levelCounts(t *units.Tree, code string) (total int, out []levelCount) {
	c := t.SubtreeCounts(code)
	for l := units.Province; l <= units.Village; l++ {
		if c[l] > 0 {
			out = append(out, levelCount{Level: l, N: c[l]})
		}
	}
	return c[0], out
}

type homeView struct {
	Units   int
	Counts  []levelCount
	Reach   []reachView
	Waiting []waitCard
}

// reachView is a screen a person may open and where it reaches.
type reachView struct {
	Href   string
	Label  string
	Places []string
}

func (s *Server) uiHome(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	v := homeView{}
	v.Units, v.Counts = levelCounts(t, "")
	if c.P.SignedIn() {
		v.Reach = append(v.Reach, reachView{Href: "/units", Label: c.T("ui.nav.units"), Places: []string{c.T("ui.country")}})
		for _, x := range []struct {
			a           access.Action
			href, label string
		}{{access.ReadOffices, "/offices", c.T("ui.nav.offices")}, {access.ReadPeople, "/people", c.T("ui.nav.people")},
			{access.PlanVisits, "/plans", c.T("ui.visits.nav.plans")}, {access.ScheduleVisits, "/schedule", c.T("ui.visits.nav.schedule")},
			{access.FieldVisits, "/visits", c.T("ui.visits.nav.mine")}} {
			if sc := c.P.Scopes(x.a); len(sc) > 0 {
				rv := reachView{Href: x.href, Label: x.label}
				for _, code := range sc {
					rv.Places = append(rv.Places, place(t, c, code))
				}
				v.Reach = append(v.Reach, rv)
			}
		}
		v.Reach = append(v.Reach, reachView{Href: "/me", Label: c.T("ui.nav.me"), Places: []string{c.Person.Name}})
		if v.Waiting, err = s.waiting(r.Context(), c); err != nil {
			return err
		}
	}
	return s.page(w, r, c, http.StatusOK, "home", c.T("ui.home.title"), v)
}

// searchBox is the search form and its results (see _search.html).
type searchBox struct {
	Action  string
	Q       string
	Under   string
	Results resultsView
}

type treeView struct {
	Search searchBox
	Roots  childrenView
}

func (s *Server) uiUnits(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query().Get("q")
	// The country has 31 provinces: no paging at the root.
	v := treeView{Search: searchBox{Action: "/units", Q: q, Results: searchTree(t, q, "")}, Roots: childrenOf(t, "", 0, -1)}
	return s.page(w, r, c, http.StatusOK, "units", c.T("ui.units.title"), v)
}

// uiSearch answers the search box as the person types. Without htmx, the
// form's plain submit reaches /units?q= instead.
func (s *Server) uiSearch(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if r.Header.Get("HX-Request") == "" {
		target := "/units"
		if u := r.URL.Query().Get("under"); u != "" {
			target = "/units/" + url.PathEscape(u)
		}
		http.Redirect(w, r, target+"?"+url.Values{"q": {r.URL.Query().Get("q")}}.Encode(), http.StatusSeeOther)
		return nil
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	under, err := codeParam(t, r, "under")
	if err != nil {
		return err
	}
	return s.fragment(w, c, "results", searchTree(t, r.URL.Query().Get("q"), under))
}

// uiChildren is one page of children, loaded when a node of the tree is
// opened or "more" is asked for.
func (s *Server) uiChildren(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	code := r.PathValue("code")
	offset, err := intParam(r, "offset", 0, 0)
	if err != nil {
		return err
	}
	if r.Header.Get("HX-Request") == "" {
		http.Redirect(w, r, "/units/"+url.PathEscape(code)+"?offset="+strconv.Itoa(offset), http.StatusSeeOther)
		return nil
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	if _, err := knownCode(t, "code", code); err != nil {
		return err
	}
	return s.fragment(w, c, "nodes", childrenOf(t, code, offset, uiChildPage))
}

type unitPage struct {
	Unit     units.Unit
	Above    []units.Unit
	Total    int
	Counts   []levelCount
	Children childrenView
	Prev     string // the previous page of children, when not on the first
	Search   searchBox

	ShowOffices    bool
	Offices        []officeRow
	OfficesHere    int
	OfficesSubtree int
	ShowPeople     bool
	People         []personRow
	PeopleHere     int
	PeopleSubtree  int
}

func (s *Server) uiUnit(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	code, err := knownCode(t, "code", r.PathValue("code"))
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 0)
	if err != nil {
		return err
	}
	u, _ := t.Get(code)
	path := t.Path(code)
	v := unitPage{Unit: u, Above: path[:len(path)-1], Children: childrenOf(t, code, offset, uiChildPage)}
	v.Total, v.Counts = levelCounts(t, code)
	if offset > 0 {
		v.Prev = "/units/" + code + "?offset=" + strconv.Itoa(max(0, offset-uiChildPage))
	}
	q := r.URL.Query().Get("q")
	v.Search = searchBox{Action: "/units/" + code, Q: q, Under: code, Results: searchTree(t, q, code)}
	if c.P.Can(access.ReadOffices, code) {
		v.ShowOffices = true
		scopes := c.P.Scopes(access.ReadOffices)
		os, n, err := s.db.ListOffices(ctx, store.ListQuery{Scopes: scopes, Unit: code, Limit: uiListPage})
		if err != nil {
			return err
		}
		v.OfficesHere = n
		v.Offices = officeRows(t, os)
		if _, v.OfficesSubtree, err = s.db.ListOffices(ctx, store.ListQuery{Scopes: scopes, Under: code, Limit: 1}); err != nil {
			return err
		}
	}
	if c.P.Can(access.ReadPeople, code) {
		v.ShowPeople = true
		scopes := c.P.Scopes(access.ReadPeople)
		ps, n, err := s.db.ListPeople(ctx, store.ListQuery{Scopes: scopes, Unit: code, Limit: uiListPage})
		if err != nil {
			return err
		}
		v.PeopleHere = n
		if v.People, err = s.personRows(ctx, t, ps); err != nil {
			return err
		}
		if _, v.PeopleSubtree, err = s.db.ListPeople(ctx, store.ListQuery{Scopes: scopes, Under: code, Limit: 1}); err != nil {
			return err
		}
	}
	return s.page(w, r, c, http.StatusOK, "unit", u.Name, v)
}

// Offices and people.

type officeRow struct {
	Office   units.Office
	UnitName string
	Place    string
}

func officeRows(t *units.Tree, os []units.Office) []officeRow {
	var out []officeRow
	for _, o := range os {
		out = append(out, officeRow{Office: o, UnitName: unitName(t, o.UnitCode), Place: placeOf(t, o.UnitCode, "")})
	}
	return out
}

func unitName(t *units.Tree, code string) string {
	if u, ok := t.Get(code); ok {
		return u.Name
	}
	return code
}

type personRow struct {
	Person   units.Person
	UnitName string
	Office   *units.Office
	Roles    []units.Role
}

func (s *Server) personRows(ctx context.Context, t *units.Tree, ps []units.Person) ([]personRow, error) {
	offices := map[int64]*units.Office{}
	var out []personRow
	for _, p := range ps {
		row := personRow{Person: p, UnitName: unitName(t, p.UnitCode)}
		if p.OfficeID != 0 {
			o, ok := offices[p.OfficeID]
			if !ok {
				found, err := s.db.Office(ctx, p.OfficeID)
				if err != nil {
					return nil, err
				}
				o = &found
				offices[p.OfficeID] = o
			}
			row.Office = o
		}
		seen := map[units.Role]bool{}
		for _, g := range p.Grants {
			if !seen[g.Role] {
				seen[g.Role] = true
				row.Roles = append(row.Roles, g.Role)
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// option is a choice of subtree in a filter.
type option struct {
	Code     string
	Label    string
	Selected bool
}

// listFilter is the filter form of the office and people lists: text, and
// a subtree among the person's scopes (or any unit reached by a link).
type listFilter struct {
	Q       string
	Under   string
	Unit    string
	UnitFor string // the name of Unit, when the list is of one unit
	Options []option
	Pager   pager
}

func filterOf(t *units.Tree, c *Ctx, q store.ListQuery, scopes []string) listFilter {
	f := listFilter{Q: q.Text, Under: q.Under, Unit: q.Unit}
	if q.Unit != "" {
		f.UnitFor = place(t, c, q.Unit)
	}
	f.Options = append(f.Options, option{Code: "", Label: c.T("ui.list.all_scope"), Selected: q.Under == ""})
	listed := false
	for _, sc := range scopes {
		if sc == "" {
			continue // "everywhere I may" already covers the country
		}
		f.Options = append(f.Options, option{Code: sc, Label: place(t, c, sc), Selected: sc == q.Under})
		listed = listed || sc == q.Under
	}
	if q.Under != "" && !listed {
		f.Options = append(f.Options, option{Code: q.Under, Label: place(t, c, q.Under), Selected: true})
	}
	return f
}

// pager links the previous and next pages of a list.
type pager struct {
	From, To, Total int
	Prev, Next      string
}

func pagerOf(r *http.Request, offset, limit, shown, total int) pager {
	p := pager{From: offset + 1, To: offset + shown, Total: total}
	if shown == 0 {
		p.From = 0
	}
	at := func(o int) string {
		q := r.URL.Query()
		q.Del("lang")
		if o == 0 {
			q.Del("offset")
		} else {
			q.Set("offset", strconv.Itoa(o))
		}
		if len(q) == 0 {
			return r.URL.Path
		}
		return r.URL.Path + "?" + q.Encode()
	}
	if offset > 0 {
		p.Prev = at(max(0, offset-limit))
	}
	if offset+shown < total {
		p.Next = at(offset + shown)
	}
	return p
}

type officesView struct {
	Filter listFilter
	Rows   []officeRow
}

func (s *Server) uiOffices(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if !c.P.CanSomewhere(access.ReadOffices) {
		return c.Require(access.ReadOffices, c.Person.UnitCode)
	}
	q, err := listQuery(r, c, access.ReadOffices)
	if err != nil {
		return err
	}
	q.Limit = min(q.Limit, uiListPage)
	os, total, err := s.db.ListOffices(r.Context(), q)
	if err != nil {
		return err
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	v := officesView{Filter: filterOf(t, c, q, q.Scopes), Rows: officeRows(t, os)}
	v.Filter.Pager = pagerOf(r, q.Offset, q.Limit, len(os), total)
	return s.page(w, r, c, http.StatusOK, "offices", c.T("ui.offices.title"), v)
}

type peopleView struct {
	Filter listFilter
	Rows   []personRow
}

func (s *Server) uiPeople(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if !c.P.CanSomewhere(access.ReadPeople) {
		return c.Require(access.ReadPeople, c.Person.UnitCode)
	}
	q, err := listQuery(r, c, access.ReadPeople)
	if err != nil {
		return err
	}
	q.Limit = min(q.Limit, uiListPage)
	ps, total, err := s.db.ListPeople(r.Context(), q)
	if err != nil {
		return err
	}
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	v := peopleView{Filter: filterOf(t, c, q, q.Scopes)}
	if v.Rows, err = s.personRows(r.Context(), t, ps); err != nil {
		return err
	}
	v.Filter.Pager = pagerOf(r, q.Offset, q.Limit, len(ps), total)
	return s.page(w, r, c, http.StatusOK, "people", c.T("ui.people.title"), v)
}

// grantView is a role with the places where it is held, and what it allows.
type grantView struct {
	Role    units.Role
	Places  []placeView
	Actions []access.Action
}

type placeView struct {
	Code string
	Name string
}

type personView struct {
	Person units.Person
	Place  string
	Office *units.Office
	Roles  []grantView
	// Lock is the person's standing against the sign-in lock-out, shown
	// only to one who may act on the person (and so clear it).
	Lock     *store.SignInLock
	Minutes  int
	Unlocked bool // the lock was just cleared
}

func (s *Server) uiPerson(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := s.visiblePerson(ctx, c, id)
	if err != nil {
		return err
	}
	if err := c.Require(access.ReadPeople, p.UnitCode); err != nil {
		return err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	v := personView{Person: p, Place: place(t, c, p.UnitCode), Roles: grantsOf(t, c, p.Grants),
		Minutes: int(auth.Window / time.Minute), Unlocked: r.URL.Query().Get("done") == "unlocked"}
	if mayActOn(c, p) == nil {
		l, err := s.signInLock(ctx, p)
		if err != nil {
			return err
		}
		v.Lock = &l
	}
	if p.OfficeID != 0 {
		o, err := s.db.Office(ctx, p.OfficeID)
		if err != nil {
			return err
		}
		v.Office = &o
	}
	return s.page(w, r, c, http.StatusOK, "person", p.Name, v)
}

// grantsOf groups grants by role, in the order of units.Roles.
func grantsOf(t *units.Tree, c *Ctx, gs []units.Grant) []grantView {
	var out []grantView
	for _, role := range units.Roles {
		gv := grantView{Role: role}
		for _, g := range gs {
			if g.Role == role {
				gv.Places = append(gv.Places, placeView{Code: g.UnitCode, Name: place(t, c, g.UnitCode)})
			}
		}
		if len(gv.Places) == 0 {
			continue
		}
		for _, a := range sortedActions() {
			for _, r := range access.Actions()[a] {
				if r == role {
					gv.Actions = append(gv.Actions, a)
				}
			}
		}
		out = append(out, gv)
	}
	return out
}

// actionOrder is the order in which rights are explained: reading before
// writing, the common before the rare.
var actionOrder = []access.Action{access.ReadUnits, access.ReadOffices, access.ReadPeople,
	access.ReadDemands, access.IssueDemands, access.ReviewDemands, access.ReadInbox, access.ActInbox, access.EditPolicy,
	access.WriteOffices, access.WritePeople, access.ReadAudit, access.ImportUnits}

// sortedActions lists every action in display order; any action not in
// actionOrder comes last, by name.
func sortedActions() []access.Action {
	out := slices.Clone(actionOrder)
	var rest []string
	for a := range access.Actions() {
		if !slices.Contains(out, a) {
			rest = append(rest, string(a))
		}
	}
	slices.Sort(rest)
	for _, a := range rest {
		out = append(out, access.Action(a))
	}
	return out
}

// uiLang remembers a language choice and goes back to the page it was
// made on.
func (s *Server) uiLang(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	l, ok := i18n.Parse(r.PathValue("lang"))
	if !ok {
		return errorf(CodeNotFound, "error.not_found")
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}

// uiClearSignInLock clears a person's sign-in lock-out from their page, for
// one whose scope covers every grant of the person; audited.
func (s *Server) uiClearSignInLock(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if _, err := s.clearSignInLock(r.Context(), c, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/people/"+itoa64(id)+"?done=unlocked#signin-lock", http.StatusSeeOther)
	return nil
}
