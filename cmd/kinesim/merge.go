package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/merge"
	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

func newMergeCommand() *cobra.Command {
	var (
		force       bool
		summaryMode string
	)
	cmd := &cobra.Command{
		Use:   "merge OUT_DIR RUN_DIR...",
		Short: "Merge the run folders of a split run (run --segment K/N) into one, as if one machine had run it",
		Long: `Merge the run folders of the segments of one run (kinesim run --segment K/N on
several machines, e.g. the pods of the Indexed Job 'kinesim k8s' prints) into
OUT_DIR: totals summed, per-second series aligned on absolute time, latency
histograms merged bucket by bucket from each segment's latency.hlog (never
averaged percentiles), and the segments' ledgers judged together, so a record
produced by one segment and read by another's consumer is judged once. The
scenario's thresholds and its consumers' expectations are judged on the merged
result; a failure exits 99, as for run. OUT_DIR gets result.json (with a merged
section listing the segments), latency.hlog, scenario.yaml, summary.md and
report.html.

A missing segment (no RUN_DIR holds it) or an incomplete one (stopped early, or
killed before writing result.json) is named, and the merged result is marked
incomplete (exit 1): nothing is merged as if it were whole.`,
		Example: `  kinesim merge runs/merged runs/seg-0 runs/seg-1 runs/seg-2 runs/seg-3`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			summary, err := reports.SummaryMode(summaryMode)
			if err != nil {
				return usageError("--summary: %w", err)
			}
			return mergeRuns(cmd, args[0], args[1:], force, summary)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "reuse a non-empty OUT_DIR, deleting the files a run wrote there")
	cmd.Flags().StringVar(&summaryMode, "summary", "compact", "summary detail, printed and in summary.md: compact or full")
	return cmd
}

// mergeRuns merges the run folders, judges the merged result and writes
// the reports.
func mergeRuns(cmd *cobra.Command, out string, dirs []string, force bool, summary []reports.SummaryOption) error {
	if err := prepareRunFolder(out, force); err != nil {
		return err
	}
	segs := make([]merge.Segment, len(dirs))
	for i, d := range dirs {
		segs[i] = merge.Segment{Source: d, Dir: d}
	}
	sc, thresholds, err := mergedScenario(segs)
	if err != nil {
		return err
	}
	res, err := merge.Merge(cmd.Context(), merge.Config{Scenario: sc, Segments: segs, OutDir: out})
	if errors.Is(err, merge.ErrNotASegment) {
		return usageError("%w", err)
	}
	if res == nil {
		return failure(err)
	}
	res.Thresholds = reports.JudgeThresholds(thresholds, res, nil, nil)
	err = errors.Join(err, res.WriteJSON(res.Files["result"]), writeReports(res, out, summary))
	if err := reports.WriteSummary(cmd.OutOrStdout(), res, summary...); err != nil {
		return failure(err)
	}
	if err != nil {
		return failure(err)
	}
	return mergeOutcome(res)
}

// mergedScenario loads the scenario the segments ran, from the first
// folder that holds its scenario.yaml.
func mergedScenario(segs []merge.Segment) (*scenarios.Scenario, []scenarios.Threshold, error) {
	var errs []error
	for _, s := range segs {
		sc, err := loadScenario(filepath.Join(s.Dir, "scenario.yaml"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		thresholds, err := scenarios.ParseThresholds(sc)
		if err != nil {
			return nil, nil, usageError("%w", err)
		}
		return sc, thresholds, nil
	}
	return nil, nil, failure(fmt.Errorf("no run folder holds a readable scenario.yaml: %w", errors.Join(errs...)))
}

// mergeOutcome is merge's exit: incomplete 1; failed thresholds or
// verification 99.
func mergeOutcome(res *result.Result) error {
	if !res.Complete {
		return failure(errors.New("merged result is incomplete: " + res.StopReason))
	}
	if n := res.ThresholdsFailed(); n > 0 {
		return &exitError{code: exitThreshold, err: fmt.Errorf("%d threshold(s) failed on the merged result", n)}
	}
	if v := res.Verification; v != nil && !v.Passed {
		return &exitError{code: exitThreshold, err: errors.New("verification failed on the merged ledgers: a consumer's deliveries did not meet its expect")}
	}
	return nil
}
