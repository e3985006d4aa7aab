package emulated

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
