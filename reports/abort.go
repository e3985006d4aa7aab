package reports

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

// ThresholdAbortError is the cause a run is stopped with when an
// abort_on_fail threshold fails during it (see WatchAborts).
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
	tr := result.ThresholdResult{Actual: &e.Actual, Limit: e.Threshold.Value}
	return fmt.Sprintf("threshold %s %s failed: %s was %s, %s from the limit, after %s (abort_on_fail)",
		e.Threshold.Key(), e.Threshold.Expression, e.Threshold.Aggregate(),
		formatValue(round4(e.Actual)), tr.Excess(), e.At)
}

// AbortWatch judges a run's abort_on_fail thresholds at the end of each of
// its seconds (WatchAborts). Safe for concurrent use.
type AbortWatch struct {
	thresholds []scenarios.Threshold
	stop       context.CancelCauseFunc

	mu sync.Mutex
	// judged is the latest second judged: a second closed on another
	// goroutine and handed over late is not judged after a later one.
	judged time.Duration
	// fired is the failure that stopped the run; later failures are not judged.
	fired *ThresholdAbortError
}

// WatchAborts subscribes to rec's seconds (Recorder.OnSecond) and judges
// the abort_on_fail thresholds among ths at the end of every second of the
// run, on the run so far, once the run is past their DelayAbortEval; the
// first that fails calls stop with a *ThresholdAbortError, once. Call it
// before the run starts; rec.Finish ends it. An idle second is judged with
// the next event, when nothing it could judge has changed. stop must not
// block (a context.CancelCauseFunc does not). Without abort_on_fail
// thresholds it subscribes nothing.
func WatchAborts(rec *metrics.Recorder, ths []scenarios.Threshold, stop context.CancelCauseFunc) *AbortWatch {
	w := &AbortWatch{stop: stop}
	for _, th := range ths {
		if th.AbortOnFail {
			w.thresholds = append(w.thresholds, th)
		}
	}
	if len(w.thresholds) > 0 {
		rec.OnSecond(w.judge)
	}
	return w
}

// AbortedBy returns the abort_on_fail failure that stopped the run, or nil
// (also for a nil AbortWatch).
func (w *AbortWatch) AbortedBy() *ThresholdAbortError {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fired
}

// judge judges the abort_on_fail thresholds on the run so far.
func (w *AbortWatch) judge(s metrics.Snapshot) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fired != nil || s.Elapsed < w.judged {
		return
	}
	w.judged = s.Elapsed
	for _, th := range w.thresholds {
		if s.Elapsed < th.DelayAbortEval {
			continue
		}
		actual, reason := thresholdActual(th, liveSource(s, th.Producer))
		if reason != "" || th.Holds(actual) {
			continue
		}
		w.fired = &ThresholdAbortError{Threshold: th, Actual: actual, At: s.Elapsed}
		w.stop(w.fired)
		return
	}
}

// liveSource is the run so far in s, or one producer's share of it.
func liveSource(s metrics.Snapshot, producer string) thresholdSource {
	if producer == "" {
		totals := s.ProducerTotals()
		return thresholdSource{
			totals:         totals,
			throttledRatio: totals.ThrottledRatio(),
			latency:        func(m metrics.Metric) result.Percentiles { return s.Latency[m] },
			exact:          func(m metrics.Metric, q float64) float64 { return millis(s.Quantile(m, q)) },
			wholeRun:       true,
		}
	}
	p, ok := s.Producers[producer]
	if !ok {
		return thresholdSource{missing: "not measured: the producer has not started"}
	}
	return thresholdSource{
		totals:         p.Totals,
		throttledRatio: p.Totals.ThrottledRatio(),
		latency:        func(m metrics.Metric) result.Percentiles { return p.Latency[m] },
		exact: func(m metrics.Metric, q float64) float64 {
			return millis(s.ProducerQuantile(producer, m, q))
		},
	}
}
