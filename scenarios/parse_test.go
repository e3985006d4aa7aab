package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuiltinsParseAndValidate(t *testing.T) {
	infos := Builtins()
	require.NotEmpty(t, infos)
	for _, info := range infos {
		s, err := Builtin(info.Name)
		require.NoError(t, err, "builtin %s", info.Name)
		assert.Equal(t, info.Name, s.Name, "the file is named after the scenario")
		assert.NotEmpty(t, info.Description, "builtin %s has a description", info.Name)
		assert.Equal(t, "builtin:"+info.Name, s.File)
		assert.NoError(t, Validate(s), "a parsed builtin validates again")
	}
}

func TestBikeRushHour(t *testing.T) {
	s, err := Builtin("bike-rush-hour", WithGenerators("bike", "logs"))
	require.NoError(t, err)
	assert.Equal(t, int64(42), s.Seed)
	assert.Equal(t, Duration(2*time.Minute), s.Duration)
	assert.Equal(t, Target{Kind: TargetEmulated, Stream: "smartcity-bikes", Shards: 4,
		Mode: TargetModeProvisioned, MaxRecordSize: MiB}, s.Target)
	require.Len(t, s.Producers, 1)
	p := s.Producers[0]
	assert.Equal(t, "bike", p.Generator)
	assert.Equal(t, map[string]any{"city": "New York", "stations": 300, "bikes": 5000}, p.Options)
	assert.Equal(t, KeySpec{Field: "bike_id"}, p.PartitionKey)
	c800, c3000 := Rate(800), Rate(3000)
	assert.Equal(t, []RateSegment{
		{Constant: &c800, For: Duration(30 * time.Second)},
		{Ramp: &RampShape{From: 800, To: 4000}, For: Duration(30 * time.Second)},
		{Constant: &c3000},
	}, p.Rate)
	assert.Equal(t, Batch{MaxRecords: 500, MaxBytes: 10 * MiB, Linger: Duration(50 * time.Millisecond)}, p.Batch)
	assert.Equal(t, Retry{MaxAttempts: 5, Base: Duration(100 * time.Millisecond), Cap: Duration(5 * time.Second)}, p.Retry)
	assert.Equal(t, 16, p.MaxInFlight)
	assert.Equal(t, []ThresholdSpec{{Threshold: "p(99) < 250"}}, s.Thresholds["put_latency_ms"])
}

func TestDefaults(t *testing.T) {
	s, err := Parse([]byte(`
name: tiny
duration: 10s
producers:
  - generator: logs
    rate: [{constant: 10/s}]
  - generator: logs
    rate: [{constant: 10/s}]
    partition_key: {hot: {share: 0.5}}
    batch: {linger: 0s}
consumers:
  - {mode: polling}
  - {name: "", mode: polling}
  - {name: dash, mode: polling}
`), "tiny.yaml")
	require.NoError(t, err)
	consumerNames := []string{}
	for _, c := range s.Consumers {
		consumerNames = append(consumerNames, c.Name)
	}
	assert.Equal(t, []string{"consumer-1", "consumer-2", "dash"}, consumerNames, "consumers are named by the scenario's defaults")
	assert.Equal(t, Target{Kind: TargetEmulated, Stream: "tiny", Shards: 1, Mode: TargetModeProvisioned, MaxRecordSize: MiB}, s.Target)
	p := s.Producers[0]
	assert.Equal(t, "producer-1", p.Name)
	assert.Equal(t, KeySpec{Random: true}, p.PartitionKey)
	assert.Equal(t, Batch{MaxRecords: 500, MaxBytes: 10 * MiB, Linger: Duration(50 * time.Millisecond)}, p.Batch)
	assert.Equal(t, Retry{MaxAttempts: 5, Base: Duration(100 * time.Millisecond), Cap: Duration(5 * time.Second)}, p.Retry)
	assert.Equal(t, 8, p.MaxInFlight)
	q := s.Producers[1]
	assert.Equal(t, "producer-2", q.Name)
	assert.Equal(t, &HotKey{Share: 0.5, Keys: DefaultHotKeys}, q.PartitionKey.Hot)
	assert.Equal(t, Duration(0), q.Batch.Linger, "an explicit linger: 0s is kept")
	assert.Nil(t, p.Aggregation, "no aggregation unless asked for")
	assert.Nil(t, s.Consumers[0].Deaggregate, "consumers de-aggregate unless told not to")

	// aggregation: {} takes KPL's defaults.
	agg, err := Parse([]byte("name: a\nduration: 1s\nproducers: [{generator: logs, rate: [{constant: 1/s}], aggregation: {}}]\n"), "a.yaml")
	require.NoError(t, err)
	assert.Equal(t, &Aggregation{MaxBytes: 51200, MaxRecords: 4294967295, Linger: Duration(100 * time.Millisecond)}, agg.Producers[0].Aggregation)

	// ApplyDefaults on a scenario built in Go fills every zero.
	built := &Scenario{Name: "go", Duration: Duration(time.Second), Producers: []Producer{{Generator: "g", Rate: []RateSegment{{Constant: new(Rate(1))}}}}}
	ApplyDefaults(built)
	assert.NoError(t, Validate(built))
	assert.Equal(t, Duration(50*time.Millisecond), built.Producers[0].Batch.Linger)
}

// valid is a scenario that parses; bad inputs below change one thing in it.
const valid = `name: ok
duration: 1m
target: {shards: 2}
producers:
  - name: bikes
    generator: bike
    partition_key: {field: bike_id}
    rate:
      - {constant: 800/s, for: 30s}
      - {ramp: {from: 800/s, to: 4000/s}}
    batch: {max_records: 500, linger: 50ms}
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each error line, in order, without the file name
	}{
		{
			// An unknown field names its line, column and field, suggests the
			// closest one and lists the allowed ones.
			"unknown field",
			strings.Replace(valid, "linger: 50ms", "lingr: 50ms", 1),
			[]string{`11:31: producers[0].batch.lingr: unknown field "lingr"; did you mean "linger"? (allowed: max_records, max_bytes, linger)`},
		},
		{
			// An unknown top-level field with no close match lists the allowed ones.
			"unknown top-level field",
			valid + "colour: blue\n",
			[]string{`12:1: colour: unknown field "colour"; did you mean "clock"? (allowed: name, description, seed, duration, target, producers, consumers, chaos, thresholds, compare, clock, objectives, pipelines)`},
		},
		{
			// A duration without a unit.
			"bad duration",
			strings.Replace(valid, "duration: 1m", "duration: 60", 1),
			[]string{`2:11: duration: "60" is not a duration; write a number and a unit, e.g. 30s, 2m, 1h30m, 50ms`},
		},
		{
			// A negative duration.
			"negative duration",
			strings.Replace(valid, "for: 30s", "for: -30s", 1),
			[]string{`9:32: producers[0].rate[0].for: "-30s" is negative; a duration must be 0 or more`},
		},
		{
			// A rate with an unknown unit.
			"bad rate",
			strings.Replace(valid, "constant: 800/s", "constant: 800/day", 1),
			[]string{`9:20: producers[0].rate[0].constant: "800/day" has an unknown unit "day"; use /ms, /s, /min or /h, e.g. 800/s`},
		},
		{
			// A negative count.
			"negative count",
			strings.Replace(valid, "shards: 2", "shards: -2", 1),
			[]string{`3:18: target.shards: -2 is under the minimum (shards); use 1..10000`},
		},
		{
			// A count of the wrong type.
			"count is a string",
			strings.Replace(valid, "shards: 2", "shards: two", 1),
			[]string{`3:18: target.shards: found "two" (a string); want a whole number`},
		},
		{
			// Over the PutRecords limit.
			"batch 900",
			strings.Replace(valid, "max_records: 500", "max_records: 900", 1),
			[]string{`11:26: producers[0].batch.max_records: 900 is over the PutRecords limit; use 1..500`},
		},
		{
			// A record size over the Kinesis limit.
			"record size over 10MiB",
			strings.Replace(valid, "shards: 2", "shards: 2, max_record_size: 11MiB", 1),
			[]string{`3:38: target.max_record_size: 11MiB is over the Kinesis record size limit; use 1B..10MiB`},
		},
		{
			// No producers at all: the error points at the document.
			"missing producers",
			"name: ok\nduration: 1m\n",
			[]string{`1:1: producers: at least one producer is required`},
		},
		{
			// Two producers with one name: the second is reported.
			"duplicate names",
			valid + "  - {name: bikes, generator: bike, rate: [{constant: 1}]}\n",
			[]string{`12:12: producers[1].name: "bikes" is already the name of producers[0]; names must be unique`},
		},
		{
			// Two shapes in one segment.
			"two shapes",
			strings.Replace(valid, "{constant: 800/s, for: 30s}", "{constant: 800/s, ramp: {from: 1, to: 2}, for: 30s}", 1),
			[]string{`9:9: producers[0].rate[0]: sets constant and ramp; set exactly one of ` + strings.Join(rateShapes(), ", ")},
		},
		{
			// An unknown arrival spacing.
			"arrivals",
			strings.Replace(valid, "{constant: 800/s, for: 30s}", "{constant: 800/s, for: 30s, arrivals: bursty}", 1),
			[]string{`9:47: producers[0].rate[0].arrivals: "bursty" is not an arrival spacing; use even or poisson`},
		},
		{
			// Only the last segment may leave out for.
			"missing for",
			strings.Replace(valid, "{constant: 800/s, for: 30s}", "{constant: 800/s}", 1),
			[]string{`9:9: producers[0].rate[0].for: required on every segment but the last; say how long it lasts, e.g. 30s`},
		},
		{
			// A scalar partition key other than random.
			"scalar partition key",
			strings.Replace(valid, "{field: bike_id}", "bike_id", 1),
			[]string{`7:20: producers[0].partition_key: "bike_id" is not a partition key spec; write random or a mapping: {field: NAME}, {uniform: {keys: N}}, {zipf: {keys: N, s: S}} or {hot: {share: P}}`},
		},
		{
			// Two partition key forms.
			"two key forms",
			strings.Replace(valid, "{field: bike_id}", "{field: bike_id, uniform: {keys: 3}}", 1),
			[]string{`7:20: producers[0].partition_key: sets field and uniform; set exactly one`},
		},
		{
			// Bad distribution parameters.
			"zipf and hot parameters",
			strings.Replace(valid, "{field: bike_id}", "{zipf: {keys: 0, s: 0}}", 1) +
				"  - {name: b, generator: g, partition_key: {hot: {share: 1.5}}, rate: [{constant: 1}]}\n",
			[]string{
				`7:34: producers[0].partition_key.zipf.keys: 0 keys; use 1 or more`,
				`7:40: producers[0].partition_key.zipf.s: 0; the Zipf exponent must be over 0, e.g. 1.1`,
				`12:58: producers[1].partition_key.hot.share: 1.5; the hot key's share of traffic must be over 0 and at most 1`,
			},
		},
		{
			// Retry bounds: attempts, base and cap.
			"retry",
			valid + "    retry: {max_attempts: 101, base: 0s, cap: 1s}\n",
			[]string{
				`12:27: producers[0].retry.max_attempts: 101 is over the limit; use 1..100`,
				`12:38: producers[0].retry.base: must be over 0, e.g. 100ms`,
			},
		},
		{
			// Every problem is reported, in file order.
			"several problems",
			"name: Bad Name\nduration: 0s\ntarget: {kind: s3, mode: burst}\nproducers: [{name: a, generator: '', rate: []}]\nconsumers: [{name: c, mode: push}]\n",
			[]string{
				`1:7: name: "Bad Name" may only hold a-z, 0-9, '-', '_' and '.'`,
				`2:11: duration: required and over 0, e.g. 2m`,
				`3:16: target.kind: "s3" is not a target kind; use emulated or kinesis`,
				`3:26: target.mode: "burst" is not a capacity mode; use provisioned or on-demand`,
				`4:34: producers[0].generator: required; name the record generator, e.g. bike`,
				`4:44: producers[0].rate: at least one segment is required, e.g. - {constant: 100/s}`,
				`5:29: consumers[0].mode: "push" is not a consumer mode; use polling or efo`,
			},
		},
		{
			// Consumer start positions, filters, windows, sinks, streams and workers.
			"consumer options",
			valid + "consumers:\n" +
				"  - {name: a, start: {position: first}, filter: {field: event_type}, sink: exactly_once, stream: other}\n" +
				"  - {name: b, start: {position: latest, at_timestamp: 5s}, processor: window, workers: 101}\n" +
				"  - {name: c, start: {at_timestamp: yesterday}, window: {field: x}}\n",
			[]string{
				`13:33: consumers[0].start.position: "first" is not a start position; use trim_horizon or latest (or at_timestamp)`,
				`13:49: consumers[0].filter: needs field and equals, e.g. filter: {field: event_type, equals: bike_returned}`,
				`13:76: consumers[0].sink: "exactly_once" is not a sink mode; use naive, idempotent or idempotent_sequence`,
				`13:98: consumers[0].stream: "other" is not a stream of this scenario; use target.stream or a producer's stream`,
				`14:5: consumers[1].window.field: the window processor needs the numeric field to summarize, e.g. window: {field: battery_pct, size: 1m}`,
				`14:22: consumers[1].start: sets position and at_timestamp; set one`,
				`14:88: consumers[1].workers: 101; use 1 to 100`,
				`15:37: consumers[2].start.at_timestamp: "yesterday" is neither a duration from the run's start (30s) nor an RFC 3339 time (2026-03-04T08:00:00Z)`,
				`15:57: consumers[2].window: only the window processor has a window; set processor: window or leave window out`,
			},
		},
		{
			// Fields merged from an anchor are checked, and their errors
			// point at the anchor's text.
			"anchors",
			"name: a\nduration: 1m\nproducers:\n  - &common {generator: bike, rate: [{constant: 1}], batch: {max_records: 900}}\n  - <<: *common\n    name: p1\n    lingr: 1s\n",
			[]string{
				`4:75: producers[0].batch.max_records: 900 is over the PutRecords limit; use 1..500`,
				`4:75: producers[1].batch.max_records: 900 is over the PutRecords limit; use 1..500`,
				`7:5: producers[1].lingr: unknown field "lingr" (allowed: name, generator, options, partition_key, rate, batch, aggregation, retry, max_in_flight, stream, api, backpressure)`,
			},
		},
		{
			// A YAML syntax error keeps yaml.v3's line.
			"syntax error",
			"name: ok\nduration: 1m: 2m\n",
			[]string{`2: mapping values are not allowed in this context`},
		},
		{
			// An aggregate must fit one record with its 1-byte partition key.
			"aggregate over the record size",
			valid + "    aggregation: {max_bytes: 1MiB}\n",
			[]string{`12:30: producers[0].aggregation.max_bytes: 1MiB is over the aggregate size limit; use 64B..1048575B`},
		},
		{
			// KPL's smallest aggregate, and at least one record in it.
			"aggregate too small",
			valid + "    aggregation: {max_bytes: 32, max_records: 0}\n",
			[]string{`12:30: producers[0].aggregation.max_bytes: 32B is under the minimum (aggregate size); use 64B..1048575B`,
				`12:47: producers[0].aggregation.max_records: 0 is under the minimum (KPL AggregationMaxCount); use 1..4294967295`},
		},
		{
			// KPL sends aggregates with PutRecords.
			"aggregation with put_record",
			valid + "    api: put_record\n    aggregation: {}\n",
			[]string{`13:18: producers[0].aggregation: needs api put_records (KPL sends aggregates with PutRecords); remove api: put_record or the aggregation`},
		},
		{
			// A key given twice stops yaml.v3's decoder: that alone is said,
			// not "duration: required" about the duration it never reached.
			"key given twice",
			"name: a\nname: b\nduration: 1s\n",
			[]string{`2:7: name: mapping key "name" already defined at line 1`},
		},
		{
			// A tab in the indentation: yaml.v3 does not say which character.
			"tab indentation",
			"name: a\nproducers:\n\t- generator: bike\n",
			[]string{`3: found character that cannot start any token; line 3 holds a tab, and YAML indents with spaces only`},
		},
		{
			// An empty file.
			"empty",
			"",
			[]string{`1:1: the scenario is empty; it needs at least name, duration and producers`},
		},
		{
			// A document that is not a mapping.
			"not a mapping",
			"- a\n- b\n",
			[]string{`1:1: found a list; want a mapping`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.yaml), "x.yaml")
			require.Error(t, err, "want an error, got a scenario")
			assert.Nil(t, s)
			var es Errors
			require.ErrorAs(t, err, &es)
			var got []string
			for _, e := range es {
				assert.Equal(t, "x.yaml", e.File)
				got = append(got, strings.TrimPrefix(e.Error(), "x.yaml:"))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestErrorIsMatchable(t *testing.T) {
	_, err := Parse([]byte(strings.Replace(valid, "max_records: 500", "max_records: 900", 1)), "scenarios/x.yaml")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, &Error{File: "scenarios/x.yaml", Line: 11, Column: 26, Field: "producers[0].batch.max_records",
		Message: "900 is over the PutRecords limit; use 1..500"}, e)
	assert.Equal(t, "scenarios/x.yaml:11:26: producers[0].batch.max_records: 900 is over the PutRecords limit; use 1..500", e.Error())
}

func TestValidateGenerators(t *testing.T) {
	_, err := Parse([]byte(valid), "x.yaml", WithGenerators("logs", "clickstream"))
	assert.EqualError(t, err, `x.yaml:6:16: producers[0].generator: "bike" is not a known generator; use one of logs, clickstream`)
	_, err = Parse([]byte(valid), "x.yaml", WithGenerators("bike"))
	assert.NoError(t, err)
	// A near miss gets a suggestion.
	_, err = Parse([]byte(strings.Replace(valid, "generator: bike", "generator: bikes", 1)), "x.yaml", WithGenerators("bike", "logs"))
	assert.EqualError(t, err, `x.yaml:6:16: producers[0].generator: "bikes" is not a known generator; did you mean "bike"? use one of bike, logs`)
}

func TestValidateWithoutPositions(t *testing.T) {
	s := &Scenario{Name: "go", File: "built.go"}
	ApplyDefaults(s)
	assert.EqualError(t, Validate(s), "built.go: duration: required and over 0, e.g. 2m\nbuilt.go: producers: at least one producer is required")
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mine.yaml")
	require.NoError(t, os.WriteFile(path, []byte(valid), 0o644))
	noExt := filepath.Join(dir, "scenario")
	require.NoError(t, os.WriteFile(noExt, []byte(valid), 0o644))

	tests := []struct {
		in       string
		wantName string
		wantErr  string
	}{
		{path, "ok", ""},                                            // an existing file
		{noExt, "ok", ""},                                           // an existing file without an extension
		{"bike-rush-hour", "bike-rush-hour", ""},                    // a built-in
		{filepath.Join(dir, "gone.yml"), "", "does not exist"},      // a missing file
		{"gone.yaml", "", "scenario file gone.yaml does not exist"}, // a missing file, relative
		{"no-such-scenario", "", `no built-in scenario "no-such-scenario" and no file by that name; built-ins: bike-rush-hour`}, // neither
	}
	for _, tt := range tests {
		s, err := Resolve(tt.in)
		if tt.wantErr != "" {
			require.Error(t, err, "Resolve(%q)", tt.in)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), "\n", "one line")
			continue
		}
		require.NoError(t, err, "Resolve(%q)", tt.in)
		assert.Equal(t, tt.wantName, s.Name)
	}
	_, err := Load(filepath.Join(dir, "gone.yaml"))
	assert.True(t, errors.Is(err, fs.ErrNotExist), "a missing file matches fs.ErrNotExist")
}

func TestBuiltinSource(t *testing.T) {
	src, err := BuiltinSource("bike-rush-hour")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(src), "# bike-rush-hour"), "the source keeps its comments")
	_, err = BuiltinSource("../parse")
	assert.ErrorContains(t, err, "no built-in scenario")
}

func TestBuiltinIsACopy(t *testing.T) {
	a, err := Builtin("bike-rush-hour")
	require.NoError(t, err)
	a.Producers[0].Name = "changed"
	b, err := Builtin("bike-rush-hour")
	require.NoError(t, err)
	assert.Equal(t, "bikes", b.Producers[0].Name)
}
