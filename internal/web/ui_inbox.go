package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"lighten/internal/access"
	"lighten/internal/gate"
	"lighten/internal/store"
)

// The inbox shows four weeks back, for what is overdue or was just done,
// and eight weeks ahead.
const (
	inboxBack  = 28
	inboxAhead = 56
)

type inboxItemView struct {
	ID       int64
	Title    string
	Kind     string
	Office   string
	When     string
	Weekday  string
	Day      string // month and day, for the digest, whose week names the year
	Clock    string
	Minutes  int
	Overdue  bool
	Done     string
	Asks     []string
	Place    string
	Body     string
	Err      string
	Note     string
	Emergent bool
	Refusal  string // the unit's "not ours", in words
	Refused  string // its tag style
	Report   string // the form to fill in, for a report
	Refuse   bool   // "not ours" may still be said
}

type budgetView struct {
	BudgetUse
	Over bool
}

type inboxView struct {
	Code     string
	Name     string
	Place    string
	From, To string
	Items    []inboxItemView
	Open     int
	Minutes  int // of what is still open
	Budget   budgetView
	CanAct   bool
	Done     string
	Error    string
	Digest   string
	Sheet    string
}

// weekdayKeys name the days of the week, Sunday first as time.Weekday.
var weekdayKeys = [...]string{"ui.inbox.day.sun", "ui.inbox.day.mon", "ui.inbox.day.tue", "ui.inbox.day.wed",
	"ui.inbox.day.thu", "ui.inbox.day.fri", "ui.inbox.day.sat"}

func inboxItemOf(c *Ctx, it store.InboxItem) inboxItemView {
	d := it.Demand
	when := d.When().In(gate.China)
	v := inboxItemView{ID: d.ID, Title: d.Title, Kind: kindLabel(c, d.Kind), Office: d.OfficeName, When: chinaTime(when),
		Weekday: c.T(weekdayKeys[when.Weekday()]), Day: when.Format("01-02"), Clock: when.Format("15:04"), Minutes: it.Minutes, Overdue: it.Overdue, Asks: asksOf(c, &d.Demand),
		Place: d.Place, Body: d.Body, Emergent: d.Emergency}
	if it.Done != nil {
		v.Done, v.Note = chinaTime(*it.Done), it.Note
	}
	if it.Refusal != "" {
		v.Refusal, v.Refused = label(c, inboxRefusalKeys, it.Refusal), refusalClass(it.Refusal)
	}
	v.Refuse = it.Done == nil && it.Refusal == ""
	return v
}

// inboxWindow reads the period of an inbox page from the query.
func (s *Server) inboxWindow(r *http.Request) (time.Time, time.Time, error) {
	t := today(s.db.Now())
	from, err := dateParam(r, "from", t.AddDate(0, 0, -inboxBack))
	if err != nil {
		return from, from, err
	}
	to, err := dateParam(r, "to", t.AddDate(0, 0, inboxAhead))
	return from, to, err
}

func (s *Server) inboxView(r *http.Request, c *Ctx) (inboxView, error) {
	ctx := r.Context()
	from, to, err := s.inboxWindow(r)
	if err != nil {
		return inboxView{}, err
	}
	code := r.PathValue("code")
	in, err := s.inbox(ctx, c, code, from, to)
	if err != nil {
		return inboxView{}, err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return inboxView{}, err
	}
	v := inboxView{Code: code, Name: in.Unit.Name, Place: place(t, c, code), From: from.Format("2006-01-02"),
		To: to.AddDate(0, 0, -1).Format("2006-01-02"), Budget: budgetView{BudgetUse: in.Budget, Over: in.Budget.Percent > 100},
		CanAct: c.P.Can(access.ActInbox, code), Digest: "/units/" + code + "/digest", Sheet: "/units/" + code + "/inbox.xlsx"}
	// The spreadsheet holds the same period as the page.
	sheet := url.Values{}
	for _, k := range []string{"from", "to"} {
		if x := r.URL.Query().Get(k); x != "" {
			sheet.Set(k, x)
		}
	}
	if len(sheet) > 0 {
		v.Sheet += "?" + sheet.Encode()
	}
	for _, it := range in.Items {
		iv := inboxItemOf(c, it)
		if it.Demand.Kind == gate.Report {
			iv.Report = fmt.Sprintf("/units/%s/reports/%d", code, it.Demand.ID)
		}
		if it.Done == nil {
			v.Open++
			v.Minutes += it.Minutes
		}
		v.Items = append(v.Items, iv)
	}
	return v, nil
}

func (s *Server) uiInbox(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := s.inboxView(r, c)
	if err != nil {
		return err
	}
	switch q := r.URL.Query(); {
	case q.Get("done") != "":
		v.Done = c.T("ui.inbox.done_notice")
	case q.Get("sent") != "":
		v.Done = c.T("ui.collect.sent_notice")
	case q.Get("refused") != "":
		v.Done = c.T("ui.duties.refuse.sent_notice")
	case q.Get("undone") != "":
		v.Done = c.T("ui.inbox.undone_notice")
	}
	return s.page(w, r, c, http.StatusOK, "inbox", c.T("ui.inbox.title", v.Name), v)
}

func (s *Server) uiDone(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	if _, err := knownCode(t, "code", code); err != nil {
		return err
	}
	if err := c.Require(access.ActInbox, code); err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	u, _ := t.Get(code)
	items, err := s.db.Inbox(ctx, u, time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	var rec *store.DemandRecord
	for _, it := range items {
		if it.Demand.ID == id {
			rec = it.Demand
		}
	}
	if rec == nil {
		return errorf(CodeNotFound, "error.not_found")
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error { return tx.MarkDone(ctx, rec, code, note) })
	if errors.Is(err, store.ErrConflict) {
		// Done already, by someone else or in another tab: show it so.
		v, verr := s.inboxView(r, c)
		if verr != nil {
			return verr
		}
		for i := range v.Items {
			if v.Items[i].ID == id {
				v.Items[i].Err = c.T("ui.inbox.already_done")
			}
		}
		return s.page(w, r, c, http.StatusConflict, "inbox", c.T("ui.inbox.title", v.Name), v)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/units/%s/inbox?done=%d#d%d", code, id, id), http.StatusSeeOther)
	return nil
}

func (s *Server) uiUndoDone(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	code := r.PathValue("code")
	_, it, err := s.inboxItem(ctx, c, code, id, access.ActInbox)
	if err != nil {
		return err
	}
	err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
		return tx.UndoDone(ctx, it.Demand, code, strings.TrimSpace(r.PostFormValue("reason")))
	})
	if errors.Is(err, store.ErrState) {
		// Taken back already, in another tab or by a colleague: show it so.
		http.Redirect(w, r, fmt.Sprintf("/units/%s/inbox#d%d", code, id), http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/units/%s/inbox?undone=%d#d%d", code, id, id), http.StatusSeeOther)
	return nil
}

// The weekly digest: one printed page a village puts on its wall instead of
// following twenty chat groups.

type digestView struct {
	Code     string
	Name     string
	Place    string
	Week     string // Monday to Sunday
	Prev     string
	Next     string
	This     []inboxItemView
	Coming   []inboxItemView
	Open     []inboxItemView // overdue from earlier weeks
	Minutes  int
	Printed  string
	Inbox    string
	NextWeek string
}

// mondayOf is the Monday of the week of t, in China.
func mondayOf(t time.Time) time.Time {
	t = t.In(gate.China)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, gate.China)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

func (s *Server) uiDigest(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	now := s.db.Now()
	day, err := dateParam(r, "week", today(now))
	if err != nil {
		return err
	}
	mon := mondayOf(day)
	code := r.PathValue("code")
	in, err := s.inbox(ctx, c, code, mon.AddDate(0, 0, -inboxBack), mon.AddDate(0, 0, 14))
	if err != nil {
		return err
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	week := func(m time.Time) string { return "/units/" + code + "/digest?week=" + m.Format("2006-01-02") }
	v := digestView{Code: code, Name: in.Unit.Name, Place: place(t, c, code),
		Week: c.T("ui.inbox.digest.week", mon.Format("2006-01-02"), mon.AddDate(0, 0, 6).Format("2006-01-02")),
		Prev: week(mon.AddDate(0, 0, -7)), Next: week(mon.AddDate(0, 0, 7)), Printed: chinaDay(now), Inbox: "/units/" + code + "/inbox",
		NextWeek: c.T("ui.inbox.digest.next_week", mon.AddDate(0, 0, 7).Format("2006-01-02"), mon.AddDate(0, 0, 13).Format("2006-01-02"))}
	for _, it := range in.Items {
		iv := inboxItemOf(c, it)
		when := it.Demand.When()
		switch {
		case when.Before(mon):
			if it.Done == nil {
				v.Open = append(v.Open, iv)
			}
		case when.Before(mon.AddDate(0, 0, 7)):
			v.This = append(v.This, iv)
			v.Minutes += it.Minutes
		default:
			v.Coming = append(v.Coming, iv)
		}
	}
	return s.page(w, r, c, http.StatusOK, "digest", c.T("ui.inbox.digest.title", v.Name), v)
}
