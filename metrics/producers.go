package reports

import (
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// ProducerMetrics are the latency metrics a producer measures on its own,
// kept per producer when TrackProducerLatency asks for them.
func ProducerMetrics() []Metric { return []Metric{RecordLatency, PutRecordsLatency, SendDelay} }

// ProducerTotals are one producer's counts (the run's Totals hold their
// sums). Record counters count records; attempt counters count record attempts.
type ProducerTotals struct {
	// RecordsScheduled are the records the rate schedule asked for.
	RecordsScheduled int64 `json:"records_scheduled"`
	// RecordsSent are the records handed to the target at least once.
	RecordsSent int64 `json:"records_sent"`
	// RecordsAcknowledged are the records the target acknowledged with a
	// sequence number (CloudWatch: IncomingRecords, PutRecords.SuccessfulRecords).
	RecordsAcknowledged int64 `json:"records_acknowledged"`
	// BytesAcknowledged are the payload and partition key bytes acknowledged
	// (CloudWatch: IncomingBytes).
	BytesAcknowledged int64 `json:"bytes_acknowledged"`
	// PutAttempts are record attempts, retries included (CloudWatch: PutRecords.TotalRecords).
	PutAttempts int64 `json:"put_attempts"`
	// RecordsThrottled are record attempts answered
	// ProvisionedThroughputExceededException (CloudWatch:
	// WriteProvisionedThroughputExceeded, PutRecords.ThrottledRecords).
	RecordsThrottled int64 `json:"records_throttled"`
	// RecordsFailed are record attempts that failed otherwise: InternalFailure,
	// a failed call (CloudWatch: PutRecords.FailedRecords counts the former).
	RecordsFailed int64 `json:"records_failed"`
	// RecordsRetried are record attempts that were retries.
	RecordsRetried int64 `json:"records_retried"`
	// RecordsDeadLettered are records that failed every attempt; they are
	// in the run folder's dead-letters.jsonl.
	RecordsDeadLettered int64 `json:"records_dead_lettered"`
	// RecordsUnfinished are records still unacknowledged when a stopped
	// run's drain time ran out; kept in dead-letters.jsonl too.
	RecordsUnfinished int64 `json:"records_unfinished"`
	// RecordsDropped are records shed by the drop or sample backpressure policy.
	RecordsDropped int64 `json:"records_dropped"`
	// PutCalls are PutRecords (or PutRecord) calls made.
	PutCalls int64 `json:"put_calls"`
	// PutCallErrors are calls that failed as a whole (a throttled call, a
	// timeout, a reset connection).
	PutCallErrors int64 `json:"put_call_errors"`
}

// producerTotals reads the producer counters of c.
func producerTotals(c func(Counter) int64) ProducerTotals {
	return ProducerTotals{
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
		PutCalls:            c(PutCalls),
		PutCallErrors:       c(PutCallErrors),
	}
}

// throttledRatio is throttled record attempts over all record attempts.
func (t ProducerTotals) throttledRatio() float64 {
	if t.PutAttempts == 0 {
		return 0
	}
	return float64(t.RecordsThrottled) / float64(t.PutAttempts)
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
	Totals ProducerTotals
	// Latency holds the tracked metrics' percentiles (see TrackProducerLatency); nil when untracked.
	Latency map[Metric]Percentiles
}

// producerSnapshot reads every producer's stats. Callers hold r.mu.
func (r *Recorder) producerSnapshot() map[string]ProducerStats {
	out := make(map[string]ProducerStats, len(r.producers))
	for name, s := range r.producers {
		ps := ProducerStats{Totals: producerTotals(func(c Counter) int64 { return s.counters[c].Load() })}
		for m, h := range s.latency {
			if h != nil {
				if ps.Latency == nil {
					ps.Latency = map[Metric]Percentiles{}
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
func (s Snapshot) DescribeProducers(infos []ProducerInfo) []ProducerInfo {
	out := make([]ProducerInfo, len(infos))
	for i, info := range infos {
		if ps, ok := s.Producers[info.Name]; ok {
			info.Totals = &ps.Totals
			ratio := ps.Totals.throttledRatio()
			info.ThrottledRatio = &ratio
			for m, p := range ps.Latency {
				if info.LatencyMs == nil {
					info.LatencyMs = map[string]Percentiles{}
				}
				info.LatencyMs[m.Name()] = p
			}
		}
		out[i] = info
	}
	return out
}
