package emulated

import (
	"crypto/md5"
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// hashKey is a 128-bit Kinesis hash key as two uint64 halves, so that routing
// a record compares two integers instead of using math/big.
type hashKey struct{ hi, lo uint64 }

// maxHashKey is 2^128 - 1, the end of the hash key space.
var maxHashKey = hashKey{hi: ^uint64(0), lo: ^uint64(0)}

func (k hashKey) less(o hashKey) bool {
	return k.hi < o.hi || (k.hi == o.hi && k.lo < o.lo)
}

func (k hashKey) add(o hashKey) (sum hashKey, overflow bool) {
	lo, carry := bits.Add64(k.lo, o.lo, 0)
	hi, carry := bits.Add64(k.hi, o.hi, carry)
	return hashKey{hi, lo}, carry != 0
}

func (k hashKey) sub1() hashKey {
	lo, borrow := bits.Sub64(k.lo, 1, 0)
	return hashKey{k.hi - borrow, lo}
}

func (k hashKey) mul64(m uint64) hashKey {
	h, lo := bits.Mul64(k.lo, m)
	return hashKey{k.hi*m + h, lo}
}

// partitionKeyHash is MD5 of the key's UTF-8 bytes read as a big-endian
// unsigned 128-bit integer, as Kinesis routes records.
func partitionKeyHash(key string) hashKey {
	// The bytes are only read by md5.Sum; viewing the string avoids a copy
	// on the PutRecords hot path.
	sum := md5.Sum(unsafe.Slice(unsafe.StringData(key), len(key)))
	return hashKey{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// parseHashKey parses a decimal hash key as the API accepts it: the pattern
// 0|([1-9]\d{0,38}) and a value of at most 2^128 - 1.
func parseHashKey(s string) (hashKey, bool) {
	if s == "" || len(s) > 39 || (s[0] == '0' && len(s) > 1) {
		return hashKey{}, false
	}
	var k hashKey
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return hashKey{}, false
		}
		carryHi, hi := bits.Mul64(k.hi, 10)
		carryLo, lo := bits.Mul64(k.lo, 10)
		hi, carry := bits.Add64(hi, carryLo, 0)
		if carryHi != 0 || carry != 0 {
			return hashKey{}, false
		}
		var overflow bool
		if k, overflow = (hashKey{hi, lo}).add(hashKey{lo: uint64(c - '0')}); overflow {
			return hashKey{}, false
		}
	}
	return k, true
}

// String formats the key in decimal.
func (k hashKey) String() string {
	if k.hi == 0 {
		return uintString(k.lo)
	}
	// Peel off 19 decimal digits at a time: 10^19 is the largest power of
	// ten that fits in a uint64.
	const tenPow19 = 10_000_000_000_000_000_000
	var groups [3]uint64 // 2^128 has 39 digits: at most three groups
	n := 0
	for k.hi != 0 || k.lo != 0 {
		qHi, r := bits.Div64(0, k.hi, tenPow19)
		qLo, r := bits.Div64(r, k.lo, tenPow19)
		groups[n] = r
		n++
		k = hashKey{qHi, qLo}
	}
	buf := make([]byte, 0, 39)
	buf = appendUint(buf, groups[n-1])
	for i := n - 2; i >= 0; i-- {
		buf = appendPadded(buf, groups[i], 19)
	}
	return string(buf)
}

// evenHashRanges splits the hash key space into n ranges as CreateStream
// does (kinesalite's formula, whose tests also run against AWS):
// step = floor(2^128 / n), range i = [i*step, (i+1)*step - 1], the last one
// ending at 2^128 - 1.
func evenHashRanges(n int) [][2]hashKey {
	step := hashSpaceDiv(uint64(n))
	ranges := make([][2]hashKey, n)
	for i := range ranges {
		start := step.mul64(uint64(i))
		end := maxHashKey
		if i < n-1 {
			next, _ := start.add(step)
			end = next.sub1()
		}
		ranges[i] = [2]hashKey{start, end}
	}
	return ranges
}

// hashSpaceDiv returns floor(2^128 / n) for n >= 1.
func hashSpaceDiv(n uint64) hashKey {
	if n == 1 {
		return maxHashKey // 2^128 itself does not fit; one range covers all
	}
	// floor((2^128 - 1) / n), plus one when n divides 2^128 exactly, which is
	// when the remainder of 2^128 - 1 is n - 1.
	qHi, r := bits.Div64(0, ^uint64(0), n)
	qLo, r := bits.Div64(r, ^uint64(0), n)
	q := hashKey{qHi, qLo}
	if r == n-1 {
		q, _ = q.add(hashKey{lo: 1})
	}
	return q
}
