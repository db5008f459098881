package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"lighten/internal/visits"
)

// cmdDraw runs `lighten draw verify FILE`: anyone can recompute a published
// draw from its record, without a database.
func cmdDraw(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 || args[0] != "verify" {
		return errors.New("usage: lighten draw verify FILE (a published draw record, JSON)")
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
		return fmt.Errorf("draw verify %s: not a draw record: %w", args[1], err)
	}
	if err := visits.Verify(&d); err != nil {
		fmt.Fprintf(stdout, "NOT VERIFIED: %s\n", err)
		return err
	}
	pool := 0
	for _, t := range d.Tiers {
		pool += len(t.Units)
	}
	fmt.Fprintf(stdout, "verified: plan %q, %d of %d units drawn, selection digest %s\n", d.Plan, len(d.Selected), pool, d.Digest)
	return nil
}
