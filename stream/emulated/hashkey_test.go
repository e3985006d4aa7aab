package emulated

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bigOf(t *testing.T, decimal string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(decimal, 10)
	require.True(t, ok, "bad decimal %q", decimal)
	return v
}

func TestEvenHashRanges(t *testing.T) {
	tests := []struct {
		n    int
		want [][2]string // nil: computed with math/big from kinesalite's formula
	}{
		// One shard covers the whole space.
		{n: 1, want: [][2]string{{"0", "340282366920938463463374607431768211455"}}},
		// The three-shard split from KINESIS-FACTS.md, as kinesalite and AWS give it.
		{n: 3, want: [][2]string{
			{"0", "113427455640312821154458202477256070484"},
			{"113427455640312821154458202477256070485", "226854911280625642308916404954512140969"},
			{"226854911280625642308916404954512140970", "340282366920938463463374607431768211455"},
		}},
		// A power of two divides 2^128 exactly.
		{n: 4},
		// Odd counts leave a remainder for the last shard.
		{n: 7},
		// Many shards.
		{n: 500},
	}
	for _, tt := range tests {
		got := evenHashRanges(tt.n)
		require.Len(t, got, tt.n)
		want := tt.want
		if want == nil {
			space := new(big.Int).Lsh(big.NewInt(1), 128)
			step := new(big.Int).Div(space, big.NewInt(int64(tt.n)))
			for i := range tt.n {
				start := new(big.Int).Mul(step, big.NewInt(int64(i)))
				end := new(big.Int).Sub(new(big.Int).Add(start, step), big.NewInt(1))
				if i == tt.n-1 {
					end.Sub(space, big.NewInt(1))
				}
				want = append(want, [2]string{start.String(), end.String()})
			}
		}
		for i := range want {
			assert.Equal(t, want[i][0], got[i][0].String(), "n=%d shard %d start", tt.n, i)
			assert.Equal(t, want[i][1], got[i][1].String(), "n=%d shard %d end", tt.n, i)
		}
	}
}

func TestParseHashKey(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"0", true},                    // the smallest key
		{"1", true},                    // one digit
		{"18446744073709551615", true}, // 2^64-1: the low half full
		{"18446744073709551616", true}, // 2^64: carries into the high half
		{"340282366920938463463374607431768211455", true},   // 2^128-1: the largest key
		{"340282366920938463463374607431768211456", false},  // 2^128 overflows
		{"999999999999999999999999999999999999999", false},  // 39 digits, too large
		{"1000000000000000000000000000000000000000", false}, // 40 digits
		{"", false},    // empty
		{"01", false},  // leading zero, outside the API's pattern
		{"-1", false},  // negative
		{"12a", false}, // not a digit
		{" 1", false},  // space
	}
	for _, tt := range tests {
		got, ok := parseHashKey(tt.in)
		assert.Equal(t, tt.ok, ok, "parseHashKey(%q) ok", tt.in)
		if tt.ok && ok {
			assert.Equal(t, bigOf(t, tt.in).String(), got.String(), "parseHashKey(%q) round trip", tt.in)
		}
	}
}

func TestPartitionKeyHash(t *testing.T) {
	tests := []struct {
		key  string
		want string // MD5 as a big-endian integer, computed with Python's hashlib
	}{
		{"a", "16955237001963240173058271559858726497"},               // one ASCII byte
		{"bike-42", "138903756737692508544193426182225081081"},        // a typical key
		{"partitionKey-0", "283893945402358862714065952676399797471"}, // high half above 2^127
		{"Zürich", "21571439941612705407085021742162426705"},          // UTF-8 bytes, not runes
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, partitionKeyHash(tt.key).String(), "MD5(%q)", tt.key)
	}
}

func TestSeqNumRoundTrip(t *testing.T) {
	tests := []struct {
		counter uint64
		shard   int
	}{
		{0, 0},                               // the first possible number
		{42, 3},                              // small values are zero padded
		{^uint64(0), maxShardsPerStream - 1}, // the widest values still fit
	}
	for _, tt := range tests {
		s := formatSeqNum(tt.counter, tt.shard)
		assert.Len(t, s, seqLen, "formatSeqNum(%d, %d) = %s", tt.counter, tt.shard, s)
		got, ok := parseSeqNum(s)
		require.True(t, ok, "parseSeqNum(%s)", s)
		assert.Equal(t, seqNum{tt.counter, tt.shard}, got)
	}
}
