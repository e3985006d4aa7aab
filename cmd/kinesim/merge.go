package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

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
		wait        time.Duration
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
segment folder is then merged; --wait waits for them all. OUT_DIR may be an
s3:// prefix too.`,
		Example: `  kinesim merge runs/merged runs/seg-0 runs/seg-1 runs/seg-2 runs/seg-3
  kinesim merge runs/merged s3://my-bucket/load-test-1/`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			summary, err := reports.SummaryMode(summaryMode)
			if err != nil {
				return usageError("--summary: %w", err)
			}
			f := fetcher{endpoint: s3Endpoint, wait: wait, log: cmd.ErrOrStderr()}
			defer f.cleanup()
			segs, err := f.segments(cmd.Context(), args[1:])
			if err != nil {
				return err
			}
			out, upload, err := f.output(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if err := mergeRuns(cmd, out, segs, force, summary); err != nil {
				return errors.Join(err, upload())
			}
			return upload()
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "reuse a non-empty OUT_DIR, deleting the files a run wrote there")
	cmd.Flags().StringVar(&summaryMode, "summary", "compact", "summary detail, printed and in summary.md: compact or full")
	cmd.Flags().StringVar(&s3Endpoint, "s3-endpoint", "", "S3-compatible server URL for s3:// run folders (default: AWS_ENDPOINT_URL_S3, or Amazon S3)")
	cmd.Flags().DurationVar(&wait, "wait", 0, "for an s3:// prefix of segment folders, wait up to this long until every segment has its result.json (a merge Job started beside the segments)")
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

// fetcher turns RUN_DIR arguments into local folders, copying s3://
// prefixes into a temporary folder (removed by cleanup).
type fetcher struct {
	endpoint string
	wait     time.Duration
	log      io.Writer
	client   *s3folder.Client
	tmp      string
}

func (f *fetcher) cleanup() {
	if f.tmp != "" {
		os.RemoveAll(f.tmp)
	}
}

// open makes the S3 client and the temporary folder, once.
func (f *fetcher) open(ctx context.Context) error {
	if f.client != nil {
		return nil
	}
	var err error
	if f.client, err = s3folder.New(ctx, s3folder.Options{Endpoint: f.endpoint}); err != nil {
		return failure(err)
	}
	if f.tmp, err = os.MkdirTemp("", "kinesim-merge-"); err != nil {
		return failure(err)
	}
	return nil
}

// segments fetches the RUN_DIR arguments. A prefix that holds files is one
// run folder; one that holds only folders is a split run's, and each of its
// segment-* folders is a segment.
func (f *fetcher) segments(ctx context.Context, args []string) ([]merge.Segment, error) {
	var segs []merge.Segment
	for _, arg := range args {
		if !s3folder.IsURL(arg) {
			segs = append(segs, merge.Segment{Source: arg, Dir: arg})
			continue
		}
		loc, err := s3folder.Parse(arg)
		if err != nil {
			return nil, usageError("%w", err)
		}
		if err := f.open(ctx); err != nil {
			return nil, err
		}
		folders, err := f.await(ctx, loc)
		if err != nil {
			return nil, failure(err)
		}
		for _, folder := range folders {
			local := filepath.Join(f.tmp, strconv.Itoa(len(segs)))
			if err := f.client.Download(ctx, folder, local); err != nil {
				return nil, failure(err)
			}
			segs = append(segs, merge.Segment{Source: folder.String(), Dir: local})
		}
	}
	return segs, nil
}

var segmentFolderName = regexp.MustCompile(`^segment-(\d+)-of-(\d+)`)

// await lists the run folders under loc, waiting (up to --wait) until
// every segment-K-of-N folder of the split has its result.json; at the
// deadline it returns what is there, and merge names what is missing.
func (f *fetcher) await(ctx context.Context, loc s3folder.Location) ([]s3folder.Location, error) {
	deadline := time.Now().Add(f.wait)
	for {
		listing, err := f.client.List(ctx, loc)
		if err != nil {
			return nil, err
		}
		if len(listing.Files) > 0 {
			return []s3folder.Location{loc}, nil
		}
		var folders []s3folder.Location
		finished, want := 0, 0
		for _, name := range listing.Folders {
			m := segmentFolderName.FindStringSubmatch(name)
			if m == nil {
				continue // merged/, or another folder of the user's
			}
			folders = append(folders, loc.Join(name))
			n, _ := strconv.Atoi(m[2])
			want = max(want, n)
			inner, err := f.client.List(ctx, loc.Join(name))
			if err != nil {
				return nil, err
			}
			if slices.Contains(inner.Files, "result.json") {
				finished++
			}
		}
		if (want > 0 && finished >= want) || !time.Now().Before(deadline) {
			if len(folders) == 0 {
				return nil, fmt.Errorf("%s holds no run folder", loc)
			}
			return folders, nil
		}
		fmt.Fprintf(f.log, "kinesim merge: %d of %d segment(s) under %s have finished; waiting\n", finished, max(want, 1), loc)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(mergePoll, max(time.Until(deadline), 0))):
		}
	}
}

// mergePoll is how often merge --wait looks at the prefix again.
const mergePoll = 10 * time.Second

// output is the local folder merge writes, and the upload to an s3:// OUT.
func (f *fetcher) output(ctx context.Context, out string) (string, func() error, error) {
	if !s3folder.IsURL(out) {
		return out, func() error { return nil }, nil
	}
	loc, err := s3folder.Parse(out)
	if err != nil {
		return "", nil, usageError("%w", err)
	}
	if err := f.open(ctx); err != nil {
		return "", nil, err
	}
	dir := filepath.Join(f.tmp, "merged")
	return dir, func() error {
		if _, err := os.Stat(filepath.Join(dir, "result.json")); err != nil {
			return nil // nothing merged to upload
		}
		if err := f.client.Upload(context.WithoutCancel(ctx), dir, loc); err != nil {
			return failure(err)
		}
		fmt.Fprintf(f.log, "kinesim merge: merged run folder uploaded to %s\n", loc)
		return nil
	}, nil
}
