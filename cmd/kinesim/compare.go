package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/reports"
)

type compareFlags struct {
	tolerance string
	format    string
}

func newCompareCommand() *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare BASE.json CURRENT.json",
		Short: "Compare two result.json files; fail on regression",
		Long: `Compare a run's result.json (CURRENT) with a baseline (BASE): latency percentiles,
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
METRIC=+10%/2 (both), comma-separated. Metrics: ` + strings.Join(reports.CompareMetricNames(), ", ") + `.`,
		Example: `  kinesim compare baseline.json runs/ci-regression-20260101T080000Z/result.json
  kinesim compare base.json cur.json --tolerance 'record_latency_ms.p99=+10%,throughput=-5%'
  kinesim compare base.json cur.json --format md >> "$GITHUB_STEP_SUMMARY"`,
		Args: cobra.ExactArgs(2),
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
	if f.format != "text" && f.format != "md" {
		return usageError("--format %q: use text or md", f.format)
	}
	tols, err := reports.ParseTolerances(f.tolerance)
	if err != nil {
		return usageError("--tolerance: %w", err)
	}
	base, err := reports.ReadResult(basePath)
	if err != nil {
		return usageError("%w", err)
	}
	cur, err := reports.ReadResult(curPath)
	if err != nil {
		return usageError("%w", err)
	}
	// Name the files as given, not as the runs recorded them.
	base.Files["result"], cur.Files["result"] = basePath, curPath
	c := reports.Compare(base, cur, tols)
	if err := reports.WriteComparison(cmd.OutOrStdout(), c, f.format); err != nil {
		return failure(err)
	}
	if n := c.Regressions(); n > 0 {
		return &exitError{code: exitThreshold, err: fmt.Errorf("%d metric(s) regressed beyond tolerance", n)}
	}
	return nil
}
