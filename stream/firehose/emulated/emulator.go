// Package emulated is kinesim's built-in Amazon Data Firehose: Direct PUT
// delivery streams with Firehose's quotas and limits that buffer records by
// size and time and deliver them as objects to a local folder laid out as
// Firehose names S3 objects (<bucket>/<prefix><stream>-<version>-<UTC time>-<uuid>),
// optionally GZIP-compressed and newline-delimited, at least once: a fault
// hook (WithDeliveryFault) can fail a delivery after its object was written,
// and the retry writes the records again, as a real S3 delivery failure does.
//
// Time goes through a clock.Clock (WithClock). Buffer intervals, quota
// refills and delivery retries all wait on it, so on a clock.Virtual a day
// of 300-second buffers runs in the time its writes take. Callers on a
// Virtual clock call the emulator from goroutines of the clock's group and
// Flush or Drain before leaving clock.Run: a pending buffer timer fires as
// soon as no goroutine of the group is left to wait.
//
// An *Emulator is safe for concurrent use; streams do not contend with each
// other except briefly on the emulator's map of streams. Deliveries run in
// their own goroutines (clock.AfterFunc); Flush waits for a stream's.
package emulated

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream/delivery"
)

// Account is the AWS account id in ARNs and error messages.
const Account = "111111111111"

// Emulator holds delivery streams that write objects under one folder.
type Emulator struct {
	root string
	opts options

	mu      sync.Mutex
	streams map[string]*deliveryStream
	deleted []*deliveryStream // deleted streams whose deliveries Drain has not waited for
	rng     *rand.Rand        // guarded by mu

	// fault is the delivery fault hook (WithDeliveryFault, SetDeliveryFault).
	fault atomic.Pointer[DeliveryFault]
	// quotaFault is the quota fault hook (SetQuotaFault).
	quotaFault atomic.Pointer[QuotaFault]
}

var _ delivery.Target = (*Emulator)(nil)

// New returns an emulator that writes each bucket's objects under
// root/<bucket>/ (root itself for streams without a BucketARN).
func New(root string, opts ...Option) *Emulator {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if o.store == nil {
		o.store = FolderStore{Root: root}
	}
	e := &Emulator{
		root:    root,
		opts:    o,
		streams: map[string]*deliveryStream{},
		rng:     rand.New(rand.NewPCG(o.seed, o.seed^0x9e3779b97f4a7c15)),
	}
	e.SetDeliveryFault(o.fault)
	return e
}

// SetDeliveryFault replaces the delivery fault hook (nil: every attempt
// succeeds) for attempts from now on; chaos sets it when a run starts.
func (e *Emulator) SetDeliveryFault(f DeliveryFault) {
	if f == nil {
		e.fault.Store(nil)
		return
	}
	e.fault.Store(&f)
}

func (e *Emulator) deliveryFault() DeliveryFault {
	if f := e.fault.Load(); f != nil {
		return *f
	}
	return nil
}

// Clock is the emulator's clock.
func (e *Emulator) Clock() clock.Clock { return e.opts.clock }

// CreateDeliveryStream creates a Direct PUT stream, ACTIVE at once.
func (e *Emulator) CreateDeliveryStream(_ context.Context, cfg delivery.Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Compression == "" {
		cfg.Compression = delivery.Uncompressed
	}
	cfg.Buffering = cfg.Buffering.WithDefaults()
	if cfg.RoleARN == "" {
		cfg.RoleARN = fmt.Sprintf("arn:aws:iam::%s:role/kinesim-firehose", Account)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.streams[cfg.Name]; ok {
		return delivery.Errorf(delivery.CodeInUse, "Firehose stream %s under account %s already exists.", cfg.Name, Account)
	}
	if len(e.streams) >= e.opts.maxStreams {
		return delivery.Errorf(delivery.CodeLimitExceeded, "You have already consumed your firehose quota of %d hoses. Firehose names: %v", e.opts.maxStreams, e.namesLocked())
	}
	e.streams[cfg.Name] = newDeliveryStream(e, cfg, e.rng.Uint64())
	return nil
}

// DescribeDeliveryStream describes a stream.
func (e *Emulator) DescribeDeliveryStream(_ context.Context, name string) (*delivery.Description, error) {
	s, err := e.stream(name)
	if err != nil {
		return nil, err
	}
	return s.describe(), nil
}

// DeleteDeliveryStream deletes a stream. Its buffered records are still
// delivered (Firehose's behaviour for them is undocumented); Drain waits
// for them.
func (e *Emulator) DeleteDeliveryStream(_ context.Context, name string) error {
	e.mu.Lock()
	s, ok := e.streams[name]
	if ok {
		delete(e.streams, name)
		e.deleted = append(e.deleted, s)
	}
	e.mu.Unlock()
	if !ok {
		return delivery.NotFound(name, Account)
	}
	s.cutNow()
	return nil
}

// Drain cuts every stream's buffer and waits for every delivery begun so
// far, deleted streams' included: after it, everything accepted is in the
// folder (or counted as dropped or in the error output).
func (e *Emulator) Drain(ctx context.Context) error {
	e.mu.Lock()
	all := append([]*deliveryStream(nil), e.deleted...)
	e.deleted = nil
	for _, s := range e.streams {
		all = append(all, s)
	}
	e.mu.Unlock()
	for _, s := range all {
		s.cutNow()
	}
	for _, s := range all {
		if err := s.wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// ListDeliveryStreams lists the streams' names in order.
func (e *Emulator) ListDeliveryStreams(context.Context) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.namesLocked(), nil
}

func (e *Emulator) namesLocked() []string {
	names := make([]string, 0, len(e.streams))
	for n := range e.streams {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Flush cuts the stream's buffer into an object now and waits until every
// delivery of the stream begun so far has ended (retries included) or ctx
// is done.
func (e *Emulator) Flush(ctx context.Context, name string) error {
	s, err := e.stream(name)
	if err != nil {
		return err
	}
	s.cutNow()
	return s.wait(ctx)
}

// Stats returns the stream's counters so far.
func (e *Emulator) Stats(name string) (Stats, error) {
	s, err := e.stream(name)
	if err != nil {
		return Stats{}, err
	}
	return s.stats(), nil
}

func (e *Emulator) stream(name string) (*deliveryStream, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.streams[name]
	if !ok {
		return nil, delivery.NotFound(name, Account)
	}
	return s, nil
}

// now is the clock's time in UTC.
func (e *Emulator) now() time.Time { return e.opts.clock.Now().UTC() }
