package emulated

import (
	"time"

	"github.com/kinesim/kinesim/stream"
)

// tokenBucket is a tank of capacity that refills at a steady rate, the model
// AWS gives for a shard's write capacity. It is not safe for concurrent use;
// the owning shard's lock guards it.
type tokenBucket struct {
	tokens   float64
	capacity float64
	perNano  float64 // refill rate in tokens per nanosecond
	last     int64   // unix nanoseconds of the last refill
}

// newTokenBucket returns a full bucket refilling at perSecond tokens a second
// and holding burst's worth of them.
func newTokenBucket(perSecond float64, burst time.Duration, now int64) tokenBucket {
	capacity := perSecond * burst.Seconds()
	return tokenBucket{tokens: capacity, capacity: capacity, perNano: perSecond / 1e9, last: now}
}

// refill adds the tokens earned since the last refill. A clock that goes
// backwards earns nothing.
func (b *tokenBucket) refill(now int64) {
	if now <= b.last {
		return
	}
	b.tokens = min(b.capacity, b.tokens+float64(now-b.last)*b.perNano)
	b.last = now
}

// allows reports whether n tokens may be taken. A request larger than the
// whole bucket is allowed when the bucket is full and then leaves it in debt,
// so one large record throttles the writes after it until the tank refills
// (how AWS describes large records; the exact behaviour is unconfirmed).
func (b *tokenBucket) allows(n float64) bool {
	return b.tokens >= min(n, b.capacity)
}

func (b *tokenBucket) take(n float64) { b.tokens -= n }

// readLimiter is a shard's shared read throughput: 5 GetRecords calls a
// second (a token bucket holding one second's worth) and 2 MiB a second.
//
// The bytes are a budget refilled at 2 MiB/s up to one second's worth that
// an answer may overdraw (by up to its 10 MiB page); calls are refused while
// the budget is negative. So readers that share a shard below 2 MiB/s on
// average are not throttled however their calls bunch up, while one large
// answer keeps the shard's reads refused until the bytes are paid: after a
// 10 MiB answer, 4 s from a full budget and 5 s from an empty one, as the
// GetRecords reference puts it ("subsequent calls made within the next 5
// seconds throw ProvisionedThroughputExceededException"). Throttled calls
// return no data and, unless countThrottled (WithThrottledReadsCounted),
// cost nothing. Not safe for concurrent use; the owning shard's lock
// guards it.
type readLimiter struct {
	calls          tokenBucket
	bytes          tokenBucket // may go negative: the bytes read not yet paid for
	countThrottled bool
}

func newReadLimiter(now int64, countThrottled bool) readLimiter {
	return readLimiter{
		calls:          newTokenBucket(stream.ShardReadCallsPerSecond, time.Second, now),
		bytes:          newTokenBucket(stream.ShardReadBytesPerSecond, time.Second, now),
		countThrottled: countThrottled,
	}
}

// admit reports whether a call at now may return size bytes, and if so
// charges for it.
func (r *readLimiter) admit(now int64, size int) bool {
	r.calls.refill(now)
	r.bytes.refill(now)
	if r.bytes.tokens < 0 || !r.calls.allows(1) {
		if r.countThrottled {
			r.calls.tokens = max(r.calls.tokens-1, -r.calls.capacity)
		}
		return false
	}
	r.calls.take(1)
	r.bytes.take(float64(size))
	return true
}
