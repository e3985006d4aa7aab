package streamtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
)

// registerConsumer registers a consumer, waits until it is ACTIVE and
// deregisters it when the test ends.
func (s *suite) registerConsumer(t *testing.T, fo stream.FanOut, streamName, name string) *stream.Consumer {
	t.Helper()
	c, err := fo.RegisterStreamConsumer(t.Context(), streamName, name)
	require.NoError(t, err, "RegisterStreamConsumer(%s, %s)", streamName, name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		_ = fo.DeregisterStreamConsumer(ctx, streamName, name)
	})
	deadline := s.clock.Now().Add(activeTimeout)
	for c.Status != stream.ConsumerActive {
		require.True(t, s.clock.Now().Before(deadline), "consumer %s not ACTIVE after %v", name, activeTimeout)
		s.sleep(t, pollInterval)
		consumers, err := fo.ListStreamConsumers(t.Context(), streamName)
		require.NoError(t, err)
		for _, listed := range consumers {
			if listed.Name == name {
				c = &listed
			}
		}
	}
	return c
}

func testEnhancedFanOut(t *testing.T, s *suite) {
	fo, ok := s.target.(stream.FanOut)
	require.True(t, ok, "the target claims EnhancedFanOut but %T does not implement stream.FanOut", s.target)
	name, shards := s.createStream(t, 2)
	c := s.registerConsumer(t, fo, name, "kinesim-conformance")
	recs := testRecords(100, "efo")
	out := s.putAll(t, name, recs)

	for _, sh := range shards {
		var wantKeys []string
		var lastSeq string // the largest
		for i, r := range out.Records {
			if r.ShardID == sh.ShardID {
				wantKeys = append(wantKeys, recs[i].PartitionKey)
				if lastSeq == "" || mustBig(t, "SequenceNumber", r.SequenceNumber).Cmp(mustBig(t, "SequenceNumber", lastSeq)) > 0 {
					lastSeq = r.SequenceNumber
				}
			}
		}
		in := &stream.SubscribeToShardInput{ConsumerARN: c.ARN, ShardID: sh.ShardID, StartingPosition: stream.StartingPosition{Type: stream.TrimHorizon}}
		sub, err := fo.SubscribeToShard(t.Context(), in)
		require.NoError(t, err, "SubscribeToShard(%s)", sh.ShardID)
		var got []stream.StoredRecord
		var continuation string
		ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
		for len(got) < len(wantKeys) {
			event, err := sub.Next(ctx)
			require.NoError(t, err, "%s: Next after %d of %d records", sh.ShardID, len(got), len(wantKeys))
			got = append(got, event.Records...)
			continuation = event.ContinuationSequenceNumber
		}
		cancel()
		// Within one PutRecords call Kinesis keeps no order, so compare as sets;
		// sequence numbers must still rise along the push.
		assert.ElementsMatch(t, wantKeys, keysOf(got), "%s: records pushed", sh.ShardID)
		for i := 1; i < len(got); i++ {
			assert.Equal(t, 1, mustBig(t, "SequenceNumber", got[i].SequenceNumber).Cmp(mustBig(t, "SequenceNumber", got[i-1].SequenceNumber)),
				"%s: pushed in sequence order", sh.ShardID)
		}
		assert.Equal(t, lastSeq, continuation, "%s: the continuation is the last record pushed", sh.ShardID)

		_, err = fo.SubscribeToShard(t.Context(), in)
		assert.ErrorIs(t, err, stream.ErrInUse, "%s: subscribing again within 5 seconds", sh.ShardID)
		require.NoError(t, sub.Close())
	}
}
