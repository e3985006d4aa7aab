package stream

import "fmt"

// ShardID names shard i (counting from 0 in the order shards are made) as
// CreateStream and the resharding calls do: shardId-000000000042.
func ShardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }

// SequenceLess reports whether sequence number a is below b. Sequence
// numbers are decimal strings without leading zeros, so a shorter one is
// smaller.
func SequenceLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
