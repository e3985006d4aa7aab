// Package hashkey is the Kinesis hash key space, [0, 2^128): a record's hash
// key (MD5 of its partition key read as a big-endian integer, or its
// ExplicitHashKey), the decimal form the API writes keys in, the even ranges
// CreateStream and UpdateShardCount give N shards, which range holds a key,
// and the midpoint a split starts its second child at. The emulator, the
// planner, the chaos operations, the key choosers and the conformance suite
// all use it, so they route exactly alike.
//
// A Key is two uint64 halves: routing a record compares integers and
// allocates nothing (no math/big). Every function is pure and safe for
// concurrent use.
package hashkey

import (
	"crypto/md5"
	"encoding/binary"
	"math/bits"
	"strconv"
	"unsafe"
)

// Key is a 128-bit hash key. The zero Key is hash key 0.
type Key struct{ Hi, Lo uint64 }

// Max is 2^128 - 1, the last hash key.
var Max = Key{Hi: ^uint64(0), Lo: ^uint64(0)}

// FromPartitionKey is MD5 of the key's UTF-8 bytes read as a big-endian
// unsigned 128-bit integer, as Kinesis routes records.
func FromPartitionKey(partitionKey string) Key {
	// md5.Sum only reads the bytes; viewing the string avoids a copy on the
	// PutRecords hot path.
	sum := md5.Sum(unsafe.Slice(unsafe.StringData(partitionKey), len(partitionKey)))
	return Key{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// Route is the hash key a record goes to: its ExplicitHashKey when set (a
// decimal key, see Parse), otherwise the MD5 of its partition key. ok is
// false when explicitHashKey is set but malformed.
func Route(partitionKey, explicitHashKey string) (k Key, ok bool) {
	if explicitHashKey == "" {
		return FromPartitionKey(partitionKey), true
	}
	return Parse(explicitHashKey)
}

// Parse parses a decimal hash key as the API accepts it: the pattern
// 0|([1-9]\d{0,38}) and a value of at most 2^128 - 1.
func Parse(s string) (Key, bool) {
	if s == "" || len(s) > 39 || (s[0] == '0' && len(s) > 1) {
		return Key{}, false
	}
	var k Key
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return Key{}, false
		}
		carryHi, hi := bits.Mul64(k.Hi, 10)
		carryLo, lo := bits.Mul64(k.Lo, 10)
		hi, carry := bits.Add64(hi, carryLo, 0)
		if carryHi != 0 || carry != 0 {
			return Key{}, false
		}
		var overflow bool
		if k, overflow = (Key{hi, lo}).add(Key{Lo: uint64(c - '0')}); overflow {
			return Key{}, false
		}
	}
	return k, true
}

// String formats the key in decimal, as the API writes hash keys.
func (k Key) String() string {
	if k.Hi == 0 {
		return strconv.FormatUint(k.Lo, 10)
	}
	// Peel off 19 decimal digits at a time: 10^19 is the largest power of
	// ten that fits in a uint64.
	const tenPow19 = 10_000_000_000_000_000_000
	var groups [3]uint64 // 2^128 has 39 digits: at most three groups
	n := 0
	for k.Hi != 0 || k.Lo != 0 {
		qHi, r := bits.Div64(0, k.Hi, tenPow19)
		qLo, r := bits.Div64(r, k.Lo, tenPow19)
		groups[n] = r
		n++
		k = Key{qHi, qLo}
	}
	buf := make([]byte, 0, 39)
	buf = strconv.AppendUint(buf, groups[n-1], 10)
	var group [19]byte
	for i := n - 2; i >= 0; i-- {
		digits := strconv.AppendUint(group[:0], groups[i], 10)
		for range len(group) - len(digits) {
			buf = append(buf, '0') // the group's leading zeros
		}
		buf = append(buf, digits...)
	}
	return string(buf)
}

// Less reports whether k is below o.
func (k Key) Less(o Key) bool {
	return k.Hi < o.Hi || (k.Hi == o.Hi && k.Lo < o.Lo)
}

// Compare returns -1, 0 or +1 as k is below, equal to or above o.
func (k Key) Compare(o Key) int {
	switch {
	case k.Less(o):
		return -1
	case o.Less(k):
		return 1
	}
	return 0
}

// Next returns k + 1; ok is false when k is Max (there is no next key).
func (k Key) Next() (next Key, ok bool) {
	next, overflow := k.add(Key{Lo: 1})
	return next, !overflow
}

// Prev returns k - 1; k must be above 0 (0 wraps to Max).
func (k Key) Prev() Key {
	lo, borrow := bits.Sub64(k.Lo, 1, 0)
	return Key{k.Hi - borrow, lo}
}

func (k Key) add(o Key) (sum Key, overflow bool) {
	lo, carry := bits.Add64(k.Lo, o.Lo, 0)
	hi, carry := bits.Add64(k.Hi, o.Hi, carry)
	return Key{hi, lo}, carry != 0
}

func (k Key) sub(o Key) Key {
	lo, borrow := bits.Sub64(k.Lo, o.Lo, 0)
	hi, _ := bits.Sub64(k.Hi, o.Hi, borrow)
	return Key{hi, lo}
}

func (k Key) mul64(m uint64) Key {
	h, lo := bits.Mul64(k.Lo, m)
	return Key{k.Hi*m + h, lo}
}

// float is k as the nearest float64 (for shares of the key space).
func (k Key) float() float64 { return float64(k.Hi)*0x1p64 + float64(k.Lo) }
