package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/kinesim/kinesim/result"
)

// StreamWaitTimeout bounds how long a segment that does not create the
// streams waits for segment 0 to make them ACTIVE.
const StreamWaitTimeout = 5 * time.Minute

// streamWaitPoll is how often a waiting segment looks for the streams.
const streamWaitPoll = time.Second

// prepareStreams creates the run's streams, or, in a split run, lets
// segment 0 create them while the others wait for them to answer
// ListShards (ACTIVE). A split run's streams outlive its segments: the
// others may still be writing when one ends, so none deletes them
// (kinesim cleanup does, once merge has run).
func prepareStreams(ctx context.Context, cfg Config, runID string) (cleanup func(), existing []string, err error) {
	seg, sc := cfg.Segment, cfg.Scenario
	if !seg.Split() {
		return createStreams(ctx, cfg.Target, sc, runID)
	}
	if seg.CreatesStreams() {
		_, existing, err := createStreams(ctx, cfg.Target, sc, runID)
		return func() {}, existing, err
	}
	return func() {}, nil, waitForStreams(ctx, cfg)
}

// waitForStreams polls ListShards on the clock until every stream of the
// scenario answers, or StreamWaitTimeout passes.
func waitForStreams(ctx context.Context, cfg Config) error {
	clk := cfg.Clock
	deadline := clk.Now().Add(StreamWaitTimeout)
	for _, name := range StreamNames(cfg.Scenario) {
		for {
			_, err := cfg.Target.ListShards(ctx, name)
			if err == nil {
				break
			}
			if !clk.Now().Before(deadline) {
				return fmt.Errorf("segment %s: stream %q not ACTIVE after %s (segment 0 creates it; is it running?): %w", cfg.Segment, name, StreamWaitTimeout, err)
			}
			if err := clk.Sleep(ctx, streamWaitPoll); err != nil {
				return fmt.Errorf("segment %s: waiting for stream %q: %w", cfg.Segment, name, err)
			}
		}
	}
	return nil
}

// segmentInfo says which share of a split run this was, and how late it
// started against the common start.
func (r *run) segmentInfo() *result.SegmentInfo {
	seg := r.cfg.Segment
	info := &result.SegmentInfo{Index: seg.Index, Count: seg.Count, Role: string(seg.Role)}
	if info.Role == "" {
		info.Role = "all"
	}
	if !r.cfg.StartAt.IsZero() {
		info.StartAt = r.cfg.StartAt.UTC()
		if late := r.setupAt.Sub(r.cfg.StartAt); late > 0 {
			info.LateS = late.Seconds()
		}
	}
	return info
}

// awaitOtherSegments keeps a split run's consumers reading until every
// segment's producers can have finished: the schedule's end plus the drain
// timeout, by which any segment's calls have ended (or been cut). Other
// segments' producers write to this segment's shards, and a late one
// finishes after this one; without the wait their last records would be
// judged lost. A whole run, or a segment without consumers, does not wait.
func (r *run) awaitOtherSegments(ctx context.Context) {
	seg := r.cfg.Segment
	if !seg.Split() || !seg.Consumes() || len(r.cfg.Scenario.Consumers) == 0 {
		return
	}
	clk := r.cfg.Clock
	_ = clk.Sleep(ctx, r.scheduleEnd().Add(r.cfg.DrainTimeout).Sub(clk.Now()))
}
