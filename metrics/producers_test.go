package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
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

	infos := snap.DescribeProducers([]result.ProducerInfo{{Name: "bikes", Generator: "bike"}, {Name: "logs"}, {Name: "idle"}})
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
