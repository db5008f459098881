package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"lighten/internal/access"
	"lighten/internal/export"
	"lighten/internal/gate"
	"lighten/internal/i18n"
	"lighten/internal/store"
)

// Spreadsheets of the review queue and of an inbox, for the offices that
// keep their registers in Excel. Rows are streamed into the sheet, so that a
// long queue does not hold every cell in memory twice.

type sheetColumn struct {
	key   string  // catalogue key of the header
	width float64 // in characters
}

type sheet struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	row  int
	date int // style of a date and time cell
}

// newSheet starts a workbook of one sheet with a bold, frozen header row
// in the request's language.
func newSheet(c *Ctx, nameKey string, cols []sheetColumn) (*sheet, error) {
	f := excelize.NewFile()
	name := c.T(nameKey)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &sheet{f: f, sw: sw, row: 1}
	layout := "yyyy-mm-dd hh:mm"
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &layout}); err != nil {
		f.Close()
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EAED"}}})
	if err != nil {
		f.Close()
		return nil, err
	}
	// Widths and panes must come before the first row of a stream.
	header := make([]any, len(cols))
	for i, col := range cols {
		if err := sw.SetColWidth(i+1, i+1, col.width); err != nil {
			f.Close()
			return nil, err
		}
		header[i] = excelize.Cell{StyleID: bold, Value: c.T(col.key)}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		f.Close()
		return nil, err
	}
	if err := s.add(header...); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// add writes one row. Times become dates in China's time; a zero time is
// an empty cell. Text is quoted where a spreadsheet could read it as a
// formula (export.Cell): excelize writes strings as strings, never as
// formulas, but the sheet may be saved again as CSV.
func (s *sheet) add(values ...any) error {
	for i, v := range values {
		switch v := v.(type) {
		case time.Time:
			if v.IsZero() {
				values[i] = nil
			} else {
				values[i] = excelize.Cell{StyleID: s.date, Value: v.In(gate.China)}
			}
		case string:
			values[i] = export.Cell(v)
		case excelize.Cell:
			if t, ok := v.Value.(string); ok {
				v.Value = export.Cell(t)
				values[i] = v
			}
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	s.row++
	return s.sw.SetRow(cell, values)
}

// send finishes the workbook and answers with it. The file is built whole
// before anything is sent, so that a failure is an error page and not half
// a file.
func (s *sheet) send(w http.ResponseWriter, name string) error {
	defer s.f.Close()
	if err := s.sw.Flush(); err != nil {
		return err
	}
	buf, err := s.f.WriteToBuffer()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiName(name), extValue(name)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err = buf.WriteTo(w)
	return err
}

// extValue percent-encodes a file name for filename* (RFC 8187), keeping
// only the characters that need no encoding.
func extValue(name string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// asciiName is a file name for clients that do not read filename*.
func asciiName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
}

var reviewColumns = []sheetColumn{
	{"ui.gate.xlsx.id", 8}, {"ui.gate.xlsx.title", 40}, {"ui.gate.xlsx.office", 26}, {"ui.gate.xlsx.issuer", 30},
	{"ui.gate.xlsx.kind", 12}, {"ui.gate.xlsx.submitted", 18}, {"ui.gate.xlsx.day", 18}, {"ui.gate.xlsx.targets", 10},
	{"ui.gate.xlsx.per_unit", 14}, {"ui.gate.xlsx.total", 14}, {"ui.gate.xlsx.blocks", 10}, {"ui.gate.xlsx.reviews", 10},
	{"ui.gate.xlsx.rules", 44}, {"ui.gate.xlsx.emergency", 30},
}

// exportPage is how many demands are read at a time for a spreadsheet.
const exportPage = 500

func (s *Server) uiReviewXLSX(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	scopes := c.P.Scopes(access.ReviewDemands)
	if len(scopes) == 0 {
		return c.Require(access.ReviewDemands, c.Person.UnitCode)
	}
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	sh, err := newSheet(c, "ui.gate.xlsx.review_sheet", reviewColumns)
	if err != nil {
		return err
	}
	for offset := 0; ; offset += exportPage {
		list, _, err := s.db.ListDemands(ctx, store.DemandQuery{Scopes: scopes, Status: []gate.Status{gate.InReview}, Offset: offset, Limit: exportPage})
		if err != nil {
			sh.f.Close()
			return err
		}
		for _, x := range list {
			rec, err := s.db.Demand(ctx, x.ID)
			if err != nil {
				sh.f.Close()
				return err
			}
			blocks, reviews := 0, 0
			var rules []string
			seen := map[string]bool{}
			for _, f := range rec.Findings {
				switch f.Severity {
				case gate.Block:
					blocks++
				case gate.Review:
					reviews++
				}
				if !seen[f.Rule] {
					seen[f.Rule] = true
					lbl := f.Rule
					if _, ok := i18n.Lookup("rule." + f.Rule); ok {
						lbl = c.T("rule." + f.Rule)
					}
					rules = append(rules, lbl)
				}
			}
			emergency := ""
			if rec.Emergency {
				emergency = rec.Reason
			}
			if err := sh.add(rec.ID, rec.Title, rec.OfficeName, placeOf(t, rec.IssuerUnit, c.T("ui.country")), kindLabel(c, rec.Kind),
				rec.Submitted, rec.When(), rec.TargetN, rec.PerUnit, rec.Total, blocks, reviews,
				strings.Join(rules, c.T("ui.list.sep")), emergency); err != nil {
				sh.f.Close()
				return err
			}
		}
		if len(list) < exportPage {
			break
		}
	}
	return sh.send(w, c.T("ui.gate.xlsx.review_file", chinaDay(s.db.Now())))
}

var inboxColumns = []sheetColumn{
	{"ui.inbox.xlsx.when", 18}, {"ui.inbox.xlsx.title", 40}, {"ui.inbox.xlsx.kind", 12}, {"ui.inbox.xlsx.office", 26},
	{"ui.inbox.xlsx.minutes", 10}, {"ui.inbox.xlsx.asks", 60}, {"ui.inbox.xlsx.overdue", 10}, {"ui.inbox.xlsx.done", 18},
	{"ui.inbox.xlsx.id", 8},
}

func (s *Server) uiInboxXLSX(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	from, to, err := s.inboxWindow(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	in, err := s.inbox(r.Context(), c, code, from, to)
	if err != nil {
		return err
	}
	sh, err := newSheet(c, "ui.inbox.xlsx.sheet", inboxColumns)
	if err != nil {
		return err
	}
	yes := c.T("ui.gate.yes")
	for _, it := range in.Items {
		d := it.Demand
		overdue := ""
		if it.Overdue {
			overdue = yes
		}
		var done time.Time
		if it.Done != nil {
			done = *it.Done
		}
		if err := sh.add(d.When(), d.Title, kindLabel(c, d.Kind), d.OfficeName, it.Minutes,
			strings.Join(asksOf(c, &d.Demand), c.T("ui.inbox.xlsx.asks_sep")), overdue, done, d.ID); err != nil {
			sh.f.Close()
			return err
		}
	}
	return sh.send(w, c.T("ui.inbox.xlsx.file", in.Unit.Name, code, chinaDay(s.db.Now())))
}
