package collect

import "math/bits"

// Bitset marks units by their position in the unit tree's index.
type Bitset []uint64

// NewBitset holds n positions.
func NewBitset(n int) Bitset { return make(Bitset, (n+63)/64) }

// Set marks position i.
func (b Bitset) Set(i int) { b[i>>6] |= 1 << (uint(i) & 63) }

// Clear unmarks position i.
func (b Bitset) Clear(i int) { b[i>>6] &^= 1 << (uint(i) & 63) }

// Has reports whether position i is marked.
func (b Bitset) Has(i int) bool { return i>>6 < len(b) && b[i>>6]&(1<<(uint(i)&63)) != 0 }

// Count is the number of marked positions in [lo, hi).
func (b Bitset) Count(lo, hi int) int {
	n := 0
	for i := lo; i < hi; {
		if i&63 == 0 && i+64 <= hi {
			n += bits.OnesCount64(b[i>>6])
			i += 64
			continue
		}
		if b.Has(i) {
			n++
		}
		i++
	}
	return n
}

// Known says, for one element and period, which units hold a fresh value.
type Known interface {
	Has(pos int) bool
}

// None is a Known that holds nothing.
var None Known = Bitset(nil)
