package ledger

import (
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"github.com/kinesim/kinesim/generators/recordid"
	"github.com/kinesim/kinesim/stream"
)

// Delivery is one record as a consumer received it.
type Delivery struct {
	// RecordID is the id the generator embedded, PRODUCER-N.
	RecordID string
	// ShardID and SequenceNumber say which write was delivered; optional.
	ShardID        string
	SequenceNumber string
	// PartitionKey groups deliveries for the order check; when empty the
	// order is checked per shard (ShardID) instead.
	PartitionKey string
	// At is when the consumer received the record.
	At time.Time
	// Applied is true when the consumer's sink applied the record's effect
	// (a naive sink applies every delivery, an idempotent one the first).
	Applied bool
	// Filtered is true when the consumer's filter dropped the record: it
	// was read, so it is not lost, but nothing was expected of it.
	Filtered bool
	// Generation is the consumer's generation (see Consumer.Restart) that
	// received the record; 0 before any restart.
	Generation int
}

// maxWaiting is how many consumers the backlog tracks (a bit each); the
// records of a consumer past it are judged without it (an undelivered one
// is lost, never "not read yet").
const maxWaiting = 64

// Consumer is the consumer side of one consumer's deliveries.
type Consumer struct {
	l     *Ledger
	index int
	name  string

	mu         sync.Mutex
	byProducer []*consumed // by producer index
	deliveries int64
	unknown    int64 // deliveries whose id names no producer
	reordered  int64
	// lastSeq is the highest sequence number first delivered, by partition
	// key hash (or shard, for deliveries without a key).
	lastSeq map[uint64]string
	// readTo is the highest sequence number delivered per shard; ended the
	// shards read to their end. They tell a record lost (the consumer read
	// past it) from not read yet.
	readTo map[string]string
	ended  map[string]bool
	// firstAt and lastAt bound the deliveries in time: the read rate.
	firstAt, lastAt time.Time

	// start is the consumer's start position as a time (zero: the trim
	// horizon); scope the producers whose records it reads (nil: all).
	start time.Time
	scope map[int]bool
	// gens are the consumer's generations; sinceCheckpoint counts the
	// deliveries per shard since its last checkpoint.
	gens            []generation
	sinceCheckpoint map[string]int64
	// filteredKeys counts the acknowledged records the filter dropped, and
	// unreadBeforeStart those written before the start and not delivered,
	// by partition key hash: what ExpectedCounts leaves out.
	filteredKeys      map[uint64]int64
	unreadBeforeStart map[uint64]int64
}

// consumed is what one consumer received of one producer's records.
type consumed struct {
	deliveries   int64
	delivered    *roaring64.Bitmap
	applied      *roaring64.Bitmap
	appliedTwice *roaring64.Bitmap
	foreign      *roaring64.Bitmap // delivered from a write that was not the acknowledged one
	filtered     *roaring64.Bitmap
	beforeStart  *roaring64.Bitmap
	// firstIn are the ids first delivered in each generation after the
	// first (index 0 unused): re-deliveries are judged by them.
	firstIn []*roaring64.Bitmap
	// extra counts the deliveries beyond the first, by id: exceptions.
	extra map[uint64]uint32
	// beforeStartKeys are the key hashes of the records before the start
	// not delivered yet.
	beforeStartKeys map[uint64]uint64
	// unwritten are plain first deliveries (applied, not filtered, in
	// order) not yet written to the file as runs, by generation.
	unwritten  []*gathered
	sinceFlush int // plain first deliveries since the last flush
	flushes    int
}

func newConsumed() *consumed {
	return &consumed{delivered: roaring64.New(), applied: roaring64.New(), appliedTwice: roaring64.New(),
		foreign: roaring64.New(), filtered: roaring64.New(), beforeStart: roaring64.New(),
		extra: map[uint64]uint32{}, beforeStartKeys: map[uint64]uint64{}}
}

// generation is one stretch of a consumer between restarts.
type generation struct {
	at             time.Time
	shards         []string // the shards restarted; nil: all
	uncheckpointed int64    // deliveries since the last checkpoint of those shards when it began
	deliveries     int64
	redeliveries   int64 // deliveries of records first delivered in an earlier generation
}

// Consumer returns the handle for the named consumer, adding it on first use.
func (l *Ledger) Consumer(name string) *Consumer {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.consumers {
		if c.name == name {
			return c
		}
	}
	c := &Consumer{l: l, index: len(l.consumers), name: name, lastSeq: map[uint64]string{},
		readTo: map[string]string{}, ended: map[string]bool{},
		gens: []generation{{}}, sinceCheckpoint: map[string]int64{},
		filteredKeys: map[uint64]int64{}, unreadBeforeStart: map[uint64]int64{}}
	l.consumers = append(l.consumers, c)
	if l.file != nil {
		l.file.defineConsumer(name)
	}
	return c
}

// Name is the consumer's name.
func (c *Consumer) Name() string { return c.name }

// of returns what the consumer received of producer's records. Callers hold c.mu.
func (c *Consumer) of(producer int) *consumed {
	for len(c.byProducer) <= producer {
		c.byProducer = append(c.byProducer, nil)
	}
	if c.byProducer[producer] == nil {
		c.byProducer[producer] = newConsumed()
	}
	return c.byProducer[producer]
}

// inScope says whether the consumer is expected to read producer's records.
// Callers hold c.mu.
func (c *Consumer) inScope(producer int) bool { return c.scope == nil || c.scope[producer] }

// Delivered records one delivery and reports whether it is the record's
// first delivery to the consumer (false for an id that names no producer).
func (c *Consumer) Delivered(d Delivery) (first bool) {
	if c == nil {
		return false
	}
	name, id, ok := recordid.Parse(d.RecordID)
	if !ok {
		c.mu.Lock()
		c.deliveries++
		c.unknown++
		c.mu.Unlock()
		if f := c.l.file; f != nil {
			f.unknownDelivery(c.index)
		}
		return false
	}
	p := c.l.producerOf(name)
	seqHash := SeqHash(d.SequenceNumber)
	key := KeyHash(d.PartitionKey)
	outcome, foreign, ackKey, known := p.delivered(c.index, id, seqHash, key, d.Filtered)
	if d.PartitionKey == "" && known {
		key = ackKey
	}
	return c.record(p, id, d, outcome, foreign, key)
}

// delivered checks a delivery of id against the producer side: its
// outcome, whether the write delivered is the acknowledged one, and that
// the consumer need no longer read it. A delivery of a record the producer
// side has not heard of waits for it (early). ackKey is the record's
// partition key hash when the backlog still holds it (known).
func (p *Producer) delivered(consumer int, id uint64, seqHash uint32, key uint64, filtered bool) (outcome Outcome, foreign bool, ackKey uint64, known bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	outcome = p.outcomeLocked(id)
	switch {
	case outcome == Unknown:
		p.early[id] = append(p.early[id], earlyDelivery{consumer: consumer, seqHash: seqHash, key: key, filtered: filtered})
	case outcome != Acknowledged:
		foreign = true
	case seqHash != 0:
		if h, ok := p.seqHashOf(id); ok && h != seqHash {
			foreign = true
		}
	}
	if b := p.backlog[id]; b != nil {
		ackKey, known = b.key, true
		if consumer < maxWaiting {
			b.waiting &^= 1 << consumer
			if b.waiting == 0 {
				delete(p.backlog, id)
			}
		}
	}
	return outcome, foreign, ackKey, known
}

// record folds a delivery into the consumer's account and the file.
func (c *Consumer) record(p *Producer, id uint64, d Delivery, outcome Outcome, foreign bool, key uint64) bool {
	c.mu.Lock()
	c.deliveries++
	cp := c.of(p.index)
	cp.deliveries++
	gen := min(max(d.Generation, 0), len(c.gens)-1)
	c.gens[gen].deliveries++
	first := addNew(cp.delivered, id)
	redelivery := false
	if first {
		if gen > 0 {
			cp.firstInGen(gen).Add(id)
		}
		if k, ok := cp.beforeStartKeys[id]; ok {
			c.unreadBeforeStart[k]--
			delete(cp.beforeStartKeys, id)
		}
	} else {
		cp.extra[id]++
		if cp.firstGen(id) < gen {
			c.gens[gen].redeliveries++
			redelivery = true
		}
	}
	c.sinceCheckpoint[d.ShardID]++
	if d.Applied && !addNew(cp.applied, id) {
		cp.appliedTwice.Add(id)
	}
	newlyFiltered := d.Filtered && addNew(cp.filtered, id)
	if newlyFiltered && outcome == Acknowledged {
		c.filteredKeys[key]++
	}
	if foreign {
		cp.foreign.Add(id)
	}
	reordered := first && c.checkOrder(d)
	c.readAt(d)
	plain := first && d.Applied && !d.Filtered && !reordered
	var flush *roaring64.Bitmap
	if plain {
		b := cp.unwrittenGen(gen)
		b.Add(id)
		if cp.sinceFlush++; cp.sinceFlush >= flushEvery {
			cp.sinceFlush = 0
			flush = b
		}
	}
	c.mu.Unlock()
	if f := c.l.file; f != nil {
		if !plain {
			f.delivery(c.index, p.index, id, gen, deliveryFlags(d, first, reordered, redelivery))
		}
		if foreign {
			f.foreign(c.index, p.index, id)
		}
	}
	if flush != nil {
		c.flushRuns(p.index, gen, flushSettled)
	}
	return first
}

// checkOrder reports whether a first delivery comes after one with a
// higher sequence number of the same partition key (or shard, without a
// key). Callers hold c.mu.
func (c *Consumer) checkOrder(d Delivery) (reordered bool) {
	if d.SequenceNumber == "" {
		return false
	}
	group := KeyHash(d.PartitionKey)
	if d.PartitionKey == "" {
		if d.ShardID == "" {
			return false
		}
		group = KeyHash("\x00shard " + d.ShardID)
	}
	if last, seen := c.lastSeq[group]; seen && stream.SequenceLess(d.SequenceNumber, last) {
		c.reordered++
		return true
	}
	c.lastSeq[group] = d.SequenceNumber
	return false
}

// readAt notes how far the consumer has read each shard, and when. Callers hold c.mu.
func (c *Consumer) readAt(d Delivery) {
	if d.ShardID != "" && d.SequenceNumber != "" {
		if to, ok := c.readTo[d.ShardID]; !ok || stream.SequenceLess(to, d.SequenceNumber) {
			c.readTo[d.ShardID] = d.SequenceNumber
		}
	}
	if !d.At.IsZero() {
		if c.firstAt.IsZero() || d.At.Before(c.firstAt) {
			c.firstAt = d.At
		}
		if d.At.After(c.lastAt) {
			c.lastAt = d.At
		}
	}
}

func (cp *consumed) firstInGen(gen int) *roaring64.Bitmap {
	for len(cp.firstIn) <= gen {
		cp.firstIn = append(cp.firstIn, nil)
	}
	if cp.firstIn[gen] == nil {
		cp.firstIn[gen] = roaring64.New()
	}
	return cp.firstIn[gen]
}

// firstGen is the generation that first received id.
func (cp *consumed) firstGen(id uint64) int {
	for g := len(cp.firstIn) - 1; g > 0; g-- {
		if b := cp.firstIn[g]; b != nil && b.Contains(id) {
			return g
		}
	}
	return 0
}

func (cp *consumed) unwrittenGen(gen int) *roaring64.Bitmap {
	for len(cp.unwritten) <= gen {
		cp.unwritten = append(cp.unwritten, nil)
	}
	if cp.unwritten[gen] == nil {
		cp.unwritten[gen] = &gathered{ids: roaring64.New()}
	}
	return cp.unwritten[gen].ids
}

// resolveEarly judges the deliveries of id that came before its outcome.
func (p *Producer) resolveEarly(id uint64, early []earlyDelivery, outcome Outcome, seqHash uint32) {
	if len(early) == 0 {
		return
	}
	consumers := p.l.Consumers()
	var waitingDone uint64
	filteredCounted := map[int]bool{} // a record's filtered deliveries leave it out once
	for _, e := range early {
		if e.consumer >= len(consumers) {
			continue
		}
		c := consumers[e.consumer]
		foreign := outcome != Acknowledged || e.seqHash != 0 && seqHash != 0 && e.seqHash != seqHash
		c.mu.Lock()
		cp := c.of(p.index)
		if foreign {
			cp.foreign.Add(id)
		}
		if outcome == Acknowledged && e.filtered && !filteredCounted[e.consumer] {
			filteredCounted[e.consumer] = true
			c.filteredKeys[e.key]++
		}
		c.mu.Unlock()
		if foreign && p.l.file != nil {
			p.l.file.foreign(e.consumer, p.index, id)
		}
		if e.consumer < maxWaiting {
			waitingDone |= 1 << e.consumer
		}
	}
	if outcome == Acknowledged {
		p.mu.Lock()
		if b := p.backlog[id]; b != nil {
			b.waiting &^= waitingDone
			if b.waiting == 0 {
				delete(p.backlog, id)
			}
		}
		p.mu.Unlock()
	}
}

// waitingFor returns the consumers (a bit each) that should read producer
// p's record id: those whose scope holds p, unless it was written before
// their start.
func (l *Ledger) waitingFor(p *Producer, id uint64) uint64 {
	var mask uint64
	for _, c := range l.Consumers() {
		if c.index >= maxWaiting {
			break
		}
		c.mu.Lock()
		if c.inScope(p.index) && !(p.index < len(c.byProducer) && c.byProducer[p.index] != nil && c.byProducer[p.index].beforeStart.Contains(id)) {
			mask |= 1 << c.index
		}
		c.mu.Unlock()
	}
	return mask
}

// Consumers lists the consumers with deliveries in the ledger.
func (l *Ledger) Consumers() []*Consumer {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Consumer(nil), l.consumers...)
}

// DeliveryCount returns how many times the consumer received the record
// with the given id (PRODUCER-N), 0 for an id the ledger does not know.
func (c *Consumer) DeliveryCount(recordID string) int {
	if c == nil {
		return 0
	}
	name, id, ok := recordid.Parse(recordID)
	if !ok {
		return 0
	}
	p := c.l.producerByName(name)
	if p == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p.index >= len(c.byProducer) || c.byProducer[p.index] == nil {
		return 0
	}
	cp := c.byProducer[p.index]
	if !cp.delivered.Contains(id) {
		return 0
	}
	return 1 + int(cp.extra[id])
}
