// Package pipeline measures a stream-processing application outside kinesim
// (a Lambda function, a Flink job, a KCL application) that reads a stream
// kinesim writes and writes another. It reads the application's output
// stream (polling GetRecords, or enhanced fan-out), finds in each output
// record the id of the input record it came from (recordid.Finder: a JSON
// field path, a regular expression, or a list of ids for an application that
// aggregates), and tells the run's ledger, as a consumer named
// "pipeline:NAME", which input records came out. The ledger's verdict for it
// is the application's: records lost in it, duplicated by it, and records it
// emitted that kinesim never produced. Latency runs from each input record's
// intended send time (SendTimes) to its receipt on the output stream.
//
// Concurrency: Start starts the readers in goroutines of the run's clock and
// returns; Finish blocks until the output has settled (or the drain time is
// up) and stops them; Result is called after Finish. The ledger, SendTimes
// and the latency histogram are safe for concurrent use by the shard readers.
package pipeline

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators/recordid"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// LedgerPrefix starts the ledger consumer name of a pipeline: "pipeline:NAME".
const LedgerPrefix = "pipeline:" // chaos.ApplicationConsumer("")

// Config is one pipeline of a run.
type Config struct {
	// Pipeline is the scenario's entry, defaults applied.
	Pipeline scenarios.Pipeline
	// Reader reads the output stream; an efo pipeline needs it to be a stream.FanOut.
	Reader stream.Reader
	// Ledger is the run's ledger; Producers are the producers writing to
	// the pipeline's input stream (whose records are expected out).
	Ledger    *ledger.Ledger
	Producers []string
	// SendTimes holds the producers' intended send times.
	SendTimes *SendTimes
	// Clock is the run's clock.
	Clock clock.Clock
}

// Pipeline reads one application's output stream and accounts for it.
type Pipeline struct {
	cfg    Config
	finder *recordid.Finder
	ledger *ledger.Consumer
	known  map[string]bool // producers' safe names

	cancel  context.CancelFunc
	readers *clock.Group
	lastOut atomic.Int64 // unix nanoseconds of the last output record read

	mu         sync.Mutex
	latency    *hdrhistogram.Histogram // microseconds
	records    int64
	bytes      int64
	unmeasured int64
	early      []early // ids read before their write's answer reached the producer
	err        error
}

// early is an output id whose input record's outcome the ledger did not
// know yet: the application can read a record and forward it before
// kinesim's producer has handled the PutRecords answer.
type early struct {
	id string
	at time.Time
}

// Start begins reading the output stream from its trim horizon.
func Start(cfg Config) (*Pipeline, error) {
	p, err := newPipeline(cfg)
	if err != nil {
		return nil, err
	}
	var shards shardReader = &pollingReader{p: p}
	if cfg.Pipeline.Mode == scenarios.ConsumerEFO {
		fo, ok := cfg.Reader.(stream.FanOut)
		if !ok {
			return nil, fmt.Errorf("pipeline %q: mode efo: the target has no enhanced fan-out; use mode polling", cfg.Pipeline.Name)
		}
		shards = &fanOutReader{p: p, fanOut: fo}
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = clock.CancelFunc(cfg.Clock, cancel)
	p.lastOut.Store(cfg.Clock.Now().UnixNano())
	p.readers.Go(func() { p.discover(ctx, shards) })
	return p, nil
}

// newPipeline is the pipeline's accounting, not yet reading.
func newPipeline(cfg Config) (*Pipeline, error) {
	pc := cfg.Pipeline
	finder, err := recordid.NewFinder(pc.ID.Field, pc.ID.Regex, pc.ID.List)
	if err != nil {
		return nil, fmt.Errorf("pipeline %q: id: %w", pc.Name, err)
	}
	p := &Pipeline{cfg: cfg, finder: finder, ledger: cfg.Ledger.Consumer(LedgerPrefix + pc.Name),
		known: map[string]bool{}, readers: clock.NewGroup(cfg.Clock), latency: hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)}
	p.ledger.Scope(cfg.Producers...)
	for _, name := range cfg.Producers {
		p.known[recordid.SafeName(name)] = true
	}
	return p, nil
}

// shardReader reads one shard of the output stream until its end or ctx is done.
type shardReader interface {
	register(ctx context.Context) error
	read(ctx context.Context, shard stream.Shard)
}

// discover reads every shard of the output stream, new ones (after a
// reshard) as they appear.
func (p *Pipeline) discover(ctx context.Context, shards shardReader) {
	if err := shards.register(ctx); err != nil {
		p.fail(err)
		return
	}
	started := map[string]bool{}
	for {
		list, err := p.cfg.Reader.ListShards(ctx, p.cfg.Pipeline.Output)
		if err != nil && ctx.Err() == nil && !stream.Retryable(err) {
			p.fail(fmt.Errorf("list the shards of %q: %w", p.cfg.Pipeline.Output, err))
			return
		}
		for _, sh := range list {
			if !started[sh.ShardID] {
				started[sh.ShardID] = true
				p.readers.Go(func() { shards.read(ctx, sh) })
			}
		}
		if p.cfg.Clock.Sleep(ctx, time.Second) != nil {
			return
		}
	}
}

func (p *Pipeline) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
	}
}

// received accounts for records read from the output stream at now.
func (p *Pipeline) received(records []stream.StoredRecord, now time.Time) {
	if len(records) == 0 {
		return
	}
	p.lastOut.Store(now.UnixNano())
	var ids []string
	var latencies []time.Duration
	var bytes int64
	var unmeasured int64
	var waiting []early
	for _, r := range records {
		bytes += int64(len(r.Data))
		before := len(ids)
		ids = p.finder.Find(ids, r.Data)
		if len(ids) == before {
			p.ledger.Delivered(ledger.Delivery{At: now}) // no id: an unknown record
			continue
		}
		for _, id := range ids[before:] {
			if p.ours(id) && !p.cfg.SendTimes.Made(id) {
				// An id in the producers' form that names no record made:
				// made up by the application, and kept out of the ledger,
				// whose per-record state such a number would grow.
				p.ledger.Delivered(ledger.Delivery{At: now})
				continue
			}
			if p.pending(id) {
				waiting = append(waiting, early{id: id, at: now})
				continue
			}
			p.ledger.Delivered(ledger.Delivery{RecordID: id, At: now, Applied: true})
		}
		for _, id := range ids[before:] {
			if sent, ok := p.cfg.SendTimes.Lookup(id); ok {
				latencies = append(latencies, now.Sub(sent))
			} else if p.ours(id) {
				unmeasured++
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.records += int64(len(records))
	p.bytes += bytes
	p.unmeasured += unmeasured
	p.early = append(p.early, waiting...)
	for _, d := range latencies {
		_ = p.latency.RecordValue(max(d.Microseconds(), 1))
	}
}

// ours reports an id of a record the pipeline's producers made.
func (p *Pipeline) ours(id string) bool {
	name, _, ok := recordid.Parse(id)
	return ok && p.known[name]
}

// pending reports an id of a record the pipeline's producers made whose
// write the ledger has no outcome for yet: at most the writes in flight
// (an id of a record never made is not waited for).
func (p *Pipeline) pending(id string) bool {
	name, n, ok := recordid.Parse(id)
	return ok && p.known[name] && p.cfg.SendTimes.Made(id) && p.cfg.Ledger.Producer(name).Outcome(n) == ledger.Unknown
}

// settleEarly hands the ledger the early ids whose outcome it now knows,
// or all of them when final.
func (p *Pipeline) settleEarly(final bool) {
	p.mu.Lock()
	waiting := p.early
	p.early = nil
	p.mu.Unlock()
	var still []early
	for _, e := range waiting {
		if !final && p.pending(e.id) {
			still = append(still, e)
			continue
		}
		p.ledger.Delivered(ledger.Delivery{RecordID: e.id, At: e.at, Applied: true})
	}
	if len(still) > 0 {
		p.mu.Lock()
		p.early = append(still, p.early...)
		p.mu.Unlock()
	}
}

// Finish waits until every record the producers had acknowledged came out,
// or the output has been quiet for the pipeline's settle time, or drain has
// passed; then it stops reading.
func (p *Pipeline) Finish(drain time.Duration) {
	clk := p.cfg.Clock
	done := clk.Now()
	deadline := done.Add(drain)
	settle := p.cfg.Pipeline.Settle.D()
	tick := min(max(p.cfg.Pipeline.PollInterval.D(), 50*time.Millisecond), time.Second)
	for {
		now := clk.Now()
		p.settleEarly(false)
		quiet := now.Sub(time.Unix(0, p.lastOut.Load()))
		if now.Sub(done) >= settle && quiet >= settle || !now.Before(deadline) || p.allOut() || p.failed() {
			break
		}
		if clk.Sleep(context.Background(), tick) != nil {
			break
		}
	}
	p.cancel()
	p.readers.Wait()
	p.settleEarly(true)
}

func (p *Pipeline) failed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err != nil
}

// allOut reports that every acknowledged record came out at least once.
func (p *Pipeline) allOut() bool {
	v := p.ledger.Verdict()
	return v.Acknowledged > 0 && v.Lost+v.Unread == 0
}

// DeliveryCounter is the pipeline's ledger consumer, for chaos to count the
// duplicates its faults on the application caused.
func (p *Pipeline) DeliveryCounter() *ledger.Consumer { return p.ledger }

// Result says what came through the application; first is the hop before
// it (producers to the input stream), which the run knows.
func (p *Pipeline) Result(first result.Hop) result.Pipeline {
	pc := p.cfg.Pipeline
	v := p.ledger.Verdict()
	p.mu.Lock()
	defer p.mu.Unlock()
	r := result.Pipeline{
		Name: pc.Name, InputStream: pc.Input, OutputStream: pc.Output, Mode: pc.Mode, ID: pc.ID.Describe(),
		OutputRecords: p.records, OutputBytes: p.bytes,
		// The output's sequence numbers are not the input's, so the ledger
		// cannot tell lost from not read yet: what did not come out is lost.
		Matched: v.DistinctRecords, Lost: v.Lost + v.Unread, Duplicated: v.DuplicateDeliveries,
		Unknown: v.Unknown, NotAcknowledged: v.DeliveredNotAcknowledged,
		LatencyUnmeasured: p.unmeasured, LatencyMs: percentiles(p.latency),
	}
	if p.err != nil {
		r.Error = p.err.Error()
	}
	second := result.Hop{Name: "input -> output", From: pc.Input, To: pc.Output,
		RecordsIn: v.Acknowledged, RecordsOut: v.DistinctRecords, Lost: v.Lost, Duplicated: v.DuplicateDeliveries, LatencyMs: r.LatencyMs}
	r.Hops = []result.Hop{first, second}
	r.Judge(pc.Expect)
	return r
}

// percentiles are h's in milliseconds (h holds microseconds).
func percentiles(h *hdrhistogram.Histogram) result.Percentiles {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return result.Percentiles{Count: h.TotalCount(), P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)),
		P99: ms(h.ValueAtQuantile(99)), P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max()), Mean: h.Mean() / 1000}
}

// Names lists the producers of sc writing to the pipeline's input stream.
func Names(sc *scenarios.Scenario, pc scenarios.Pipeline) []string {
	var out []string
	for _, pr := range sc.Producers {
		if pr.Stream == pc.Input && !slices.Contains(out, pr.Name) {
			out = append(out, pr.Name)
		}
	}
	return out
}
