package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/merge"
	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/s3folder"
	"github.com/kinesim/kinesim/scenarios"
)

func newMergeCommand() *cobra.Command {
	var (
		force       bool
		summaryMode string
		s3Endpoint  string
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
incomplete (exit 1): nothing is merged as if it were whole.

A RUN_DIR may be an s3:// prefix (credentials from the AWS default chain): a
run folder, or the prefix a split run's pods wrote their segment-K-of-N/
folders under (kinesim run --out s3://.../ with --segment), whose every
folder is then merged.`,
		Example: `  kinesim merge runs/merged runs/seg-0 runs/seg-1 runs/seg-2 runs/seg-3
  kinesim merge runs/merged s3://my-bucket/load-test-1/`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			summary, err := reports.SummaryMode(summaryMode)
			if err != nil {
				return usageError("--summary: %w", err)
			}
			segs, cleanup, err := fetchSegments(cmd.Context(), args[1:], s3Endpoint)
			defer cleanup()
			if err != nil {
				return err
			}
			return mergeRuns(cmd, args[0], segs, force, summary)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "reuse a non-empty OUT_DIR, deleting the files a run wrote there")
	cmd.Flags().StringVar(&summaryMode, "summary", "compact", "summary detail, printed and in summary.md: compact or full")
	cmd.Flags().StringVar(&s3Endpoint, "s3-endpoint", "", "S3-compatible server URL for s3:// run folders (default: AWS_ENDPOINT_URL_S3, or Amazon S3)")
	return cmd
}

// mergeRuns merges the run folders, judges the merged result and writes
// the reports.
func mergeRuns(cmd *cobra.Command, out string, segs []merge.Segment, force bool, summary []reports.SummaryOption) error {
	if err := prepareRunFolder(out, force); err != nil {
		return err
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

// fetchSegments turns the RUN_DIR arguments into local folders, copying
// s3:// prefixes into temporary ones (removed by cleanup). A prefix that
// holds files is one run folder; one that holds only folders is a split
// run's, and each of its folders is a segment.
func fetchSegments(ctx context.Context, args []string, endpoint string) (segs []merge.Segment, cleanup func(), err error) {
	tmp := ""
	cleanup = func() {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}
	var client *s3folder.Client
	for _, arg := range args {
		if !s3folder.IsURL(arg) {
			segs = append(segs, merge.Segment{Source: arg, Dir: arg})
			continue
		}
		loc, err := s3folder.Parse(arg)
		if err != nil {
			return nil, cleanup, usageError("%w", err)
		}
		if client == nil {
			if client, err = s3folder.New(ctx, s3folder.Options{Endpoint: endpoint}); err != nil {
				return nil, cleanup, failure(err)
			}
			if tmp, err = os.MkdirTemp("", "kinesim-merge-"); err != nil {
				return nil, cleanup, failure(err)
			}
		}
		fetched, err := fetchPrefix(ctx, client, loc, filepath.Join(tmp, strconv.Itoa(len(segs))))
		if err != nil {
			return nil, cleanup, failure(err)
		}
		segs = append(segs, fetched...)
	}
	return segs, cleanup, nil
}

func fetchPrefix(ctx context.Context, client *s3folder.Client, loc s3folder.Location, dir string) ([]merge.Segment, error) {
	listing, err := client.List(ctx, loc)
	if err != nil {
		return nil, err
	}
	folders := []s3folder.Location{loc}
	if len(listing.Files) == 0 {
		if len(listing.Folders) == 0 {
			return nil, fmt.Errorf("%s holds no run folder", loc)
		}
		folders = folders[:0]
		for _, name := range listing.Folders {
			folders = append(folders, loc.Join(name))
		}
	}
	var segs []merge.Segment
	for i, f := range folders {
		local := filepath.Join(dir, strconv.Itoa(i))
		if err := client.Download(ctx, f, local); err != nil {
			return nil, err
		}
		segs = append(segs, merge.Segment{Source: f.String(), Dir: local})
	}
	return segs, nil
}
