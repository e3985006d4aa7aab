package emulated_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

const shard0 = "shardId-000000000000"

func iteratorFor(t *testing.T, em *emulated.Emulator, in stream.GetShardIteratorInput) string {
	t.Helper()
	in.StreamName = testStream
	if in.ShardID == "" {
		in.ShardID = shard0
	}
	it, err := em.GetShardIterator(context.Background(), &in)
	require.NoError(t, err)
	return it
}

// readPause is how long a polite poller waits between GetRecords calls on a
// shard: 5 calls a second is the shard's read limit.
const readPause = 200 * time.Millisecond

// getRecords waits readPause on clk, then reads.
func getRecords(t *testing.T, em *emulated.Emulator, clk *fakeClock, it string, limit int) *stream.GetRecordsOutput {
	t.Helper()
	clk.Advance(readPause)
	out, err := em.GetRecords(context.Background(), &stream.GetRecordsInput{ShardIterator: it, Limit: limit})
	require.NoError(t, err)
	return out
}

func TestReadBackInOrder(t *testing.T) {
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk))
	var want []stream.Record
	var seqs []string
	for batch := range 3 {
		recs := make([]stream.Record, 100)
		for i := range recs {
			recs[i] = stream.Record{PartitionKey: fmt.Sprintf("key-%d", i%7), Data: fmt.Appendf(nil, "batch %d record %d", batch, i)}
		}
		out := put(t, em, recs...)
		for _, r := range out.Records {
			seqs = append(seqs, r.SequenceNumber)
		}
		want = append(want, recs...)
		clk.Advance(time.Second)
	}

	it := iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})
	var got []stream.StoredRecord
	for range 10 {
		out := getRecords(t, em, clk, it, 128)
		got = append(got, out.Records...)
		it = out.NextShardIterator
		require.NotEmpty(t, it, "an open shard always has a next iterator")
		if out.MillisBehindLatest == 0 {
			break
		}
	}
	require.Len(t, got, len(want))
	start := newFakeClock().Now()
	for i := range want {
		assert.Equal(t, want[i].PartitionKey, got[i].PartitionKey, "record %d key", i)
		assert.Equal(t, want[i].Data, got[i].Data, "record %d data", i)
		assert.Equal(t, seqs[i], got[i].SequenceNumber, "record %d sequence number", i)
		assert.Equal(t, start.Add(time.Duration(i/100)*time.Second), got[i].ApproximateArrivalTimestamp.UTC(), "record %d arrival", i)
	}

	// A caller that scribbles on what it read does not change the stream.
	got[0].Data[0] = '!'
	again := getRecords(t, em, clk, iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon}), 1)
	assert.Equal(t, want[0].Data, again.Records[0].Data)
}

func TestShardIteratorTypes(t *testing.T) {
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk))
	first := put(t, em, records(3, 5, "first")...) // at t0
	clk.Advance(time.Minute)
	second := put(t, em, records(2, 5, "second")...) // at t0+1m
	t0 := newFakeClock().Now()

	tests := []struct {
		name string
		in   stream.GetShardIteratorInput
		want []string // partition keys read
	}{
		{"TRIM_HORIZON reads everything", stream.GetShardIteratorInput{Type: stream.TrimHorizon},
			[]string{"first-0", "first-1", "first-2", "second-0", "second-1"}},
		{"LATEST reads nothing written before it", stream.GetShardIteratorInput{Type: stream.Latest}, nil},
		{"AT_SEQUENCE_NUMBER includes that record", stream.GetShardIteratorInput{Type: stream.AtSequenceNumber, SequenceNumber: first.Records[2].SequenceNumber},
			[]string{"first-2", "second-0", "second-1"}},
		{"AFTER_SEQUENCE_NUMBER excludes it", stream.GetShardIteratorInput{Type: stream.AfterSequenceNumber, SequenceNumber: first.Records[2].SequenceNumber},
			[]string{"second-0", "second-1"}},
		{"AFTER_SEQUENCE_NUMBER of the last record reads nothing", stream.GetShardIteratorInput{Type: stream.AfterSequenceNumber, SequenceNumber: second.Records[1].SequenceNumber}, nil},
		{"AT_TIMESTAMP of the second batch", stream.GetShardIteratorInput{Type: stream.AtTimestamp, Timestamp: t0.Add(time.Minute)},
			[]string{"second-0", "second-1"}},
		{"AT_TIMESTAMP before everything", stream.GetShardIteratorInput{Type: stream.AtTimestamp, Timestamp: t0.Add(-time.Hour)},
			[]string{"first-0", "first-1", "first-2", "second-0", "second-1"}},
		{"AT_TIMESTAMP in the future", stream.GetShardIteratorInput{Type: stream.AtTimestamp, Timestamp: t0.Add(time.Hour)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := getRecords(t, em, clk, iteratorFor(t, em, tt.in), 0)
			var keys []string
			for _, r := range out.Records {
				keys = append(keys, r.PartitionKey)
			}
			assert.Equal(t, tt.want, keys)
			assert.Zero(t, out.MillisBehindLatest)
		})
	}

	t.Run("LATEST reads what is written after it", func(t *testing.T) {
		it := iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.Latest})
		put(t, em, records(1, 5, "third")...)
		out := getRecords(t, em, clk, it, 0)
		require.Len(t, out.Records, 1)
		assert.Equal(t, "third-0", out.Records[0].PartitionKey)
	})
}

func TestShardIteratorErrors(t *testing.T) {
	em := newStream(t, 2)
	out := put(t, em, stream.Record{PartitionKey: "a", Data: []byte("x")}) // shard 0
	seq := out.Records[0].SequenceNumber
	tests := []struct {
		name string
		in   stream.GetShardIteratorInput
		want error
	}{
		{"unknown stream", stream.GetShardIteratorInput{StreamName: "nope", ShardID: shard0, Type: stream.TrimHorizon}, stream.ErrNotFound},
		{"unknown shard", stream.GetShardIteratorInput{StreamName: testStream, ShardID: "shardId-000000000009", Type: stream.TrimHorizon}, stream.ErrNotFound},
		{"unknown type", stream.GetShardIteratorInput{StreamName: testStream, ShardID: shard0, Type: "OLDEST"}, stream.ErrInvalidArgument},
		{"malformed sequence number", stream.GetShardIteratorInput{StreamName: testStream, ShardID: shard0, Type: stream.AtSequenceNumber, SequenceNumber: "12x"}, stream.ErrInvalidArgument},
		{"another shard's sequence number", stream.GetShardIteratorInput{StreamName: testStream, ShardID: "shardId-000000000001", Type: stream.AtSequenceNumber, SequenceNumber: seq}, stream.ErrInvalidArgument},
		{"AT_TIMESTAMP without a timestamp", stream.GetShardIteratorInput{StreamName: testStream, ShardID: shard0, Type: stream.AtTimestamp}, stream.ErrInvalidArgument},
	}
	for _, tt := range tests {
		_, err := em.GetShardIterator(context.Background(), &tt.in)
		assert.ErrorIs(t, err, tt.want, tt.name)
	}
}

func TestGetRecordsErrors(t *testing.T) {
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk))
	it := iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})
	ctx := context.Background()

	tests := []struct {
		name    string
		in      stream.GetRecordsInput
		advance time.Duration
		want    error
	}{
		{"Limit above 10,000", stream.GetRecordsInput{ShardIterator: it, Limit: 10001}, 0, stream.ErrInvalidArgument},
		{"negative Limit", stream.GetRecordsInput{ShardIterator: it, Limit: -1}, 0, stream.ErrInvalidArgument},
		{"garbage iterator", stream.GetRecordsInput{ShardIterator: "not an iterator"}, 0, stream.ErrInvalidArgument},
		{"iterator exactly 5 minutes old still works", stream.GetRecordsInput{ShardIterator: it}, 5 * time.Minute, nil},
		{"iterator older than 5 minutes", stream.GetRecordsInput{ShardIterator: it}, time.Millisecond, stream.ErrExpiredIterator},
	}
	for _, tt := range tests {
		clk.Advance(tt.advance)
		_, err := em.GetRecords(ctx, &tt.in)
		if tt.want == nil {
			assert.NoError(t, err, tt.name)
		} else {
			assert.ErrorIs(t, err, tt.want, tt.name)
		}
	}

	t.Run("deleted stream", func(t *testing.T) {
		it := iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})
		require.NoError(t, em.DeleteStream(ctx, testStream))
		_, err := em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
		assert.ErrorIs(t, err, stream.ErrNotFound)
		// A new stream of the same name does not honour the old iterators.
		require.NoError(t, em.CreateStream(ctx, &stream.CreateStreamInput{StreamName: testStream, ShardCount: 1}))
		_, err = em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
		assert.ErrorIs(t, err, stream.ErrNotFound)
	})
}

func TestMillisBehindLatest(t *testing.T) {
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk))
	put(t, em, records(10, 5, "k")...)
	clk.Advance(3 * time.Second)
	it := iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})

	out := getRecords(t, em, clk, it, 4)
	assert.Len(t, out.Records, 4)
	assert.Equal(t, (3*time.Second + readPause).Milliseconds(), out.MillisBehindLatest, "the next unread record is 3.2 s old")
	out = getRecords(t, em, clk, out.NextShardIterator, 0)
	assert.Len(t, out.Records, 6)
	assert.Zero(t, out.MillisBehindLatest, "caught up")
}
