package plan

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/targets"
)

// Measured is what running a candidate for real found: the scenario (or
// the window of it around its peak) run through runner.Run on the emulated
// stream in virtual time. Its latencies come from the emulated stream's
// service-latency model (targets.SimulatedPutRecordsLatency) plus what the
// run adds itself: batching, in-flight limits, throttles and retries.
type Measured struct {
	// WindowStartS and WindowEndS are the part of the scenario that ran,
	// in seconds from its start.
	WindowStartS int `json:"window_start_s"`
	WindowEndS   int `json:"window_end_s"`
	// ThrottleRatio is throttled record attempts (retries included) over
	// all attempts in the window: the peak's ratio, not the whole run's.
	ThrottleRatio float64 `json:"throttle_ratio"`
	// PutLatencyP99Ms is the p99 record latency: intended send time to
	// acknowledgement, retries and backoff included.
	PutLatencyP99Ms float64 `json:"put_latency_p99_ms"`
	// PutCallP99Ms is the p99 of one PutRecords call.
	PutCallP99Ms float64 `json:"put_call_p99_ms"`
	// EndToEndP99Ms is the p99 intended send time to a consumer's receipt;
	// absent without consumers.
	EndToEndP99Ms *float64 `json:"end_to_end_p99_ms,omitempty"`
	// MaxIteratorAgeMs is the highest MillisBehindLatest a consumer saw.
	MaxIteratorAgeMs *float64 `json:"max_iterator_age_ms,omitempty"`
	// PeakBacklogRecords is the most records acknowledged and not yet read.
	PeakBacklogRecords int64 `json:"peak_backlog_records"`
	// BacklogDrainS is how long after the traffic peak the consumers took
	// to catch up (iterator age under caughtUpMs); absent when they did not
	// within the window or there are no consumers.
	BacklogDrainS *float64 `json:"backlog_drain_s,omitempty"`
	// Drained is false when consumers never caught up within the window.
	Drained bool `json:"drained"`
}

// Measurement defaults.
const (
	// DefaultMeasureWindow is how much of a long scenario the measured
	// runs cover, around its peak: a third before it, the rest after.
	DefaultMeasureWindow = 4 * time.Minute
	// caughtUpMs is the iterator age under which a consumer has caught up.
	caughtUpMs = 1000
	// maxMeasureRounds bounds how many counts above the recommendation are
	// measured when a latency objective fails.
	maxMeasureRounds = 3
)

// measureWindow is the part [start, end) of the scenario the measured
// runs cover: all of it when it is no longer than window, else window
// around the traffic peak.
func (p *planner) measureWindow(peakAt int) (start, end int) {
	w := int(p.window.Seconds())
	if p.t.seconds <= w {
		return 0, p.t.seconds
	}
	start = max(0, peakAt-w/3)
	end = min(p.t.seconds, start+w)
	return end - w, end
}

// windowScenario returns a copy of sc that runs seconds [start, end) of its
// traffic on n emulated shards in virtual time. Outside the whole run,
// each producer's schedule is replaced by one-second ramps through its rate
// at every second (edges inside a second are smoothed over that second).
// Chaos and thresholds are left out: the plan measures capacity.
func (p *planner) windowScenario(sc *scenarios.Scenario, start, end, n int) *scenarios.Scenario {
	run := *sc
	run.Target = scenarios.Target{Kind: scenarios.TargetEmulated, Stream: sc.Target.Stream, Shards: n,
		Mode: scenarios.TargetModeProvisioned, MaxRecordSize: sc.Target.MaxRecordSize}
	if n == 0 {
		run.Target.Mode = scenarios.TargetModeOnDemand
	}
	run.Clock = scenarios.ClockVirtual
	run.Chaos, run.Thresholds = nil, nil
	run.Producers = slices.Clone(sc.Producers)
	if start == 0 && end == p.t.seconds {
		return &run
	}
	run.Duration = scenarios.Duration(time.Duration(end-start) * time.Second)
	for i := range run.Producers {
		pt := p.t.producers[i]
		arrivals := ""
		if pt.poisson {
			arrivals = scenarios.ArrivalsPoisson
		}
		segs := make([]scenarios.RateSegment, 0, end-start)
		for s := start; s < end; s++ {
			from := pt.sched.Rate(time.Duration(s) * time.Second)
			to := pt.sched.Rate(time.Duration(s+1)*time.Second - 1)
			segs = append(segs, scenarios.RateSegment{Ramp: &scenarios.RampShape{From: scenarios.Rate(from), To: scenarios.Rate(to)},
				For: scenarios.Duration(time.Second), Arrivals: arrivals})
		}
		run.Producers[i].Rate = segs
	}
	return &run
}

// runVirtual runs sc through the runner on the emulated stream in virtual
// time, in a temporary run folder, and returns its result.
func runVirtual(ctx context.Context, sc *scenarios.Scenario) (*result.Result, error) {
	clk := targets.NewClock(sc, epoch)
	opened, err := targets.Open(ctx, sc, targets.Options{Clock: clk})
	if err != nil {
		return nil, err
	}
	defer opened.Close()
	dir, err := os.MkdirTemp("", "kinesim-plan-run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var res *result.Result
	clock.Run(clk, func() {
		res, err = runner.Run(ctx, runner.Config{Scenario: sc, Target: opened.Target, Proxy: opened.Proxy, Clock: clk, OutDir: dir})
	})
	if err != nil {
		return nil, fmt.Errorf("measured run on %d shards: %w", sc.Target.Shards, err)
	}
	return res, nil
}

// measure runs n shards over the measurement window.
func (p *planner) measure(ctx context.Context, sc *scenarios.Scenario, n, peakAt int) (*Measured, error) {
	start, end := p.measureWindow(peakAt)
	res, err := runVirtual(ctx, p.windowScenario(sc, start, end, n))
	if err != nil {
		return nil, err
	}
	return measuredOf(res, start, end, peakAt), nil
}

// measuredOf reads a run's result; peakAt is the traffic peak in seconds
// from the scenario's start, start the window's.
func measuredOf(res *result.Result, start, end, peakAt int) *Measured {
	m := &Measured{WindowStartS: start, WindowEndS: end, ThrottleRatio: res.ThrottledRatio,
		PutLatencyP99Ms: res.LatencyMs[metrics.RecordLatency.Name()].P99,
		PutCallP99Ms:    res.LatencyMs[metrics.PutRecordsLatency.Name()].P99}
	e2e, ok := res.LatencyMs[metrics.EndToEndLatency.Name()]
	if !ok || e2e.Count == 0 {
		return m
	}
	m.EndToEndP99Ms = &e2e.P99
	var maxAge float64
	drainAt := -1
	for _, pt := range res.Series {
		m.PeakBacklogRecords = max(m.PeakBacklogRecords, pt.BacklogRecords)
		if pt.IteratorAgeMs == nil {
			continue
		}
		maxAge = max(maxAge, *pt.IteratorAgeMs)
		if drainAt < 0 && start+pt.Second >= peakAt && *pt.IteratorAgeMs < caughtUpMs {
			drainAt = start + pt.Second
		}
	}
	m.MaxIteratorAgeMs = &maxAge
	if drainAt >= 0 {
		d := float64(drainAt - peakAt)
		m.BacklogDrainS, m.Drained = &d, true
	}
	return m
}

// measureCandidates runs the recommended count and the one below it for
// real in virtual time, in parallel, and judges the latency and backlog
// objectives on what they measured. When the recommended count fails one,
// the next counts up are measured (two at a time) until one meets them.
func (p *planner) measureCandidates(ctx context.Context, sc *scenarios.Scenario, res *Result) error {
	counts := []int{res.Recommended}
	if res.Recommended > 1 {
		counts = append(counts, res.Recommended-1)
	}
	for round := 0; ; round++ {
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		for _, n := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := p.measure(ctx, sc, n, res.Traffic.PeakAtS)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				c := p.evaluated[n]
				if c == nil {
					c = p.candidate(evaluate(p.t, n, p.fluidOnly))
					p.evaluated[n] = c
				}
				c.Measured = m
				p.judgeMeasured(c)
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			return errs[0]
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		top := slices.Max(counts)
		if p.evaluated[top].Meets || round == maxMeasureRounds || top+1 > p.obj.MaxShards || !p.obj.hasMeasured() {
			return nil
		}
		counts = []int{top + 1}
		if top+2 <= p.obj.MaxShards {
			counts = append(counts, top+2)
		}
	}
}

// judgeMeasured adds the measured objectives' failures to c.
func (p *planner) judgeMeasured(c *Candidate) {
	m, o := c.Measured, p.obj
	over := func(name string, got *float64, limit float64, unit string) {
		if limit > 0 && got != nil && *got > limit {
			c.Fails = append(c.Fails, fmt.Sprintf("%s %.0f%s > %.0f%s (measured)", name, *got, unit, limit, unit))
		}
	}
	over("p99 put latency", &m.PutLatencyP99Ms, o.MaxPutLatencyP99Ms, "ms")
	over("p99 end-to-end", m.EndToEndP99Ms, o.MaxEndToEndP99Ms, "ms")
	over("max iterator age", m.MaxIteratorAgeMs, o.MaxIteratorAgeMs, "ms")
	if o.MaxBacklogDrainS > 0 && m.EndToEndP99Ms != nil {
		if !m.Drained {
			c.Fails = append(c.Fails, fmt.Sprintf("backlog not drained %ds after the peak (measured)", m.WindowEndS-m.WindowStartS))
		} else {
			over("backlog drain", m.BacklogDrainS, o.MaxBacklogDrainS, "s")
		}
	}
	c.Meets = len(c.Fails) == 0
}
