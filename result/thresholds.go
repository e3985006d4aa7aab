package result

import "fmt"

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
