package consume

import (
	"context"
	"errors"
	"time"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/runner/pacing"
	"github.com/kinesim/kinesim/stream"
)

// pollingReader reads a shard with GetRecords every poll interval, from
// the shard's share of the stream's 5 calls/s and 2 MiB/s. The chaos faults
// on GetRecords (stall, expire_iterator, latency) apply to it.
type pollingReader struct {
	c   *consumer
	api stream.Reader
}

func (r *pollingReader) register(context.Context) error { return nil }

func (r *pollingReader) read(ctx context.Context, cur *shardCursor) {
	c, sh := r.c, cur.shard
	iter, err := r.iterator(ctx, sh, cur.lastSeq)
	if err != nil {
		return
	}
	cur.lastCkpt = c.clk.Now()
	var throttles int
	for {
		callAt := c.clk.Now()
		out, err := r.api.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: iter})
		now := c.clk.Now()
		if ctx.Err() != nil {
			return
		}
		c.rec.Add(metrics.GetRecordsCalls, 1, now)
		throttled := errors.Is(err, stream.ErrThrottled)
		c.rec.AddShardReads(sh.ShardID, 1, boolCount(throttled), now)
		if err != nil {
			wait := c.poll
			switch {
			case throttled:
				c.rec.Add(metrics.ReadThrottles, 1, now)
				throttles++
				wait = pacing.Backoff(throttles, c.poll, 10*c.poll, pacing.Jitter())
			case errors.Is(err, stream.ErrExpiredIterator):
				// Re-get an iterator after the last record processed.
				if iter, err = r.iterator(ctx, sh, cur.lastSeq); err != nil {
					return
				}
				continue
			}
			if c.clk.Sleep(ctx, wait) != nil {
				return
			}
			continue
		}
		throttles = 0
		c.rec.Observe(metrics.IteratorAge, now, time.Duration(out.MillisBehindLatest)*time.Millisecond)
		cur.delivered(out.Records, now)
		if len(out.Records) == 0 && out.MillisBehindLatest == 0 {
			cur.caughtUp(callAt)
		}
		if out.NextShardIterator == "" {
			cur.end(ctx)
			return
		}
		cur.checkpoint(ctx, now)
		iter = out.NextShardIterator
		if c.clk.Sleep(ctx, c.poll) != nil {
			return
		}
	}
}

// iterator returns an iterator after lastSeq or, without one, at the
// consumer's start position. A child shard starts at its trim horizon when
// the consumer starts at the trim horizon; else at the start time too (a
// child is younger than its parents, so nothing of it is skipped that the
// start position would not skip).
func (r *pollingReader) iterator(ctx context.Context, sh stream.Shard, lastSeq string) (string, error) {
	c := r.c
	in := &stream.GetShardIteratorInput{StreamName: c.streamName, ShardID: sh.ShardID, Type: stream.TrimHorizon}
	switch {
	case lastSeq != "":
		in.Type, in.SequenceNumber = stream.AfterSequenceNumber, lastSeq
	case !c.startAt.IsZero():
		in.Type, in.Timestamp = stream.AtTimestamp, c.startAt
	}
	for attempt := 1; ; attempt++ {
		it, err := r.api.GetShardIterator(ctx, in)
		if err == nil || !stream.Retryable(err) && !errors.Is(err, stream.ErrThrottled) {
			return it, err
		}
		if c.clk.Sleep(ctx, pacing.Backoff(attempt, c.poll, 10*c.poll, pacing.Jitter())) != nil {
			return "", ctx.Err()
		}
	}
}

// boolCount is 1 for true, 0 for false.
func boolCount(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
