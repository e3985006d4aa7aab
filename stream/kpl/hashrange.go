package kpl

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"math/big"
)

// hashKey is a 128-bit hash key, big-endian, so comparing the bytes compares
// the numbers. It stays private and small on purpose: stream/hashkey is the
// project's 128-bit type, and this one can give way to it.
type hashKey [16]byte

var maxHashKey = hashKey{
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
}

// partitionHashKey is the hash key Kinesis derives from a partition key:
// MD5 of its UTF-8 bytes read as an unsigned big-endian integer.
func partitionHashKey(partitionKey string) hashKey {
	return md5.Sum([]byte(partitionKey))
}

// parseHashKey reads a decimal hash key as Java's BigInteger(String) does
// (an optional sign, then digits). inRange is false for a number outside
// 0..2^128−1; err is set when s is not a decimal number at all.
func parseHashKey(s string) (key hashKey, inRange bool, err error) {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return key, false, fmt.Errorf("hash key %q is not a decimal number", s)
	}
	if v.Sign() < 0 || v.BitLen() > 128 {
		return key, false, nil
	}
	v.FillBytes(key[:])
	return key, true, nil
}

// String formats the key in decimal, as Kinesis writes hash keys.
func (k hashKey) String() string {
	return new(big.Int).SetBytes(k[:]).String()
}

// HashRange is an inclusive range of hash keys: a shard's
// [StartingHashKey, EndingHashKey]. The zero value holds only hash key 0;
// use AllHashKeys for no filtering.
type HashRange struct {
	start, end hashKey
}

// AllHashKeys is the whole hash key space, 0 to 2^128−1: filtering with it
// keeps every user record whose hash key is valid (KCL's default range).
var AllHashKeys = HashRange{end: maxHashKey}

// ParseHashRange reads a shard's decimal StartingHashKey and EndingHashKey.
func ParseHashRange(start, end string) (HashRange, error) {
	var r HashRange
	for _, k := range []struct {
		name, value string
		into        *hashKey
	}{{"starting", start, &r.start}, {"ending", end, &r.end}} {
		key, inRange, err := parseHashKey(k.value)
		if err != nil {
			return r, fmt.Errorf("%s %w", k.name, err)
		}
		if !inRange {
			return r, fmt.Errorf("%s hash key %s is outside 0 to 2^128-1", k.name, k.value)
		}
		*k.into = key
	}
	if bytes.Compare(r.start[:], r.end[:]) > 0 {
		return r, fmt.Errorf("starting hash key %s is above ending hash key %s", start, end)
	}
	return r, nil
}

// String shows the range as Kinesis would: "start-end" in decimal.
func (r HashRange) String() string { return r.start.String() + "-" + r.end.String() }

func (r HashRange) holds(k hashKey) bool {
	return bytes.Compare(k[:], r.start[:]) >= 0 && bytes.Compare(k[:], r.end[:]) <= 0
}

// Contains says whether a user record with these keys belongs to the range:
// its effective hash key (the explicit hash key if set, else the MD5 of the
// partition key) is within it. An explicit hash key outside 0..2^128−1 is in
// no range; one that is not a decimal number is an error.
func (r HashRange) Contains(partitionKey, explicitHashKey string) (bool, error) {
	if explicitHashKey == "" {
		return r.holds(partitionHashKey(partitionKey)), nil
	}
	key, inRange, err := parseHashKey(explicitHashKey)
	if err != nil {
		return false, err
	}
	return inRange && r.holds(key), nil
}
