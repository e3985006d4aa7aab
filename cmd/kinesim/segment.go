package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/s3folder"
	"github.com/kinesim/kinesim/scenarios"
)

// segmentFlags split a run between processes (kinesim run --segment) and
// send its folder to S3 (--out s3://...); resolve fills in the rest.
type segmentFlags struct {
	spec       string
	role       string
	startAt    string
	s3Endpoint string

	seg         segment.Segment
	startAtTime time.Time
	s3Out       *s3Output // set when --out is an s3:// prefix
}

// s3Output is a run folder written locally, then uploaded.
type s3Output struct {
	loc    s3folder.Location
	dir    string
	client *s3folder.Client
}

func (f *segmentFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.spec, "segment", "", "run segment K of N (0-based, e.g. 1/4) of a run split between processes; default from $"+segment.EnvIndex+" and $"+segment.EnvCount)
	fl.StringVar(&f.role, "segment-role", "", "what this segment runs: all (default), producers or consumers (default from $"+segment.EnvRole+")")
	fl.StringVar(&f.startAt, "start-at", "", "common start of every segment's schedule (RFC 3339, e.g. 2026-05-01T09:00:00Z); a segment ready later starts late and says so")
	fl.StringVar(&f.s3Endpoint, "s3-endpoint", "", "S3-compatible server URL for an s3:// --out (default: AWS_ENDPOINT_URL_S3, or Amazon S3)")
}

// resolve reads the segment from the flags or, without --segment, the
// environment of an Indexed Job's pod, the common start, and an s3:// out.
func (f *segmentFlags) resolve(ctx context.Context, sc *scenarios.Scenario, out string, getenv func(string) string) error {
	seg, err := f.parseSegment(getenv)
	if err != nil {
		return err
	}
	f.seg = seg
	if f.startAt != "" {
		if f.startAtTime, err = time.Parse(time.RFC3339Nano, f.startAt); err != nil {
			return usageError("--start-at %q: want an RFC 3339 time, e.g. 2026-05-01T09:00:00Z", f.startAt)
		}
		if sc.Clock == scenarios.ClockVirtual {
			return usageError("--start-at: scenario %s runs in virtual time; a common start needs clock: wall", sc.Name)
		}
	}
	if seg.Split() && sc.Target.Kind != scenarios.TargetKinesis {
		return usageError("--segment %s: the segments must share one stream, and the %s target is private to each process; run kinesim emulate and pass --endpoint, or use a kinesis target", seg, sc.Target.Kind)
	}
	if s3folder.IsURL(out) {
		return f.openS3(ctx, out)
	}
	return nil
}

func (f *segmentFlags) parseSegment(getenv func(string) string) (segment.Segment, error) {
	if f.spec != "" {
		seg, err := segment.Parse(f.spec)
		if err != nil {
			return seg, usageError("--segment: %w", err)
		}
		if seg.Role, err = segment.ParseRole(f.role); err != nil {
			return seg, usageError("--segment-role: %w", err)
		}
		return seg, nil
	}
	seg, ok, err := segment.FromEnv(getenv)
	switch {
	case err != nil:
		return seg, usageError("%w", err)
	case !ok && f.role != "":
		return seg, usageError("--segment-role needs --segment K/N (or $%s and $%s)", segment.EnvIndex, segment.EnvCount)
	case ok && f.role != "":
		if seg.Role, err = segment.ParseRole(f.role); err != nil {
			return seg, usageError("--segment-role: %w", err)
		}
	}
	return seg, nil
}

// openS3 checks the s3:// out and makes the local folder the run writes
// before it is uploaded.
func (f *segmentFlags) openS3(ctx context.Context, out string) error {
	loc, err := s3folder.Parse(out)
	if err != nil {
		return usageError("--out: %w", err)
	}
	client, err := s3folder.New(ctx, s3folder.Options{Endpoint: f.s3Endpoint})
	if err != nil {
		return failure(err)
	}
	dir, err := os.MkdirTemp("", "kinesim-run-")
	if err != nil {
		return failure(err)
	}
	f.s3Out = &s3Output{loc: loc, dir: dir, client: client}
	return nil
}

// segmentFolder is where a segment's files go under an s3:// out:
// segment-K-of-N (with the role when not all), so the pods of one Job share
// a prefix and merge finds them.
func segmentFolder(seg segment.Segment) string {
	name := fmt.Sprintf("segment-%d-of-%d", seg.Index, seg.Count)
	if seg.Role != "" && seg.Role != segment.RoleAll {
		name += "-" + string(seg.Role)
	}
	return name
}

// upload sends the run folder to the s3:// out, if that is where it goes,
// and removes the local copy once it is there.
func (f *segmentFlags) upload(ctx context.Context, dir string, seg segment.Segment) error {
	o := f.s3Out
	if o == nil {
		return nil
	}
	loc := o.loc
	if seg.Split() {
		loc = loc.Join(segmentFolder(seg))
	}
	// The upload runs even after a Ctrl-C: the report is what is left.
	if err := o.client.Upload(context.WithoutCancel(ctx), dir, loc); err != nil {
		return fmt.Errorf("%w (the run folder is kept at %s)", err, dir)
	}
	fmt.Fprintf(os.Stderr, "kinesim: run folder uploaded to %s\n", loc)
	return os.RemoveAll(dir)
}

// reportLate says when a segment was ready after the common start.
func reportLate(w io.Writer, seg segment.Segment, late float64) {
	if late > 0 {
		fmt.Fprintf(w, "kinesim: segment %s started %.3fs after --start-at; its send delay and latency count from the common schedule\n", seg, late)
	}
}
