package runner

import (
	"context"
	"math"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/runner/pipeline"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// arrivals yields each record's intended offset from the run's start, in order.
type arrivals interface {
	Next() (offset time.Duration, ok bool)
}

// producer is an open-model producer: records are due when the schedule says,
// whatever the target is doing, and latency counts from that moment. Its
// loop makes each record when due, a batcher groups them, and a sender makes
// the calls.
type producer struct {
	// segment says which arrivals are this process's (package segment);
	// the others are still made, and thrown away, so the generator and
	// key chooser draw the same values as on one machine.
	segment    segment.Segment
	cfg        scenarios.Producer
	streamName string
	gen        generators.Generator
	keys       generators.KeyChooser
	hashKeys   generators.HashKeyer // set when records carry explicit hash keys
	arrivals   arrivals
	// total is the number of records the schedule asks for (its Due at
	// its end); end is start plus the schedule's end.
	total  float64
	end    time.Time
	target stream.Writer
	single stream.SingleWriter // set when the producer uses PutRecord
	rec    *metrics.ProducerRecorder
	clk    clock.Clock
	start  time.Time
	dead   *deadLetters
	// ledger, when set, gets every record's outcome (see runner/ledger).
	ledger *ledger.Producer
	// sendTimes keeps the intended send times pipelines time records by;
	// nil without pipelines.
	sendTimes *pipeline.ProducerTimes
	maxRecord int

	inFlight *clock.Semaphore
	// calls holds the goroutines making calls (and waiting to).
	calls *clock.Group
	// shards, set when the producer aggregates (cfg.Aggregation), predicts
	// each record's shard.
	shards *shardMap
}

// sender returns the producer's sender, for one run of its loop.
func (p *producer) sender() *sender {
	return &sender{
		producer:   p.cfg.Name,
		streamName: p.streamName,
		retry:      p.cfg.Retry,
		target:     p.target,
		single:     p.single,
		rec:        p.rec,
		clk:        p.clk,
		dead:       p.dead,
		ledger:     p.ledger,
		policy:     newBackpressure(p.cfg.Backpressure),
		inFlight:   p.inFlight,
		calls:      p.calls,
		maxRecords: p.cfg.Batch.MaxRecords,
		maxBytes:   int(p.cfg.Batch.MaxBytes),
		repacker:   p.repacker(),
	}
}

// repacker returns what puts the user records of a misplaced aggregate
// again, when the producer aggregates.
func (p *producer) repacker() *reaggregator {
	if p.cfg.Aggregation == nil {
		return nil
	}
	return &reaggregator{cfg: *p.cfg.Aggregation, recordLimit: p.maxRecord, shards: p.shards}
}

// pending is a record on its way: built, batched, maybe retried.
type pending struct {
	record   stream.Record
	id       uint64
	intended time.Time
	// slip is how late the record was handed to the batcher: the send delay.
	slip     time.Duration
	attempts int
	// users, set for a Kinesis record an aggregating producer made, are
	// the user records it carries (one, for a record KPL sends plain);
	// predicted is the shard the producer predicted for them.
	users     []userRecord
	predicted string
}

// run schedules and batches records until the schedule ends or ctx is done,
// then waits for its calls; callCtx bounds the calls themselves (it is
// cancelled when the drain time after the schedule's end or a stop runs
// out).
//
// A producer behind its schedule (held up by max_in_flight or backpressure,
// or slower than the rate) stops making records when the clock passes the
// schedule's end, and counts the records it never made as unsent: a run
// whose schedule cannot be met still ends at its duration plus the drain.
//
// On the wall clock the loop sleeps until each record is due and hands it to
// the batcher then. On a virtual clock, where sleeping costs a handoff per
// record, it makes records ahead and sleeps only until the moment the batch
// would be sent on the wall clock (its last record's due time, or the
// linger deadline): the same calls at the same simulated times.
//
// An aggregating producer hands each record to its aggregates first, and
// the aggregates they complete (full, or lingered) to the batcher.
func (p *producer) run(ctx, callCtx context.Context) {
	defer p.calls.Wait()
	l := p.newLoop(ctx, callCtx)
	scheduled := secondCounter{rec: p.rec, counter: metrics.RecordsScheduled, start: p.rec.Start()}
	defer scheduled.flush()
	var (
		lastDue time.Time
		id      uint64 // the arrival's index: the record id
		made    int64  // records this segment made
		skipped []byte // the payload of another segment's arrival, thrown away
	)
	for {
		if (l.flushed || !l.ahead) && p.clk.Now().After(p.end) {
			p.unsent(made)
			break
		}
		l.flushed = false
		offset, ok := p.arrivals.Next()
		if !ok {
			break
		}
		due := p.start.Add(offset)
		id++
		if !p.segment.OwnsArrival(id) {
			skipped = p.skip(skipped[:0], id, due)
			continue
		}
		if !l.catchUp(due) {
			break
		}
		if !l.ahead {
			if p.clk.Sleep(ctx, due.Sub(p.clk.Now())) != nil {
				break
			}
		} else if ctx.Err() != nil {
			break
		}
		scheduled.add(due)
		lastDue = due
		made++
		var r pending
		r, l.slab = p.next(l.slab, id, due)
		if size := r.record.Size(); size > p.maxRecord {
			l.s.deadLetter(r, ReasonTooLarge, "record of %d bytes is over the stream's %d-byte record limit", size, p.maxRecord)
			p.rec.Add(metrics.RecordsDeadLettered, 1, p.clk.Now())
			continue
		}
		l.add(r, due)
	}
	if l.aggs != nil {
		l.batch(l.aggs.flushAll(nil, lastDue), lastDue)
	}
	l.flushAt(lastDue, l.batches.Take())
}

// loop is one run of a producer's loop: its batcher, its aggregates when it
// aggregates, and the buffer its payloads share. Loop-owned.
type loop struct {
	p              *producer
	ctx, callCtx   context.Context
	s              *sender
	batches        *batcher
	aggs           *aggregating // nil without aggregation
	ahead, flushed bool
	// slab holds the current batch's payloads; slabCap is the last batch's
	// payload bytes, the next one's first guess.
	slab    []byte
	slabCap int
	made    []pending // aggregates completed, reused
}

func (p *producer) newLoop(ctx, callCtx context.Context) *loop {
	l := &loop{p: p, ctx: ctx, callCtx: callCtx, s: p.sender(), ahead: clock.IsSimulated(p.clk),
		batches: newBatcher(p.cfg.Batch.MaxRecords, int(p.cfg.Batch.MaxBytes), p.cfg.Batch.Linger.D())}
	if a := p.cfg.Aggregation; a != nil {
		l.aggs = newAggregating(*a, p.maxRecord, p.shards)
	}
	return l
}

// flushAt sends a batch at time at (already reached on the wall clock;
// slept to when making records ahead).
func (l *loop) flushAt(at time.Time, batch []pending) {
	if len(batch) == 0 {
		return
	}
	p := l.p
	if l.ahead {
		// A stop cuts the wait short; the batch is still sent.
		_ = p.clk.Sleep(l.ctx, at.Sub(p.clk.Now()))
	}
	delays := make([]time.Duration, 0, countUsers(batch))
	for _, r := range batch {
		if r.users == nil {
			delays = append(delays, r.slip)
			continue
		}
		for _, u := range r.users {
			delays = append(delays, u.slip)
		}
	}
	p.rec.Observe(metrics.SendDelay, p.clk.Now(), delays...)
	l.s.dispatch(l.callCtx, batch)
	l.flushed = true
	l.slabCap = max(l.slabCap, len(l.slab))
	l.slab = make([]byte, 0, l.slabCap)
}

// catchUp sends, in time order, the aggregates and batches whose linger
// runs out before due; false when the run was stopped while waiting.
func (l *loop) catchUp(due time.Time) bool {
	for {
		at, ok := l.batches.Deadline()
		fromAggs := false
		if l.aggs != nil {
			if aggAt, aggOK := l.aggs.deadline(); aggOK && (!ok || aggAt.Before(at)) {
				at, ok, fromAggs = aggAt, true, true
			}
		}
		if !ok || !at.Before(due) {
			return true
		}
		if !l.ahead && l.p.clk.Sleep(l.ctx, at.Sub(l.p.clk.Now())) != nil {
			return false
		}
		if fromAggs {
			l.made = l.aggs.flushDue(l.made[:0], at)
			l.batch(l.made, at)
		} else {
			l.flushAt(at, l.batches.Take())
		}
	}
}

// add hands a record due at due to the aggregates, or to the batcher.
func (l *loop) add(r pending, due time.Time) {
	if l.aggs == nil {
		for _, full := range l.batches.Add(r) {
			l.flushAt(due, full)
		}
		return
	}
	var err error
	l.made, err = l.aggs.add(l.made[:0], userRecord{record: r.record, id: r.id, intended: r.intended, slip: r.slip}, due)
	if err != nil {
		l.s.deadLetter(r, ReasonInvalidRecord, "%v", err)
		l.p.rec.Add(metrics.RecordsDeadLettered, 1, l.p.clk.Now())
	}
	l.batch(l.made, due)
}

// batch hands records ready at at to the batcher and sends the batches
// they fill.
func (l *loop) batch(records []pending, at time.Time) {
	for _, r := range records {
		for _, full := range l.batches.Add(r) {
			l.flushAt(at, full)
		}
	}
}

// unsent counts the records of the schedule after the first made as
// never made (the expected number, for Poisson arrivals).
func (p *producer) unsent(made int64) {
	total := p.segment.ArrivalsOf(int64(min(math.Floor(p.total+1e-6), math.MaxInt64)))
	if left := total - made; left > 0 {
		p.rec.Add(metrics.RecordsUnsent, left, p.clk.Now())
	}
}

// skip makes another segment's record id into buf and throws it away, so
// that the generator and the key chooser move on exactly as they do on one
// machine.
func (p *producer) skip(buf []byte, id uint64, due time.Time) []byte {
	buf = p.gen.Next(buf, generators.Meta{Producer: p.cfg.Name, ID: id, Intended: due})
	p.keys.Key()
	if p.hashKeys != nil {
		p.hashKeys.ExplicitHashKey()
	}
	return buf
}

// next makes record id, due at due, with its payload appended to slab.
func (p *producer) next(slab []byte, id uint64, due time.Time) (pending, []byte) {
	// Handed over when due, or later if the loop was held up (by
	// backpressure, or by a slow generator on the wall clock).
	handed := p.clk.Now()
	if handed.Before(due) {
		handed = due
	}
	begin := len(slab)
	slab = p.gen.Next(slab, generators.Meta{Producer: p.cfg.Name, ID: id, Intended: due})
	p.sendTimes.Note(id, due)
	r := pending{
		record:   stream.Record{PartitionKey: p.keys.Key(), Data: slab[begin:len(slab):len(slab)]},
		id:       id,
		intended: due,
		slip:     handed.Sub(due),
	}
	if p.hashKeys != nil {
		r.record.ExplicitHashKey = p.hashKeys.ExplicitHashKey()
	}
	return r, slab
}

// secondCounter adds to a recorder counter once per second of event time
// instead of once per event, keeping the recorder's lock off the per-record
// path. Its seconds must be the recorder's (start = the recorder's Start).
// Not safe for concurrent use.
type secondCounter struct {
	rec     *metrics.ProducerRecorder
	counter metrics.Counter
	start   time.Time
	n       int64
	at      time.Time
}

func (c *secondCounter) add(t time.Time) {
	if c.n > 0 && t.Sub(c.start)/time.Second != c.at.Sub(c.start)/time.Second {
		c.flush()
	}
	c.n++
	c.at = t
}

func (c *secondCounter) flush() {
	c.rec.Add(c.counter, c.n, c.at)
	c.n = 0
}
