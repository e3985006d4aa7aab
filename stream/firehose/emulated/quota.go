package emulated

import (
	"time"

	"github.com/kinesim/kinesim/stream/delivery"
)

// tokenBucket is a tank of capacity that refills at a steady rate, the model
// AWS gives for Kinesis write capacity and kinesim assumes for Firehose's
// quotas (Firehose does not document its window or burst). Not safe for
// concurrent use; the owning stream's lock guards it.
type tokenBucket struct {
	tokens   float64
	capacity float64
	perNano  float64
	last     int64 // unix nanoseconds of the last refill
}

func newTokenBucket(perSecond int, burst time.Duration, now int64) tokenBucket {
	capacity := float64(perSecond) * burst.Seconds()
	return tokenBucket{tokens: capacity, capacity: capacity, perNano: float64(perSecond) / 1e9, last: now}
}

func (b *tokenBucket) refill(now int64) {
	if now <= b.last {
		return
	}
	b.tokens = min(b.capacity, b.tokens+float64(now-b.last)*b.perNano)
	b.last = now
}

// allows reports whether n tokens may be taken. A request larger than the
// whole tank is allowed when the tank is full, leaving it in debt.
func (b *tokenBucket) allows(n float64) bool { return b.tokens >= min(n, b.capacity) }

func (b *tokenBucket) take(n float64) { b.tokens -= n }

// quotaLimiter is a stream's Direct PUT quota: requests, records and bytes a
// second, each a token bucket.
type quotaLimiter struct {
	quota                    delivery.Quota // the rates the buckets refill at
	requests, records, bytes tokenBucket
}

func newQuotaLimiter(q delivery.Quota, burst time.Duration, now int64) quotaLimiter {
	return quotaLimiter{
		quota:    q,
		requests: newTokenBucket(q.RequestsPerSecond, burst, now),
		records:  newTokenBucket(q.RecordsPerSecond, burst, now),
		bytes:    newTokenBucket(q.BytesPerSecond, burst, now),
	}
}

// retune sets the rates to q from now on (a quota fault's window opening
// or closing): capacity saved up at the old rate is kept up to the new
// tank's size, so a lowered quota throttles at once at its own rate.
func (l *quotaLimiter) retune(q delivery.Quota, burst time.Duration, now int64) {
	if q == l.quota {
		return
	}
	for _, r := range []struct {
		b    *tokenBucket
		rate int
	}{{&l.requests, q.RequestsPerSecond}, {&l.records, q.RecordsPerSecond}, {&l.bytes, q.BytesPerSecond}} {
		r.b.refill(now)
		r.b.capacity = float64(r.rate) * burst.Seconds()
		r.b.perNano = float64(r.rate) / 1e9
		r.b.tokens = min(r.b.tokens, r.b.capacity)
	}
	l.quota = q
}

// admitCall charges one request, or reports that the call is throttled.
func (l *quotaLimiter) admitCall(now int64) bool {
	l.requests.refill(now)
	l.records.refill(now)
	l.bytes.refill(now)
	if !l.requests.allows(1) {
		return false
	}
	l.requests.take(1)
	return true
}

// admitRecord charges one record of size bytes, or reports it throttled.
// Call after admitCall, at the same time.
func (l *quotaLimiter) admitRecord(size int) bool {
	if !l.records.allows(1) || !l.bytes.allows(float64(size)) {
		return false
	}
	l.records.take(1)
	l.bytes.take(float64(size))
	return true
}
