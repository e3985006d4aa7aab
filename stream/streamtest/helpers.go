package streamtest

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// mustBig parses a decimal sequence number, which may be wider than 128 bits.
func mustBig(t *testing.T, what, decimal string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(decimal, 10)
	require.True(t, ok, "%s %q is not a decimal integer", what, decimal)
	return v
}

// mustRange parses a shard's hash key range.
func mustRange(t *testing.T, sh stream.Shard) hashkey.Range {
	t.Helper()
	r, ok := hashkey.ParseRange(sh.HashKeyRange.StartingHashKey, sh.HashKeyRange.EndingHashKey)
	require.True(t, ok, "%s's hash key range %+v is not two decimal keys from 0 to 2^128-1", sh.ShardID, sh.HashKeyRange)
	return r
}

// shardFor returns the id of the open shard whose range holds key.
func shardFor(t *testing.T, shards []stream.Shard, key hashkey.Key) string {
	t.Helper()
	for _, sh := range shards {
		if sh.Open() && mustRange(t, sh).Contains(key) {
			return sh.ShardID
		}
	}
	require.FailNow(t, "no shard holds a hash key", "hash key %s in %+v", key, shards)
	return ""
}

// sortByStartingHashKey sorts shards in place by their ranges.
func sortByStartingHashKey(t *testing.T, shards []stream.Shard) {
	sort.Slice(shards, func(i, j int) bool {
		return mustRange(t, shards[i]).Start.Less(mustRange(t, shards[j]).Start)
	})
}

// testRecords returns n records with distinct keys and data naming the test
// and the batch, ~100 bytes each.
func testRecords(n int, batch string) []stream.Record {
	recs := make([]stream.Record, n)
	for i := range recs {
		recs[i] = stream.Record{
			PartitionKey: fmt.Sprintf("%s-key-%d", batch, i),
			Data:         fmt.Appendf(nil, "%s record %04d %-70s", batch, i, "kinesim conformance payload"),
		}
	}
	return recs
}

// put writes recs and requires the call to succeed with one result per
// record.
func (s *suite) put(t *testing.T, name string, recs []stream.Record) *stream.PutRecordsOutput {
	t.Helper()
	out, err := s.target.PutRecords(t.Context(), &stream.PutRecordsInput{StreamName: name, Records: recs})
	require.NoError(t, err, "PutRecords(%s, %d records)", name, len(recs))
	require.Len(t, out.Records, len(recs), "PutRecords returns one result per record, in request order")
	failed := 0
	for _, r := range out.Records {
		if r.Failed() {
			failed++
		}
	}
	require.Equal(t, failed, out.FailedRecordCount, "FailedRecordCount against the failed results")
	return out
}

// putAll writes recs and requires every record to succeed.
func (s *suite) putAll(t *testing.T, name string, recs []stream.Record) *stream.PutRecordsOutput {
	t.Helper()
	out := s.put(t, name, recs)
	require.Zero(t, out.FailedRecordCount, "failed records: %+v", out.Records)
	return out
}

// iterator returns a shard iterator.
func (s *suite) iterator(t *testing.T, in stream.GetShardIteratorInput) string {
	t.Helper()
	it, err := s.target.GetShardIterator(t.Context(), &in)
	require.NoError(t, err, "GetShardIterator(%+v)", in)
	return it
}

// getRecords calls GetRecords, waiting out read throttling (bounded).
func (s *suite) getRecords(t *testing.T, it string, limit int) *stream.GetRecordsOutput {
	t.Helper()
	deadline := s.clock.Now().Add(activeTimeout)
	for {
		out, err := s.target.GetRecords(t.Context(), &stream.GetRecordsInput{ShardIterator: it, Limit: limit})
		if errors.Is(err, stream.ErrThrottled) && s.clock.Now().Before(deadline) {
			s.sleep(t, time.Second/stream.ShardReadCallsPerSecond)
			continue
		}
		require.NoError(t, err, "GetRecords")
		return out
	}
}

// readShard reads a shard from the iterator that in describes; see readFrom.
func (s *suite) readShard(t *testing.T, in stream.GetShardIteratorInput, want int, limit int) []stream.StoredRecord {
	t.Helper()
	return s.readFrom(t, s.iterator(t, in), want, limit)
}

// readFrom reads from an iterator until it has at least want records, then
// makes one more call to check nothing follows, and returns all records
// read. It stops early at the end of a closed shard.
func (s *suite) readFrom(t *testing.T, it string, want int, limit int) []stream.StoredRecord {
	t.Helper()
	var got []stream.StoredRecord
	deadline := s.clock.Now().Add(activeTimeout)
	for extra := 0; extra < 2; {
		out := s.getRecords(t, it, limit)
		got = append(got, out.Records...)
		if len(got) >= want {
			extra++ // one call past the records wanted shows nothing more is there
		} else if len(out.Records) == 0 {
			require.True(t, s.clock.Now().Before(deadline), "read %d records in %v, want %d", len(got), activeTimeout, want)
			s.sleep(t, pollInterval)
		}
		if out.NextShardIterator == "" {
			break
		}
		it = out.NextShardIterator
	}
	return got
}

// keysOf lists records' partition keys.
func keysOf(recs []stream.StoredRecord) []string {
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = r.PartitionKey
	}
	return keys
}

// recordsAsStream views written records as a reader would see them, for
// comparing keys.
func recordsAsStream(recs []stream.Record) []stream.StoredRecord {
	out := make([]stream.StoredRecord, len(recs))
	for i, r := range recs {
		out[i] = stream.StoredRecord{PartitionKey: r.PartitionKey, Data: r.Data}
	}
	return out
}
