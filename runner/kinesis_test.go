package runner

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/kinesis"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// TestFanOutConsumerAgainstKinesisMock runs a short scenario against
// kinesis-mock through the SDK driver with an enhanced fan-out consumer
// beside a polling one: the efo consumer registers, subscribes to every
// shard and receives every acknowledged record. kinesis-mock slows down as
// a shard fills, so the run is a few dozen records; it runs in real time.
func TestFanOutConsumerAgainstKinesisMock(t *testing.T) {
	srv := kinesistest.StartKinesisMock(t)
	sc := parseScenario(t, fmt.Sprintf(`
name: efo-kinesis-mock
seed: 8
duration: 3s
target: {kind: kinesis, endpoint: %q, region: us-east-1, stream: efo-%d, shards: 2}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 10, bikes: 50}
    partition_key: {field: bike_id}
    rate: [{constant: 10/s}]
    batch: {max_records: 10, linger: 200ms}
consumers:
  - {name: pushed, mode: efo, poll_interval: 500ms, sink: idempotent}
  - {name: polled, poll_interval: 500ms, sink: idempotent}
`, srv.Endpoint, time.Now().UnixNano()))
	res := runOnServer(t, srv.Endpoint, sc)
	v := verdicts(t, res.Verification)
	require.Positive(t, res.Totals.RecordsAcknowledged)
	for _, name := range []string{"pushed", "polled"} {
		c := v[name]
		assert.Equal(t, res.Totals.RecordsAcknowledged, c.Acknowledged, "%s: acknowledged", name)
		assert.Zero(t, c.Lost, "%s: lost", name)
		assert.Equal(t, c.Acknowledged, c.DistinctRecords, "%s: every record", name)
		assert.Zero(t, c.Reordered, "%s: reordered", name)
		assert.True(t, c.Passed, "%s: verdict", name)
	}
}

// TestAggregationAgainstKinesalite runs KPL aggregation against kinesalite
// through the SDK driver: the producer predicts shards from kinesalite's
// ListShards, its aggregates land where predicted (explicit hash keys and
// all), and the de-aggregating consumer gets every user record once.
func TestAggregationAgainstKinesalite(t *testing.T) {
	srv := kinesistest.StartKinesalite(t)
	sc := parseScenario(t, fmt.Sprintf(`
name: kpl-kinesalite
seed: 8
duration: 3s
target: {kind: kinesis, endpoint: %q, region: us-east-1, stream: kpl-%d, shards: 3}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 10, bikes: 200}
    partition_key: {field: bike_id}
    rate: [{constant: 200/s}]
    aggregation: {max_records: 20, linger: 200ms}
    batch: {max_records: 10, linger: 100ms}
consumers:
  - {name: kcl, poll_interval: 500ms, sink: idempotent_sequence}
`, srv.Endpoint, time.Now().UnixNano()))
	res := runOnServer(t, srv.Endpoint, sc)
	tot := res.Totals
	// In real time on a loaded machine the producer may fall behind and
	// leave the last few records of the schedule unmade (unsent).
	require.Equal(t, int64(600), tot.RecordsScheduled+tot.RecordsUnsent)
	require.Equal(t, tot.RecordsScheduled, tot.RecordsAcknowledged, "every user record made is acknowledged")
	assert.Zero(t, tot.RecordsWrongShard, "every aggregate on its predicted shard")
	assert.Less(t, tot.KinesisRecordsAcknowledged, tot.RecordsAcknowledged/5, "aggregated")
	require.Len(t, res.Shards, 3, "over all three shards")
	c := verdicts(t, res.Verification)["kcl"]
	assert.Equal(t, tot.RecordsAcknowledged, c.DistinctRecords)
	assert.Equal(t, tot.RecordsAcknowledged, c.Deliveries, "once each")
	assert.Zero(t, c.Lost+c.Reordered+c.AggregatesCorrupt+c.FilteredByHashRange)
}

// runOnServer runs sc against a Kinesis-compatible server on loopback
// through the SDK driver, in real time, and requires it to complete.
func runOnServer(t *testing.T, endpoint string, sc *scenarios.Scenario) *result.Result {
	t.Helper()
	target, err := kinesis.New(t.Context(), kinesis.WithEndpoint(endpoint), kinesis.WithRegion("us-east-1"))
	require.NoError(t, err)
	res, err := Run(t.Context(), Config{Scenario: sc, Target: target, Endpoint: target.Describe(), OutDir: t.TempDir(), DrainTimeout: 20 * time.Second})
	require.NoError(t, err)
	require.True(t, res.Complete)
	return res
}
