package visits

import (
	"encoding/hex"
	"fmt"
	"math"
	"testing"

	"pgregory.net/rapid"
)

func pool(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("430922%06d", i+1)
	}
	return out
}

func prepared(n int, rate float64, secret []byte, public string) *Draw {
	d := &Draw{Plan: "2026-Q4-安全生产", MinPerTier: 1, Tiers: []Tier{{Name: "all", Rate: rate, Units: pool(n)}}}
	d.Prepare(secret)
	d.PublicValue = public
	return d
}

func reveal(t interface{ Fatal(...any) }, d *Draw, secret []byte) {
	sel, err := d.Run(secret)
	if err != nil {
		t.Fatal(err)
	}
	d.Secret, d.Selected = hex.EncodeToString(secret), sel
}

func TestDrawVerifies(t *testing.T) {
	secret := []byte("a secret of the drawing office")
	d := prepared(1000, 0.05, secret, "beacon round 4821: 9f2c…")
	reveal(t, d, secret)
	if len(d.Selected) != 50 {
		t.Fatalf("drew %d, want 50", len(d.Selected))
	}
	if err := Verify(d); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range d.Selected {
		if seen[s] {
			t.Fatalf("%s drawn twice", s)
		}
		seen[s] = true
	}
	// The public value is fixed after the commitment: without it, no draw.
	e := prepared(10, 0.5, secret, "")
	if _, err := e.Run(secret); err == nil {
		t.Fatal("drew without a public value")
	}
	if _, err := prepared(10, 0.5, secret, "x").Run([]byte("another secret")); err == nil {
		t.Fatal("drew with a secret that does not match the commitment")
	}
}

// The same record always gives the same selection, and any tampering fails
// verification.
func TestDrawTamperingFails(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(2, 300).Draw(rt, "n")
		rate := rapid.Float64Range(0.01, 1).Draw(rt, "rate")
		secret := []byte(rapid.StringN(1, 20, -1).Draw(rt, "secret"))
		d := prepared(n, rate, secret, "round "+rapid.StringN(1, 10, -1).Draw(rt, "public"))
		reveal(rt, d, secret)
		if err := Verify(d); err != nil {
			rt.Fatal(err)
		}
		again := *d
		again.Selected = nil
		if sel := again.Select(secret); fmt.Sprint(sel) != fmt.Sprint(d.Selected) {
			rt.Fatal("the same record gave another selection")
		}
		tampered := *d
		tampered.Tiers = []Tier{{Name: "all", Rate: rate, Units: append([]string(nil), d.Tiers[0].Units...)}}
		switch rapid.IntRange(0, 5).Draw(rt, "what") {
		case 0:
			tampered.Tiers[0].Units = tampered.Tiers[0].Units[1:] // a unit taken out of the pool
		case 1:
			tampered.Tiers[0].Rate = math.Nextafter(rate, 2) // the parameters changed
		case 2:
			tampered.PublicValue += "!"
		case 3:
			s, _ := hex.DecodeString(d.Secret)
			s[0] ^= 1
			tampered.Secret = hex.EncodeToString(s)
		case 4:
			tampered.Selected = append([]string(nil), d.Selected...)
			tampered.Selected[0] = "999999999999"
		case 5:
			tampered.Plan += " "
		}
		if Verify(&tampered) == nil {
			rt.Fatal("tampering was not detected")
		}
	})
}

// Over many seeds every unit of the pool is drawn about equally often: a
// chi-square test at the 0.1% level, with fixed seeds so it cannot flake.
func TestDrawUniform(t *testing.T) {
	const n, k, runs = 40, 4, 4000
	counts := make([]int, n)
	for r := 0; r < runs; r++ {
		secret := []byte(fmt.Sprintf("seed-%d", r))
		d := prepared(n, float64(k)/n, secret, "public")
		for _, s := range d.Select(secret) {
			var i int
			fmt.Sscanf(s[6:], "%d", &i)
			counts[i-1]++
		}
	}
	expected := float64(runs*k) / n
	chi := 0.0
	for _, c := range counts {
		chi += (float64(c) - expected) * (float64(c) - expected) / expected
	}
	// The 99.9th percentile of chi-square with 39 degrees of freedom is 72.05.
	if chi > 72.05 {
		t.Fatalf("chi-square %.1f over %d cells: the draw is not uniform (%v)", chi, n, counts)
	}
	// Each position of the draw is uniform too, not only the set.
	first := make([]int, n)
	for r := 0; r < runs; r++ {
		secret := []byte(fmt.Sprintf("first-%d", r))
		d := prepared(n, float64(k)/n, secret, "public")
		var i int
		fmt.Sscanf(d.Select(secret)[0][6:], "%d", &i)
		first[i-1]++
	}
	chi, expected = 0, float64(runs)/n
	for _, c := range first {
		chi += (float64(c) - expected) * (float64(c) - expected) / expected
	}
	if chi > 72.05 {
		t.Fatalf("chi-square of the first draw %.1f: not uniform", chi)
	}
}

func TestTiersAndCounts(t *testing.T) {
	d := &Draw{Plan: "p", MinPerTier: 2, Tiers: []Tier{
		{Name: "high", Rate: 0.5, Units: pool(10)},
		{Name: "low", Rate: 0.05, Units: pool(20)[10:]},
	}}
	secret := []byte("s")
	d.Prepare(secret)
	d.PublicValue = "v"
	sel, err := d.Run(secret)
	if err != nil {
		t.Fatal(err)
	}
	if len(sel) != 5+2 {
		t.Fatalf("drew %d, want 5 from the high tier and the minimum 2 from the low", len(sel))
	}
	if err := (&Draw{Plan: "p", Tiers: []Tier{{Name: "a", Rate: 0.1, Units: []string{"2", "1"}}}}).Validate(); err == nil {
		t.Fatal("a pool out of code order was accepted")
	}
}

func BenchmarkDrawNational(b *testing.B) {
	p := pool(620573)
	secret := []byte("s")
	d := &Draw{Plan: "p", MinPerTier: 1, Tiers: []Tier{{Name: "all", Rate: 0.05, Units: p}}}
	d.Prepare(secret)
	d.PublicValue = "v"
	for i := 0; i < b.N; i++ {
		d.Select(secret)
	}
}
