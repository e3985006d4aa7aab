// Package runner turns a scenario into traffic: it compiles producers from
// the scenario (generator, partition keys, rate schedule, batching, retries),
// runs them against a stream target, and collects what happened into a
// reports.Recorder and the run folder.
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
	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/runner/pacing"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis"
)

// Config is one run.
type Config struct {
	// Scenario to run, loaded and validated.
	Scenario *scenarios.Scenario
	// Target is the stream endpoint; Run creates the scenario's stream on it.
	Target stream.Target
	// Endpoint names the target's address in the report (empty for emulated).
	Endpoint string
	// OutDir is the run folder; Run creates it.
	OutDir string
	// Clock defaults to the wall clock.
	Clock clock.Clock
	// DrainTimeout caps how long calls may go on after the schedule ends or
	// the run is stopped (default 10s). Records still unacknowledged then are
	// counted as unfinished and kept in the dead-letter file.
	DrainTimeout time.Duration
	// Version is kinesim's version for the report.
	Version string
	// Recorder, when set, receives the measurements (so a caller can show
	// live status); otherwise Run makes one.
	Recorder *reports.Recorder
}

// File names in a run folder.
const (
	ResultFile      = "result.json"
	DeadLetterFile  = "dead-letters.jsonl"
	ScenarioFile    = "scenario.yaml"
	DefaultDrainCap = 10 * time.Second
)

// Run runs the scenario. Cancelling ctx stops scheduling new records; calls
// in flight get cfg.DrainTimeout to finish. The result is written to
// OutDir/result.json in every case where the run started, marked incomplete
// when stopped early; the returned error says what went wrong, if anything.
func Run(ctx context.Context, cfg Config) (*reports.Result, error) {
	sc := cfg.Scenario
	clk := cfg.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	drain := cfg.DrainTimeout
	if drain <= 0 {
		drain = DefaultDrainCap
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("run folder: %w", err)
	}
	if err := writeScenario(sc, filepath.Join(cfg.OutDir, ScenarioFile)); err != nil {
		return nil, err
	}
	cleanup, err := createStreams(ctx, cfg.Target, sc, filepath.Base(cfg.OutDir))
	defer cleanup()
	if err != nil {
		return nil, err
	}

	dead := newDeadLetters(filepath.Join(cfg.OutDir, DeadLetterFile))
	start := clk.Now()
	rec := cfg.Recorder
	if rec == nil {
		rec = reports.NewRecorder(start)
	}
	producers, infos, err := compile(sc, cfg.Target, rec, clk, start, dead)
	if err != nil {
		return nil, err
	}
	faults, err := chaos.New(sc, cfg.Target, start, chaos.WithClock(clk), chaos.WithProxy(chaosProxy(cfg.Target)))
	if err != nil {
		return nil, err
	}
	for _, p := range producers {
		p.target = faults.Writer(p.cfg.Name, p.target)
		p.single = faults.SingleWriter(p.cfg.Name, p.single)
	}
	if err := rec.AttachIntervalLog(filepath.Join(cfg.OutDir, reports.IntervalLogFile)); err != nil {
		return nil, err
	}
	consumers, err := startConsumers(sc, cfg.Target, rec, clk, start, cfg.OutDir, producers, faults)
	if err != nil {
		return nil, err
	}

	// Calls run under their own context: a stop (ctx) ends scheduling at
	// once, and the calls get the drain time before they are cut.
	callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	cancelCalls := clock.CancelFunc(clk, cancel)
	defer cancelCalls()
	scheduleDone := make(chan struct{})
	// This goroutine waits on channels, so it stays out of a virtual clock's
	// group; it wakes the group's waits when a stop cancels them.
	go func() {
		select {
		case <-ctx.Done():
			if v, ok := clk.(*clock.Virtual); ok {
				v.WakeCancelled()
			}
		case <-scheduleDone:
		}
		stopTimer := clock.AfterFunc(clk, drain, cancelCalls)
		<-callCtx.Done()
		stopTimer()
	}()

	// Scheduled chaos (reshards, network windows) runs beside the producers
	// and ends with them: operations due later are skipped.
	chaosCtx, stopChaos := context.WithCancel(ctx)
	defer stopChaos()
	chaosGroup := clock.NewGroup(clk)
	chaosGroup.Go(func() { faults.Run(chaosCtx) })
	producerGroup := clock.NewGroup(clk)
	for _, p := range producers {
		producerGroup.Go(func() { p.run(ctx, callCtx) })
	}
	// Producers return after their calls finish, so waiting for them is the drain.
	producerGroup.Wait()
	stopChaos()
	if v, ok := clk.(*clock.Virtual); ok {
		v.WakeCancelled()
	}
	chaosGroup.Wait()
	close(scheduleDone)
	verification, ledgerErr := consumers.Finish(drain)
	end := clk.Now()

	snapshot := rec.Finish(end)
	res := reports.NewResult(snapshot, end.Sub(start))
	logErr := rec.CloseIntervalLog(end)
	res.Files["latency_log"] = filepath.Join(cfg.OutDir, reports.IntervalLogFile)
	res.Scenario = sc.Name
	res.ScenarioFile = sc.File
	res.Seed = sc.Seed
	res.KinesimVersion = cfg.Version
	res.Machine = reports.ThisMachine()
	res.Clock = scenarios.ClockWall
	if _, ok := clk.(*clock.Virtual); ok {
		res.Clock = scenarios.ClockVirtual
	}
	res.Target = reports.TargetInfo{Kind: sc.Target.Kind, Stream: sc.Target.Stream, Shards: sc.Target.Shards, Mode: sc.Target.Mode, Endpoint: cfg.Endpoint}
	res.StartedAt, res.EndedAt = start.UTC(), end.UTC()
	res.PlannedDurationS = sc.Duration.D().Seconds()
	res.Producers = snapshot.DescribeProducers(infos)
	res.Complete = ctx.Err() == nil
	if !res.Complete {
		res.StopReason = stopReason(ctx)
	}
	res.Files["result"] = filepath.Join(cfg.OutDir, ResultFile)
	res.Files["scenario"] = filepath.Join(cfg.OutDir, ScenarioFile)
	res.Files["ledger"] = filepath.Join(cfg.OutDir, ledger.FileName)
	res.Verification = verification
	res.Chaos = faults.Results(res, consumers.DeliveryCounters())
	deadErr := errors.Join(dead.close(), logErr, ledgerErr)
	if dead.written() {
		res.Files["dead_letters"] = filepath.Join(cfg.OutDir, DeadLetterFile)
	}
	if err := res.WriteJSON(res.Files["result"]); err != nil {
		return res, errors.Join(err, deadErr)
	}
	return res, deadErr
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
// behind. The returned cleanup deletes the ones created unless target.keep;
// it runs even after a Ctrl-C (on a context of its own) and never fails the run.
func createStreams(ctx context.Context, target stream.Target, sc *scenarios.Scenario, runID string) (cleanup func(), err error) {
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
	for _, name := range streamNames(sc) {
		if sc.Target.Existing {
			if _, err := target.ListShards(ctx, name); err != nil {
				return cleanup, fmt.Errorf("existing stream %q: %w", name, err)
			}
			continue
		}
		if err := target.CreateStream(ctx, &stream.CreateStreamInput{
			StreamName: name,
			ShardCount: sc.Target.Shards,
			Mode:       streamMode(sc.Target.Mode),
			Tags:       map[string]string{kinesis.TagRunID: runID},
		}); err != nil {
			return cleanup, fmt.Errorf("create stream %q: %w", name, err)
		}
		created = append(created, name)
	}
	return cleanup, nil
}

// streamNames lists the streams a scenario writes to, target.stream first.
func streamNames(sc *scenarios.Scenario) []string {
	names := []string{sc.Target.Stream}
	for _, p := range sc.Producers {
		if !slices.Contains(names, p.Stream) {
			names = append(names, p.Stream)
		}
	}
	return names
}

func streamMode(mode string) stream.StreamMode {
	if mode == "on-demand" {
		return stream.ModeOnDemand
	}
	return stream.ModeProvisioned
}

// compile builds one producer per scenario producer.
func compile(sc *scenarios.Scenario, target stream.Target, rec *reports.Recorder, clk clock.Clock, start time.Time, dead *deadLetters) ([]*producer, []reports.ProducerInfo, error) {
	var (
		out   []*producer
		infos []reports.ProducerInfo
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
		out = append(out, &producer{
			hashKeys:   hashKeys,
			cfg:        pc,
			single:     single,
			streamName: pc.Stream,
			gen:        gen,
			keys:       keys,
			arrivals:   pacing.NewArrivals(sched),
			target:     target,
			rec:        rec.ForProducer(pc.Name),
			clk:        clk,
			start:      start,
			dead:       dead,
			maxRecord:  int(sc.Target.MaxRecordSize),
			inFlight:   clock.NewSemaphore(clk, pc.MaxInFlight),
			calls:      clock.NewGroup(clk),
		})
		infos = append(infos, reports.ProducerInfo{Name: pc.Name, Generator: pc.Generator, PartitionKey: describeKeys(pc.PartitionKey)})
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
