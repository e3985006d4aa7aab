package stream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kinesim/kinesim/stream"
)

func TestShardID(t *testing.T) {
	tests := []struct {
		i    int
		want string
	}{
		{0, "shardId-000000000000"},               // the first shard of a stream
		{42, "shardId-000000000042"},              // zero padded to twelve digits
		{999_999_999_999, "shardId-999999999999"}, // the widest number that fits
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, stream.ShardID(tt.i), "ShardID(%d)", tt.i)
	}
}

func TestSequenceLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"49590338271490256608559692538361571095921575989136588898", "49590338271490256608559692538361571095921575989136588899", true}, // same length: by digits
		{"49590338271490256608559692538361571095921575989136588899", "49590338271490256608559692538361571095921575989136588898", false},
		{"9", "10", true},   // shorter is smaller, though "9" > "10" as strings
		{"10", "9", false},  // longer is larger
		{"42", "42", false}, // equal is not less
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, stream.SequenceLess(tt.a, tt.b), "SequenceLess(%s, %s)", tt.a, tt.b)
	}
}

func TestParseShardID(t *testing.T) {
	tests := []struct {
		id     string
		want   int
		wantOK bool
	}{
		{"shardId-000000000000", 0, true}, // the canonical form
		{"shardId-0", 0, true},            // short: the number is read
		{"shardId-000000000007", 7, true}, // padded
		{"shardId-07", 7, true},           // partly padded
		{"7", 7, true},                    // no prefix
		{"000000000012", 12, true},        // no prefix, padded
		{"shardId-2147483647", 2147483647, true},
		{"shardId-2147483648", 0, false}, // above 2^31-1
		{"shardId-", 0, false},           // no number
		{"shardId-x1", 0, false},         // not all digits
		{"shardId-1-2", 0, false},        // more than one number
		{"abc", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := stream.ParseShardID(tt.id)
		assert.Equal(t, tt.wantOK, ok, "ParseShardID(%q) ok", tt.id)
		assert.Equal(t, tt.want, got, "ParseShardID(%q)", tt.id)
	}
}
