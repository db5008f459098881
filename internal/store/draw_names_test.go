package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/visits"
)

// On PostgreSQL, an ad hoc draw being named X and a plan item being given
// the code X at the same time do not both succeed: the second waits for the
// first and is refused. (SQLite has one writer.)
func TestDrawNameAndItemCodeAtOnce(t *testing.T) {
	db := storetest.Open(t, store.Postgres, store.Options{})
	ctx := context.Background()
	f := setUpVisits(t, ctx, db)
	var pool []string
	for i := 1; i <= 10; i++ {
		pool = append(pool, "430922112"+fmt.Sprintf("%03d", i))
	}
	checked, release, drew := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	defer let() // a failure below must not leave the draw's transaction open
	go func() {
		drew <- db.Write(ctx, store.System, func(tx *store.Tx) error {
			if err := tx.NotItemCode(ctx, "SAME-1"); err != nil {
				return err
			}
			close(checked)
			<-release
			_, err := tx.CreateDraw(ctx, f.offA.ID, &visits.Draw{Plan: "SAME-1", MinPerTier: 1,
				Tiers: []visits.Tier{{Name: "all", Rate: 0.3, Units: pool}}}, time.Now().Add(30*24*time.Hour))
			return err
		})
	}()
	<-checked
	saved := make(chan error, 1)
	go func() {
		from, to := calendar.NewDate(2026, 4, 1), calendar.NewDate(2026, 4, 30)
		p := &visits.Plan{OfficeID: f.offA.ID, Year: 2026, Title: "同名计划", Items: []visits.Item{checkItem("SAME-1", 0.2, from, to, "")}}
		saved <- db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SavePlan(ctx, p) })
	}()
	select {
	case err := <-saved:
		t.Fatalf("the plan was saved while the draw of the same name was being made: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	let()
	if err := <-drew; err != nil {
		t.Fatal(err)
	}
	var ce *store.ConflictError
	if err := <-saved; !errors.As(err, &ce) || ce.Key != "store.conflict.item_code_draw" {
		t.Fatalf("the plan after the draw: %v", err)
	}
}
