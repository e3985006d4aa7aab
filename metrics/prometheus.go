package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// counterNames are the Prometheus names of the counters, kinesim_NAME_total.
var counterNames = map[Counter]string{
	RecordsScheduled:    "records_scheduled",
	RecordsSent:         "records_sent",
	RecordsAcknowledged: "records_acknowledged",
	BytesAcknowledged:   "bytes_acknowledged",
	PutAttempts:         "put_attempts",
	RecordsThrottled:    "records_throttled",
	RecordsFailed:       "records_failed",
	RecordsRetried:      "records_retried",
	RecordsDeadLettered: "records_dead_lettered",
	RecordsUnfinished:   "records_unfinished",
	RecordsDropped:      "records_dropped",
	RecordsUnsent:       "records_unsent",
	PutCalls:            "put_calls",
	PutCallErrors:       "put_call_errors",
	RecordsConsumed:     "records_consumed",
	BytesConsumed:       "bytes_consumed",
	GetRecordsCalls:     "get_records_calls",
	ReadThrottles:       "read_throttles",

	KinesisRecordsAcknowledged: "kinesis_records_acknowledged",
	KinesisBytesAcknowledged:   "kinesis_bytes_acknowledged",
	RecordsWrongShard:          "records_wrong_shard",
	KinesisRecordsConsumed:     "kinesis_records_consumed",
	AggregatesCorrupt:          "aggregates_corrupt",
	RecordsFilteredByHashRange: "records_filtered_by_hash_range",
	AggregatesNotDeaggregated:  "aggregates_not_deaggregated",
}

// latencyBuckets are the upper bounds (seconds) of the exported latency
// histograms: 1 ms to 60 s, about three per decade.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// promCollector exports a Recorder's counters and whole-run latency
// histograms, read at each scrape.
type promCollector struct {
	rec      *Recorder
	counters map[Counter]*prometheus.Desc
	latency  *prometheus.Desc
	elapsed  *prometheus.Desc
}

var _ prometheus.Collector = (*promCollector)(nil)

func newPromCollector(rec *Recorder, labels prometheus.Labels) *promCollector {
	c := &promCollector{rec: rec, counters: map[Counter]*prometheus.Desc{}}
	for counter, name := range counterNames {
		c.counters[counter] = prometheus.NewDesc("kinesim_"+name+"_total",
			"kinesim counter "+name+" (see result/RESULT.md, totals)", nil, labels)
	}
	c.latency = prometheus.NewDesc("kinesim_latency_seconds",
		"kinesim latencies by metric (see result/RESULT.md, latency_ms), whole run so far", []string{"metric"}, labels)
	c.elapsed = prometheus.NewDesc("kinesim_elapsed_seconds", "seconds since the run started", nil, labels)
	return c
}

func (c *promCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.counters {
		ch <- d
	}
	ch <- c.latency
	ch <- c.elapsed
}

func (c *promCollector) Collect(ch chan<- prometheus.Metric) {
	for counter, d := range c.counters {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(c.rec.Count(counter)))
	}
	for m := range numMetrics {
		count, sum, buckets := c.rec.histogramBuckets(m, latencyBuckets)
		ch <- prometheus.MustNewConstHistogram(c.latency, count, sum, buckets, m.Name())
	}
	c.rec.mu.Lock()
	now := c.rec.now
	c.rec.mu.Unlock()
	if now != nil {
		ch <- prometheus.MustNewConstMetric(c.elapsed, prometheus.GaugeValue, now().Sub(c.rec.start).Seconds())
	}
}

// histogramBuckets returns a metric's sample count, sum (seconds) and
// cumulative counts at each upper bound (seconds), as Prometheus wants them.
func (r *Recorder) histogramBuckets(m Metric, bounds []float64) (uint64, float64, map[float64]uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.whole[m]
	buckets := make(map[float64]uint64, len(bounds))
	for _, bar := range h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		upper := float64(bar.To) / 1e6
		for _, b := range bounds {
			if upper <= b {
				buckets[b] += uint64(bar.Count)
			}
		}
	}
	for _, b := range bounds {
		if _, ok := buckets[b]; !ok {
			buckets[b] = 0
		}
	}
	count := uint64(h.TotalCount())
	return count, h.Mean() * float64(count) / 1e6, buckets
}

// SetClock tells the recorder how to read the run's time (the wall clock or
// a virtual one), for the live metrics' elapsed time. Optional.
func (r *Recorder) SetClock(now func() time.Time) {
	r.mu.Lock()
	r.now = now
	r.mu.Unlock()
}

// MetricsHandler serves the recorder's counters (kinesim_*_total), latency
// histograms (kinesim_latency_seconds{metric=...}) and elapsed time in the
// Prometheus exposition format, read live at each scrape. labels are added
// to every series (e.g. scenario). Safe for concurrent use with the run.
func MetricsHandler(rec *Recorder, labels map[string]string) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newPromCollector(rec, labels))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
