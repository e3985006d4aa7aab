package emulated

import (
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
)

func TestSeqNumRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		shard   seqShard
		counter uint64
		arrival int64 // seconds
	}{
		{"the first possible number", seqShard{0, 0}, 0, 0},
		{"a shard made now", seqShard{1_700_000_000, 3}, 42, 1_700_000_100},
		{"a shard index past 15 (its low digit is 0)", seqShard{1_700_000_000, 16}, 7, 1_700_000_001},
		{"the widest counter and index still fit", seqShard{maxSeqCreateSecs - 1, maxShardsPerStream - 1}, 1<<63 - 1, 9_000_000_000}, // arrival: the last nanosecond time.Time can hold is in 2262
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := formatSeqNum(tt.shard, tt.counter, tt.arrival*int64(time.Second))
			assert.Len(t, s, seqLen, "formatSeqNum = %s", s)
			got, ok := parseSeqNum(s)
			require.True(t, ok, "parseSeqNum(%s)", s)
			want := seqNum{version: 2, created: tt.shard.created, counter: tt.counter, arrival: tt.arrival, shard: int64(tt.shard.index)}
			assert.Equal(t, want, got)
		})
	}
}

// TestSeqNumLayout checks the layout against a number AWS publishes (the
// PutRecord example of the API reference): its fields written back give
// the same 56 digits.
func TestSeqNumLayout(t *testing.T) {
	const aws = "49590338271490256608559692538361571095921575989136588898"
	got, ok := parseSeqNum(aws)
	require.True(t, ok)
	assert.Equal(t, seqNum{version: 2, created: 1542776258, counter: 0x67648a17, arrival: 1545084650, shard: 6}, got)
	assert.Equal(t, aws, formatSeqNum(seqShard{created: got.created, index: int(got.shard)}, got.counter, got.arrival*int64(time.Second)))
}

// TestSeqNumOrder: numbers increase with the counter within a shard, and a
// later-created shard's numbers sort above an earlier one's, in
// stream.SequenceLess's order too.
func TestSeqNumOrder(t *testing.T) {
	parent := seqShard{created: 1_700_000_000, index: 15}
	child := seqShard{created: 1_700_000_001, index: 16} // low digit 0 < 15
	nums := []string{
		formatSeqNum(parent, 1, 1_700_000_005*int64(time.Second)),
		formatSeqNum(parent, 2, 1_700_000_004*int64(time.Second)), // an earlier second does not matter
		formatSeqNum(parent, 1<<40, 1_700_000_005*int64(time.Second)),
		formatSeqNum(child, 0, 1_700_000_001*int64(time.Second)),
		formatSeqNum(child, 1<<40+1, 1_700_000_009*int64(time.Second)),
	}
	for i := 1; i < len(nums); i++ {
		a, _ := new(big.Int).SetString(nums[i-1], 10)
		b, _ := new(big.Int).SetString(nums[i], 10)
		assert.Equal(t, -1, a.Cmp(b), "%s < %s numerically", nums[i-1], nums[i])
		assert.True(t, stream.SequenceLess(nums[i-1], nums[i]), "SequenceLess(%s, %s)", nums[i-1], nums[i])
	}
}

// TestParseSeqNumAsKinesis: the numbers Kinesis reads and refuses
// (kinesalite's tests recorded them against Kinesis).
func TestParseSeqNumAsKinesis(t *testing.T) {
	hexNum := func(h string) string {
		n, _ := new(big.Int).SetString(h, 16)
		return n.String()
	}
	tests := []struct {
		name string
		in   string
		ok   bool
		want seqNum
	}{
		{"a small number is of the oldest layout", "5", true, seqNum{version: 0, shard: 5}},
		{"zero too", "0", true, seqNum{version: 0}},
		{"version 1", hexNum("20000000001000000000000000000000000000000000031"), true, seqNum{version: 1, shard: 3}},
		{"an index whose top bit is set", hexNum("20000000000800000000000000000000000000000000002"), false, seqNum{}},
		{"a shard index read as negative", hexNum("20000000000000000000000000000000000000800000002"), true, seqNum{version: 2, shard: -1 << 31}},
		{"version 0 in the version 2 range", hexNum("20000000000000000000000000000000000000000000000"), false, seqNum{}},
		{"version 3", hexNum("20000000000000000000000000000000000000000000003"), false, seqNum{}},
		{"leading 3", hexNum("30000000000000000000000000000000000000000000001"), false, seqNum{}},
		{"leading 1 at full length", hexNum("1ffffffffff7fffffffffffffff000000000007fffffff2"), false, seqNum{}},
		{"a creation date too large", hexNum("13bb2cc3d80000000000000000000000"), false, seqNum{}},
		{"all f", hexNum("2ffffffffff7fffffffffffffff000000000007fffffff2"), false, seqNum{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseSeqNum(tt.in)
			require.Equal(t, tt.ok, ok, "parseSeqNum(%s)", tt.in)
			if ok {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

func BenchmarkAppendSeqNum(b *testing.B) {
	sh := seqShard{created: 1_700_000_000, index: 3}
	buf := make([]byte, 0, seqLen)
	arrival := time.Now().UnixNano()
	for i := range b.N {
		buf = appendSeqNum(buf[:0], sh, uint64(i), arrival)
	}
}
