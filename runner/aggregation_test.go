package runner

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

// aggregated turns on KPL aggregation for the scenario's producer.
func aggregated(sc *scenarios.Scenario, maxRecords int64, linger time.Duration) *scenarios.Scenario {
	sc.Producers[0].Aggregation = &scenarios.Aggregation{MaxBytes: scenarios.DefaultAggregationBytes, MaxRecords: maxRecords, Linger: scenarios.Duration(linger)}
	return sc
}

// TestAggregationLiftsTheRecordLimit: 1,999 user records/s into one shard
// overloads its 1,000 records/s when each is a Kinesis record, and fits
// when 50 go in each aggregate: exactly ceil(19,990 / 50) = 400 Kinesis
// records, none throttled, every user record acknowledged.
func TestAggregationLiftsTheRecordLimit(t *testing.T) {
	for _, run := range []struct {
		name string
		run  func(*testing.T, *scenarios.Scenario) *result.Result
	}{
		{"wall clock path", runVirtual},
		{"virtual clock", func(t *testing.T, sc *scenarios.Scenario) *result.Result { return runOnVirtualClock(t, sc) }},
	} {
		t.Run(run.name, func(t *testing.T) {
			plain := run.run(t, constantScenario(t, 1999, 1, 10*time.Second, "random"))
			require.Greater(t, plain.ThrottledRatio, 0.3, "plain records overload the shard")

			res := run.run(t, aggregated(constantScenario(t, 1999, 1, 10*time.Second, "random"), 50, 100*time.Millisecond))
			tot := res.Totals
			assert.Equal(t, int64(19990), tot.RecordsScheduled)
			assert.Equal(t, int64(19990), tot.RecordsAcknowledged, "every user record acknowledged")
			assert.Equal(t, int64(400), tot.KinesisRecordsAcknowledged, "ceil(19,990/50) aggregates")
			assert.Zero(t, tot.RecordsThrottled)
			assert.Zero(t, tot.RecordsWrongShard)
			// Each aggregate adds 20 bytes of magic and digest and its "a"
			// key, and drops its user records' partition keys to table entries.
			assert.Greater(t, tot.KinesisBytesAcknowledged, tot.BytesAcknowledged/2, "aggregates carry the user records' data")
			require.Len(t, res.Shards, 1)
			assert.Equal(t, int64(400), res.Shards[0].RecordsAcknowledged, "the shard counts Kinesis records")
			assert.Equal(t, int64(19990), res.Shards[0].UserRecordsAcknowledged)
			assert.InDelta(t, 40, res.Throughput.KinesisRecordsAcknowledgedPerS, 2)
		})
	}
}

// aggregatingScenario is bike telemetry at rate user records/s for
// seconds, aggregated 50 to an aggregate, into shards shards, read back
// by a de-aggregating consumer and by one that does not de-aggregate.
func aggregatingScenario(t *testing.T, rate, shards, seconds int, chaos string) *scenarios.Scenario {
	return aggregatingScenarioOf(t, rate, shards, seconds, 50, chaos)
}

func aggregatingScenarioOf(t *testing.T, rate, shards, seconds, perAggregate int, chaos string) *scenarios.Scenario {
	t.Helper()
	src := fmt.Sprintf(`
name: kpl
seed: 3
duration: %ds
target: {kind: emulated, stream: kpl, shards: %d}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 50, bikes: 500}
    partition_key: {field: bike_id}
    rate: [{constant: %d/s}]
    aggregation: {max_records: %d, linger: 100ms}
    batch: {max_records: 100, linger: 20ms}
    retry: {max_attempts: 10, base: 10ms, cap: 200ms}
    max_in_flight: 4
consumers:
  - {name: kcl, poll_interval: 500ms, processor: aggregate, sink: idempotent_sequence}
  - {name: naive, poll_interval: 500ms, deaggregate: false}
%s`, seconds, shards, rate, perAggregate, chaos)
	sc, err := scenarios.Parse([]byte(src), "kpl.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	return sc
}

// TestConsumersDeaggregate: the KCL-like consumer gets every user record
// once, in order, sub-sequence numbers keeping the records of one
// aggregate apart in a sequence-number sink; the naive one takes each
// aggregate for one record and its verdict says so.
func TestConsumersDeaggregate(t *testing.T) {
	res, _ := runDir(t, aggregatingScenario(t, 1000, 2, 4, ""))
	tot := res.Totals
	require.Equal(t, int64(4000), tot.RecordsAcknowledged)
	kinesis := tot.KinesisRecordsAcknowledged
	require.Less(t, kinesis, int64(4000/50*2), "about 50 user records an aggregate")

	v := verdicts(t, res.Verification)
	kcl, naive := v["kcl"], v["naive"]
	assert.Equal(t, int64(4000), kcl.DistinctRecords, "kcl: every user record")
	assert.Equal(t, int64(4000), kcl.Deliveries, "kcl: once")
	assert.Zero(t, kcl.Lost+kcl.Reordered+kcl.DuplicateEffects+kcl.Unknown+kcl.AggregatesCorrupt+kcl.FilteredByHashRange)
	require.NotNil(t, kcl.Sink)
	assert.Equal(t, int64(4000), kcl.Sink.ActualTotal, "kcl: the sequence sink applies each user record")
	assert.Zero(t, kcl.Sink.KeysWrong)

	// The naive consumer finds one record id in each Kinesis record (the
	// first user record's, in the aggregate's bytes) and never the others.
	require.Positive(t, naive.AggregatesNotDeaggregated)
	plain := kinesis - naive.AggregatesNotDeaggregated
	assert.Equal(t, kinesis, naive.DistinctRecords, "naive: one record per Kinesis record")
	assert.Equal(t, 4000-kinesis, naive.Lost, "naive: the rest are lost to it")
	assert.Equal(t, 4000-plain, naive.UserRecordsNotDeaggregated, "naive: the user records in the aggregates it took whole")
	assert.Equal(t, kinesis*2, tot.KinesisRecordsConsumed, "both consumers read every Kinesis record")
	for _, load := range res.Consumers {
		require.NotEmpty(t, load.BacklogRecords)
		assert.Zero(t, load.BacklogRecords[len(load.BacklogRecords)-1], "%s: read everything, seen or not", load.Consumer)
	}
	assert.Equal(t, int64(8000), tot.RecordsConsumed, "user records read: kcl's 4,000, and naive's 4,000 though it saw one a Kinesis record")
}

// TestReshardWhileAggregatesAreInFlight splits a shard while aggregates
// predicted for it are open and in flight. Those that land on a child come
// back with another shard id: the producer refreshes its shard map and
// puts their user records again (KPL's "Wrong Shard" retry). The
// consumer drops the misplaced aggregates that hold a user record outside
// its shard (KCL's filter) and gets the others twice. No user record is
// lost, and every duplicate is one the ledger explains: a delivery from a
// write the producer did not count as acknowledged.
func TestReshardWhileAggregatesAreInFlight(t *testing.T) {
	tests := []struct {
		name         string
		perAggregate int
		// duplicates: some misplaced aggregates fit one child whole, so
		// the consumer delivers them and their copies put again.
		duplicates bool
	}{
		{"50 user records an aggregate", 50, false},
		{"3 user records an aggregate", 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := runDir(t, aggregatingScenarioOf(t, 1000, 2, 4, tt.perAggregate, "chaos:\n  - {at: 2s, split_shard: hottest}\n"))
			tot := res.Totals
			require.Equal(t, int64(4000), tot.RecordsAcknowledged, "every user record acknowledged")
			require.Positive(t, tot.RecordsWrongShard, "aggregates predicted for the parent landed on a child")
			kcl := verdicts(t, res.Verification)["kcl"]
			t.Logf("wrong shard %d, filtered %d, duplicates %d, not acknowledged %d", tot.RecordsWrongShard, kcl.FilteredByHashRange, kcl.DuplicateDeliveries, kcl.DeliveredNotAcknowledged)
			assert.Zero(t, kcl.Lost, "kcl: nothing lost")
			assert.Equal(t, int64(4000), kcl.DistinctRecords)
			assert.Zero(t, kcl.Unknown+kcl.AggregatesCorrupt)
			assert.Equal(t, tt.duplicates, kcl.DuplicateDeliveries > 0, "duplicates")
			assert.Equal(t, kcl.DeliveredNotAcknowledged, kcl.DuplicateDeliveries, "kcl: each duplicate came from a misplaced write")
			assert.Equal(t, tot.RecordsWrongShard, kcl.FilteredByHashRange+kcl.DuplicateDeliveries,
				"kcl: each user record put again was dropped by the filter or delivered twice")
			assert.Equal(t, kcl.FilteredByHashRange, tot.RecordsFilteredByHashRange)
		})
	}
}
