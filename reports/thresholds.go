package reports

import (
	"fmt"
	"slices"
	"time"

	"github.com/kinesim/kinesim/scenarios"
)

// ThresholdResult is one judged threshold in result.json.
//
// A threshold on a metric this run did not measure (lost_records or
// end_to_end_latency_ms in a run without consumers, any latency with no
// samples) is
// Skipped: it neither passes nor fails the run, and every summary lists it as
// "not measured" so nobody mistakes it for a pass. Failing it instead would
// make every scenario that declares it fail for a reason the user cannot fix.
type ThresholdResult struct {
	// Metric is the thresholded metric as the scenario names it, e.g.
	// put_latency_ms, or put_latency_ms{producer:bikes} for one producer.
	Metric string `json:"metric"`
	// Producer is the producer the threshold is narrowed to; absent for the whole run.
	Producer string `json:"producer,omitempty"`
	// Expression is as written in the scenario, e.g. "p(99) < 250".
	Expression string `json:"expression"`
	// Actual is the measured value the expression was judged on; null when skipped.
	Actual *float64 `json:"actual"`
	// OK is true when the expression held.
	OK bool `json:"ok"`
	// Skipped is true when the metric was not measured; Reason says why.
	Skipped bool `json:"skipped,omitempty"`
	// Reason says why a threshold was skipped.
	Reason string `json:"reason,omitempty"`
	// Aborted is true for the abort_on_fail threshold that stopped the
	// run; Actual is then the value it failed on, during the run.
	Aborted bool `json:"aborted,omitempty"`
	// Limit is the expression's right-hand side, kept so reports can say by
	// how much a threshold failed without parsing it again.
	Limit float64 `json:"limit"`
}

// Failed reports whether the threshold was judged and did not hold.
func (t ThresholdResult) Failed() bool { return !t.OK && !t.Skipped }

// Excess says by how much a failed threshold missed, e.g. "+62.4 (+25.0%)";
// "" when it passed or was skipped.
func (t ThresholdResult) Excess() string {
	if !t.Failed() || t.Actual == nil {
		return ""
	}
	d := *t.Actual - t.Limit
	if t.Limit == 0 {
		return fmt.Sprintf("%+.4g", d)
	}
	return fmt.Sprintf("%+.4g (%+.1f%%)", d, 100*d/t.Limit)
}

// ThresholdsFailed counts the thresholds judged and failed.
func (r *Result) ThresholdsFailed() int {
	n := 0
	for _, t := range r.Thresholds {
		if t.Failed() {
			n++
		}
	}
	return n
}

// latencyThresholdMetrics maps a threshold's metric name to the recorder's.
var latencyThresholdMetrics = map[string]Metric{
	"put_latency_ms":    PutRecordsLatency,
	"record_latency_ms": RecordLatency,
	"send_delay_ms":     SendDelay,
	// Measured by the built-in consumers; skipped as "no samples" without them.
	"end_to_end_latency_ms": EndToEndLatency,
}

// JudgeThresholds judges each threshold against r. rec, when not nil, is
// the run's recorder: it answers any p(N) exactly. Without it (re-judging a
// result.json) p(N) is answered only for the percentiles result.json keeps
// (50, 90, 99, 99.9 and those of latency_distribution_ms), others are skipped.
// A threshold with a producer is judged on that producer's section of
// producers[]. The abort_on_fail threshold that stopped the run (see
// Recorder.AbortOnFail) is marked Aborted and failed with the value it
// failed on.
func JudgeThresholds(ths []scenarios.Threshold, r *Result, rec *Recorder) []ThresholdResult {
	var aborted *ThresholdAbortError
	if rec != nil {
		aborted = rec.AbortedBy()
	}
	out := make([]ThresholdResult, 0, len(ths))
	for _, th := range ths {
		tr := ThresholdResult{Metric: th.Key(), Producer: th.Producer, Expression: th.Expression, Limit: th.Value}
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
	totals         ProducerTotals
	throttledRatio float64
	// missing, when set, says why nothing can be judged (a producer
	// result.json has no section for).
	missing string
	// latency returns a metric's percentiles; Count is 0 without samples.
	latency func(Metric) Percentiles
	// exact answers any p(N) in ms when a recorder is at hand; nil otherwise.
	exact func(Metric, float64) float64
	// distribution and verification are the whole run's (nil for a producer).
	distribution map[string][]QuantileValue
	verification *Verification
	wholeRun     bool
}

// resultSource is the whole run's values in r, or producer's; rec, when
// not nil, answers percentiles exactly.
func resultSource(producer string, r *Result, rec *Recorder) thresholdSource {
	if producer == "" {
		src := thresholdSource{
			totals: r.Totals.ProducerTotals, throttledRatio: r.ThrottledRatio, wholeRun: true,
			latency:      func(m Metric) Percentiles { return r.LatencyMs[m.Name()] },
			distribution: r.LatencyDistributionMs, verification: r.Verification,
		}
		if rec != nil {
			src.exact = func(m Metric, q float64) float64 { return millis(rec.Percentile(m, q)) }
		}
		return src
	}
	i := slices.IndexFunc(r.Producers, func(p ProducerInfo) bool { return p.Name == producer })
	if i < 0 || r.Producers[i].Totals == nil {
		return thresholdSource{missing: fmt.Sprintf("not measured: result.json has no totals for producer %q", producer)}
	}
	p := r.Producers[i]
	src := thresholdSource{totals: *p.Totals, throttledRatio: p.Totals.throttledRatio(),
		latency: func(m Metric) Percentiles { return p.LatencyMs[m.Name()] }}
	if rec != nil {
		src.exact = func(m Metric, q float64) float64 { return millis(rec.producerPercentile(producer, m, q)) }
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
	case "throttled_ratio":
		return src.throttledRatio, ""
	case "records_dead_lettered":
		return float64(t.RecordsDeadLettered), ""
	case "records_throttled":
		return float64(t.RecordsThrottled), ""
	case "records_failed":
		return float64(t.RecordsFailed), ""
	case "records_unfinished":
		return float64(t.RecordsUnfinished), ""
	case "put_call_errors":
		return float64(t.PutCallErrors), ""
	case "lost_records":
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
