package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		metric, expr string
		want         Threshold // Metric and Expression are filled in by the test
		wantErr      string    // a substring of the error; "" for none
	}{
		// A percentile with <, the canonical example.
		{"put_latency_ms", "p(99) < 250", Threshold{Aggregation: "p", Percentile: 99, Operator: "<", Value: 250}, ""},
		// A fractional percentile with <=.
		{"record_latency_ms", "p(99.9) <= 1000", Threshold{Aggregation: "p", Percentile: 99.9, Operator: "<=", Value: 1000}, ""},
		// avg with >, no spaces.
		{"send_delay_ms", "avg>10", Threshold{Aggregation: "avg", Operator: ">", Value: 10}, ""},
		// max with >= and a fractional value.
		{"put_latency_ms", "max >= 0.5", Threshold{Aggregation: "max", Operator: ">=", Value: 0.5}, ""},
		// min and med are trend aggregations too.
		{"put_latency_ms", "min != 3", Threshold{Aggregation: "min", Operator: "!=", Value: 3}, ""},
		// med with == and extra spaces.
		{"put_latency_ms", "  med   ==  7 ", Threshold{Aggregation: "med", Operator: "==", Value: 7}, ""},
		// rate on a ratio metric.
		{"throttled_ratio", "rate < 0.01", Threshold{Aggregation: "rate", Operator: "<", Value: 0.01}, ""},
		// count on a counter.
		{"records_dead_lettered", "count == 0", Threshold{Aggregation: "count", Operator: "==", Value: 0}, ""},
		// A reserved metric (measured once consumers land) parses.
		{"lost_records", "count == 0", Threshold{Aggregation: "count", Operator: "==", Value: 0}, ""},
		// Spaces inside p( ).
		{"end_to_end_latency_ms", "p( 95 ) < 2000", Threshold{Aggregation: "p", Percentile: 95, Operator: "<", Value: 2000}, ""},
		// An unknown metric lists the known ones.
		{"latency", "p(99) < 1", Threshold{}, `unknown metric "latency"; use one of end_to_end_latency_ms`},
		// No operator at all.
		{"put_latency_ms", "p(99) 250", Threshold{}, "has no comparison"},
		// A single = is a common slip.
		{"records_dead_lettered", "count = 0", Threshold{}, "compare with =="},
		// Two comparisons in one expression.
		{"put_latency_ms", "p(99) < 250 < 300", Threshold{}, "more than one comparison"},
		// The right-hand side is not a number.
		{"put_latency_ms", "p(99) < 250ms", Threshold{}, `"250ms" is not a number`},
		// Nothing on the right.
		{"put_latency_ms", "p(99) <", Threshold{}, `"" is not a number`},
		// Nothing on the left.
		{"put_latency_ms", "< 250", Threshold{}, "nothing before"},
		// An unclosed percentile.
		{"put_latency_ms", "p(99 < 250", Threshold{}, "missing ')'"},
		// A percentile over 100.
		{"put_latency_ms", "p(101) < 250", Threshold{}, "0..100"},
		// A percentile that is not a number.
		{"put_latency_ms", "p(x) < 250", Threshold{}, "0..100"},
		// An aggregation the metric's kind does not have.
		{"throttled_ratio", "p(99) < 0.1", Threshold{}, `"p(99)" is not an aggregation of throttled_ratio; use rate`},
		// count is for counters, not trends.
		{"put_latency_ms", "count < 5", Threshold{}, "use p(N), avg, min, max, med"},
		// An unknown aggregation.
		{"put_latency_ms", "mean < 5", Threshold{}, `"mean" is not an aggregation`},
		// NaN is not a usable bound.
		{"put_latency_ms", "avg < NaN", Threshold{}, "is not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.metric+" "+tt.expr, func(t *testing.T) {
			got, err := ParseThreshold(tt.metric, tt.expr)
			if tt.wantErr != "" {
				require.Error(t, err, "got %+v, want an error", got)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.want.Metric, tt.want.Expression = tt.metric, tt.expr
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestThresholdHolds(t *testing.T) {
	tests := []struct {
		op     string
		actual float64
		want   bool
	}{
		{"<", 9, true},    // under
		{"<", 10, false},  // equal is not under
		{"<=", 10, true},  // equal
		{">", 11, true},   // over
		{">", 10, false},  // equal is not over
		{">=", 10, true},  // equal
		{"==", 10, true},  // equal
		{"==", 11, false}, // different
		{"!=", 11, true},  // different
		{"!=", 10, false}, // equal
	}
	for _, tt := range tests {
		th := Threshold{Operator: tt.op, Value: 10}
		assert.Equal(t, tt.want, th.Holds(tt.actual), "%g %s 10", tt.actual, tt.op)
	}
}

func TestAggregate(t *testing.T) {
	assert.Equal(t, "p(99.9)", Threshold{Aggregation: "p", Percentile: 99.9}.Aggregate())
	assert.Equal(t, "rate", Threshold{Aggregation: "rate"}.Aggregate())
}

func TestBadThresholdIsAValidationErrorWithPosition(t *testing.T) {
	src := `name: th
duration: 10s
producers:
  - generator: logs
    rate: [{constant: 10/s}]
thresholds:
  put_latency_ms: ["p(99) < 250", "p(99) < 250ms"]
  latency: ["avg < 1"]
`
	_, err := Parse([]byte(src), "th.yaml", WithGenerators("logs"))
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, `th.yaml:7:`, "names the file and line of the expression")
	assert.Contains(t, msg, `thresholds.put_latency_ms[1]: "p(99) < 250ms": "250ms" is not a number`)
	assert.Contains(t, msg, `th.yaml:8:`, "names the line of an unknown metric")
	assert.Contains(t, msg, `unknown metric "latency"`)
}

func TestParseThresholdsOrdersByMetric(t *testing.T) {
	ths, err := ParseThresholds(&Scenario{Thresholds: map[string][]ThresholdSpec{
		"throttled_ratio": {{Threshold: "rate < 0.01"}},
		"put_latency_ms":  {{Threshold: "p(99) < 250"}, {Threshold: "max < 1000"}},
	}})
	require.NoError(t, err)
	var got []string
	for _, th := range ths {
		got = append(got, th.Metric+" "+th.Expression)
	}
	assert.Equal(t, []string{"put_latency_ms p(99) < 250", "put_latency_ms max < 1000", "throttled_ratio rate < 0.01"}, got)
}

func TestParseThresholdKey(t *testing.T) {
	tests := []struct {
		key, metric, producer string
		wantErr               string // a substring of the error; "" for none
	}{
		// A plain metric has no producer.
		{"put_latency_ms", "put_latency_ms", "", ""},
		// k6's tag syntax narrows it to one producer.
		{"put_latency_ms{producer:bikes}", "put_latency_ms", "bikes", ""},
		// Spaces around the tag's parts are allowed.
		{"record_latency_ms{ producer: bikes }", "record_latency_ms", "bikes", ""},
		// Counters and the throttled ratio are per producer too.
		{"throttled_ratio{producer:logs}", "throttled_ratio", "logs", ""},
		// Another tag than producer.
		{"put_latency_ms{shard:1}", "", "", `unknown tag "shard"`},
		// A tag without a value.
		{"put_latency_ms{producer:}", "", "", "METRIC{producer:NAME}"},
		// An unclosed tag.
		{"put_latency_ms{producer:bikes", "", "", "METRIC{producer:NAME}"},
		// A tag without a colon.
		{"put_latency_ms{bikes}", "", "", "METRIC{producer:NAME}"},
		// Consumer metrics are not per producer.
		{"lost_records{producer:bikes}", "", "", "lost_records is not measured per producer"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			metric, producer, err := ParseThresholdKey(tt.key)
			if tt.wantErr != "" {
				require.Error(t, err, "got %q %q, want an error", metric, producer)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.metric, metric)
			assert.Equal(t, tt.producer, producer)
		})
	}
}

func TestThresholdSpecForms(t *testing.T) {
	src := `name: th
duration: 1m
producers:
  - {name: bikes, generator: logs, rate: [{constant: 10/s}]}
thresholds:
  put_latency_ms:
    - "p(99.9) < 1000"
    - {threshold: "p(99) < 250", abort_on_fail: true, delay_abort_eval: 10s}
  record_latency_ms{producer:bikes}: ["p(99) < 100"]
`
	s, err := Parse([]byte(src), "th.yaml", WithGenerators("logs"))
	require.NoError(t, err)
	ths, err := ParseThresholds(s)
	require.NoError(t, err)
	require.Len(t, ths, 3)
	assert.Equal(t, Threshold{Metric: "put_latency_ms", Expression: "p(99.9) < 1000", Aggregation: "p", Percentile: 99.9, Operator: "<", Value: 1000}, ths[0], "the string form")
	assert.True(t, ths[1].AbortOnFail, "the mapping form sets abort_on_fail")
	assert.Equal(t, 10*time.Second, ths[1].DelayAbortEval)
	assert.Equal(t, "bikes", ths[2].Producer)
	assert.Equal(t, "record_latency_ms{producer:bikes}", ths[2].Key())

	// Written back (scenario.yaml in the run folder), each keeps its form.
	out, err := yaml.Marshal(s.Thresholds)
	require.NoError(t, err)
	assert.Equal(t, `put_latency_ms:
    - p(99.9) < 1000
    - threshold: p(99) < 250
      abort_on_fail: true
      delay_abort_eval: 10s
record_latency_ms{producer:bikes}:
    - p(99) < 100
`, string(out))
}

func TestBadThresholdSpecs(t *testing.T) {
	tests := []struct {
		name, thresholds string
		want             string // a substring of the error
	}{
		// A misspelt key of the mapping form is an unknown field.
		{"unknown field", `{put_latency_ms: [{threshold: "p(99) < 1", abort_onfail: true}]}`, `unknown field "abort_onfail"; did you mean "abort_on_fail"?`},
		// A producer the scenario does not have.
		{"unknown producer", `{"put_latency_ms{producer:cars}": ["p(99) < 1"]}`, `"cars" is not a producer of this scenario; use one of bikes`},
		// Another tag than producer.
		{"unknown tag", `{"put_latency_ms{shard:0}": ["p(99) < 1"]}`, `unknown tag "shard"`},
		// lost_records is known only at the end.
		{"abort on lost records", `{lost_records: [{threshold: "count == 0", abort_on_fail: true}]}`, "cannot abort one"},
		// delay_abort_eval without abort_on_fail does nothing.
		{"delay without abort", `{put_latency_ms: [{threshold: "p(99) < 1", delay_abort_eval: 5s}]}`, "only applies with abort_on_fail: true"},
		// A bad expression in the mapping form is named like the string form's.
		{"bad expression", `{put_latency_ms: [{threshold: "p(99) < 1ms", abort_on_fail: true}]}`, `thresholds.put_latency_ms[0]: "p(99) < 1ms": "1ms" is not a number`},
		// A sequence where an expression belongs.
		{"sequence", `{put_latency_ms: [[1]]}`, "found a list; want an expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "name: th\nduration: 1m\nproducers: [{name: bikes, generator: logs, rate: [{constant: 10/s}]}]\nthresholds: " + tt.thresholds + "\n"
			_, err := Parse([]byte(src), "th.yaml", WithGenerators("logs"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "th.yaml:4:", "names the line of the thresholds")
		})
	}
}

func TestCompareOptions(t *testing.T) {
	src := "name: c\nduration: 1m\nproducers: [{generator: logs, rate: [{constant: 10/s}]}]\n" +
		"compare: {tolerances: {record_latency_ms.p99: +10%/2, throughput: \"-5%\"}}\n"
	s, err := Parse([]byte(src), "c.yaml", WithGenerators("logs"))
	require.NoError(t, err)
	assert.Equal(t, "record_latency_ms.p99=+10%/2,throughput=-5%", s.Compare.ToleranceSpec(), "in --tolerance form, sorted")
	assert.Empty(t, (*CompareOptions)(nil).ToleranceSpec(), "no compare section, no tolerances")

	_, err = Parse([]byte(strings.Replace(src, "+10%/2", `"+10%,throughput=-1%"`, 1)), "c.yaml", WithGenerators("logs"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "compare.tolerances.record_latency_ms.p99")
	assert.Contains(t, err.Error(), "one tolerance per metric")
}
