// Package merge makes one run folder out of the run folders of a split run
// (kinesim run --segment K/N on several machines), as if one machine had
// run it: totals summed, per-second series aligned on absolute time,
// latency histograms merged bucket by bucket from each segment's
// latency.hlog (never averaged percentiles), and the segments' ledgers
// judged together, so a record produced in one segment and consumed in
// another is judged once. Thresholds are the caller's to judge on the
// merged result (package reports).
//
// A segment that is missing (no folder holds it) or incomplete (stopped
// early, or killed before it wrote result.json) is named in the merged
// result's merged section, and the merged result is marked incomplete;
// nothing is merged as if it were whole.
//
// Merge reads its sources in step and holds O(segments × metrics)
// histograms, whatever the runs' length. It is not safe to run two merges
// into the same folder at once.
package merge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/scenarios"
)

// Segment is one run folder to merge, already on local disk.
type Segment struct {
	// Source names it in the report: its folder, or the s3:// prefix it
	// was fetched from.
	Source string
	// Dir is the folder holding its files.
	Dir string
}

// Config is one merge.
type Config struct {
	// Scenario is the scenario the segments ran (their scenario.yaml):
	// its consumers' expectations judge the merged ledgers.
	Scenario *scenarios.Scenario
	// Segments are the run folders, in any order.
	Segments []Segment
	// OutDir is the merged run folder; Merge writes result.json and
	// latency.hlog there (the caller adds the reports).
	OutDir string
}

// ErrNotASegment is wrapped by Merge's error for a folder whose
// result.json is a whole run or another scenario's.
var ErrNotASegment = errors.New("not a segment of this run")

// part is one segment read back.
type part struct {
	Segment
	res *result.Result // nil when the folder has no result.json
	err error          // why res is nil
}

// Merge merges the segments into cfg.OutDir and returns the merged result
// (result.json is written). Segments that cannot be read are reported in
// the result, not returned as errors; the error is for a merge that could
// not be done at all (no usable segment, mixed runs, I/O).
func Merge(ctx context.Context, cfg Config) (*result.Result, error) {
	parts := readParts(cfg.Segments)
	read := slices.DeleteFunc(slices.Clone(parts), func(p part) bool { return p.res == nil })
	if len(read) == 0 {
		return nil, fmt.Errorf("merge: no segment has a result.json: %w", errors.Join(partErrors(parts)...))
	}
	if err := sameRun(read); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	res := skeleton(read)
	res.Merged = describe(parts)
	res.Complete = len(res.Merged.Missing) == 0 && !slices.ContainsFunc(res.Merged.Segments, func(s result.MergedSegment) bool { return !s.Complete })
	if !res.Complete {
		res.StopReason = incompleteReason(res.Merged)
	}
	sumCounts(res, read)
	if err := mergeLatency(res, parts, cfg.OutDir); err != nil {
		return nil, err
	}
	finishThroughput(res)
	haveSeries, err := mergeSeries(res, parts, cfg.OutDir)
	if err != nil {
		return nil, err
	}
	if err := judgeLedgers(ctx, res, cfg.Scenario, parts); err != nil {
		return nil, err
	}
	res.Files = map[string]string{
		"result":      filepath.Join(cfg.OutDir, "result.json"),
		"latency_log": filepath.Join(cfg.OutDir, metrics.IntervalLogFile),
	}
	if haveSeries {
		res.Files["series"] = filepath.Join(cfg.OutDir, result.SeriesFile)
	}
	if err := copyScenario(parts, cfg.OutDir); err == nil {
		res.Files["scenario"] = filepath.Join(cfg.OutDir, "scenario.yaml")
	}
	if err := res.WriteJSON(res.Files["result"]); err != nil {
		return res, err
	}
	return res, nil
}

// readParts reads each segment's result.json.
func readParts(segs []Segment) []part {
	parts := make([]part, len(segs))
	for i, s := range segs {
		parts[i].Segment = s
		parts[i].res, parts[i].err = result.Read(filepath.Join(s.Dir, "result.json"))
		if parts[i].err != nil && errors.Is(parts[i].err, os.ErrNotExist) {
			parts[i].err = fmt.Errorf("%s: no result.json: the segment did not finish (killed, or still running)", s.Source)
		}
	}
	return parts
}

func partErrors(parts []part) []error {
	var errs []error
	for _, p := range parts {
		if p.err != nil {
			errs = append(errs, p.err)
		}
	}
	return errs
}

// sameRun refuses folders that are not segments of one run: a whole run,
// or another scenario, seed or split.
func sameRun(parts []part) error {
	first := parts[0].res
	counts := map[string]int{}
	seen := map[string]string{}
	for _, p := range parts {
		r := p.res
		switch {
		case r.Segment == nil:
			return fmt.Errorf("merge: %s: %w: its result.json is a whole run (no segment); run each part with --segment K/N", p.Source, ErrNotASegment)
		case r.Scenario != first.Scenario || r.Seed != first.Seed:
			return fmt.Errorf("merge: %s: %w: scenario %q seed %d, but %s ran %q seed %d", p.Source, ErrNotASegment, r.Scenario, r.Seed, parts[0].Source, first.Scenario, first.Seed)
		}
		role := r.Segment.Role
		if n, ok := counts[role]; ok && n != r.Segment.Count {
			return fmt.Errorf("merge: %s: %w: segment %d/%d, but another %s segment is of %d", p.Source, ErrNotASegment, r.Segment.Index, r.Segment.Count, role, n)
		}
		counts[role] = r.Segment.Count
		key := segmentName(*r.Segment)
		if other, dup := seen[key]; dup {
			return fmt.Errorf("merge: segment %s is in both %s and %s", key, other, p.Source)
		}
		seen[key] = p.Source
	}
	return nil
}

func segmentName(s result.SegmentInfo) string {
	name := fmt.Sprintf("%d/%d", s.Index, s.Count)
	if s.Role != "" && s.Role != string(segment.RoleAll) {
		name += " " + s.Role
	}
	return name
}

// describe lists what was merged and which segments no folder held.
func describe(parts []part) *result.MergeInfo {
	info := &result.MergeInfo{}
	have := map[string]bool{}
	counts := map[string]int{}
	for _, p := range parts {
		if p.res == nil {
			info.Segments = append(info.Segments, result.MergedSegment{Source: p.Source, StopReason: p.err.Error()})
			continue
		}
		info.Segments = append(info.Segments, result.MergedSegment{Source: p.Source, Segment: *p.res.Segment, Complete: p.res.Complete, StopReason: p.res.StopReason})
		have[segmentName(*p.res.Segment)] = true
		counts[p.res.Segment.Role] = p.res.Segment.Count
	}
	for role, n := range counts {
		for k := range n {
			if name := segmentName(result.SegmentInfo{Index: k, Count: n, Role: role}); !have[name] {
				info.Missing = append(info.Missing, name)
			}
		}
	}
	slices.Sort(info.Missing)
	return info
}

// incompleteReason names the missing and incomplete segments.
func incompleteReason(info *result.MergeInfo) string {
	var parts []string
	if len(info.Missing) > 0 {
		parts = append(parts, "missing segment(s) "+strings.Join(info.Missing, ", "))
	}
	for _, s := range info.Segments {
		if s.Complete {
			continue
		}
		name := s.Source
		if s.Segment.Count > 0 {
			name = "segment " + segmentName(s.Segment) + " (" + s.Source + ")"
		}
		parts = append(parts, name+" incomplete: "+s.StopReason)
	}
	return strings.Join(parts, "; ")
}

// skeleton is the merged result's description: the first segment's
// scenario and target, the earliest start and the latest end.
func skeleton(parts []part) *result.Result {
	first := parts[0].res
	res := &result.Result{
		SchemaVersion:    result.SchemaVersion,
		Scenario:         first.Scenario,
		ScenarioFile:     first.ScenarioFile,
		Seed:             first.Seed,
		KinesimVersion:   first.KinesimVersion,
		Clock:            first.Clock,
		Target:           first.Target,
		StartedAt:        first.StartedAt,
		EndedAt:          first.EndedAt,
		PlannedDurationS: first.PlannedDurationS,
		LatencyMs:        map[string]result.Percentiles{},
	}
	for _, p := range parts {
		if p.res.StartedAt.Before(res.StartedAt) {
			res.StartedAt = p.res.StartedAt
		}
		if p.res.EndedAt.After(res.EndedAt) {
			res.EndedAt = p.res.EndedAt
		}
	}
	res.ElapsedS = res.EndedAt.Sub(res.StartedAt).Seconds()
	return res
}

// offset is how many whole seconds after the merged start r started: its
// second 0 is the merged run's second offset. Segments given a common
// --start-at all have offset 0.
func offset(merged, r *result.Result) int {
	return int(r.StartedAt.Sub(merged.StartedAt) / time.Second)
}

// mergeLatency merges the segments' interval logs into OutDir's
// latency.hlog, the whole-run percentiles and each second's.
func mergeLatency(res *result.Result, parts []part, outDir string) error {
	var readers []io.Reader
	for _, p := range parts {
		f, err := os.Open(filepath.Join(p.Dir, metrics.IntervalLogFile))
		if err != nil {
			if p.res == nil && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("merge: %s: %w", p.Source, err)
		}
		defer f.Close()
		readers = append(readers, f)
	}
	out, err := os.Create(filepath.Join(outDir, metrics.IntervalLogFile))
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	defer out.Close()
	w := metrics.NewIntervalLogWriter(out, res.StartedAt)
	m := metrics.NewLatencyMerge(res.StartedAt, readers...)
	err = m.Seconds(func(s *metrics.LatencySecond) error {
		w.Write(s)
		if i := s.Second; i >= 0 && i < len(res.Series) {
			res.Series[i].RecordLatencyMs = s.Percentiles(metrics.RecordLatency)
			res.Series[i].SendDelayMs = s.Percentiles(metrics.SendDelay)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	res.LatencyMs = m.Percentiles()
	res.LatencyDistributionMs = m.Distribution()
	return errors.Join(w.Close(), out.Close())
}

// judgeLedgers judges the consumers on every segment's ledger at once.
func judgeLedgers(ctx context.Context, res *result.Result, sc *scenarios.Scenario, parts []part) error {
	if sc == nil || len(sc.Consumers) == 0 {
		return nil
	}
	var paths []string
	for _, p := range parts {
		path := filepath.Join(p.Dir, ledger.FileName)
		if _, err := os.Stat(path); err == nil {
			paths = append(paths, path)
		}
	}
	if len(paths) == 0 {
		return nil
	}
	opts := ledger.JudgeOptions{Expect: map[string]map[string]int64{}}
	for _, c := range sc.Consumers {
		opts.Expect[c.Name] = c.Expect
	}
	v, err := ledger.JudgeFiles(ctx, paths, opts)
	if err != nil {
		return fmt.Errorf("merge: ledgers: %w", err)
	}
	res.Verification = v
	return nil
}

// copyScenario copies the first segment's scenario.yaml.
func copyScenario(parts []part, outDir string) error {
	for _, p := range parts {
		data, err := os.ReadFile(filepath.Join(p.Dir, "scenario.yaml"))
		if err == nil {
			return os.WriteFile(filepath.Join(outDir, "scenario.yaml"), data, 0o644)
		}
	}
	return os.ErrNotExist
}
