// Package plan sizes a Kinesis stream for a scenario: it finds the fewest
// shards (and says whether on-demand mode would do) that meet the
// scenario's objectives — a write throttle ratio, headroom at the peak, and
// the read limits of its polling consumers — and prices every candidate.
// It answers from the scenario's own traffic: its rate schedules, record
// sizes and partition keys, so hot keys and bursts count, not only the
// average that sizing formulas assume.
//
// # The simulator
//
// Plan compiles each producer as the runner does (same seeds, generator,
// key chooser and schedule), measures record sizes and key shares from the
// records the generator makes, routes keys by MD5 over N even hash key
// ranges, and runs each shard's write limits as two token buckets (1 MiB/s
// and 1,000 records/s, each holding one second's worth, the emulator's
// default). It needs no clock: it walks the schedule second by second,
// single-threaded and deterministic. Candidate shard counts are simulated
// in parallel, one goroutine each.
//
// Two models share the walk. In the busiest seconds, up to a budget of
// records (WithRecordBudget, default 2,000,000), every record is made and
// routed and the buckets are run per record, as the emulator runs them.
// Elsewhere a fluid model runs each shard's buckets once a second on the
// records and bytes due in it (Schedule.Due) times the shard's share of the
// keys and the mean record size: a bucket at level L refilled at c admits
// min(d, L + c) of a demand d.
//
// # The coarse model's error bound
//
// The fluid model is exact for its expected load; what it misses is the
// randomness of which records land on a shard. In a second where a shard's
// load λ (records, or bytes with per-second variance λ·E[size²]) peaks at
// p < c, the random excess over any horizon T, four standard deviations of
// it, is at most 4·sqrt(λT) − (c−p)T ≤ 4λ/(c−p); when that fits in the
// bucket's level the second is safe: neither model throttles there, short
// of a 4σ event. In the other seconds simulated by the fluid model, the
// throttle count is taken to be off by at most 4·sqrt(λ) records a shard
// and second. Each candidate reports that sum as CoarseErrorBound (a
// throttle ratio); it is 0 when the per-record windows cover every
// unsafe second, as they do for scenarios within the budget.
// TestFluidModelWithinBound checks the bound against the per-record
// simulation.
//
// What neither model does: batching (records are written at their intended
// times, not grouped by linger), retries (the throttle ratio is of first
// attempts) and on-demand scaling in time (on-demand is judged at steady
// state: its capacity follows twice the previous peak, so only the per-key
// limits bind).
//
// Concurrency: Plan is safe for concurrent use; each call owns its state.
package plan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/kinesim/kinesim/pricing"
	"github.com/kinesim/kinesim/scenarios"
)

// Defaults of the objectives and the search.
const (
	DefaultMaxWriteThrottleRatio = 0.001
	DefaultHeadroom              = 0.0
	DefaultMaxShards             = 200
	DefaultRecordBudget          = 2_000_000
)

// MaxDuration is the longest scenario Plan sizes for, and MaxDurationReason
// why: a plan holds its traffic second by second, about 100 bytes per
// simulated second (720h of one producer peaked at 267 MB RSS with
// --no-measure), so 45 days take about 420 MB. `kinesim plan` validates
// duration against it (scenarios.WithMaxDuration), so a longer one fails
// at its line in the file.
const (
	MaxDuration       = 45 * 24 * time.Hour
	MaxDurationReason = "kinesim plan holds its traffic second by second (about 100 bytes each); " +
		"plan a representative stretch, such as a day or a week, and set objectives.represents for the monthly cost"
)

// Objectives are what every candidate must meet.
type Objectives struct {
	// MaxWriteThrottleRatio is the largest share of first write attempts
	// that may be throttled (0.001 = 0.1%).
	MaxWriteThrottleRatio float64 `json:"max_write_throttle_ratio"`
	// Headroom is the share of each shard's write and read limits left
	// unused at the peak (0.3 = 30%).
	Headroom float64 `json:"headroom"`
	// MaxShards is the most shards tried.
	MaxShards int `json:"max_shards"`
	// The measured objectives, judged on runs in virtual time (Measured);
	// 0 is none. MaxPutLatencyP99Ms is the p99 record latency (intended
	// send to acknowledgement), MaxEndToEndP99Ms the p99 intended send to
	// a consumer's receipt, MaxIteratorAgeMs the highest iterator age and
	// MaxBacklogDrainS how long after the peak consumers may take to
	// catch up.
	MaxPutLatencyP99Ms float64 `json:"max_put_latency_p99_ms,omitempty"`
	MaxEndToEndP99Ms   float64 `json:"max_end_to_end_p99_ms,omitempty"`
	MaxIteratorAgeMs   float64 `json:"max_iterator_age_ms,omitempty"`
	MaxBacklogDrainS   float64 `json:"max_backlog_drain_s,omitempty"`
}

// hasMeasured reports whether an objective is judged on measured runs.
func (o Objectives) hasMeasured() bool {
	return o.MaxPutLatencyP99Ms > 0 || o.MaxEndToEndP99Ms > 0 || o.MaxIteratorAgeMs > 0 || o.MaxBacklogDrainS > 0
}

// ObjectivesOf returns the scenario's objectives, defaults filled in.
func ObjectivesOf(sc *scenarios.Scenario) Objectives {
	o := Objectives{MaxWriteThrottleRatio: DefaultMaxWriteThrottleRatio, Headroom: DefaultHeadroom, MaxShards: DefaultMaxShards}
	if so := sc.Objectives; so != nil {
		if so.MaxWriteThrottleRatio != nil {
			o.MaxWriteThrottleRatio = *so.MaxWriteThrottleRatio
		}
		if so.Headroom != nil {
			o.Headroom = *so.Headroom
		}
		if so.MaxShards > 0 {
			o.MaxShards = so.MaxShards
		}
		ms := func(d scenarios.Duration) float64 { return float64(d.D()) / float64(time.Millisecond) }
		o.MaxPutLatencyP99Ms = ms(so.MaxPutLatencyP99)
		o.MaxEndToEndP99Ms = ms(so.MaxEndToEndP99)
		o.MaxIteratorAgeMs = ms(so.MaxIteratorAge)
		o.MaxBacklogDrainS = so.MaxBacklogDrain.D().Seconds()
	}
	return o
}

// Option configures Plan.
type Option func(*config)

type config struct {
	objectives   *Objectives
	prices       *pricing.Prices
	workers      int
	recordBudget int
	measure      bool
	window       time.Duration
}

// WithObjectives replaces the scenario's objectives. Default: ObjectivesOf(sc).
func WithObjectives(o Objectives) Option { return func(c *config) { c.objectives = &o } }

// WithPrices prices the candidates with p. Default: pricing.Default().
func WithPrices(p *pricing.Prices) Option { return func(c *config) { c.prices = p } }

// WithWorkers sets how many shard counts are simulated at once.
// Default: runtime.GOMAXPROCS(0).
func WithWorkers(n int) Option { return func(c *config) { c.workers = max(n, 1) } }

// WithRecordBudget sets how many records the per-record simulation makes,
// in the busiest seconds; 0 uses the fluid model everywhere.
// Default: DefaultRecordBudget.
func WithRecordBudget(n int) Option { return func(c *config) { c.recordBudget = max(n, 0) } }

// WithMeasuredRuns turns the measured runs on or off: the recommended
// count and the one below it run for real through runner.Run on the
// emulated stream in virtual time, over window of the scenario around its
// peak (all of it when it is shorter), to measure latency and backlog
// (Candidate.Measured). Default: on, DefaultMeasureWindow.
func WithMeasuredRuns(on bool, window time.Duration) Option {
	return func(c *config) {
		c.measure = on
		if window > 0 {
			c.window = window
		}
	}
}

// ErrBadObjectives is wrapped by Plan's errors about objectives.
var ErrBadObjectives = errors.New("bad objectives")

// Plan sizes the stream for sc, which must be valid (scenarios.Load or
// Validate). It blocks until every candidate is simulated or ctx ends.
func Plan(ctx context.Context, sc *scenarios.Scenario, opts ...Option) (*Result, error) {
	cfg := config{workers: runtime.GOMAXPROCS(0), recordBudget: DefaultRecordBudget, measure: true, window: DefaultMeasureWindow}
	for _, opt := range opts {
		opt(&cfg)
	}
	if sc.Duration.D() > MaxDuration {
		return nil, &scenarios.Error{File: sc.File, Field: "duration",
			Message: fmt.Sprintf("%v is over the limit of %v: %s", sc.Duration, scenarios.Duration(MaxDuration), MaxDurationReason)}
	}
	obj := ObjectivesOf(sc)
	if cfg.objectives != nil {
		obj = *cfg.objectives
	}
	switch {
	case !(obj.MaxWriteThrottleRatio >= 0 && obj.MaxWriteThrottleRatio <= 1):
		return nil, fmt.Errorf("%w: max write throttle ratio %v; use 0..1, e.g. 0.001", ErrBadObjectives, obj.MaxWriteThrottleRatio)
	case !(obj.Headroom >= 0 && obj.Headroom < 1):
		return nil, fmt.Errorf("%w: headroom %v; use 0 up to under 1, e.g. 0.3", ErrBadObjectives, obj.Headroom)
	case obj.MaxShards < 1 || obj.MaxShards > scenarios.MaxShards:
		return nil, fmt.Errorf("%w: max shards %d; use 1..%d", ErrBadObjectives, obj.MaxShards, scenarios.MaxShards)
	case obj.MaxPutLatencyP99Ms < 0 || obj.MaxEndToEndP99Ms < 0 || obj.MaxIteratorAgeMs < 0 || obj.MaxBacklogDrainS < 0:
		return nil, fmt.Errorf("%w: a latency or backlog objective is negative; use 0 for none", ErrBadObjectives)
	case obj.hasMeasured() && !cfg.measure:
		return nil, fmt.Errorf("%w: latency and backlog objectives are judged on measured runs; turn them on", ErrBadObjectives)
	case (obj.MaxEndToEndP99Ms > 0 || obj.MaxIteratorAgeMs > 0 || obj.MaxBacklogDrainS > 0) && len(sc.Consumers) == 0:
		return nil, fmt.Errorf("%w: end-to-end, iterator age and backlog objectives need a consumer in the scenario", ErrBadObjectives)
	}
	prices := cfg.prices
	if prices == nil {
		prices = pricing.Default()
	}
	t, err := newTraffic(sc, cfg.recordBudget)
	if err != nil {
		return nil, err
	}
	p := &planner{t: t, obj: obj, prices: prices, workers: cfg.workers, fluidOnly: cfg.recordBudget == 0,
		evaluated: map[int]*Candidate{}, months: monthsOf(sc), window: cfg.window,
		splitDelay: onDemandSplitDelay}
	p.hot, p.keyPeak = keyLoads(t)
	res := p.summarize(sc)
	res.Blockers = p.blockers()
	if err := p.search(ctx); err != nil {
		return nil, err
	}
	res.Recommended = p.smallestMeeting()
	if cfg.measure && res.Recommended > 0 {
		if err := p.measureCandidates(ctx, sc, res); err != nil {
			return nil, err
		}
		res.Model.MeasureWindowS = min(int(p.window.Seconds()), p.t.seconds)
		res.Recommended = p.smallestMeeting()
	}
	for _, c := range p.evaluated {
		res.Candidates = append(res.Candidates, *c)
	}
	sort.Slice(res.Candidates, func(i, j int) bool { return res.Candidates[i].Shards < res.Candidates[j].Shards })
	res.OnDemand = p.onDemand()
	if res.Aggregation, err = p.aggregation(ctx, sc, cfg, obj, res.Recommended); err != nil {
		return nil, err
	}
	res.Advice = p.advice(res)
	if res.Aggregation != nil {
		res.Advice = append(res.Advice, res.Aggregation.text(res.Recommended)+".")
	}
	return res, nil
}

// planner holds one Plan's state.
type planner struct {
	t         *traffic
	obj       Objectives
	prices    *pricing.Prices
	workers   int
	fluidOnly bool
	window    time.Duration // of the measured runs
	// splitDelay is how long an on-demand shard must be busy to split.
	splitDelay time.Duration
	months     float64 // how many scenarios make a month of traffic
	hot        []HotKey
	keyPeak    map[int32]float64

	mu        sync.Mutex
	evaluated map[int]*Candidate
}

// hoursPerMonth is AWS's billing month.
const hoursPerMonth = 730

// monthsOf says how many times the scenario's traffic fits in a month:
// the scenario stands for objectives.represents of real time, by default
// its duration times the largest time_scale of its rate segments.
func monthsOf(sc *scenarios.Scenario) float64 {
	represents := sc.Duration.D()
	if sc.Objectives != nil && sc.Objectives.Represents > 0 {
		represents = sc.Objectives.Represents.D()
	} else {
		scale := 1.0
		for _, p := range sc.Producers {
			for _, seg := range p.Rate {
				switch {
				case seg.Diurnal != nil && seg.Diurnal.TimeScale > 0:
					scale = max(scale, seg.Diurnal.TimeScale)
				case seg.Sine != nil && seg.Sine.TimeScale > 0:
					scale = max(scale, seg.Sine.TimeScale)
				case seg.Trace != nil && seg.Trace.TimeScale > 0:
					scale = max(scale, seg.Trace.TimeScale)
				}
			}
		}
		represents = time.Duration(float64(represents) * scale)
	}
	return hoursPerMonth * float64(time.Hour) / float64(represents)
}

// search evaluates shard counts until the smallest one meeting every
// objective is found. No count below the even-traffic bound (the peak load
// over the headroom) can meet the headroom objective, so the sweep starts
// one below it (to show what one shard fewer does) and runs in batches of
// workers counts; after two batches it doubles the count until one meets
// and then bisects. When a blocker means no count can meet the objectives,
// one batch is shown and the search stops.
func (p *planner) search(ctx context.Context) error {
	lo := max(1, p.evenBound()-1)
	limit := p.obj.MaxShards
	if lo > limit {
		lo = max(1, limit-1)
	}
	batch := max(p.workers, 3)
	var counts []int
	for n := lo; n < lo+2*batch && n <= limit; n++ {
		counts = append(counts, n)
	}
	for i := 0; i < len(counts); i += batch {
		if err := p.evaluateAll(ctx, counts[i:min(i+batch, len(counts))]); err != nil {
			return err
		}
		if p.smallestMeeting() > 0 || p.blocked() {
			return nil
		}
	}
	last := counts[len(counts)-1]
	if last >= limit {
		return nil
	}
	// Gallop, then bisect between the last failing and first meeting count.
	fail := last
	for {
		n := min(fail*2, limit)
		if err := p.evaluateAll(ctx, []int{n}); err != nil {
			return err
		}
		if p.evaluated[n].Meets {
			return p.bisect(ctx, fail, n)
		}
		if n == limit {
			return nil
		}
		fail = n
	}
}

func (p *planner) bisect(ctx context.Context, fail, meet int) error {
	for meet-fail > 1 {
		// Try several counts at once, spread over the interval.
		var counts []int
		step := max(1, (meet-fail)/(p.workers+1))
		for n := fail + step; n < meet && len(counts) < p.workers; n += step {
			counts = append(counts, n)
		}
		if err := p.evaluateAll(ctx, counts); err != nil {
			return err
		}
		for _, n := range counts {
			if p.evaluated[n].Meets {
				meet = n
				break
			}
			fail = n
		}
	}
	// Show the count just below, as the table always does.
	if _, ok := p.evaluated[meet-1]; !ok && meet > 1 {
		return p.evaluateAll(ctx, []int{meet - 1})
	}
	return nil
}

// evenBound is the fewest shards that could hold the peak if the traffic
// spread perfectly evenly, within the headroom.
func (p *planner) evenBound() int {
	peak := 0.0
	for s := range p.t.seconds {
		var recs, bytes float64
		for _, pt := range p.t.producers {
			// An aggregating producer packs the most records per aggregate
			// on one shard: its fewest Kinesis records, a lower bound.
			r, b := pt.agg.kinesis(pt.peak[s], pt.peak[s]*pt.meanBytes)
			recs += r
			bytes += b
		}
		load := max(recs/shardRecordsPerSecond, bytes/shardBytesPerSecond)
		if p.t.polling > 0 {
			load = max(load, float64(p.t.polling)*bytes/shardReadBytes)
		}
		peak = max(peak, load)
	}
	return max(1, int(math.Ceil(peak/(1-p.obj.Headroom)-utilSlack)))
}

// evaluateAll simulates counts in parallel, skipping those already done.
func (p *planner) evaluateAll(ctx context.Context, counts []int) error {
	var wg sync.WaitGroup
	for _, n := range counts {
		p.mu.Lock()
		_, done := p.evaluated[n]
		p.mu.Unlock()
		if done {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ctx.Err() != nil {
				return
			}
			c := p.candidate(evaluate(p.t, n, p.fluidOnly))
			p.mu.Lock()
			p.evaluated[n] = c
			p.mu.Unlock()
		}()
	}
	wg.Wait()
	return ctx.Err()
}

func (p *planner) smallestMeeting() int {
	best := 0
	for n, c := range p.evaluated {
		if c.Meets && (best == 0 || n < best) {
			best = n
		}
	}
	return best
}
