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
	// open are the seconds still taking counts, oldest first; the last is
	// the current one, whose latencies go to interval (see OpenSeconds).
	open []*openSecond
	// ended is set when Finish (or CloseIntervalLog) ended the series.
	ended bool
	// log gets every closed interval's histograms (latency.hlog); seconds
	// gets every second leaving the open window (series.jsonl).
	log     *intervalLog
	seconds *seriesFile
	// secondsWritten is the number of seconds in series.jsonl.
	secondsWritten int
	// shardsSeen are the shards seen (at most MaxTrackedShards);
	// received has the built-in consumers seen, with the records they have
	// received for the first time in the seconds written; acked is the
	// records acknowledged in those seconds (for the backlogs).
	shardsSeen      map[string]bool
	shardsTruncated bool
	received        map[string]int64
	acked           int64
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
	r := &Recorder{start: start, open: []*openSecond{newOpenSecond(0)}, log: newIntervalLog(start),
		seconds: newSeriesFile(start), shardsSeen: map[string]bool{}, received: map[string]int64{}}
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
	if o := r.secondAt(t); o != nil {
		*countOf(&o.line.SeriesPoint, c) += n
	}
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
	// Latencies count in the current second's interval, whatever their t:
	// an interval is closed once, in latency.hlog.
	r.secondAt(t)
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
	// Series is the run's series downsampled to at most MaxSeriesPoints
	// points of SeriesBucketS seconds each (1 for a run that fits); the
	// full resolution is in series.jsonl (AttachSeriesFile).
	Series        []result.SeriesPoint
	SeriesBucketS int
	// Shards are the per-shard loads in shard id order, when the producers
	// reported shard ids (AddShards); at most MaxTrackedShards. Their
	// arrays have one point per ShardsBucketS seconds.
	Shards        []result.ShardLoad
	ShardsBucketS int
	// PeakRecordsAcknowledgedPerS is the busiest whole second.
	PeakRecordsAcknowledgedPerS int64
	// SeriesErr is why the series could not be read back for downsampling
	// (a full disk, say); Series is then empty.
	SeriesErr error
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

// Finish ends the series at end (closing its seconds, keeping the last
// partial one when anything happened in it, and writing them all to
// series.jsonl) and returns everything recorded, the series downsampled
// from series.jsonl and latency.hlog (Downsample). It ends the OnSecond
// subscriptions: the run is over. The Recorder stays usable: a later
// Finish sees later events in its counters and latencies, but the series
// ended with the first.
func (r *Recorder) Finish(end time.Time) Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endSeries(end)
	s := Snapshot{
		Counters:      make(map[Counter]int64, numCounters),
		Latency:       make(map[Metric]result.Percentiles, numMetrics),
		Distribution:  make(map[Metric][]result.QuantileValue, numMetrics),
		Elapsed:       end.Sub(r.start),
		SeriesBucketS: 1, ShardsBucketS: 1,
		ShardsTruncated: r.shardsTruncated,
	}
	if d, err := r.downsample(); err != nil {
		s.SeriesErr = err
	} else {
		s.Series, s.SeriesBucketS, s.Consumers = d.Series, d.BucketS, d.Consumers
		s.Shards, s.ShardsBucketS = d.Shards, d.ShardsBucketS
		s.PeakRecordsAcknowledgedPerS = d.PeakRecordsAcknowledgedPerS
	}
	s.Producers = r.producerSnapshot()
	for c := range numCounters {
		s.Counters[c] = r.counters[c].Load()
	}
	for m := range numMetrics {
		s.Latency[m] = percentilesOf(r.whole[m])
		s.Distribution[m] = distributionOf(r.whole[m])
	}
	return s
}

// downsample reads the series and the interval log back. Callers hold r.mu.
func (r *Recorder) downsample() (*Downsampled, error) {
	series, err := r.seconds.sp.reader()
	if err != nil {
		return nil, err
	}
	defer series.Close()
	hlog, err := r.log.sp.reader()
	if err != nil {
		return nil, err
	}
	defer hlog.Close()
	return Downsample(series, hlog, r.secondsWritten)
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
