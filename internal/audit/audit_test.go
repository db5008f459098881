package audit

import (
	"errors"
	"testing"
	"time"
)

func chain(n int) []Record {
	var out []Record
	prev := Genesis
	for i := 1; i <= n; i++ {
		r := Record{Seq: int64(i), At: time.Date(2026, 1, 5, 9, 0, i, 1500, time.UTC), ActorID: 7, Actor: "zhang",
			Action: "person.create", Entity: "person", EntityID: "3", UnitCode: "430922", After: JSON(map[string]int{"i": i})}
		Seal(&r, prev)
		prev = r.Hash
		out = append(out, r)
	}
	return out
}

func verify(rs []Record) error {
	v := NewVerifier()
	for _, r := range rs {
		if err := v.Check(r); err != nil {
			return err
		}
	}
	return nil
}

func TestChain(t *testing.T) {
	if err := verify(chain(5)); err != nil {
		t.Fatal(err)
	}
	for name, tamper := range map[string]func([]Record) []Record{
		"changed after":  func(rs []Record) []Record { rs[2].After = JSON(map[string]int{"i": 99}); return rs },
		"changed actor":  func(rs []Record) []Record { rs[2].Actor = "li"; return rs },
		"changed time":   func(rs []Record) []Record { rs[2].At = rs[2].At.Add(time.Second); return rs },
		"removed record": func(rs []Record) []Record { return append(rs[:2], rs[3:]...) },
		"swapped":        func(rs []Record) []Record { rs[2], rs[3] = rs[3], rs[2]; return rs },
		"rehashed alone": func(rs []Record) []Record { rs[2].Reason = "x"; rs[2].Hash = ComputeHash(rs[2]); return rs },
	} {
		err := verify(tamper(chain(5)))
		var b *Break
		if !errors.As(err, &b) {
			t.Errorf("%s: not detected", name)
			continue
		}
		if b.Seq < 3 || b.Seq > 4 {
			t.Errorf("%s: broken at %d, want 3 or 4", name, b.Seq)
		}
	}
}
