package chaos_test

import (
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// chaosScenario is 100 records/s of bike telemetry for 10 s into 2 shards,
// in full batches of 10 (so a count of 10 calls is exactly 100 records),
// read back by one idempotent consumer, with the given chaos timeline.
func chaosScenario(t *testing.T, consumer, chaosYAML string) *scenarios.Scenario {
	t.Helper()
	if consumer == "" {
		consumer = "{name: reader, mode: polling, poll_interval: 500ms, sink: idempotent}"
	}
	src := fmt.Sprintf(`
name: chaos-test
seed: 11
duration: 10s
target: {kind: emulated, stream: chaos-test, shards: 2}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 20, bikes: 200}
    partition_key: {field: bike_id}
    rate: [{constant: 100/s}]
    batch: {max_records: 10, linger: 1s}
    retry: {max_attempts: 10, base: 10ms, cap: 100ms}
    max_in_flight: 4
consumers:
  - %s
chaos:
%s
`, consumer, chaosYAML)
	sc, err := scenarios.Parse([]byte(src), "chaos-test.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	return sc
}

// run runs sc on target (a fresh emulated stream when nil) in virtual time.
func run(t *testing.T, sc *scenarios.Scenario, target stream.Target) *result.Result {
	t.Helper()
	var res *result.Result
	synctest.Test(t, func(t *testing.T) {
		if target == nil {
			target = emulated.New()
		}
		var err error
		res, err = runner.Run(t.Context(), runner.Config{Scenario: sc, Target: target, OutDir: t.TempDir()})
		require.NoError(t, err)
	})
	require.Len(t, res.Chaos, len(sc.Chaos), "one chaos result per fault")
	return res
}

func verdict(t *testing.T, res *result.Result) result.ConsumerVerdict {
	t.Helper()
	require.NotNil(t, res.Verification)
	require.Len(t, res.Verification.Consumers, 1)
	return res.Verification.Consumers[0]
}

func TestLostAckTimeoutsStoreRecordsTwice(t *testing.T) {
	res := run(t, chaosScenario(t, "", `  - {at: 2s, for: 5s, producer_timeout: {count: 10, ack_lost: true, after: 200ms}}`), nil)
	f := res.Chaos[0]
	assert.Equal(t, int64(10), f.CallsAffected, "calls timed out")
	assert.Equal(t, int64(100), f.RecordsAffected, "records whose acknowledgement was lost")
	assert.Equal(t, int64(100), f.RetriesCaused, "each is retried")
	assert.Equal(t, int64(100), f.DuplicatesCaused, "each is delivered twice")
	assert.Equal(t, int64(100), res.Totals.RecordsRetried)

	v := verdict(t, res)
	assert.Equal(t, int64(1000), v.Acknowledged)
	assert.Equal(t, int64(1000), v.DistinctRecords, "every record delivered")
	assert.Zero(t, v.Lost)
	assert.Equal(t, int64(100), v.DuplicateDeliveries, "exactly the timed-out records are delivered twice")
	assert.Equal(t, int64(100), v.DeliveredNotAcknowledged, "their first write was never acknowledged")
	assert.Zero(t, v.DuplicateEffects, "the idempotent sink applies each once")
	assert.True(t, v.Passed)
}

func TestProducerFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault string
		// want from the fault's result and the run's totals
		calls, records, retries, duplicates int64
		check                               func(t *testing.T, tot result.Totals)
	}{
		// Plain timeouts: nothing is written, every record retried once.
		{"plain timeouts", `{at: 2s, for: 5s, producer_timeout: {count: 10}}`, 10, 100, 100, 0,
			func(t *testing.T, tot result.Totals) { assert.Equal(t, int64(10), tot.PutCallErrors) }},
		// FIS-style throttling of single records.
		{"throttled records", `{at: 2s, for: 5s, inject_error: {kind: throttle, count: 50}}`, -1, 50, 50, 0,
			func(t *testing.T, tot result.Totals) { assert.Equal(t, int64(50), tot.RecordsThrottled) }},
		// InternalFailure partial failures.
		{"internal failures", `{at: 2s, for: 5s, inject_error: {kind: internal_failure, count: 30}}`, -1, 30, 30, 0,
			func(t *testing.T, tot result.Totals) { assert.Equal(t, int64(30), tot.RecordsFailed) }},
		// Whole calls failing as HTTP 500.
		{"http 500", `{at: 2s, for: 5s, inject_error: {kind: http_500, count: 4}}`, 4, 40, 40, 0,
			func(t *testing.T, tot result.Totals) { assert.Equal(t, int64(4), tot.PutCallErrors) }},
		// Whole calls failing as HTTP 503.
		{"http 503", `{at: 2s, for: 5s, inject_error: {kind: http_503, count: 3}}`, 3, 30, 30, 0,
			func(t *testing.T, tot result.Totals) { assert.Equal(t, int64(30), tot.RecordsFailed) }},
		// Reset connections.
		{"connection resets", `{at: 2s, for: 5s, inject_error: {kind: connection_reset, count: 2}}`, 2, 20, 20, 0,
			func(t *testing.T, tot result.Totals) { assert.Equal(t, int64(2), tot.PutCallErrors) }},
		// Duplicate sends: a second call per batch with picked records.
		{"duplicate sends", `{at: 2s, for: 5s, duplicate_send: {count: 30}}`, -1, 30, 0, 30, nil},
		// A fixed delay on every call of the window, no failure.
		{"fixed latency", `{at: 2s, for: 2s, latency: {fixed: 300ms}}`, -1, -1, 0, 0,
			func(t *testing.T, tot result.Totals) { assert.Zero(t, tot.PutCallErrors) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, chaosScenario(t, "", "  - "+tt.fault), nil)
			f := res.Chaos[0]
			if tt.calls >= 0 {
				assert.Equal(t, tt.calls, f.CallsAffected, "calls affected")
			} else {
				assert.Positive(t, f.CallsAffected, "calls affected")
			}
			if tt.records >= 0 {
				assert.Equal(t, tt.records, f.RecordsAffected, "records affected")
			}
			assert.Equal(t, tt.retries, f.RetriesCaused, "retries caused")
			assert.Equal(t, tt.retries, res.Totals.RecordsRetried, "the run's retries are the fault's")
			assert.Equal(t, tt.duplicates, f.DuplicatesCaused, "duplicates caused")
			v := verdict(t, res)
			assert.Zero(t, v.Lost, "nothing lost")
			assert.Equal(t, tt.duplicates, v.DuplicateDeliveries, "the ledger's duplicates")
			assert.Equal(t, tt.duplicates, v.DeliveredNotAcknowledged, "duplicates were never acknowledged")
			assert.Equal(t, int64(1000), res.Totals.RecordsAcknowledged)
			assert.NotNil(t, f.RecoveryS, "recovered before the end")
			if tt.check != nil {
				tt.check(t, res.Totals)
			}
		})
	}
}

func TestLatencyShowsInPutLatency(t *testing.T) {
	res := run(t, chaosScenario(t, "", `  - {at: 2s, for: 2s, latency: {lognormal: {median: 300ms, sigma: 0.2}}}`), nil)
	assert.Greater(t, res.LatencyMs["put_records"].P99, 200.0, "the delay shows in PutRecords latency")
	assert.Less(t, res.LatencyMs["put_records"].P50, 50.0, "most calls are outside the window")
}

func TestRestartsRedeliverExactlySinceTheCheckpoint(t *testing.T) {
	tests := []struct {
		name, consumer, fault string
		// checkpointed: a checkpoint was written before the fault
		checkpointed bool
		shards       int // shards restarted; 0: every one
	}{
		// A crash at 8 s with checkpoints every 3 s replays what each shard
		// delivered since its last checkpoint (at 6 s or so).
		{"crash after checkpoints", "{name: reader, mode: polling, poll_interval: 500ms, sink: idempotent, checkpoint: {records: 100000, every: 3s}}",
			"{at: 8s, consumer_fault: crash}", true, 0},
		// With a 10 s interval nothing was checkpointed by 8 s: everything
		// delivered so far is delivered again.
		{"crash before any checkpoint", "{name: reader, mode: polling, poll_interval: 500ms, sink: idempotent, checkpoint: {records: 100000, every: 10s}}",
			"{at: 8s, consumer_fault: crash}", false, 0},
		// Another worker of the application takes one shard's lease and
		// resumes from that shard's checkpoint.
		{"lease lost to another worker", "{name: reader, mode: polling, poll_interval: 500ms, sink: idempotent, workers: 2, checkpoint: {records: 100000, every: 3s}}",
			"{at: 8s, consumer_fault: lease_loss}", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, chaosScenario(t, tt.consumer, "  - "+tt.fault), nil)
			f := res.Chaos[0]
			v := verdict(t, res)
			assert.Equal(t, int64(1), f.CallsAffected, "one restart")
			assert.Zero(t, v.Lost)
			require.Len(t, v.Generations, 2, "the restart begins a second generation")
			before, after := v.Generations[0], v.Generations[1]
			assert.Len(t, after.Shards, tt.shards, "shards restarted")
			assert.Positive(t, after.Uncheckpointed, "records were delivered since the last checkpoint")
			if tt.checkpointed {
				assert.Less(t, after.Uncheckpointed, before.Deliveries, "a checkpoint covered part of them")
			} else {
				assert.Equal(t, before.Deliveries, after.Uncheckpointed, "no checkpoint: all of them")
			}
			assert.Equal(t, after.Uncheckpointed, after.Redeliveries, "exactly the records after the last checkpoint are delivered again")
			assert.Equal(t, after.Redeliveries, f.DuplicatesCaused, "the fault's damage is its generation's re-deliveries")
			assert.Equal(t, after.Redeliveries, v.DuplicateDeliveries, "and the only duplicates")
			assert.Zero(t, v.DuplicateEffects, "the idempotent sink applies each once")
		})
	}
}

func TestSequenceSinkMissesProducerRetries(t *testing.T) {
	sc := chaosScenario(t, `{name: by-id, poll_interval: 500ms, processor: aggregate, sink: idempotent}
  - {name: by-sequence, poll_interval: 500ms, processor: aggregate, sink: idempotent_sequence}`,
		`  - {at: 2s, for: 5s, producer_timeout: {count: 10, ack_lost: true}}`)
	res := run(t, sc, nil)
	require.NotNil(t, res.Verification)
	require.Len(t, res.Verification.Consumers, 2)
	byID, bySeq := res.Verification.Consumers[0], res.Verification.Consumers[1]
	for _, v := range []result.ConsumerVerdict{byID, bySeq} {
		assert.Equal(t, int64(100), v.DuplicateDeliveries, "%s: the 100 records stored twice are delivered twice", v.Consumer)
		assert.Zero(t, v.Lost, v.Consumer)
	}
	assert.Zero(t, byID.DuplicateEffects, "record ids catch producer retries")
	assert.Zero(t, byID.Sink.KeysWrong, "by id: every total right")
	assert.Equal(t, int64(100), bySeq.DuplicateEffects, "the retries have new sequence numbers: applied twice")
	assert.Equal(t, byID.Sink.ActualTotal+100, bySeq.Sink.ActualTotal, "by sequence: 100 too many")
	assert.Positive(t, bySeq.Sink.KeysWrong, "by sequence: some totals wrong")
}

func TestParentsBeforeChildrenAcrossSplitAndMerge(t *testing.T) {
	sc := chaosScenario(t, "", `  - {at: 3s, split_shard: hottest}
  - {at: 6s, merge_shards: coldest}`)
	res := run(t, sc, nil)
	for _, f := range res.Chaos {
		assert.Empty(t, f.Error, "chaos[%d] %s", f.Index, f.Fault)
	}
	assert.Contains(t, res.Chaos[0].Detail, "split shardId-")
	assert.Contains(t, res.Chaos[1].Detail, "merged shardId-")
	v := verdict(t, res)
	assert.Equal(t, int64(1000), v.Acknowledged)
	assert.Zero(t, v.Lost, "no record lost across the split and the merge")
	assert.Zero(t, v.Reordered, "per-key order holds: each parent is read to its end before its children")
	assert.Zero(t, v.DuplicateDeliveries)
}

// TestConsumerStallBacklogGrowsThenDrains, in virtual time: the reader
// polls every 500 ms and is stalled from 3 s to 7 s. Its first read at 7 s
// takes the whole backlog in one GetRecords (far under 10,000 records) with
// MillisBehindLatest 0, so second 7 has send delay, backlog and iterator
// age back at their levels of seconds 0-2: recovery 0 s.
func TestConsumerStallBacklogGrowsThenDrains(t *testing.T) {
	res := run(t, chaosScenario(t, "", `  - {at: 3s, for: 4s, consumer_fault: stall}`), nil)
	f := res.Chaos[0]
	v := verdict(t, res)
	assert.Positive(t, f.CallsAffected, "reads were stalled")
	// About 50 unread at 3 s, then four seconds of 100/s. Batches of 10 are
	// acknowledged every 100 ms, on the same virtual instants as the polls:
	// whether a poll sees the batch of its instant is not fixed.
	assert.InDelta(t, 50+400, f.PeakBacklogRecords, 10, "four seconds of 100/s pile up")
	require.NotNil(t, f.RecoveryS, "the backlog drains")
	assert.Equal(t, 0.0, *f.RecoveryS, "the first read after the stall catches up")
	for _, pt := range res.Series {
		if pt.Second >= 3 && pt.Second < 7 {
			assert.Nil(t, pt.IteratorAgeMs, "second %d: a stalled reader measures no iterator age", pt.Second)
		}
	}
	assert.Zero(t, v.Lost)
	assert.Zero(t, v.DuplicateDeliveries)
}

func TestExpiredIteratorsAreRenewedWithoutDamage(t *testing.T) {
	res := run(t, chaosScenario(t, "", `  - {at: 4s, consumer_fault: expire_iterator}`), nil)
	f := res.Chaos[0]
	v := verdict(t, res)
	assert.Equal(t, int64(2), f.CallsAffected, "one expired iterator per shard")
	assert.Zero(t, v.Lost)
	assert.Zero(t, v.DuplicateDeliveries, "the consumer resumes after the last record it processed")
	assert.Zero(t, f.DuplicatesCaused)
}

func TestReshardsKeepEveryRecordInOrder(t *testing.T) {
	tests := []struct {
		name, fault string
		openShards  int
		detail      string
	}{
		// UpdateShardCount doubles the shards mid-run.
		{"update shard count", `{at: 4s, update_shard_count: 4}`, 4, "to 4 shards"},
		// The hottest shard splits in two.
		{"split the hottest", `{at: 4s, split_shard: hottest}`, 3, "split shardId-"},
		// The only adjacent pair merges.
		{"merge the coldest", `{at: 4s, merge_shards: coldest}`, 1, "merged shardId-000000000000 and shardId-000000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := emulated.New()
			res := run(t, chaosScenario(t, "", "  - "+tt.fault), target)
			f := res.Chaos[0]
			assert.Empty(t, f.Error)
			assert.Contains(t, f.Detail, tt.detail)
			v := verdict(t, res)
			assert.Equal(t, int64(1000), v.Acknowledged)
			assert.Zero(t, v.Lost, "no record lost across the reshard")
			assert.Zero(t, v.Reordered, "per-key order holds: parents are read before children")
			assert.Zero(t, v.DuplicateDeliveries)
		})
	}
}

// noReshard is a target without stream.Resharder.
type noReshard struct{ stream.Target }

func TestStreamOperationWithoutResharderFails(t *testing.T) {
	sc := chaosScenario(t, "", `  - {at: 4s, split_shard: hottest}`)
	synctest.Test(t, func(t *testing.T) {
		_, err := runner.Run(t.Context(), runner.Config{Scenario: sc, Target: noReshard{emulated.New()}, OutDir: t.TempDir()})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "chaos[0] split_shard")
		assert.Contains(t, err.Error(), "cannot reshard")
	})
}

func TestFaultsRepeatWithTheSeed(t *testing.T) {
	fault := `  - {at: 1s, for: 8s, producer_timeout: {probability: 0.1, ack_lost: true}}
  - {at: 1s, for: 8s, inject_error: {kind: throttle, probability: 0.05}}`
	a := run(t, chaosScenario(t, "", fault), nil)
	b := run(t, chaosScenario(t, "", fault), nil)
	for i := range a.Chaos {
		assert.Positive(t, a.Chaos[i].RecordsAffected)
		assert.Equal(t, a.Chaos[i].RecordsAffected, b.Chaos[i].RecordsAffected, "chaos[%d]: the same records", i)
		assert.Equal(t, a.Chaos[i].DuplicatesCaused, b.Chaos[i].DuplicatesCaused, "chaos[%d]", i)
	}
}
