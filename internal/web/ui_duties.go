package web

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// dutyUIRoutes are the pages of duty lists, "not ours", escalations and the
// duty figures. Each handler checks what the API handler of the same thing
// checks.
func (s *Server) dutyUIRoutes() []*route {
	return []*route{
		{Method: "GET", Pattern: "/units/{code}/duties", Action: access.ReadUnits, Summary: "The duty list in force for a unit", h: s.uiDuties},
		{Method: "GET", Pattern: "/units/{code}/duties.xlsx", Action: access.ReadUnits, Summary: "The duty list in force as a workbook", h: s.uiDutiesXLSX},
		{Method: "POST", Pattern: "/units/{code}/duties", Auth: signedIn, Action: access.EditDuties, Summary: "Upload a new version of a duty list", h: s.uiSaveDuties},
		{Method: "GET", Pattern: "/units/{code}/inbox/{id}/refuse", Auth: signedIn, Action: access.ActInbox, Summary: "The form of a \"not ours\" refusal", h: s.uiRefuseForm},
		{Method: "POST", Pattern: "/units/{code}/inbox/{id}/refuse", Auth: signedIn, Action: access.ActInbox, Summary: "Refuse a demand as not the unit's duty", h: s.uiRefuse},
		{Method: "GET", Pattern: "/refusals", Auth: signedIn, Action: access.ReviewDemands, Summary: "Refusals to decide", h: s.uiRefusals},
		{Method: "POST", Pattern: "/refusals/{id}/decision", Auth: signedIn, Action: access.ReviewDemands, Summary: "Uphold or overturn a refusal", h: s.uiDecideRefusal},
		{Method: "GET", Pattern: "/escalations", Auth: signedIn, Summary: "Escalations within my scope or summoning my office", h: s.uiEscalations},
		{Method: "POST", Pattern: "/escalations", Auth: signedIn, Action: access.ActInbox, Summary: "A township summons offices above it", h: s.uiEscalate},
		{Method: "POST", Pattern: "/escalations/{id}/ack", Auth: signedIn, Summary: "My office acknowledges an escalation", h: s.uiAnswer(false)},
		{Method: "POST", Pattern: "/escalations/{id}/respond", Auth: signedIn, Summary: "My office responds to an escalation", h: s.uiAnswer(true)},
		{Method: "GET", Pattern: "/duties/stats", Auth: signedIn, Action: access.ReadDemands, Summary: "Duty figures", h: s.uiDutyStats},
	}
}

// HasDuties reports whether a unit has a duty list: townships and villages.
func (v unitPage) HasDuties() bool { return hasDutyList(v.Unit.Level) }

func hasDutyList(l units.Level) bool { return l == units.Township || l == units.Village }

// matterName is a matter's name in the request's language.
func matterName(c *Ctx, m duties.Matter) string {
	if c.Lang == i18n.EN && m.NameEN != "" {
		return m.NameEN
	}
	return m.Name
}

// ownerPlace names the office level whose list set a matter: "" is the
// country.
func ownerPlace(t *units.Tree, c *Ctx, owner string) string {
	if owner == "" {
		return c.T("ui.country")
	}
	return unitName(t, owner)
}

// The duty list page.

type dutyMatterView struct {
	Code      string
	Name      string
	Basis     string
	Lead      string
	Owner     string
	OwnerCode string
}

type dutyVersionView struct {
	Owner     string
	OwnerCode string
	Level     units.Level
	Version   int
	Effective string
	Matters   int
	Note      string
}

// dutyUpload is the form that saves a new version from a workbook.
type dutyUpload struct {
	Owners    []option
	Levels    []option
	Effective string
	Note      string
	Errs      []string
}

type dutiesPage struct {
	Code     string
	Name     string
	Place    string
	Level    units.Level
	HasList  bool
	Date     string
	Today    bool
	Own      []dutyMatterView
	Assist   []dutyMatterView
	Negative []dutyMatterView
	Versions []dutyVersionView
	Sheet    string
	Upload   *dutyUpload
	Done     string
	Error    string
}

func (s *Server) dutiesPageOf(ctx context.Context, c *Ctx, t *units.Tree, u units.Unit, day time.Time) (dutiesPage, error) {
	v := dutiesPage{Code: u.Code, Name: u.Name, Place: place(t, c, u.Code), Level: u.Level, HasList: hasDutyList(u.Level),
		Date: day.Format("2006-01-02"), Today: day.Equal(today(s.db.Now()))}
	v.Sheet = "/units/" + u.Code + "/duties.xlsx"
	if !v.Today {
		v.Sheet += "?date=" + v.Date
	}
	version := func(l *duties.List) dutyVersionView {
		code := l.Owner
		if code == "" {
			code = "0"
		}
		return dutyVersionView{Owner: ownerPlace(t, c, l.Owner), OwnerCode: code, Level: l.Level, Version: l.Version,
			Effective: chinaDay(l.Effective), Matters: len(l.Matters), Note: l.Note}
	}
	if v.HasList {
		dv, err := s.dutyView(ctx, t, u, day)
		if err != nil {
			return v, err
		}
		for _, m := range dv.Matters {
			mv := dutyMatterView{Code: m.Code, Name: matterName(c, m.Matter), Basis: m.Basis, Lead: m.Lead, Owner: ownerPlace(t, c, m.Owner), OwnerCode: m.Owner}
			switch m.Category {
			case duties.Own:
				v.Own = append(v.Own, mv)
			case duties.Assist:
				v.Assist = append(v.Assist, mv)
			default:
				v.Negative = append(v.Negative, mv)
			}
		}
		for _, l := range dv.Lists {
			v.Versions = append(v.Versions, version(l))
		}
	} else {
		// Above the townships a unit's page lists the versions its own
		// office set for the levels below.
		code := u.Code
		lists, err := s.db.DutyLists(ctx, &code)
		if err != nil {
			return v, err
		}
		for _, l := range lists {
			v.Versions = append(v.Versions, version(l))
		}
	}
	v.Upload = dutyUploadOf(t, c, u, "", "")
	return v, nil
}

// dutyUploadOf is the upload form for the offices above (or at) the unit
// whose lists the person may set, or nil when there are none.
func dutyUploadOf(t *units.Tree, c *Ctx, u units.Unit, owner, level string) *dutyUpload {
	var owners []option
	candidates := []string{""}
	for _, p := range t.Path(u.Code) {
		if p.Level < units.Village {
			candidates = append(candidates, p.Code)
		}
	}
	for _, code := range candidates {
		if !c.P.Can(access.EditDuties, code) {
			continue
		}
		value := code
		if value == "" {
			value = "0"
		}
		owners = append(owners, option{Code: value, Label: place(t, c, code)})
	}
	if len(owners) == 0 {
		return nil
	}
	// The nearest office above the unit is the likeliest to adjust its
	// list; a township sets only its villages' lists.
	chosen := len(owners) - 1
	for i, o := range owners {
		if l, _ := units.LevelOfCode(o.Code); o.Code == "0" || l < u.Level {
			chosen = i
		}
	}
	for i, o := range owners {
		if o.Code == owner {
			chosen = i
		}
	}
	owners[chosen].Selected = true
	if level == "" {
		level = units.Township.String()
		if u.Level == units.Village {
			level = units.Village.String()
		}
	}
	up := &dutyUpload{Owners: owners}
	for _, l := range []units.Level{units.Township, units.Village} {
		up.Levels = append(up.Levels, option{Code: l.String(), Label: c.T(keyOfLevel(l)), Selected: l.String() == level})
	}
	return up
}

// dutyUnit reads the unit of a duty page and the day asked for.
func (s *Server) dutyUnit(r *http.Request, c *Ctx) (*units.Tree, units.Unit, time.Time, error) {
	t, err := c.Tree(r.Context())
	if err != nil {
		return nil, units.Unit{}, time.Time{}, err
	}
	code, err := knownCode(t, "code", r.PathValue("code"))
	if err != nil {
		return nil, units.Unit{}, time.Time{}, err
	}
	day, err := dateParam(r, "date", today(s.db.Now()))
	if err != nil {
		return nil, units.Unit{}, time.Time{}, err
	}
	u, _ := t.Get(code)
	return t, u, day, nil
}

func (s *Server) uiDuties(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, u, day, err := s.dutyUnit(r, c)
	if err != nil {
		return err
	}
	v, err := s.dutiesPageOf(r.Context(), c, t, u, day)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Done = c.T("ui.duties.saved")
	}
	if r.URL.Query().Get("error") == "file" && v.Upload != nil {
		v.Upload.Errs = []string{c.T("ui.duties.no_file")}
	}
	return s.page(w, r, c, http.StatusOK, "duties", c.T("ui.duties.title", u.Name), v)
}

func (s *Server) uiDutiesXLSX(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, u, day, err := s.dutyUnit(r, c)
	if err != nil {
		return err
	}
	if !hasDutyList(u.Level) {
		return errorf(CodeNotFound, "error.not_found")
	}
	dv, err := s.dutyView(r.Context(), t, u, day)
	if err != nil {
		return err
	}
	matters := make([]duties.Matter, 0, len(dv.Matters))
	for _, m := range dv.Matters {
		matters = append(matters, m.Matter)
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=duties-%s-%s.xlsx", u.Code, day.Format("2006-01-02")))
	h.Set("Cache-Control", "no-store")
	return duties.WriteXLSX(w, matters)
}

// dutyFileError says in the page's language what is wrong with an
// uploaded list; errors that are not the uploader's to fix are returned.
func dutyFileError(c *Ctx, err error) (string, error) {
	var se *duties.SheetError
	var p *duties.Problem
	switch {
	case errors.As(err, &se) && se.Row > 0:
		return se.Message().In(c.Lang), nil
	case errors.As(err, &se):
		return c.T("ui.duties.workbook_error", se.Message().In(c.Lang)), nil
	case errors.As(err, &p):
		return asError(dutyError(err)).Message.In(c.Lang), nil
	}
	var e *Error
	if errors.As(gateError(err), &e) && e.Code == CodeInvalid {
		return e.Message.In(c.Lang), nil
	}
	return "", err
}

func (s *Server) uiSaveDuties(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	t, u, day, err := s.dutyUnit(r, c)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, duties.MaxXLSX+maxForm)
	perr := r.ParseMultipartForm(1 << 20)
	if perr != nil && !errors.Is(perr, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(perr, &mbe) {
			return errorf(CodeTooLarge, "error.too_large", duties.MaxXLSX)
		}
		return errorf(CodeInvalid, "ui.form.bad")
	}
	if err := checkForm(r); err != nil {
		return err
	}
	owner, err := ownerParam(t, "owner", r.PostFormValue("owner"))
	if err != nil {
		return err
	}
	if err := c.Require(access.EditDuties, owner); err != nil {
		return err
	}
	if owner != "" && !units.Contains(owner, u.Code) {
		// A list set here must apply to the unit whose page this is.
		return invalid("owner", "ui.duties.bad_owner", owner)
	}
	again := func(status int, msg string) error {
		v, err := s.dutiesPageOf(ctx, c, t, u, day)
		if err != nil {
			return err
		}
		v.Upload = dutyUploadOf(t, c, u, r.PostFormValue("owner"), r.PostFormValue("level"))
		if v.Upload == nil {
			return errorf(CodeForbidden, "error.forbidden", placeName(owner), string(access.EditDuties))
		}
		v.Upload.Effective, v.Upload.Note, v.Upload.Errs = r.PostFormValue("effective"), r.PostFormValue("note"), []string{msg}
		return s.page(w, r, c, status, "duties", c.T("ui.duties.title", u.Name), v)
	}
	level, err := units.ParseLevel(r.PostFormValue("level"))
	if err != nil || !hasDutyList(level) {
		return again(http.StatusBadRequest, c.T("ui.duties.bad_level"))
	}
	if ol, _ := units.LevelOfCode(owner); owner != "" && ol >= level {
		return again(http.StatusBadRequest, asError(invalid("level", "gate.error.level_not_below", level.String(), owner)).Message.In(c.Lang))
	}
	typed := strings.TrimSpace(r.PostFormValue("effective"))
	eff, err := time.ParseInLocation("2006-01-02", typed, gate.China)
	if err != nil {
		return again(http.StatusBadRequest, c.T("ui.gate.error.date", typed))
	}
	var fh *multipart.FileHeader
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 && fhs[0].Size > 0 {
			fh = fhs[0]
		}
	}
	if fh == nil {
		// Nothing chosen to upload: back to the form, which says so.
		http.Redirect(w, r, "/units/"+u.Code+"/duties?error=file#upload", http.StatusSeeOther)
		return nil
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	matters, err := duties.ReadXLSXContext(ctx, f)
	if err == nil {
		l := &duties.List{Owner: owner, Level: level, Effective: eff, Matters: matters, Note: strings.TrimSpace(r.PostFormValue("note"))}
		err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.SaveDutyList(ctx, l) })
	}
	if err != nil {
		msg, err := dutyFileError(c, err)
		if err != nil {
			return err
		}
		return again(http.StatusBadRequest, msg)
	}
	http.Redirect(w, r, "/units/"+u.Code+"/duties?done=saved&date="+eff.Format("2006-01-02"), http.StatusSeeOther)
	return nil
}

// "Not ours" from the inbox.

type matterGroup struct {
	Label   string
	Options []option
}

type refuseView struct {
	Code      string
	UnitName  string
	ID        int64
	Title     string
	Office    string
	When      string
	Matter    string // the demand's own matter
	None      bool   // "on no list of ours" is chosen
	Groups    []matterGroup
	Reason    string
	MatterErr string
	ReasonErr string
	Status    string // the refusal already made, if any
	Inbox     string
}

// inboxItem finds an item of a unit's inbox after checking the right a.
func (s *Server) inboxItem(ctx context.Context, c *Ctx, code string, id int64, a access.Action) (units.Unit, store.InboxItem, error) {
	t, err := c.Tree(ctx)
	if err != nil {
		return units.Unit{}, store.InboxItem{}, err
	}
	if _, err := knownCode(t, "code", code); err != nil {
		return units.Unit{}, store.InboxItem{}, err
	}
	if err := c.Require(a, code); err != nil {
		return units.Unit{}, store.InboxItem{}, err
	}
	u, _ := t.Get(code)
	items, err := s.db.Inbox(ctx, u, time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return u, store.InboxItem{}, err
	}
	for _, it := range items {
		if it.Demand.ID == id {
			return u, it, nil
		}
	}
	return u, store.InboxItem{}, errorf(CodeNotFound, "error.not_found")
}

var categoryKeys = map[duties.Category]string{
	duties.Own: "ui.duties.own", duties.Assist: "ui.duties.assist", duties.Negative: "ui.duties.negative",
}

// refusalKeys name a refusal's status in the burden office's queue;
// inboxRefusalKeys say it to the unit that refused.
var (
	refusalKeys = map[string]string{
		"pending": "ui.duties.refusal.pending", "upheld": "ui.duties.refusal.upheld", "overturned": "ui.duties.refusal.overturned",
	}
	inboxRefusalKeys = map[string]string{
		"pending": "ui.duties.refuse.pending", "upheld": "ui.duties.refuse.upheld", "overturned": "ui.duties.refuse.overturned",
	}
)

func refusalClass(status string) string {
	switch status {
	case "upheld":
		return "ok"
	case "overturned":
		return "warn"
	}
	return "review"
}

func (s *Server) refuseViewOf(ctx context.Context, c *Ctx, u units.Unit, it store.InboxItem, chosen string) (refuseView, error) {
	rec := it.Demand
	v := refuseView{Code: u.Code, UnitName: u.Name, ID: rec.ID, Title: rec.Title, Office: rec.OfficeName, When: chinaTime(rec.When()),
		Matter: rec.Matter, Inbox: "/units/" + u.Code + "/inbox"}
	if it.Refusal != "" {
		v.Status = label(c, inboxRefusalKeys, it.Refusal)
	}
	book, err := s.db.DutyBook(ctx)
	if err != nil {
		return v, err
	}
	eff := book.At(u.Code, u.Level, rec.When())
	if chosen == "\x00" {
		// A fresh form cites the negative-list entry the demand's matter is
		// on, if any; otherwise it says the matter is on no list.
		chosen = ""
		if m, ok := eff.Find(rec.Matter); ok && m.Category == duties.Negative {
			chosen = m.Code
		}
	}
	v.None = chosen == ""
	for _, cat := range []duties.Category{duties.Negative, duties.Own, duties.Assist} {
		g := matterGroup{Label: c.T(categoryKeys[cat])}
		for _, m := range eff.Sorted() {
			if m.Category == cat {
				g.Options = append(g.Options, option{Code: m.Code, Label: m.Code + " " + matterName(c, m), Selected: m.Code == chosen})
			}
		}
		if len(g.Options) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	return v, nil
}

func (s *Server) uiRefuseForm(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	u, it, err := s.inboxItem(r.Context(), c, r.PathValue("code"), id, access.ActInbox)
	if err != nil {
		return err
	}
	v, err := s.refuseViewOf(r.Context(), c, u, it, "\x00")
	if err != nil {
		return err
	}
	return s.page(w, r, c, http.StatusOK, "refuse", c.T("ui.duties.refuse.title"), v)
}

func (s *Server) uiRefuse(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		return err
	}
	u, it, err := s.inboxItem(ctx, c, r.PathValue("code"), id, access.ActInbox)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	matter := strings.TrimSpace(r.PostFormValue("matter"))
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	again := func(status int, set func(*refuseView)) error {
		v, err := s.refuseViewOf(ctx, c, u, it, matter)
		if err != nil {
			return err
		}
		v.Reason = r.PostFormValue("reason")
		set(&v)
		return s.page(w, r, c, status, "refuse", c.T("ui.duties.refuse.title"), v)
	}
	if reason == "" {
		return again(http.StatusBadRequest, func(v *refuseView) { v.ReasonErr = c.T("ui.gate.error.reason") })
	}
	rec := it.Demand
	book, err := s.db.DutyBook(ctx)
	if err != nil {
		return err
	}
	eff := book.At(u.Code, u.Level, rec.When())
	if matter != "" {
		if _, ok := eff.Find(matter); !ok {
			return again(http.StatusBadRequest, func(v *refuseView) {
				v.MatterErr = asError(invalid("matter", "error.refuse_matter", matter)).Message.In(c.Lang)
			})
		}
	} else if m, ok := eff.Find(rec.Matter); ok && m.Category != duties.Negative {
		// Citing nothing claims the matter is on no list of the unit.
		return again(http.StatusBadRequest, func(v *refuseView) {
			v.MatterErr = asError(invalid("matter", "error.refuse_listed", rec.Matter)).Message.In(c.Lang)
		})
	}
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		_, err := tx.Refuse(ctx, rec, u.Code, matter, reason)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return again(http.StatusConflict, func(v *refuseView) {
			if v.Status == "" {
				v.Status = c.T("ui.duties.refuse.pending")
			}
		})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/units/%s/inbox?refused=%d#d%d", u.Code, id, id), http.StatusSeeOther)
	return nil
}

// The refusals queue.

type refusalRow struct {
	ID          int64
	DemandID    int64
	Title       string
	Office      string
	Unit        string
	UnitCode    string
	Matter      string
	Reason      string
	Created     string
	Status      string
	StatusClass string
	Decision    string
	Decided     string
	Typed       string
	Err         string
}

type refusalsView struct {
	Pending []refusalRow
	Decided []refusalRow
	More    int // decided refusals not shown
	Done    string
	Error   string
	ErrorAt *errorAt // the form the error concerns, linked from the top
	Stats   bool
}

// refusalsShown bounds the decided refusals listed below the queue.
const refusalsShown = 50

func (s *Server) refusalsView(ctx context.Context, c *Ctx) (refusalsView, error) {
	v := refusalsView{Stats: c.P.CanSomewhere(access.ReadDemands)}
	scopes := c.P.Scopes(access.ReviewDemands)
	if len(scopes) == 0 {
		return v, c.Require(access.ReviewDemands, c.Person.UnitCode)
	}
	list, err := s.db.Refusals(ctx, scopes, "")
	if err != nil {
		return v, err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return v, err
	}
	book, err := s.db.DutyBook(ctx)
	if err != nil {
		return v, err
	}
	day := today(s.db.Now())
	for _, ref := range list {
		row := refusalRow{ID: ref.ID, DemandID: ref.DemandID, Title: ref.DemandTitle, Office: ref.OfficeName, Unit: place(t, c, ref.Unit),
			UnitCode: ref.Unit, Reason: ref.Reason, Created: chinaTime(ref.Created), Status: label(c, refusalKeys, ref.Status),
			StatusClass: refusalClass(ref.Status), Decision: ref.Decision}
		row.Matter = c.T("ui.duties.refuse.none")
		if ref.Matter != "" {
			row.Matter = ref.Matter
			if u, ok := t.Get(ref.Unit); ok {
				if m, ok := book.At(u.Code, u.Level, day).Find(ref.Matter); ok {
					row.Matter = c.T("ui.duties.cited", m.Code, matterName(c, m), c.T(categoryKeys[m.Category]))
				}
			}
		}
		if ref.Decided != nil {
			row.Decided = chinaTime(*ref.Decided)
		}
		if ref.Status == "pending" {
			v.Pending = append(v.Pending, row)
		} else if len(v.Decided) < refusalsShown {
			v.Decided = append(v.Decided, row)
		} else {
			v.More++
		}
	}
	return v, nil
}

func (s *Server) uiRefusals(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := s.refusalsView(r.Context(), c)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "upheld":
		v.Done = c.T("ui.duties.refusal.done_upheld")
	case "overturned":
		v.Done = c.T("ui.duties.refusal.done_overturned")
	}
	return s.page(w, r, c, http.StatusOK, "refusals", c.T("ui.duties.refusals.title"), v)
}

func (s *Server) uiDecideRefusal(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ref, err := s.db.RefusalByID(ctx, id)
	if err != nil {
		return err
	}
	if !c.P.Can(access.ReviewDemands, ref.Unit) && !c.P.Can(access.ReadInbox, ref.Unit) {
		return errorf(CodeNotFound, "error.not_found")
	}
	if err := c.Require(access.ReviewDemands, ref.Unit); err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	again := func(status int, msg string) error {
		v, err := s.refusalsView(ctx, c)
		if err != nil {
			return err
		}
		v.Error = msg
		for i := range v.Pending {
			if v.Pending[i].ID == id {
				v.Pending[i].Err, v.Pending[i].Typed = msg, r.PostFormValue("reason")
				v.ErrorAt = &errorAt{Href: "#reason-" + itoa64(id), Title: v.Pending[i].Title}
			}
		}
		return s.page(w, r, c, status, "refusals", c.T("ui.duties.refusals.title"), v)
	}
	var uphold bool
	switch r.PostFormValue("decision") {
	case "uphold":
		uphold = true
	case "overturn":
	default:
		return again(http.StatusBadRequest, c.T("ui.duties.refusal.choose"))
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return again(http.StatusBadRequest, c.T("ui.gate.error.reason"))
	}
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.DecideRefusal(ctx, ref, uphold, reason) }); err != nil {
		e := asError(gateError(err))
		if e.Code == CodeInternal || e.Code == CodeUnavailable {
			return err
		}
		return again(e.Status(), e.Message.In(c.Lang))
	}
	done := "overturned"
	if uphold {
		done = "upheld"
	}
	http.Redirect(w, r, "/refusals?done="+done, http.StatusSeeOther)
	return nil
}

// Escalations.

type callView struct {
	OfficeID  int64
	Office    string
	Acked     string
	Responded string
	Response  string
	AckLate   bool
	RespLate  bool
	CanAck    bool
	CanAnswer bool
	Typed     string
	Err       string
}

type escalationView struct {
	ID          int64
	Unit        string
	UnitCode    string
	Matter      string
	Title       string
	Description string
	Created     string
	AckBy       string
	RespondBy   string
	Status      string
	StatusClass string
	Late        bool
	Calls       []callView
}

type officeChoice struct {
	ID    int64
	Name  string
	Where string
	On    bool
}

// raiseForm is a township cadre's summons.
type raiseForm struct {
	Townships []option
	Offices   []officeChoice
	Title     string
	Matter    string
	Details   string
	Errs      map[string]string
}

type escalationsView struct {
	Items []escalationView
	Raise *raiseForm
	Done  string
	Error string
	Stats bool
}

// escalationTownships are the townships where the person may raise one:
// where they hold a role that acts on the inbox.
func escalationTownships(t *units.Tree, c *Ctx) []units.Unit {
	var out []units.Unit
	seen := map[string]bool{}
	for _, g := range c.Person.Grants {
		u, ok := t.Get(g.UnitCode)
		if !ok || u.Level != units.Township || seen[u.Code] || !c.P.Can(access.ActInbox, u.Code) {
			continue
		}
		seen[u.Code] = true
		out = append(out, u)
	}
	return out
}

// raiseFormOf lists the townships and the offices of their counties and
// cities that may be summoned.
func (s *Server) raiseFormOf(ctx context.Context, t *units.Tree, c *Ctx, v url.Values) (*raiseForm, error) {
	towns := escalationTownships(t, c)
	if len(towns) == 0 {
		return nil, nil
	}
	f := &raiseForm{Title: v.Get("title"), Matter: v.Get("matter"), Details: v.Get("description"), Errs: map[string]string{}}
	chosen := map[string]bool{}
	for _, id := range v["office"] {
		chosen[id] = true
	}
	seen := map[int64]bool{}
	for i, u := range towns {
		f.Townships = append(f.Townships, option{Code: u.Code, Label: place(t, c, u.Code), Selected: v.Get("unit") == u.Code || v.Get("unit") == "" && i == 0})
		for _, above := range t.Path(u.Code) {
			if above.Level != units.County && above.Level != units.City {
				continue
			}
			os, _, err := s.db.ListOffices(ctx, store.ListQuery{Scopes: []string{""}, Unit: above.Code, Limit: 200})
			if err != nil {
				return nil, err
			}
			for _, o := range os {
				if seen[o.ID] {
					continue
				}
				seen[o.ID] = true
				name := o.Name
				if c.Lang == i18n.EN && o.NameEN != "" {
					name = o.NameEN
				}
				f.Offices = append(f.Offices, officeChoice{ID: o.ID, Name: name, Where: unitName(t, above.Code), On: chosen[itoa64(o.ID)]})
			}
		}
	}
	return f, nil
}

func (s *Server) escalationsView(ctx context.Context, c *Ctx, form url.Values) (escalationsView, error) {
	v := escalationsView{Stats: c.P.CanSomewhere(access.ReadDemands)}
	t, err := c.Tree(ctx)
	if err != nil {
		return v, err
	}
	list, err := s.db.Escalations(ctx, store.EscalationQuery{Scopes: c.P.Scopes(access.ReadInbox), Office: c.Person.OfficeID})
	if err != nil {
		return v, err
	}
	for _, e := range list {
		ev := escalationView{ID: e.ID, Unit: place(t, c, e.Unit), UnitCode: e.Unit, Matter: e.Matter, Title: e.Title, Description: e.Description,
			Created: chinaTime(e.Created), AckBy: chinaTime(e.AckBy), RespondBy: chinaTime(e.RespondBy), Late: len(e.Late) > 0}
		ev.Status, ev.StatusClass = c.T("ui.escalation.open"), "review"
		if e.Status == "answered" {
			ev.Status, ev.StatusClass = c.T("ui.escalation.answered"), "ok"
		}
		for _, call := range e.Calls {
			cv := callView{OfficeID: call.OfficeID, Office: call.OfficeName, Response: call.Response, AckLate: call.AckLate, RespLate: call.RespLate}
			if call.Acked != nil {
				cv.Acked = chinaTime(*call.Acked)
			}
			if call.Responded != nil {
				cv.Responded = chinaTime(*call.Responded)
			}
			mine := c.Person.OfficeID != 0 && call.OfficeID == c.Person.OfficeID
			cv.CanAck = mine && call.Acked == nil && call.Responded == nil
			cv.CanAnswer = mine && call.Responded == nil
			ev.Calls = append(ev.Calls, cv)
		}
		v.Items = append(v.Items, ev)
	}
	if form == nil {
		form = url.Values{}
	}
	v.Raise, err = s.raiseFormOf(ctx, t, c, form)
	return v, err
}

func (s *Server) uiEscalations(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := s.escalationsView(r.Context(), c, nil)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "raised":
		v.Done = c.T("ui.escalation.done_raised")
	case "ack":
		v.Done = c.T("ui.escalation.done_ack")
	case "respond":
		v.Done = c.T("ui.escalation.done_respond")
	}
	return s.page(w, r, c, http.StatusOK, "escalations", c.T("ui.escalation.title"), v)
}

func (s *Server) uiEscalate(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	if err := parseForm(w, r); err != nil {
		return err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(r.PostFormValue("unit"))
	if _, err := knownCode(t, "unit", code); err != nil {
		return err
	}
	if err := c.Require(access.ActInbox, code); err != nil {
		return err
	}
	errs := map[string]string{}
	u, _ := t.Get(code)
	if u.Level != units.Township {
		errs["unit"] = asError(invalid("unit", "error.escalate_township")).Message.In(c.Lang)
	}
	title := strings.TrimSpace(r.PostFormValue("title"))
	if title == "" {
		errs["title"] = c.T("ui.escalation.error.title")
	}
	e := &duties.Escalation{Unit: code, Matter: strings.TrimSpace(r.PostFormValue("matter")), Title: title,
		Description: strings.TrimSpace(r.PostFormValue("description"))}
	seen := map[int64]bool{}
	for _, raw := range r.PostForm["office"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		var o units.Office
		if err == nil {
			o, err = s.db.Office(ctx, id)
		}
		if err != nil || o.UnitCode == code || !units.Contains(o.UnitCode, code) || seen[id] {
			errs["offices"] = asError(invalid("offices", "error.escalate_office", id)).Message.In(c.Lang)
			break
		}
		seen[id] = true
		e.Calls = append(e.Calls, duties.Call{OfficeID: id, OfficeName: o.Name})
	}
	if len(e.Calls) == 0 && errs["offices"] == "" {
		errs["offices"] = c.T("ui.escalation.error.offices")
	}
	if len(errs) > 0 {
		v, err := s.escalationsView(ctx, c, r.PostForm)
		if err != nil {
			return err
		}
		if v.Raise == nil {
			return errorf(CodeInvalid, "error.escalate_township")
		}
		v.Raise.Errs = errs
		return s.page(w, r, c, http.StatusBadRequest, "escalations", c.T("ui.escalation.title"), v)
	}
	cal, err := s.db.Calendar(ctx)
	if err != nil {
		return err
	}
	pt, err := s.db.PolicyTree(ctx)
	if err != nil {
		return err
	}
	set := pt.At(code)
	e.AckBy, e.RespondBy = duties.Deadlines(cal, s.db.Now(), set.Get("escalation.ack_hours"), set.Get("escalation.respond_days"))
	if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.CreateEscalation(ctx, e) }); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/escalations?done=raised#e%d", e.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) uiAnswer(respond bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *Ctx) error {
		ctx := r.Context()
		id, err := idParam(r)
		if err != nil {
			return err
		}
		list, err := s.db.Escalations(ctx, store.EscalationQuery{Scopes: c.P.Scopes(access.ReadInbox), Office: c.Person.OfficeID, ID: id})
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return errorf(CodeNotFound, "error.not_found")
		}
		e := list[0]
		summoned := false
		for _, call := range e.Calls {
			summoned = summoned || c.Person.OfficeID != 0 && call.OfficeID == c.Person.OfficeID
		}
		if !summoned {
			return errorf(CodeForbidden, "error.not_summoned")
		}
		if err := parseForm(w, r); err != nil {
			return err
		}
		response := ""
		if respond {
			if response = strings.TrimSpace(r.PostFormValue("response")); response == "" {
				v, err := s.escalationsView(ctx, c, nil)
				if err != nil {
					return err
				}
				for i := range v.Items {
					for j := range v.Items[i].Calls {
						if v.Items[i].ID == id && v.Items[i].Calls[j].OfficeID == c.Person.OfficeID {
							v.Items[i].Calls[j].Err = c.T("ui.escalation.error.response")
						}
					}
				}
				return s.page(w, r, c, http.StatusBadRequest, "escalations", c.T("ui.escalation.title"), v)
			}
		}
		if err := s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
			return tx.AnswerEscalation(ctx, e, c.Person.OfficeID, response)
		}); err != nil {
			return gateError(err)
		}
		done := "ack"
		if respond {
			done = "respond"
		}
		http.Redirect(w, r, fmt.Sprintf("/escalations?done=%s#e%d", done, id), http.StatusSeeOther)
		return nil
	}
}

// Duty figures.

type dutyStatRow struct {
	Label      string
	Tasks      int
	Minutes    int64
	Refusals   int
	Upheld     int
	Pending    int
	Overturned int
	Late       int
}

type lateRow struct {
	ID     int64
	Title  string
	Unit   string
	Office string
	What   string
}

type dutyStatsView struct {
	From, To string
	ByOffice []dutyStatRow
	ByMatter []dutyStatRow
	Late     []lateRow
}

func (s *Server) uiDutyStats(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	scopes := c.P.Scopes(access.ReadDemands)
	if len(scopes) == 0 {
		return c.Require(access.ReadDemands, c.Person.UnitCode)
	}
	day := today(s.db.Now())
	from, err := dateParam(r, "from", time.Date(day.Year(), 1, 1, 0, 0, 0, 0, gate.China))
	if err != nil {
		return err
	}
	// The form's "to" is the last day counted; the store's end is exclusive.
	to, err := dateParam(r, "to", time.Date(day.Year(), 12, 31, 0, 0, 0, 0, gate.China))
	if err != nil {
		return err
	}
	byOffice, byMatter, err := s.db.DutyStats(ctx, scopes, from, to.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	esc, err := s.db.Escalations(ctx, store.EscalationQuery{Scopes: scopes})
	if err != nil {
		return err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	v := dutyStatsView{From: from.Format("2006-01-02"), To: to.Format("2006-01-02")}
	row := func(x store.DutyCount) dutyStatRow {
		return dutyStatRow{Label: x.Name, Tasks: x.Tasks, Minutes: x.Minutes, Refusals: x.Refusals, Upheld: x.Upheld, Pending: x.Pending, Overturned: x.Overturned}
	}
	idx := map[string]int{}
	for _, x := range byOffice {
		idx[x.Key] = len(v.ByOffice)
		v.ByOffice = append(v.ByOffice, row(x))
	}
	for _, x := range byMatter {
		r := row(x)
		if r.Label == "" {
			r.Label = x.Key
		} else if x.Key != "" && x.Key != r.Label {
			r.Label = x.Key + " " + r.Label
		}
		v.ByMatter = append(v.ByMatter, r)
	}
	// An office late to acknowledge or respond counts against it, as the
	// API's figures count it.
	for _, e := range esc {
		for _, l := range e.Late {
			name := ""
			for _, call := range e.Calls {
				if call.OfficeID == l.OfficeID {
					name = call.OfficeName
				}
			}
			k := itoa64(l.OfficeID)
			i, ok := idx[k]
			if !ok {
				i = len(v.ByOffice)
				idx[k] = i
				v.ByOffice = append(v.ByOffice, dutyStatRow{Label: name})
			}
			v.ByOffice[i].Late++
			what := c.T("ui.escalation.late_ack")
			if l.What == "respond" {
				what = c.T("ui.escalation.late_respond")
			}
			v.Late = append(v.Late, lateRow{ID: e.ID, Title: e.Title, Unit: place(t, c, e.Unit), Office: name, What: what})
		}
	}
	return s.page(w, r, c, http.StatusOK, "duty_stats", c.T("ui.duties.stats.title"), v)
}
