package runner

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

// readerScenario is 100 records/s of bike telemetry for 10 s into 2
// shards, read back by the given consumers (YAML flow mappings).
func readerScenario(t *testing.T, consumers ...string) *scenarios.Scenario {
	t.Helper()
	list := ""
	for _, c := range consumers {
		list += "  - " + c + "\n"
	}
	src := fmt.Sprintf(`
name: reader-test
seed: 5
duration: 10s
target: {kind: emulated, stream: reader-test, shards: 2}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 20, bikes: 200}
    partition_key: {field: bike_id}
    rate: [{constant: 100/s}]
    batch: {max_records: 10, linger: 100ms}
consumers:
%s`, list)
	return parseScenario(t, src)
}

// parseScenario parses a scenario written in the test.
func parseScenario(t *testing.T, src string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse([]byte(src), t.Name()+".yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	return sc
}

func TestStartPositionsAndFilters(t *testing.T) {
	tests := []struct {
		name     string
		consumer string
		// beforeStart is the share of records before the start position (±0.1).
		beforeStart float64
		filtered    bool
	}{
		// The default reads everything retained.
		{"trim horizon", "{name: c, start: {position: trim_horizon}, processor: aggregate}", 0, false},
		// Latest at the run's start: nothing was written before it.
		{"latest", "{name: c, start: {position: latest}, processor: aggregate}", 0, false},
		// Half-way through the run: the first half is before the start.
		{"at a time from the start", "{name: c, start: {at_timestamp: 5s}, processor: aggregate}", 0.5, false},
		// The same moment as an RFC 3339 time (synctest's clock starts at 2000-01-01).
		{"at an RFC 3339 time", "{name: c, start: {at_timestamp: '2000-01-01T00:00:05Z'}, processor: aggregate}", 0.5, false},
		// Only check-outs are applied; the rest is read and dropped.
		{"filtered", "{name: c, filter: {field: event_type, equals: bike_checked_out}, processor: aggregate}", 0, true},
		// A late start and a filter together.
		{"late and filtered", "{name: c, start: {at_timestamp: 5s}, filter: {field: event_type, equals: bike_location}, processor: window, window: {field: speed_kmh, size: 30s}}", 0.5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := runDir(t, readerScenario(t, tt.consumer))
			v := verdicts(t, res.Verification)["c"]
			acked := res.Totals.RecordsAcknowledged
			require.Equal(t, int64(1000), acked, "every record acknowledged")
			assert.Zero(t, v.Lost, "records before the start or filtered out are not lost")
			assert.Equal(t, acked, v.DistinctRecords+v.BeforeStart, "each record delivered or before the start")
			assert.InDelta(t, tt.beforeStart, float64(v.BeforeStart)/float64(acked), 0.1, "before the start position")
			if tt.filtered {
				assert.Positive(t, v.FilteredOut, "filtered out")
				assert.Less(t, v.FilteredOut, v.DistinctRecords, "some records pass the filter")
			} else {
				assert.Zero(t, v.FilteredOut)
			}
			require.NotNil(t, v.Sink)
			assert.Equal(t, acked-v.BeforeStart-v.FilteredOut, v.Sink.ExpectedTotal, "the sink should hold what passed")
			assert.Zero(t, v.Sink.KeysWrong, "the sink's totals are right")
			assert.True(t, v.Passed)
		})
	}
}

func TestConsumerSeries(t *testing.T) {
	res, _ := runDir(t, readerScenario(t, "{name: fast, poll_interval: 200ms}", "{name: slow, poll_interval: 2s}"))
	require.Len(t, res.Consumers, 2, "one series per consumer")
	v := verdicts(t, res.Verification)
	var peak [2]int64
	for i, c := range res.Consumers {
		assert.Len(t, c.RecordsPerS, len(res.Series), "%s: a value per second", c.Consumer)
		assert.Equal(t, v[c.Consumer].Deliveries, sum(c.RecordsPerS), "%s: every delivery counted", c.Consumer)
		assert.Equal(t, res.Totals.BytesConsumed/2, sum(c.BytesPerS), "%s: half the bytes each", c.Consumer)
		assert.Zero(t, c.BacklogRecords[len(c.BacklogRecords)-1], "%s: drained at the end", c.Consumer)
		peak[i] = slicesMax(c.BacklogRecords)
	}
	assert.Greater(t, peak[1], peak[0], "the slow poller's backlog grows larger")
	var most int64
	for _, p := range res.Series {
		most = max(most, p.BacklogRecords)
	}
	assert.Equal(t, peak[1], most, "the series' backlog is the largest consumer's")
}

func sum(xs []int64) (n int64) {
	for _, x := range xs {
		n += x
	}
	return n
}

func slicesMax(xs []int64) (n int64) {
	for _, x := range xs {
		n = max(n, x)
	}
	return n
}

// reportsVerdict keeps the reports import for helpers shared with other tests.
var _ = result.ConsumerVerdict{}

func TestConsumersReadTheirStream(t *testing.T) {
	src := `
name: two-streams
seed: 3
duration: 5s
target: {kind: emulated, stream: bikes-stream, shards: 1}
producers:
  - {name: bikes, generator: bike, rate: [{constant: 100/s}]}
  - {name: clicks, generator: clickstream, stream: clicks-stream, rate: [{constant: 40/s}]}
consumers:
  - {name: default}
  - {name: clicks-reader, stream: clicks-stream}
`
	res, _ := runDir(t, parseScenario(t, src))
	v := verdicts(t, res.Verification)
	// Each consumer expects the records of the producers writing to its stream.
	assert.Equal(t, int64(500), v["default"].Acknowledged, "default reads target.stream: the bikes")
	assert.Equal(t, int64(200), v["clicks-reader"].Acknowledged, "clicks-reader reads clicks-stream")
	for _, c := range v {
		assert.Zero(t, c.Lost, c.Consumer)
		assert.Equal(t, c.Acknowledged, c.DistinctRecords, "%s: every record of its stream", c.Consumer)
		assert.True(t, c.Passed, c.Consumer)
	}
}

func TestFanOutConsumer(t *testing.T) {
	sc := readerScenario(t,
		"{name: pushed, mode: efo, processor: aggregate, sink: idempotent, checkpoint: {every: 2s}, restart_at: [6s]}",
		"{name: polled, processor: aggregate, sink: idempotent}")
	res, _ := runDir(t, sc)
	v := verdicts(t, res.Verification)
	for _, c := range v {
		assert.Zero(t, c.Lost, "%s: lost", c.Consumer)
		assert.Zero(t, c.Reordered, "%s: reordered", c.Consumer)
		assert.Equal(t, c.Acknowledged, c.DistinctRecords, "%s: every record", c.Consumer)
		assert.Zero(t, c.Sink.KeysWrong, "%s: sink", c.Consumer)
	}
	pushed := v["pushed"]
	require.Len(t, pushed.Generations, 2, "the restart resubscribes")
	assert.Equal(t, pushed.Generations[1].Uncheckpointed, pushed.Generations[1].Redeliveries,
		"it resumes after the checkpoint: exactly the records since are pushed again")
	assert.Less(t, res.ElapsedS, 15.0, "it drains and stops")
}

func TestFanOutResubscribesAfterFiveMinutes(t *testing.T) {
	src := `
name: long-efo
seed: 9
duration: 5m20s
target: {kind: emulated, stream: long-efo, shards: 1}
producers:
  - {name: bikes, generator: bike, rate: [{constant: 1/s}]}
consumers:
  - {name: pushed, mode: efo, poll_interval: 5s, sink: idempotent}
`
	res, _ := runDir(t, parseScenario(t, src))
	v := verdicts(t, res.Verification)["pushed"]
	// The first subscription ends after 5 minutes; the next one continues
	// after the continuation sequence number: nothing lost, nothing twice.
	assert.Equal(t, int64(320), v.Acknowledged)
	assert.Zero(t, v.Lost)
	assert.Zero(t, v.DuplicateDeliveries)
	assert.Zero(t, v.Reordered)
}
