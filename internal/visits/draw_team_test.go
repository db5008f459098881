package visits

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// A record drawn before teams existed still verifies, with the same
// commitment and digests.
func TestTeamlessRecordStillVerifies(t *testing.T) {
	b, err := os.ReadFile("testdata/draw-v1-no-teams.json")
	if err != nil {
		t.Fatal(err)
	}
	var d Draw
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if err := Verify(&d); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(&d)
	for _, k := range []string{"inspectors", "team_size", "teams"} {
		if strings.Contains(string(out), `"`+k+`"`) {
			t.Errorf("a team-less record gains the field %s", k)
		}
	}
	d.Selected[0], d.Selected[1] = d.Selected[1], d.Selected[0]
	if Verify(&d) == nil {
		t.Fatal("a reordered selection verified")
	}
}

func register(n int) []DrawInspector {
	out := make([]DrawInspector, n)
	for i := range out {
		out[i] = DrawInspector{ID: fmt.Sprintf("I%04d", i+1)}
	}
	return out
}

// teamDraw prepares a draw of the pool with a register and team size.
func teamDraw(units []string, rate float64, reg []DrawInspector, team int, secret []byte, public string) *Draw {
	d := &Draw{Plan: "2026-Q2-农业", MinPerTier: 1, Tiers: []Tier{{Name: BaseTier, Rate: rate, Units: units}}, Inspectors: reg, TeamSize: team}
	d.Prepare(secret)
	d.PublicValue = public
	return d
}

func revealTeams(t interface{ Fatal(...any) }, d *Draw, secret []byte) {
	sel, teams, err := d.RunTeams(secret)
	if err != nil {
		t.Fatal(err)
	}
	d.Secret, d.Selected, d.Teams = hex.EncodeToString(secret), sel, teams
}

func TestTeamDraw(t *testing.T) {
	reg := register(6)
	reg[0].Recuse = []string{"430922101"}                 // works in township 101
	reg[1].Recuse = []string{"430922100", "430922102003"} // a township and a unit visited
	secret := []byte("k")
	d := teamDraw(pool(30), 0.3, reg, 3, secret, "round 1")
	revealTeams(t, d, secret)
	if len(d.Teams) != len(d.Selected) || len(d.Selected) != 9 {
		t.Fatalf("%d teams for %d targets", len(d.Teams), len(d.Selected))
	}
	for i, u := range d.Selected {
		if len(d.Teams[i]) != 3 {
			t.Fatalf("team at %s: %v", u, d.Teams[i])
		}
		for _, m := range d.Teams[i] {
			if (m == "I0002" && strings.HasPrefix(u, "430922100")) || (m == "I0001" && strings.HasPrefix(u, "430922101")) {
				t.Fatalf("recused inspector %s drawn at %s", m, u)
			}
		}
	}
	if err := Verify(d); err != nil {
		t.Fatal(err)
	}
	// Run without teams in hand gives the same digest.
	e := teamDraw(pool(30), 0.3, reg, 3, secret, "round 1")
	if sel, err := e.Run(secret); err != nil || e.Digest != d.Digest || !slices.Equal(sel, d.Selected) {
		t.Fatalf("Run and RunTeams disagree: %v", err)
	}
	// Too few eligible: the error names the unit and the counts.
	short := register(3)
	short[0].Recuse, short[1].Recuse = []string{"430922"}, []string{"4309"}
	f := teamDraw(pool(5), 1, short, 2, secret, "x")
	_, _, err := f.RunTeams(secret)
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "Unit "+ve.Args[0].(string)) || !strings.Contains(err.Error(), "only 1 eligible") || !strings.Contains(err.Error(), "needs 2") {
		t.Fatalf("short team: %v", err)
	}
	if ve.Message().ZH == "" || !strings.Contains(ve.Message().ZH, ve.Args[0].(string)) {
		t.Fatalf("no Chinese message: %+v", ve.Message())
	}
}

func TestTeamParametersValidated(t *testing.T) {
	base := func() *Draw {
		return &Draw{Plan: "p", Tiers: []Tier{{Name: "all", Rate: 0.5, Units: pool(4)}}, Inspectors: register(3), TeamSize: 2}
	}
	if err := base().Validate(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(d *Draw){
		"inspectors out of order": func(d *Draw) { d.Inspectors[0], d.Inspectors[1] = d.Inspectors[1], d.Inspectors[0] },
		"repeated inspector":      func(d *Draw) { d.Inspectors[1] = d.Inspectors[0] },
		"inspector without id":    func(d *Draw) { d.Inspectors[2].ID = "" },
		"empty recusal":           func(d *Draw) { d.Inspectors[0].Recuse = []string{""} },
		"recusals out of order":   func(d *Draw) { d.Inspectors[0].Recuse = []string{"4309", "4308"} },
		"negative team":           func(d *Draw) { d.TeamSize = -1 },
		"register without team":   func(d *Draw) { d.TeamSize = 0 },
		"tier named like a team":  func(d *Draw) { d.Tiers[0].Name = "team/430922000001" },
	}
	for name, change := range cases {
		d := base()
		change(d)
		if err := d.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRecusals(t *testing.T) {
	in := RegisteredInspector{Works: "430922101001", Origin: "430922", Relations: []string{"430922203", "430922101"}}
	got := Recusals(in, []string{"430922300001", "430922203", ""})
	want := []string{"430922101", "430922203", "430922300001"}
	if !slices.Equal(got, want) {
		t.Fatalf("Recusals = %v, want %v", got, want)
	}
	in = RegisteredInspector{Works: "430922", Origin: "430981102"}
	if got := Recusals(in, nil); !slices.Equal(got, []string{"430981102"}) {
		t.Fatalf("Recusals of a county office's inspector = %v", got)
	}
	d := DrawInspector{ID: "x", Recuse: want}
	for u, r := range map[string]bool{"430922101009": true, "430922203011": true, "430922300001": true, "430922300002": false, "430922102001": false} {
		if d.Recused(u) != r {
			t.Errorf("Recused(%s) = %v", u, !r)
		}
	}
}

// genRegister makes a register of n inspectors with random recusals among
// the townships and villages of the pool.
func genRegister(rt *rapid.T, n int, units []string) []DrawInspector {
	reg := register(n)
	for i := range reg {
		var rs []string
		for range rapid.IntRange(0, 3).Draw(rt, "recusals") {
			u := rapid.SampledFrom(units).Draw(rt, "unit")
			if rapid.Bool().Draw(rt, "township") {
				u = Township(u)
			}
			rs = append(rs, u)
		}
		reg[i].Recuse = Recusals(RegisteredInspector{Relations: rs}, nil)
	}
	return reg
}

// treePool is a pool over several townships.
func treePool(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("430922%03d%03d", 100+i/10, i%10+1)
	}
	return out
}

// No recused inspector is ever drawn; every team has TeamSize distinct
// members; the same record gives the same selection and teams; any
// tampering fails verification.
func TestTeamDrawProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		units := treePool(rapid.IntRange(1, 60).Draw(rt, "pool"))
		team := rapid.IntRange(1, 4).Draw(rt, "team")
		reg := genRegister(rt, rapid.IntRange(team, 12).Draw(rt, "inspectors"), units)
		secret := []byte(rapid.StringN(1, 16, -1).Draw(rt, "secret"))
		d := teamDraw(units, rapid.Float64Range(0.05, 1).Draw(rt, "rate"), reg, team, secret, "round "+rapid.StringN(1, 8, -1).Draw(rt, "public"))
		sel, teams, err := d.RunTeams(secret)
		if err != nil {
			// Only because some target has too few eligible inspectors.
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Key != "visits.error.team_short" {
				rt.Fatal(err)
			}
			unit := ve.Args[0].(string)
			if len(d.Eligible(unit)) >= team {
				rt.Fatalf("refused %s with %d eligible", unit, len(d.Eligible(unit)))
			}
			return
		}
		d.Secret, d.Selected, d.Teams = hex.EncodeToString(secret), sel, teams
		byID := map[string]DrawInspector{}
		for _, in := range reg {
			byID[in.ID] = in
		}
		for i, u := range sel {
			if len(teams[i]) != team {
				rt.Fatalf("team at %s has %d members, want %d", u, len(teams[i]), team)
			}
			seen := map[string]bool{}
			for _, m := range teams[i] {
				in := byID[m]
				if in.Recused(u) {
					rt.Fatalf("inspector %s (recusals %v) drawn at %s", m, in.Recuse, u)
				}
				if seen[m] {
					rt.Fatalf("inspector %s twice in the team at %s", m, u)
				}
				seen[m] = true
			}
		}
		if err := Verify(d); err != nil {
			rt.Fatal(err)
		}
		again := *d
		s2, t2, err := again.RunTeams(secret)
		if err != nil || !slices.Equal(s2, sel) || fmt.Sprint(t2) != fmt.Sprint(teams) || again.Digest != d.Digest {
			rt.Fatal("the same record gave another draw")
		}
		tampered := *d
		tampered.Tiers = []Tier{{Name: BaseTier, Rate: d.Tiers[0].Rate, Units: slices.Clone(units)}}
		tampered.Inspectors = make([]DrawInspector, len(reg))
		for i, in := range reg {
			tampered.Inspectors[i] = DrawInspector{ID: in.ID, Recuse: slices.Clone(in.Recuse)}
		}
		tampered.Teams = make([][]string, len(teams))
		for i := range teams {
			tampered.Teams[i] = slices.Clone(teams[i])
		}
		switch rapid.IntRange(0, 7).Draw(rt, "what") {
		case 0:
			tampered.Tiers[0].Units = append(tampered.Tiers[0].Units, "999999999999")
		case 1: // a recusal dropped or added
			in := &tampered.Inspectors[rapid.IntRange(0, len(reg)-1).Draw(rt, "who")]
			if len(in.Recuse) > 0 {
				in.Recuse = in.Recuse[1:]
			} else {
				in.Recuse = []string{"9"}
			}
		case 2:
			tampered.TeamSize++
		case 3:
			tampered.PublicValue += "!"
		case 4:
			s, _ := hex.DecodeString(d.Secret)
			s[0] ^= 1
			tampered.Secret = hex.EncodeToString(s)
		case 5: // a team member replaced
			tampered.Teams[0][0] = "X9999"
		case 6: // an inspector taken out of the register
			tampered.Inspectors = tampered.Inspectors[1:]
		case 7: // the team's order changed (the leader is the first drawn)
			if team < 2 {
				tampered.Teams = tampered.Teams[:0]
			} else {
				tampered.Teams[0][0], tampered.Teams[0][1] = tampered.Teams[0][1], tampered.Teams[0][0]
			}
		}
		if Verify(&tampered) == nil {
			rt.Fatal("tampering was not detected")
		}
	})
}

// Over many seeds each eligible inspector joins a team equally often, and
// leads equally often: chi-square tests at the 0.1% level, with fixed
// seeds so they cannot flake.
func TestTeamDrawUniform(t *testing.T) {
	const n, team, runs = 20, 2, 3000
	reg := register(n + 1)
	reg[n].Recuse = []string{"430922"} // never eligible here
	members, leaders := make([]int, n+1), make([]int, n+1)
	for r := 0; r < runs; r++ {
		secret := []byte(fmt.Sprintf("team-seed-%d", r))
		d := teamDraw(pool(10), 0.1, reg, team, secret, "public")
		_, teams, err := d.RunTeams(secret)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range teams[0] {
			var k int
			fmt.Sscanf(m, "I%d", &k)
			members[k-1]++
			if i == 0 {
				leaders[k-1]++
			}
		}
	}
	if members[n] != 0 {
		t.Fatalf("the recused inspector was drawn %d times", members[n])
	}
	chi := func(counts []int, total int) float64 {
		e := float64(total) / float64(len(counts))
		c := 0.0
		for _, x := range counts {
			c += (float64(x) - e) * (float64(x) - e) / e
		}
		return c
	}
	// The 99.9th percentile of chi-square with 19 degrees of freedom is 43.82.
	if c := chi(members[:n], runs*team); c > 43.82 {
		t.Fatalf("members: chi-square %.1f, not uniform (%v)", c, members)
	}
	if c := chi(leaders[:n], runs); c > 43.82 {
		t.Fatalf("leaders: chi-square %.1f, not uniform (%v)", c, leaders)
	}
}

// The index of recusals finds exactly the inspectors that a scan of the
// register finds.
func TestRecusalIndexMatchesScan(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		units := treePool(rapid.IntRange(1, 50).Draw(rt, "pool"))
		reg := genRegister(rt, rapid.IntRange(1, 15).Draw(rt, "inspectors"), units)
		if rapid.Bool().Draw(rt, "short prefixes") {
			reg[0].Recuse = Recusals(RegisteredInspector{Relations: append(slices.Clone(reg[0].Recuse), "43", "430922")}, nil)
		}
		ix := newRecusalIndex(reg)
		for _, u := range units {
			var scan []int
			for i, in := range reg {
				if in.Recused(u) {
					scan = append(scan, i)
				}
			}
			if got := ix.recused(u, nil); !slices.Equal(got, scan) {
				rt.Fatalf("unit %s: index %v, scan %v", u, got, scan)
			}
		}
	})
}

// Draw and verify with teams over every village of the country and a
// national register of 20,000 inspectors, each recused from two townships.
func BenchmarkTeamDrawNational(b *testing.B) {
	units := pool(620573)
	reg := make([]DrawInspector, 20000)
	for i := range reg {
		reg[i].ID = fmt.Sprintf("N%05d", i+1)
		reg[i].Recuse = []string{fmt.Sprintf("430922%03d", i%1000), fmt.Sprintf("430923%03d", i%1000)}
		slices.Sort(reg[i].Recuse)
	}
	secret := []byte("s")
	d := teamDraw(units, 0.05, reg, 2, secret, "v")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		revealTeams(b, d, secret)
		if err := Verify(d); err != nil {
			b.Fatal(err)
		}
	}
}
