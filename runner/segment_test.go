package runner

import (
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// segmentScenario has two producers, one with Poisson arrivals on a ramp
// (so the split is of random offsets, not a clean grid), and a consumer.
func segmentScenario(t *testing.T) *scenarios.Scenario {
	t.Helper()
	src := `
name: split
seed: 11
duration: 4s
target: {kind: emulated, stream: split, shards: 4}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 50, bikes: 500}
    partition_key: {field: bike_id}
    rate: [{ramp: {from: 100/s, to: 500/s}, for: 3s, arrivals: poisson}, {constant: 300/s}]
    batch: {max_records: 100, linger: 20ms}
  - name: logs
    generator: logs
    rate: [{constant: 211/s}]
    batch: {max_records: 50, linger: 10ms}
consumers:
  - {name: reader, mode: polling, poll_interval: 200ms, sink: idempotent}
`
	sc, err := scenarios.Parse([]byte(src), "split.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	return sc
}

// runSegments runs sc as n segments, concurrently, against one emulated
// stream inside a synctest bubble, from a common start; it returns their
// run folders and results in segment order.
func runSegments(t *testing.T, sc *scenarios.Scenario, segs []segment.Segment) ([]string, []*result.Result) {
	t.Helper()
	dirs := make([]string, len(segs))
	results := make([]*result.Result, len(segs))
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	synctest.Test(t, func(t *testing.T) {
		target := emulated.New()
		startAt := time.Now().Add(2 * time.Second)
		var wg sync.WaitGroup
		errs := make([]error, len(segs))
		for i, seg := range segs {
			wg.Go(func() {
				results[i], errs[i] = Run(t.Context(), Config{Scenario: sc, Target: target, OutDir: dirs[i], Segment: seg, StartAt: startAt})
			})
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "segment %s", segs[i])
		}
	})
	return dirs, results
}

func splitInto(n int) []segment.Segment {
	segs := make([]segment.Segment, n)
	for k := range segs {
		segs[k] = segment.Segment{Index: k, Count: n}
	}
	return segs
}

// acknowledgedIDs reads which record ids of producer the run folders'
// ledgers hold as acknowledged, and fails on an id acknowledged twice.
func acknowledgedIDs(t *testing.T, dirs []string, producer string, upTo uint64) map[uint64]int {
	t.Helper()
	ids := map[uint64]int{}
	for i, dir := range dirs {
		led, err := ledger.Load(filepath.Join(dir, ledger.FileName))
		require.NoError(t, err)
		p := led.Producer(producer)
		for id := uint64(1); id <= upTo; id++ {
			if p.Outcome(id) == ledger.Acknowledged {
				_, dup := ids[id]
				require.False(t, dup, "record %s-%d acknowledged in two segments", producer, id)
				ids[id] = i
			}
		}
	}
	return ids
}

func shardLoads(results ...*result.Result) map[string][2]int64 {
	out := map[string][2]int64{}
	for _, r := range results {
		for _, sh := range r.Shards {
			load := out[sh.ShardID]
			out[sh.ShardID] = [2]int64{load[0] + sh.RecordsAcknowledged, load[1] + sh.BytesAcknowledged}
		}
	}
	return out
}

func scheduledPerSecond(results ...*result.Result) map[int]int64 {
	out := map[int]int64{}
	for _, r := range results {
		for _, p := range r.Series {
			if p.RecordsScheduled > 0 {
				out[p.Second] += p.RecordsScheduled
			}
		}
	}
	return out
}

// TestSegmentsMakeTheWholeRunsRecords: the same seeded scenario run as one
// process and as four segments makes the same record ids and the same
// scheduled count in every second, each id in exactly one segment.
func TestSegmentsMakeTheWholeRunsRecords(t *testing.T) {
	sc := segmentScenario(t)
	wholeDirs, whole := runSegments(t, sc, []segment.Segment{segment.Whole})
	dirs, parts := runSegments(t, sc, splitInto(4))

	var scheduled int64
	for k, r := range parts {
		require.NotNil(t, r.Segment, "segment %d says it is one", k)
		assert.Equal(t, k, r.Segment.Index)
		assert.Nil(t, r.Verification, "a segment's verification is left to merge")
		scheduled += r.Totals.RecordsScheduled
		assert.Positive(t, r.Totals.RecordsScheduled, "segment %d made records", k)
	}
	assert.Equal(t, whole[0].Totals.RecordsScheduled, scheduled)
	assert.Equal(t, scheduledPerSecond(whole...), scheduledPerSecond(parts...))
	// The payloads and keys are the same too: every shard gets the same
	// records and bytes (a generator or key chooser that drifted in a
	// segment would move keys between shards and change sizes).
	assert.Equal(t, shardLoads(whole...), shardLoads(parts...))
	for _, producer := range []string{"bikes", "logs"} {
		upTo := uint64(whole[0].Totals.RecordsScheduled) + 10
		want := acknowledgedIDs(t, wholeDirs, producer, upTo)
		got := acknowledgedIDs(t, dirs, producer, upTo)
		require.Len(t, got, len(want), producer)
		for id := range want {
			k, ok := got[id]
			require.True(t, ok, "record %s-%d is in no segment", producer, id)
			assert.Equal(t, int((id-1)%4), k, "record %s-%d is segment %d's", producer, id, (id-1)%4)
		}
	}
}

// TestSegmentsReadEveryShardOnce: the segments' consumers together read
// every record once (an idempotent sink, no faults), each shard by one
// segment; a segment that is not 0 waits for the stream instead of
// creating it.
func TestSegmentsReadEveryShardOnce(t *testing.T) {
	sc := segmentScenario(t)
	_, parts := runSegments(t, sc, splitInto(3))
	var acked, consumed int64
	for _, r := range parts {
		acked += r.Totals.RecordsAcknowledged
		consumed += r.Totals.RecordsConsumed
	}
	assert.Equal(t, acked, consumed, "every acknowledged record is read once, by one segment")
}

// TestConsumerOnlySegment: producers in two segments, the consumers in a
// third of their own.
func TestConsumerOnlySegment(t *testing.T) {
	sc := segmentScenario(t)
	segs := []segment.Segment{
		{Index: 0, Count: 2, Role: segment.RoleProducers},
		{Index: 1, Count: 2, Role: segment.RoleProducers},
		{Index: 0, Count: 1, Role: segment.RoleConsumers},
	}
	_, parts := runSegments(t, sc, segs)
	assert.Zero(t, parts[0].Totals.RecordsConsumed, "a producer-only segment reads nothing")
	assert.Zero(t, parts[2].Totals.RecordsScheduled, "a consumer-only segment makes nothing")
	assert.Equal(t, parts[0].Totals.RecordsAcknowledged+parts[1].Totals.RecordsAcknowledged, parts[2].Totals.RecordsConsumed)
	assert.Equal(t, "consumers", parts[2].Segment.Role)
}

// TestLateSegmentCountsFromTheCommonStart: a segment set up after the
// common start says how late it was, and its send delay counts from the
// common schedule.
func TestLateSegmentCountsFromTheCommonStart(t *testing.T) {
	sc := segmentScenario(t)
	synctest.Test(t, func(t *testing.T) {
		target := emulated.New()
		require.NoError(t, target.CreateStream(t.Context(), &stream.CreateStreamInput{StreamName: "split", ShardCount: 4}))
		startAt := time.Now().Add(-1500 * time.Millisecond)
		res, err := Run(t.Context(), Config{Scenario: sc, Target: target, OutDir: t.TempDir(), Segment: segment.Segment{Index: 1, Count: 2}, StartAt: startAt})
		require.NoError(t, err)
		require.NotNil(t, res.Segment)
		assert.InDelta(t, 1.5, res.Segment.LateS, 0.01)
		assert.Equal(t, startAt.UTC(), res.StartedAt, "the run's start is the common start")
		assert.GreaterOrEqual(t, res.LatencyMs["send_delay"].Max, 1400.0, "the first records were due 1.5 s before the segment began")
	})
}
