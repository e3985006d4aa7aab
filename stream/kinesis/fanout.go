package kinesis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	"github.com/kinesim/kinesim/stream"
)

// consumerStreamARN returns the ARN of the stream a consumer call names, and
// the stream's name for messages: the consumer APIs take only StreamARN, so
// a stream given by name is described first.
func (t *Target) consumerStreamARN(ctx context.Context, nameOrARN, op string) (arn, name string, err error) {
	ref, err := parseStreamRef(nameOrARN)
	if err != nil {
		return "", "", err
	}
	if ref.arn != nil {
		return *ref.arn, *ref.name, nil
	}
	s, err := t.describe(ctx, ref)
	if err != nil {
		return "", "", err
	}
	if aws.ToString(s.StreamARN) == "" {
		// kinesalite: it has no enhanced fan-out either.
		return "", "", &stream.APIError{Code: stream.CodeInvalidArgument,
			Message: fmt.Sprintf("%s %s: the server reports no StreamARN, which enhanced fan-out needs", op, *ref.name)}
	}
	return *s.StreamARN, *ref.name, nil
}

// RegisterStreamConsumer registers an enhanced fan-out consumer on a stream
// (by name or ARN) and blocks until it is ACTIVE, bounded by
// WithWaitTimeout: AWS keeps a consumer CREATING for a few seconds, during
// which SubscribeToShard fails with ResourceInUseException. A name in use
// matches stream.ErrInUse; more than 20 consumers, or 5 CREATING at once,
// stream.ErrLimitExceeded.
func (t *Target) RegisterStreamConsumer(ctx context.Context, streamName, consumerName string) (*stream.Consumer, error) {
	op := "RegisterStreamConsumer"
	streamARN, name, err := t.consumerStreamARN(ctx, streamName, op)
	if err != nil {
		return nil, err
	}
	op += " " + name + "/" + consumerName
	out, err := t.client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN:    aws.String(streamARN),
		ConsumerName: aws.String(consumerName),
	})
	if err != nil {
		return nil, mapError(op, err)
	}
	if out.Consumer == nil {
		return nil, fmt.Errorf("kinesis %s: response without Consumer", op)
	}
	c := convertConsumer(out.Consumer.ConsumerName, out.Consumer.ConsumerARN, out.Consumer.ConsumerStatus, out.Consumer.ConsumerCreationTimestamp)
	if c.Status == stream.ConsumerActive {
		return &c, nil
	}
	err = t.poll(ctx, op, "consumer", func(ctx context.Context) (bool, string, error) {
		d, err := t.client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(c.ARN)})
		if err != nil || d.ConsumerDescription == nil {
			// Not found yet (AWS is eventually consistent right after
			// registering), or a failure the next poll may not have.
			return false, "", mapError("DescribeStreamConsumer "+c.ARN, err)
		}
		desc := d.ConsumerDescription
		c = convertConsumer(desc.ConsumerName, desc.ConsumerARN, desc.ConsumerStatus, desc.ConsumerCreationTimestamp)
		return c.Status == stream.ConsumerActive, string(c.Status), nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func convertConsumer(name, arn *string, status types.ConsumerStatus, created *time.Time) stream.Consumer {
	return stream.Consumer{
		Name:      aws.ToString(name),
		ARN:       aws.ToString(arn),
		Status:    stream.ConsumerStatus(status),
		CreatedAt: aws.ToTime(created),
	}
}

// DeregisterStreamConsumer removes a consumer and blocks until it is gone,
// bounded by WithWaitTimeout (AWS shows it DELETING first, and a name is not
// free again until then). Its subscriptions end. A consumer that does not
// exist matches stream.ErrNotFound.
func (t *Target) DeregisterStreamConsumer(ctx context.Context, streamName, consumerName string) error {
	op := "DeregisterStreamConsumer"
	streamARN, name, err := t.consumerStreamARN(ctx, streamName, op)
	if err != nil {
		return err
	}
	op += " " + name + "/" + consumerName
	ref := &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(streamARN), ConsumerName: aws.String(consumerName)}
	_, err = t.client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{StreamARN: ref.StreamARN, ConsumerName: ref.ConsumerName})
	if err != nil {
		return mapError(op, err)
	}
	return t.poll(ctx, op, "consumer", func(ctx context.Context) (bool, string, error) {
		d, err := t.client.DescribeStreamConsumer(ctx, ref)
		err = mapError("DescribeStreamConsumer "+name+"/"+consumerName, err)
		switch {
		case errors.Is(err, stream.ErrNotFound):
			return true, "", nil
		case err != nil:
			return false, "", err
		case d.ConsumerDescription == nil:
			return false, "", nil
		}
		return false, string(d.ConsumerDescription.ConsumerStatus), nil
	})
}

// ListStreamConsumers lists a stream's consumers, following NextToken
// pagination.
func (t *Target) ListStreamConsumers(ctx context.Context, streamName string) ([]stream.Consumer, error) {
	op := "ListStreamConsumers"
	streamARN, name, err := t.consumerStreamARN(ctx, streamName, op)
	if err != nil {
		return nil, err
	}
	var consumers []stream.Consumer
	seen := map[string]bool{}
	in := &kinesis.ListStreamConsumersInput{StreamARN: aws.String(streamARN)}
	for {
		out, err := t.client.ListStreamConsumers(ctx, in)
		if err != nil {
			return nil, mapError(op+" "+name, err)
		}
		fresh := 0
		for _, c := range out.Consumers {
			if arn := aws.ToString(c.ConsumerARN); !seen[arn] {
				seen[arn] = true
				fresh++
				consumers = append(consumers, convertConsumer(c.ConsumerName, c.ConsumerARN, c.ConsumerStatus, c.ConsumerCreationTimestamp))
			}
		}
		if aws.ToString(out.NextToken) == "" || fresh == 0 {
			return consumers, nil
		}
		in.NextToken = out.NextToken
	}
}

// SubscribeToShard subscribes an ACTIVE consumer to a shard and returns its
// events as the SDK receives them over the response's event stream. ctx
// bounds opening the subscription only; Close (or the end of the 5 minutes,
// or of a closed shard) ends it. Subscribing the same consumer to the same
// shard again within 5 seconds matches stream.ErrInUse, and so does a
// consumer still CREATING; errors sent inside the event stream (the
// consumer deregistered, the stream deleted, a later subscription taking
// over) come from Next, mapped alike.
//
// It blocks until the event stream's first message arrives (see open). The
// call uses a protocol of its own (see subscribeProtocol): one that reads
// the initial-response event, which AWS sends first and kinesis-mock does
// not, as an optional event rather than a required one.
func (t *Target) SubscribeToShard(ctx context.Context, in *stream.SubscribeToShardInput) (stream.Subscription, error) {
	if in == nil {
		return nil, &stream.APIError{Code: stream.CodeInvalidArgument, Message: "SubscribeToShardInput is nil"}
	}
	op := "SubscribeToShard " + in.ShardID
	pos := &types.StartingPosition{Type: types.ShardIteratorType(in.StartingPosition.Type)}
	switch in.StartingPosition.Type {
	case stream.AtSequenceNumber, stream.AfterSequenceNumber:
		pos.SequenceNumber = aws.String(in.StartingPosition.SequenceNumber)
	case stream.AtTimestamp:
		pos.Timestamp = aws.Time(in.StartingPosition.Timestamp)
	}

	// The response body is read for minutes after the call returns, under
	// the call's context: give it one that ctx ends only until the
	// subscription is open, and that Close ends after.
	subCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, cancel)
	out, err := t.client.SubscribeToShard(subCtx, &kinesis.SubscribeToShardInput{
		ConsumerARN:      aws.String(in.ConsumerARN),
		ShardId:          aws.String(in.ShardID),
		StartingPosition: pos,
	}, func(o *kinesis.Options) { o.Protocol = subscribeProtocol() })
	var sub *subscription
	if err == nil {
		sub = &subscription{op: op, events: out.GetStream(), cancel: cancel}
		err = sub.open(ctx)
	} else {
		err = mapError(op, err)
	}
	if !stop() && err == nil { // ctx ended as the subscription opened
		err = fmt.Errorf("kinesis %s: %w", op, ctx.Err())
	}
	if err != nil {
		if sub != nil {
			_ = sub.Close()
		}
		cancel()
		return nil, err
	}
	return sub, nil
}

// subscribeProtocol returns the protocol for one SubscribeToShard call: the
// SDK's JSON 1.1 protocol, fresh, reading the initial-response event as an
// optional one.
//
// Why fresh: the SDK's protocol value holds one event-stream decoder and
// buffer that every event stream of the client shares, which races when
// two subscriptions read at once.
//
// Why optional: the SDK requires an initial-response event before the
// first SubscribeToShardEvent and fails the call without one; AWS sends it,
// kinesis-mock (0.6.2) does not. With HasInitialEventMessage false the SDK
// reads every message as an event, and initial-response, when it comes,
// arrives as an unknown union member that Next skips. This works with both,
// so no server has to be recognised. SubscribeToShard's output has no
// members, so nothing in the initial response is lost.
func subscribeProtocol() smithyhttp.ClientProtocol {
	return initialResponseOptional{awsjson.New11(schemas.Kinesis_20131202)}
}

type initialResponseOptional struct{ smithyhttp.ClientProtocol }

func (initialResponseOptional) HasInitialEventMessage() bool { return false }

// initialResponseTag is the event type of the event-stream message that
// carries an RPC operation's output before its events.
const initialResponseTag = "initial-response"

// subscription is one SubscribeToShard call's events.
type subscription struct {
	op     string
	events *kinesis.SubscribeToShardEventStream
	cancel context.CancelFunc
	once   sync.Once

	// What open received that Next has not returned yet.
	pending *stream.SubscribeToShardEvent
	ended   bool
}

// open waits for the event stream's first message. A refused subscription
// (a resubscribe within 5 seconds, a consumer not ACTIVE, an unknown shard)
// is an HTTP error on AWS but an exception inside a 200 event stream on
// kinesis-mock; waiting for the first message makes SubscribeToShard fail
// alike on both. AWS sends initial-response at once; kinesis-mock sends
// its first event within a second.
func (s *subscription) open(ctx context.Context) error {
	event, err := s.receive(ctx)
	switch {
	case err == io.EOF:
		s.ended = true
	case err != nil:
		return err
	}
	s.pending = event
	return nil
}

// Next returns the next SubscribeToShardEvent: io.EOF once the server has
// ended the event stream cleanly, the mapped error if it ended it with an
// exception.
func (s *subscription) Next(ctx context.Context) (*stream.SubscribeToShardEvent, error) {
	if event := s.pending; event != nil {
		s.pending = nil
		return event, nil
	}
	for !s.ended {
		event, err := s.receive(ctx)
		if err == io.EOF {
			s.ended = true
		}
		if event != nil || err != nil {
			return event, err
		}
	}
	return nil, io.EOF
}

// receive waits for the next message: an event, nil for initial-response,
// io.EOF at a clean end, or the exception that ended the stream.
func (s *subscription) receive(ctx context.Context) (*stream.SubscribeToShardEvent, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case ev, ok := <-s.events.Events():
		if !ok {
			if err := s.events.Err(); err != nil {
				return nil, mapError(s.op, err)
			}
			return nil, io.EOF
		}
		switch v := ev.(type) {
		case *types.SubscribeToShardEventStreamMemberSubscribeToShardEvent:
			return &stream.SubscribeToShardEvent{
				Records:                    convertRecords(v.Value.Records),
				ContinuationSequenceNumber: aws.ToString(v.Value.ContinuationSequenceNumber),
				MillisBehindLatest:         aws.ToInt64(v.Value.MillisBehindLatest),
				ChildShards:                convertChildShards(v.Value.ChildShards),
			}, nil
		case *types.UnknownUnionMember:
			if v.Tag == initialResponseTag {
				return nil, nil
			}
			return nil, fmt.Errorf("kinesis %s: unknown event type %q", s.op, v.Tag)
		default:
			return nil, fmt.Errorf("kinesis %s: unexpected event %T", s.op, ev)
		}
	}
}

// Close ends the subscription and releases its connection. It is safe to
// call more than once and from any goroutine. It returns nil: how the event
// stream ended is Next's to say.
func (s *subscription) Close() error {
	s.once.Do(func() {
		_ = s.events.Close()
		s.cancel()
	})
	return nil
}
