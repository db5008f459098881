package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/store"
)

const calendarUsage = `usage:
  lighten calendar load [--db URL] FILE   store newer or corrected years of the official calendar
  lighten calendar show [--db URL] YEAR   list a year's public holidays and make-up working days

lighten knows China's official calendar from 2004 to 2026. When the State
Council publishes a newer year (usually in November), or corrects one, load it
from FILE, a JSON file in the format of the npm package chinese-days:

  {"holidays":   {"2027-01-01": "New Year's Day,元旦,1", …},
   "workdays":   {"2027-02-20": "Spring Festival,春节,4", …},
   "inLieuDays": {"2027-02-12": "Spring Festival,春节,4", …}}

Each year in FILE replaces that year entirely; other years stay. FILE gives
whole years, each with its 1 January. A fault in FILE stops the load before
anything is written. See docs/calendar.md.

flags:
`

// cmdCalendar runs `lighten calendar load|show`.
func cmdCalendar(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calendar", stderr)
	dsn := dbFlag(fs, "lighten.db")
	fs.Usage = func() {
		fmt.Fprint(stderr, calendarUsage)
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return errors.New("calendar: say load FILE or show YEAR")
	}
	sub := args[0]
	switch sub {
	case "-h", "--help", "help":
		fs.Usage()
		return flag.ErrHelp
	case "load", "show":
	default:
		return fmt.Errorf("calendar: unknown command %q; expected load FILE or show YEAR", sub)
	}
	// Flags may come before or after the argument.
	var pos []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) != 1 {
		fs.Usage()
		if sub == "load" {
			return fmt.Errorf("calendar load: one FILE expected, %d given", len(pos))
		}
		return fmt.Errorf("calendar show: one YEAR expected, %d given", len(pos))
	}
	if sub == "load" {
		return calendarLoad(ctx, *dsn, pos[0], stdout)
	}
	return calendarShow(ctx, *dsn, pos[0], stdout)
}

func calendarLoad(ctx context.Context, dsn, path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("calendar load: %w", err)
	}
	c, err := calendar.Parse(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("calendar load %s: nothing was written; the file has these faults:\n  %s",
			path, strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	var st store.CalendarLoad
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		st, err = tx.LoadCalendar(ctx, c)
		return err
	})
	if err != nil {
		return fmt.Errorf("calendar load %s: %w", path, err)
	}
	inForce, err := db.Calendar(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded %s from %s: %d holiday(s) (%d in lieu), %d make-up working day(s); replaced %d day(s) of an earlier load\n",
		yearList(st.Years), path, st.Holidays, st.InLieu, st.Workdays, st.Replaced)
	for _, y := range st.Years {
		fmt.Fprintf(stdout, "  %d: %d working days 工作日\n", y, workdaysIn(inForce, y))
	}
	return nil
}

func calendarShow(ctx context.Context, dsn, arg string, stdout io.Writer) error {
	year, err := strconv.Atoi(arg)
	if err != nil || year < 1949 || year > 2999 {
		return fmt.Errorf("calendar show: YEAR %q: expected a year such as 2026", arg)
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Calendar(ctx)
	if err != nil {
		return err
	}
	loaded, err := db.CalendarOverrides(ctx)
	if err != nil {
		return err
	}
	switch {
	case loaded != nil && loaded.Covers(year):
		fmt.Fprintf(stdout, "%d 官方日历 official calendar — 管理员载入 loaded by an administrator\n", year)
	case c.Covers(year):
		fmt.Fprintf(stdout, "%d 官方日历 official calendar — 内置 built in (chinese-days 1.5.7)\n", year)
	default:
		fmt.Fprintf(stdout, "%d 官方日历 official calendar — 未载入 not loaded: 仅按周末 weekends only\n", year)
		fmt.Fprintf(stdout, "  载入国务院通知 load the State Council's notice: lighten calendar load FILE (docs/calendar.md)\n")
		fmt.Fprintf(stdout, "工作日 Working days (weekends only): %d\n", workdaysIn(c, year))
		return nil
	}
	var holidays, makeUp []calendar.Day
	for _, d := range c.DaysIn(year) {
		if d.Kind == calendar.Holiday {
			holidays = append(holidays, d)
		} else {
			makeUp = append(makeUp, d)
		}
	}
	fmt.Fprintln(stdout, "\n节假日 Public holidays")
	for len(holidays) > 0 {
		// A run of consecutive days of one holiday is one break.
		n := 1
		for n < len(holidays) && holidays[n].Name == holidays[0].Name && holidays[n].Date == holidays[n-1].Date.AddDays(1) {
			n++
		}
		run := holidays[:n]
		holidays = holidays[n:]
		span := showDate(run[0].Date) + strings.Repeat(" ", 18)
		if n > 1 {
			span = showDate(run[0].Date) + " – " + showDate(run[n-1].Date)
		}
		var lieu []string
		for _, d := range run {
			if d.InLieu {
				lieu = append(lieu, d.Date.String()[5:])
			}
		}
		line := fmt.Sprintf("  %s  %2d 天 days  %s %s", span, n, run[0].Name.ZH, run[0].Name.EN)
		if len(lieu) > 0 {
			line += "  (调休 in lieu: " + strings.Join(lieu, ", ") + ")"
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintln(stdout, "\n调休上班 Make-up working days")
	if len(makeUp) == 0 {
		fmt.Fprintln(stdout, "  无 none")
	}
	for _, d := range makeUp {
		fmt.Fprintf(stdout, "  %s  %s %s\n", showDate(d.Date), d.Name.ZH, d.Name.EN)
	}
	fmt.Fprintf(stdout, "\n工作日 Working days: %d\n", workdaysIn(c, year))
	return nil
}

var weekdayZH = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

func showDate(d calendar.Date) string { return d.String() + " " + weekdayZH[d.Weekday()] }

func workdaysIn(c *calendar.Calendar, year int) int {
	return c.WorkdaysBetween(calendar.NewDate(year-1, time.December, 31), calendar.NewDate(year, time.December, 31))
}

func yearList(years []int) string {
	s := make([]string, len(years))
	for i, y := range years {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, ", ")
}
