package runner

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
	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// LedgerFlushInterval is how often the ledger file is flushed: a crash
// loses at most this much of it.
const LedgerFlushInterval = time.Second

// consumerGroup is a run's ledger and built-in consumers.
type consumerGroup struct {
	ledger    *ledger.Ledger
	consumers []*pollingConsumer
	expect    []map[string]int64
	clk       clock.Clock

	cancel        context.CancelFunc
	producersDone chan struct{}
	doneAt        atomic.Pointer[time.Time]
	wg            sync.WaitGroup // the ledger's syncer
	consumersWG   *clock.Group
}

// startConsumers opens the run's ledger (outDir/ledger.bin), hooks the
// producers to it and starts the scenario's consumers. They read until
// finish says the producers are done and the backlog is drained.
func startConsumers(sc *scenarios.Scenario, reader stream.Reader, rec *reports.Recorder, clk clock.Clock, start time.Time, outDir string, producers []*producer, faults *chaos.Plan) (*consumerGroup, error) {
	led, err := ledger.Create(filepath.Join(outDir, ledger.FileName))
	if err != nil {
		return nil, err
	}
	for _, p := range producers {
		p.ledger = led.Producer(p.cfg.Name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &consumerGroup{ledger: led, clk: clk, cancel: cancel, producersDone: make(chan struct{}), consumersWG: clock.NewGroup(clk)}
	for i, cc := range sc.Consumers {
		name := cc.Name
		if name == "" {
			name = fmt.Sprintf("consumer-%d", i+1)
		}
		var store CheckpointStore = &MemoryCheckpoints{}
		if cc.Checkpoint.Store == scenarios.CheckpointFile {
			fs, err := OpenFileCheckpoints(filepath.Join(outDir, "checkpoints-"+recordid.SafeName(name)+".json"))
			if err != nil {
				cancel()
				return nil, errors.Join(err, led.Close())
			}
			store = fs
		}
		streamName := cc.Stream
		if streamName == "" {
			streamName = sc.Target.Stream
		}
		c := &pollingConsumer{
			name:        name,
			streamName:  streamName,
			reader:      faults.Reader(name, reader),
			clk:         clk,
			rec:         rec,
			ledger:      led.Consumer(name),
			store:       store,
			sink:        newSink(cc),
			poll:        orDefault(cc.PollInterval.D(), DefaultPollInterval),
			ckptRecords: cc.Checkpoint.Records,
			ckptEvery:   orDefault(cc.Checkpoint.Every.D(), DefaultCheckpointEvery),
		}
		if c.ckptRecords <= 0 {
			c.ckptRecords = DefaultCheckpointRecords
		}
		for _, at := range append(slices.Clone(cc.RestartAt), durations(faults.Restarts(name))...) {
			c.restarts = append(c.restarts, start.Add(at.D()))
		}
		slices.SortFunc(c.restarts, time.Time.Compare)
		if cc.Mode == scenarios.ConsumerEFO {
			fo, ok := reader.(stream.FanOut)
			if !ok {
				cancel()
				return nil, errors.Join(fmt.Errorf("consumer %q: mode efo: the %s target has no enhanced fan-out (RegisterStreamConsumer, SubscribeToShard); use mode polling", name, sc.Target.Kind), led.Close())
			}
			c.fanOut = fo
		}
		c.leases = newLeaseTable(cc.Workers)
		for _, at := range faults.LeaseLosses(name) {
			c.leaseLosses = append(c.leaseLosses, start.Add(at))
		}
		if err := c.position(cc, start, sc.Producers); err != nil {
			cancel()
			return nil, errors.Join(fmt.Errorf("consumer %q: %w", name, err), led.Close())
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

// position sets where the consumer starts, what it filters and whose
// records it expects, and tells the ledger.
func (c *pollingConsumer) position(cc scenarios.Consumer, start time.Time, producers []scenarios.Producer) error {
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

// deliveryCounters are the consumers' ledgers, for chaos to count the
// duplicates its faults caused.
func (g *consumerGroup) deliveryCounters() []chaos.DeliveryCounter {
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

func (g *consumerGroup) producersFinishedAt() time.Time { return *g.doneAt.Load() }

// finish tells the consumers the producers are done, waits until they have
// drained the stream or drain has passed, and judges their deliveries
// against the ledger. The verification is nil without consumers.
func (g *consumerGroup) finish(drain time.Duration) (*reports.Verification, error) {
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
	v := &reports.Verification{Passed: true}
	for i, c := range g.consumers {
		verdict := c.ledger.Verdict()
		if c.sink.stateful() {
			verdict.Sink = c.sink.check(c.ledger.ExpectedCounts())
		}
		verdict.Judge(g.expect[i])
		v.Passed = v.Passed && verdict.Passed
		v.Consumers = append(v.Consumers, verdict)
	}
	return v, err
}
