// Package visits holds inspection and research plans, verifiable
// double-random draws of targets and inspectors, joint scheduling, sealed
// targets and field records. It has no SQL and no HTTP in it.
package visits

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// DrawVersion names the algorithm below; a verifier refuses other versions.
const DrawVersion = "lighten-draw-v1"

// Tier is a part of the pool drawn at its own rate (a risk tier).
type Tier struct {
	Name  string   `json:"name"`
	Rate  float64  `json:"rate"` // share of the tier drawn, 0 < rate <= 1
	Units []string `json:"units"`
}

// Draw is the public record of a draw. Before the draw only Commitment,
// the pool and the parameters are published; the public value is fixed
// after the commitment; after the visits the secret is revealed and anyone
// can recompute the selection.
type Draw struct {
	Version     string   `json:"version"`
	Plan        string   `json:"plan"` // the plan item's identifier
	Tiers       []Tier   `json:"tiers"`
	MinPerTier  int      `json:"min_per_tier"` // at least this many from a non-empty tier
	Commitment  string   `json:"commitment"`   // hex SHA-256, published first
	PublicValue string   `json:"public_value"` // e.g. a beacon round's value, entered after the commitment
	Secret      string   `json:"secret"`       // hex, revealed after the visits
	Selected    []string `json:"selected"`     // the targets, revealed after the visits
	Digest      string   `json:"digest"`       // hex SHA-256 of the selection, published at the draw
	// Inspectors is the register the teams are drawn from, in ascending
	// ID order, each with the code prefixes of the units it must not
	// visit; TeamSize inspectors are drawn for each target. A draw with
	// TeamSize 0 draws targets only (and its digests are those of a
	// target-only draw).
	Inspectors []DrawInspector `json:"inspectors,omitempty"`
	TeamSize   int             `json:"team_size,omitempty"`
	// Teams are the drawn teams, parallel to Selected (the leader first),
	// revealed with it.
	Teams [][]string `json:"teams,omitempty"`
	// Beacon, when set, is the source of the public value, fixed by the
	// commitment: PublicValue is then the named round's randomness. A draw
	// without a beacon took a value entered by hand.
	Beacon *Beacon `json:"beacon,omitempty"`
}

// DrawInspector is an inspector in a draw's register: the public register
// number and the recusal prefixes (unit code prefixes the inspector never
// visits: a target whose code begins with any of them is not theirs).
type DrawInspector struct {
	ID     string   `json:"id"`
	Recuse []string `json:"recuse,omitempty"`
}

// field writes one length-prefixed field to a hash, so that no two inputs
// encode alike.
func field(h interface{ Write([]byte) (int, error) }, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// PoolDigest is SHA-256 over the version, the plan, the minimum per tier
// and every tier (name, rate written with strconv 'g' -1, the units in the
// order given, which must be code order).
func (d *Draw) PoolDigest() []byte {
	h := sha256.New()
	field(h, []byte(DrawVersion+"/pool"))
	field(h, []byte(d.Plan))
	field(h, []byte(strconv.Itoa(d.MinPerTier)))
	for _, t := range d.Tiers {
		field(h, []byte(t.Name))
		field(h, []byte(strconv.FormatFloat(t.Rate, 'g', -1, 64)))
		field(h, []byte(strconv.Itoa(len(t.Units))))
		for _, u := range t.Units {
			field(h, []byte(u))
		}
	}
	if d.TeamSize > 0 {
		d.teamPoolDigest(h)
	}
	if d.Beacon != nil {
		d.Beacon.digest(h)
	}
	return h.Sum(nil)
}

// Commit is the commitment to a secret over the pool and parameters.
func (d *Draw) Commit(secret []byte) string {
	h := sha256.New()
	field(h, []byte(DrawVersion+"/commit"))
	field(h, secret)
	field(h, d.PoolDigest())
	return hex.EncodeToString(h.Sum(nil))
}

// seed derives the 32-byte ChaCha8 seed of one tier from the secret, the
// public value and the pool.
func (d *Draw) seed(secret []byte, tier string) [32]byte {
	return d.seedOf(d.PoolDigest(), secret, tier)
}

// seedOf is seed with the pool digest already computed.
func (d *Draw) seedOf(pool, secret []byte, tier string) [32]byte {
	h := sha256.New()
	field(h, []byte(DrawVersion+"/seed"))
	field(h, pool)
	field(h, secret)
	field(h, []byte(d.PublicValue))
	field(h, []byte(tier))
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return s
}

// uniform returns a number in [0, m) from the generator without bias: it
// takes 64-bit outputs x, rejects those below (2^64 - m) mod m, and returns
// x mod m. Written out so that another implementation can follow it.
func uniform(r *rand.ChaCha8, m uint64) uint64 {
	t := -m % m // (2^64 - m) mod m in uint64 arithmetic
	for {
		x := r.Uint64()
		if x >= t {
			return x % m
		}
	}
}

// Count is how many units of a tier of n are drawn: ceil(rate × n), at
// least MinPerTier, at most n.
func (d *Draw) Count(rate float64, n int) int {
	if n == 0 {
		return 0
	}
	k := int(rate*float64(n) + 0.999999999)
	if k < d.MinPerTier {
		k = d.MinPerTier
	}
	if k > n {
		k = n
	}
	return k
}

// Select draws the targets: for each tier, a partial Fisher–Yates shuffle
// of its units (in the order given) with the tier's ChaCha8 stream (the
// C2SP chacha8rand generator): for i from 0 to k-1, j = i + uniform(n-i),
// swap positions i and j; the first k are drawn. Tiers in order; the
// selection lists tier by tier, each in draw order.
func (d *Draw) Select(secret []byte) []string {
	var out []string
	pool := d.PoolDigest()
	for _, t := range d.Tiers {
		n := len(t.Units)
		k := d.Count(t.Rate, n)
		r := rand.NewChaCha8(d.seedOf(pool, secret, t.Name))
		partialShuffle(r, n, k, func(pos int) { out = append(out, t.Units[pos]) })
	}
	return out
}

// SelectionDigest is SHA-256 over the pool, the public value, the secret
// and the selected codes, sorted: published at the draw instead of the
// list. The secret keeps a small pool's few possible selections from being
// guessed from the digest; the pool and public value bind it to this draw
// even when everyone in the pool is drawn.
func (d *Draw) SelectionDigest(secret []byte, selected []string) string {
	s := append([]string(nil), selected...)
	sort.Strings(s)
	h := sha256.New()
	field(h, []byte(DrawVersion+"/selection"))
	field(h, d.PoolDigest())
	field(h, []byte(d.PublicValue))
	field(h, secret)
	for _, c := range s {
		field(h, []byte(c))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// teamSelectionDigest is SelectionDigest over the teams as well: after the
// sorted codes, for each selected unit in ascending code order, the unit,
// its team's size and its members in draw order.
func (d *Draw) teamSelectionDigest(secret []byte, selected []string, teams [][]string) string {
	if d.TeamSize <= 0 {
		return d.SelectionDigest(secret, selected)
	}
	s := append([]string(nil), selected...)
	sort.Strings(s)
	team := make(map[string][]string, len(selected))
	for i, c := range selected {
		if i < len(teams) {
			team[c] = teams[i]
		}
	}
	h := sha256.New()
	field(h, []byte(DrawVersion+"/selection"))
	field(h, d.PoolDigest())
	field(h, []byte(d.PublicValue))
	field(h, secret)
	for _, c := range s {
		field(h, []byte(c))
	}
	field(h, []byte(DrawVersion+"/teams"))
	for _, c := range s {
		field(h, []byte(c))
		field(h, []byte(strconv.Itoa(len(team[c]))))
		for _, m := range team[c] {
			field(h, []byte(m))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Validate checks a draw's parameters before it runs.
func (d *Draw) Validate() error {
	if d.Plan == "" {
		return invalid("plan", "visits.error.draw_plan")
	}
	if len(d.Tiers) == 0 {
		return invalid("tiers", "visits.error.draw_pool")
	}
	seen := map[string]bool{}
	for i, t := range d.Tiers {
		f := "tiers[" + strconv.Itoa(i) + "]."
		if !(t.Rate > 0 && t.Rate <= 1) {
			return invalid(f+"rate", "visits.error.draw_tier_rate", t.Name, t.Rate)
		}
		if seen[t.Name] {
			return invalid(f+"name", "visits.error.draw_tier_twice", t.Name)
		}
		seen[t.Name] = true
		for j := 1; j < len(t.Units); j++ {
			if t.Units[j] <= t.Units[j-1] {
				return invalid(f+"units["+strconv.Itoa(j)+"]", "visits.error.draw_tier_order", t.Name, t.Units[j], t.Units[j-1])
			}
		}
	}
	if err := d.validateTeams(); err != nil {
		return err
	}
	if d.Beacon != nil {
		return d.Beacon.validate()
	}
	return nil
}

// Prepare commits to a fresh secret: the first step, before the public
// value is known. The secret is returned to be kept until the reveal.
func (d *Draw) Prepare(secret []byte) {
	d.Version = DrawVersion
	d.Commitment = d.Commit(secret)
}

// Run draws once the public value is set, and records the selection's
// digest. The selection itself is kept sealed until the visits. A draw
// with teams draws them too (see RunTeams) and its digest covers them.
func (d *Draw) Run(secret []byte) ([]string, error) {
	sel, _, err := d.RunTeams(secret)
	return sel, err
}

// RunTeams draws the targets and, when TeamSize > 0, a team for each
// (parallel to the targets, the leader first), and records the digest of
// both. Both stay sealed until the visits.
func (d *Draw) RunTeams(secret []byte) (sel []string, teams [][]string, err error) {
	if d.Commitment == "" || d.Commit(secret) != d.Commitment {
		return nil, nil, errors.New("the secret does not match the published commitment")
	}
	if strings.TrimSpace(d.PublicValue) == "" {
		return nil, nil, errors.New("the public value is not set: enter it after the commitment is published")
	}
	if err := d.validateTeams(); err != nil {
		return nil, nil, err
	}
	sel = d.Select(secret)
	if d.TeamSize > 0 {
		if teams, err = d.SelectTeams(secret, sel); err != nil {
			return nil, nil, err
		}
	}
	d.Digest = d.teamSelectionDigest(secret, sel, teams)
	return sel, teams, nil
}

// VerifyError says which check of a published draw failed.
type VerifyError struct{ Msg string }

func (e *VerifyError) Error() string { return "draw does not verify: " + e.Msg }

// Verify recomputes a revealed draw from its published record: the
// commitment from the secret and the pool, the selection from the secret
// and the public value, and the digest. Any change to pool, parameters,
// public value, secret or selection fails.
func Verify(d *Draw) error {
	if d.Version != DrawVersion {
		return &VerifyError{fmt.Sprintf("version %q, %q expected", d.Version, DrawVersion)}
	}
	if err := d.Validate(); err != nil {
		return &VerifyError{err.Error()}
	}
	if err := d.verifyBeacon(); err != nil {
		return err
	}
	secret, err := hex.DecodeString(d.Secret)
	if err != nil || len(secret) == 0 {
		return &VerifyError{"the secret is not revealed (hex expected)"}
	}
	if d.Commit(secret) != d.Commitment {
		return &VerifyError{"the secret and the pool do not match the commitment"}
	}
	sel := d.Select(secret)
	var teams [][]string
	if d.TeamSize > 0 {
		if teams, err = d.SelectTeams(secret, sel); err != nil {
			return &VerifyError{err.Error()}
		}
	}
	if d.teamSelectionDigest(secret, sel, teams) != d.Digest {
		return &VerifyError{"the recomputed selection does not match the published digest"}
	}
	if d.Selected != nil && strings.Join(sel, ",") != strings.Join(d.Selected, ",") {
		return &VerifyError{"the published selection differs from the recomputed one"}
	}
	if d.TeamSize <= 0 && d.Teams != nil {
		return &VerifyError{"the record publishes teams but its draw has no team size"}
	}
	if d.Teams != nil {
		if len(d.Teams) != len(teams) {
			return &VerifyError{fmt.Sprintf("the record publishes %d teams, the draw makes %d", len(d.Teams), len(teams))}
		}
		for i := range teams {
			if strings.Join(teams[i], ",") != strings.Join(d.Teams[i], ",") {
				return &VerifyError{fmt.Sprintf("the published team at %s differs from the recomputed one", sel[i])}
			}
		}
	}
	return nil
}
