// Package metrics measures a run while it goes: the Recorder keeps
// HdrHistograms of latencies, counters, per-second series and per-shard,
// per-consumer and per-producer counts; it writes the HdrHistogram interval
// log (latency.hlog), serves the live Prometheus endpoint (MetricsHandler),
// hands each closed second to its OnSecond subscribers, and turns what it
// recorded into a result.Result (NewResult).
//
// A Recorder is safe for concurrent use by every producer and consumer
// goroutine. OnSecond subscribers run outside the Recorder's lock, on the
// goroutine whose event closed the second. Snapshot values are plain data.
package metrics

import (
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kinesim/kinesim/result"
)

// Metric names a latency kept in an HdrHistogram.
type Metric int

// Latency metrics. Every one is measured in microseconds internally and
// reported in milliseconds.
const (
	// PutRecordsLatency is one PutRecords call, request to response
	// (CloudWatch: PutRecords.Latency).
	PutRecordsLatency Metric = iota
	// RecordLatency is a record's intended send time to its acknowledgement,
	// retries included: the latency a user of the stream sees, free of
	// coordinated omission.
	RecordLatency
	// SendDelay is a record's intended send time to the moment the producer
	// made it and handed it to the batcher: how far the producer fell behind
	// its schedule (a stalled generator, blocking backpressure). Time spent
	// waiting in a batch shows in RecordLatency, not here.
	SendDelay
	// EndToEndLatency is a record's intended send time to a consumer's
	// receipt of it: what the stream's reader sees, free of coordinated omission.
	EndToEndLatency
	// PropagationDelay is a record's ApproximateArrivalTimestamp (about its
	// acknowledgement) to a consumer's receipt of it.
	PropagationDelay
	// IteratorAge is GetRecords' MillisBehindLatest
	// (CloudWatch: GetRecords.IteratorAgeMilliseconds).
	IteratorAge
	numMetrics
)

// Name is the metric's key in result.json's latency_ms section.
func (m Metric) Name() string {
	switch m {
	case PutRecordsLatency:
		return "put_records"
	case RecordLatency:
		return "record"
	case SendDelay:
		return "send_delay"
	case EndToEndLatency:
		return "end_to_end"
	case PropagationDelay:
		return "propagation_delay"
	case IteratorAge:
		return "iterator_age"
	}
	return "unknown"
}

// ConsumerMetrics lists the latency metrics of the built-in consumers, in
// report order. result.json's latency_ms holds them next to ProducerMetrics().
func ConsumerMetrics() []Metric { return []Metric{EndToEndLatency, PropagationDelay, IteratorAge} }

// Counter names a count of records or calls.
type Counter int

// Counters. Record counters count records; attempt counters count record
// attempts (a record retried twice is three attempts).
const (
	// RecordsScheduled: records the rate schedule asked for.
	RecordsScheduled Counter = iota
	// RecordsSent: records handed to the target at least once.
	RecordsSent
	// RecordsAcknowledged: records the target acknowledged with a sequence number.
	RecordsAcknowledged
	// BytesAcknowledged: payload plus partition key bytes acknowledged.
	BytesAcknowledged
	// PutAttempts: record attempts, retries included.
	PutAttempts
	// RecordsThrottled: record attempts answered ProvisionedThroughputExceededException.
	RecordsThrottled
	// RecordsFailed: record attempts failed otherwise (InternalFailure, a failed call).
	RecordsFailed
	// RecordsRetried: record attempts that were retries.
	RecordsRetried
	// RecordsDeadLettered: records that failed every attempt, written to the dead-letter file.
	RecordsDeadLettered
	// RecordsUnfinished: records still unacknowledged when a stopped run's drain time ran out.
	RecordsUnfinished
	// RecordsDropped: records shed by the drop or sample backpressure policy.
	RecordsDropped
	// RecordsUnsent: records the schedule asked for that were never made,
	// because the producer was still behind when the run's duration ended.
	RecordsUnsent
	// PutCalls: PutRecords calls made.
	PutCalls
	// PutCallErrors: PutRecords calls that failed as a whole.
	PutCallErrors
	// RecordsConsumed: deliveries to the built-in consumers (CloudWatch: GetRecords.Records).
	RecordsConsumed
	// BytesConsumed: data bytes delivered to the built-in consumers (GetRecords.Bytes).
	BytesConsumed
	// GetRecordsCalls: GetRecords calls made by the built-in consumers.
	GetRecordsCalls
	// ReadThrottles: GetRecords calls throttled (ReadProvisionedThroughputExceeded).
	ReadThrottles
	// KinesisRecordsAcknowledged: Kinesis records acknowledged. Without KPL
	// aggregation each is one user record; with it, an aggregate of many
	// (CloudWatch: IncomingRecords; KPL: KinesisRecordsPut).
	KinesisRecordsAcknowledged
	// KinesisBytesAcknowledged: their data plus partition key bytes
	// (CloudWatch: IncomingBytes; KPL: KinesisRecordsDataPut).
	KinesisBytesAcknowledged
	// RecordsWrongShard: user record attempts acknowledged on another shard
	// than the producer predicted (the shard map changed): put again, as
	// KPL's retrier does ("Wrong Shard").
	RecordsWrongShard
	// KinesisRecordsConsumed: Kinesis records the built-in consumers read,
	// before de-aggregation.
	KinesisRecordsConsumed
	// AggregatesCorrupt: records with the KPL magic bytes that were not a
	// valid aggregate (truncated, digest mismatch, malformed), as read.
	AggregatesCorrupt
	// RecordsFilteredByHashRange: user records a de-aggregating consumer
	// dropped because their aggregate held a user record outside the
	// shard's hash key range (KCL's filter after a reshard).
	RecordsFilteredByHashRange
	// AggregatesNotDeaggregated: KPL aggregates a consumer with deaggregate
	// false took for single records.
	AggregatesNotDeaggregated
	numCounters
)

// Recorder collects latencies and counters for one run.
type Recorder struct {
	start    time.Time
	counters [numCounters]atomic.Int64

	mu       sync.Mutex
	whole    [numMetrics]*hdrhistogram.Histogram
	interval [numMetrics]*hdrhistogram.Histogram
	current  result.SeriesPoint
	series   []result.SeriesPoint
	// log, when attached, gets every closed interval's histograms.
	log *intervalLog
	// shards holds per-shard per-second acknowledged counts (AddShards).
	shards          map[string]*shardSeries
	shardsTruncated bool
	// consumers holds per-consumer per-second deliveries (AddConsumed).
	consumers map[string]*consumerSeries
	// now reads the run's clock for the live metrics (SetClock).
	now func() time.Time
	// producers are each producer's own stats (ForProducer); trackLatency
	// names those that keep latency histograms (TrackProducerLatency).
	producers    map[string]*producerStats
	trackLatency map[string]bool
	// onSecond are the OnSecond subscribers; the slice is replaced, never
	// changed in place, so a copy taken under mu can be read without it.
	onSecond []func(Snapshot)
	// due is the run so far at the last second closed, for onSecond: set
	// under mu, handed over by unlockAndNotify.
	due *Snapshot
}

// Histogram range: 1 µs to 1 hour at 3 significant digits.
const (
	lowestMicros  = 1
	highestMicros = int64(time.Hour / time.Microsecond)
	sigFigs       = 3
)

func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(lowestMicros, highestMicros, sigFigs)
}

// NewRecorder returns a Recorder whose seconds count from start.
func NewRecorder(start time.Time) *Recorder {
	r := &Recorder{start: start}
	for m := range numMetrics {
		r.whole[m] = newHistogram()
		r.interval[m] = newHistogram()
	}
	return r
}

// Start is the time the run's seconds count from.
func (r *Recorder) Start() time.Time { return r.start }

// Add adds n to a counter at time t (for the per-second series).
func (r *Recorder) Add(c Counter, n int64, t time.Time) {
	if n == 0 {
		return
	}
	r.counters[c].Add(n)
	if !inSeries[c] {
		return
	}
	r.mu.Lock()
	defer r.unlockAndNotify()
	p := r.pointAt(t)
	// Counts that arrive after their second closed (a producer adds its
	// scheduled records once per second, and an acknowledgement from
	// another goroutine may close the second first) still go to their own
	// second: closed seconds keep their counts open until Finish.
	if sec := int(t.Sub(r.start) / time.Second); sec >= 0 && sec < len(r.series) {
		p = &r.series[sec]
	}
	*countOf(p, c) += n
}

// countOf is the field of p that counts c, or nil when the series does not
// keep c.
func countOf(p *result.SeriesPoint, c Counter) *int64 {
	switch c {
	case RecordsScheduled:
		return &p.RecordsScheduled
	case RecordsSent:
		return &p.RecordsSent
	case RecordsAcknowledged:
		return &p.RecordsAcknowledged
	case RecordsThrottled:
		return &p.RecordsThrottled
	case RecordsFailed:
		return &p.RecordsFailed
	case RecordsDeadLettered:
		return &p.RecordsDeadLettered
	case RecordsDropped:
		return &p.RecordsDropped
	case RecordsConsumed:
		return &p.RecordsConsumed
	case ReadThrottles:
		return &p.ReadThrottles
	}
	return nil
}

// inSeries says which counters the per-second series keeps.
var inSeries = func() (kept [numCounters]bool) {
	var p result.SeriesPoint
	for c := range numCounters {
		kept[c] = countOf(&p, c) != nil
	}
	return kept
}()

// Count returns a counter's total so far.
func (r *Recorder) Count(c Counter) int64 { return r.counters[c].Load() }

// Observe records latencies of one metric, all observed at time t.
func (r *Recorder) Observe(m Metric, t time.Time, latencies ...time.Duration) {
	r.observe(m, t, nil, latencies)
}

// observe records latencies into the run's histograms and into also, a
// producer's histogram, when it is not nil.
func (r *Recorder) observe(m Metric, t time.Time, also *hdrhistogram.Histogram, latencies []time.Duration) {
	r.mu.Lock()
	defer r.unlockAndNotify()
	r.pointAt(t)
	for _, d := range latencies {
		us := max(int64(d/time.Microsecond), lowestMicros)
		us = min(us, highestMicros)
		// The range is fixed and values are clamped into it, so RecordValue cannot fail.
		_ = r.whole[m].RecordValue(us)
		_ = r.interval[m].RecordValue(us)
		if also != nil {
			_ = also.RecordValue(us)
		}
	}
}

// pointAt returns the series point for t's second, closing earlier seconds.
// Events for a second already closed count toward the current one. Callers hold r.mu.
func (r *Recorder) pointAt(t time.Time) *result.SeriesPoint {
	sec := int(t.Sub(r.start) / time.Second)
	if sec > r.current.Second {
		for sec > r.current.Second {
			r.closeInterval()
		}
		if len(r.onSecond) > 0 {
			r.due = r.soFar()
		}
	}
	return &r.current
}

func (r *Recorder) closeInterval() {
	r.current.RecordLatencyMs = percentilesOf(r.interval[RecordLatency])
	r.current.SendDelayMs = percentilesOf(r.interval[SendDelay])
	r.current.IteratorAgeMs = maxOf(r.interval[IteratorAge])
	r.series = append(r.series, r.current)
	if r.log != nil {
		from := r.start.Add(time.Duration(r.current.Second) * time.Second)
		r.log.write(r.interval[:], from, from.Add(time.Second))
	}
	for m := range numMetrics {
		r.interval[m].Reset()
	}
	r.current = result.SeriesPoint{Second: r.current.Second + 1}
}

// Percentile returns the q-th percentile (0..100) of a metric so far.
func (r *Recorder) Percentile(m Metric, q float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Duration(r.whole[m].ValueAtQuantile(q)) * time.Microsecond
}

// Snapshot is the recorder's state at the end of a run (Finish), or the
// run so far at the end of one of its seconds (OnSecond).
type Snapshot struct {
	// Elapsed is how far into the run the snapshot was taken, on the run's
	// clock: the seconds closed for OnSecond, the end given to Finish.
	Elapsed  time.Duration
	Counters map[Counter]int64
	Latency  map[Metric]result.Percentiles
	// Distribution is each metric's whole-run percentile curve (at
	// DistributionPercentiles), for the HTML report's log-scale chart.
	Distribution map[Metric][]result.QuantileValue
	Series       []result.SeriesPoint
	// Shards are the per-shard loads in shard id order, when the producers
	// reported shard ids (AddShards); at most MaxTrackedShards.
	Shards []result.ShardLoad
	// ShardsTruncated is true when more than MaxTrackedShards shards were seen.
	ShardsTruncated bool
	// Consumers are the built-in consumers' per-second reading (AddConsumed).
	Consumers []result.ConsumerLoad
	// Producers are each producer's own totals and tracked latencies, by
	// name (ForProducer); see DescribeProducers.
	Producers map[string]ProducerStats

	// whole and producers are copies of the run's and the tracked
	// producers' histograms, for Quantile; set in OnSecond's snapshots only.
	whole     map[Metric]*hdrhistogram.Histogram
	producers map[string]map[Metric]*hdrhistogram.Histogram
}

// Finish closes the seconds up to end and returns everything recorded.
// The Recorder stays usable; a later Finish sees later events. It ends the
// OnSecond subscriptions: the run is over.
func (r *Recorder) Finish(end time.Time) Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onSecond, r.due = nil, nil
	endSec := int(end.Sub(r.start) / time.Second)
	for r.current.Second < endSec {
		r.closeInterval()
	}
	s := Snapshot{
		Counters: make(map[Counter]int64, numCounters),
		Latency:  make(map[Metric]result.Percentiles, numMetrics),
		Series:   append([]result.SeriesPoint(nil), r.series...),

		Distribution: make(map[Metric][]result.QuantileValue, numMetrics),
		Elapsed:      end.Sub(r.start),
	}
	// A last partial second is kept when anything happened in it.
	if last := r.current; last.RecordsScheduled+last.RecordsSent+last.RecordsAcknowledged+last.RecordsThrottled > 0 {
		last.RecordLatencyMs = percentilesOf(r.interval[RecordLatency])
		last.SendDelayMs = percentilesOf(r.interval[SendDelay])
		last.IteratorAgeMs = maxOf(r.interval[IteratorAge])
		s.Series = append(s.Series, last)
	}
	s.Consumers = r.consumerLoads(s.Series)
	s.Producers = r.producerSnapshot()
	if len(r.shards) > 0 {
		s.Shards = r.shardLoads(len(s.Series))
		s.ShardsTruncated = r.shardsTruncated
	}
	for c := range numCounters {
		s.Counters[c] = r.counters[c].Load()
	}
	for m := range numMetrics {
		s.Latency[m] = percentilesOf(r.whole[m])
		s.Distribution[m] = distributionOf(r.whole[m])
	}
	return s
}

func distributionOf(h *hdrhistogram.Histogram) []result.QuantileValue {
	if h.TotalCount() == 0 {
		return nil
	}
	out := make([]result.QuantileValue, len(result.DistributionPercentiles))
	for i, q := range result.DistributionPercentiles {
		out[i] = result.QuantileValue{Percentile: q, ValueMs: float64(h.ValueAtQuantile(q)) / 1000}
	}
	return out
}

// maxOf is h's largest value in milliseconds, or nil when h is empty.
func maxOf(h *hdrhistogram.Histogram) *float64 {
	if h.TotalCount() == 0 {
		return nil
	}
	// Zero was recorded as the histogram's lowest value, 1 µs.
	v := float64(h.Max()) / 1000
	if h.Max() <= lowestMicros {
		v = 0
	}
	return &v
}

func percentilesOf(h *hdrhistogram.Histogram) result.Percentiles {
	if h.TotalCount() == 0 {
		return result.Percentiles{}
	}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return result.Percentiles{
		Count: h.TotalCount(),
		P50:   ms(h.ValueAtQuantile(50)),
		P90:   ms(h.ValueAtQuantile(90)),
		P99:   ms(h.ValueAtQuantile(99)),
		P999:  ms(h.ValueAtQuantile(99.9)),
		Max:   ms(h.Max()),
		Mean:  h.Mean() / 1000,
	}
}
