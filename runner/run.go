// Package runner turns a scenario into traffic: it compiles producers from
// the scenario (generator, partition keys, rate schedule, batching, retries),
// runs them against a stream target, and collects what happened into a
// metrics.Recorder and the run folder. It knows targets only as
// stream.Target: package targets opens them (and the chaos proxy a
// scenario's network faults need) and chooses the clock.
//
// A run has three steps: setup (run folder, streams, producers, chaos,
// consumers), execute (schedule, drain) and assemble (result.json).
//
// Run blocks until the scenario's duration has passed and every call has
// finished, or until its context is cancelled and the drain time has run out.
// A Run is self-contained; several may run concurrently on different targets.
package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/kinesim/kinesim/chaos"
	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner/consume"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/runner/pacing"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// Config is one run.
type Config struct {
	// Scenario to run, loaded and validated.
	Scenario *scenarios.Scenario
	// Target is the stream endpoint; Run creates the scenario's stream on it.
	Target stream.Target
	// Proxy is the chaos proxy the target's connections go through, which
	// the scenario's network faults act on; nil when there is none (see
	// package targets, which opens both).
	Proxy *chaos.Proxy
	// Endpoint names the target's address in the report (empty for emulated).
	Endpoint string
	// OutDir is the run folder; Run creates it.
	OutDir string
	// Clock defaults to the wall clock.
	Clock clock.Clock
	// DrainTimeout caps how long calls may go on after the schedule ends or
	// the run is stopped (default DefaultDrainTimeout). Records still
	// unacknowledged then are counted as unfinished and kept in the
	// dead-letter file.
	DrainTimeout time.Duration
	// DeadLetterCap is how many dead letters the dead-letter file holds in
	// full (default DefaultDeadLetterCap); past it the file samples them
	// and ends with a count of those left out (see DeadLetterSummary).
	DeadLetterCap int
	// Version is kinesim's version for the report.
	Version string
	// ChaosReady, when set, is called with the run's chaos timeline once it
	// is bound, before any record is sent: `kinesim emulate` routes the
	// calls it serves through Injector.Application, so that the faults a
	// scenario moves onto a pipeline's application (a fault's application)
	// reach it. Without it such faults are an error.
	ChaosReady func(*chaos.Injector)
	// Recorder, when set, receives the measurements (so a caller can show
	// live status); otherwise Run makes one. Its start must be the run's
	// (StartAt when set).
	Recorder *metrics.Recorder
	// Segment is this process's share of a run split between several
	// (package segment); the zero value runs the whole scenario. A split
	// run's streams are created by segment 0 and awaited by the others,
	// and never deleted by a segment (kinesim cleanup does, after merge);
	// thresholds and verification are left to kinesim merge.
	Segment segment.Segment
	// StartAt, when set, is the run's start: the instant every segment's
	// schedule counts from. A run set up before it waits for it; one set
	// up after it starts late, and its records count their send delay and
	// latency from the common schedule.
	StartAt time.Time
}

// File names in a run folder.
const (
	ResultFile     = "result.json"
	DeadLetterFile = "dead-letters.jsonl"
	ScenarioFile   = "scenario.yaml"
)

// DefaultDrainTimeout is Config.DrainTimeout when it is not set.
const DefaultDrainTimeout = 10 * time.Second

// Run runs the scenario. Cancelling ctx stops scheduling new records; calls
// in flight get cfg.DrainTimeout to finish. The result is written to
// OutDir/result.json in every case where the run started, marked incomplete
// when stopped early; the returned error says what went wrong, if anything.
func Run(ctx context.Context, cfg Config) (*result.Result, error) {
	r, cleanup, err := setup(ctx, withDefaults(cfg))
	defer cleanup()
	if err != nil {
		return nil, err
	}
	return r.assemble(ctx, r.execute(ctx))
}

// withDefaults fills in the clock and the drain timeout.
func withDefaults(cfg Config) Config {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = DefaultDrainTimeout
	}
	return cfg
}

// run is one run once set up: its streams exist, its producers are
// compiled with chaos around their calls, and its consumers read.
type run struct {
	cfg      Config   // with defaults
	existing []string // streams found in place and used as they were
	start    time.Time
	// setupAt is when setup ended: after StartAt, the segment started late.
	setupAt   time.Time
	rec       *metrics.Recorder
	dead      *deadLetters
	producers []*producer
	infos     []result.ProducerInfo
	faults    *chaos.Injector
	consumers *consume.Group
	pipelines *pipelines
}

// setup makes the run folder and the scenario's streams and starts the
// consumers. The returned cleanup (never nil) deletes the streams it made;
// it is for after the run, and for a setup that failed.
func setup(ctx context.Context, cfg Config) (r *run, cleanup func(), err error) {
	sc, clk := cfg.Scenario, cfg.Clock
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, func() {}, fmt.Errorf("run folder: %w", err)
	}
	if err := writeScenario(sc, filepath.Join(cfg.OutDir, ScenarioFile)); err != nil {
		return nil, func() {}, err
	}
	cleanup, existing, err := prepareStreams(ctx, cfg, filepath.Base(cfg.OutDir))
	if err != nil {
		return nil, cleanup, err
	}

	r = &run{cfg: cfg, existing: existing, dead: newDeadLetters(filepath.Join(cfg.OutDir, DeadLetterFile), cfg.DeadLetterCap), start: clk.Now(), rec: cfg.Recorder}
	if !cfg.StartAt.IsZero() {
		r.start = cfg.StartAt
	}
	if r.rec == nil {
		r.rec = metrics.NewRecorder(r.start)
	}
	r.producers, r.infos, err = compile(sc, cfg.Target, r.rec, clk, r.start, r.dead, cfg.Segment)
	if err != nil {
		return nil, cleanup, err
	}
	for _, p := range r.producers {
		// An aggregating producer predicts shards from the start.
		if p.shards != nil {
			if err := p.shards.refresh(ctx, clk.Now()); err != nil {
				return nil, cleanup, fmt.Errorf("producer %q: %w", p.cfg.Name, err)
			}
		}
	}
	// Each segment injects its share of the chaos (segment.Chaos).
	segmentScenario := *sc
	segmentScenario.Chaos = cfg.Segment.Chaos(sc.Chaos)
	r.faults, err = chaos.New(&segmentScenario, cfg.Target, r.start, chaos.WithClock(clk), chaos.WithProxy(cfg.Proxy))
	if err != nil {
		return nil, cleanup, err
	}
	if err := r.applicationChaos(); err != nil {
		return nil, cleanup, err
	}
	for _, p := range r.producers {
		p.target = r.faults.Writer(p.cfg.Name, p.target)
		p.single = r.faults.SingleWriter(p.cfg.Name, p.single)
	}
	if err := r.rec.AttachIntervalLog(filepath.Join(cfg.OutDir, metrics.IntervalLogFile)); err != nil {
		return nil, cleanup, err
	}
	if err := r.rec.AttachSeriesFile(filepath.Join(cfg.OutDir, result.SeriesFile)); err != nil {
		return nil, cleanup, err
	}
	r.consumers, err = startConsumers(sc, cfg.Target, r.rec, clk, r.start, cfg.OutDir, r.producers, r.faults, cfg.Segment)
	if err != nil {
		return nil, cleanup, err
	}
	if r.pipelines, err = r.startPipelines(r.consumers.Ledger()); err != nil {
		_, ledgerErr := r.consumers.Finish(0)
		return nil, cleanup, errors.Join(err, ledgerErr)
	}
	r.setupAt = clk.Now()
	return r, cleanup, nil
}

// executed is what execute hands to assemble.
type executed struct {
	end          time.Time
	verification *result.Verification
	ledgerErr    error
}

// execute runs the producers and the scheduled chaos until the schedule
// ends or ctx is done, drains the calls and the consumers, and judges the
// deliveries.
func (r *run) execute(ctx context.Context) executed {
	clk := r.cfg.Clock
	// Calls run under their own context: a stop (ctx) ends scheduling at
	// once, and the calls get the drain time before they are cut.
	callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	cancelCalls := clock.CancelFunc(clk, cancel)
	defer cancelCalls()
	drain := newDrainTimer(clk, r.scheduleEnd().Sub(clk.Now()), r.cfg.DrainTimeout, cancelCalls)
	defer drain.close()
	go r.capDrain(ctx, callCtx, drain)

	// Scheduled chaos (reshards, network windows) runs beside the producers
	// and ends with them: operations due later are skipped.
	chaosCtx, stopChaos := context.WithCancel(ctx)
	defer stopChaos()
	chaosGroup := clock.NewGroup(clk)
	chaosGroup.Go(func() { r.faults.Run(chaosCtx) })
	producerGroup := clock.NewGroup(clk)
	for _, p := range r.producers {
		producerGroup.Go(func() { p.run(ctx, callCtx) })
	}
	// Producers return after their calls finish, so waiting for them is the drain.
	producerGroup.Wait()
	r.awaitOtherSegments(ctx)
	stopChaos()
	wakeCancelled(clk)
	chaosGroup.Wait()
	// The pipelines settle first: the consumers' Finish closes the ledger
	// they write to. The built-in consumers go on reading meanwhile.
	r.pipelines.finish(clk, r.cfg.DrainTimeout)
	verification, ledgerErr := r.consumers.Finish(r.cfg.DrainTimeout)
	return executed{end: clk.Now(), verification: verification, ledgerErr: ledgerErr}
}

// capDrain starts the drain when the run is stopped (ctx done), and
// returns when the calls are cancelled. It waits on channels, so it stays out of a
// simulated clock's group; it wakes the group's waits when a stop cancels
// them.
func (r *run) capDrain(ctx, callCtx context.Context, drain *drainTimer) {
	select {
	case <-ctx.Done():
		wakeCancelled(r.cfg.Clock)
		drain.start()
	case <-callCtx.Done():
	}
}

// scheduleEnd is when the last producer's schedule ends (the scenario's
// duration when this segment runs no producers).
func (r *run) scheduleEnd() time.Time {
	if len(r.producers) == 0 {
		return r.start.Add(r.cfg.Scenario.Duration.D())
	}
	end := r.start
	for _, p := range r.producers {
		if p.end.After(end) {
			end = p.end
		}
	}
	return end
}

// wakeCancelled wakes the waits a cancellation ended, on a simulated clock.
func wakeCancelled(clk clock.Clock) {
	if s, ok := clk.(clock.Simulated); ok {
		s.WakeCancelled()
	}
}

// assemble builds the run's result from what it measured and writes
// result.json. Errors closing the dead-letter file, the interval log and the
// ledger are returned with the result, which is complete regardless.
func (r *run) assemble(ctx context.Context, x executed) (*result.Result, error) {
	snapshot := r.rec.Finish(x.end)
	res := metrics.NewResult(snapshot, x.end.Sub(r.start))
	logErr := r.rec.CloseIntervalLog(x.end)
	r.describe(res, &snapshot, x.end)
	res.Complete = ctx.Err() == nil
	if !res.Complete {
		res.StopReason = stopReason(ctx)
	}
	res.Verification = x.verification
	if seg := r.cfg.Segment; seg.Split() {
		// A segment's consumers read some shards and its ledger holds some
		// records: only the merged ledgers can be judged.
		res.Verification = nil
		res.Segment = r.segmentInfo()
	}
	res.Pipelines = r.pipelines.results(r.cfg.Scenario, res)
	res.Chaos = r.faults.Results(res, append(r.consumers.DeliveryCounters(), r.pipelines.deliveryCounters()...))
	deadErr := errors.Join(r.dead.close(), logErr, snapshot.SeriesErr, x.ledgerErr)
	if r.dead.written() {
		res.Files["dead_letters"] = filepath.Join(r.cfg.OutDir, DeadLetterFile)
	}
	if err := res.WriteJSON(res.Files["result"]); err != nil {
		return res, errors.Join(err, deadErr)
	}
	return res, deadErr
}

// describe fills in what the result says about the run itself: the
// scenario, the target, the clock, the times and the run folder's files.
func (r *run) describe(res *result.Result, snapshot *metrics.Snapshot, end time.Time) {
	sc, out := r.cfg.Scenario, r.cfg.OutDir
	res.Scenario, res.ScenarioFile, res.Seed = sc.Name, sc.File, sc.Seed
	res.KinesimVersion = r.cfg.Version
	res.Machine = result.ThisMachine()
	res.Clock = scenarios.ClockWall
	if clock.IsSimulated(r.cfg.Clock) {
		res.Clock = scenarios.ClockVirtual
	}
	res.Target = result.TargetInfo{Kind: sc.Target.Kind, Stream: sc.Target.Stream, Shards: sc.Target.Shards, Mode: sc.Target.Mode,
		Endpoint: r.cfg.Endpoint, ExistingStreams: r.existing}
	res.StartedAt, res.EndedAt = r.start.UTC(), end.UTC()
	res.PlannedDurationS = sc.Duration.D().Seconds()
	res.Producers = snapshot.DescribeProducers(r.infos)
	res.Files["latency_log"] = filepath.Join(out, metrics.IntervalLogFile)
	res.Files["series"] = filepath.Join(out, result.SeriesFile)
	res.Files["result"] = filepath.Join(out, ResultFile)
	res.Files["scenario"] = filepath.Join(out, ScenarioFile)
	res.Files["ledger"] = filepath.Join(out, ledger.FileName)
}

// stopReason says why ctx ended, using its cause when one was given.
func stopReason(ctx context.Context) string {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause.Error()
	}
	return "interrupted"
}

// StreamDeleteTimeout bounds deleting a run's streams at its end.
const StreamDeleteTimeout = 2 * time.Minute

// createStreams creates the scenario's streams (unless target.existing),
// tagged with the run's id so `kinesim cleanup` finds any a crash left
// behind. A stream already there (ResourceInUseException) is used as it
// is when it has the scenario's shape (checkShape), as a user who started
// `kinesim emulate --stream NAME --shards N` expects; existing lists the
// streams used that the run did not create. The returned cleanup deletes
// the ones created unless target.keep; it runs even after a Ctrl-C (on a
// context of its own) and never fails the run.
func createStreams(ctx context.Context, target stream.Target, sc *scenarios.Scenario, runID string) (cleanup func(), existing []string, err error) {
	var created []string
	cleanup = func() {
		if sc.Target.Keep || len(created) == 0 {
			return
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), StreamDeleteTimeout)
		defer cancel()
		for _, name := range created {
			if err := target.DeleteStream(dctx, name); err != nil {
				fmt.Fprintf(os.Stderr, "kinesim: could not delete stream %q (delete it by hand, or run kinesim cleanup): %v\n", name, err)
			}
		}
	}
	for _, name := range StreamNames(sc) {
		if sc.Target.Existing {
			if _, err := target.ListShards(ctx, name); err != nil {
				return cleanup, existing, fmt.Errorf("existing stream %q: %w", name, err)
			}
			existing = append(existing, name)
			continue
		}
		err := target.CreateStream(ctx, &stream.CreateStreamInput{
			StreamName: name,
			ShardCount: sc.Target.Shards,
			Mode:       streamMode(sc.Target.Mode),
			Tags:       map[string]string{stream.TagRunID: runID},
		})
		if errors.Is(err, stream.ErrInUse) {
			if err := checkShape(ctx, target, sc, name); err != nil {
				return cleanup, existing, err
			}
			existing = append(existing, name)
			continue
		}
		if err != nil {
			return cleanup, existing, fmt.Errorf("create stream %q: %w", name, err)
		}
		created = append(created, name)
	}
	return cleanup, existing, nil
}

// ShapeError is a stream that already exists with another shape than the
// scenario's: the run neither uses nor changes it.
type ShapeError struct {
	Stream string
	// Have and Want describe the shapes: "2 open shards, provisioned".
	Have, Want string
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("stream %q already exists with %s, and the scenario asks for %s: delete it, name another stream (target.stream), "+
		"or set target.existing: true to use it as it is", e.Stream, e.Have, e.Want)
}

// checkShape accepts a stream that already exists when it is usable and of
// the scenario's shape: its mode, and for a provisioned stream its count
// of open shards. Targets without DescribeStreamSummary are judged by
// their open shards alone.
func checkShape(ctx context.Context, target stream.Target, sc *scenarios.Scenario, name string) error {
	mode := streamMode(sc.Target.Mode)
	want := fmt.Sprintf("%d open shards, %s", sc.Target.Shards, mode)
	if mode == stream.ModeOnDemand {
		want = string(mode)
	}
	if d, ok := target.(stream.Describer); ok {
		s, err := d.DescribeStreamSummary(ctx, name)
		if err != nil {
			return fmt.Errorf("stream %q already exists; describing it: %w", name, err)
		}
		if s.Status != stream.StatusActive && s.Status != stream.StatusUpdating {
			return fmt.Errorf("stream %q already exists and is %s; wait until it is ACTIVE, or name another stream (target.stream)", name, s.Status)
		}
		have := fmt.Sprintf("%d open shards, %s", s.OpenShardCount, s.Mode)
		if s.Mode == stream.ModeOnDemand {
			have = string(s.Mode)
		}
		if have != want {
			return &ShapeError{Stream: name, Have: have, Want: want}
		}
		return nil
	}
	shards, err := target.ListShards(ctx, name)
	if err != nil {
		return fmt.Errorf("stream %q already exists; listing its shards: %w", name, err)
	}
	open := 0
	for _, sh := range shards {
		if sh.Open() {
			open++
		}
	}
	if mode == stream.ModeProvisioned && open != sc.Target.Shards {
		return &ShapeError{Stream: name, Have: fmt.Sprintf("%d open shards", open), Want: want}
	}
	return nil
}

// StreamNames lists the streams of a scenario: those it writes to,
// target.stream first, then its pipelines' output streams.
func StreamNames(sc *scenarios.Scenario) []string {
	names := []string{sc.Target.Stream}
	for _, p := range sc.Producers {
		if !slices.Contains(names, p.Stream) {
			names = append(names, p.Stream)
		}
	}
	for _, p := range sc.Pipelines {
		if !slices.Contains(names, p.Output) {
			names = append(names, p.Output)
		}
	}
	return names
}

func streamMode(mode string) stream.Mode {
	if mode == "on-demand" {
		return stream.ModeOnDemand
	}
	return stream.ModeProvisioned
}

// compile builds one producer per scenario producer (none when the
// segment runs no producers).
func compile(sc *scenarios.Scenario, target stream.Target, rec *metrics.Recorder, clk clock.Clock, start time.Time, dead *deadLetters, seg segment.Segment) ([]*producer, []result.ProducerInfo, error) {
	var (
		out   []*producer
		infos []result.ProducerInfo
	)
	for i, pc := range sc.Producers {
		tr, err := CompileTraffic(sc, i)
		if err != nil {
			return nil, nil, err
		}
		gen, keys, sched := tr.Generator, tr.Keys, tr.Schedule
		var single stream.SingleWriter
		if pc.API == scenarios.APIPutRecord {
			var ok bool
			if single, ok = target.(stream.SingleWriter); !ok {
				return nil, nil, fmt.Errorf("producer %q: api put_record: the %s target has no PutRecord", pc.Name, sc.Target.Kind)
			}
			// One record per call: no batching, no linger.
			pc.Batch.MaxRecords, pc.Batch.Linger = 1, 0
		}
		hashKeys, _ := keys.(generators.HashKeyer)
		infos = append(infos, result.ProducerInfo{Name: pc.Name, Generator: pc.Generator, PartitionKey: describeKeys(pc.PartitionKey)})
		if !seg.Produces() {
			continue
		}
		var shards *shardMap
		if pc.Aggregation != nil {
			shards = &shardMap{lister: target, streamName: pc.Stream}
		}
		out = append(out, &producer{
			segment:    seg,
			shards:     shards,
			hashKeys:   hashKeys,
			cfg:        pc,
			single:     single,
			streamName: pc.Stream,
			gen:        gen,
			keys:       keys,
			arrivals:   pacing.NewArrivals(sched),
			total:      sched.Due(sched.End()),
			end:        start.Add(sched.End()),
			target:     target,
			rec:        rec.ForProducer(pc.Name),
			clk:        clk,
			start:      start,
			dead:       dead,
			maxRecord:  int(sc.Target.MaxRecordSize),
			inFlight:   clock.NewSemaphore(clk, pc.MaxInFlight),
			calls:      clock.NewGroup(clk),
		})
	}
	return out, infos, nil
}

func describeKeys(k scenarios.KeySpec) string {
	switch {
	case k.Field != "":
		return "field " + k.Field
	case k.Uniform != nil:
		return fmt.Sprintf("uniform over %d keys", k.Uniform.Keys)
	case k.Zipf != nil:
		return fmt.Sprintf("zipf s=%g over %d keys", k.Zipf.S, k.Zipf.Keys)
	case k.Hot != nil:
		return fmt.Sprintf("hot key with %.0f%% of records", 100*k.Hot.Share)
	}
	return "random"
}
