package kpl

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The three shards kinesalite creates for a 3-shard stream (KINESIS-FACTS.md).
const (
	shard0End   = "113427455640312821154458202477256070484"
	shard1Start = "113427455640312821154458202477256070485"
	maxKey      = "340282366920938463463374607431768211455"
)

func TestParseHashRange(t *testing.T) {
	tests := []struct {
		name, start, end string
		ok               bool
	}{
		{"a 3-shard stream's first shard", "0", shard0End, true},
		{"the whole space", "0", maxKey, true},
		{"one key", "5", "5", true},
		{"start above end", shard1Start, shard0End, false},
		{"end above 2^128-1", "0", "340282366920938463463374607431768211456", false},
		{"negative start", "-1", "5", false},
		{"not a number", "0", "ff", false},
		{"empty", "", "5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseHashRange(tt.start, tt.end)
			if !tt.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.start+"-"+tt.end, r.String())
		})
	}
	assert.Equal(t, "0-"+maxKey, AllHashKeys.String())
}

func TestHashRangeContains(t *testing.T) {
	first, err := ParseHashRange("0", shard0End)
	require.NoError(t, err)
	// MD5("a") = 0cc175b9c0f1b6a831c399e269772661, 16955237001963240173058271559858726497 (python3 hashlib): shard 0 of 3.
	tests := []struct {
		name, pk, ehk string
		want          bool
		wantErr       bool
	}{
		{name: "partition key hashing into the shard", pk: "a", want: true},
		{name: "explicit hash key at the shard's end", pk: "a", ehk: shard0End, want: true},
		{name: "explicit hash key just past the end overrides the partition key", pk: "a", ehk: shard1Start, want: false},
		{name: "explicit hash key 0", pk: "zzz", ehk: "0", want: true},
		{name: "explicit hash key above 2^128-1", pk: "a", ehk: "340282366920938463463374607431768211456", want: false},
		{name: "explicit hash key not a number", pk: "a", ehk: "1e5", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := first.Contains(tt.pk, tt.ehk)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	assert.Equal(t, "16955237001963240173058271559858726497", partitionHashKey("a").String(), "MD5 as a big-endian 128-bit integer")
}

func TestParseHashKeyAsJava(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		inRange bool
		err     bool
	}{
		{"7", "7", true, false},   // canonical
		{"007", "7", true, false}, // leading zeros: BigInteger reads 7
		{"+7", "7", true, false},  // a plus sign is allowed
		{"-0", "0", true, false},  // minus zero is zero
		{"-7", "0", false, false}, // negative: a number, in no range
		{"340282366920938463463374607431768211456", "0", false, false}, // 2^128
		{"7a", "0", false, true},  // not a number
		{"+-7", "0", false, true}, // two signs
		{"", "0", false, true},    // empty
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			k, inRange, err := parseHashKey(tt.in)
			assert.Equal(t, tt.err, err != nil, "error: got %v", err)
			assert.Equal(t, tt.inRange, inRange)
			if tt.inRange {
				assert.Equal(t, tt.want, k.String())
			}
		})
	}
}
