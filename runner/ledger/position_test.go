package ledger

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

func TestStartScopeFilterAndGenerations(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	l, err := Create(path)
	require.NoError(t, err)
	t0 := time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)
	p, other := l.Producer("p"), l.Producer("other")
	c := l.Consumer("c")
	c.StartAt(t0.Add(5 * time.Second))
	c.Scope("p")
	const shard = "shardId-000000000000"
	// p-1..p-4 sent before the start (p-4 is read anyway), p-5..p-10 after.
	for id := 1; id <= 10; id++ {
		p.AcknowledgedAt(uint64(id), "k", shard, seq(id), 1, t0.Add(time.Duration(id)*time.Second))
		other.AcknowledgedAt(uint64(id), "k", shard, seq(100+id), 1, t0)
	}
	deliver := func(id, gen int, filtered bool) {
		c.Delivered(Delivery{RecordID: "p-" + strconv.Itoa(id), ShardID: shard, SequenceNumber: seq(id), Generation: gen, Filtered: filtered, Applied: !filtered})
	}
	for id := 4; id <= 8; id++ {
		deliver(id, 0, id == 6) // p-6 filtered out
	}
	c.Checkpointed(shard) // after p-4..p-8
	deliver(9, 0, false)
	gen := c.Restart(t0.Add(20 * time.Second))
	require.Equal(t, 1, gen)
	deliver(9, gen, false) // re-delivered: after the checkpoint
	deliver(10, gen, false)
	require.NoError(t, l.Close())

	want := result.ConsumerVerdict{Consumer: "c", Acknowledged: 10, Deliveries: 8, DistinctRecords: 7,
		DuplicateDeliveries: 1, DuplicateEffects: 1, BeforeStart: 3, FilteredOut: 1, Passed: true,
		Generations: []result.GenerationVerdict{
			{Generation: 0, Deliveries: 6},
			{Generation: 1, StartedAt: t0.Add(20 * time.Second), Uncheckpointed: 1, Deliveries: 2, Redeliveries: 1},
		}}
	assert.Equal(t, want, c.Verdict(), "in memory")
	n, ok := c.RedeliveriesAt(t0.Add(20 * time.Second))
	assert.True(t, ok)
	assert.Equal(t, int64(1), n, "the restart's re-deliveries")
	// p-4, p-5, p-7..p-10 should be in the sink once; p-1..p-3 were before the start.
	assert.Equal(t, map[uint64]int64{KeyHash("k"): 6}, c.ExpectedCounts())

	loaded, err := Load(path)
	require.NoError(t, err)
	require.Len(t, loaded.Consumers(), 1)
	lc := loaded.Consumers()[0]
	assert.Equal(t, want, lc.Verdict(), "from the file")
	assert.Nil(t, lc.ExpectedCounts(), "partition keys are not in the file")
}

// TestFilteredBeforeTheAcknowledgement: a record read (and filtered out)
// twice before the producer has its answer is left out of the expected
// counts once.
func TestFilteredBeforeTheAcknowledgement(t *testing.T) {
	l := New()
	p := l.Producer("p")
	c := l.Consumer("c")
	for range 2 {
		c.Delivered(Delivery{RecordID: "p-1", PartitionKey: "k", SequenceNumber: seq(1), Filtered: true})
	}
	c.Delivered(Delivery{RecordID: "p-2", PartitionKey: "k", SequenceNumber: seq(2), Applied: true})
	p.Acknowledged(1, "k", "shardId-000000000000", seq(1), 1)
	p.Acknowledged(2, "k", "shardId-000000000000", seq(2), 1)
	assert.Equal(t, map[uint64]int64{KeyHash("k"): 1}, c.ExpectedCounts(), "p-2 only")
	v := c.Verdict()
	assert.Equal(t, int64(1), v.FilteredOut)
	assert.Zero(t, v.DeliveredNotAcknowledged, "both read before their acknowledgement, of the acknowledged writes")
}
