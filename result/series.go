package result

// SeriesPoint is one second of a run.
//
// In result.json a point may cover several seconds (a run longer than
// 2,000 seconds is downsampled; Result.SeriesBucketS): its counts are then
// the sums over its seconds, BacklogRecords and IteratorAgeMs their
// maxima, and its latency percentiles those of its seconds' histograms
// merged (never averaged). series.jsonl has every second.
type SeriesPoint struct {
	// Second is the whole second since the run's start (the first second
	// of the point).
	Second int `json:"second"`
	// Seconds is how many seconds the point covers; absent for one.
	Seconds int `json:"seconds,omitempty"`
	// RecordsScheduled: records the rate schedule asked for in that second.
	RecordsScheduled int64 `json:"records_scheduled"`
	// RecordsSent: records first handed to the target in that second.
	RecordsSent int64 `json:"records_sent"`
	// RecordsAcknowledged: records acknowledged in that second (CloudWatch: IncomingRecords).
	RecordsAcknowledged int64 `json:"records_acknowledged"`
	// RecordsThrottled: record attempts throttled in that second
	// (CloudWatch: WriteProvisionedThroughputExceeded).
	RecordsThrottled int64 `json:"records_throttled"`
	// RecordsFailed: record attempts failed otherwise in that second.
	RecordsFailed int64 `json:"records_failed"`
	// RecordsDeadLettered: records dead-lettered in that second.
	RecordsDeadLettered int64 `json:"records_dead_lettered"`
	// RecordsDropped: records shed by backpressure in that second.
	RecordsDropped int64 `json:"records_dropped"`
	// RecordsConsumed: deliveries to the built-in consumers in that second.
	RecordsConsumed int64 `json:"records_consumed"`
	// ReadThrottles: GetRecords calls throttled in that second.
	ReadThrottles int64 `json:"read_throttles"`
	// BacklogRecords: at the end of that second, the most records
	// acknowledged and not yet received by a built-in consumer (see
	// ConsumerLoad.BacklogRecords); 0 without consumers.
	BacklogRecords int64 `json:"backlog_records"`
	// RecordLatencyMs of the records acknowledged in that second.
	RecordLatencyMs Percentiles `json:"record_latency_ms"`
	// SendDelayMs of the records handed to the batcher in that second.
	SendDelayMs Percentiles `json:"send_delay_ms"`
	// IteratorAgeMs is the largest MillisBehindLatest the built-in consumers
	// saw in that second (CloudWatch: GetRecords.IteratorAgeMilliseconds,
	// Maximum); absent when they made no read that second.
	IteratorAgeMs *float64 `json:"iterator_age_ms,omitempty"`
}

// Span is how many seconds the point covers (1 when Seconds is absent).
func (p SeriesPoint) Span() int { return max(p.Seconds, 1) }

// DistributionPercentiles are the points of result.json's
// latency_distribution_ms curves, denser toward the tail.
var DistributionPercentiles = []float64{0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5,
	99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999, 100}

// QuantileValue is one point of a percentile curve.
type QuantileValue struct {
	// Percentile is 0 to 100.
	Percentile float64 `json:"percentile"`
	// ValueMs is the latency at that percentile, in milliseconds.
	ValueMs float64 `json:"value_ms"`
}

// Percentiles of one latency metric in milliseconds.
// Values come from an HdrHistogram of 3 significant digits; all are 0 when
// Count is 0.
type Percentiles struct {
	// Count is the number of samples.
	Count int64 `json:"count"`
	// P50 is the median.
	P50 float64 `json:"p50"`
	// P90 is the 90th percentile.
	P90 float64 `json:"p90"`
	// P99 is the 99th percentile.
	P99 float64 `json:"p99"`
	// P999 is the 99.9th percentile.
	P999 float64 `json:"p999"`
	// Max is the largest sample.
	Max float64 `json:"max"`
	// Mean is the arithmetic mean.
	Mean float64 `json:"mean"`
}
