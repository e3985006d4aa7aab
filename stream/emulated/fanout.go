package emulated

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kinesim/kinesim/stream"
)

var _ stream.FanOut = (*Emulator)(nil)

// fanOutPoll is how often a caught-up subscription looks for new records.
// Waiting through the clock (not on a channel) keeps virtual time moving;
// the poll adds 25 ms on average to the push latency, which AWS gives as
// about 70 ms.
const fanOutPoll = 50 * time.Millisecond

// maxEventBytes is the most payload bytes one SubscribeToShardEvent carries.
// AWS does not publish its event sizes; 1 MiB keeps events at about two a
// second when a consumer is behind.
const maxEventBytes = 1 << 20

// consumer is a registered enhanced fan-out consumer.
type consumer struct {
	name, arn string
	created   time.Time
	st        *streamState

	mu           sync.Mutex
	deregistered bool
	shards       map[int]*fanOutShard // by shard index
}

// fanOutShard is one consumer's throughput on one shard; it outlives
// subscriptions so that resubscribing does not reset it.
type fanOutShard struct {
	subscribed    bool
	lastSubscribe int64 // unix nanoseconds
	paidUntil     int64 // bytes pushed are paid at 2 MiB/s before the next push
	// generation counts subscriptions; only the newest receives (a new
	// subscription takes the shard over).
	generation uint64
}

func (e *Emulator) consumerStatus(c *consumer, now time.Time) stream.ConsumerStatus {
	if now.Before(c.created.Add(e.cfg.consumerDelay)) {
		return stream.ConsumerCreating
	}
	return stream.ConsumerActive
}

func (e *Emulator) describeConsumer(c *consumer, now time.Time) stream.Consumer {
	return stream.Consumer{Name: c.name, ARN: c.arn, Status: e.consumerStatus(c, now), CreatedAt: c.created}
}

// RegisterStreamConsumer registers an enhanced fan-out consumer. It is
// CREATING for the consumer delay (see WithConsumerDelay), then ACTIVE. More
// than 20 consumers on a stream, or more than 5 CREATING at once →
// LimitExceededException; a name in use → ResourceInUseException.
func (e *Emulator) RegisterStreamConsumer(ctx context.Context, streamName, consumerName string) (*stream.Consumer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validStreamName(consumerName) {
		return nil, stream.Errorf(stream.CodeInvalidArgument, "ConsumerName must match [a-zA-Z0-9_.-]+ and have 1 to 128 characters")
	}
	st, err := e.lookup(streamName)
	if err != nil {
		return nil, err
	}
	now := e.cfg.clock.Now()
	st.ctl.Lock()
	defer st.ctl.Unlock()
	if st.consumers[consumerName] != nil {
		return nil, stream.Errorf(stream.CodeInUse, "Consumer %s under stream %s already exists for account %s.", consumerName, streamName, account)
	}
	creating := 0
	for _, c := range st.consumers {
		if e.consumerStatus(c, now) == stream.ConsumerCreating {
			creating++
		}
	}
	switch {
	case len(st.consumers) >= stream.MaxConsumersPerStream:
		return nil, stream.Errorf(stream.CodeLimitExceeded, "Stream %s under account %s has the maximum of %d consumers.", streamName, account, stream.MaxConsumersPerStream)
	case creating >= stream.MaxConsumersCreating:
		return nil, stream.Errorf(stream.CodeLimitExceeded, "Stream %s under account %s has %d consumers CREATING; wait for one to be ACTIVE.", streamName, account, creating)
	}
	c := &consumer{
		name:    consumerName,
		arn:     fmt.Sprintf("arn:aws:kinesis:us-east-1:%s:stream/%s/consumer/%s:%d", account, streamName, consumerName, now.Unix()),
		created: now,
		st:      st,
		shards:  map[int]*fanOutShard{},
	}
	if st.consumers == nil {
		st.consumers = map[string]*consumer{}
	}
	st.consumers[consumerName] = c
	out := e.describeConsumer(c, now)
	return &out, nil
}

// DeregisterStreamConsumer removes a consumer; its subscriptions end with
// ResourceNotFoundException.
func (e *Emulator) DeregisterStreamConsumer(ctx context.Context, streamName, consumerName string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := e.lookup(streamName)
	if err != nil {
		return err
	}
	st.ctl.Lock()
	c := st.consumers[consumerName]
	delete(st.consumers, consumerName)
	st.ctl.Unlock()
	if c == nil {
		return consumerNotFound(consumerName, streamName)
	}
	c.mu.Lock()
	c.deregistered = true
	c.mu.Unlock()
	return nil
}

// ListStreamConsumers lists a stream's consumers by name.
func (e *Emulator) ListStreamConsumers(ctx context.Context, streamName string) ([]stream.Consumer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := e.lookup(streamName)
	if err != nil {
		return nil, err
	}
	now := e.cfg.clock.Now()
	st.ctl.Lock()
	defer st.ctl.Unlock()
	out := make([]stream.Consumer, 0, len(st.consumers))
	for _, c := range st.consumers {
		out = append(out, e.describeConsumer(c, now))
	}
	sortConsumers(out)
	return out, nil
}

func sortConsumers(cs []stream.Consumer) {
	slices.SortFunc(cs, func(a, b stream.Consumer) int { return strings.Compare(a.Name, b.Name) })
}

func consumerNotFound(consumer, streamName string) error {
	return stream.Errorf(stream.CodeNotFound, "Consumer %s under stream %s not found for account %s.", consumer, streamName, account)
}

// consumerByARN finds a consumer from its ARN
// (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CONSUMER:CREATED).
func (e *Emulator) consumerByARN(arn string) (*consumer, error) {
	_, rest, ok := strings.Cut(arn, ":stream/")
	streamName, rest, ok2 := strings.Cut(rest, "/consumer/")
	consumerName, created, ok3 := strings.Cut(rest, ":")
	if _, err := strconv.ParseInt(created, 10, 64); !ok || !ok2 || !ok3 || err != nil {
		return nil, stream.Errorf(stream.CodeInvalidArgument, "ConsumerARN %q is not a consumer ARN", arn)
	}
	st, err := e.lookup(streamName)
	if err != nil {
		return nil, err
	}
	st.ctl.Lock()
	c := st.consumers[consumerName]
	st.ctl.Unlock()
	if c == nil || c.arn != arn {
		return nil, consumerNotFound(consumerName, streamName)
	}
	return c, nil
}

// SubscribeToShard starts pushing a shard's records to an ACTIVE consumer,
// at most 2 MiB a second per consumer and shard, for five minutes.
// Subscribing the same consumer to the same shard again within five seconds
// → ResourceInUseException; later, the new subscription takes the shard
// over: the older one's Next fails with ResourceInUseException and only the
// new one receives records.
func (e *Emulator) SubscribeToShard(ctx context.Context, in *stream.SubscribeToShardInput) (stream.Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in == nil {
		return nil, stream.Errorf(stream.CodeInvalidArgument, "SubscribeToShardInput is nil")
	}
	c, err := e.consumerByARN(in.ConsumerARN)
	if err != nil {
		return nil, err
	}
	now := e.cfg.clock.Now()
	if status := e.consumerStatus(c, now); status != stream.ConsumerActive {
		return nil, stream.Errorf(stream.CodeInUse, "Consumer %s is %s, not ACTIVE", c.arn, status)
	}
	sh := c.st.shards.Load().byID(in.ShardID)
	if sh == nil {
		return nil, shardNotFound(in.ShardID, c.st.name)
	}
	pos, err := c.st.position(sh, now.UnixNano(), in.StartingPosition)
	if err != nil {
		return nil, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	state := c.shards[sh.index]
	if state == nil {
		state = &fanOutShard{}
		c.shards[sh.index] = state
	}
	if state.subscribed && now.UnixNano()-state.lastSubscribe < int64(stream.ResubscribeInterval) {
		return nil, stream.Errorf(stream.CodeInUse, "Another active subscription exists for consumer %s on shard %s, or it subscribed less than %v ago.",
			c.arn, sh.id, stream.ResubscribeInterval)
	}
	state.subscribed, state.lastSubscribe = true, now.UnixNano()
	state.generation++
	return &subscription{
		e: e, c: c, sh: sh, state: state, pos: pos, generation: state.generation,
		expires: now.Add(stream.SubscriptionLifetime),
		closed:  make(chan struct{}),
	}, nil
}

// subscription is one SubscribeToShard call's events.
type subscription struct {
	e     *Emulator
	c     *consumer
	sh    *shard
	state *fanOutShard // guarded by c.mu
	// generation is state.generation when this subscription began; a
	// larger one means a newer subscription took the shard over.
	generation uint64
	pos        int64
	expires    time.Time
	ended      bool // the closed shard's end was pushed

	closeOnce sync.Once
	closed    chan struct{}
}

// Close ends the subscription; a Next under way returns io.EOF within
// fanOutPoll.
func (s *subscription) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return nil
}

// Next returns the next event: the records after the last event, once there
// are some and the consumer's 2 MiB/s allows it.
func (s *subscription) Next(ctx context.Context) (*stream.SubscribeToShardEvent, error) {
	clk := s.e.cfg.clock
	for {
		select {
		case <-s.closed:
			return nil, io.EOF
		default:
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		now := clk.Now()
		if s.ended || !now.Before(s.expires) {
			return nil, io.EOF
		}
		s.c.mu.Lock()
		gone, paidUntil, taken := s.c.deregistered, s.state.paidUntil, s.state.generation != s.generation
		s.c.mu.Unlock()
		if gone {
			return nil, consumerNotFound(s.c.name, s.c.st.name)
		}
		if taken {
			// AWS says a newer call takes the shard over but publishes no
			// text for the older one's end; these are kinesim's words.
			return nil, stream.Errorf(stream.CodeInUse, "Another subscription for consumer %s on shard %s took over this one.", s.c.arn, s.sh.id)
		}
		wait := time.Duration(paidUntil - now.UnixNano())
		if wait <= 0 {
			event, err := s.take(now)
			if event != nil || err != nil {
				return event, err
			}
			wait = fanOutPoll
		}
		if err := clk.Sleep(ctx, min(wait, s.expires.Sub(now))); err != nil {
			return nil, err
		}
	}
}

// take makes the next event at now, if there is one.
func (s *subscription) take(now time.Time) (*stream.SubscribeToShardEvent, error) {
	sh, st := s.sh, s.c.st
	sh.mu.Lock()
	if sh.deleted {
		sh.mu.Unlock()
		return nil, streamNotFound(st.name)
	}
	st.expire(sh, now.UnixNano())
	view := sh.log.view()
	pos := min(max(s.pos, view.start), view.end)
	next, size := view.page(pos, stream.MaxGetRecordsLimit, maxEventBytes)
	closed := sh.endSeq != ""
	if next == pos && !closed {
		sh.mu.Unlock()
		return nil, nil
	}
	sh.log.markRead(next)
	children := sh.children
	sh.mu.Unlock()

	s.c.mu.Lock()
	s.state.paidUntil = now.UnixNano() + int64(float64(size)*1e9/stream.FanOutBytesPerSecond)
	s.c.mu.Unlock()

	event := &stream.SubscribeToShardEvent{Records: view.copyRecords(pos, next, size, sh.seq)}
	if next < view.end {
		event.MillisBehindLatest = max(0, (now.UnixNano()-view.at(next).arrival)/int64(time.Millisecond))
	}
	s.pos = next
	switch {
	case closed && next == view.end:
		event.ChildShards = cloneChildShards(children)
		s.ended = true
	case next > view.start:
		event.ContinuationSequenceNumber = formatSeqNum(sh.seq, view.at(next-1).counter, view.at(next-1).arrival)
	default:
		event.ContinuationSequenceNumber = sh.startSeq
	}
	return event, nil
}

func cloneChildShards(children []stream.ChildShard) []stream.ChildShard {
	out := make([]stream.ChildShard, len(children))
	for i, c := range children {
		out[i] = c
		out[i].ParentShards = append([]string(nil), c.ParentShards...)
	}
	return out
}
