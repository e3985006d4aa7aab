package runner

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// Consumer defaults.
const (
	DefaultPollInterval      = time.Second
	DefaultCheckpointRecords = 1000
	DefaultCheckpointEvery   = 10 * time.Second
)

// pollingConsumer reads every shard of a stream like a KCL application in
// one process: a worker (and lease) per shard, GetRecords every poll
// interval, checkpoints, and parents read to their end before children.
type pollingConsumer struct {
	name        string
	streamName  string
	reader      stream.Reader
	clk         clock.Clock
	rec         *reports.Recorder
	ledger      *ledger.Consumer
	store       CheckpointStore
	sink        *sink
	poll        time.Duration
	ckptRecords int
	ckptEvery   time.Duration
	restarts    []time.Time
}

// sink is where a processor's effects go. It outlives consumer restarts,
// as a database would.
type sink struct {
	idempotent bool
	aggregate  bool

	mu     sync.Mutex
	seen   map[string]struct{}
	totals map[string]int64 // per partition key (aggregate)
}

func newSink(sc scenarios.Consumer) *sink {
	return &sink{
		idempotent: sc.Sink == scenarios.SinkIdempotent,
		aggregate:  sc.Processor == scenarios.ProcessorAggregate,
		seen:       map[string]struct{}{},
		totals:     map[string]int64{},
	}
}

// apply applies one record and reports whether its effect was applied (an
// idempotent sink skips a record id it has applied before).
func (s *sink) apply(id, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idempotent {
		if _, dup := s.seen[id]; dup {
			return false
		}
		s.seen[id] = struct{}{}
	}
	if s.aggregate {
		s.totals[key]++
	}
	return true
}

// shardProgress is what the consumer knows of the shards in one generation
// (between restarts).
type shardProgress struct {
	mu       sync.Mutex
	running  map[string]bool
	caughtUp map[string]time.Time // last empty read at the tip, by shard
}

// run reads until ctx is done or, once drained is closed, every shard is
// read to its tip. A restart ends a generation without checkpointing: the
// next one resumes from the checkpoints.
func (c *pollingConsumer) run(ctx context.Context, producersDone <-chan struct{}, doneAt func() time.Time) {
	restarts := c.restarts
	for {
		genCtx, cancelGen := context.WithCancel(ctx)
		cancel := clock.CancelFunc(c.clk, cancelGen)
		if len(restarts) > 0 {
			at := restarts[0]
			restarts = restarts[1:]
			clock.Go(c.clk, func() {
				if c.clk.Sleep(genCtx, at.Sub(c.clk.Now())) == nil {
					cancel() // the crash
				}
			})
		}
		drained := c.generation(genCtx, producersDone, doneAt)
		cancel()
		if drained || ctx.Err() != nil {
			return
		}
	}
}

// generation runs shard workers until ctx is done (false) or the stream is
// drained after the producers finished (true).
func (c *pollingConsumer) generation(ctx context.Context, producersDone <-chan struct{}, doneAt func() time.Time) bool {
	prog := &shardProgress{running: map[string]bool{}, caughtUp: map[string]time.Time{}}
	ctx, cancelWorkers := context.WithCancel(ctx)
	stopWorkers := clock.CancelFunc(c.clk, cancelWorkers)
	wg := clock.NewGroup(c.clk)
	defer wg.Wait()
	defer stopWorkers() // before the wait: workers read until stopped
	for {
		shards, err := c.reader.ListShards(ctx, c.streamName)
		if err == nil {
			finished := map[string]bool{}
			for _, sh := range shards {
				if cp, _ := c.store.Checkpoint(ctx, sh.ShardID); cp == ShardEnd {
					finished[sh.ShardID] = true
				}
			}
			known := map[string]bool{}
			for _, sh := range shards {
				known[sh.ShardID] = true
			}
			allDone := true
			prog.mu.Lock()
			for _, sh := range shards {
				id := sh.ShardID
				if finished[id] {
					continue
				}
				if !prog.running[id] {
					allDone = false
					// Parents first: a child waits until every parent the
					// stream still lists is read to its end.
					if known[sh.ParentShardID] && !finished[sh.ParentShardID] ||
						known[sh.AdjacentParentShardID] && !finished[sh.AdjacentParentShardID] {
						continue
					}
					prog.running[id] = true
					wg.Go(func() {
						c.work(ctx, id, prog)
						prog.mu.Lock()
						delete(prog.running, id)
						prog.mu.Unlock()
					})
					continue
				}
				select {
				case <-producersDone:
					if t, ok := prog.caughtUp[id]; !ok || t.Before(doneAt()) {
						allDone = false
					}
				default:
					allDone = false
				}
			}
			prog.mu.Unlock()
			if allDone {
				select {
				case <-producersDone:
					return true
				default:
				}
			}
		}
		if c.clk.Sleep(ctx, c.poll) != nil {
			return false
		}
	}
}

// work reads one shard (holding its lease) until its end or ctx is done.
func (c *pollingConsumer) work(ctx context.Context, shardID string, prog *shardProgress) {
	lastSeq, err := c.store.Checkpoint(ctx, shardID)
	if err != nil || lastSeq == ShardEnd {
		return
	}
	iter, err := c.iterator(ctx, shardID, lastSeq)
	if err != nil {
		return
	}
	var (
		sinceCkpt int
		lastCkpt  = c.clk.Now()
		throttles int
	)
	for {
		callAt := c.clk.Now()
		out, err := c.reader.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: iter})
		now := c.clk.Now()
		if ctx.Err() != nil {
			return
		}
		c.rec.Add(reports.GetRecordsCalls, 1, now)
		if err != nil {
			wait := c.poll
			switch {
			case errors.Is(err, stream.ErrThrottled):
				c.rec.Add(reports.ReadThrottles, 1, now)
				throttles++
				wait = Backoff(throttles, c.poll, 10*c.poll, jitter())
			case errors.Is(err, stream.ErrExpiredIterator):
				// Re-get an iterator after the last record processed.
				if iter, err = c.iterator(ctx, shardID, lastSeq); err != nil {
					return
				}
				continue
			}
			if c.clk.Sleep(ctx, wait) != nil {
				return
			}
			continue
		}
		throttles = 0
		c.rec.Observe(reports.IteratorAge, now, time.Duration(out.MillisBehindLatest)*time.Millisecond)
		c.process(shardID, out.Records, now)
		if n := len(out.Records); n > 0 {
			lastSeq = out.Records[n-1].SequenceNumber
			sinceCkpt += n
		} else if out.MillisBehindLatest == 0 {
			prog.mu.Lock()
			prog.caughtUp[shardID] = callAt
			prog.mu.Unlock()
		}
		if out.NextShardIterator == "" {
			// The end of a closed shard: its children may be read now.
			_ = c.store.SaveCheckpoint(ctx, shardID, ShardEnd)
			return
		}
		if sinceCkpt > 0 && (sinceCkpt >= c.ckptRecords || now.Sub(lastCkpt) >= c.ckptEvery) {
			if c.store.SaveCheckpoint(ctx, shardID, lastSeq) == nil {
				sinceCkpt, lastCkpt = 0, now
			}
		}
		iter = out.NextShardIterator
		if c.clk.Sleep(ctx, c.poll) != nil {
			return
		}
	}
}

// iterator returns an iterator after lastSeq, or at the trim horizon.
func (c *pollingConsumer) iterator(ctx context.Context, shardID, lastSeq string) (string, error) {
	in := &stream.GetShardIteratorInput{StreamName: c.streamName, ShardID: shardID, Type: stream.TrimHorizon}
	if lastSeq != "" {
		in.Type, in.SequenceNumber = stream.AfterSequenceNumber, lastSeq
	}
	for attempt := 1; ; attempt++ {
		it, err := c.reader.GetShardIterator(ctx, in)
		if err == nil || !stream.Retryable(err) && !errors.Is(err, stream.ErrThrottled) {
			return it, err
		}
		if c.clk.Sleep(ctx, Backoff(attempt, c.poll, 10*c.poll, jitter())) != nil {
			return "", ctx.Err()
		}
	}
}

// process hands one response's records to the sink and the ledger.
func (c *pollingConsumer) process(shardID string, records []stream.StreamRecord, now time.Time) {
	if len(records) == 0 {
		return
	}
	var bytes int64
	endToEnd := make([]time.Duration, 0, len(records))
	propagation := make([]time.Duration, 0, len(records))
	for _, r := range records {
		bytes += int64(len(r.Data))
		if !r.ApproximateArrivalTimestamp.IsZero() {
			propagation = append(propagation, now.Sub(r.ApproximateArrivalTimestamp))
		}
		id, sent, ok := generators.ParseMeta(r.Data)
		if !ok {
			c.ledger.Delivered(ledger.Delivery{ShardID: shardID, SequenceNumber: r.SequenceNumber, At: now})
			continue
		}
		endToEnd = append(endToEnd, now.Sub(sent))
		applied := c.sink.apply(id, r.PartitionKey)
		c.ledger.Delivered(ledger.Delivery{RecordID: id, ShardID: shardID, SequenceNumber: r.SequenceNumber,
			PartitionKey: r.PartitionKey, At: now, Applied: applied})
	}
	c.rec.Add(reports.RecordsConsumed, int64(len(records)), now)
	c.rec.Add(reports.BytesConsumed, bytes, now)
	c.rec.Observe(reports.EndToEndLatency, now, endToEnd...)
	c.rec.Observe(reports.PropagationDelay, now, propagation...)
}
