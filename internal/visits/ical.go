package visits

import (
	"bufio"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"lighten/internal/calendar"
)

// ICalEvent is one all-day event of an iCal feed: a team's visit.
type ICalEvent struct {
	UID         string
	Day         calendar.Date
	Summary     string
	Location    string
	Description string
	// Stamp is when the event was last written (DTSTAMP), in UTC.
	Stamp time.Time
}

// ICalProdID names lighten as the feed's producer.
const ICalProdID = "-//lighten//visits//ZH"

// WriteICal writes an RFC 5545 calendar of all-day events: CRLF line ends,
// content lines folded at 75 octets without splitting a UTF-8 character,
// text values escaped (backslash, semicolon, comma, newline), each event
// from DTSTART;VALUE=DATE to DTEND the next day.
func WriteICal(w io.Writer, calName string, vs []ICalEvent) error {
	b := bufio.NewWriter(w)
	line := func(name, value string) { writeFolded(b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", ICalProdID)
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", escapeText(calName))
	line("X-WR-TIMEZONE", "Asia/Shanghai")
	for _, v := range vs {
		line("BEGIN", "VEVENT")
		line("UID", escapeText(v.UID))
		line("DTSTAMP", v.Stamp.UTC().Format("20060102T150405Z"))
		line("DTSTART;VALUE=DATE", icalDate(v.Day))
		line("DTEND;VALUE=DATE", icalDate(v.Day.AddDays(1)))
		line("SUMMARY", escapeText(v.Summary))
		if v.Location != "" {
			line("LOCATION", escapeText(v.Location))
		}
		if v.Description != "" {
			line("DESCRIPTION", escapeText(v.Description))
		}
		line("TRANSP", "TRANSPARENT")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return b.Flush()
}

func icalDate(d calendar.Date) string {
	return strings.ReplaceAll(d.String(), "-", "")
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon
// and comma get a backslash; a line break becomes \n; bytes that are not
// UTF-8 become U+FFFD.
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// writeFolded writes a content line, folded (RFC 5545 3.1) so that no line
// is longer than 75 octets before its CRLF: a continuation starts with a
// space, which counts within its 75; a UTF-8 character is never split.
func writeFolded(w *bufio.Writer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 { // not UTF-8: cut anywhere rather than loop
			cut = limit
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}
