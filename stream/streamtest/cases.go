package streamtest

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

func testShardsCoverHashKeySpace(t *testing.T, s *suite) {
	for _, n := range []int{1, 3, 4} {
		t.Run(fmt.Sprintf("%d shards", n), func(t *testing.T) {
			_, shards := s.createStream(t, n)
			ids := map[string]bool{}
			for _, sh := range shards {
				assert.False(t, ids[sh.ShardID], "shard id %s listed twice", sh.ShardID)
				ids[sh.ShardID] = true
				assert.True(t, sh.Open(), "%s of a new stream is open", sh.ShardID)
				assert.NotEmpty(t, sh.SequenceNumberRange.StartingSequenceNumber, "%s has a starting sequence number", sh.ShardID)
			}
			sortByStartingHashKey(t, shards)
			next, last := hashkey.Key{}, hashkey.Key{}
			for _, sh := range shards {
				r := mustRange(t, sh)
				assert.Equal(t, next.String(), r.Start.String(), "%s starts where the previous shard ends, without a gap", sh.ShardID)
				assert.False(t, r.End.Less(r.Start), "%s: range %s..%s", sh.ShardID, r.Start, r.End)
				next, _ = r.End.Next()
				last = r.End
			}
			assert.Equal(t, hashkey.Max.String(), last.String(), "the last shard ends at 2^128-1")
		})
	}
}

func testPutRecordsResultsInRequestOrder(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 4)
	recs := testRecords(200, "order")
	out := s.putAll(t, name, recs)
	bySeq := map[string]int{} // sequence number → request index
	for i, r := range out.Records {
		want := shardFor(t, shards, hashkey.FromPartitionKey(recs[i].PartitionKey))
		assert.Equal(t, want, r.ShardID, "record %d (key %q) goes to the shard holding MD5 of its key", i, recs[i].PartitionKey)
		assert.NotEmpty(t, r.SequenceNumber, "record %d", i)
		assert.NotContains(t, bySeq, r.SequenceNumber, "sequence numbers are unique")
		bySeq[r.SequenceNumber] = i
	}
	// Reading back ties each sequence number to its data: result i is
	// record i's.
	for _, sh := range shards {
		count := 0
		for _, r := range out.Records {
			if r.ShardID == sh.ShardID {
				count++
			}
		}
		got := s.readShard(t, stream.GetShardIteratorInput{StreamName: name, ShardID: sh.ShardID, Type: stream.TrimHorizon}, count, 0)
		for _, r := range got {
			i, ok := bySeq[r.SequenceNumber]
			if assert.True(t, ok, "%s: read sequence number %s that PutRecords did not return", sh.ShardID, r.SequenceNumber) {
				assert.Equal(t, string(recs[i].Data), string(r.Data), "result %d's sequence number reads back record %d's data", i, i)
			}
		}
	}
}

func testExplicitHashKeyRouting(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 3)
	var recs []stream.Record
	var want []string
	for _, sh := range shards {
		// The same partition key every time: only the explicit key routes.
		for _, k := range []string{sh.HashKeyRange.StartingHashKey, sh.HashKeyRange.EndingHashKey} {
			recs = append(recs, stream.Record{PartitionKey: "same-key", ExplicitHashKey: k, Data: []byte(k)})
			want = append(want, sh.ShardID)
		}
	}
	out := s.putAll(t, name, recs)
	for i, r := range out.Records {
		assert.Equal(t, want[i], r.ShardID, "ExplicitHashKey %s", recs[i].ExplicitHashKey)
	}
}

func testSequenceNumbersIncreasePerShard(t *testing.T, s *suite) {
	name, _ := s.createStream(t, 2)
	last := map[string]*big.Int{}
	for batch := range 4 {
		out := s.putAll(t, name, testRecords(100, fmt.Sprintf("seq%d", batch)))
		// Within one call Kinesis does not promise an order, so compare each
		// call's smallest number with the previous call's largest.
		low, high := map[string]*big.Int{}, map[string]*big.Int{}
		for _, r := range out.Records {
			seq := mustBig(t, "SequenceNumber", r.SequenceNumber)
			if low[r.ShardID] == nil || seq.Cmp(low[r.ShardID]) < 0 {
				low[r.ShardID] = seq
			}
			if high[r.ShardID] == nil || seq.Cmp(high[r.ShardID]) > 0 {
				high[r.ShardID] = seq
			}
		}
		for id, seq := range low {
			if prev := last[id]; prev != nil {
				assert.Equal(t, 1, seq.Cmp(prev), "%s: batch %d starts at %s, not above the previous batch's %s", id, batch, seq, prev)
			}
			last[id] = high[id]
		}
	}
}

func testTrimHorizonReadsBackExactly(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 2)
	type written struct {
		seq *big.Int
		rec stream.Record
		str string
	}
	perShard := map[string][]written{}
	for batch := range 3 {
		recs := testRecords(150, fmt.Sprintf("trim%d", batch))
		out := s.putAll(t, name, recs)
		for i, r := range out.Records {
			perShard[r.ShardID] = append(perShard[r.ShardID], written{mustBig(t, "SequenceNumber", r.SequenceNumber), recs[i], r.SequenceNumber})
		}
	}
	for _, sh := range shards {
		want := perShard[sh.ShardID]
		// Sequence order is write order across calls (Kinesis keeps no order
		// inside one call).
		slices.SortFunc(want, func(a, b written) int { return a.seq.Cmp(b.seq) })
		got := s.readShard(t, stream.GetShardIteratorInput{StreamName: name, ShardID: sh.ShardID, Type: stream.TrimHorizon}, len(want), 0)
		require.Len(t, got, len(want), "%s: records read from TRIM_HORIZON", sh.ShardID)
		for i := range want {
			assert.Equal(t, want[i].str, got[i].SequenceNumber, "%s record %d: sequence number", sh.ShardID, i)
			assert.Equal(t, want[i].rec.PartitionKey, got[i].PartitionKey, "%s record %d: partition key", sh.ShardID, i)
			assert.Equal(t, string(want[i].rec.Data), string(got[i].Data), "%s record %d: data", sh.ShardID, i)
			assert.False(t, got[i].ApproximateArrivalTimestamp.IsZero(), "%s record %d: arrival timestamp", sh.ShardID, i)
		}
	}
}

func testGetRecordsLimitPages(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 1)
	s.putAll(t, name, testRecords(10, "page"))
	it := s.iterator(t, stream.GetShardIteratorInput{StreamName: name, ShardID: shards[0].ShardID, Type: stream.TrimHorizon})
	var keys []string
	for calls := 0; len(keys) < 10 && calls < 50; calls++ {
		out := s.getRecords(t, it, 3)
		assert.LessOrEqual(t, len(out.Records), 3, "Limit 3")
		keys = append(keys, keysOf(out.Records)...)
		it = out.NextShardIterator
	}
	assert.Equal(t, keysOf(recordsAsStream(testRecords(10, "page"))), keys, "pages of 3 read every record once, in order")
}

func testSequenceNumberIterators(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 1)
	recs := testRecords(20, "seqit")
	out := s.putAll(t, name, recs)
	ids := map[string]bool{}
	for _, r := range out.Records {
		ids[r.SequenceNumber] = true
	}
	all := s.readShard(t, stream.GetShardIteratorInput{StreamName: name, ShardID: shards[0].ShardID, Type: stream.TrimHorizon}, len(recs), 0)
	require.Len(t, all, len(recs))
	const k = 7
	tests := []struct {
		name string
		typ  stream.IteratorType
		seq  string
		want []stream.StoredRecord
	}{
		// AT_SEQUENCE_NUMBER starts with the record itself.
		{"AT_SEQUENCE_NUMBER", stream.AtSequenceNumber, all[k].SequenceNumber, all[k:]},
		// AFTER_SEQUENCE_NUMBER starts with the record after it.
		{"AFTER_SEQUENCE_NUMBER", stream.AfterSequenceNumber, all[k].SequenceNumber, all[k+1:]},
		// AFTER_SEQUENCE_NUMBER of the last record reads nothing.
		{"AFTER_SEQUENCE_NUMBER of the last record", stream.AfterSequenceNumber, all[len(all)-1].SequenceNumber, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.readShard(t, stream.GetShardIteratorInput{StreamName: name, ShardID: shards[0].ShardID, Type: tt.typ, SequenceNumber: tt.seq}, len(tt.want), 0)
			assert.Equal(t, keysOf(tt.want), keysOf(got))
		})
	}
}

func testLatestIterator(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 1)
	s.putAll(t, name, testRecords(5, "before"))
	latest := stream.GetShardIteratorInput{StreamName: name, ShardID: shards[0].ShardID, Type: stream.Latest}
	assert.Empty(t, s.readShard(t, latest, 0, 0), "LATEST skips records written before it")

	it := s.iterator(t, latest)
	after := testRecords(5, "after")
	s.putAll(t, name, after)
	got := s.readFrom(t, it, len(after), 0)
	assert.Equal(t, keysOf(recordsAsStream(after)), keysOf(got), "a LATEST iterator reads exactly what is written after it")
}

func testUnknownStream(t *testing.T, s *suite) {
	ctx := t.Context()
	name := uniqueStreamName(t) // never created
	_, err := s.target.PutRecords(ctx, &stream.PutRecordsInput{StreamName: name, Records: testRecords(1, "x")})
	assert.ErrorIs(t, err, stream.ErrNotFound, "PutRecords")
	_, err = s.target.ListShards(ctx, name)
	assert.ErrorIs(t, err, stream.ErrNotFound, "ListShards")
	_, err = s.target.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: name, ShardID: "shardId-000000000000", Type: stream.TrimHorizon})
	assert.ErrorIs(t, err, stream.ErrNotFound, "GetShardIterator")
	assert.ErrorIs(t, s.target.DeleteStream(ctx, name), stream.ErrNotFound, "DeleteStream")
}

func testOversizeBatch(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 1)
	_, err := s.target.PutRecords(t.Context(), &stream.PutRecordsInput{StreamName: name, Records: testRecords(stream.MaxRecordsPerPutRecords+1, "big")})
	require.ErrorIs(t, err, stream.ErrInvalidArgument, "PutRecords with %d records", stream.MaxRecordsPerPutRecords+1)
	got := s.readShard(t, stream.GetShardIteratorInput{StreamName: name, ShardID: shards[0].ShardID, Type: stream.TrimHorizon}, 0, 0)
	assert.Empty(t, got, "a rejected call writes nothing")
}

func testWriteThrottling(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 1)
	prefix := fmt.Sprintf("Rate exceeded for shard %s in stream %s", shards[0].ShardID, name)
	throttled := 0
	// 500-record calls back to back outrun 1,000 records/s within a few calls.
	for batch := 0; batch < 10 && throttled == 0; batch++ {
		out := s.put(t, name, testRecords(stream.MaxRecordsPerPutRecords, fmt.Sprintf("hot%d", batch)))
		for i, r := range out.Records {
			if !r.Failed() {
				continue
			}
			throttled++
			assert.Equal(t, stream.CodeThrottled, r.ErrorCode, "record %d", i)
			assert.True(t, strings.HasPrefix(r.ErrorMessage, prefix), "record %d: ErrorMessage %q, want it to start %q", i, r.ErrorMessage, prefix)
			assert.Empty(t, r.SequenceNumber, "record %d: a throttled record has no sequence number", i)
		}
	}
	assert.Positive(t, throttled, "5,000 records in quick succession into one shard throttle some")
}

func testReadThrottling(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 1)
	s.putAll(t, name, testRecords(10, "read"))
	it := s.iterator(t, stream.GetShardIteratorInput{StreamName: name, ShardID: shards[0].ShardID, Type: stream.TrimHorizon})
	// Calls back to back outrun 5 calls a second.
	var err error
	for calls := 0; calls < 20 && err == nil; calls++ {
		var out *stream.GetRecordsOutput
		if out, err = s.target.GetRecords(t.Context(), &stream.GetRecordsInput{ShardIterator: it, Limit: 1}); err == nil {
			it = out.NextShardIterator
		}
	}
	require.ErrorIs(t, err, stream.ErrThrottled, "20 GetRecords calls on one shard at once")

	// Waiting a second lets reads go on where they stopped.
	s.sleep(t, time.Second)
	got := s.readFrom(t, it, 0, 0)
	assert.NotEmpty(t, got, "reading resumes after the throttle")
}

func testIteratorExpiry(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 1)
	s.putAll(t, name, testRecords(3, "expiry"))
	it := s.iterator(t, stream.GetShardIteratorInput{StreamName: name, ShardID: shards[0].ShardID, Type: stream.TrimHorizon})
	s.sleep(t, 5*time.Minute)
	out := s.getRecords(t, it, 1)
	assert.Len(t, out.Records, 1, "an iterator 5 minutes old still reads")

	next := out.NextShardIterator
	s.sleep(t, 5*time.Minute+time.Second)
	_, err := s.target.GetRecords(t.Context(), &stream.GetRecordsInput{ShardIterator: next})
	require.ErrorIs(t, err, stream.ErrExpiredIterator, "an iterator older than 5 minutes")
}

func testRetention(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 1)
	trimHorizon := stream.GetShardIteratorInput{StreamName: name, ShardID: shards[0].ShardID, Type: stream.TrimHorizon}
	s.putAll(t, name, testRecords(5, "old"))
	s.sleep(t, 12*time.Hour)
	s.putAll(t, name, testRecords(5, "new"))
	assert.Len(t, s.readShard(t, trimHorizon, 10, 0), 10, "within the retention period every record is there")

	s.sleep(t, 12*time.Hour+time.Minute)
	got := s.readShard(t, trimHorizon, 5, 0)
	assert.Equal(t, keysOf(recordsAsStream(testRecords(5, "new"))), keysOf(got), "after 24 hours TRIM_HORIZON starts past the old records")

	if reporter, ok := s.target.(stream.RetentionReporter); ok {
		stats, err := reporter.RetentionStats(t.Context(), name)
		require.NoError(t, err)
		assert.Equal(t, int64(5), stats.ExpiredRecords, "RetentionStats.ExpiredRecords")
		assert.Zero(t, stats.ExpiredUnread, "every expired record had been read")
	}
}

func testOnDemandStream(t *testing.T, s *suite) {
	name, shards := s.create(t, stream.CreateStreamInput{Mode: stream.ModeOnDemand}, 0)
	sortByStartingHashKey(t, shards)
	next := hashkey.Key{}
	for _, sh := range shards {
		assert.Equal(t, next.String(), sh.HashKeyRange.StartingHashKey, "shards cover the key space without gaps")
		next, _ = mustRange(t, sh).End.Next()
	}
	recs := testRecords(50, "ondemand")
	out := s.putAll(t, name, recs)
	for i, r := range out.Records {
		assert.Equal(t, shardFor(t, shards, hashkey.FromPartitionKey(recs[i].PartitionKey)), r.ShardID, "record %d routes by MD5", i)
	}
}
