package runner

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/runner/ledger"
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
	rec         *metrics.Recorder
	ledger      *ledger.Consumer
	store       CheckpointStore
	sink        *sink
	poll        time.Duration
	ckptRecords int
	ckptEvery   time.Duration
	restarts    []time.Time
	// startAt is where shards without a checkpoint start: zero for the
	// trim horizon, else AT_TIMESTAMP startAt (latest is the consumer's
	// start, so every record written after it is expected).
	startAt time.Time
	// filter drops the records whose field does not equal filterValue.
	filter      *fieldScanner
	filterValue string
	// leases is the application's lease table, shared by its workers;
	// leaseLosses are when a lease moves to another worker.
	leases      *leaseTable
	leaseLosses []time.Time
	// fanOut, for an efo consumer, subscribes to shards as consumerARN.
	fanOut      stream.FanOut
	consumerARN string
	err         error // why the consumer could not read, if it could not
	// generation is the ledger generation deliveries belong to.
	gen atomic.Int64
}

// shardProgress is what the consumer knows of the shards in one generation
// (between restarts).
type shardProgress struct {
	mu       sync.Mutex
	running  map[string]context.CancelFunc // a running worker's stop, by shard
	lost     map[string]time.Time          // shards whose lease moved, and when
	caughtUp map[string]time.Time          // last empty read at the tip, by shard
}

// run reads until ctx is done or, once drained is closed, every shard is
// read to its tip. A restart ends a generation without checkpointing: the
// next one resumes from the checkpoints.
func (c *pollingConsumer) run(ctx context.Context, producersDone <-chan struct{}, doneAt func() time.Time) {
	if c.fanOut != nil {
		if c.err = c.registerFanOut(ctx); c.err != nil {
			return
		}
	}
	restarts := c.restarts
	for {
		genCtx, cancelGen := context.WithCancel(ctx)
		cancel := clock.CancelFunc(c.clk, cancelGen)
		var crashAt time.Time
		if len(restarts) > 0 {
			crashAt = restarts[0]
			restarts = restarts[1:]
			clock.Go(c.clk, func() {
				if c.clk.Sleep(genCtx, crashAt.Sub(c.clk.Now())) == nil {
					cancel() // the crash
				}
			})
		}
		drained := c.generation(genCtx, producersDone, doneAt)
		cancel()
		if drained || ctx.Err() != nil {
			return
		}
		// Every worker has stopped: what follows is the next generation.
		c.gen.Store(int64(c.ledger.Restart(crashAt)))
	}
}

// generation runs shard workers until ctx is done (false) or the stream is
// drained after the producers finished (true).
func (c *pollingConsumer) generation(ctx context.Context, producersDone <-chan struct{}, doneAt func() time.Time) bool {
	prog := &shardProgress{running: map[string]context.CancelFunc{}, lost: map[string]time.Time{}, caughtUp: map[string]time.Time{}}
	ctx, cancelWorkers := context.WithCancel(ctx)
	stopWorkers := clock.CancelFunc(c.clk, cancelWorkers)
	wg := clock.NewGroup(c.clk)
	defer wg.Wait()
	defer stopWorkers() // before the wait: workers read until stopped
	for _, at := range c.leaseLosses {
		if at.Before(c.clk.Now()) {
			continue // lost in an earlier generation
		}
		wg.Go(func() {
			if c.clk.Sleep(ctx, at.Sub(c.clk.Now())) == nil {
				c.loseLease(prog, at)
			}
		})
	}
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
				if prog.running[id] == nil {
					allDone = false
					// Parents first: a child waits until every parent the
					// stream still lists is read to its end.
					if known[sh.ParentShardID] && !finished[sh.ParentShardID] ||
						known[sh.AdjacentParentShardID] && !finished[sh.AdjacentParentShardID] {
						continue
					}
					c.leases.acquire(id)
					workCtx, cancelWork := context.WithCancel(ctx)
					prog.running[id] = clock.CancelFunc(c.clk, cancelWork)
					wg.Go(func() {
						c.work(workCtx, sh, prog)
						cancelWork()
						prog.mu.Lock()
						defer prog.mu.Unlock()
						if at, ok := prog.lost[id]; ok {
							// The old owner has stopped; the new one resumes
							// from the checkpoint in the next generation.
							delete(prog.lost, id)
							c.gen.Store(int64(c.ledger.Restart(at, id)))
						}
						delete(prog.running, id)
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

// loseLease moves the lease of the first shard being read (by shard id)
// to the next worker: the old owner stops without checkpointing, and the
// new one resumes from the shard's checkpoint (KCL's lease stealing).
func (c *pollingConsumer) loseLease(prog *shardProgress, at time.Time) {
	prog.mu.Lock()
	defer prog.mu.Unlock()
	var victim string
	for id := range prog.running {
		if _, moving := prog.lost[id]; !moving && (victim == "" || id < victim) {
			victim = id
		}
	}
	if victim == "" {
		return
	}
	prog.lost[victim] = at
	c.leases.move(victim)
	prog.running[victim]()
}

// work reads one shard (holding its lease) until its end or ctx is done.
func (c *pollingConsumer) work(ctx context.Context, sh stream.Shard, prog *shardProgress) {
	shardID := sh.ShardID
	lastSeq, err := c.store.Checkpoint(ctx, shardID)
	if err != nil || lastSeq == ShardEnd {
		return
	}
	if wait := c.startAt.Sub(c.clk.Now()); lastSeq == "" && wait > 0 {
		// A start time still to come would read as LATEST now: wait for it.
		if c.clk.Sleep(ctx, wait) != nil {
			return
		}
	}
	if c.fanOut != nil {
		c.subscribeShard(ctx, sh, lastSeq, prog)
		return
	}
	iter, err := c.iterator(ctx, sh, lastSeq)
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
		c.rec.Add(metrics.GetRecordsCalls, 1, now)
		if err != nil {
			wait := c.poll
			switch {
			case errors.Is(err, stream.ErrThrottled):
				c.rec.Add(metrics.ReadThrottles, 1, now)
				throttles++
				wait = Backoff(throttles, c.poll, 10*c.poll, jitter())
			case errors.Is(err, stream.ErrExpiredIterator):
				// Re-get an iterator after the last record processed.
				if iter, err = c.iterator(ctx, sh, lastSeq); err != nil {
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
		c.rec.Observe(metrics.IteratorAge, now, time.Duration(out.MillisBehindLatest)*time.Millisecond)
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
			if c.store.SaveCheckpoint(ctx, shardID, ShardEnd) == nil {
				c.ledger.Checkpointed(shardID)
			}
			return
		}
		if sinceCkpt > 0 && (sinceCkpt >= c.ckptRecords || now.Sub(lastCkpt) >= c.ckptEvery) {
			if c.store.SaveCheckpoint(ctx, shardID, lastSeq) == nil {
				c.ledger.Checkpointed(shardID)
				sinceCkpt, lastCkpt = 0, now
			}
		}
		iter = out.NextShardIterator
		if c.clk.Sleep(ctx, c.poll) != nil {
			return
		}
	}
}

// iterator returns an iterator after lastSeq or, without one, at the
// consumer's start position. A child shard starts at its trim horizon when
// the consumer starts at the trim horizon; else at the start time too (a
// child is younger than its parents, so nothing of it is skipped that the
// start position would not skip).
func (c *pollingConsumer) iterator(ctx context.Context, sh stream.Shard, lastSeq string) (string, error) {
	in := &stream.GetShardIteratorInput{StreamName: c.streamName, ShardID: sh.ShardID, Type: stream.TrimHorizon}
	switch {
	case lastSeq != "":
		in.Type, in.SequenceNumber = stream.AfterSequenceNumber, lastSeq
	case !c.startAt.IsZero():
		in.Type, in.Timestamp = stream.AtTimestamp, c.startAt
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
	var bytes, first int64
	endToEnd := make([]time.Duration, 0, len(records))
	propagation := make([]time.Duration, 0, len(records))
	for _, r := range records {
		bytes += int64(len(r.Data))
		if !r.ApproximateArrivalTimestamp.IsZero() {
			propagation = append(propagation, now.Sub(r.ApproximateArrivalTimestamp))
		}
		gen := int(c.gen.Load())
		id, sent, ok := generators.ParseMeta(r.Data)
		if !ok {
			c.ledger.Delivered(ledger.Delivery{ShardID: shardID, SequenceNumber: r.SequenceNumber, At: now, Generation: gen})
			continue
		}
		endToEnd = append(endToEnd, now.Sub(sent))
		d := ledger.Delivery{RecordID: id, ShardID: shardID, SequenceNumber: r.SequenceNumber,
			PartitionKey: r.PartitionKey, At: now, Generation: gen}
		if c.filter != nil && !c.filter.equals(r.Data, c.filterValue) {
			d.Filtered = true
		} else {
			d.Applied = c.sink.apply(id, shardID, r.SequenceNumber, r.PartitionKey, r.Data, sent)
		}
		if c.ledger.Delivered(d) {
			first++
		}
	}
	c.rec.Add(metrics.RecordsConsumed, int64(len(records)), now)
	c.rec.Add(metrics.BytesConsumed, bytes, now)
	c.rec.AddConsumed(c.name, int64(len(records)), bytes, first, now)
	c.rec.Observe(metrics.EndToEndLatency, now, endToEnd...)
	c.rec.Observe(metrics.PropagationDelay, now, propagation...)
}
