package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
)

type compareFlags struct {
	tolerance string
	format    string
}

func newCompareCommand() *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare BASE CURRENT",
		Short: "Compare two result.json files; fail on regression",
		Long: `Compare a run's result.json (CURRENT) with a baseline (BASE), each a result.json or
the run folder holding it: latency percentiles,
throughput, throttling, dead letters. A metric regresses only when it gets worse
beyond BOTH its relative and its absolute tolerance, so noise on a busy machine
(p50 from 0.4 to 0.5 ms is +25% but 0.1 ms) does not fail a build. Exits 99 on
a regression.

Default tolerances (relative / absolute, in the metric's unit):
  *_latency_ms.p50, .p90   +10% / 1 ms      *_latency_ms.p99   +15% / 2 ms
  *_latency_ms.p999        +25% / 5 ms      *_latency_ms.max   +50% / 10 ms
  throughput (records/s)    -5% / 1         throttled_ratio    +25% / 0.005
  records_dead_lettered, records_unfinished: any increase

--tolerance overrides them: METRIC=+10% (relative), METRIC=+2 (absolute), or
METRIC=+10%/2 (both), comma-separated. Metrics: ` + strings.Join(reports.CompareMetricNames(), ", ") + `.

Without --tolerance, the tolerances come from the scenario the current run ran:
its compare.tolerances section, read from scenario.yaml next to CURRENT.json in
its run folder, e.g.
  compare: {tolerances: {"record_latency_ms.p99": "+10%/2", throughput: "-5%"}}
Precedence: --tolerance (when given, the scenario's tolerances are not read at
all), else the scenario's compare.tolerances, else the defaults above; a metric
neither names keeps its default.`,
		Example: `  kinesim compare baseline.json runs/ci-regression-20260101T080000Z/result.json
  kinesim compare base.json cur.json --tolerance 'record_latency_ms.p99=+10%,throughput=-5%'
  kinesim compare base.json cur.json --format md >> "$GITHUB_STEP_SUMMARY"`,
		Args: exactArgs(resultArg("BASE"), resultArg("CURRENT")),
		RunE: func(cmd *cobra.Command, args []string) error {
			return compareResults(cmd, args[0], args[1], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.tolerance, "tolerance", "", "per-metric tolerances, e.g. 'record_latency_ms.p99=+10%,throughput=-5%'")
	fl.StringVar(&f.format, "format", "text", "text or md")
	return cmd
}

func compareResults(cmd *cobra.Command, basePath, curPath string, f compareFlags) error {
	basePath, curPath = resultFile(basePath), resultFile(curPath)
	if f.format != "text" && f.format != "md" {
		return usageError("--format %q: use text or md", f.format)
	}
	spec, from := f.tolerance, ""
	if !cmd.Flags().Changed("tolerance") {
		var err error
		if spec, from, err = scenarioTolerances(curPath); err != nil {
			return usageError("%w", err)
		}
	}
	tols, err := reports.ParseTolerances(spec)
	switch {
	case err != nil && from != "":
		return usageError("%s: compare.tolerances: %w", from, err)
	case err != nil:
		return usageError("--tolerance: %w", err)
	}
	base, err := result.Read(basePath)
	if err != nil {
		return usageError("%w", err)
	}
	cur, err := result.Read(curPath)
	if err != nil {
		return usageError("%w", err)
	}
	// Name the files as given, not as the runs recorded them.
	base.Files["result"], cur.Files["result"] = basePath, curPath
	c := reports.Compare(base, cur, tols)
	if len(tols) > 0 {
		c.TolerancesFrom = from
	}
	if err := reports.WriteComparison(cmd.OutOrStdout(), c, f.format); err != nil {
		return failure(err)
	}
	if n := c.Regressions(); n > 0 {
		return &exitError{code: exitThreshold, err: fmt.Errorf("%d metric(s) regressed beyond tolerance", n)}
	}
	return nil
}

// scenarioTolerances reads compare.tolerances from the scenario.yaml in
// the current result's run folder, in --tolerance form, and says which file
// it read; "" and "" when the folder has no scenario.yaml.
func scenarioTolerances(curPath string) (spec, from string, err error) {
	path := filepath.Join(filepath.Dir(curPath), runner.ScenarioFile)
	sc, err := scenarios.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("the current run's scenario (for its compare.tolerances): %w", err)
	}
	return sc.Compare.ToleranceSpec(), path, nil
}
