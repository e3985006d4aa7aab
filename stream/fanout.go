package stream

import (
	"context"
	"time"
)

// Enhanced fan-out limits (SubscribeToShard and RegisterStreamConsumer in the
// API reference).
const (
	// FanOutBytesPerSecond is each consumer's own read rate per shard.
	FanOutBytesPerSecond = 2 << 20
	// MaxConsumersPerStream is how many consumers a stream may register.
	MaxConsumersPerStream = 20
	// MaxConsumersCreating is how many consumers may be CREATING at once.
	MaxConsumersCreating = 5
	// SubscriptionLifetime is how long one SubscribeToShard call pushes
	// events before the caller must subscribe again.
	SubscriptionLifetime = 5 * time.Minute
	// ResubscribeInterval is how soon after a successful SubscribeToShard the
	// same consumer may subscribe to the same shard again.
	ResubscribeInterval = 5 * time.Second
)

// ConsumerStatus is the state of a registered consumer.
type ConsumerStatus string

// Consumer states, as the API names them.
const (
	ConsumerCreating ConsumerStatus = "CREATING"
	ConsumerActive   ConsumerStatus = "ACTIVE"
	ConsumerDeleting ConsumerStatus = "DELETING"
)

// Consumer is an enhanced fan-out consumer registered on a stream.
type Consumer struct {
	Name      string
	ARN       string
	Status    ConsumerStatus
	CreatedAt time.Time
}

// StartingPosition says where a subscription starts, as a shard iterator
// type does (SequenceNumber for AT_/AFTER_SEQUENCE_NUMBER, Timestamp for
// AT_TIMESTAMP).
type StartingPosition struct {
	Type           IteratorType
	SequenceNumber string
	Timestamp      time.Time
}

// SubscribeToShardInput subscribes a registered consumer to one shard.
type SubscribeToShardInput struct {
	ConsumerARN      string
	ShardID          string
	StartingPosition StartingPosition
}

// SubscribeToShardEvent is one push of records. ContinuationSequenceNumber is
// where to resubscribe (AFTER_SEQUENCE_NUMBER) when the subscription ends; it
// is empty, and ChildShards is set, once a closed shard has been read to its
// end.
type SubscribeToShardEvent struct {
	Records                    []StoredRecord
	ContinuationSequenceNumber string
	MillisBehindLatest         int64
	ChildShards                []ChildShard
}

// Subscription is one SubscribeToShard call's stream of events. It is not
// safe for concurrent use; Close may be called from any goroutine.
type Subscription interface {
	// Next blocks until the next event and returns it. It returns io.EOF when
	// the subscription has ended: SubscriptionLifetime has passed, or a
	// closed shard has been read to its end. It returns ctx.Err() if ctx
	// ends first; the subscription stays usable.
	Next(ctx context.Context) (*SubscribeToShardEvent, error)
	// Close ends the subscription.
	Close() error
}

// FanOut is enhanced fan-out: consumers with their own read throughput,
// records pushed to them. It is optional: check for it with a type assertion.
type FanOut interface {
	RegisterStreamConsumer(ctx context.Context, streamName, consumerName string) (*Consumer, error)
	DeregisterStreamConsumer(ctx context.Context, streamName, consumerName string) error
	ListStreamConsumers(ctx context.Context, streamName string) ([]Consumer, error)
	// SubscribeToShard starts pushing a shard's records to a consumer; ctx
	// bounds the call that opens the subscription, not the subscription.
	SubscribeToShard(ctx context.Context, in *SubscribeToShardInput) (Subscription, error)
}
