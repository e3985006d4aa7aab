package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	ths, err := ParseThresholds(&Scenario{Thresholds: map[string][]string{
		"throttled_ratio": {"rate < 0.01"},
		"put_latency_ms":  {"p(99) < 250", "max < 1000"},
	}})
	require.NoError(t, err)
	var got []string
	for _, th := range ths {
		got = append(got, th.Metric+" "+th.Expression)
	}
	assert.Equal(t, []string{"put_latency_ms p(99) < 250", "put_latency_ms max < 1000", "throttled_ratio rate < 0.01"}, got)
}
