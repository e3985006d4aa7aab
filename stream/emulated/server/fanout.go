package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kinesim/kinesim/stream"
)

// Enhanced fan-out: RegisterStreamConsumer, DeregisterStreamConsumer,
// DescribeStreamConsumer, ListStreamConsumers (JSON 1.1) and
// SubscribeToShard, whose response is an event stream. The emulator keeps
// the consumers, their CREATING delay, the 5-second resubscribe rule, the
// 2 MiB/s per consumer and shard and the 5-minute subscription lifetime;
// the server checks the API model and frames the events.

type registerConsumerRequest struct {
	StreamARN    *string `json:"StreamARN"`
	ConsumerName *string `json:"ConsumerName"`
}

type consumerRefRequest struct {
	StreamARN    *string `json:"StreamARN"`
	ConsumerName *string `json:"ConsumerName"`
	ConsumerARN  *string `json:"ConsumerARN"`
}

type listConsumersRequest struct {
	StreamARN  *string `json:"StreamARN"`
	NextToken  *string `json:"NextToken"`
	MaxResults *int64  `json:"MaxResults"`
}

type startingPositionJSON struct {
	Type           *string    `json:"Type"`
	SequenceNumber *string    `json:"SequenceNumber"`
	Timestamp      *epochTime `json:"Timestamp"`
}

type subscribeRequest struct {
	ConsumerARN      *string               `json:"ConsumerARN"`
	ShardID          *string               `json:"ShardId"`
	StartingPosition *startingPositionJSON `json:"StartingPosition"`
}

type consumerJSON struct {
	ConsumerName              string    `json:"ConsumerName"`
	ConsumerARN               string    `json:"ConsumerARN"`
	ConsumerStatus            string    `json:"ConsumerStatus"`
	ConsumerCreationTimestamp epochTime `json:"ConsumerCreationTimestamp"`
	StreamARN                 string    `json:"StreamARN,omitempty"` // DescribeStreamConsumer only
}

func toConsumerJSON(c stream.Consumer) consumerJSON {
	return consumerJSON{ConsumerName: c.Name, ConsumerARN: c.ARN, ConsumerStatus: string(c.Status), ConsumerCreationTimestamp: epochTime(c.CreatedAt)}
}

// defaultListConsumers is ListStreamConsumers' MaxResults when none is given.
const defaultListConsumers = 100

// consumerStream resolves a request's StreamARN, which the consumer
// operations require, to a stream name the emulator knows.
func consumerStream(ctx context.Context, s *Server, arn *string) (string, error) {
	var v validation
	v.str(arn, "streamARN", streamARNRule.required())
	if err := v.err(); err != nil {
		return "", err
	}
	name, err := streamName(streamRefJSON{StreamARN: arn})
	if err != nil {
		return "", err
	}
	if _, _, err := s.meta(ctx, name); err != nil {
		return "", err
	}
	return name, nil
}

// consumerNameRule is the model's ConsumerName: a stream name's shape.
var consumerNameRule = streamNameRule.required()

func registerStreamConsumer(ctx context.Context, s *Server, req *registerConsumerRequest) (any, error) {
	var v validation
	v.str(req.StreamARN, "streamARN", streamARNRule.required())
	v.str(req.ConsumerName, "consumerName", consumerNameRule)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := consumerStream(ctx, s, req.StreamARN)
	if err != nil {
		return nil, err
	}
	c, err := s.emu.RegisterStreamConsumer(ctx, name, *req.ConsumerName)
	if err != nil {
		return nil, err
	}
	// Kinesis answers CREATING whatever comes next; DescribeStreamConsumer
	// shows ACTIVE once the emulator's consumer delay has passed.
	c.Status = stream.ConsumerCreating
	return map[string]consumerJSON{"Consumer": toConsumerJSON(*c)}, nil
}

// findConsumer resolves a consumer named by ConsumerARN, or by StreamARN
// and ConsumerName, to its stream and description.
func findConsumer(ctx context.Context, s *Server, req *consumerRefRequest) (string, stream.Consumer, error) {
	var v validation
	stringLength(&v, req.ConsumerARN, "consumerARN", 1, 2048)
	v.str(req.ConsumerName, "consumerName", consumerNameRule.optional())
	v.str(req.StreamARN, "streamARN", streamARNRule)
	if err := v.err(); err != nil {
		return "", stream.Consumer{}, err
	}
	var name, consumerName string
	switch {
	case req.ConsumerARN != nil:
		// arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CONSUMER:CREATED
		streamPart, rest, ok := strings.Cut(*req.ConsumerARN, "/consumer/")
		consumerName, _, _ = strings.Cut(rest, ":")
		if !ok || consumerName == "" {
			return "", stream.Consumer{}, invalidArgument("ConsumerARN %q is not a consumer ARN", *req.ConsumerARN)
		}
		var err error
		if name, err = streamName(streamRefJSON{StreamARN: &streamPart}); err != nil {
			return "", stream.Consumer{}, err
		}
	case req.StreamARN != nil && req.ConsumerName != nil:
		var err error
		if name, err = consumerStream(ctx, s, req.StreamARN); err != nil {
			return "", stream.Consumer{}, err
		}
		consumerName = *req.ConsumerName
	default:
		return "", stream.Consumer{}, invalidArgument("Either ConsumerARN, or StreamARN and ConsumerName, should be provided.")
	}
	consumers, err := s.emu.ListStreamConsumers(ctx, name)
	if err != nil {
		return "", stream.Consumer{}, err
	}
	for _, c := range consumers {
		if c.Name == consumerName && (req.ConsumerARN == nil || c.ARN == *req.ConsumerARN) {
			return name, c, nil
		}
	}
	return "", stream.Consumer{}, stream.Errorf(stream.CodeNotFound, "Consumer %s under stream %s not found for account %s.", consumerName, name, account)
}

func deregisterStreamConsumer(ctx context.Context, s *Server, req *consumerRefRequest) (any, error) {
	name, c, err := findConsumer(ctx, s, req)
	if err != nil {
		return nil, err
	}
	return noContent{}, s.emu.DeregisterStreamConsumer(ctx, name, c.Name)
}

func describeStreamConsumer(ctx context.Context, s *Server, req *consumerRefRequest) (any, error) {
	name, c, err := findConsumer(ctx, s, req)
	if err != nil {
		return nil, err
	}
	desc := toConsumerJSON(c)
	desc.StreamARN = s.arn(name)
	return map[string]consumerJSON{"ConsumerDescription": desc}, nil
}

func listStreamConsumers(ctx context.Context, s *Server, req *listConsumersRequest) (any, error) {
	var v validation
	intRange(&v, req.MaxResults, "maxResults", 1, 10000)
	stringLength(&v, req.NextToken, "nextToken", 1, 1048576)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := consumerStream(ctx, s, req.StreamARN)
	if err != nil {
		return nil, err
	}
	after := ""
	if req.NextToken != nil {
		tok, err := s.decodeToken(*req.NextToken, "ListStreamConsumers")
		if err != nil {
			return nil, err
		}
		if tok.Stream != name {
			return nil, invalidArgument("NextToken was issued for stream %s, not %s", tok.Stream, name)
		}
		after = tok.After
	}
	consumers, err := s.emu.ListStreamConsumers(ctx, name) // sorted by name
	if err != nil {
		return nil, err
	}
	out := struct {
		Consumers []consumerJSON `json:"Consumers"`
		NextToken string         `json:"NextToken,omitempty"`
	}{Consumers: []consumerJSON{}}
	limit := int(valueOr(req.MaxResults, defaultListConsumers))
	for _, c := range consumers {
		if c.Name <= after {
			continue
		}
		if len(out.Consumers) == limit {
			out.NextToken = s.encodeToken(pageToken{Op: "ListStreamConsumers", Stream: name, After: out.Consumers[limit-1].ConsumerName})
			break
		}
		out.Consumers = append(out.Consumers, toConsumerJSON(c))
	}
	return out, nil
}

func subscribeToShard(ctx context.Context, s *Server, req *subscribeRequest) (any, error) {
	var v validation
	requiredString(&v, req.ConsumerARN, "consumerARN")
	stringLength(&v, req.ConsumerARN, "consumerARN", 1, 2048)
	requiredString(&v, req.ShardID, "shardId")
	stringLength(&v, req.ShardID, "shardId", 1, 128)
	if req.StartingPosition == nil {
		v.add(nil, "startingPosition", "Member must not be null")
	} else {
		requiredString(&v, req.StartingPosition.Type, "startingPosition.type")
		oneOf(&v, req.StartingPosition.Type, "startingPosition.type", string(stream.AtSequenceNumber), string(stream.AfterSequenceNumber),
			string(stream.TrimHorizon), string(stream.Latest), string(stream.AtTimestamp))
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	p := req.StartingPosition
	pos := stream.StartingPosition{Type: stream.IteratorType(*p.Type)}
	switch pos.Type {
	case stream.AtSequenceNumber, stream.AfterSequenceNumber:
		if p.SequenceNumber == nil {
			return nil, invalidArgument("StartingPosition.SequenceNumber is required for type %s", pos.Type)
		}
		pos.SequenceNumber = *p.SequenceNumber
	case stream.AtTimestamp:
		if p.Timestamp == nil {
			return nil, invalidArgument("StartingPosition.Timestamp is required for type AT_TIMESTAMP")
		}
		pos.Timestamp = time.Time(*p.Timestamp)
	}
	// Refusals (an unknown consumer or shard, a consumer still CREATING, a
	// resubscribe within 5 seconds) are HTTP errors, before any event.
	sub, err := s.emu.SubscribeToShard(ctx, &stream.SubscribeToShardInput{ConsumerARN: *req.ConsumerARN, ShardID: *req.ShardID, StartingPosition: pos})
	if err != nil {
		return nil, err
	}
	return &eventStream{server: s, sub: sub, op: "SubscribeToShard " + *req.ShardID}, nil
}

// streamer is a response that writes itself rather than being encoded
// whole: SubscribeToShard's event stream, whose event payloads are in the
// request's encoding c.
type streamer interface {
	serveStream(w http.ResponseWriter, r *http.Request, c codec)
}

// eventStream is one subscription's response.
type eventStream struct {
	server *Server
	sub    stream.Subscription
	op     string
}

type subscribeEventJSON struct {
	Records                    []recordJSON     `json:"Records"`
	ContinuationSequenceNumber *string          `json:"ContinuationSequenceNumber,omitempty"`
	MillisBehindLatest         int64            `json:"MillisBehindLatest"`
	ChildShards                []childShardJSON `json:"ChildShards,omitempty"`
}

// serveStream sends the initial-response event, then one
// SubscribeToShardEvent per event of the subscription, each flushed at
// once, until the subscription ends (5 minutes on the emulator's clock, or
// a closed shard read to its end), the client goes away or the server shuts
// down (the request's context ends). An error from the emulator ends the
// stream with an exception message, as AWS ends it.
//
// It works over HTTP/1.1 (a chunked body) as over HTTP/2: the SDKs need
// HTTP/2 only for event streams in both directions, which SubscribeToShard
// is not.
func (es *eventStream) serveStream(w http.ResponseWriter, r *http.Request, c codec) {
	defer es.sub.Close()
	ctx := r.Context()
	flush := http.NewResponseController(w).Flush
	w.Header().Set("Content-Type", eventStreamContentType)
	w.WriteHeader(http.StatusOK)
	initial, err := c.encode(struct{}{})
	if err != nil || writeMessage(w, c, "event", "initial-response", initial) != nil || flush() != nil {
		return
	}
	for {
		event, err := es.sub.Next(ctx)
		switch {
		case errors.Is(err, io.EOF):
			return
		case err != nil && ctx.Err() != nil:
			return // the client is gone or the server is stopping
		case err != nil:
			es.server.writeStreamException(w, r, c, es.op, err)
			_ = flush()
			return
		}
		payload, err := c.encode(toSubscribeEventJSON(event))
		if err != nil {
			es.server.writeStreamException(w, r, c, es.op, err)
			return
		}
		if writeMessage(w, c, "event", "SubscribeToShardEvent", payload) != nil || flush() != nil {
			return
		}
	}
}

func toSubscribeEventJSON(e *stream.SubscribeToShardEvent) subscribeEventJSON {
	out := subscribeEventJSON{Records: make([]recordJSON, len(e.Records)), MillisBehindLatest: e.MillisBehindLatest}
	for i, r := range e.Records {
		out.Records[i] = toRecordJSON(r)
	}
	if e.ContinuationSequenceNumber != "" {
		out.ContinuationSequenceNumber = &e.ContinuationSequenceNumber
	}
	out.ChildShards = toChildShardsJSON(e.ChildShards)
	return out
}

// streamExceptionCodes are the exception members of SubscribeToShard's
// event stream whose names differ from the Kinesis error code.
var streamExceptionCodes = map[string]string{
	stream.CodeInternalFailure: "InternalFailureException",
}

// writeStreamException ends an event stream with err as an exception
// message.
func (s *Server) writeStreamException(w http.ResponseWriter, r *http.Request, c codec, op string, err error) {
	api := asAPIError(err)
	s.opts.log.Log(r.Context(), levelOf(api.Code), "event stream failed", "operation", op, "code", api.Code, "message", api.Message)
	code := api.Code
	if alias, ok := streamExceptionCodes[code]; ok {
		code = alias
	}
	payload, _ := c.encode(map[string]string{"message": api.Message})
	_ = writeMessage(w, c, "exception", code, payload)
}
