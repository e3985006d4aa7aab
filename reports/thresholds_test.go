package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

func TestJudgeThresholds(t *testing.T) {
	tests := []struct {
		metric, expr string
		useRecorder  bool
		wantActual   float64 // ignored when wantSkip
		wantOK       bool
		wantSkip     string // a substring of the reason; "" when judged
	}{
		// p(99) of put latency from result.json, passing.
		{"put_latency_ms", "p(99) < 250", false, 20.5, true, ""},
		// p(99) of record latency from result.json, failing.
		{"record_latency_ms", "p(99) < 250", false, 312.4, false, ""},
		// p(99.9) from result.json's latency_ms.
		{"record_latency_ms", "p(99.9) <= 1000", false, 980, true, ""},
		// avg is the mean.
		{"send_delay_ms", "avg < 10", false, 24, false, ""},
		// max.
		{"record_latency_ms", "max < 2000", false, 1204.2, true, ""},
		// A percentile result.json does not keep is skipped, not guessed.
		{"record_latency_ms", "p(42) < 1", false, 0, false, "not available"},
		// With the recorder any percentile is exact: its samples are all 2ms.
		{"put_latency_ms", "p(42) == 2", true, 2, true, ""},
		// min through the recorder.
		{"put_latency_ms", "min >= 2", true, 2, true, ""},
		// The throttled ratio.
		{"throttled_ratio", "rate < 0.01", false, 320.0 / 10870, false, ""},
		// A counter.
		{"records_dead_lettered", "count == 0", false, 0, true, ""},
		// lost_records without consumers: skipped.
		{"lost_records", "count == 0", false, 0, false, "no consumers"},
		// end-to-end latency without consumers has no samples: skipped.
		{"end_to_end_latency_ms", "p(95) < 2000", false, 0, false, "no samples"},
	}
	rec := metrics.NewRecorder(time.Unix(0, 0))
	rec.Observe(metrics.PutRecordsLatency, time.Unix(0, 0), 2*time.Millisecond, 2*time.Millisecond)
	for _, tt := range tests {
		t.Run(tt.metric+" "+tt.expr, func(t *testing.T) {
			th, err := scenarios.ParseThreshold(tt.metric, tt.expr)
			require.NoError(t, err)
			var r *metrics.Recorder
			if tt.useRecorder {
				r = rec
			}
			got := JudgeThresholds([]scenarios.Threshold{th}, fixedResult(), r, nil)
			require.Len(t, got, 1)
			g := got[0]
			assert.Equal(t, tt.metric, g.Metric)
			assert.Equal(t, tt.expr, g.Expression)
			if tt.wantSkip != "" {
				assert.True(t, g.Skipped, "want skipped, got %+v", g)
				assert.Contains(t, g.Reason, tt.wantSkip)
				assert.Nil(t, g.Actual)
				assert.False(t, g.Failed(), "a skipped threshold does not fail the run")
				return
			}
			require.NotNil(t, g.Actual, "want a value, got %+v", g)
			assert.InDelta(t, tt.wantActual, *g.Actual, 1e-9)
			assert.Equal(t, tt.wantOK, g.OK)
			assert.Equal(t, !tt.wantOK, g.Failed())
		})
	}
}

func TestLostRecordsFromVerification(t *testing.T) {
	th, err := scenarios.ParseThreshold("lost_records", "count == 0")
	require.NoError(t, err)
	r := fixedResult()
	r.Verification = &result.Verification{Consumers: []result.ConsumerVerdict{{Consumer: "a", Lost: 0}, {Consumer: "b", Lost: 3}}}
	got := JudgeThresholds([]scenarios.Threshold{th}, r, nil, nil)[0]
	require.NotNil(t, got.Actual, "measured once a consumer was verified: %+v", got)
	assert.Equal(t, 3.0, *got.Actual, "the worst consumer's loss")
	assert.True(t, got.Failed())
}

func TestExcess(t *testing.T) {
	tests := []struct {
		tr   result.ThresholdResult
		want string
	}{
		// Over a latency limit: the difference and the percentage.
		{result.ThresholdResult{Actual: ptr(312.4), Limit: 250}, "+62.4 (+25.0%)"},
		// Under a floor (e.g. rate > 0.5): negative.
		{result.ThresholdResult{Actual: ptr(0.25), Limit: 0.5}, "-0.25 (-50.0%)"},
		// A limit of 0 has no percentage.
		{result.ThresholdResult{Actual: ptr(3), Limit: 0}, "+3"},
		// A passed threshold misses by nothing.
		{result.ThresholdResult{Actual: ptr(1), Limit: 2, OK: true}, ""},
		// Nor does a skipped one.
		{result.ThresholdResult{Skipped: true}, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.tr.Excess(), "%+v", tt.tr)
	}
}

func TestThresholdsFailed(t *testing.T) {
	assert.Equal(t, 1, fixedResult().ThresholdsFailed(), "one failed; the skipped one does not count")
}
