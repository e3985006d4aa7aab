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
}

func defaultConfig() config {
	return config{
		clock:         clock.Real{},
		writeBurst:    time.Second,
		maxRecordSize: stream.DefaultMaxRecordBytes,
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
