package main

import (
	"context"
	"encoding/json"
	"io"
	"os"

	"lighten/internal/calendar"
	"lighten/internal/i18n"
	"lighten/internal/visits"
)

// cmdDraw runs `lighten draw verify FILE`: anyone can recompute a published
// draw from its record, without a database.
func cmdDraw(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 || args[0] != "verify" {
		return failf("cli.draw.usage")
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	var d visits.Draw
	dec := json.NewDecoder(io.LimitReader(f, 256<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return failf("cli.draw.not_record", args[1], err)
	}
	if err := visits.Verify(&d); err != nil {
		say(stdout, l, "cli.draw.not_verified", errorText(l, err))
		return err
	}
	pool := 0
	for _, t := range d.Tiers {
		pool += len(t.Units)
	}
	say(stdout, l, "cli.draw.verified", d.Plan, len(d.Selected), pool, d.Digest)
	if b := d.Beacon; b != nil {
		c, _ := b.Known()
		say(stdout, l, "cli.draw.beacon", c.Name, b.Round, b.Time().In(calendar.China).Format("2006-01-02 15:04:05"), b.URL())
	} else {
		say(stdout, l, "cli.draw.by_hand")
	}
	return nil
}
