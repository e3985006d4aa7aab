package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
)

func TestProducerRecorderKeepsTotalsAndTrackedLatency(t *testing.T) {
	start := time.Unix(0, 0)
	rec := NewRecorder(start)
	rec.TrackProducerLatency("bikes")
	bikes, logs := rec.ForProducer("bikes"), rec.ForProducer("logs")
	bikes.Add(RecordsAcknowledged, 3, start)
	bikes.Add(PutAttempts, 4, start)
	bikes.Add(RecordsThrottled, 1, start)
	logs.Add(RecordsAcknowledged, 5, start)
	bikes.Observe(RecordLatency, start, 10*time.Millisecond, 30*time.Millisecond)
	logs.Observe(RecordLatency, start, 90*time.Millisecond)
	assert.Same(t, bikes.stats, rec.ForProducer("bikes").stats, "a second handle shares the totals")

	snap := rec.Finish(start.Add(time.Second))
	assert.Equal(t, int64(8), snap.Counters[RecordsAcknowledged], "the run counts every producer")
	assert.Equal(t, int64(3), snap.Latency[RecordLatency].Count, "and every latency")

	infos := snap.DescribeProducers([]ProducerInfo{{Name: "bikes", Generator: "bike"}, {Name: "logs"}, {Name: "idle"}})
	require.Len(t, infos, 3)
	require.NotNil(t, infos[0].Totals)
	assert.Equal(t, int64(3), infos[0].Totals.RecordsAcknowledged)
	assert.Equal(t, 0.25, *infos[0].ThrottledRatio, "1 throttled of 4 attempts")
	assert.Equal(t, int64(2), infos[0].LatencyMs["record"].Count, "a tracked producer keeps its own latencies")
	assert.InDelta(t, 30, infos[0].LatencyMs["record"].Max, 0.1)
	assert.Equal(t, int64(5), infos[1].Totals.RecordsAcknowledged)
	assert.Nil(t, infos[1].LatencyMs, "an untracked producer has totals only")
	assert.Nil(t, infos[2].Totals, "a producer that never recorded has no section")
	assert.Equal(t, "bike", infos[0].Generator, "the description is kept")
}

func TestJudgeProducerThresholds(t *testing.T) {
	start := time.Unix(0, 0)
	rec := NewRecorder(start)
	rec.TrackProducerLatency("bikes")
	bikes := rec.ForProducer("bikes")
	bikes.Observe(PutRecordsLatency, start, 50*time.Millisecond, 150*time.Millisecond)
	bikes.Add(RecordsThrottled, 2, start)
	bikes.Add(PutAttempts, 10, start)
	rec.ForProducer("logs").Observe(PutRecordsLatency, start, 500*time.Millisecond)
	snap := rec.Finish(start.Add(time.Second))
	res := NewResult(snap, time.Second)
	res.Producers = snap.DescribeProducers([]ProducerInfo{{Name: "bikes"}, {Name: "logs"}})

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
			var r *Recorder
			if tt.useRecorder {
				r = rec
			}
			g := JudgeThresholds([]scenarios.Threshold{th}, res, r)[0]
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

func TestThisMachine(t *testing.T) {
	m := ThisMachine()
	assert.NotEmpty(t, m.OS)
	assert.NotEmpty(t, m.Arch)
	assert.Positive(t, m.CPUs)
	assert.Contains(t, m.GoVersion, "go")
}

// BenchmarkObserve is the hot path of every acknowledged batch: the run's
// recorder alone, a producer's untracked (one more atomic add per count),
// and tracked (a second histogram).
func BenchmarkObserve(b *testing.B) {
	start := time.Unix(0, 0)
	latencies := make([]time.Duration, 500)
	for i := range latencies {
		latencies[i] = time.Duration(i) * time.Millisecond
	}
	rec := NewRecorder(start)
	rec.TrackProducerLatency("tracked")
	for _, bb := range []struct {
		name string
		add  func(Counter, int64, time.Time)
		obs  func(Metric, time.Time, ...time.Duration)
	}{
		{"run", rec.Add, rec.Observe},
		{"producer", rec.ForProducer("untracked").Add, rec.ForProducer("untracked").Observe},
		{"tracked producer", rec.ForProducer("tracked").Add, rec.ForProducer("tracked").Observe},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				bb.add(RecordsAcknowledged, int64(len(latencies)), start)
				bb.obs(RecordLatency, start, latencies...)
			}
		})
	}
}
