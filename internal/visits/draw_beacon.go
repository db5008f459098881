package visits

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/circl/sign/bls"
)

// Beacon is the source of a draw's public value, fixed in its commitment:
// a round of a drand chain that is published after the commitment. Its
// value (the SHA-256 of the round's BLS signature) is outside the drawing
// office's control and anyone can check it with the chain's public key, so
// the office cannot try values before choosing one.
type Beacon struct {
	Source    string `json:"source"`     // "drand"
	Chain     string `json:"chain"`      // the chain's hash, hex
	Scheme    string `json:"scheme"`     // the chain's signature scheme
	PublicKey string `json:"public_key"` // the chain's BLS public key, hex
	Genesis   int64  `json:"genesis"`    // the chain's first round, Unix seconds
	Period    int64  `json:"period"`     // seconds between rounds
	Round     uint64 `json:"round"`      // the round committed to
	// Signature is the round's BLS signature, hex, entered at the draw.
	Signature string `json:"signature,omitempty"`
}

// BeaconChain is a drand chain lighten knows.
type BeaconChain struct {
	Name      string
	Chain     string
	Scheme    string
	PublicKey string
	Genesis   int64
	Period    int64
}

// SchemeG1RFC9380 is drand's unchained scheme with signatures on G1 and the
// RFC 9380 hash to curve: the round's message is the SHA-256 of the round
// number as 8 big-endian bytes.
const SchemeG1RFC9380 = "bls-unchained-g1-rfc9380"

// Quicknet is the League of Entropy's drand quicknet chain (a round every 3
// seconds since 2023-08-23), as https://api.drand.sh/52db9ba7…/info gives it.
var Quicknet = BeaconChain{
	Name:      "drand quicknet",
	Chain:     "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
	Scheme:    SchemeG1RFC9380,
	PublicKey: "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
	Genesis:   1692803367,
	Period:    3,
}

// KnownChains are the chains a draw may commit to.
var KnownChains = []BeaconChain{Quicknet}

// BeaconLead is how long after its commitment a draw's round is published
// at the earliest: the commitment is public before anyone can know the
// value.
const BeaconLead = 5 * time.Minute

// RoundAfter is the chain's first round published at or after t.
func (c BeaconChain) RoundAfter(t time.Time) uint64 {
	g := time.Unix(c.Genesis, 0)
	if !t.After(g) {
		return 1
	}
	p := time.Duration(c.Period) * time.Second
	return uint64((t.Sub(g)+p-1)/p) + 1
}

// Commit names the round a draw committed at now takes its value from:
// the first published BeaconLead or more after now.
func (c BeaconChain) Commit(now time.Time) *Beacon {
	return &Beacon{Source: "drand", Chain: c.Chain, Scheme: c.Scheme, PublicKey: c.PublicKey, Genesis: c.Genesis,
		Period: c.Period, Round: c.RoundAfter(now.Add(BeaconLead))}
}

// Time is when the round is published: genesis + (round − 1) × period.
func (b *Beacon) Time() time.Time {
	return time.Unix(b.Genesis+int64(b.Round-1)*b.Period, 0).UTC()
}

// Known is the chain the beacon names, if lighten knows it (the same hash,
// scheme, key, genesis and period).
func (b *Beacon) Known() (BeaconChain, bool) {
	for _, c := range KnownChains {
		if c.Chain == b.Chain && c.Scheme == b.Scheme && c.PublicKey == b.PublicKey && c.Genesis == b.Genesis && c.Period == b.Period {
			return c, true
		}
	}
	return BeaconChain{}, false
}

// URL is where drand publishes the round.
func (b *Beacon) URL() string {
	return "https://api.drand.sh/" + b.Chain + "/public/" + strconv.FormatUint(b.Round, 10)
}

// validate checks the beacon's parameters, as Draw.Validate does.
func (b *Beacon) validate() error {
	if b.Source != "drand" {
		return invalid("beacon.source", "visits.error.beacon_source", b.Source)
	}
	if _, ok := b.Known(); !ok {
		return invalid("beacon.chain", "visits.error.beacon_chain", b.Chain)
	}
	if b.Round < 1 {
		return invalid("beacon.round", "visits.error.beacon_round")
	}
	return nil
}

// digest continues a pool digest with the beacon: the tag, the source, the
// chain, the scheme, the public key, the genesis, the period and the round.
func (b *Beacon) digest(h hash.Hash) {
	field(h, []byte(DrawVersion+"/beacon"))
	field(h, []byte(b.Source))
	field(h, []byte(b.Chain))
	field(h, []byte(b.Scheme))
	field(h, []byte(b.PublicKey))
	field(h, []byte(strconv.FormatInt(b.Genesis, 10)))
	field(h, []byte(strconv.FormatInt(b.Period, 10)))
	field(h, []byte(strconv.FormatUint(b.Round, 10)))
}

// ErrBeaconSignature is a round's signature that does not verify.
var ErrBeaconSignature = errors.New("the beacon round's signature does not verify under the chain's public key")

// Randomness checks a signature of the round (hex) under the chain's public
// key and returns the round's value: the hex SHA-256 of the signature.
func (b *Beacon) Randomness(sig string) (string, error) {
	raw, err := hex.DecodeString(sig)
	if err != nil || len(raw) != 48 {
		return "", ErrBeaconSignature
	}
	key, err := hex.DecodeString(b.PublicKey)
	if err != nil {
		return "", ErrBeaconSignature
	}
	var pub bls.PublicKey[bls.KeyG2SigG1]
	if err := pub.UnmarshalBinary(key); err != nil {
		return "", ErrBeaconSignature
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], b.Round)
	msg := sha256.Sum256(n[:])
	if !bls.Verify(&pub, msg[:], raw) {
		return "", ErrBeaconSignature
	}
	r := sha256.Sum256(raw)
	return hex.EncodeToString(r[:]), nil
}

// ParseBeaconValue reads what the office enters for a round: its signature
// in hex, or drand's JSON answer for the round ({"round", "randomness",
// "signature"}). It returns the round named (0 when only a signature is
// given) and the signature, lowercase.
func ParseBeaconValue(s string) (round uint64, sig string, err error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		var v struct {
			Round     uint64 `json:"round"`
			Signature string `json:"signature"`
		}
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return 0, "", fmt.Errorf("not drand's answer for a round: %w", err)
		}
		round, s = v.Round, v.Signature
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if _, err := hex.DecodeString(s); err != nil || len(s) != 96 {
		return 0, "", errors.New("a signature is 96 hexadecimal digits")
	}
	return round, s, nil
}

// verifyBeacon checks a published draw's public value against its beacon.
func (d *Draw) verifyBeacon() error {
	b := d.Beacon
	if b == nil {
		return nil
	}
	if b.Signature == "" {
		return &VerifyError{fmt.Sprintf("the signature of beacon round %d is not in the record", b.Round)}
	}
	r := sha256.Sum256(mustHex(b.Signature))
	if _, err := hex.DecodeString(b.Signature); err != nil || len(b.Signature) != 96 || hex.EncodeToString(r[:]) != d.PublicValue {
		return &VerifyError{fmt.Sprintf("the public value is not the randomness of beacon round %d (the SHA-256 of its signature)", b.Round)}
	}
	if _, err := b.Randomness(b.Signature); err != nil {
		return &VerifyError{fmt.Sprintf("the signature of beacon round %d does not verify under the chain's public key", b.Round)}
	}
	return nil
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}
