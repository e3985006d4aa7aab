package emulated

import (
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream/delivery"
)

// Option configures New.
type Option func(*options)

type options struct {
	clock       clock.Clock
	region      string
	quota       *delivery.Quota
	burst       time.Duration
	seed        uint64
	fault       DeliveryFault
	observe     func(Object)
	retryEvery  time.Duration
	retryWindow time.Duration
	maxStreams  int
	store       ObjectStore
}

func defaultOptions() options {
	return options{
		clock:       clock.Real{},
		region:      "us-east-1",
		burst:       time.Second,
		seed:        1,
		retryEvery:  DefaultRetryEvery,
		retryWindow: DefaultRetryWindow,
		maxStreams:  DefaultMaxStreams,
	}
}

// Delivery retries. Source: Firehose developer guide, "Data delivery
// failure handling": for Amazon S3, "Firehose retries to deliver data every
// 5 seconds for up to a maximum period of 24 hours"; after that the data is
// discarded.
const (
	DefaultRetryEvery  = 5 * time.Second
	DefaultRetryWindow = 24 * time.Hour
)

// DefaultMaxStreams is the number of delivery streams per account and region
// ("5,000 Firehose streams per Region" on the current quota page; older
// pages say 50).
const DefaultMaxStreams = 5000

// WithClock sets the clock buffers, quotas and retries run on. Default:
// clock.Real{}.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithRegion sets the region whose Direct PUT quota new streams get
// (delivery.DefaultQuota). Default: us-east-1.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithQuota gives every stream quota q instead of its region's default.
func WithQuota(q delivery.Quota) Option { return func(o *options) { o.quota = &q } }

// WithBurst sets how much unused quota a stream may save up, as time at the
// quota's rate. Default: one second (AWS does not document its burst).
func WithBurst(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.burst = d
		}
	}
}

// WithSeed seeds the object names' random UUIDs and the record ids, so that
// a run is reproducible. Default: 1.
func WithSeed(seed uint64) Option { return func(o *options) { o.seed = seed } }

// WithDeliveryFault decides the outcome of every delivery attempt (chaos).
// Default: every attempt succeeds.
func WithDeliveryFault(f DeliveryFault) Option { return func(o *options) { o.fault = f } }

// WithObserver calls f after each object is written (from the delivering
// goroutine; f must not block on the emulator's clock). Default: none.
func WithObserver(f func(Object)) Option { return func(o *options) { o.observe = f } }

// WithRetry sets how often a failed delivery is retried and for how long
// before its records are dropped. Defaults: DefaultRetryEvery, DefaultRetryWindow.
func WithRetry(every, window time.Duration) Option {
	return func(o *options) {
		if every > 0 {
			o.retryEvery = every
		}
		if window > 0 {
			o.retryWindow = window
		}
	}
}

// WithObjectStore puts delivered objects into store instead of the folder
// New was given (an S3-compatible server, say). Default: FolderStore{root}.
func WithObjectStore(store ObjectStore) Option { return func(o *options) { o.store = store } }

// WithMaxStreams caps the number of streams; one more is
// LimitExceededException. Default: DefaultMaxStreams.
func WithMaxStreams(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxStreams = n
		}
	}
}
