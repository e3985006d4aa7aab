package emulated_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// TestSequenceNumberForOrdering chains PutRecord calls for one partition
// key, each passing the previous record's sequence number, across a split
// that moves the key to a child shard: every number is above the one before.
func TestSequenceNumberForOrdering(t *testing.T) {
	ctx := context.Background()
	em := newStream(t, 2, emulated.WithClock(newFakeClock()))
	putKey := func(prev string) *stream.PutRecordOutput {
		t.Helper()
		out, err := em.PutRecord(ctx, &stream.PutRecordInput{StreamName: testStream, Record: stream.Record{PartitionKey: "a", Data: []byte("x")}, SequenceNumberForOrdering: prev})
		require.NoError(t, err, "PutRecord after %q", prev)
		return out
	}
	var outs []*stream.PutRecordOutput
	prev := ""
	for i := range 6 {
		if i == 3 { // "a" hashes below 2^126: the split moves it to the lower child
			require.NoError(t, em.SplitShard(ctx, &stream.SplitShardInput{StreamName: testStream, ShardToSplit: shard0, NewStartingHashKey: quarter}))
		}
		out := putKey(prev)
		outs = append(outs, out)
		prev = out.SequenceNumber
	}
	assert.Equal(t, shard0, outs[2].ShardID, "before the split")
	assert.Equal(t, "shardId-000000000002", outs[3].ShardID, "after the split")
	for i := 1; i < len(outs); i++ {
		a, _ := new(big.Int).SetString(outs[i-1].SequenceNumber, 10)
		b, ok := new(big.Int).SetString(outs[i].SequenceNumber, 10)
		require.True(t, ok, "sequence number %q", outs[i].SequenceNumber)
		assert.Equal(t, 1, b.Cmp(a), "put %d: %s, want above %s", i, b, a)
	}

	otherShard := put(t, em, stream.Record{PartitionKey: "b"}).Records[0]           // shard 1
	const awsDocNumber = "49590338271490256608559692538361571095921575989136588898" // another stream's, from the API reference
	tests := []struct {
		name      string
		previous  string
		sameShard bool   // the new number must be above it
		wantCode  string // "" for success
	}{
		// The previous record's number, as the API reference says to pass.
		{"the previous number", prev, true, ""},
		// Kinesis takes any number it can read, from any shard or stream
		// (kinesalite, whose answers were recorded against Kinesis).
		{"another shard's number", otherShard.SequenceNumber, false, ""},
		{"another stream's number", awsDocNumber, false, ""},
		{"a number of the oldest layout", "0", false, ""},
		// Not a decimal sequence number at all (kinesalite, run against AWS: InvalidArgumentException).
		{"not a number", "abc", false, stream.CodeInvalidArgument},
		// Of a layout Kinesis cannot read: version 3.
		{"an unknown layout", "49590338271490256608559692538361571095921575989136588899", false, stream.CodeInvalidArgument},
		// Arrived an hour from now (kinesalite: "Sequence time in the future").
		{"from the future", bumpArrival(t, prev, 3600), false, stream.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := em.PutRecord(ctx, &stream.PutRecordInput{StreamName: testStream, Record: stream.Record{PartitionKey: "a"}, SequenceNumberForOrdering: tt.previous})
			if tt.wantCode == "" {
				require.NoError(t, err)
				if tt.sameShard {
					assert.True(t, stream.SequenceLess(tt.previous, out.SequenceNumber), "%s after %s", out.SequenceNumber, tt.previous)
				}
				return
			}
			var api *stream.APIError
			require.ErrorAs(t, err, &api, "got %v, want %s", err, tt.wantCode)
			assert.Equal(t, tt.wantCode, api.Code)
			assert.Contains(t, api.Message, "ExclusiveMinimumSequenceNumber "+tt.previous+" used in PutRecord on stream "+testStream)
		})
	}
}

// bumpArrival returns seq with its arrival second (bits 36 to 71, see
// seqnum.go) moved on by secs.
func bumpArrival(t *testing.T, seq string, secs int64) string {
	t.Helper()
	v, ok := new(big.Int).SetString(seq, 10)
	require.True(t, ok)
	return v.Add(v, new(big.Int).Lsh(big.NewInt(secs), 36)).String()
}
