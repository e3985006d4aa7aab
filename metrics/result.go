package metrics

import (
	"time"

	"github.com/kinesim/kinesim/result"
)

// NewResult fills a Result's measurements from a recorder snapshot; the
// caller sets the run's metadata.
func NewResult(s Snapshot, elapsed time.Duration) *result.Result {
	c := s.Counters
	r := &result.Result{
		SchemaVersion: result.SchemaVersion,
		ElapsedS:      elapsed.Seconds(),
		Totals: result.Totals{
			ProducerTotals:  s.ProducerTotals(),
			RecordsConsumed: c[RecordsConsumed],
			BytesConsumed:   c[BytesConsumed],
			GetRecordsCalls: c[GetRecordsCalls],
			ReadThrottles:   c[ReadThrottles],

			KinesisRecordsConsumed:     c[KinesisRecordsConsumed],
			AggregatesCorrupt:          c[AggregatesCorrupt],
			RecordsFilteredByHashRange: c[RecordsFilteredByHashRange],
			AggregatesNotDeaggregated:  c[AggregatesNotDeaggregated],
		},
		LatencyMs: make(map[string]result.Percentiles, len(s.Latency)),
		Series:    s.Series,
		Files:     map[string]string{},

		Shards:          s.Shards,
		ShardsTruncated: s.ShardsTruncated,
		Consumers:       s.Consumers,
	}
	if r.Series == nil {
		r.Series = []result.SeriesPoint{}
	}
	for m, p := range s.Latency {
		r.LatencyMs[m.Name()] = p
	}
	for m, d := range s.Distribution {
		if len(d) > 0 {
			if r.LatencyDistributionMs == nil {
				r.LatencyDistributionMs = make(map[string][]result.QuantileValue, len(s.Distribution))
			}
			r.LatencyDistributionMs[m.Name()] = d
		}
	}
	r.ThrottledRatio = r.Totals.ThrottledRatio()
	if secs := elapsed.Seconds(); secs > 0 {
		r.Throughput.RecordsAcknowledgedPerS = float64(r.Totals.RecordsAcknowledged) / secs
		r.Throughput.BytesAcknowledgedPerS = float64(r.Totals.BytesAcknowledged) / secs
		r.Throughput.KinesisRecordsAcknowledgedPerS = float64(r.Totals.KinesisRecordsAcknowledged) / secs
		r.Throughput.KinesisBytesAcknowledgedPerS = float64(r.Totals.KinesisBytesAcknowledged) / secs
	}
	r.Throughput.PeakRecordsAcknowledgedPerS = s.PeakRecordsAcknowledgedPerS
	if s.SeriesBucketS > 1 {
		r.SeriesBucketS = s.SeriesBucketS
	}
	if s.ShardsBucketS > 1 && len(s.Shards) > 0 {
		r.ShardsBucketS = s.ShardsBucketS
	}
	return r
}
