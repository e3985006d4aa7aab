package metrics

import (
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kinesim/kinesim/result"
)

// ProducerMetrics lists the latency metrics a producer measures (record,
// put_records, send_delay), in report order; they are kept per producer
// too when TrackProducerLatency asks for them. ConsumerMetrics lists the
// rest.
func ProducerMetrics() []Metric { return []Metric{RecordLatency, PutRecordsLatency, SendDelay} }

// producerTotals reads the producer counters of c.
func producerTotals(c func(Counter) int64) result.ProducerTotals {
	return result.ProducerTotals{
		RecordsScheduled:    c(RecordsScheduled),
		RecordsSent:         c(RecordsSent),
		RecordsAcknowledged: c(RecordsAcknowledged),
		BytesAcknowledged:   c(BytesAcknowledged),
		PutAttempts:         c(PutAttempts),
		RecordsThrottled:    c(RecordsThrottled),
		RecordsFailed:       c(RecordsFailed),
		RecordsRetried:      c(RecordsRetried),
		RecordsDeadLettered: c(RecordsDeadLettered),
		RecordsUnfinished:   c(RecordsUnfinished),
		RecordsDropped:      c(RecordsDropped),
		RecordsUnsent:       c(RecordsUnsent),
		PutCalls:            c(PutCalls),
		PutCallErrors:       c(PutCallErrors),

		KinesisRecordsAcknowledged: c(KinesisRecordsAcknowledged),
		KinesisBytesAcknowledged:   c(KinesisBytesAcknowledged),
		RecordsWrongShard:          c(RecordsWrongShard),
	}
}

// producerStats are one producer's counters and, when tracked, latency
// histograms. The histograms are made before the run and never replaced,
// so reading the array needs no lock; recording into them takes Recorder.mu.
type producerStats struct {
	counters [numCounters]atomic.Int64
	latency  [numMetrics]*hdrhistogram.Histogram
}

// ProducerRecorder records one producer's measurements into the run's
// Recorder and into the producer's own totals (and latency histograms,
// when TrackProducerLatency named it). Safe for concurrent use; the
// Recorder's other methods (AddShards, ...) are promoted unchanged.
type ProducerRecorder struct {
	*Recorder
	stats *producerStats
}

// TrackProducerLatency makes the producers named keep their own latency
// histograms (record, put_records, send_delay) besides the run's, for
// per-producer thresholds and result.json's producers[].latency_ms. Call
// it before ForProducer. Untracked producers keep counters only: one more
// atomic add per count, no second histogram on the hot path.
func (r *Recorder) TrackProducerLatency(names ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.trackLatency == nil {
		r.trackLatency = map[string]bool{}
	}
	for _, n := range names {
		r.trackLatency[n] = true
	}
}

// ForProducer returns the recorder the producer named records into. Each
// call with the same name shares the same totals.
func (r *Recorder) ForProducer(name string) *ProducerRecorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.producers == nil {
		r.producers = map[string]*producerStats{}
	}
	s, ok := r.producers[name]
	if !ok {
		s = &producerStats{}
		if r.trackLatency[name] {
			for _, m := range ProducerMetrics() {
				s.latency[m] = newHistogram()
			}
		}
		r.producers[name] = s
	}
	return &ProducerRecorder{Recorder: r, stats: s}
}

// Add adds n to a counter of the run and of the producer.
func (p *ProducerRecorder) Add(c Counter, n int64, t time.Time) {
	p.stats.counters[c].Add(n)
	p.Recorder.Add(c, n, t)
}

// Observe records latencies into the run's histograms and, when tracked,
// the producer's.
func (p *ProducerRecorder) Observe(m Metric, t time.Time, latencies ...time.Duration) {
	p.observe(m, t, p.stats.latency[m], latencies)
}

// ProducerStats is one producer's share of a Snapshot.
type ProducerStats struct {
	Totals result.ProducerTotals
	// Latency holds the tracked metrics' percentiles (see TrackProducerLatency); nil when untracked.
	Latency map[Metric]result.Percentiles
}

// producerSnapshot reads every producer's stats. Callers hold r.mu.
func (r *Recorder) producerSnapshot() map[string]ProducerStats {
	out := make(map[string]ProducerStats, len(r.producers))
	for name, s := range r.producers {
		ps := ProducerStats{Totals: producerTotals(func(c Counter) int64 { return s.counters[c].Load() })}
		for m, h := range s.latency {
			if h != nil {
				if ps.Latency == nil {
					ps.Latency = map[Metric]result.Percentiles{}
				}
				ps.Latency[Metric(m)] = percentilesOf(h)
			}
		}
		out[name] = ps
	}
	return out
}

// DescribeProducers returns infos with each producer's totals, throttled
// ratio and (when tracked) latency percentiles from the snapshot filled in.
func (s Snapshot) DescribeProducers(infos []result.ProducerInfo) []result.ProducerInfo {
	out := make([]result.ProducerInfo, len(infos))
	for i, info := range infos {
		if ps, ok := s.Producers[info.Name]; ok {
			info.Totals = &ps.Totals
			ratio := ps.Totals.ThrottledRatio()
			info.ThrottledRatio = &ratio
			for m, p := range ps.Latency {
				if info.LatencyMs == nil {
					info.LatencyMs = map[string]result.Percentiles{}
				}
				info.LatencyMs[m.Name()] = p
			}
		}
		out[i] = info
	}
	return out
}

// ProducerTotals are the run's producer counters in s: every producer's
// counts, summed.
func (s Snapshot) ProducerTotals() result.ProducerTotals {
	return producerTotals(func(c Counter) int64 { return s.Counters[c] })
}

// ProducerPercentile is the q-th percentile (0..100) of a producer's
// tracked latency so far; 0 when it is not tracked (TrackProducerLatency).
func (r *Recorder) ProducerPercentile(producer string, m Metric, q float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.producers[producer]
	if !ok || s.latency[m] == nil {
		return 0
	}
	return time.Duration(s.latency[m].ValueAtQuantile(q)) * time.Microsecond
}
