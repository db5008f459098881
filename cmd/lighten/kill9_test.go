package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// TestKill9 kills a process that is writing, at a random moment, a few
// times over, and then finds every write it acknowledged in the database
// with the audit chain intact, on both databases. The writer is this test
// binary run again as TestKill9Writer.
func TestKill9(t *testing.T) {
	t.Parallel()
	if os.Getenv("LIGHTEN_KILL9_DSN") != "" {
		t.Skip("the writer runs TestKill9Writer only")
	}
	const trials = 4
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := storetest.DSN(t, k)
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ImportUnits(ctx, store.System, sampleUnits, nil); err != nil {
				t.Fatal(err)
			}
			db.Close()

			var acked []string
			for trial := 0; trial < trials; trial++ {
				ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
				cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKill9Writer$", "-test.count=1")
				cmd.Env = append(os.Environ(), "LIGHTEN_KILL9_DSN="+dsn, fmt.Sprintf("LIGHTEN_KILL9_TRIAL=%d", trial))
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				cmd.Stderr = os.Stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Kill after a random number of acknowledged writes: the
				// writer is already at its next one, which the kill cuts
				// wherever it has come to.
				killAfter := 5 + rand.IntN(40)
				sc := bufio.NewScanner(out)
				n := 0
				for sc.Scan() {
					name, ok := strings.CutPrefix(sc.Text(), "ack ")
					if !ok {
						continue
					}
					acked = append(acked, name)
					if n++; n == killAfter {
						cmd.Process.Signal(syscall.SIGKILL)
						break
					}
				}
				for sc.Scan() {
					if name, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
						acked = append(acked, name) // acknowledged before the kill landed
					}
				}
				cmd.Wait()
				cancel()
				if n < killAfter {
					t.Fatalf("trial %d: the writer stopped by itself after %d writes", trial, n)
				}
			}

			db, err = store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatalf("open after the kills: %v", err)
			}
			defer db.Close()
			have := officeNames(t, db)
			for _, name := range acked {
				if !have[name] {
					t.Fatalf("acknowledged and lost: %s (%d acknowledged, %d stored)", name, len(acked), len(have))
				}
			}
			n, err := db.VerifyAudit(ctx)
			if err != nil {
				t.Fatalf("audit chain after the kills: %v", err)
			}
			if n < int64(len(acked)) {
				t.Fatalf("%d audit records for %d acknowledged writes", n, len(acked))
			}
		})
	}
}

// TestKill9Writer is the process TestKill9 kills: it writes offices one
// transaction each and says "ack NAME" once each is committed.
func TestKill9Writer(t *testing.T) {
	dsn := os.Getenv("LIGHTEN_KILL9_DSN")
	if dsn == "" {
		t.Skip("run by TestKill9")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(os.Stdout)
	trial := os.Getenv("LIGHTEN_KILL9_TRIAL")
	for i := 0; i < 100000; i++ {
		o := units.Office{UnitCode: "430922", Name: fmt.Sprintf("试验 %s 第 %d 个办公室", trial, i)}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.CreateOffice(ctx, &o) }); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "ack %s\n", o.Name)
		w.Flush()
	}
}
