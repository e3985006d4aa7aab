package emulated

import (
	"fmt"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream"
)

// Option configures an Emulator.
type Option func(*config)

type config struct {
	clock         clock.Clock
	writeBurst    time.Duration
	maxRecordSize int
	reshardDelay  time.Duration
	memoryLimit   int64
	recordLimit   int64
	consumerDelay time.Duration
	// onDemandSplitDelay: see WithOnDemandSplitDelay.
	onDemandSplitDelay time.Duration
	latency            map[Operation]Latency
	seed               uint64
	// internalFailureRate: see WithInternalFailureRate.
	internalFailureRate float64
	// countThrottledReads: see WithThrottledReadsCounted.
	countThrottledReads bool
}

func defaultConfig() config {
	return config{
		clock:              clock.Real{},
		writeBurst:         time.Second,
		maxRecordSize:      stream.DefaultMaxRecordBytes,
		memoryLimit:        512 << 20,
		recordLimit:        16 << 20,
		onDemandSplitDelay: 15 * time.Minute,
		seed:               1,
	}
}

// WithClock sets the clock that every limit, timestamp and iterator expiry
// reads. Default: clock.Real{}. Pass a virtual clock to run in simulated time.
func WithClock(c clock.Clock) Option {
	return func(cfg *config) { cfg.clock = c }
}

// WithWriteBurst sets how much unused write capacity a shard may save up: its
// token buckets hold d's worth of the per-second limits (d = 1s: 1 MiB and
// 1,000 records). Default: 1s.
//
// AWS describes write capacity as "a tank that refills at a steady rate" (the
// developer guide's page on large records) but does not publish the tank's
// size; the one-second default is an assumption, unconfirmed by AWS.
// WithWriteBurst panics if d is not positive.
func WithWriteBurst(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("emulated.WithWriteBurst(%v): the burst must be positive", d))
	}
	return func(cfg *config) { cfg.writeBurst = d }
}

// WithMaxRecordSize sets the largest record (data plus partition key, in
// bytes) that PutRecords accepts, as the stream setting UpdateMaxRecordSize
// does on AWS. Default: stream.DefaultMaxRecordBytes (1 MiB).
// WithMaxRecordSize panics if n is not in 1..stream.MaxSettableRecordBytes.
func WithMaxRecordSize(n int) Option {
	if n < 1 || n > stream.MaxSettableRecordBytes {
		panic(fmt.Sprintf("emulated.WithMaxRecordSize(%d): want 1..%d bytes", n, stream.MaxSettableRecordBytes))
	}
	return func(cfg *config) { cfg.maxRecordSize = n }
}

// WithReshardDelay sets how long SplitShard, MergeShards and UpdateShardCount
// keep a stream UPDATING before the new shards open. Default: 0 (at once).
// AWS takes seconds for a split or merge and "a few minutes" for
// UpdateShardCount; it publishes no exact figure.
func WithReshardDelay(d time.Duration) Option {
	return func(cfg *config) { cfg.reshardDelay = d }
}

// WithPayloadMemoryLimit caps the bytes of record payloads (partition keys
// and data) the emulator keeps, all streams together, so that a long, fast
// run cannot exhaust memory. Past the cap the oldest payloads are dropped;
// their records stay readable with sizes, sequence numbers and arrival times
// (GetRecords marks them PayloadDropped) and are counted in RetentionStats.
// Each record still costs 32 bytes of bookkeeping until retention or
// WithRecordLimit removes it. Default: 512 MiB. WithPayloadMemoryLimit
// panics if n is not positive.
func WithPayloadMemoryLimit(n int64) Option {
	if n <= 0 {
		panic(fmt.Sprintf("emulated.WithPayloadMemoryLimit(%d): the limit must be positive", n))
	}
	return func(cfg *config) { cfg.memoryLimit = n }
}

// WithConsumerDelay sets how long a consumer registered for enhanced fan-out
// stays CREATING before it is ACTIVE and may subscribe. Default: 0 (at
// once). AWS takes seconds; it publishes no exact figure.
func WithConsumerDelay(d time.Duration) Option {
	return func(cfg *config) { cfg.consumerDelay = d }
}

// WithOnDemandSplitDelay sets how long a shard of an ON_DEMAND stream must
// take writes at or above half its limits before the stream splits it (see
// ondemand.go). Default: 15 minutes, the figure AWS gives.
func WithOnDemandSplitDelay(d time.Duration) Option {
	return func(cfg *config) { cfg.onDemandSplitDelay = d }
}

// WithServiceLatency makes every op call take a draw of lat on the emulator's
// clock, after its work is done, so that producer and consumer latencies in
// a run (virtual time included) come from a stated model. Default: no
// latency. AWS publishes no latency distribution; measure your own region's
// (CloudWatch PutRecords.Latency, GetRecords.Latency) and pass it here.
func WithServiceLatency(op Operation, lat Latency) Option {
	return func(cfg *config) {
		if cfg.latency == nil {
			cfg.latency = map[Operation]Latency{}
		}
		cfg.latency[op] = lat
	}
}

// WithSeed seeds the emulator's random draws (service latencies), so that a
// run repeats exactly. Default: 1.
func WithSeed(seed uint64) Option {
	return func(cfg *config) { cfg.seed = seed }
}

// WithRecordLimit caps how many records the emulator keeps, all streams
// together, at 32 bytes of bookkeeping each (sequence number, arrival time,
// sizes), in segments of 4,096. Past it the oldest records leave the stream
// entirely, as if retention had removed them (TRIM_HORIZON moves), and are
// counted in RetentionStats as evicted. Default: 16 Mi records (512 MiB of
// bookkeeping; about 28 minutes at 10,000 records/s).
// WithRecordLimit panics if n is below one segment.
func WithRecordLimit(n int64) Option {
	if n < segmentRecords {
		panic(fmt.Sprintf("emulated.WithRecordLimit(%d): want at least %d records", n, segmentRecords))
	}
	return func(cfg *config) { cfg.recordLimit = n }
}

// WithInternalFailureRate makes a fraction p of PutRecords records and of
// GetRecords calls fail with InternalFailure, as AWS does now and then, for
// runs that want the failures without a chaos plan. A PutRecords record gets
// ErrorCode InternalFailure and ErrorMessage "Internal service failure." (the
// rest of the batch goes on, and the record takes no write capacity); a
// PutRecord call fails with an error matching stream.ErrInternal; a
// GetRecords call fails the same way before it reads or counts against the
// shard's read limits. Draws come from the seed (WithSeed), so a run repeats.
// Default: 0 (never). WithInternalFailureRate panics if p is not in [0, 1].
func WithInternalFailureRate(p float64) Option {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("emulated.WithInternalFailureRate(%v): want a probability from 0 to 1", p))
	}
	return func(cfg *config) { cfg.internalFailureRate = p }
}

// WithThrottledReadsCounted makes a throttled GetRecords call count against
// its shard's 5 calls a second, as a call that returned data does: it takes a
// call from the shard's bucket, which may go down to one second's worth of
// calls in debt, so a reader that keeps polling faster than 5 calls a second
// stays throttled until it slows down.
//
// Default: throttled calls cost nothing. AWS does not document either way:
// the GetRecords reference says only "This operation has a limit of five
// transactions per second per shard", and the developer guide's quotas page
// "Each shard can support up to 5 transactions per second for reads". Turn it
// on to see how a capacity plan fares if AWS counts them.
func WithThrottledReadsCounted() Option {
	return func(cfg *config) { cfg.countThrottledReads = true }
}
