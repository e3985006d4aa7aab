package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkkinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
)

// TestSDKConsumerSubscribesAndResubscribes is an enhanced fan-out consumer
// written with aws-sdk-go-v2 alone, as a user would write one: it registers,
// subscribes from TRIM_HORIZON, reads until its subscription ends after 5
// minutes (on the emulator's clock, moved by the test), and subscribes again
// from the last ContinuationSequenceNumber. Every record written before,
// during and between the subscriptions must arrive once, in order.
func TestSDKConsumerSubscribesAndResubscribes(t *testing.T) {
	clk := newManualClock()
	_, endpoint := serve(t, emulated.New(emulated.WithClock(clk), emulated.WithConsumerDelay(time.Second)), server.WithNow(clk.Now))
	client := rawSDK(endpoint)
	ctx := t.Context()
	name := aws.String("efo-consumer")
	_, err := client.CreateStream(ctx, &sdkkinesis.CreateStreamInput{StreamName: name, ShardCount: aws.Int32(1)})
	require.NoError(t, err, "CreateStream")
	summary, err := client.DescribeStreamSummary(ctx, &sdkkinesis.DescribeStreamSummaryInput{StreamName: name})
	require.NoError(t, err, "DescribeStreamSummary")
	streamARN := summary.StreamDescriptionSummary.StreamARN

	var want []string // partition keys in write order: the payloads' ids
	put := func(phase string, n int) {
		entries := make([]types.PutRecordsRequestEntry, n)
		for i := range entries {
			key := fmt.Sprintf("%s-%03d", phase, i)
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(key), Data: []byte(key)}
			want = append(want, key)
		}
		out, err := client.PutRecords(ctx, &sdkkinesis.PutRecordsInput{StreamName: name, Records: entries})
		require.NoError(t, err, "PutRecords %s", phase)
		require.Zero(t, aws.ToInt32(out.FailedRecordCount), "PutRecords %s: failed records", phase)
	}

	registered, err := client.RegisterStreamConsumer(ctx, &sdkkinesis.RegisterStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String("sdk-efo")})
	require.NoError(t, err, "RegisterStreamConsumer")
	consumerARN := registered.Consumer.ConsumerARN
	assert.Equal(t, types.ConsumerStatusCreating, registered.Consumer.ConsumerStatus, "a new consumer is CREATING")
	clk.Advance(time.Second)
	described, err := client.DescribeStreamConsumer(ctx, &sdkkinesis.DescribeStreamConsumerInput{ConsumerARN: consumerARN})
	require.NoError(t, err, "DescribeStreamConsumer")
	assert.Equal(t, types.ConsumerStatusActive, described.ConsumerDescription.ConsumerStatus, "ACTIVE after the consumer delay")
	assert.Equal(t, aws.ToString(streamARN), aws.ToString(described.ConsumerDescription.StreamARN), "the consumer's stream")

	put("before", 40)
	var got []string
	var continuation string
	// read consumes events until n more records have arrived, or, with
	// n < 0, until the subscription ends.
	read := func(events <-chan types.SubscribeToShardEventStream, n int) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for target := len(got) + n; n < 0 || len(got) < target; {
			select {
			case ev, ok := <-events:
				if !ok {
					require.Negative(t, n, "the subscription ended after %d of %d records", len(got), target)
					return
				}
				e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
				require.True(t, isEvent, "event of type %T", ev)
				for _, r := range e.Value.Records {
					got = append(got, aws.ToString(r.PartitionKey))
					assert.Equal(t, aws.ToString(r.PartitionKey), string(r.Data), "record data")
				}
				if c := aws.ToString(e.Value.ContinuationSequenceNumber); c != "" {
					continuation = c
				}
			case <-deadline:
				require.FailNow(t, "no event for 30 s", "after %d records", len(got))
			}
		}
	}

	subscribe := func(pos *types.StartingPosition) *sdkkinesis.SubscribeToShardEventStream {
		out, err := client.SubscribeToShard(ctx, &sdkkinesis.SubscribeToShardInput{
			ConsumerARN: consumerARN, ShardId: aws.String("shardId-000000000000"), StartingPosition: pos})
		require.NoError(t, err, "SubscribeToShard %s", pos.Type)
		es := out.GetStream()
		t.Cleanup(func() { _ = es.Close() })
		return es
	}
	first := subscribe(&types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon})
	read(first.Events(), 40)
	put("during", 30)
	clk.Advance(time.Second) // the caught-up subscription looks again
	read(first.Events(), 30)

	_, err = client.SubscribeToShard(ctx, &sdkkinesis.SubscribeToShardInput{ConsumerARN: consumerARN,
		ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	var inUse *types.ResourceInUseException
	assert.ErrorAs(t, err, &inUse, "subscribing again within 5 seconds")

	clk.Advance(stream.SubscriptionLifetime)
	read(first.Events(), -1)
	require.NoError(t, first.Err(), "the first subscription ends cleanly after 5 minutes")

	put("between", 25)
	require.NotEmpty(t, continuation, "a ContinuationSequenceNumber to resume from")
	second := subscribe(&types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(continuation)})
	read(second.Events(), 25)
	assert.Equal(t, want, got, "every record once, in order, across the resubscribe")

	consumers, err := client.ListStreamConsumers(ctx, &sdkkinesis.ListStreamConsumersInput{StreamARN: streamARN})
	require.NoError(t, err, "ListStreamConsumers")
	require.Len(t, consumers.Consumers, 1, "consumers listed")
	assert.Equal(t, "sdk-efo", aws.ToString(consumers.Consumers[0].ConsumerName))
	_, err = client.DeregisterStreamConsumer(ctx, &sdkkinesis.DeregisterStreamConsumerInput{ConsumerARN: consumerARN})
	require.NoError(t, err, "DeregisterStreamConsumer")
	clk.Advance(time.Second) // the subscription looks again
	read(second.Events(), -1)
	var notFound *types.ResourceNotFoundException
	assert.ErrorAs(t, second.Err(), &notFound, "a deregistered consumer's subscription ends with an exception")
}

// TestConsumerOperationErrors checks the consumer operations' answers to
// requests AWS refuses.
func TestConsumerOperationErrors(t *testing.T) {
	client, streamARN := consumerStream(t, "errors")
	ctx := t.Context()
	reg, err := client.RegisterStreamConsumer(ctx, &sdkkinesis.RegisterStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String("c")})
	require.NoError(t, err, "RegisterStreamConsumer")

	tests := []struct {
		name string
		call func() error
		want string // error code
	}{
		// A consumer name in use on the stream.
		{"register twice", func() error {
			_, err := client.RegisterStreamConsumer(ctx, &sdkkinesis.RegisterStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String("c")})
			return err
		}, stream.CodeInUse},
		// A stream the server does not have.
		{"register on an unknown stream", func() error {
			_, err := client.RegisterStreamConsumer(ctx, &sdkkinesis.RegisterStreamConsumerInput{
				StreamARN: aws.String("arn:aws:kinesis:us-east-1:111111111111:stream/nope"), ConsumerName: aws.String("c")})
			return err
		}, stream.CodeNotFound},
		// An unknown consumer name on a known stream.
		{"describe an unknown consumer", func() error {
			_, err := client.DescribeStreamConsumer(ctx, &sdkkinesis.DescribeStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String("nope")})
			return err
		}, stream.CodeNotFound},
		// Neither a consumer ARN nor a stream ARN and name.
		{"describe without a consumer", func() error {
			_, err := client.DescribeStreamConsumer(ctx, &sdkkinesis.DescribeStreamConsumerInput{StreamARN: streamARN})
			return err
		}, stream.CodeInvalidArgument},
		// A shard the stream does not have.
		{"subscribe to an unknown shard", func() error {
			_, err := client.SubscribeToShard(ctx, &sdkkinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN,
				ShardId: aws.String("shardId-000000000009"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
			return err
		}, stream.CodeNotFound},
		// AT_SEQUENCE_NUMBER without the sequence number.
		{"subscribe without a sequence number", func() error {
			_, err := client.SubscribeToShard(ctx, &sdkkinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN,
				ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber}})
			return err
		}, stream.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want, "error code")
		})
	}
}

// TestListStreamConsumersPages checks NextToken paging through the driver's
// view of the API with the SDK's paginator.
func TestListStreamConsumersPages(t *testing.T) {
	client, streamARN := consumerStream(t, "pages")
	ctx := t.Context()
	var want []string
	for i := range 5 {
		name := fmt.Sprintf("c%d", i)
		want = append(want, name)
		_, err := client.RegisterStreamConsumer(ctx, &sdkkinesis.RegisterStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String(name)})
		require.NoError(t, err, "RegisterStreamConsumer %s", name)
	}
	var got []string
	pages := 0
	p := sdkkinesis.NewListStreamConsumersPaginator(client, &sdkkinesis.ListStreamConsumersInput{StreamARN: streamARN, MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err, "ListStreamConsumers page %d", pages+1)
		pages++
		for _, c := range page.Consumers {
			got = append(got, aws.ToString(c.ConsumerName))
		}
	}
	assert.Equal(t, want, got, "every consumer once")
	assert.Equal(t, 3, pages, "pages of 2")
	summary, err := client.DescribeStreamSummary(ctx, &sdkkinesis.DescribeStreamSummaryInput{StreamARN: streamARN})
	require.NoError(t, err)
	assert.Equal(t, int32(5), aws.ToInt32(summary.StreamDescriptionSummary.ConsumerCount), "ConsumerCount")
}

// consumerStream serves an emulator whose consumers are ACTIVE at once,
// creates a one-shard stream on it, and returns a plain SDK client and the
// stream's ARN.
func consumerStream(t *testing.T, name string) (*sdkkinesis.Client, *string) {
	t.Helper()
	_, endpoint := serve(t, emulated.New(emulated.WithConsumerDelay(0)))
	client := rawSDK(endpoint)
	_, err := client.CreateStream(t.Context(), &sdkkinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
	require.NoError(t, err, "CreateStream %s", name)
	return client, aws.String("arn:aws:kinesis:us-east-1:111111111111:stream/" + name)
}

// manualClock is a clock that moves only when the test advances it; Sleep
// blocks until then.
type manualClock struct {
	mu    sync.Mutex
	now   time.Time
	moved chan struct{} // closed, and replaced, on every Advance
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), moved: make(chan struct{})}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	close(c.moved)
	c.moved = make(chan struct{})
}

func (c *manualClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	until := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		now, moved := c.now, c.moved
		c.mu.Unlock()
		if !now.Before(until) {
			return ctx.Err()
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// TestDriverSubscribesToShardsAtOnce reads every shard of a stream at once
// through stream/kinesis's driver: subscriptions of one client must not
// share event-stream state (the SDK's default protocol value does, and
// races; the driver gives each its own). Run with -race.
func TestDriverSubscribesToShardsAtOnce(t *testing.T) {
	_, endpoint := serve(t, emulated.New(emulated.WithConsumerDelay(0)))
	tg := newDriver(t, endpoint)
	ctx := t.Context()
	const shards, records = 4, 400
	require.NoError(t, tg.CreateStream(ctx, &stream.CreateStreamInput{StreamName: "at-once", ShardCount: shards}))
	recs := make([]stream.Record, records)
	for i := range recs {
		recs[i] = stream.Record{PartitionKey: fmt.Sprintf("key-%d", i), Data: []byte("d")}
	}
	out, err := tg.PutRecords(ctx, &stream.PutRecordsInput{StreamName: "at-once", Records: recs})
	require.NoError(t, err, "PutRecords")
	require.Zero(t, out.FailedRecordCount)
	c, err := tg.RegisterStreamConsumer(ctx, "at-once", "reader")
	require.NoError(t, err, "RegisterStreamConsumer")
	assert.Equal(t, stream.ConsumerActive, c.Status, "ACTIVE when RegisterStreamConsumer returns")

	perShard := map[string]int{}
	for _, r := range out.Records {
		perShard[r.ShardID]++
	}
	var wg sync.WaitGroup
	for shardID, want := range perShard {
		wg.Go(func() {
			sub, err := tg.SubscribeToShard(ctx, &stream.SubscribeToShardInput{ConsumerARN: c.ARN, ShardID: shardID,
				StartingPosition: stream.StartingPosition{Type: stream.TrimHorizon}})
			if !assert.NoError(t, err, "SubscribeToShard %s", shardID) {
				return
			}
			defer sub.Close()
			readCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			got := 0
			for got < want {
				event, err := sub.Next(readCtx)
				if !assert.NoError(t, err, "%s: Next after %d of %d records", shardID, got, want) {
					return
				}
				got += len(event.Records)
			}
			assert.Equal(t, want, got, "%s: records", shardID)
		})
	}
	wg.Wait()
	require.NoError(t, tg.DeregisterStreamConsumer(ctx, "at-once", "reader"))
	consumers, err := tg.ListStreamConsumers(ctx, "at-once")
	require.NoError(t, err)
	assert.Empty(t, consumers, "no consumer after DeregisterStreamConsumer returns")
}
