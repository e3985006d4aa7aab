package emulated_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

func retentionStats(t *testing.T, em *emulated.Emulator) stream.RetentionStats {
	t.Helper()
	stats, err := em.RetentionStats(context.Background(), testStream)
	require.NoError(t, err)
	return stats
}

func TestRetention(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk))
	put(t, em, records(10, 100, "old")...) // t0
	clk.Advance(12 * time.Hour)
	put(t, em, records(5, 100, "new")...) // t0+12h

	// A reader takes 3 of the old records.
	it := iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})
	require.Len(t, getRecords(t, em, clk, it, 3).Records, 3)

	clk.Advance(12*time.Hour + time.Second) // the old records are past 24 h
	out := getRecords(t, em, clk, iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon}), 0)
	assert.Equal(t, []string{"new-0", "new-1", "new-2", "new-3", "new-4"}, keysOfRecords(out.Records), "TRIM_HORIZON moved past the expired records")
	assert.Equal(t, stream.RetentionStats{ExpiredRecords: 10, ExpiredUnread: 7}, retentionStats(t, em), "the 7 records nobody read are lost")

	// Longer retention keeps the rest longer.
	require.NoError(t, em.SetRetentionPeriod(ctx, testStream, 48*time.Hour))
	clk.Advance(24 * time.Hour)
	assert.Equal(t, int64(10), retentionStats(t, em).ExpiredRecords, "48 h retention keeps the new records")
	clk.Advance(13 * time.Hour)
	assert.Equal(t, stream.RetentionStats{ExpiredRecords: 15, ExpiredUnread: 7}, retentionStats(t, em), "read records expire without loss")

	tests := []struct {
		period time.Duration
		want   error
	}{
		{23 * time.Hour, stream.ErrInvalidArgument},   // below 24 h
		{8761 * time.Hour, stream.ErrInvalidArgument}, // above 8,760 h
		{90 * time.Minute, stream.ErrInvalidArgument}, // not whole hours
		{8760 * time.Hour, nil},                       // the longest
	}
	for _, tt := range tests {
		err := em.SetRetentionPeriod(ctx, testStream, tt.period)
		if tt.want == nil {
			assert.NoError(t, err, "%v", tt.period)
		} else {
			assert.ErrorIs(t, err, tt.want, "%v", tt.period)
		}
	}
	assert.ErrorIs(t, em.SetRetentionPeriod(ctx, "nope", 48*time.Hour), stream.ErrNotFound)
}

func TestPayloadMemoryLimit(t *testing.T) {
	const limit = 1 << 20 // four 256 KiB chunks
	clk := newFakeClock()
	em := newStream(t, 2, emulated.WithClock(clk), emulated.WithPayloadMemoryLimit(limit))
	// 3 MiB in 30 calls of 100 records of ~1 KiB, a second apart.
	var want []stream.Record
	for batch := range 30 {
		recs := records(100, 1000, "b")
		for i := range recs {
			recs[i].Data[0] = byte(batch)
		}
		out := put(t, em, recs...)
		require.Zero(t, out.FailedRecordCount)
		want = append(want, recs...)
		assert.LessOrEqual(t, em.PayloadBytes(), int64(limit), "after call %d", batch)
		clk.Advance(time.Second)
	}

	stats := retentionStats(t, em)
	assert.Positive(t, stats.PayloadsDropped)
	assert.Equal(t, stats.PayloadsDropped, stats.PayloadsDroppedUnread, "nothing had been read")

	// Every record is still there with its size; the oldest come back marked.
	var dropped, kept int
	for _, sh := range []string{shard0, "shardId-000000000001"} {
		it := iteratorFor(t, em, stream.GetShardIteratorInput{ShardID: sh, Type: stream.TrimHorizon})
		for it != "" {
			clk.Advance(time.Second) // pays for the previous page's bytes
			out := getRecords(t, em, clk, it, 0)
			if len(out.Records) == 0 {
				break
			}
			for _, r := range out.Records {
				assert.Len(t, r.Data, 1000)
				if r.PayloadDropped {
					dropped++
					assert.Empty(t, r.PartitionKey)
					assert.Equal(t, make([]byte, 1000), r.Data)
				} else {
					kept++
					assert.NotEmpty(t, r.PartitionKey)
				}
			}
			it = out.NextShardIterator
		}
	}
	assert.Equal(t, len(want), dropped+kept, "records read")
	assert.Equal(t, int(stats.PayloadsDropped), dropped)
	assert.Positive(t, kept)

	t.Run("deleting a stream frees its payloads", func(t *testing.T) {
		require.NoError(t, em.DeleteStream(context.Background(), testStream))
		assert.Zero(t, em.PayloadBytes())
	})
}

func keysOfRecords(recs []stream.StoredRecord) []string {
	var keys []string
	for _, r := range recs {
		keys = append(keys, r.PartitionKey)
	}
	return keys
}

func TestRecordLimit(t *testing.T) {
	const limit = 3 * 4096 // three segments of bookkeeping
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk), emulated.WithRecordLimit(limit))
	// 20,000 records, 500 a second: five segments, of which the two oldest
	// go as the fourth and the fifth are started.
	for range 40 {
		put(t, em, records(500, 10, "k")...)
		clk.Advance(time.Second)
		assert.LessOrEqual(t, em.StoredRecords(), int64(limit), "bookkeeping kept")
	}
	stats := retentionStats(t, em)
	assert.Equal(t, stream.RetentionStats{EvictedRecords: 2 * 4096, EvictedUnread: 2 * 4096}, stats,
		"whole segments of unread records evicted")

	// TRIM_HORIZON starts after them.
	var n int
	it := iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})
	for range 3 {
		out := getRecords(t, em, clk, it, 0)
		n += len(out.Records)
		it = out.NextShardIterator
	}
	assert.Equal(t, 20000-2*4096, n)
}
