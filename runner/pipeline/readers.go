package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kinesim/kinesim/runner/pacing"
	"github.com/kinesim/kinesim/stream"
)

var (
	_ shardReader = (*pollingReader)(nil)
	_ shardReader = (*fanOutReader)(nil)
)

// pollingReader reads a shard of the output stream with GetRecords every
// poll interval, from its trim horizon (kinesim created the stream, so
// everything in it is the application's output of this run).
type pollingReader struct{ p *Pipeline }

func (r *pollingReader) register(context.Context) error { return nil }

func (r *pollingReader) read(ctx context.Context, sh stream.Shard) {
	p := r.p
	clk, poll := p.cfg.Clock, p.cfg.Pipeline.PollInterval.D()
	var lastSeq string
	iter, err := r.iterator(ctx, sh.ShardID, lastSeq)
	if err != nil {
		if ctx.Err() == nil {
			p.fail(fmt.Errorf("shard iterator of %s: %w", sh.ShardID, err))
		}
		return
	}
	var throttles int
	for {
		out, err := p.cfg.Reader.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: iter})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			wait := poll
			switch {
			case errors.Is(err, stream.ErrThrottled):
				throttles++
				wait = pacing.Backoff(throttles, poll, 10*poll, pacing.Jitter())
			case errors.Is(err, stream.ErrExpiredIterator):
				if iter, err = r.iterator(ctx, sh.ShardID, lastSeq); err != nil {
					return
				}
				continue
			}
			if clk.Sleep(ctx, wait) != nil {
				return
			}
			continue
		}
		throttles = 0
		p.received(out.Records, clk.Now())
		if n := len(out.Records); n > 0 {
			lastSeq = out.Records[n-1].SequenceNumber
		}
		if out.NextShardIterator == "" {
			return // a closed shard read to its end
		}
		iter = out.NextShardIterator
		if clk.Sleep(ctx, poll) != nil {
			return
		}
	}
}

// iterator returns an iterator after lastSeq, or at the trim horizon.
func (r *pollingReader) iterator(ctx context.Context, shardID, lastSeq string) (string, error) {
	p := r.p
	in := &stream.GetShardIteratorInput{StreamName: p.cfg.Pipeline.Output, ShardID: shardID, Type: stream.TrimHorizon}
	if lastSeq != "" {
		in.Type, in.SequenceNumber = stream.AfterSequenceNumber, lastSeq
	}
	poll := p.cfg.Pipeline.PollInterval.D()
	for attempt := 1; ; attempt++ {
		it, err := p.cfg.Reader.GetShardIterator(ctx, in)
		if err == nil || !stream.Retryable(err) && !errors.Is(err, stream.ErrThrottled) {
			return it, err
		}
		if p.cfg.Clock.Sleep(ctx, pacing.Backoff(attempt, poll, 10*poll, pacing.Jitter())) != nil {
			return "", ctx.Err()
		}
	}
}

// fanOutReader reads the output stream with enhanced fan-out: kinesim
// registers as a consumer of it (kinesim-pipeline-NAME) and subscribes to
// each shard, again after each subscription's 5 minutes or an error.
type fanOutReader struct {
	p      *Pipeline
	fanOut stream.FanOut
	arn    string
}

func (r *fanOutReader) consumerName() string { return "kinesim-pipeline-" + r.p.cfg.Pipeline.Name }

// register registers kinesim on the output stream and waits until the registration is ACTIVE.
func (r *fanOutReader) register(ctx context.Context) error {
	p := r.p
	name, output := r.consumerName(), p.cfg.Pipeline.Output
	reg, err := r.fanOut.RegisterStreamConsumer(ctx, output, name)
	for errors.Is(err, stream.ErrInUse) || err == nil && reg.Status != stream.ConsumerActive {
		if err = p.cfg.Clock.Sleep(ctx, time.Second); err != nil {
			break
		}
		var list []stream.Consumer
		if list, err = r.fanOut.ListStreamConsumers(ctx, output); err != nil {
			break
		}
		err = fmt.Errorf("consumer %s is not registered", name)
		for i := range list {
			if list[i].Name == name {
				reg, err = &list[i], nil
			}
		}
	}
	if err != nil {
		return fmt.Errorf("register for enhanced fan-out on %q: %w", output, err)
	}
	r.arn = reg.ARN
	return nil
}

func (r *fanOutReader) read(ctx context.Context, sh stream.Shard) {
	p := r.p
	var lastSeq string
	var failures int
	for ctx.Err() == nil {
		in := &stream.SubscribeToShardInput{ConsumerARN: r.arn, ShardID: sh.ShardID, StartingPosition: stream.StartingPosition{Type: stream.TrimHorizon}}
		if lastSeq != "" {
			in.StartingPosition = stream.StartingPosition{Type: stream.AfterSequenceNumber, SequenceNumber: lastSeq}
		}
		sub, err := r.fanOut.SubscribeToShard(ctx, in)
		if err != nil {
			failures++
			if p.cfg.Clock.Sleep(ctx, pacing.Backoff(failures, stream.ResubscribeInterval, 6*stream.ResubscribeInterval, pacing.Jitter())) != nil {
				return
			}
			continue
		}
		failures = 0
		for {
			ev, err := sub.Next(ctx)
			if err != nil {
				break // the 5-minute lifetime, an error, or ctx done
			}
			p.received(ev.Records, p.cfg.Clock.Now())
			if n := len(ev.Records); n > 0 {
				lastSeq = ev.Records[n-1].SequenceNumber
			}
			if ev.ContinuationSequenceNumber == "" && len(ev.ChildShards) > 0 {
				sub.Close()
				return // a closed shard read to its end
			}
		}
		sub.Close()
		if p.cfg.Clock.Sleep(ctx, stream.ResubscribeInterval) != nil {
			return
		}
	}
}
