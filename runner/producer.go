package runner

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/runner/pacing"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// arrivals yields each record's intended offset from the run's start, in order.
type arrivals interface {
	Next() (offset time.Duration, ok bool)
}

// producer is an open-model producer: records are due when the schedule says,
// whatever the target is doing, and latency counts from that moment.
type producer struct {
	cfg        scenarios.Producer
	streamName string
	gen        generators.Generator
	keys       generators.KeyChooser
	hashKeys   generators.HashKeyer // set when records carry explicit hash keys
	arrivals   arrivals
	target     stream.Writer
	single     stream.SingleWriter // set when the producer uses PutRecord
	rec        *reports.ProducerRecorder
	clk        clock.Clock
	start      time.Time
	dead       *deadLetters
	// ledger, when set, gets every record's outcome (see runner/ledger).
	ledger    *ledger.Producer
	maxRecord int

	inFlight *clock.Semaphore
	// calls holds the goroutines making calls (and waiting to).
	calls *clock.Group
	// buffered counts records waiting for a call slot (policy buffer).
	buffered atomic.Int64
	// sampled spreads the kept share evenly (policy sample); loop-owned.
	sampled float64
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
// cancelled when the drain time after a stop runs out).
//
// On the wall clock the loop sleeps until each record is due and hands it to
// the batcher then. On a virtual clock, where sleeping costs a handoff per
// record, it makes records ahead and sleeps only until the moment the batch
// would be sent on the wall clock (its last record's due time, or the
// linger deadline): the same calls at the same simulated times.
func (p *producer) run(ctx, callCtx context.Context) {
	defer p.calls.Wait()
	maxRecords := p.cfg.Batch.MaxRecords
	maxBytes := int(p.cfg.Batch.MaxBytes)
	linger := p.cfg.Batch.Linger.D()
	_, ahead := p.clk.(*clock.Virtual)

	var (
		batch      = make([]pending, 0, maxRecords)
		batchBytes int
		slab       []byte // payloads of the current batch share one buffer
		slabCap    int    // the last batch's payload bytes: the next one's first guess
		id         uint64
	)
	// flushAt sends the batch as it stands at time at (already reached on
	// the wall clock; slept to when making records ahead).
	flushAt := func(at time.Time) {
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
		p.rec.Observe(reports.SendDelay, p.clk.Now(), delays...)
		p.dispatch(callCtx, batch)
		batch = make([]pending, 0, maxRecords)
		batchBytes = 0
		slabCap = max(slabCap, len(slab))
		slab = make([]byte, 0, slabCap)
	}
	scheduled := secondCounter{rec: p.rec, counter: reports.RecordsScheduled, start: p.rec.Start()}
	defer scheduled.flush()
	var lastDue time.Time
	for {
		offset, ok := p.arrivals.Next()
		if !ok {
			break
		}
		due := p.start.Add(offset)
		if len(batch) > 0 {
			if deadline := batch[0].intended.Add(linger); deadline.Before(due) {
				if !ahead && p.clk.Sleep(ctx, deadline.Sub(p.clk.Now())) != nil {
					break
				}
				flushAt(deadline)
			}
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
		// Handed over when due, or later if the loop was held up (by
		// backpressure, or by a slow generator on the wall clock).
		handed := p.clk.Now()
		if handed.Before(due) {
			handed = due
		}

		id++
		begin := len(slab)
		slab = p.gen.Next(slab, generators.Meta{Producer: p.cfg.Name, ID: id, Intended: due})
		r := pending{
			record:   stream.Record{PartitionKey: p.keys.Key(), Data: slab[begin:len(slab):len(slab)]},
			id:       id,
			intended: due,
			slip:     handed.Sub(due),
		}
		if p.hashKeys != nil {
			r.record.ExplicitHashKey = p.hashKeys.ExplicitHashKey()
		}
		size := r.record.Size()
		if size > p.maxRecord {
			p.deadLetter(r, ReasonTooLarge, "record of %d bytes is over the stream's %d-byte record limit", size, p.maxRecord)
			p.rec.Add(reports.RecordsDeadLettered, 1, p.clk.Now())
			continue
		}
		if batchBytes+size > maxBytes {
			flushAt(due)
		}
		batch = append(batch, r)
		batchBytes += size
		if len(batch) >= maxRecords {
			flushAt(due)
		}
	}
	flushAt(lastDue)
}

// dispatch sends a batch once a call slot is free, applying the
// backpressure policy when none is.
func (p *producer) dispatch(ctx context.Context, batch []pending) {
	if p.tryAcquire() {
		p.launch(ctx, batch)
		return
	}
	bp := p.cfg.Backpressure
	switch bp.Policy {
	case scenarios.BackpressureDrop:
		p.rec.Add(reports.RecordsDropped, int64(len(batch)), p.clk.Now())
		return
	case scenarios.BackpressureSample:
		batch = p.sample(batch, bp.Share)
		if len(batch) == 0 {
			return
		}
	case scenarios.BackpressureBuffer:
		n := int64(len(batch))
		if p.buffered.Add(n) <= int64(bp.Buffer) {
			// Wait for a slot off the producer's loop; the schedule goes on.
			p.calls.Go(func() {
				ok := p.acquire(ctx)
				p.buffered.Add(-n)
				if !ok {
					p.unfinished(batch)
					return
				}
				p.send(ctx, batch)
			})
			return
		}
		p.buffered.Add(-n)
	}
	// Block: waiting here holds the schedule up; the slip shows as send delay.
	if !p.acquire(ctx) {
		p.unfinished(batch)
		return
	}
	p.launch(ctx, batch)
}

// launch sends a batch in its own goroutine; the caller holds a call slot.
func (p *producer) launch(ctx context.Context, batch []pending) {
	p.calls.Go(func() { p.send(ctx, batch) })
}

// sample keeps share of the batch, spread evenly across batches, and counts
// the rest as dropped.
func (p *producer) sample(batch []pending, share float64) []pending {
	kept := batch[:0]
	for _, r := range batch {
		before := int(p.sampled)
		p.sampled += share
		if int(p.sampled) > before {
			kept = append(kept, r)
		}
	}
	p.rec.Add(reports.RecordsDropped, int64(len(batch)-len(kept)), p.clk.Now())
	return kept
}

func (p *producer) tryAcquire() bool { return p.inFlight.TryAcquire() }

func (p *producer) acquire(ctx context.Context) bool { return p.inFlight.Acquire(ctx) == nil }

func (p *producer) release() { p.inFlight.Release() }

// send puts a batch, retrying failed records with backoff until they are
// acknowledged, out of attempts (dead-lettered) or the run is out of time.
// It holds a call slot on entry and gives it back while it waits to retry.
func (p *producer) send(ctx context.Context, batch []pending) {
	records := make([]stream.Record, 0, len(batch))
	for retry := 0; ; retry++ {
		records = records[:0]
		for _, r := range batch {
			records = append(records, r.record)
		}
		callStart := p.clk.Now()
		if retry == 0 {
			p.rec.Add(reports.RecordsSent, int64(len(batch)), callStart)
		} else {
			p.rec.Add(reports.RecordsRetried, int64(len(batch)), callStart)
		}
		out, err := p.put(ctx, records)
		callEnd := p.clk.Now()
		p.rec.Add(reports.PutCalls, 1, callEnd)
		p.rec.Add(reports.PutAttempts, int64(len(batch)), callEnd)
		p.rec.Observe(reports.PutRecordsLatency, callEnd, callEnd.Sub(callStart))
		batch = p.settle(batch, out, err, callStart, callEnd)
		p.release()
		if len(batch) == 0 {
			return
		}
		wait := pacing.Backoff(retry+1, p.cfg.Retry.Base.D(), p.cfg.Retry.Cap.D(), pacing.Jitter())
		if p.clk.Sleep(ctx, wait) != nil || !p.acquire(ctx) {
			p.unfinished(batch)
			return
		}
	}
}

// put makes one call: PutRecords, or PutRecord for a producer using it
// (its batches hold one record). PutRecord's throttling and internal
// failures are that record's outcome, as a PutRecords entry would say.
func (p *producer) put(ctx context.Context, records []stream.Record) (*stream.PutRecordsOutput, error) {
	if p.single == nil {
		return p.target.PutRecords(ctx, &stream.PutRecordsInput{StreamName: p.streamName, Records: records})
	}
	out, err := p.single.PutRecord(ctx, &stream.PutRecordInput{StreamName: p.streamName, Record: records[0]})
	var api *stream.APIError
	switch {
	case err == nil:
		return &stream.PutRecordsOutput{Records: []stream.PutRecordsResultEntry{{ShardID: out.ShardID, SequenceNumber: out.SequenceNumber}}}, nil
	case errors.As(err, &api) && (api.Code == stream.CodeThrottled || api.Code == stream.CodeInternalFailure):
		return &stream.PutRecordsOutput{FailedRecordCount: 1, Records: []stream.PutRecordsResultEntry{{ErrorCode: api.Code, ErrorMessage: api.Message}}}, nil
	}
	return nil, err
}

// settle records the outcome of a call made at sent and answered at now,
// and returns the records to retry.
func (p *producer) settle(batch []pending, out *stream.PutRecordsOutput, err error, sent, now time.Time) []pending {
	if err == nil && (out == nil || len(out.Records) != len(batch)) {
		err = stream.Errorf(stream.CodeInternalFailure, "target answered %d results for %d records", resultCount(out), len(batch))
	}
	retry := batch[:0]
	if err != nil {
		p.rec.Add(reports.PutCallErrors, 1, now)
		code, msg := errorCode(err), err.Error()
		if errors.Is(err, stream.ErrThrottled) {
			p.rec.Add(reports.RecordsThrottled, int64(len(batch)), now)
		} else {
			p.rec.Add(reports.RecordsFailed, int64(len(batch)), now)
		}
		retryable := stream.Retryable(err)
		for _, r := range batch {
			r.attempts++
			if !retryable || r.attempts >= p.cfg.Retry.MaxAttempts {
				p.deadLetter(r, code, "%s", msg)
				continue
			}
			retry = append(retry, r)
		}
		p.rec.Add(reports.RecordsDeadLettered, int64(len(batch)-len(retry)), now)
		return retry
	}
	var (
		acked, ackedBytes, throttled, failed, dead int64
		shards                                     reports.ShardCounts // for the report's per-shard load
	)
	latencies := make([]time.Duration, 0, len(batch))
	for i, r := range batch {
		res := out.Records[i]
		r.attempts++
		if !res.Failed() {
			p.ledger.AcknowledgedAt(r.id, r.record.PartitionKey, res.ShardID, res.SequenceNumber, r.attempts, sent)
			acked++
			ackedBytes += int64(r.record.Size())
			shards.Add(res.ShardID, r.record.Size())
			latencies = append(latencies, now.Sub(r.intended))
			continue
		}
		if res.ErrorCode == stream.CodeThrottled {
			throttled++
		} else {
			failed++
		}
		if r.attempts >= p.cfg.Retry.MaxAttempts {
			p.deadLetter(r, res.ErrorCode, "%s", res.ErrorMessage)
			dead++
			continue
		}
		retry = append(retry, r)
	}
	p.rec.Add(reports.RecordsDeadLettered, dead, now)
	p.rec.Add(reports.RecordsAcknowledged, acked, now)
	p.rec.Add(reports.BytesAcknowledged, ackedBytes, now)
	p.rec.AddShards(&shards, now)
	p.rec.Add(reports.RecordsThrottled, throttled, now)
	p.rec.Add(reports.RecordsFailed, failed, now)
	p.rec.Observe(reports.RecordLatency, now, latencies...)
	return retry
}

func resultCount(out *stream.PutRecordsOutput) int {
	if out == nil {
		return 0
	}
	return len(out.Records)
}

// deadLetter keeps a record that failed every attempt; the caller counts
// it (once per call, off the per-record path).
func (p *producer) deadLetter(r pending, code, format string, args ...any) {
	p.dead.write(p.letter(r, code, format, args...))
	p.ledger.Failed(r.id, r.record.PartitionKey, r.attempts, ledger.DeadLettered)
}

// unfinished counts and keeps records the run stopped waiting for.
func (p *producer) unfinished(batch []pending) {
	p.rec.Add(reports.RecordsUnfinished, int64(len(batch)), p.clk.Now())
	for _, r := range batch {
		p.dead.write(p.letter(r, ReasonUnfinished, "the run stopped before the record was acknowledged"))
		p.ledger.Failed(r.id, r.record.PartitionKey, r.attempts, ledger.Unfinished)
	}
}

// ReasonCallFailed is the dead-letter code of a call that failed without an
// API error code (a timeout, a reset connection).
const ReasonCallFailed = "kinesim.CallFailed"

func errorCode(err error) string {
	var api *stream.APIError
	if errors.As(err, &api) {
		return api.Code
	}
	return ReasonCallFailed
}

func (p *producer) letter(r pending, code, format string, args ...any) DeadLetter {
	return DeadLetter{
		Producer:        p.cfg.Name,
		RecordID:        r.id,
		PartitionKey:    r.record.PartitionKey,
		ExplicitHashKey: r.record.ExplicitHashKey,
		Attempts:        r.attempts,
		ErrorCode:       code,
		ErrorMessage:    fmt.Sprintf(format, args...),
		IntendedSend:    r.intended,
		Data:            r.record.Data,
	}
}

// secondCounter adds to a recorder counter once per second of event time
// instead of once per event, keeping the recorder's lock off the per-record
// path. Its seconds must be the recorder's (start = the recorder's Start).
// Not safe for concurrent use.
type secondCounter struct {
	rec     *reports.ProducerRecorder
	counter reports.Counter
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
