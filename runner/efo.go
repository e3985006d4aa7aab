package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/stream"
)

// Enhanced fan-out: a consumer in mode efo registers itself on the stream
// and subscribes to each shard (SubscribeToShard); records are pushed at
// its own 2 MiB/s per shard instead of polled from the shared 5 calls/s.
// A subscription lasts at most 5 minutes: the worker then subscribes again
// after the continuation sequence number, as it does after an error. The
// rest (leases, checkpoints, parents before children, restarts) is the
// polling consumer's. The chaos faults on GetRecords (stall,
// expire_iterator, latency) do not apply to it; crash and lease_loss do.

// registerFanOut registers the consumer on its stream (or finds it
// registered) and waits until it is ACTIVE.
func (c *pollingConsumer) registerFanOut(ctx context.Context) error {
	reg, err := c.fanOut.RegisterStreamConsumer(ctx, c.streamName, c.name)
	if errors.Is(err, stream.ErrInUse) {
		reg, err = c.findFanOutConsumer(ctx)
	}
	for attempt := 1; err == nil && reg.Status != stream.ConsumerActive; attempt++ {
		if err = c.clk.Sleep(ctx, time.Second); err == nil {
			reg, err = c.findFanOutConsumer(ctx)
		}
	}
	if err != nil {
		return fmt.Errorf("consumer %q: register for enhanced fan-out on stream %q: %w", c.name, c.streamName, err)
	}
	c.consumerARN = reg.ARN
	return nil
}

func (c *pollingConsumer) findFanOutConsumer(ctx context.Context) (*stream.Consumer, error) {
	list, err := c.fanOut.ListStreamConsumers(ctx, c.streamName)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Name == c.name {
			return &list[i], nil
		}
	}
	return nil, fmt.Errorf("not among the stream's consumers")
}

// subscribeShard reads one shard through subscriptions until its end or
// ctx is done; lastSeq is its checkpoint.
func (c *pollingConsumer) subscribeShard(ctx context.Context, sh stream.Shard, lastSeq string, prog *shardProgress) {
	shardID := sh.ShardID
	var (
		sinceCkpt int
		lastCkpt  = c.clk.Now()
		failures  int
	)
	checkpoint := func(now time.Time, seq string) {
		if c.store.SaveCheckpoint(ctx, shardID, seq) == nil {
			c.ledger.Checkpointed(shardID)
			sinceCkpt, lastCkpt = 0, now
		}
	}
	for {
		in := &stream.SubscribeToShardInput{ConsumerARN: c.consumerARN, ShardID: shardID,
			StartingPosition: stream.StartingPosition{Type: stream.TrimHorizon}}
		switch {
		case lastSeq != "":
			in.StartingPosition = stream.StartingPosition{Type: stream.AfterSequenceNumber, SequenceNumber: lastSeq}
		case !c.startAt.IsZero():
			in.StartingPosition = stream.StartingPosition{Type: stream.AtTimestamp, Timestamp: c.startAt}
		}
		sub, err := c.fanOut.SubscribeToShard(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// ResourceInUseException within 5 s of the last subscription,
			// throttling or a transient failure: back off and subscribe again.
			failures++
			if c.clk.Sleep(ctx, Backoff(failures, stream.ResubscribeInterval, 6*stream.ResubscribeInterval, jitter())) != nil {
				return
			}
			continue
		}
		failures = 0
		for {
			ev, idle, err := c.next(ctx, sub)
			now := c.clk.Now()
			if ctx.Err() != nil {
				sub.Close()
				return
			}
			if idle {
				// Nothing pushed for a poll interval: the shard is read to its tip.
				prog.mu.Lock()
				prog.caughtUp[shardID] = now.Add(-c.poll)
				prog.mu.Unlock()
				continue
			}
			if err != nil {
				break // the 5-minute lifetime (io.EOF) or an error: subscribe again
			}
			c.rec.Observe(metrics.IteratorAge, now, time.Duration(ev.MillisBehindLatest)*time.Millisecond)
			c.process(shardID, ev.Records, now)
			if n := len(ev.Records); n > 0 {
				lastSeq = ev.Records[n-1].SequenceNumber
				sinceCkpt += n
			}
			if ev.ContinuationSequenceNumber != "" && ev.ContinuationSequenceNumber != sh.SequenceNumberRange.StartingSequenceNumber {
				lastSeq = ev.ContinuationSequenceNumber
			}
			if ev.ContinuationSequenceNumber == "" && len(ev.ChildShards) > 0 {
				sub.Close()
				if c.store.SaveCheckpoint(ctx, shardID, ShardEnd) == nil {
					c.ledger.Checkpointed(shardID)
				}
				return
			}
			if sinceCkpt > 0 && (sinceCkpt >= c.ckptRecords || now.Sub(lastCkpt) >= c.ckptEvery) {
				checkpoint(now, lastSeq)
			}
		}
		sub.Close()
		if c.clk.Sleep(ctx, stream.ResubscribeInterval) != nil {
			return
		}
	}
}

// next waits for the subscription's next event, at most a poll interval:
// idle is true when none came by then (the subscription stays usable).
func (c *pollingConsumer) next(ctx context.Context, sub stream.Subscription) (ev *stream.SubscribeToShardEvent, idle bool, err error) {
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
