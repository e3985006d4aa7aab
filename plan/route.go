package plan

import (
	"crypto/md5"
	"encoding/binary"
	"math/big"
	"math/bits"
)

// hashKey is a partition key's 128-bit Kinesis hash key as two halves.
// The emulator routes with the same arithmetic (stream/emulated/hashkey.go,
// unexported); TestRouteMatchesEmulator holds the two together.
type hashKey struct{ hi, lo uint64 }

// partitionKeyHash is MD5 of the key's UTF-8 bytes read as a big-endian
// unsigned 128-bit integer, as Kinesis routes records.
func partitionKeyHash(key string) hashKey {
	sum := md5.Sum([]byte(key))
	return hashKey{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// String formats the hash key in decimal, as ExplicitHashKey and
// SplitShard's NewStartingHashKey take it.
func (k hashKey) String() string {
	n := new(big.Int).SetUint64(k.hi)
	n.Lsh(n, 64)
	return n.Or(n, new(big.Int).SetUint64(k.lo)).String()
}

// shardOf returns the index of the shard holding k when the hash key space
// is split into n even ranges as CreateStream splits it: step =
// floor(2^128 / n), range i = [i*step, (i+1)*step - 1], the last one
// ending at 2^128 - 1.
func shardOf(k hashKey, n int) int {
	if n <= 1 {
		return 0
	}
	step := hashSpaceDiv(uint64(n))
	// k / step is within one of the top 64 bits scaled, k.hi*n / 2^64;
	// correct the guess against the exact range bounds.
	i, _ := bits.Mul64(k.hi, uint64(n))
	for i > 0 && less(k, mul64(step, i)) {
		i--
	}
	for i+1 < uint64(n) && !less(k, mul64(step, i+1)) {
		i++
	}
	return int(i)
}

func less(a, b hashKey) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func mul64(k hashKey, m uint64) hashKey {
	h, lo := bits.Mul64(k.lo, m)
	return hashKey{k.hi*m + h, lo}
}

// hashSpaceDiv returns floor(2^128 / n) for n >= 2.
func hashSpaceDiv(n uint64) hashKey {
	qHi, r := bits.Div64(0, ^uint64(0), n)
	qLo, r := bits.Div64(r, ^uint64(0), n)
	q := hashKey{qHi, qLo}
	if r == n-1 { // n divides 2^128: floor((2^128-1)/n) is one short
		lo, carry := bits.Add64(q.lo, 1, 0)
		q = hashKey{q.hi + carry, lo}
	}
	return q
}

// shardID names shard i as CreateStream does.
func shardID(i int) string {
	const digits = "000000000000"
	s := []byte("shardId-" + digits)
	for j := len(s) - 1; i > 0 && j >= len("shardId-"); j-- {
		s[j] = byte('0' + i%10)
		i /= 10
	}
	return string(s)
}
