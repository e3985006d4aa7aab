package emulated_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

func register(t *testing.T, em *emulated.Emulator, name string) *stream.Consumer {
	t.Helper()
	c, err := em.RegisterStreamConsumer(context.Background(), testStream, name)
	require.NoError(t, err)
	return c
}

func subscribe(t *testing.T, em *emulated.Emulator, c *stream.Consumer, shardID string, from stream.StartingPosition) stream.Subscription {
	t.Helper()
	sub, err := em.SubscribeToShard(context.Background(), &stream.SubscribeToShardInput{ConsumerARN: c.ARN, ShardID: shardID, StartingPosition: from})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

func next(t *testing.T, sub stream.Subscription) *stream.SubscribeToShardEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	event, err := sub.Next(ctx)
	require.NoError(t, err)
	return event
}

func TestRegisterStreamConsumer(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk), emulated.WithConsumerDelay(5*time.Second))
	c := register(t, em, "dashboard")
	assert.Equal(t, stream.ConsumerCreating, c.Status)
	assert.Equal(t, "arn:aws:kinesis:us-east-1:111111111111:stream/test-stream/consumer/dashboard:1748779200", c.ARN)

	_, err := em.SubscribeToShard(ctx, &stream.SubscribeToShardInput{ConsumerARN: c.ARN, ShardID: shard0, StartingPosition: stream.StartingPosition{Type: stream.Latest}})
	assert.ErrorIs(t, err, stream.ErrInUse, "a CREATING consumer cannot subscribe")
	_, err = em.RegisterStreamConsumer(ctx, testStream, "dashboard")
	assert.ErrorIs(t, err, stream.ErrInUse, "the same name twice")

	for i := range 4 {
		register(t, em, fmt.Sprintf("c%d", i))
	}
	_, err = em.RegisterStreamConsumer(ctx, testStream, "sixth")
	assert.ErrorIs(t, err, stream.ErrLimitExceeded, "a sixth consumer CREATING at once")

	clk.Advance(5 * time.Second)
	consumers, err := em.ListStreamConsumers(ctx, testStream)
	require.NoError(t, err)
	require.Len(t, consumers, 5)
	for _, c := range consumers {
		assert.Equal(t, stream.ConsumerActive, c.Status, c.Name)
	}
	for i := 4; i < stream.MaxConsumersPerStream-1; i++ {
		register(t, em, fmt.Sprintf("c%d", i))
		clk.Advance(5 * time.Second)
	}
	_, err = em.RegisterStreamConsumer(ctx, testStream, "twenty-first")
	assert.ErrorIs(t, err, stream.ErrLimitExceeded, "a 21st consumer")

	require.NoError(t, em.DeregisterStreamConsumer(ctx, testStream, "dashboard"))
	assert.ErrorIs(t, em.DeregisterStreamConsumer(ctx, testStream, "dashboard"), stream.ErrNotFound)
	_, err = em.SubscribeToShard(ctx, &stream.SubscribeToShardInput{ConsumerARN: c.ARN, ShardID: shard0, StartingPosition: stream.StartingPosition{Type: stream.Latest}})
	assert.ErrorIs(t, err, stream.ErrNotFound, "a deregistered consumer")
	_, err = em.SubscribeToShard(ctx, &stream.SubscribeToShardInput{ConsumerARN: "arn:nonsense", ShardID: shard0})
	assert.ErrorIs(t, err, stream.ErrInvalidArgument, "a malformed ARN")
}

func TestSubscribeToShard(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk))
	c := register(t, em, "app")
	first := put(t, em, records(3, 10, "first")...)

	sub := subscribe(t, em, c, shard0, stream.StartingPosition{Type: stream.TrimHorizon})
	event := next(t, sub)
	assert.Equal(t, []string{"first-0", "first-1", "first-2"}, keysOfRecords(event.Records))
	assert.Equal(t, first.Records[2].SequenceNumber, event.ContinuationSequenceNumber, "continue after the last record pushed")
	assert.Zero(t, event.MillisBehindLatest)

	_, err := em.SubscribeToShard(ctx, &stream.SubscribeToShardInput{ConsumerARN: c.ARN, ShardID: shard0, StartingPosition: stream.StartingPosition{Type: stream.Latest}})
	assert.ErrorIs(t, err, stream.ErrInUse, "subscribing again within 5 s")

	// Resubscribing from the continuation skips what was pushed.
	clk.Advance(stream.ResubscribeInterval)
	put(t, em, records(2, 10, "second")...)
	again := subscribe(t, em, c, shard0, stream.StartingPosition{Type: stream.AfterSequenceNumber, SequenceNumber: event.ContinuationSequenceNumber})
	assert.Equal(t, []string{"second-0", "second-1"}, keysOfRecords(next(t, again).Records))

	// The resubscription took the shard over: the first subscription ends
	// with ResourceInUseException and gets nothing more.
	_, err = sub.Next(ctx)
	assert.ErrorIs(t, err, stream.ErrInUse, "the older subscription after a takeover")

	// A caught-up subscription ends after five minutes (the clock's Sleep
	// moves time on at once).
	_, err = again.Next(ctx)
	assert.ErrorIs(t, err, io.EOF)
}

func TestSubscriptionPushesNewRecords(t *testing.T) {
	start := newFakeClock().Now()
	clk := clock.NewVirtual(start)
	em := newStream(t, 1, emulated.WithClock(clk))
	sub := subscribe(t, em, register(t, em, "app"), shard0, stream.StartingPosition{Type: stream.Latest})
	ctx := context.Background()
	clk.Run(func() {
		clock.Go(clk, func() {
			_ = clk.Sleep(ctx, time.Second)
			put(t, em, records(1, 10, "pushed")...)
		})
		event, err := sub.Next(ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{"pushed-0"}, keysOfRecords(event.Records))
		// A caught-up subscription looks for records every 50 ms.
		delay := clk.Now().Sub(start.Add(time.Second))
		assert.True(t, delay >= 0 && delay <= 50*time.Millisecond, "pushed %v after the write", delay)
	})
}

func TestFanOutThroughputPerConsumer(t *testing.T) {
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk))
	// 40 records of 100 KiB: 4 MiB, a second at a time for the write limit.
	for range 4 {
		put(t, em, records(10, 100<<10, "big")...)
		clk.Advance(time.Second)
	}
	// Two consumers each get the full 2 MiB/s: 4 MiB in four 1 MiB events,
	// the last three each waiting for the one before to be paid.
	for _, name := range []string{"one", "two"} {
		sub := subscribe(t, em, register(t, em, name), shard0, stream.StartingPosition{Type: stream.TrimHorizon})
		start, got := clk.Now(), 0
		for got < 40 {
			got += len(next(t, sub).Records)
		}
		elapsed := clk.Now().Sub(start)
		assert.InDelta(t, 1.5, elapsed.Seconds(), 0.05, "%s: 3 MiB paid at 2 MiB/s before the last event", name)
	}
}

func TestSubscriptionToClosedShard(t *testing.T) {
	ctx := context.Background()
	em := newStream(t, 1)
	put(t, em, records(2, 10, "k")...)
	sub := subscribe(t, em, register(t, em, "app"), shard0, stream.StartingPosition{Type: stream.TrimHorizon})
	require.NoError(t, em.SplitShard(ctx, &stream.SplitShardInput{StreamName: testStream, ShardToSplit: shard0, NewStartingHashKey: half}))

	event := next(t, sub)
	assert.Len(t, event.Records, 2)
	assert.Empty(t, event.ContinuationSequenceNumber, "nothing follows a closed shard's end")
	require.Len(t, event.ChildShards, 2)
	assert.Equal(t, "shardId-000000000001", event.ChildShards[0].ShardID)
	_, err := sub.Next(ctx)
	assert.ErrorIs(t, err, io.EOF)
}
