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

func TestJudgeProducerThresholds(t *testing.T) {
	start := time.Unix(0, 0)
	rec := metrics.NewRecorder(start)
	rec.TrackProducerLatency("bikes")
	bikes := rec.ForProducer("bikes")
	bikes.Observe(metrics.PutRecordsLatency, start, 50*time.Millisecond, 150*time.Millisecond)
	bikes.Add(metrics.RecordsThrottled, 2, start)
	bikes.Add(metrics.PutAttempts, 10, start)
	rec.ForProducer("logs").Observe(metrics.PutRecordsLatency, start, 500*time.Millisecond)
	snap := rec.Finish(start.Add(time.Second))
	res := metrics.NewResult(snap, time.Second)
	res.Producers = snap.DescribeProducers([]result.ProducerInfo{{Name: "bikes"}, {Name: "logs"}})

	tests := []struct {
		key, expr   string
		useRecorder bool
		wantActual  float64 // ignored when wantSkip
		wantOK      bool
		wantSkip    string // a substring of the reason; "" when judged
	}{
		// The producer's own p(99), exact through the recorder; the run's would be 500.
		{"put_latency_ms{producer:bikes}", "p(99) < 200", true, 150, true, ""},
		// From result.json's producers[] section without the recorder.
		{"put_latency_ms{producer:bikes}", "max < 100", false, 150, false, ""},
		// The producer's throttled ratio, not the run's.
		{"throttled_ratio{producer:bikes}", "rate < 0.1", false, 0.2, false, ""},
		// A producer counter.
		{"records_throttled{producer:bikes}", "count == 2", false, 2, true, ""},
		// An untracked producer's latency is not measured, not passed.
		{"put_latency_ms{producer:logs}", "p(99) < 1", false, 0, false, "not tracked"},
		// A producer result.json does not know.
		{"put_latency_ms{producer:cars}", "p(99) < 1", false, 0, false, `no totals for producer "cars"`},
	}
	for _, tt := range tests {
		t.Run(tt.key+" "+tt.expr, func(t *testing.T) {
			th, err := scenarios.ParseThreshold(tt.key, tt.expr)
			require.NoError(t, err)
			var r *metrics.Recorder
			if tt.useRecorder {
				r = rec
			}
			g := JudgeThresholds([]scenarios.Threshold{th}, res, r, nil)[0]
			assert.Equal(t, tt.key, g.Metric, "named as the scenario names it")
			assert.NotEmpty(t, g.Producer)
			if tt.wantSkip != "" {
				assert.True(t, g.Skipped, "want skipped, got %+v", g)
				assert.Contains(t, g.Reason, tt.wantSkip)
				return
			}
			require.NotNil(t, g.Actual, "want a value, got %+v", g)
			assert.InDelta(t, tt.wantActual, *g.Actual, 0.2)
			assert.Equal(t, tt.wantOK, g.OK)
		})
	}
}
