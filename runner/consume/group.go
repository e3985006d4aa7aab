package consume

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinesim/kinesim/chaos"
	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators/recordid"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// LedgerFlushInterval is how often the ledger file is flushed: a crash
// loses at most this much of it.
const LedgerFlushInterval = time.Second

// Config is what the consumers of one run need.
type Config struct {
	// Scenario holds the consumers to run.
	Scenario *scenarios.Scenario
	// Reader is the run's target; efo consumers need it to be a stream.FanOut.
	Reader stream.Reader
	// Recorder receives the consumers' measurements.
	Recorder *metrics.Recorder
	// Clock is the run's clock; Start is when the run started on it.
	Clock clock.Clock
	Start time.Time
	// OutDir is the run folder: the ledger and file checkpoints go there.
	OutDir string
	// Faults adds chaos to the consumers' reads, restarts and leases.
	Faults *chaos.Injector
	// Segment is this process's share of a split run: its consumers read
	// only the shards it owns (segment.OwnsShard), and none when it runs
	// producers only. The zero value reads every shard.
	Segment segment.Segment
}

// Group is a run's ledger and built-in consumers.
type Group struct {
	ledger    *ledger.Ledger
	consumers []*consumer
	expect    []map[string]int64
	clk       clock.Clock

	cancel        context.CancelFunc
	producersDone chan struct{}
	doneAt        atomic.Pointer[time.Time]
	wg            sync.WaitGroup // the ledger's syncer
	consumersWG   *clock.Group
}

// Start opens the run's ledger (OutDir/ledger.bin) and starts the
// scenario's consumers. They read until Finish says the producers are done
// and the backlog is drained. The producers tell the ledger what they sent
// through Ledger().Producer(name).
func Start(cfg Config) (*Group, error) {
	led, err := ledger.Create(filepath.Join(cfg.OutDir, ledger.FileName))
	if err != nil {
		return nil, err
	}
	for _, p := range cfg.Scenario.Producers {
		led.Producer(p.Name) // producers first: consumers' scopes name them
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &Group{ledger: led, clk: cfg.Clock, cancel: cancel, producersDone: make(chan struct{}), consumersWG: clock.NewGroup(cfg.Clock)}
	var consumers []scenarios.Consumer
	if cfg.Segment.Consumes() {
		consumers = cfg.Scenario.Consumers
	}
	for _, cc := range consumers {
		c, err := newConsumer(cfg, cc, led)
		if err != nil {
			cancel()
			return nil, errors.Join(err, led.Close())
		}
		g.consumers = append(g.consumers, c)
		g.expect = append(g.expect, cc.Expect)
	}
	g.wg.Go(func() { led.Sync(ctx, LedgerFlushInterval) })
	for _, c := range g.consumers {
		g.consumersWG.Go(func() { c.run(ctx, g.producersDone, g.producersFinishedAt) })
	}
	return g, nil
}

// Ledger is the run's ledger, for the producers to record what they sent.
func (g *Group) Ledger() *ledger.Ledger { return g.ledger }

// newConsumer builds the consumer cc with its checkpoint store, sink,
// shard reader, restarts, lease losses and start position.
func newConsumer(cfg Config, cc scenarios.Consumer, led *ledger.Ledger) (*consumer, error) {
	sc, name := cfg.Scenario, cc.Name
	var store CheckpointStore = &MemoryCheckpoints{}
	if cc.Checkpoint.Store == scenarios.CheckpointFile {
		fs, err := OpenFileCheckpoints(filepath.Join(cfg.OutDir, "checkpoints-"+recordid.SafeName(name)+".json"))
		if err != nil {
			return nil, err
		}
		store = fs
	}
	streamName := cc.Stream
	if streamName == "" {
		streamName = sc.Target.Stream
	}
	reader := cfg.Faults.Reader(name, cfg.Reader)
	c := &consumer{
		name:        name,
		segment:     cfg.Segment,
		streamName:  streamName,
		lister:      reader,
		clk:         cfg.Clock,
		rec:         cfg.Recorder,
		ledger:      led.Consumer(name),
		store:       store,
		sink:        newSink(cc),
		poll:        orDefault(cc.PollInterval.D(), DefaultPollInterval),
		ckptRecords: cc.Checkpoint.Records,
		ckptEvery:   orDefault(cc.Checkpoint.Every.D(), DefaultCheckpointEvery),
		deaggregate: cc.Deaggregate == nil || *cc.Deaggregate,
	}
	if c.ckptRecords <= 0 {
		c.ckptRecords = DefaultCheckpointRecords
	}
	for _, at := range append(slices.Clone(cc.RestartAt), durations(cfg.Faults.Restarts(name))...) {
		c.restarts = append(c.restarts, cfg.Start.Add(at.D()))
	}
	slices.SortFunc(c.restarts, time.Time.Compare)
	c.shards = &pollingReader{c: c, api: reader}
	if cc.Mode == scenarios.ConsumerEFO {
		fo, ok := cfg.Reader.(stream.FanOut)
		if !ok {
			return nil, fmt.Errorf("consumer %q: mode efo: the %s target has no enhanced fan-out (RegisterStreamConsumer, SubscribeToShard); use mode polling", name, sc.Target.Kind)
		}
		c.shards = &fanOutReader{c: c, fanOut: fo}
	}
	c.leases = newLeaseTable(cc.Workers)
	for _, at := range cfg.Faults.LeaseLosses(name) {
		c.leaseLosses = append(c.leaseLosses, cfg.Start.Add(at))
	}
	if err := c.position(cc, cfg.Start, sc.Producers); err != nil {
		return nil, fmt.Errorf("consumer %q: %w", name, err)
	}
	return c, nil
}

// position sets where the consumer starts, what it filters and whose
// records it expects, and tells the ledger.
func (c *consumer) position(cc scenarios.Consumer, start time.Time, producers []scenarios.Producer) error {
	switch {
	case cc.Start.Position == scenarios.StartLatest:
		c.startAt = start
	case cc.Start.AtTimestamp != "":
		fromStart, at, err := cc.Start.Timestamp()
		if err != nil {
			return fmt.Errorf("start.at_timestamp: %w", err)
		}
		c.startAt = at
		if at.IsZero() {
			c.startAt = start.Add(fromStart)
		}
	}
	if !c.startAt.IsZero() {
		c.ledger.StartAt(c.startAt)
	}
	if f := cc.Filter; f != nil {
		scan := newFieldScanner(f.Field)
		c.filter, c.filterValue = &scan, f.Equals
	}
	var names []string
	for _, p := range producers {
		if p.Stream == c.streamName {
			names = append(names, p.Name)
		}
	}
	if len(names) < len(producers) {
		c.ledger.Scope(names...)
	}
	return nil
}

func durations(ds []time.Duration) []scenarios.Duration {
	out := make([]scenarios.Duration, len(ds))
	for i, d := range ds {
		out[i] = scenarios.Duration(d)
	}
	return out
}

// DeliveryCounters are the consumers' ledgers, for chaos to count the
// duplicates its faults caused.
func (g *Group) DeliveryCounters() []chaos.DeliveryCounter {
	out := make([]chaos.DeliveryCounter, len(g.consumers))
	for i, c := range g.consumers {
		out[i] = c.ledger
	}
	return out
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (g *Group) producersFinishedAt() time.Time { return *g.doneAt.Load() }

// Finish tells the consumers the producers are done, waits until they have
// drained the stream or drain has passed, and judges their deliveries
// against the ledger. The verification is nil without consumers.
func (g *Group) Finish(drain time.Duration) (*result.Verification, error) {
	now := g.clk.Now()
	g.doneAt.Store(&now)
	close(g.producersDone)
	// Consumers end on their own once drained, or when the drain time is up.
	stop := clock.AfterFunc(g.clk, drain, clock.CancelFunc(g.clk, g.cancel))
	g.consumersWG.Wait()
	stop()
	g.cancel()
	g.wg.Wait()
	err := g.ledger.Close()
	for _, c := range g.consumers {
		err = errors.Join(err, c.err)
	}
	if len(g.consumers) == 0 {
		return nil, err
	}
	v := &result.Verification{Passed: true}
	for i, c := range g.consumers {
		verdict := c.ledger.Verdict()
		verdict.AggregatesNotDeaggregated = c.aggs.notDeaggregated.Load()
		verdict.UserRecordsNotDeaggregated = c.aggs.users.Load()
		verdict.AggregatesCorrupt = c.aggs.corrupt.Load()
		verdict.FilteredByHashRange = c.aggs.filtered.Load()
		if c.sink.stateful() {
			verdict.Sink = c.sink.check(c.ledger.ExpectedCounts())
		}
		verdict.Judge(g.expect[i])
		v.Passed = v.Passed && verdict.Passed
		v.Consumers = append(v.Consumers, verdict)
	}
	return v, err
}
