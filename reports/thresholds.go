package reports

import (
	"fmt"

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
	// Metric is the thresholded metric, e.g. put_latency_ms.
	Metric string `json:"metric"`
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
func JudgeThresholds(ths []scenarios.Threshold, r *Result, rec *Recorder) []ThresholdResult {
	out := make([]ThresholdResult, 0, len(ths))
	for _, th := range ths {
		tr := ThresholdResult{Metric: th.Metric, Expression: th.Expression, Limit: th.Value}
		actual, reason := thresholdActual(th, r, rec)
		if reason != "" {
			tr.Skipped, tr.Reason = true, reason
		} else {
			tr.Actual = &actual
			tr.OK = th.Holds(actual)
		}
		out = append(out, tr)
	}
	return out
}

// thresholdActual returns the value a threshold compares, or why there is none.
func thresholdActual(th scenarios.Threshold, r *Result, rec *Recorder) (float64, string) {
	t := r.Totals
	switch th.Metric {
	case "throttled_ratio":
		return r.ThrottledRatio, ""
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
		if r.Verification == nil || len(r.Verification.Consumers) == 0 {
			return 0, "not measured: the run has no consumers to verify"
		}
		var lost int64
		for _, c := range r.Verification.Consumers {
			lost = max(lost, c.Lost)
		}
		return float64(lost), ""
	}
	m, ok := latencyThresholdMetrics[th.Metric]
	if !ok {
		return 0, "not measured: unknown metric"
	}
	p := r.LatencyMs[m.Name()]
	if p.Count == 0 {
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
	if rec != nil {
		return float64(rec.Percentile(m, th.Percentile).Microseconds()) / 1000, ""
	}
	for _, q := range r.LatencyDistributionMs[m.Name()] {
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
	return 0, fmt.Sprintf("not available: result.json keeps no %s of %s", th.Aggregate(), th.Metric)
}
