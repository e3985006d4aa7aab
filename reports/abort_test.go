package reports

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/scenarios"
)

func abortThreshold(t *testing.T, key, expr string, delay time.Duration) scenarios.Threshold {
	t.Helper()
	th, err := scenarios.ParseThreshold(key, expr)
	require.NoError(t, err)
	th.AbortOnFail, th.DelayAbortEval = true, delay
	return th
}

// The watcher judges at the end of each of the run's seconds, from the
// events' own times: the same on a wall clock and a virtual one, so these
// tests need no clock at all.
func TestAbortOnFail(t *testing.T) {
	tests := []struct {
		name      string
		threshold scenarios.Threshold
		// slowFrom is the first second of bikes' slow records (500 ms);
		// each of the 20 seconds gets one record of bikes.
		slowFrom int
		// logsSlow gives the producer logs 600 ms records from second 1.
		logsSlow bool
		wantAt   time.Duration // 0 when the run must not be stopped
	}{
		// Slow from second 3: judged at the end of second 3, seen when second 4 starts.
		{"fails", abortThreshold(t, "record_latency_ms", "max < 250", 0), 3, false, 4 * time.Second},
		// delay_abort_eval holds judging back until 10s of the run.
		{"delayed", abortThreshold(t, "record_latency_ms", "max < 250", 10*time.Second), 3, false, 10 * time.Second},
		// A threshold that holds never stops the run.
		{"holds", abortThreshold(t, "record_latency_ms", "max < 1000", 0), 3, false, 0},
		// A producer's threshold looks at its own latency only, not logs' slower one.
		{"per producer", abortThreshold(t, "record_latency_ms{producer:bikes}", "max < 250", 0), 5, true, 6 * time.Second},
		// A counter of the run so far.
		{"counter", abortThreshold(t, "records_throttled", "count < 3", 0), 0, false, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Unix(0, 0)
			rec := metrics.NewRecorder(start)
			rec.TrackProducerLatency("bikes")
			bikes, logs := rec.ForProducer("bikes"), rec.ForProducer("logs")
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			// Failing from the first second, but not abort_on_fail: judged only at the end.
			passive, err := scenarios.ParseThreshold("records_throttled", "count < 0")
			require.NoError(t, err)
			w := WatchAborts(rec, []scenarios.Threshold{passive, tt.threshold}, cancel)
			for sec := range 20 {
				at := start.Add(time.Duration(sec)*time.Second + time.Millisecond)
				if tt.logsSlow && sec > 0 {
					logs.Observe(metrics.RecordLatency, at, 600*time.Millisecond)
				}
				latency := 5 * time.Millisecond
				if sec >= tt.slowFrom && tt.slowFrom > 0 {
					latency = 500 * time.Millisecond
				}
				bikes.Observe(metrics.RecordLatency, at, latency)
				bikes.Add(metrics.RecordsThrottled, 1, at)
			}
			cause := context.Cause(ctx)
			if tt.wantAt == 0 {
				assert.NoError(t, cause, "the run goes on")
				assert.Nil(t, w.AbortedBy())
				return
			}
			var abort *ThresholdAbortError
			require.True(t, errors.As(cause, &abort), "the cause names the threshold: %v", cause)
			assert.Equal(t, tt.wantAt, abort.At)
			assert.Equal(t, tt.threshold.Key(), abort.Threshold.Key(), "only abort_on_fail thresholds stop a run")
			assert.Same(t, abort, w.AbortedBy())
		})
	}
}

func TestAbortErrorAndJudgedResult(t *testing.T) {
	th := abortThreshold(t, "put_latency_ms", "p(99) < 250", 0)
	err := &ThresholdAbortError{Threshold: th, Actual: 312.5, At: 12 * time.Second}
	assert.Equal(t, "threshold put_latency_ms p(99) < 250 failed: p(99) was 312.5, +62.5 (+25.0%) from the limit, after 12s (abort_on_fail)", err.Error())

	start := time.Unix(0, 0)
	rec := metrics.NewRecorder(start)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	w := WatchAborts(rec, []scenarios.Threshold{th}, cancel)
	rec.Observe(metrics.PutRecordsLatency, start, 400*time.Millisecond)
	rec.Observe(metrics.PutRecordsLatency, start.Add(time.Second), time.Millisecond)
	require.Error(t, context.Cause(ctx))
	// Later fast calls bring the whole run's p(99) under the limit...
	for range 500 {
		rec.Observe(metrics.PutRecordsLatency, start.Add(time.Second), time.Millisecond)
	}
	res := metrics.NewResult(rec.Finish(start.Add(2*time.Second)), 2*time.Second)
	got := JudgeThresholds([]scenarios.Threshold{th}, res, rec, w.AbortedBy())[0]
	// ...but the threshold that stopped the run stays failed, with the value it failed on.
	assert.True(t, got.Aborted)
	assert.True(t, got.Failed())
	assert.InDelta(t, 400, *got.Actual, 1)
}

func TestFinishEndsAbortJudging(t *testing.T) {
	start := time.Unix(0, 0)
	rec := metrics.NewRecorder(start)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	WatchAborts(rec, []scenarios.Threshold{abortThreshold(t, "put_latency_ms", "max < 1", 0)}, cancel)
	rec.Finish(start)
	rec.Observe(metrics.PutRecordsLatency, start, time.Second)
	rec.Observe(metrics.PutRecordsLatency, start.Add(3*time.Second), time.Second)
	assert.NoError(t, context.Cause(ctx), "a finished run is not stopped")
}
