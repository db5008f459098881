package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/i18n"
	"lighten/internal/units"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/*.css static/*.js static/*.svg
var staticFiles embed.FS

// uiRoutes are the pages people use. Pages that need a person send the
// public to the sign-in page (see fail).
func (s *Server) uiRoutes() []*route {
	routes := []*route{
		{Method: "GET", Pattern: "/{$}", Summary: "Home page", h: s.uiHome},
		{Method: "GET", Pattern: "/units", Action: access.ReadUnits, Summary: "Unit tree and search", h: s.uiUnits},
		{Method: "GET", Pattern: "/units/{code}", Action: access.ReadUnits, Summary: "One unit", h: s.uiUnit},
		{Method: "GET", Pattern: "/units/{code}/children", Action: access.ReadUnits, Summary: "A page of a unit's children (htmx fragment)", h: s.uiChildren},
		{Method: "GET", Pattern: "/search", Action: access.ReadUnits, Summary: "Unit search results (htmx fragment)", h: s.uiSearch},
		{Method: "GET", Pattern: "/offices", Auth: signedIn, Action: access.ReadOffices, Summary: "Offices within my scope", h: s.uiOffices},
		{Method: "GET", Pattern: "/people", Auth: signedIn, Action: access.ReadPeople, Summary: "People within my scope", h: s.uiPeople},
		{Method: "GET", Pattern: "/people/{id}", Auth: signedIn, Action: access.ReadPeople, Summary: "One person", h: s.uiPerson},
		{Method: "POST", Pattern: "/people/{id}/signin-lock/clear", Auth: signedIn, Action: access.WritePeople,
			Summary: "Clear a person's sign-in lock-out", h: s.uiClearSignInLock},
		{Method: "GET", Pattern: "/me", Auth: signedIn, Summary: "Who I am and what I may do", h: s.uiMe},
		{Method: "POST", Pattern: "/me/tokens", Auth: signedIn, Summary: "Create an API token", h: s.uiCreateToken},
		{Method: "POST", Pattern: "/me/tokens/{id}/revoke", Auth: signedIn, Summary: "Revoke an API token", h: s.uiRevokeToken},
		{Method: "POST", Pattern: "/me/password", Auth: signedIn, Summary: "Change my password", h: s.uiPassword},
		{Method: "GET", Pattern: "/signin", Summary: "Sign-in form", h: s.uiSignInForm},
		{Method: "POST", Pattern: "/signin", Summary: "Sign in", h: s.uiSignIn},
		{Method: "POST", Pattern: "/signout", Summary: "Sign out", h: s.uiSignOut},
		{Method: "GET", Pattern: "/lang/{lang}", Summary: "Choose the language", h: s.uiLang},
		{Method: "GET", Pattern: "/static/{file}", Summary: "Embedded assets, named by checksum", h: s.uiStatic},
	}
	routes = append(routes, s.gateUIRoutes()...)
	routes = append(routes, s.dutyUIRoutes()...)
	routes = append(routes, s.collectUIRoutes()...)
	routes = append(routes, s.drawUIRoutes()...)
	routes = append(routes, s.visitUIRoutes()...)
	routes = append(routes, s.auditUIRoutes()...)
	// Anything else is a page that does not exist, shown as such.
	return append(routes, &route{Method: "GET", Pattern: "/", Summary: "Not found", h: s.uiNotFound})
}

// fail shows an error page in the request's language, or sends the public
// to the sign-in page when a page needs a person.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		// The cross-origin guard reaches API routes through fail too.
		s.writeError(w, r, err)
		return
	}
	e := asError(err)
	if e.Code == CodeInternal || e.Code == CodeUnavailable {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	setRetryAfter(w, e)
	if e.Code == CodeUnauthorized && r.Method == http.MethodGet {
		to := signInURL(here(r))
		if r.Header.Get("HX-Request") != "" {
			// htmx would swap the sign-in page into a fragment.
			w.Header().Set("HX-Redirect", to)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	// When the asker cannot be resolved, c is the public: enough for an
	// error page.
	c, _ := s.context(r)
	v := errorView{Status: e.Status(), Code: e.Code, Message: e.Message.In(c.Lang)}
	if rerr := s.page(w, r, c, e.Status(), "error", c.T("ui.error.title", e.Status()), v); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, e.Message.In(c.Lang), e.Status())
	}
}

type errorView struct {
	Status  int
	Code    string
	Message string
}

func (s *Server) uiNotFound(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return errorf(CodeNotFound, "error.not_found")
}

// uiPage is what the layout needs, around one page's own data in D.
type uiPage struct {
	Lang     i18n.Lang
	HTMLLang string
	Title    string
	Nav      string // the page's entry in the navigation
	Person   units.Person
	SignedIn bool
	Offices  bool   // the person may list offices somewhere
	People   bool   // the person may list people somewhere
	Demands  bool   // the person may see or issue demands somewhere
	Review   bool   // the person reviews demands somewhere
	Inbox    string // the inbox of the unit where the person is a cadre
	Duties   string // the duty list that concerns the person, or the duty figures
	Refusals bool   // the person decides "not ours" refusals somewhere
	Escalate bool   // the person raises, answers or sees escalations
	Elements bool   // the person proposes or decides dictionary elements
	Plans    bool   // the person plans inspections or reads plans
	Register bool   // the person keeps the inspector register and runs the scheduler
	Visits   bool   // the person is an inspector
	Audit    bool   // the person reads the audit log somewhere
	Here     string
	D        any
	p        access.Principal
}

// May reports whether the person may do an action at a unit, for links
// that only some may follow.
func (p uiPage) May(action, code string) bool { return p.p.Can(access.Action(action), code) }

// myInbox is the inbox of the first unit where a person holds the cadre
// role: the one they work from.
func myInbox(p units.Person) string {
	for _, g := range p.Grants {
		if g.Role == units.RoleCadre && g.UnitCode != "" {
			return "/units/" + g.UnitCode + "/inbox"
		}
	}
	return ""
}

// myDuties is the duty list of the township or village where a person is a
// cadre, or for those who read demands, the duty figures.
func myDuties(c *Ctx) string {
	for _, g := range c.Person.Grants {
		if l, ok := units.LevelOfCode(g.UnitCode); g.Role == units.RoleCadre && ok && hasDutyList(l) {
			return "/units/" + g.UnitCode + "/duties"
		}
	}
	if c.P.CanSomewhere(access.ReadDemands) {
		return "/duties/stats"
	}
	return ""
}

// page renders a full page. It renders into a buffer first, so that a
// template error becomes an error page and not half a page.
func (s *Server) page(w http.ResponseWriter, r *http.Request, c *Ctx, status int, name, title string, data any) error {
	set, ok := uiTemplates.pages[c.Lang][name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	v := uiPage{
		Lang: c.Lang, HTMLLang: htmlLang(c.Lang), Title: title, Nav: name, Person: c.Person, SignedIn: c.P.SignedIn(),
		Offices: c.P.CanSomewhere(access.ReadOffices), People: c.P.CanSomewhere(access.ReadPeople), Here: here(r), D: data,
		Demands: c.P.CanSomewhere(access.ReadDemands) || c.P.CanSomewhere(access.IssueDemands),
		Review:  c.P.CanSomewhere(access.ReviewDemands), Inbox: myInbox(c.Person), p: c.P,
		Duties: myDuties(c), Refusals: c.P.CanSomewhere(access.ReviewDemands),
		Escalate: c.P.SignedIn() && (c.P.CanSomewhere(access.ReadInbox) || c.Person.OfficeID != 0),
		Elements: c.P.CanSomewhere(access.IssueDemands) || c.P.CanSomewhere(access.ReviewDemands),
		Plans:    c.P.CanSomewhere(access.PlanVisits) || c.P.CanSomewhere(access.ScheduleVisits),
		Register: c.P.CanSomewhere(access.ScheduleVisits), Visits: c.P.CanSomewhere(access.FieldVisits),
		Audit: c.P.CanSomewhere(access.ReadAudit),
	}
	var buf bytes.Buffer
	if err := set.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render page %s: %w", name, err)
	}
	writeHTML(w, c.Lang, status, buf.Bytes())
	return nil
}

// fragment renders a piece of a page for htmx.
func (s *Server) fragment(w http.ResponseWriter, c *Ctx, name string, data any) error {
	var buf bytes.Buffer
	if err := uiTemplates.fragments[c.Lang].ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render fragment %s: %w", name, err)
	}
	w.Header().Set("Vary", "HX-Request")
	writeHTML(w, c.Lang, http.StatusOK, buf.Bytes())
	return nil
}

func writeHTML(w http.ResponseWriter, lang i18n.Lang, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", htmlLang(lang))
	// Pages carry the person's name and scope; no cache may keep them.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	w.WriteHeader(status)
	w.Write(body)
}

func htmlLang(l i18n.Lang) string {
	if l == i18n.ZH {
		return "zh-CN"
	}
	return "en"
}

// here is the request's address without a language choice in the query,
// where the language switch returns to. A form's answer returns to the
// page that holds the form.
func here(r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		switch {
		case strings.HasPrefix(r.URL.Path, "/me"):
			return "/me"
		case r.URL.Path == "/signin":
			return "/signin"
		case strings.HasPrefix(r.URL.Path, "/policy/"):
			return r.URL.Path
		case strings.HasPrefix(r.URL.Path, "/units/"):
			// An inbox's "done" and "not ours" forms: back to the inbox.
			if i := strings.Index(r.URL.Path, "/inbox"); i > 0 {
				return r.URL.Path[:i+len("/inbox")]
			}
			// A duty list's upload and a report's forms: back to their page.
			if strings.HasSuffix(r.URL.Path, "/duties") {
				return r.URL.Path
			}
			if i := strings.Index(r.URL.Path, "/reports/"); i > 0 {
				return strings.TrimSuffix(r.URL.Path, "/upload")
			}
		case strings.HasPrefix(r.URL.Path, "/refusals"):
			return "/refusals"
		case strings.HasPrefix(r.URL.Path, "/escalations"):
			return "/escalations"
		case strings.HasPrefix(r.URL.Path, "/elements"):
			return "/elements"
		case strings.HasPrefix(r.URL.Path, "/plans/"):
			rest := strings.TrimPrefix(r.URL.Path, "/plans/")
			id, _, _ := strings.Cut(rest, "/")
			return "/plans/" + id
		case r.URL.Path == "/plans" || r.URL.Path == "/schedule" || r.URL.Path == "/visits":
			return r.URL.Path
		case strings.HasPrefix(r.URL.Path, "/inspectors"):
			return "/inspectors"
		case strings.HasPrefix(r.URL.Path, "/visits/"):
			rest := strings.TrimPrefix(r.URL.Path, "/visits/")
			id, _, _ := strings.Cut(rest, "/")
			if strings.HasSuffix(r.URL.Path, "/start") {
				return "/visits"
			}
			return "/visits/" + id
		case strings.HasPrefix(r.URL.Path, "/draws/"):
			rest := strings.TrimPrefix(r.URL.Path, "/draws/")
			id, _, _ := strings.Cut(rest, "/")
			return "/draws/" + id
		case r.URL.Path == "/demands" || r.URL.Path == "/demands/check":
			return "/demands/new"
		case strings.HasPrefix(r.URL.Path, "/demands/"):
			// A demand's forms: back to the demand.
			rest := strings.TrimPrefix(r.URL.Path, "/demands/")
			id, _, _ := strings.Cut(rest, "/")
			return "/demands/" + id
		}
		return "/"
	}
	u := *r.URL
	q := u.Query()
	if q.Has("lang") {
		q.Del("lang")
		u.RawQuery = q.Encode()
	}
	return u.RequestURI()
}

// localPath accepts only a path on this server, so that a link cannot send
// a person elsewhere after signing in.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// Templates: one set per language, so that t needs no language argument.

type templateSets struct {
	pages     map[i18n.Lang]map[string]*template.Template
	fragments map[i18n.Lang]*template.Template
}

var uiTemplates = mustTemplates()

func mustTemplates() templateSets {
	ts, err := loadTemplates(templateFiles)
	if err != nil {
		panic(err)
	}
	return ts
}

// Files named _*.html hold shared pieces and fragments; layout.html the
// frame; every other file is a page defining "content".
func loadTemplates(fsys fs.FS) (templateSets, error) {
	ts := templateSets{pages: map[i18n.Lang]map[string]*template.Template{}, fragments: map[i18n.Lang]*template.Template{}}
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return ts, err
	}
	var shared, pages []string
	for _, n := range names {
		b := path.Base(n)
		if b == "layout.html" || strings.HasPrefix(b, "_") {
			shared = append(shared, n)
		} else {
			pages = append(pages, n)
		}
	}
	for _, l := range i18n.Langs {
		base, err := template.New("").Funcs(uiFuncs(l)).ParseFS(fsys, shared...)
		if err != nil {
			return ts, fmt.Errorf("templates: %w", err)
		}
		ts.pages[l] = map[string]*template.Template{}
		for _, p := range pages {
			set, err := template.Must(base.Clone()).ParseFS(fsys, p)
			if err != nil {
				return ts, fmt.Errorf("templates: %w", err)
			}
			ts.pages[l][strings.TrimSuffix(path.Base(p), ".html")] = set
		}
		if ts.fragments[l], err = base.Clone(); err != nil {
			return ts, err
		}
	}
	return ts, nil
}

// uiFuncs are the template functions for one language. t takes a literal
// catalogue key (ui_strings_test.go checks every one); the others name
// levels, roles and actions through keys built in keyOf* below.
func uiFuncs(l i18n.Lang) template.FuncMap {
	return template.FuncMap{
		"t":         func(key string, args ...any) string { return i18n.T(l, key, args...) },
		"level":     func(v units.Level) string { return i18n.T(l, keyOfLevel(v)) },
		"role":      func(r units.Role) string { return i18n.T(l, keyOfRole(r)) },
		"roleAbout": func(r units.Role) string { return i18n.T(l, keyOfRole(r)+".about") },
		"action":    func(a access.Action) string { return i18n.T(l, keyOfAction(a)) },
		"asset":     assetURL,
		"num":       formatNumber,
		"date":      func(t time.Time) string { return t.Format("2006-01-02") },
		"officeName": func(o units.Office) string {
			if l == i18n.EN && o.NameEN != "" {
				return o.NameEN
			}
			return o.Name
		},
	}
}

func keyOfLevel(v units.Level) string    { return "ui.level." + v.String() }
func keyOfRole(r units.Role) string      { return "ui.role." + string(r) }
func keyOfAction(a access.Action) string { return "ui.action." + string(a) }

// formatNumber groups digits by thousands: 665,276.
func formatNumber(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Assets: each embedded file is served under a name carrying a checksum of
// its content (app.3f9c2a71d0e4.css), so that caches may keep it forever and
// a changed file is fetched under its new name.

type asset struct {
	ctype string
	body  []byte
}

var assets, assetNames = loadAssets(staticFiles)

func loadAssets(fsys fs.FS) (byURL map[string]asset, byName map[string]string) {
	byURL, byName = map[string]asset{}, map[string]string{}
	names, _ := fs.Glob(fsys, "static/*")
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		base := path.Base(n)
		ext := path.Ext(base)
		hashed := strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		byURL[hashed] = asset{ctype: ctype, body: b}
		byName[base] = "/static/" + hashed
	}
	return byURL, byName
}

// assetURL is the address of an embedded file by its plain name.
func assetURL(name string) (string, error) {
	u, ok := assetNames[name]
	if !ok {
		return "", fmt.Errorf("no asset %q", name)
	}
	return u, nil
}

func (s *Server) uiStatic(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	a, ok := assets[r.PathValue("file")]
	if !ok {
		return errorf(CodeNotFound, "error.not_found")
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(a.body)
	}
	return nil
}
