package stream

import (
	"fmt"
	"strconv"
	"strings"
)

// ShardID names shard i (counting from 0 in the order shards are made) as
// CreateStream and the resharding calls do: shardId-000000000042.
func ShardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }

// ParseShardID returns the index of the shard a shard id names, as Kinesis
// reads ids: by the decimal number after the first "-" (or the whole id
// when it has none), so shardId-000000000007, shardId-7, shardId-07 and 7
// all name shard 7. The number must be all digits and at most 2^31-1; ok
// is false for an id that names no shard at all.
func ParseShardID(id string) (index int, ok bool) {
	num := id
	if _, after, found := strings.Cut(id, "-"); found {
		num = after
	}
	if num == "" || strings.TrimLeft(num, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(num, 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// SequenceLess reports whether sequence number a is below b. Sequence
// numbers are decimal strings without leading zeros, so a shorter one is
// smaller.
func SequenceLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
