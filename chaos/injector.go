package chaos

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// Injector is a scenario's chaos timeline bound to a run: its start, its clock
// and its target.
type Injector struct {
	sc     *scenarios.Scenario
	target stream.Target
	start  time.Time
	clk    clock.Clock
	proxy  *Proxy
	faults []*fault

	shardsMu sync.Mutex
	written  map[string]map[string]int64 // records written, by stream and shard
}

// Option tunes New.
type Option func(*Injector)

// WithClock sets the clock windows are read on (default: the wall clock).
func WithClock(c clock.Clock) Option { return func(p *Injector) { p.clk = c } }

// WithProxy gives network faults the proxy between kinesim and the
// endpoint (see StartProxy). Default: none, and a timeline with network
// faults is an error.
func WithProxy(px *Proxy) Option { return func(p *Injector) { p.proxy = px } }

// fault is one entry of the timeline with what it did so far.
type fault struct {
	index    int
	cfg      scenarios.Fault
	kind     string
	from, to time.Time
	pick     *picker
	seed     uint64

	calls, records, retries, redelivered atomic.Int64
	// attempts numbers the delivery attempts a failed_delivery fault saw.
	attempts atomic.Uint64

	mu      sync.Mutex
	twice   []string // ids of records it made the stream store twice
	detail  string
	errText string
	took    time.Duration
}

func (f *fault) active(now time.Time) bool { return !now.Before(f.from) && now.Before(f.to) }

// hitCall counts one call it affected with its records and the retries they need.
func (f *fault) hitCall(records, retries int) {
	f.calls.Add(1)
	f.records.Add(int64(records))
	f.retries.Add(int64(retries))
}

func (f *fault) storedTwice(ids ...string) {
	if len(ids) == 0 {
		return
	}
	f.mu.Lock()
	f.twice = append(f.twice, ids...)
	f.mu.Unlock()
}

// New binds sc's chaos timeline to a run that started at start on target.
// It fails, naming the fault, when the target cannot serve one: a stream
// operation without stream.Resharder, a network fault without a proxy.
func New(sc *scenarios.Scenario, target stream.Target, start time.Time, opts ...Option) (*Injector, error) {
	p := &Injector{sc: sc, target: target, start: start, clk: clock.Real{}, written: map[string]map[string]int64{}}
	for _, o := range opts {
		o(p)
	}
	for i, cfg := range sc.Chaos {
		kind := cfg.Kind()
		if kind == "" {
			return nil, fmt.Errorf("chaos[%d]: set exactly one fault", i)
		}
		if _, ok := target.(stream.Resharder); cfg.IsStreamOperation() && !ok {
			return nil, fmt.Errorf("chaos[%d] %s: the %s target (%T) cannot reshard (it has no SplitShard, MergeShards or UpdateShardCount)",
				i, kind, sc.Target.Kind, target)
		}
		if kind == scenarios.FaultNetwork && p.proxy == nil {
			return nil, fmt.Errorf("chaos[%d] network: no proxy runs between kinesim and the endpoint; network faults need a kinesis target with target.endpoint", i)
		}
		seed := mix(uint64(sc.Seed) ^ mix(uint64(i)+1))
		f := &fault{index: i, cfg: cfg, kind: kind, from: start.Add(cfg.At.D()), to: start.Add(cfg.End().D()), seed: seed}
		f.pick = newPicker(seed, 0, 0)
		switch kind {
		case scenarios.FaultProducerTimeout:
			f.pick = newPicker(seed, cfg.ProducerTimeout.Probability, cfg.ProducerTimeout.Count)
		case scenarios.FaultInjectError:
			f.pick = newPicker(seed, cfg.InjectError.Probability, cfg.InjectError.Count)
		case scenarios.FaultLatency:
			f.pick = newPicker(seed, cfg.Latency.Probability, cfg.Latency.Count)
		case scenarios.FaultDuplicateSend:
			f.pick = newPicker(seed, cfg.DuplicateSend.Probability, cfg.DuplicateSend.Count)
		case scenarios.FaultFailedDelivery:
			f.pick = newPicker(seed, cfg.FailedDelivery.Probability, cfg.FailedDelivery.Count)
		}
		p.faults = append(p.faults, f)
	}
	if err := p.bindDeliveryFaults(); err != nil {
		return nil, err
	}
	if err := p.bindQuotaFaults(); err != nil {
		return nil, err
	}
	return p, nil
}

// Empty reports a timeline without faults.
func (p *Injector) Empty() bool { return p == nil || len(p.faults) == 0 }

// producerFaults are the faults on producer calls that hit the named producer.
func (p *Injector) producerFaults(producer string) []*fault {
	var out []*fault
	for _, f := range p.faults {
		switch f.kind {
		case scenarios.FaultProducerTimeout, scenarios.FaultInjectError, scenarios.FaultDuplicateSend, scenarios.FaultLatency:
			if f.cfg.IsConsumerFault() || f.cfg.IsApplicationFault() {
				continue
			}
			if f.cfg.Producer == "" || f.cfg.Producer == producer {
				out = append(out, f)
			}
		}
	}
	return out
}

// consumerFaults are the faults on consumer reads that hit the named consumer.
func (p *Injector) consumerFaults(consumer string) []*fault {
	var out []*fault
	for _, f := range p.faults {
		if f.cfg.IsConsumerFault() && !f.cfg.IsApplicationFault() && (f.cfg.Consumer == "" || f.cfg.Consumer == consumer) {
			out = append(out, f)
		}
	}
	return out
}

// Restarts are the times, from the run's start, at which the named consumer
// crashes and restarts from its last checkpoint, in order.
func (p *Injector) Restarts(consumer string) []time.Duration {
	return p.consumerFaultTimes(consumer, scenarios.ConsumerCrash)
}

// LeaseLosses are the times, from the run's start, at which the named
// consumer loses a shard's lease to another of its workers, in order.
func (p *Injector) LeaseLosses(consumer string) []time.Duration {
	return p.consumerFaultTimes(consumer, scenarios.ConsumerLeaseLoss)
}

// consumerFaultTimes are the times of the named consumer's faults of one
// kind, in order; each counts as a call it affected.
func (p *Injector) consumerFaultTimes(consumer, kind string) []time.Duration {
	if p == nil {
		return nil
	}
	var out []time.Duration
	for _, f := range p.consumerFaults(consumer) {
		if f.cfg.ConsumerFault == kind {
			f.calls.Add(1)
			out = append(out, f.cfg.At.D())
		}
	}
	slices.Sort(out)
	return out
}

// countWritten adds a PutRecords answer's successes to the per-shard counts.
func (p *Injector) countWritten(streamName string, out *stream.PutRecordsOutput) {
	if out == nil {
		return
	}
	var last string
	var n int64
	p.shardsMu.Lock()
	defer p.shardsMu.Unlock()
	m := p.written[streamName]
	if m == nil {
		m = map[string]int64{}
		p.written[streamName] = m
	}
	for _, e := range out.Records {
		if e.Failed() {
			continue
		}
		if e.ShardID != last && n > 0 {
			m[last] += n
			n = 0
		}
		last = e.ShardID
		n++
	}
	if n > 0 {
		m[last] += n
	}
}

// Written returns how many records the middleware saw written to each shard
// of the stream so far.
func (p *Injector) Written(streamName string) map[string]int64 {
	p.shardsMu.Lock()
	defer p.shardsMu.Unlock()
	out := make(map[string]int64, len(p.written[streamName]))
	for k, v := range p.written[streamName] {
		out[k] = v
	}
	return out
}

// sleep waits d on the plan's clock.
func (p *Injector) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	return p.clk.Sleep(ctx, d)
}
