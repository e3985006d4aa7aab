package hashkey

import (
	"fmt"
	"testing"
)

// The per-record costs of routing: hashing a partition key, parsing an
// explicit key, finding the shard; and formatting a key (per shard, rarely).

var sink struct {
	k  Key
	i  int
	s  string
	ok bool
}

func BenchmarkFromPartitionKey(b *testing.B) {
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprintf("bike-%d", i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink.k = FromPartitionKey(keys[i&1023])
	}
}

func BenchmarkParse(b *testing.B) {
	s := Max.String()
	b.ReportAllocs()
	for b.Loop() {
		sink.k, sink.ok = Parse(s)
	}
}

func BenchmarkString(b *testing.B) {
	k := FromPartitionKey("bike-42")
	b.ReportAllocs()
	for b.Loop() {
		sink.s = k.String()
	}
}

func BenchmarkShardOf(b *testing.B) {
	keys := make([]Key, 1024)
	for i := range keys {
		keys[i] = FromPartitionKey(fmt.Sprintf("bike-%d", i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink.i = ShardOf(keys[i&1023], 37)
	}
}

func BenchmarkEvenRanges(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink.i = len(EvenRanges(500))
	}
}
