package hashkey

import "math/bits"

// Range is an inclusive range of hash keys, as a shard's HashKeyRange.
type Range struct{ Start, End Key }

// ParseRange parses a shard's StartingHashKey and EndingHashKey (see Parse).
func ParseRange(start, end string) (Range, bool) {
	s, ok1 := Parse(start)
	e, ok2 := Parse(end)
	return Range{s, e}, ok1 && ok2
}

// Contains reports whether k is in r.
func (r Range) Contains(k Key) bool { return !k.Less(r.Start) && !r.End.Less(k) }

// Precedes reports whether o starts right after r ends.
func (r Range) Precedes(o Range) bool {
	next, ok := r.End.Next()
	return ok && next == o.Start
}

// Mid is Start + ceil((End - Start) / 2): where a split of r starts its
// second child, above Start whenever End is, and at most End.
func (r Range) Mid() Key {
	d := r.End.sub(r.Start)
	half := Key{d.Hi >> 1, d.Lo>>1 | d.Hi<<63}
	if d.Lo&1 == 1 {
		half, _ = half.add(Key{Lo: 1})
	}
	mid, _ := r.Start.add(half)
	return mid
}

// Share is the fraction of the hash key space r covers, at most 1.
func (r Range) Share() float64 {
	return min(1, (r.End.float()-r.Start.float()+1)/0x1p128)
}

// EvenRanges splits the hash key space into n >= 1 ranges as CreateStream
// does (kinesalite's formula, whose tests also run against AWS):
// step = floor(2^128 / n), range i = [i*step, (i+1)*step - 1], the last one
// ending at 2^128 - 1.
func EvenRanges(n int) []Range {
	step := spaceDiv(uint64(n))
	ranges := make([]Range, n)
	for i := range ranges {
		start := step.mul64(uint64(i))
		end := Max
		if i < n-1 {
			next, _ := start.add(step)
			end = next.Prev()
		}
		ranges[i] = Range{start, end}
	}
	return ranges
}

// ShardOf returns the index of the range of EvenRanges(n) that holds k,
// without building the ranges.
func ShardOf(k Key, n int) int {
	if n <= 1 {
		return 0
	}
	step := spaceDiv(uint64(n))
	// k / step is within one of the top 64 bits scaled, k.Hi*n / 2^64;
	// correct the guess against the exact range bounds.
	i, _ := bits.Mul64(k.Hi, uint64(n))
	for i > 0 && k.Less(step.mul64(i)) {
		i--
	}
	for i+1 < uint64(n) && !k.Less(step.mul64(i+1)) {
		i++
	}
	return int(i)
}

// EvenSlots returns n >= 1 keys at the middle of n equal parts of the key
// space: slot i is floor(2^128/n)·i + floor(2^128/n)/2 (2^127 for n = 1).
// Records given these as ExplicitHashKeys spread evenly over n even shards.
func EvenSlots(n int) []Key {
	step := spaceDiv(uint64(n))
	// floor(floor(2^128/n) / 2) = floor(2^127/n), which also holds for
	// n = 1, where spaceDiv cannot return 2^128.
	hHi, r := bits.Div64(0, 1<<63, uint64(n))
	hLo, _ := bits.Div64(r, 0, uint64(n))
	half := Key{hHi, hLo}
	slots := make([]Key, n)
	for i := range slots {
		slots[i], _ = step.mul64(uint64(i)).add(half)
	}
	return slots
}

// spaceDiv returns floor(2^128 / n) for n >= 2, and Max for n = 1 (2^128
// itself does not fit; one range covers all).
func spaceDiv(n uint64) Key {
	if n == 1 {
		return Max
	}
	// floor((2^128 - 1) / n), plus one when n divides 2^128 exactly, which is
	// when the remainder of 2^128 - 1 is n - 1.
	qHi, r := bits.Div64(0, ^uint64(0), n)
	qLo, r := bits.Div64(r, ^uint64(0), n)
	q := Key{qHi, qLo}
	if r == n-1 {
		q, _ = q.add(Key{Lo: 1})
	}
	return q
}
