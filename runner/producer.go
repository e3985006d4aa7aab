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
	}
}

// pending is a record on its way: built, batched, maybe retried.
type pending struct {
	record   stream.Record
	id       uint64
	intended time.Time
	// slip is how late the record was handed to the batcher: the send delay.
	slip     time.Duration
	attempts int
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
func (p *producer) run(ctx, callCtx context.Context) {
	defer p.calls.Wait()
	s := p.sender()
	batches := newBatcher(p.cfg.Batch.MaxRecords, int(p.cfg.Batch.MaxBytes), p.cfg.Batch.Linger.D())
	ahead := clock.IsSimulated(p.clk)
	var (
		slab    []byte // payloads of the current batch share one buffer
		slabCap int    // the last batch's payload bytes: the next one's first guess
		id      uint64
		// flushed says the clock may have moved since the last look (a
		// batch was sent, which can wait); on the wall clock it always may.
		flushed bool
	)
	// flushAt sends a batch at time at (already reached on the wall clock;
	// slept to when making records ahead).
	flushAt := func(at time.Time, batch []pending) {
		if len(batch) == 0 {
			return
		}
		if ahead {
			// A stop cuts the wait short; the batch is still sent.
			_ = p.clk.Sleep(ctx, at.Sub(p.clk.Now()))
		}
		delays := make([]time.Duration, len(batch))
		for i, r := range batch {
			delays[i] = r.slip
		}
		p.rec.Observe(metrics.SendDelay, p.clk.Now(), delays...)
		s.dispatch(callCtx, batch)
		flushed = true
		slabCap = max(slabCap, len(slab))
		slab = make([]byte, 0, slabCap)
	}
	scheduled := secondCounter{rec: p.rec, counter: metrics.RecordsScheduled, start: p.rec.Start()}
	defer scheduled.flush()
	var lastDue time.Time
	for {
		if (flushed || !ahead) && p.clk.Now().After(p.end) {
			p.unsent(id)
			break
		}
		flushed = false
		offset, ok := p.arrivals.Next()
		if !ok {
			break
		}
		due := p.start.Add(offset)
		if batches.Expired(due) {
			deadline, _ := batches.Deadline()
			if !ahead && p.clk.Sleep(ctx, deadline.Sub(p.clk.Now())) != nil {
				break
			}
			flushAt(deadline, batches.Take())
		}
		if !ahead {
			if p.clk.Sleep(ctx, due.Sub(p.clk.Now())) != nil {
				break
			}
		} else if ctx.Err() != nil {
			break
		}
		scheduled.add(due)
		lastDue = due
		id++
		var r pending
		r, slab = p.next(slab, id, due)
		if size := r.record.Size(); size > p.maxRecord {
			s.deadLetter(r, ReasonTooLarge, "record of %d bytes is over the stream's %d-byte record limit", size, p.maxRecord)
			p.rec.Add(metrics.RecordsDeadLettered, 1, p.clk.Now())
			continue
		}
		for _, full := range batches.Add(r) {
			flushAt(due, full)
		}
	}
	flushAt(lastDue, batches.Take())
}

// unsent counts the records of the schedule after the first made as
// never made (the expected number, for Poisson arrivals).
func (p *producer) unsent(made uint64) {
	total := int64(min(math.Floor(p.total+1e-6), math.MaxInt64))
	if left := total - int64(made); left > 0 {
		p.rec.Add(metrics.RecordsUnsent, left, p.clk.Now())
	}
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
