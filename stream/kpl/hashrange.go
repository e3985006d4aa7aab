package kpl

import (
	"fmt"
	"strings"

	"github.com/kinesim/kinesim/stream/hashkey"
)

// hashKey is stream/hashkey's 128-bit key; the arithmetic lives there.
type hashKey = hashkey.Key

// partitionHashKey is the hash key Kinesis derives from a partition key.
func partitionHashKey(partitionKey string) hashKey { return hashkey.FromPartitionKey(partitionKey) }

// parseHashKey reads a decimal hash key as Java's BigInteger(String) does
// (an optional sign, then digits), as KCL parses them. inRange is false for
// a number outside 0..2^128−1 (or not in Kinesis's canonical form); err is
// set when s is not a decimal number at all.
func parseHashKey(s string) (key hashKey, inRange bool, err error) {
	if k, ok := hashkey.Parse(s); ok {
		return k, true, nil
	}
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return key, false, fmt.Errorf("hash key %q is not a decimal number", s)
	}
	// A decimal number Parse refused: leading zeros, a sign, or above
	// 2^128−1. Leading zeros and a plus sign still name a key in range.
	if s[0] != '-' {
		if k, ok := hashkey.Parse(strings.TrimLeft(digits, "0")); ok {
			return k, true, nil
		}
		if strings.TrimLeft(digits, "0") == "" {
			return hashKey{}, true, nil
		}
	} else if strings.TrimLeft(digits, "0") == "" {
		return hashKey{}, true, nil // -0 is 0
	}
	return key, false, nil
}

// HashRange is an inclusive range of hash keys: a shard's
// [StartingHashKey, EndingHashKey]. The zero value holds only hash key 0;
// use AllHashKeys for no filtering.
type HashRange struct{ r hashkey.Range }

// AllHashKeys is the whole hash key space, 0 to 2^128−1: filtering with it
// keeps every user record whose hash key is valid (KCL's default range).
var AllHashKeys = HashRange{hashkey.Range{End: hashkey.Max}}

// ParseHashRange reads a shard's decimal StartingHashKey and EndingHashKey.
func ParseHashRange(start, end string) (HashRange, error) {
	var r HashRange
	for _, k := range []struct {
		name, value string
		into        *hashKey
	}{{"starting", start, &r.r.Start}, {"ending", end, &r.r.End}} {
		key, inRange, err := parseHashKey(k.value)
		if err != nil {
			return r, fmt.Errorf("%s %w", k.name, err)
		}
		if !inRange {
			return r, fmt.Errorf("%s hash key %s is outside 0 to 2^128-1", k.name, k.value)
		}
		*k.into = key
	}
	if r.r.End.Less(r.r.Start) {
		return r, fmt.Errorf("starting hash key %s is above ending hash key %s", start, end)
	}
	return r, nil
}

// String shows the range as Kinesis would: "start-end" in decimal.
func (r HashRange) String() string { return r.r.Start.String() + "-" + r.r.End.String() }

func (r HashRange) holds(k hashKey) bool { return r.r.Contains(k) }

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
