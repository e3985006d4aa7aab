package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/plan"
	"github.com/kinesim/kinesim/pricing"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
)

// planFlags override the scenario's objectives and the search.
type planFlags struct {
	maxThrottle  float64
	headroom     float64
	maxShards    int
	prices       string
	out          string
	recordBudget int
	noMeasure    bool
	window       time.Duration
	maxPutP99    time.Duration
	maxE2EP99    time.Duration
	maxAge       time.Duration
	maxDrain     time.Duration
}

func newPlanCommand() *cobra.Command {
	var f planFlags
	cmd := &cobra.Command{
		Use:   "plan SCENARIO",
		Short: "Find the fewest shards (and cheapest mode) that meet the objectives",
		Long: `Plan simulates a scenario's traffic (its rate schedules, record sizes and partition
keys) against every candidate shard count, in virtual time, and reports the fewest
shards that meet the objectives: the write throttle ratio, headroom at the peak and
the shared read limits of polling consumers. The recommended count and the one below
it then run for real through the runner on the emulated stream in virtual time (four
minutes around the peak of a long scenario) to measure p99 put and end-to-end
latency, iterator age and how long the backlog takes to drain after the peak, which
the latency objectives are judged on. It judges on-demand mode too, prices
every candidate from a dated price table, and names the hot keys that bind the plan,
saying plainly when no shard count can help.

Objectives come from the scenario's objectives: section; flags override them.
The plan folder (runs/<scenario>-plan-<UTC timestamp>/ unless --out) gets plan.json
plan.md and plan.html (a chart of throttle ratio and cost against shard count). Exits 99 when no shard count up to --max-shards meets the objectives.`,
		Example: `  kinesim plan plan-bike-city
  kinesim plan bike-rush-hour --headroom 0.3 --max-throttle-ratio 0.0001
  kinesim plan ./my-scenario.yaml --prices ./prices-eu-west-1.json --out /tmp/plan`,
		Args: scenarioArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return planScenario(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.Float64Var(&f.maxThrottle, "max-throttle-ratio", plan.DefaultMaxWriteThrottleRatio, "largest share of write attempts that may be throttled (0.001 = 0.1%)")
	fl.Float64Var(&f.headroom, "headroom", plan.DefaultHeadroom, "share of each shard's limits left unused at the peak (0.3 = 30%)")
	fl.IntVar(&f.maxShards, "max-shards", plan.DefaultMaxShards, "the most shards to try")
	fl.StringVar(&f.prices, "prices", "", "price table JSON file (default: the built-in, dated us-east-1 table)")
	fl.StringVar(&f.out, "out", "", "plan folder (default runs/<scenario>-plan-<UTC timestamp>)")
	fl.BoolVar(&f.noMeasure, "no-measure", false, "skip the measured runs in virtual time (no latency or backlog columns)")
	fl.DurationVar(&f.window, "measure-window", plan.DefaultMeasureWindow, "how much of a long scenario the measured runs cover, around its peak")
	fl.DurationVar(&f.maxPutP99, "max-put-p99", 0, "objective: highest p99 record latency, intended send to acknowledgement (e.g. 250ms)")
	fl.DurationVar(&f.maxE2EP99, "max-e2e-p99", 0, "objective: highest p99 end-to-end latency (needs a consumer)")
	fl.DurationVar(&f.maxAge, "max-iterator-age", 0, "objective: highest iterator age a consumer may reach (needs a consumer)")
	fl.DurationVar(&f.maxDrain, "max-backlog-drain", 0, "objective: how long after the peak consumers may take to catch up (needs a consumer)")
	fl.IntVar(&f.recordBudget, "record-budget", plan.DefaultRecordBudget, "records simulated one by one in the busiest seconds (0: fluid model only)")
	return cmd
}

func planScenario(cmd *cobra.Command, ref string, f planFlags) error {
	sc, err := loadScenario(ref, scenarios.WithMaxDuration(plan.MaxDuration, plan.MaxDurationReason))
	if err != nil {
		return err
	}
	obj := plan.ObjectivesOf(sc)
	fl := cmd.Flags()
	if fl.Changed("max-throttle-ratio") {
		obj.MaxWriteThrottleRatio = f.maxThrottle
	}
	if fl.Changed("headroom") {
		obj.Headroom = f.headroom
	}
	if fl.Changed("max-shards") {
		obj.MaxShards = f.maxShards
	}
	for _, o := range []struct {
		flag string
		d    time.Duration
		dst  *float64
		unit time.Duration
	}{
		{"max-put-p99", f.maxPutP99, &obj.MaxPutLatencyP99Ms, time.Millisecond},
		{"max-e2e-p99", f.maxE2EP99, &obj.MaxEndToEndP99Ms, time.Millisecond},
		{"max-iterator-age", f.maxAge, &obj.MaxIteratorAgeMs, time.Millisecond},
		{"max-backlog-drain", f.maxDrain, &obj.MaxBacklogDrainS, time.Second},
	} {
		if fl.Changed(o.flag) {
			*o.dst = float64(o.d) / float64(o.unit)
		}
	}
	if f.recordBudget < 0 {
		return usageError("--record-budget %d: use 0 or more", f.recordBudget)
	}
	if f.window <= 0 {
		return usageError("--measure-window %s: use a positive duration, e.g. 4m", f.window)
	}
	opts := []plan.Option{plan.WithObjectives(obj), plan.WithRecordBudget(f.recordBudget), plan.WithMeasuredRuns(!f.noMeasure, f.window)}
	if f.prices != "" {
		prices, err := pricing.Load(f.prices)
		if err != nil {
			return usageError("--prices: %w", err)
		}
		opts = append(opts, plan.WithPrices(prices))
	}
	out := f.out
	if out == "" {
		out = runner.RunDir("runs", sc.Name+"-plan", time.Now())
	}
	// Before the planning, which may take minutes: a folder it cannot make
	// (a file of that name, say) is bad usage.
	if err := os.MkdirAll(out, 0o755); err != nil {
		return usageError("--out: %w", err)
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	res, err := plan.Plan(ctx, sc, opts...)
	switch {
	case errors.Is(err, plan.ErrBadObjectives):
		return &exitError{code: exitUsage, err: err}
	case err != nil:
		return failure(err)
	}
	stdout := cmd.OutOrStdout()
	if err := res.WriteText(stdout); err != nil {
		return failure(err)
	}
	if err := res.WriteFiles(out); err != nil {
		return failure(err)
	}
	fmt.Fprintf(stdout, "Planned in %s; wrote %s, %s and %s\n", time.Since(start).Round(time.Millisecond),
		filepath.Join(out, plan.JSONFile), filepath.Join(out, plan.MarkdownFile), filepath.Join(out, plan.HTMLFile))
	if res.Recommended == 0 {
		return &exitError{code: exitThreshold, err: errors.New("no shard count meets the objectives")}
	}
	return nil
}
