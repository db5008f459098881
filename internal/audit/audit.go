// Package audit defines the audit record and its hash chain. Every change
// writes a record in the same transaction as the change; each record's hash
// covers its content and the previous record's hash, so that altering,
// removing or reordering a record breaks the chain from that record on.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Record is one audited change.
type Record struct {
	Seq      int64           `json:"seq"`
	At       time.Time       `json:"at"`
	ActorID  int64           `json:"actor_id"` // 0 for the system (imports, migrations, the demo)
	Actor    string          `json:"actor"`    // login, or "system"
	Action   string          `json:"action"`   // e.g. "person.create"
	Entity   string          `json:"entity"`   // e.g. "person"
	EntityID string          `json:"entity_id"`
	UnitCode string          `json:"unit"` // where in the tree the change happened, for scoped reading
	Reason   string          `json:"reason,omitempty"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// Genesis is the previous hash of the first record.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash is SHA-256 over the previous hash and every field of the
// record, each length-prefixed so that no two records encode alike. Times are
// taken in UTC at microsecond precision, which both databases keep.
func ComputeHash(r Record) string {
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte("lighten-audit-v1"))
	field([]byte(r.PrevHash))
	field([]byte(fmt.Sprint(r.Seq)))
	field([]byte(r.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)))
	field([]byte(fmt.Sprint(r.ActorID)))
	field([]byte(r.Actor))
	field([]byte(r.Action))
	field([]byte(r.Entity))
	field([]byte(r.EntityID))
	field([]byte(r.UnitCode))
	field([]byte(r.Reason))
	field(r.Before)
	field(r.After)
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets r's previous hash and hash, chaining it to prev.
func Seal(r *Record, prev string) {
	r.PrevHash = prev
	r.At = r.At.UTC().Truncate(time.Microsecond)
	r.Hash = ComputeHash(*r)
}

// Break describes where the chain is broken.
type Break struct {
	Seq    int64
	Reason string
}

func (b *Break) Error() string { return fmt.Sprintf("audit record %d: %s", b.Seq, b.Reason) }

// Verifier checks records one at a time, in sequence order.
type Verifier struct {
	prev    string
	lastSeq int64
	n       int64
}

// NewVerifier starts a check from the first record.
func NewVerifier() *Verifier { return &Verifier{prev: Genesis} }

// Check verifies the next record; it returns a *Break at the first fault.
func (v *Verifier) Check(r Record) error {
	if v.n > 0 && r.Seq != v.lastSeq+1 {
		return &Break{Seq: r.Seq, Reason: fmt.Sprintf("sequence jumps from %d to %d (a record was removed)", v.lastSeq, r.Seq)}
	}
	if r.PrevHash != v.prev {
		return &Break{Seq: r.Seq, Reason: fmt.Sprintf("previous hash %.12s… does not match record %d's hash %.12s…", r.PrevHash, v.lastSeq, v.prev)}
	}
	if got := ComputeHash(r); got != r.Hash {
		return &Break{Seq: r.Seq, Reason: fmt.Sprintf("content does not match its hash (stored %.12s…, computed %.12s…)", r.Hash, got)}
	}
	v.prev, v.lastSeq = r.Hash, r.Seq
	v.n++
	return nil
}

// Count is the number of records verified so far.
func (v *Verifier) Count() int64 { return v.n }

// JSON marshals v for a record's before or after; nil stays empty.
func JSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(fmt.Sprintf("%q", err.Error()))
	}
	return b
}
