package consume

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kpl"
)

// userData is a user record as a kinesim generator writes it: its id and
// intended send time first.
func userData(id int) []byte {
	return fmt.Appendf(nil, `{"kinesim_id":"bikes-%d","kinesim_sent_us":1767225600000000,"v":%d}`, id, id)
}

// aggregateOf packs user records ids into one KPL aggregate, each keyed by
// the partition key key(id).
func aggregateOf(t *testing.T, ids []int, key func(int) string) []byte {
	t.Helper()
	agg, err := kpl.NewAggregator()
	require.NoError(t, err)
	var out []kpl.Aggregate
	for _, id := range ids {
		out, err = agg.Add(out, kpl.UserRecord{PartitionKey: key(id), Data: userData(id)})
		require.NoError(t, err)
	}
	out = agg.Flush(out)
	require.Len(t, out, 1)
	return out[0].Data
}

// TestProcessDeaggregates feeds a consumer one response holding a good
// aggregate, a truncated one, one whose digest does not match, one with a
// user record outside the shard, and a plain record: it delivers the user
// records it can, counts the corrupt aggregates and the filtered user
// records, and never fails.
func TestProcessDeaggregates(t *testing.T) {
	led := ledger.New()
	producer := led.Producer("bikes")
	for id := 1; id <= 13; id++ {
		producer.Acknowledged(uint64(id), "k", "shardId-000000000000", "1", 1)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := metrics.NewRecorder(start)
	c := &consumer{name: "kcl", clk: clock.Real{}, rec: rec, ledger: led.Consumer("kcl"),
		sink: newSink(scenarios.Consumer{Sink: scenarios.SinkIdempotentSequence}), deaggregate: true}
	// The shard holds the lower half of the hash key space; MD5("k-low")
	// and MD5("k-high") fall on either side.
	lower, err := kpl.ParseHashRange("0", "170141183460469231731687303715884105727")
	require.NoError(t, err)
	low, high := keyIn(t, lower, true), keyIn(t, lower, false)

	good := aggregateOf(t, []int{1, 2, 3}, func(int) string { return low })
	badDigest := aggregateOf(t, []int{4, 5, 6}, func(int) string { return low })
	badDigest[len(badDigest)-1] ^= 0xff
	truncated := append([]byte(nil), good[:10]...)
	misplaced := aggregateOf(t, []int{7, 8, 9}, func(id int) string { return map[bool]string{true: low, false: high}[id != 8] })
	records := []stream.StoredRecord{
		{SequenceNumber: "10", PartitionKey: "a", Data: good},
		{SequenceNumber: "11", PartitionKey: "a", Data: badDigest},
		{SequenceNumber: "12", PartitionKey: "a", Data: truncated},
		{SequenceNumber: "13", PartitionKey: "a", Data: misplaced},
		{SequenceNumber: "14", PartitionKey: low, Data: userData(10)},
	}
	c.process("shardId-000000000000", lower, records, start.Add(time.Second))

	assert.Equal(t, int64(2), c.aggs.corrupt.Load(), "the truncated aggregate and the bad digest")
	assert.Equal(t, int64(3), c.aggs.filtered.Load(), "the misplaced aggregate, whole")
	assert.Equal(t, int64(5), rec.Count(metrics.KinesisRecordsConsumed))
	// 3 of the good aggregate, each corrupt one passed on whole as one
	// record, the plain record: 6 deliveries.
	assert.Equal(t, int64(6), rec.Count(metrics.RecordsConsumed))
	v := c.ledger.Verdict()
	assert.Equal(t, int64(6), v.Deliveries)
	for id, want := range map[int]int{1: 1, 2: 1, 3: 1, 7: 0, 8: 0, 9: 0, 10: 1} {
		assert.Equal(t, want, c.ledger.DeliveryCount(fmt.Sprint("bikes-", id)), "bikes-%d", id)
	}
	// The bad-digest aggregate, taken whole, shows the first record id in
	// its bytes, as an application that scans it would; the truncated one
	// shows none.
	assert.Equal(t, 1, c.ledger.DeliveryCount("bikes-4"))
	assert.Equal(t, int64(1), v.Unknown, "the truncated aggregate names no record")
}

// keyIn returns a partition key whose MD5 hash key is inside r (or outside).
func keyIn(t *testing.T, r kpl.HashRange, inside bool) string {
	t.Helper()
	for i := range 1000 {
		key := fmt.Sprint("k-", i)
		in, err := r.Contains(key, "")
		require.NoError(t, err)
		if in == inside {
			return key
		}
	}
	t.Fatal("no key found")
	return ""
}
