package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/kinesim/kinesim/scenarios"
)

// ThresholdAbortError is the cause a run is stopped with when an
// abort_on_fail threshold fails during it (see Recorder.AbortOnFail).
type ThresholdAbortError struct {
	// Threshold is the one that failed.
	Threshold scenarios.Threshold
	// Actual is the value it failed on: the run so far, in the metric's unit.
	Actual float64
	// At is how far into the run (on the run's clock) it was judged.
	At time.Duration
}

// Error reads like "threshold put_latency_ms p(99) < 250 failed: p(99) was
// 312.5, +62.5 (+25.0%) from the limit, after 12s (abort_on_fail)".
func (e *ThresholdAbortError) Error() string {
	tr := ThresholdResult{Actual: &e.Actual, Limit: e.Threshold.Value}
	return fmt.Sprintf("threshold %s %s failed: %s was %s, %s from the limit, after %s (abort_on_fail)",
		e.Threshold.Key(), e.Threshold.Expression, e.Threshold.Aggregate(),
		formatValue(round4(e.Actual)), tr.Excess(), e.At)
}

// abortWatch is the abort_on_fail thresholds of a run and who to tell.
type abortWatch struct {
	thresholds []scenarios.Threshold
	stop       context.CancelCauseFunc
	// fired is the failure that stopped the run; later failures are not judged.
	fired *ThresholdAbortError
}

// AbortOnFail judges the abort_on_fail thresholds among ths at the end of
// every second of the run, on the run so far, once the run is past their
// DelayAbortEval; the first that fails calls stop with a
// *ThresholdAbortError, once. Call it before the run starts; Finish ends it.
//
// Seconds end when the recorder sees the first event of a later second,
// and events carry the run's clock's time, so this works the same on the
// wall clock and on a virtual one (where a ticker on the wall clock would
// judge hours of simulated time at once, or never). An idle second is
// judged with the next event, when nothing it could judge has changed.
// The judging runs under the recorder's lock, once a second, and stop
// must not block (a context.CancelCauseFunc does not).
func (r *Recorder) AbortOnFail(ths []scenarios.Threshold, stop context.CancelCauseFunc) {
	w := &abortWatch{stop: stop}
	for _, th := range ths {
		if th.AbortOnFail {
			w.thresholds = append(w.thresholds, th)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.abort = nil
	if len(w.thresholds) > 0 {
		r.abort = w
	}
}

// AbortedBy returns the abort_on_fail failure that stopped the run, or nil.
func (r *Recorder) AbortedBy() *ThresholdAbortError {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.aborted
}

// judgeAborts judges the abort_on_fail thresholds on the seconds closed so
// far. Callers hold r.mu.
func (r *Recorder) judgeAborts() {
	w := r.abort
	if w == nil || w.fired != nil {
		return
	}
	elapsed := time.Duration(r.current.Second) * time.Second
	for _, th := range w.thresholds {
		if elapsed < th.DelayAbortEval {
			continue
		}
		actual, reason := thresholdActual(th, r.liveSource(th.Producer))
		if reason != "" || th.Holds(actual) {
			continue
		}
		w.fired = &ThresholdAbortError{Threshold: th, Actual: actual, At: elapsed}
		r.aborted = w.fired
		w.stop(w.fired)
		return
	}
}

// liveSource is the run so far, or one producer's share of it. Callers hold r.mu.
func (r *Recorder) liveSource(producer string) thresholdSource {
	if producer == "" {
		return thresholdSource{
			totals:         producerTotals(r.Count),
			throttledRatio: producerTotals(r.Count).throttledRatio(),
			latency:        func(m Metric) Percentiles { return percentilesOf(r.whole[m]) },
			exact:          func(m Metric, q float64) float64 { return float64(r.whole[m].ValueAtQuantile(q)) / 1000 },
			wholeRun:       true,
		}
	}
	s, ok := r.producers[producer]
	if !ok {
		return thresholdSource{missing: "not measured: the producer has not started"}
	}
	totals := producerTotals(func(c Counter) int64 { return s.counters[c].Load() })
	return thresholdSource{
		totals:         totals,
		throttledRatio: totals.throttledRatio(),
		latency: func(m Metric) Percentiles {
			if s.latency[m] == nil {
				return Percentiles{}
			}
			return percentilesOf(s.latency[m])
		},
		exact: func(m Metric, q float64) float64 { return float64(s.latency[m].ValueAtQuantile(q)) / 1000 },
	}
}

// producerPercentile is the q-th percentile of a producer's tracked
// latency so far; 0 when it is not tracked.
func (r *Recorder) producerPercentile(producer string, m Metric, q float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.producers[producer]
	if !ok || s.latency[m] == nil {
		return 0
	}
	return time.Duration(s.latency[m].ValueAtQuantile(q)) * time.Microsecond
}
