package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/chaos"
	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/kinesis"
	"github.com/kinesim/kinesim/targets"
)

// runFlags override the scenario file.
type runFlags struct {
	duration     time.Duration
	seed         int64
	shards       int
	out          string
	quiet        bool
	drainTimeout time.Duration
	summary      string
	target       string
	endpoint     string
	region       string
	profile      string
	yes          bool
	keep         bool
	noThresholds bool
	metricsAddr  string
	force        bool
	segment      segmentFlags
}

func newRunCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Run a scenario (a file, or a built-in name) and write a run folder",
		Long: `Run a scenario file, or a built-in scenario by name (see 'kinesim scenarios').
The run folder (runs/<scenario>-<UTC timestamp>/ unless --out) gets result.json,
scenario.yaml (the scenario as run), latency.hlog (HdrHistogram interval log),
summary.md, report.html, ledger.bin (the delivery ledger 'kinesim verify' reads),
and dead-letters.jsonl when any record failed every attempt. The folder must be
new or empty: --force reuses one, first deleting the files a run writes there
(those names, and consumers' checkpoints-*.json) and nothing else. The scenario's thresholds
are judged at the end: a failed one exits 99. A threshold with abort_on_fail is
also judged at the end of every second of the run (on the run's clock, wall or
virtual) and stops the run as soon as it fails: result.json is marked incomplete
with the threshold as its stop_reason, and the run exits 99. With
$GITHUB_STEP_SUMMARY set, the Markdown summary is appended to it.
Ctrl-C stops the run; calls in flight get --drain-timeout, and result.json is
still written, marked incomplete.`,
		Example: `  kinesim run bike-rush-hour
  kinesim run bike-rush-hour --duration 10s --shards 2 --out /tmp/run1
  kinesim run ./my-scenario.yaml --seed 7 --quiet`,
		Args: scenarioArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScenario(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&f.duration, "duration", 0, "override the scenario's duration (e.g. 30s)")
	fl.Int64Var(&f.seed, "seed", 0, "override the scenario's seed")
	fl.IntVar(&f.shards, "shards", 0, "override the target's shard count")
	fl.StringVar(&f.out, "out", "", "run folder (default runs/<scenario>-<UTC timestamp>)")
	fl.BoolVar(&f.quiet, "quiet", false, "print no live status line")
	fl.DurationVar(&f.drainTimeout, "drain-timeout", runner.DefaultDrainTimeout, "how long calls in flight may finish after the schedule ends or Ctrl-C")
	fl.StringVar(&f.summary, "summary", "compact", "summary detail, printed and in summary.md: compact or full")
	fl.StringVar(&f.target, "target", "", "override the target kind: emulated or kinesis")
	fl.StringVar(&f.endpoint, "endpoint", "", "Kinesis endpoint URL (a Kinesis-compatible server); implies --target kinesis")
	fl.StringVar(&f.region, "region", "", "AWS region (kinesis target)")
	fl.StringVar(&f.profile, "profile", "", "AWS shared-config profile (kinesis target)")
	fl.BoolVar(&f.yes, "yes", false, "confirm creating streams on Amazon Kinesis itself, which costs money")
	fl.BoolVar(&f.noThresholds, "no-thresholds", false, "do not judge the scenario's thresholds (as k6's --no-thresholds)")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "serve live Prometheus metrics at http://ADDR/metrics during the run (PORT or :PORT binds 127.0.0.1)")
	fl.BoolVar(&f.keep, "keep", false, "keep the streams the run created instead of deleting them")
	fl.BoolVar(&f.force, "force", false, "reuse a non-empty --out folder, deleting the files an earlier run wrote there")
	f.segment.register(fl)
	return cmd
}

// loadScenario resolves a name or path and validates it, mapping every
// problem to exit code 2.
func loadScenario(ref string, opts ...scenarios.Option) (*scenarios.Scenario, error) {
	// Generator options, partition keys and schedules are their packages'
	// to judge: build each producer's traffic once so that a bad option
	// fails here, at its line, not mid-run.
	compiles := scenarios.WithProducerCheck(func(sc *scenarios.Scenario, i int) error {
		_, err := runner.CompileTraffic(sc, i)
		return err
	})
	sc, err := scenarios.Resolve(ref, append([]scenarios.Option{scenarios.WithGenerators(generators.Kinds()...), compiles}, opts...)...)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	// compare.tolerances name reports' metrics, which scenarios cannot know.
	if _, err := reports.ParseTolerances(sc.Compare.ToleranceSpec()); err != nil {
		return nil, usageError("%s: compare.tolerances: %w", sc.File, err)
	}
	return sc, nil
}

func runScenario(cmd *cobra.Command, ref string, f runFlags) error {
	summary, err := reports.SummaryMode(f.summary)
	if err != nil {
		return usageError("--summary: %w", err)
	}
	if f.drainTimeout < 0 {
		return usageError("--drain-timeout %s: want 0 or more", f.drainTimeout)
	}
	sc, thresholds, out, err := prepareRun(cmd, ref, &f)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	clk := targets.NewClock(sc, time.Now())
	opened, err := targets.Open(ctx, sc, targets.Options{Yes: f.yes, Clock: clk})
	var guard *targets.CostGuardError
	if errors.As(err, &guard) || errors.Is(err, kinesis.ErrNoRegion) {
		return usageError("%w", err)
	}
	if err != nil {
		return failure(err)
	}
	defer opened.Close()
	return executeRun(ctx, cmd, runPlan{
		scenario: sc, thresholds: thresholds, out: out, summary: summary, clock: clk, opened: opened,
		drainTimeout: f.drainTimeout, noThresholds: f.noThresholds, metricsAddr: f.metricsAddr, quiet: f.quiet,
		segment: &f.segment,
	})
}

// runPlan is a scenario run made ready: what `kinesim run` and `kinesim
// emulate --scenario` hand executeRun.
type runPlan struct {
	scenario     *scenarios.Scenario
	thresholds   []scenarios.Threshold
	out          string // the run folder, ready (prepareRunFolder)
	summary      []reports.SummaryOption
	clock        clock.Clock
	opened       *targets.Opened
	drainTimeout time.Duration
	noThresholds bool
	metricsAddr  string
	quiet        bool
	// segment is the run's share of a split run (nil: the whole run, as
	// for emulate --scenario): its start, and where its folder is uploaded.
	segment *segmentFlags
	// chaosReady and afterRun are runner.Config.ChaosReady and what to
	// undo once the run is over (emulate's application faults).
	chaosReady func(*chaos.Injector)
	afterRun   func()
}

// executeRun runs a prepared scenario and finishes it as every run is
// finished: thresholds judged, the run folder's files and the summary
// written, and the exit the outcome calls for (runOutcome).
func executeRun(ctx context.Context, cmd *cobra.Command, p runPlan) error {
	var (
		seg     segment.Segment
		startAt time.Time
	)
	if p.segment != nil {
		seg, startAt = p.segment.seg, p.segment.startAtTime
	}
	start := p.clock.Now()
	if !startAt.IsZero() {
		start = startAt
	}
	rec := metrics.NewRecorder(start)
	rec.SetClock(p.clock.Now)
	// An abort_on_fail threshold stops the run with itself as the cause.
	ctx, stopRun := context.WithCancelCause(ctx)
	defer stopRun(nil)
	var aborts *reports.AbortWatch
	if !p.noThresholds {
		rec.TrackProducerLatency(thresholdProducers(p.thresholds)...)
		aborts = reports.WatchAborts(rec, p.thresholds, stopRun)
	}
	if p.metricsAddr != "" {
		stopMetrics, err := serveMetrics(cmd.ErrOrStderr(), p.metricsAddr, rec, p.scenario.Name)
		if err != nil {
			return failure(err)
		}
		defer stopMetrics()
	}
	stdout := cmd.OutOrStdout()
	if !p.quiet && isTerminal(stdout) {
		stopStatus := startStatus(stdout, rec, p.clock)
		defer stopStatus()
	}
	var (
		res    *result.Result
		runErr error
	)
	clock.Run(p.clock, func() {
		res, runErr = runner.Run(ctx, runner.Config{
			Scenario:     p.scenario,
			Target:       p.opened.Target,
			Proxy:        p.opened.Proxy,
			Endpoint:     p.opened.Endpoint,
			OutDir:       p.out,
			Clock:        p.clock,
			DrainTimeout: p.drainTimeout,
			Version:      kinesimVersion(),
			Recorder:     rec,
			Segment:      seg,
			StartAt:      startAt,
			ChaosReady:   p.chaosReady,
		})
	})
	if p.afterRun != nil {
		p.afterRun()
	}
	if res == nil {
		return failure(runErr)
	}
	clearStatus(stdout, p.quiet)
	if res.Segment != nil {
		reportLate(cmd.ErrOrStderr(), seg, res.Segment.LateS)
	}
	if !p.noThresholds {
		res.Thresholds = reports.JudgeThresholds(p.thresholds, res, rec, aborts.AbortedBy())
	}
	reportErr := writeReports(res, p.out, p.summary)
	if p.segment != nil {
		reportErr = errors.Join(reportErr, p.segment.upload(cmd.Context(), p.out, seg))
	}
	if err := reports.WriteSummary(stdout, res, p.summary...); err != nil {
		return failure(err)
	}
	if err := errors.Join(runErr, reportErr); err != nil {
		return failure(err)
	}
	return runOutcome(ctx, res)
}

// prepareRun loads the scenario, applies the command line to it and makes
// the run folder ready.
func prepareRun(cmd *cobra.Command, ref string, f *runFlags) (*scenarios.Scenario, []scenarios.Threshold, string, error) {
	sc, err := loadScenario(ref)
	if err != nil {
		return nil, nil, "", err
	}
	thresholds, err := scenarios.ParseThresholds(sc)
	if err != nil {
		return nil, nil, "", &exitError{code: exitUsage, err: err}
	}
	fl := cmd.Flags()
	if fl.Changed("duration") {
		sc.Duration = scenarios.Duration(f.duration)
	}
	if fl.Changed("seed") {
		sc.Seed = f.seed
	}
	if fl.Changed("shards") {
		sc.Target.Shards = f.shards
	}
	if f.endpoint != "" {
		if err := kinesis.CheckEndpoint(f.endpoint); err != nil {
			return nil, nil, "", usageError("--endpoint: %w", err)
		}
	}
	applyTargetFlags(sc, *f)
	if err := scenarios.Validate(sc); err != nil {
		return nil, nil, "", &exitError{code: exitUsage, err: fmt.Errorf("after command-line overrides: %w", err)}
	}
	if err := f.segment.resolve(cmd.Context(), sc, f.out, os.Getenv); err != nil {
		return nil, nil, "", err
	}
	if f.segment.seg.Split() {
		// A segment's share cannot be judged alone: kinesim merge judges the whole.
		f.noThresholds = true
	}
	if f.segment.s3Out != nil {
		f.out = f.segment.s3Out.dir
	}
	out := f.out
	if out == "" {
		out = runner.RunDir("runs", sc.Name, time.Now())
	}
	if err := prepareRunFolder(out, f.force); err != nil {
		return nil, nil, "", err
	}
	return sc, thresholds, out, nil
}

// runOutcome turns a finished run into its exit: an abort, an early stop,
// failed thresholds or a failed verification.
func runOutcome(ctx context.Context, res *result.Result) error {
	var abort *reports.ThresholdAbortError
	if errors.As(context.Cause(ctx), &abort) {
		return &exitError{code: exitThreshold, err: fmt.Errorf("run stopped early: %w; result.json is marked incomplete", abort)}
	}
	if !res.Complete {
		return failure(errors.New("run stopped early (" + res.StopReason + "); result.json is marked incomplete"))
	}
	if n := res.ThresholdsFailed(); n > 0 {
		return &exitError{code: exitThreshold, err: fmt.Errorf("%d threshold(s) failed", n)}
	}
	if v := res.Verification; v != nil && !v.Passed {
		return &exitError{code: exitThreshold, err: errors.New("verification failed: a consumer's deliveries did not meet its expect")}
	}
	for _, p := range res.Pipelines {
		if !p.Passed {
			return &exitError{code: exitThreshold, err: fmt.Errorf("pipeline %s failed: %s", p.Name, strings.Join(p.Failures, "; "))}
		}
	}
	return nil
}

// thresholdProducers names the producers a threshold narrows to: they keep
// their own latency histograms during the run.
func thresholdProducers(ths []scenarios.Threshold) []string {
	var names []string
	for _, th := range ths {
		if th.Producer != "" {
			names = append(names, th.Producer)
		}
	}
	return names
}

// applyTargetFlags overrides the scenario's target from the command line.
func applyTargetFlags(sc *scenarios.Scenario, f runFlags) {
	t := &sc.Target
	if f.endpoint != "" {
		t.Kind, t.Endpoint = scenarios.TargetKinesis, f.endpoint
	}
	if f.target != "" {
		t.Kind = f.target
	}
	if f.region != "" {
		t.Region = f.region
	}
	if f.profile != "" {
		t.Profile = f.profile
	}
	if f.keep {
		t.Keep = true
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return termIsTerminal(int(f.Fd()))
}

// startStatus prints a one-line live status every second until stopped.
func startStatus(w io.Writer, rec *metrics.Recorder, clk clock.Clock) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var lastAcked int64
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				now := clk.Now()
				acked := rec.Count(metrics.RecordsAcknowledged)
				attempts := rec.Count(metrics.PutAttempts)
				throttled := rec.Count(metrics.RecordsThrottled)
				ratio := 0.0
				if attempts > 0 {
					ratio = 100 * float64(throttled) / float64(attempts)
				}
				fmt.Fprintf(w, "\r\033[K%s  %d records/s  p99 %.1f ms  throttled %.2f%%  acknowledged %d",
					now.Sub(rec.Start()).Truncate(time.Second), acked-lastAcked,
					float64(rec.Percentile(metrics.RecordLatency, 99))/float64(time.Millisecond), ratio, acked)
				lastAcked = acked
			}
		}
	}()
	return func() { cancel(); <-done }
}

func clearStatus(w io.Writer, quiet bool) {
	if !quiet && isTerminal(w) {
		fmt.Fprint(w, "\r\033[K")
	}
}

// writeReports writes report.html and summary.md into the run folder, and
// appends the summary to $GITHUB_STEP_SUMMARY when set.
func writeReports(res *result.Result, out string, summary []reports.SummaryOption) error {
	err := reports.WriteRunFiles(res, out, summary...)
	if path := os.Getenv("GITHUB_STEP_SUMMARY"); path != "" {
		err = errors.Join(err, reports.AppendStepSummary(path, res, summary...))
	}
	return err
}
