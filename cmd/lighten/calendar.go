package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/i18n"
	"lighten/internal/store"
)

// cmdCalendar runs `lighten calendar load|show`.
func cmdCalendar(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(l, "calendar", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	fs.Usage = func() {
		fmt.Fprint(stderr, i18n.T(l, "cli.calendar.usage"))
		printDefaults(l, fs, stderr)
	}
	if len(args) == 0 {
		fs.Usage()
		return failf("cli.calendar.say")
	}
	sub := args[0]
	switch sub {
	case "-h", "--help", "help":
		fs.Usage()
		return flag.ErrHelp
	case "load", "show":
	default:
		return failf("cli.calendar.unknown", sub)
	}
	// Flags may come before or after the argument.
	var pos []string
	rest := args[1:]
	for {
		if err := parseFlags(l, fs, rest); err != nil {
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
			return failf("cli.calendar.load_one", len(pos))
		}
		return failf("cli.calendar.show_one", len(pos))
	}
	if sub == "load" {
		return calendarLoad(ctx, l, *dsn, pos[0], stdout)
	}
	return calendarShow(ctx, l, *dsn, pos[0], stdout)
}

func calendarLoad(ctx context.Context, l i18n.Lang, dsn, path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return failf("cli.calendar.load_error", err)
	}
	c, err := calendar.Parse(f)
	f.Close()
	if err != nil {
		return failf("cli.calendar.load_faults", path, strings.ReplaceAll(err.Error(), "\n", "\n  "))
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
		return failf("cli.calendar.load_file_error", path, err)
	}
	inForce, err := db.Calendar(ctx)
	if err != nil {
		return err
	}
	say(stdout, l, "cli.calendar.loaded", yearList(st.Years), path, st.Holidays, st.InLieu, st.Workdays, st.Replaced)
	for _, y := range st.Years {
		say(stdout, l, "cli.calendar.loaded_year", y, workdaysIn(inForce, y))
	}
	return nil
}

func calendarShow(ctx context.Context, l i18n.Lang, dsn, arg string, stdout io.Writer) error {
	year, err := strconv.Atoi(arg)
	if err != nil || year < 1949 || year > 2999 {
		return failf("cli.calendar.bad_year", arg)
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
		say(stdout, l, "cli.calendar.show_loaded", year)
	case c.Covers(year):
		say(stdout, l, "cli.calendar.show_built_in", year)
	default:
		say(stdout, l, "cli.calendar.show_not_loaded", year)
		say(stdout, l, "cli.calendar.show_load_hint")
		say(stdout, l, "cli.calendar.show_workdays_weekends", workdaysIn(c, year))
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
	fmt.Fprintln(stdout)
	say(stdout, l, "cli.calendar.show_holidays")
	for len(holidays) > 0 {
		// A run of consecutive days of one holiday is one break.
		n := 1
		for n < len(holidays) && holidays[n].Name == holidays[0].Name && holidays[n].Date == holidays[n-1].Date.AddDays(1) {
			n++
		}
		run := holidays[:n]
		holidays = holidays[n:]
		first := showDate(l, run[0].Date)
		span := first + strings.Repeat(" ", 3+width(first)) // as wide as " – " and a date
		if n > 1 {
			span = first + " – " + showDate(l, run[n-1].Date)
		}
		var lieu []string
		for _, d := range run {
			if d.InLieu {
				lieu = append(lieu, d.Date.String()[5:])
			}
		}
		line := "  " + span + "  " + i18n.T(l, "cli.calendar.show_days", n) + "  " + run[0].Name.ZH + " " + run[0].Name.EN
		if len(lieu) > 0 {
			line += "  " + i18n.T(l, "cli.calendar.show_in_lieu", strings.Join(lieu, ", "))
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintln(stdout)
	say(stdout, l, "cli.calendar.show_make_up")
	if len(makeUp) == 0 {
		fmt.Fprintln(stdout, "  "+i18n.T(l, "cli.calendar.show_none"))
	}
	for _, d := range makeUp {
		fmt.Fprintf(stdout, "  %s  %s %s\n", showDate(l, d.Date), d.Name.ZH, d.Name.EN)
	}
	fmt.Fprintln(stdout)
	say(stdout, l, "cli.calendar.show_workdays", workdaysIn(c, year))
	return nil
}

// weekdays are the keys of the days of the week, Sunday first.
var weekdays = [...]string{"ui.inbox.day.sun", "ui.inbox.day.mon", "ui.inbox.day.tue", "ui.inbox.day.wed",
	"ui.inbox.day.thu", "ui.inbox.day.fri", "ui.inbox.day.sat"}

func showDate(l i18n.Lang, d calendar.Date) string {
	return d.String() + " " + i18n.T(l, weekdays[d.Weekday()])
}

// width is the number of columns s takes on a terminal: two for a wide
// (Chinese) character.
func width(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x1100 {
			n++
		}
	}
	return n
}

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
