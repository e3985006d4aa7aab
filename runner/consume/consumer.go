// Package consume is a run's consumer application: it reads the records
// back as a KCL application would, one consumer per scenario consumer, and
// tells the ledger every delivery. A consumer holds a lease per shard,
// checkpoints, reads parents to their end before children, restarts (a
// crash resumes from the checkpoints) and loses leases when chaos says so.
// How a shard is read is its shard reader's business: polling GetRecords
// every poll interval, or enhanced fan-out (SubscribeToShard). Records go to
// a sink (naive or idempotent, with an optional aggregate or window
// processor) whose final state is checked against the ledger.
//
// Concurrency: Start starts the consumers in goroutines of the run's clock
// and returns; Group.Finish blocks until they have drained the stream or
// the drain time is up. Each consumer runs a goroutine per shard it reads;
// the sinks, lease tables and checkpoint stores they share are safe for
// concurrent use. A Group's methods are called from one goroutine.
package consume

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kpl"
)

// Consumer defaults.
const (
	DefaultPollInterval      = time.Second
	DefaultCheckpointRecords = 1000
	DefaultCheckpointEvery   = 10 * time.Second
)

// shardReader reads one shard for a consumer: polling or enhanced fan-out.
type shardReader interface {
	// register prepares the reader once, before any shard is read.
	register(ctx context.Context) error
	// read reads the shard from the cursor's position until the shard's
	// end (checkpointed as ShardEnd) or ctx is done.
	read(ctx context.Context, cur *shardCursor)
}

var (
	_ shardReader = (*pollingReader)(nil)
	_ shardReader = (*fanOutReader)(nil)
)

// consumer reads every shard of a stream like a KCL application in one
// process: a worker (and lease) per shard, checkpoints, and parents read to
// their end before children. Its shard reader fetches the records.
type consumer struct {
	name string
	// segment picks the shards this process reads in a split run.
	segment     segment.Segment
	streamName  string
	lister      stream.Reader // lists the shards
	shards      shardReader
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
	err         error // why the consumer could not read, if it could not
	// generation is the ledger generation deliveries belong to.
	gen atomic.Int64
	// deaggregate unpacks KPL aggregates as KCL does (scenario
	// deaggregate, default true); aggs counts what it found.
	deaggregate bool
	aggs        aggregateCounts
}

// aggregateCounts are what a consumer made of KPL aggregates, for its
// verdict. Safe for concurrent use.
type aggregateCounts struct {
	// notDeaggregated are aggregates a consumer that does not de-aggregate
	// took as single records, and users the user records in them.
	notDeaggregated, users atomic.Int64
	// corrupt are records with the magic that were not valid aggregates;
	// filtered are user records dropped by the hash key range filter.
	corrupt, filtered atomic.Int64
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
func (c *consumer) run(ctx context.Context, producersDone <-chan struct{}, doneAt func() time.Time) {
	if c.err = c.shards.register(ctx); c.err != nil {
		return
	}
	// Known to the recorder from the start, so its backlog counts from the
	// first second even before its first delivery.
	c.rec.AddConsumed(c.name, 0, 0, 0, c.clk.Now())
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
func (c *consumer) generation(ctx context.Context, producersDone <-chan struct{}, doneAt func() time.Time) bool {
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
		shards, err := c.lister.ListShards(ctx, c.streamName)
		if err == nil {
			finished := map[string]bool{}
			for _, sh := range shards {
				if cp, _ := c.store.Checkpoint(ctx, sh.ShardID); cp == ShardEnd {
					finished[sh.ShardID] = true
				}
			}
			// Shards another segment reads are not this one's to wait for:
			// without a shared lease table it cannot see their checkpoints.
			shards = slices.DeleteFunc(shards, func(sh stream.Shard) bool { return !c.segment.OwnsShard(sh.ShardID) })
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
					c.startWorker(ctx, wg, sh, prog)
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

// startWorker takes the shard's lease and reads it in a goroutine of wg;
// the caller holds prog.mu.
func (c *consumer) startWorker(ctx context.Context, wg *clock.Group, sh stream.Shard, prog *shardProgress) {
	id := sh.ShardID
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
}

// loseLease moves the lease of the first shard being read (by shard id)
// to the next worker: the old owner stops without checkpointing, and the
// new one resumes from the shard's checkpoint (KCL's lease stealing).
func (c *consumer) loseLease(prog *shardProgress, at time.Time) {
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
func (c *consumer) work(ctx context.Context, sh stream.Shard, prog *shardProgress) {
	lastSeq, err := c.store.Checkpoint(ctx, sh.ShardID)
	if err != nil || lastSeq == ShardEnd {
		return
	}
	if wait := c.startAt.Sub(c.clk.Now()); lastSeq == "" && wait > 0 {
		// A start time still to come would read as LATEST now: wait for it.
		if c.clk.Sleep(ctx, wait) != nil {
			return
		}
	}
	c.shards.read(ctx, &shardCursor{c: c, shard: sh, lastSeq: lastSeq, lastCkpt: c.clk.Now(), prog: prog})
}

// shardCursor is a shard worker's position: the last record processed and
// what is not checkpointed yet. A shard reader moves it; it belongs to one
// worker.
type shardCursor struct {
	c     *consumer
	shard stream.Shard
	// lastSeq is the sequence number of the last record processed, or the
	// checkpoint the worker started from ("" for none).
	lastSeq   string
	sinceCkpt int
	lastCkpt  time.Time
	prog      *shardProgress
	// keys is the shard's hash key range, for KCL's filter of aggregates
	// after a reshard; parsed on first use.
	keys     kpl.HashRange
	keysRead bool
}

// hashRange is the shard's hash key range; the whole space when the
// target gave none that parses (KCL's default).
func (cur *shardCursor) hashRange() kpl.HashRange {
	if !cur.keysRead {
		r := cur.shard.HashKeyRange
		var err error
		if cur.keys, err = kpl.ParseHashRange(r.StartingHashKey, r.EndingHashKey); err != nil {
			cur.keys = kpl.AllHashKeys
		}
		cur.keysRead = true
	}
	return cur.keys
}

// delivered processes the records of one response received at now.
func (cur *shardCursor) delivered(records []stream.StoredRecord, now time.Time) {
	cur.c.process(cur.shard.ShardID, cur.hashRange(), records, now)
	if n := len(records); n > 0 {
		cur.lastSeq = records[n-1].SequenceNumber
		cur.sinceCkpt += n
	}
}

// caughtUp notes that the shard was read to its tip at at.
func (cur *shardCursor) caughtUp(at time.Time) {
	cur.prog.mu.Lock()
	cur.prog.caughtUp[cur.shard.ShardID] = at
	cur.prog.mu.Unlock()
}

// checkpoint saves the position once enough records or time have passed
// since the last checkpoint.
func (cur *shardCursor) checkpoint(ctx context.Context, now time.Time) {
	c := cur.c
	if cur.sinceCkpt == 0 || cur.sinceCkpt < c.ckptRecords && now.Sub(cur.lastCkpt) < c.ckptEvery {
		return
	}
	if c.store.SaveCheckpoint(ctx, cur.shard.ShardID, cur.lastSeq) == nil {
		c.ledger.Checkpointed(cur.shard.ShardID)
		cur.sinceCkpt, cur.lastCkpt = 0, now
	}
}

// end checkpoints the end of a closed shard: its children may be read now.
func (cur *shardCursor) end(ctx context.Context) {
	// Read to its end: what of it was not delivered is lost, not unread.
	cur.c.ledger.ShardEnded(cur.shard.ShardID)
	if cur.c.store.SaveCheckpoint(ctx, cur.shard.ShardID, ShardEnd) == nil {
		cur.c.ledger.Checkpointed(cur.shard.ShardID)
	}
}

// process hands one response's records to the sink and the ledger: each
// user record, once KPL aggregates are unpacked (when the consumer
// de-aggregates), with the aggregates that hold a user record outside
// keys dropped as KCL drops them.
func (c *consumer) process(shardID string, keys kpl.HashRange, records []stream.StoredRecord, now time.Time) {
	if len(records) == 0 {
		return
	}
	var (
		bytes, first, users int64
		unpacked            []kpl.UserRecord
	)
	endToEnd := make([]time.Duration, 0, len(records))
	propagation := make([]time.Duration, 0, len(records))
	gen := int(c.gen.Load())
	for _, r := range records {
		bytes += int64(len(r.Data))
		if !r.ApproximateArrivalTimestamp.IsZero() {
			propagation = append(propagation, now.Sub(r.ApproximateArrivalTimestamp))
		}
		var hidden int64
		unpacked, hidden = c.unpack(unpacked[:0], r, keys)
		// The user records a naive consumer reads without seeing them are
		// read all the same: counted as consumed, not as backlog.
		users += hidden
		for _, u := range unpacked {
			users++
			sent, ok, firstDelivery := c.deliver(shardID, r.SequenceNumber, u, now, gen)
			if ok {
				endToEnd = append(endToEnd, now.Sub(sent))
			}
			if firstDelivery {
				first += 1 + hidden
			}
		}
	}
	c.rec.Add(metrics.KinesisRecordsConsumed, int64(len(records)), now)
	c.rec.Add(metrics.RecordsConsumed, users, now)
	c.rec.Add(metrics.BytesConsumed, bytes, now)
	c.rec.AddConsumed(c.name, users, bytes, first, now)
	c.rec.Observe(metrics.EndToEndLatency, now, endToEnd...)
	c.rec.Observe(metrics.PropagationDelay, now, propagation...)
}

// unpack appends the user records r carries: its KPL aggregate's, or r
// itself (a plain record, a corrupt aggregate as KCL passes it on, or any
// record for a consumer that does not de-aggregate). hidden counts the
// user records of an aggregate a consumer that does not de-aggregate
// reads without seeing, beyond the one record it takes the aggregate for.
func (c *consumer) unpack(dst []kpl.UserRecord, r stream.StoredRecord, keys kpl.HashRange) (_ []kpl.UserRecord, hidden int64) {
	rec := kpl.Record{PartitionKey: r.PartitionKey, Data: r.Data}
	if !c.deaggregate {
		if kpl.IsAggregate(r.Data) {
			inside, _ := kpl.Deaggregate(dst, rec, kpl.AllHashKeys)
			n := int64(len(inside) - len(dst))
			c.aggs.notDeaggregated.Add(1)
			c.aggs.users.Add(n)
			c.rec.Add(metrics.AggregatesNotDeaggregated, 1, c.clk.Now())
			hidden = max(n-1, 0)
		}
		return append(dst[:0], kpl.UserRecord{PartitionKey: r.PartitionKey, Data: r.Data}), hidden
	}
	dst, out := kpl.Deaggregate(dst, rec, keys)
	if out.Corrupt != nil {
		c.aggs.corrupt.Add(1)
		c.rec.Add(metrics.AggregatesCorrupt, 1, c.clk.Now())
	}
	if out.Filtered > 0 {
		c.aggs.filtered.Add(int64(out.Filtered))
		c.rec.Add(metrics.RecordsFilteredByHashRange, int64(out.Filtered), c.clk.Now())
	}
	return dst, 0
}

// deliver hands one user record of the Kinesis record seq to the sink and
// the ledger. ok says it carried kinesim's record id (and sent its
// intended send time); first that it is the record's first delivery.
func (c *consumer) deliver(shardID, seq string, u kpl.UserRecord, now time.Time, gen int) (sent time.Time, ok, first bool) {
	id, sent, ok := generators.ParseMeta(u.Data)
	if !ok {
		c.ledger.Delivered(ledger.Delivery{ShardID: shardID, SequenceNumber: seq, At: now, Generation: gen})
		return sent, false, false
	}
	d := ledger.Delivery{RecordID: id, ShardID: shardID, SequenceNumber: seq,
		PartitionKey: u.PartitionKey, At: now, Generation: gen}
	if c.filter != nil && !c.filter.equals(u.Data, c.filterValue) {
		d.Filtered = true
	} else {
		d.Applied = c.sink.apply(id, shardID, position{seq, u.SubSequenceNumber}, u.PartitionKey, u.Data, sent)
	}
	return sent, true, c.ledger.Delivered(d)
}
