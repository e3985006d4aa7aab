package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/scenarios"
)

// segmentFlags split a run between processes (kinesim run --segment).
type segmentFlags struct {
	spec    string
	role    string
	startAt string
}

func (f *segmentFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.spec, "segment", "", "run segment K of N (0-based, e.g. 1/4) of a run split between processes; default from $"+segment.EnvIndex+" and $"+segment.EnvCount)
	fl.StringVar(&f.role, "segment-role", "", "what this segment runs: all (default), producers or consumers (default from $"+segment.EnvRole+")")
	fl.StringVar(&f.startAt, "start-at", "", "common start of every segment's schedule (RFC 3339, e.g. 2026-05-01T09:00:00Z); a segment ready later starts late and says so")
}

// resolve reads the segment from the flags or, without --segment, the
// environment of an Indexed Job's pod, and the common start.
func (f segmentFlags) resolve(sc *scenarios.Scenario, getenv func(string) string) (segment.Segment, time.Time, error) {
	var (
		seg segment.Segment
		err error
	)
	switch {
	case f.spec != "":
		if seg, err = segment.Parse(f.spec); err != nil {
			return seg, time.Time{}, usageError("--segment: %w", err)
		}
		if seg.Role, err = segment.ParseRole(f.role); err != nil {
			return seg, time.Time{}, usageError("--segment-role: %w", err)
		}
	default:
		var ok bool
		if seg, ok, err = segment.FromEnv(getenv); err != nil {
			return seg, time.Time{}, usageError("%w", err)
		}
		if ok && f.role != "" {
			if seg.Role, err = segment.ParseRole(f.role); err != nil {
				return seg, time.Time{}, usageError("--segment-role: %w", err)
			}
		}
		if !ok && f.role != "" {
			return seg, time.Time{}, usageError("--segment-role needs --segment K/N (or $%s and $%s)", segment.EnvIndex, segment.EnvCount)
		}
	}
	var startAt time.Time
	if f.startAt != "" {
		if startAt, err = time.Parse(time.RFC3339Nano, f.startAt); err != nil {
			return seg, time.Time{}, usageError("--start-at %q: want an RFC 3339 time, e.g. 2026-05-01T09:00:00Z", f.startAt)
		}
		if sc.Clock == scenarios.ClockVirtual {
			return seg, time.Time{}, usageError("--start-at: scenario %s runs in virtual time; a common start needs clock: wall", sc.Name)
		}
	}
	if seg.Split() && sc.Target.Kind != scenarios.TargetKinesis {
		return seg, time.Time{}, usageError("--segment %s: the segments must share one stream, and the %s target is private to each process; run kinesim emulate and pass --endpoint, or use a kinesis target", seg, sc.Target.Kind)
	}
	return seg, startAt, nil
}

// reportLate says when a segment was ready after the common start.
func reportLate(w io.Writer, seg segment.Segment, late float64) {
	if late > 0 {
		fmt.Fprintf(w, "kinesim: segment %s started %.3fs after --start-at; its send delay and latency count from the common schedule\n", seg, late)
	}
}
