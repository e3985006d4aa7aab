package runner

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/reports"
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
	sc, err := scenarios.Parse([]byte(src), "reader-test.yaml", scenarios.WithGenerators(generators.Kinds()...))
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

func TestFieldScanner(t *testing.T) {
	tests := []struct {
		name, data, field, want string
		found                   bool
	}{
		// A string value, without its quotes.
		{"string", `{"a":1,"event_type":"bike_returned"}`, "event_type", "bike_returned", true},
		// Spaces around the colon.
		{"spaced", `{"event_type" :  "x"}`, "event_type", "x", true},
		// A number as written.
		{"number", `{"speed_kmh":14.5,"b":2}`, "speed_kmh", "14.5", true},
		// The last field of an object.
		{"last", `{"n":-3}`, "n", "-3", true},
		// Escapes are left as written.
		{"escaped", `{"s":"a\"b"}`, "s", `a\"b`, true},
		// A value spelled like the name is not the name.
		{"value like the name", `{"x":"event_type","event_type":"y"}`, "event_type", "y", true},
		// A nested field counts, if it comes first.
		{"nested first", `{"o":{"k":"in"},"k":"out"}`, "k", "in", true},
		// Missing.
		{"missing", `{"a":1}`, "event_type", "", false},
		// Not JSON at all.
		{"not json", `plain text`, "a", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := newFieldScanner(tt.field).value([]byte(tt.data))
			assert.Equal(t, tt.found, ok, "found")
			assert.Equal(t, tt.want, string(got), "value")
		})
	}
}

func TestWindowSlides(t *testing.T) {
	s := newSink(scenarios.Consumer{Processor: scenarios.ProcessorWindow, Window: &scenarios.Window{Field: "v", Size: scenarios.Duration(10 * time.Second)}})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, v := range []int{5, 1, 9, 3} {
		assert.True(t, s.apply(fmt.Sprint("p-", i+1), "s", fmt.Sprint(i+1), "k", []byte(fmt.Sprintf(`{"v":%d}`, v)), t0.Add(time.Duration(i)*5*time.Second)))
	}
	// Points at 0, 5, 10, 15 s: the window of 10 s before 15 s holds 5, 10, 15.
	got, ok := s.windowStats("k")
	require.True(t, ok)
	assert.Equal(t, WindowStats{Count: 3, Min: 1, Max: 9, Avg: 13.0 / 3}, got)
	_, ok = s.windowStats("other")
	assert.False(t, ok, "a key without records has no window")
}

func TestSinkModes(t *testing.T) {
	type delivery struct{ id, shard, seq string }
	replay := []delivery{{"p-1", "s0", "10"}, {"p-2", "s0", "11"}, {"p-1", "s0", "10"}, {"p-3", "s1", "12"}}
	retry := []delivery{{"p-1", "s0", "10"}, {"p-1", "s0", "13"}}
	tests := []struct {
		name       string
		mode       string
		deliveries []delivery
		applied    int64
	}{
		// Naive applies every delivery.
		{"naive replay", scenarios.SinkNaive, replay, 4},
		// Record ids catch a replay.
		{"id replay", scenarios.SinkIdempotent, replay, 3},
		// So does the sequence high-water mark.
		{"sequence replay", scenarios.SinkIdempotentSequence, replay, 3},
		// A producer retry is a new write: the id catches it...
		{"id retry", scenarios.SinkIdempotent, retry, 1},
		// ...the sequence number does not.
		{"sequence retry", scenarios.SinkIdempotentSequence, retry, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSink(scenarios.Consumer{Processor: scenarios.ProcessorAggregate, Sink: tt.mode})
			for _, d := range tt.deliveries {
				s.apply(d.id, d.shard, d.seq, "k", nil, time.Time{})
			}
			check := s.check(nil)
			assert.Equal(t, tt.applied, check.ActualTotal, "applied")
		})
	}
}

// reportsVerdict keeps the reports import for helpers shared with other tests.
var _ = reports.ConsumerVerdict{}
