package consume

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/runner/pacing"
	"github.com/kinesim/kinesim/stream"
)

// fanOutReader reads a shard with enhanced fan-out: the consumer registers
// itself on the stream and subscribes to each shard (SubscribeToShard);
// records are pushed at its own 2 MiB/s per shard instead of polled from the
// shared 5 calls/s. A subscription lasts at most 5 minutes: the worker then
// subscribes again after the continuation sequence number, as it does after
// an error. The rest (leases, checkpoints, parents before children,
// restarts) is the consumer's. The chaos faults on GetRecords (stall,
// expire_iterator, latency) do not apply to it; crash and lease_loss do.
type fanOutReader struct {
	c      *consumer
	fanOut stream.FanOut
	// consumerARN is the registration's, set by register.
	consumerARN string
}

// register registers the consumer on its stream (or finds it registered)
// and waits until it is ACTIVE.
func (r *fanOutReader) register(ctx context.Context) error {
	c := r.c
	reg, err := r.fanOut.RegisterStreamConsumer(ctx, c.streamName, c.name)
	if errors.Is(err, stream.ErrInUse) {
		reg, err = r.find(ctx)
	}
	for attempt := 1; err == nil && reg.Status != stream.ConsumerActive; attempt++ {
		if err = c.clk.Sleep(ctx, time.Second); err == nil {
			reg, err = r.find(ctx)
		}
	}
	if err != nil {
		return fmt.Errorf("consumer %q: register for enhanced fan-out on stream %q: %w", c.name, c.streamName, err)
	}
	r.consumerARN = reg.ARN
	return nil
}

// find returns the consumer's registration.
func (r *fanOutReader) find(ctx context.Context) (*stream.Consumer, error) {
	list, err := r.fanOut.ListStreamConsumers(ctx, r.c.streamName)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Name == r.c.name {
			return &list[i], nil
		}
	}
	return nil, fmt.Errorf("not among the stream's consumers")
}

// read reads the shard through subscriptions until its end or ctx is done.
func (r *fanOutReader) read(ctx context.Context, cur *shardCursor) {
	c := r.c
	var failures int
	for {
		in := &stream.SubscribeToShardInput{ConsumerARN: r.consumerARN, ShardID: cur.shard.ShardID,
			StartingPosition: stream.StartingPosition{Type: stream.TrimHorizon}}
		switch {
		case cur.lastSeq != "":
			in.StartingPosition = stream.StartingPosition{Type: stream.AfterSequenceNumber, SequenceNumber: cur.lastSeq}
		case !c.startAt.IsZero():
			in.StartingPosition = stream.StartingPosition{Type: stream.AtTimestamp, Timestamp: c.startAt}
		}
		sub, err := r.fanOut.SubscribeToShard(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// ResourceInUseException within 5 s of the last subscription,
			// throttling or a transient failure: back off and subscribe again.
			failures++
			if c.clk.Sleep(ctx, pacing.Backoff(failures, stream.ResubscribeInterval, 6*stream.ResubscribeInterval, pacing.Jitter())) != nil {
				return
			}
			continue
		}
		failures = 0
		ended := r.receive(ctx, sub, cur)
		sub.Close()
		if ended {
			cur.end(ctx)
			return
		}
		if ctx.Err() != nil {
			return
		}
		if c.clk.Sleep(ctx, stream.ResubscribeInterval) != nil {
			return
		}
	}
}

// receive handles one subscription's events until it ends (its 5-minute
// lifetime or an error: subscribe again), the shard's last event came
// (true: the caller checkpoints its end) or ctx is done.
func (r *fanOutReader) receive(ctx context.Context, sub stream.Subscription, cur *shardCursor) (shardEnded bool) {
	c := r.c
	for {
		ev, idle, err := r.next(ctx, sub)
		now := c.clk.Now()
		if ctx.Err() != nil {
			return false
		}
		if idle {
			// Nothing pushed for a poll interval: the shard is read to its tip.
			cur.caughtUp(now.Add(-c.poll))
			continue
		}
		if err != nil {
			return false // the 5-minute lifetime (io.EOF) or an error
		}
		c.rec.Observe(metrics.IteratorAge, now, time.Duration(ev.MillisBehindLatest)*time.Millisecond)
		cur.delivered(ev.Records, now)
		if ev.ContinuationSequenceNumber != "" && ev.ContinuationSequenceNumber != cur.shard.SequenceNumberRange.StartingSequenceNumber {
			cur.lastSeq = ev.ContinuationSequenceNumber
		}
		if ev.ContinuationSequenceNumber == "" && len(ev.ChildShards) > 0 {
			return true
		}
		cur.checkpoint(ctx, now)
	}
}

// next waits for the subscription's next event, at most a poll interval:
// idle is true when none came by then (the subscription stays usable).
func (r *fanOutReader) next(ctx context.Context, sub stream.Subscription) (ev *stream.SubscribeToShardEvent, idle bool, err error) {
	c := r.c
	waitCtx, cancel := context.WithCancel(ctx)
	stop := clock.AfterFunc(c.clk, c.poll, clock.CancelFunc(c.clk, cancel))
	ev, err = sub.Next(waitCtx)
	stop()
	cancel()
	if err != nil && !errors.Is(err, io.EOF) && ctx.Err() == nil && waitCtx.Err() != nil {
		return nil, true, nil
	}
	return ev, false, err
}
