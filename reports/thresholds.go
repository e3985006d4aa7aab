package reports

import (
	"fmt"
	"slices"
	"time"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

// latencyThresholdMetrics maps a threshold's metric name to the recorder's.
var latencyThresholdMetrics = map[string]metrics.Metric{
	scenarios.MetricPutLatency:    metrics.PutRecordsLatency,
	scenarios.MetricRecordLatency: metrics.RecordLatency,
	scenarios.MetricSendDelay:     metrics.SendDelay,
	// Measured by the built-in consumers; skipped as "no samples" without them.
	scenarios.MetricEndToEndLatency: metrics.EndToEndLatency,
}

// JudgeThresholds judges each threshold against r. rec, when not nil, is
// the run's recorder: it answers any p(N) exactly. Without it (re-judging a
// result.json) p(N) is answered only for the percentiles result.json keeps
// (50, 90, 99, 99.9 and those of latency_distribution_ms), others are skipped.
// A threshold with a producer is judged on that producer's section of
// producers[]. aborted, when not nil, is the abort_on_fail threshold that
// stopped the run (AbortWatch.AbortedBy): it is marked Aborted and failed
// with the value it failed on.
func JudgeThresholds(ths []scenarios.Threshold, r *result.Result, rec *metrics.Recorder, aborted *ThresholdAbortError) []result.ThresholdResult {
	out := make([]result.ThresholdResult, 0, len(ths))
	for _, th := range ths {
		tr := result.ThresholdResult{Metric: th.Key(), Producer: th.Producer, Expression: th.Expression, Limit: th.Value}
		actual, reason := thresholdActual(th, resultSource(th.Producer, r, rec))
		switch {
		case aborted != nil && aborted.Threshold.Key() == th.Key() && aborted.Threshold.Expression == th.Expression:
			tr.Actual, tr.Aborted = &aborted.Actual, true
		case reason != "":
			tr.Skipped, tr.Reason = true, reason
		default:
			tr.Actual = &actual
			tr.OK = th.Holds(actual)
		}
		out = append(out, tr)
	}
	return out
}

// thresholdSource holds what a threshold is judged on: the whole run's
// values or one producer's, from a result.json or live from a recorder.
type thresholdSource struct {
	totals         result.ProducerTotals
	throttledRatio float64
	// missing, when set, says why nothing can be judged (a producer
	// result.json has no section for).
	missing string
	// latency returns a metric's percentiles; Count is 0 without samples.
	latency func(metrics.Metric) result.Percentiles
	// exact answers any p(N) in ms when a recorder is at hand; nil otherwise.
	exact func(metrics.Metric, float64) float64
	// distribution and verification are the whole run's (nil for a producer).
	distribution map[string][]result.QuantileValue
	verification *result.Verification
	wholeRun     bool
}

// resultSource is the whole run's values in r, or producer's; rec, when
// not nil, answers percentiles exactly.
func resultSource(producer string, r *result.Result, rec *metrics.Recorder) thresholdSource {
	if producer == "" {
		src := thresholdSource{
			totals: r.Totals.ProducerTotals, throttledRatio: r.ThrottledRatio, wholeRun: true,
			latency:      func(m metrics.Metric) result.Percentiles { return r.LatencyMs[m.Name()] },
			distribution: r.LatencyDistributionMs, verification: r.Verification,
		}
		if rec != nil {
			src.exact = func(m metrics.Metric, q float64) float64 { return millis(rec.Percentile(m, q)) }
		}
		return src
	}
	i := slices.IndexFunc(r.Producers, func(p result.ProducerInfo) bool { return p.Name == producer })
	if i < 0 || r.Producers[i].Totals == nil {
		return thresholdSource{missing: fmt.Sprintf("not measured: result.json has no totals for producer %q", producer)}
	}
	p := r.Producers[i]
	src := thresholdSource{totals: *p.Totals, throttledRatio: p.Totals.ThrottledRatio(),
		latency: func(m metrics.Metric) result.Percentiles { return p.LatencyMs[m.Name()] }}
	if rec != nil {
		src.exact = func(m metrics.Metric, q float64) float64 { return millis(rec.ProducerPercentile(producer, m, q)) }
	}
	return src
}

// millis is d in milliseconds, to the microsecond the histograms keep.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// thresholdActual returns the value a threshold compares, or why there is none.
func thresholdActual(th scenarios.Threshold, src thresholdSource) (float64, string) {
	if src.missing != "" {
		return 0, src.missing
	}
	t := src.totals
	switch th.Metric {
	case scenarios.MetricThrottledRatio:
		return src.throttledRatio, ""
	case scenarios.MetricRecordsDeadLettered:
		return float64(t.RecordsDeadLettered), ""
	case scenarios.MetricRecordsThrottled:
		return float64(t.RecordsThrottled), ""
	case scenarios.MetricRecordsFailed:
		return float64(t.RecordsFailed), ""
	case scenarios.MetricRecordsUnfinished:
		return float64(t.RecordsUnfinished), ""
	case scenarios.MetricPutCallErrors:
		return float64(t.PutCallErrors), ""
	case scenarios.MetricLostRecords:
		// The most any one consumer lost: each must get every record.
		if src.verification == nil || len(src.verification.Consumers) == 0 {
			return 0, "not measured: the run has no consumers to verify"
		}
		var lost int64
		for _, c := range src.verification.Consumers {
			lost = max(lost, c.Lost)
		}
		return float64(lost), ""
	}
	m, ok := latencyThresholdMetrics[th.Metric]
	if !ok {
		return 0, "not measured: unknown metric"
	}
	p := src.latency(m)
	if p.Count == 0 {
		if !src.wholeRun {
			return 0, "not measured: no samples, or the producer's latency was not tracked"
		}
		return 0, "not measured: no samples"
	}
	switch th.Aggregation {
	case "avg":
		return p.Mean, ""
	case "max":
		return p.Max, ""
	case "med":
		th.Percentile = 50
	case "min":
		th.Percentile = 0
	}
	if src.exact != nil {
		return src.exact(m, th.Percentile), ""
	}
	for _, q := range src.distribution[m.Name()] {
		if q.Percentile == th.Percentile {
			return q.ValueMs, ""
		}
	}
	switch th.Percentile {
	case 50:
		return p.P50, ""
	case 90:
		return p.P90, ""
	case 99:
		return p.P99, ""
	case 99.9:
		return p.P999, ""
	}
	return 0, fmt.Sprintf("not available: result.json keeps no %s of %s", th.Aggregate(), th.Key())
}
