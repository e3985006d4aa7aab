// Package ledger keeps the account of a run: on the producer side what
// became of every record (acknowledged, dead-lettered, unfinished); on the
// consumer side every delivery. Verdict compares the two and says what was
// lost, not read yet, duplicated or reordered.
//
// The ledger is compact: its memory is bounded by the run's configuration
// (producers, consumers, shards, partition keys and what is in flight),
// not by the number of records. Record ids are dense per producer, so the
// sets it keeps (acknowledged, delivered, applied, ...) are roaring bitmaps,
// which hold a run of consecutive ids in a few bytes; most records have the
// plain fate (acknowledged once, delivered once to each consumer) and cost
// nothing but the ends of the runs they are in. Exceptions are kept one by
// one: duplicate deliveries, records written more than once, losses. The
// one thing held per record is the sequence number of an acknowledged
// record until every consumer that should read it has: that is the backlog.
//
// With a file (Create), the ledger streams the same account to disk: runs
// of consecutive ids with the plain fate and the exceptions one by one (see
// file.go), a few bytes per thousand records in a clean run. Load reads it
// back, and LoadFiles reads several (the segments of a run) as one.
//
// A *Ledger and its *Producer and *Consumer handles are safe for concurrent
// use. The nil *Producer and *Consumer do nothing, so code paths without a
// ledger need no checks.
package ledger

import (
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"github.com/kinesim/kinesim/generators/recordid"
)

// Outcome is what became of a record on the producer side.
type Outcome uint8

// Outcomes. The zero value is a record the ledger has not heard of.
const (
	Unknown Outcome = iota
	// Acknowledged: the target answered with a sequence number.
	Acknowledged
	// DeadLettered: the record failed every attempt (or was too large).
	DeadLettered
	// Unfinished: the run stopped before the record was acknowledged.
	Unfinished
)

func (o Outcome) String() string {
	switch o {
	case Acknowledged:
		return "acknowledged"
	case DeadLettered:
		return "dead-lettered"
	case Unfinished:
		return "unfinished"
	}
	return "unknown"
}

// recentSeqs is how many of a producer's latest acknowledgements keep their
// sequence number's hash after every consumer has read the record, so that
// a second write of it delivered soon after is still told apart.
const recentSeqs = 1 << 16

// Ledger is one run's ledger.
type Ledger struct {
	mu        sync.Mutex
	producers []*Producer
	byName    map[string]*Producer // by the name as record ids spell it
	consumers []*Consumer
	shards    []string
	shardIdx  map[string]uint16

	file    *logFile   // nil without a file
	loading *loadState // set while load replays a file
	// starts says whether any consumer has a start position, so that the
	// per-record acknowledgement skips that check when none has.
	starts atomic.Bool
	// end says how the file ended, for a loaded ledger (see End).
	end End
}

// New returns a ledger kept in memory only.
func New() *Ledger {
	return &Ledger{byName: map[string]*Producer{}, shardIdx: map[string]uint16{}}
}

// Producer is the producer side of one producer's records.
type Producer struct {
	l     *Ledger
	index int
	name  string
	// declared is false for a producer the ledger only knows from
	// deliveries of its ids: its records belong to another ledger (another
	// segment of the run) or to none; its deliveries are kept so that
	// ledgers merged later (LoadFiles) judge them.
	declared bool

	mu           sync.Mutex
	acked        *roaring64.Bitmap
	deadLettered *roaring64.Bitmap
	unfinished   *roaring64.Bitmap
	maxID        uint64
	// keys counts the acknowledged records by partition key hash.
	keys map[uint64]int64
	// backlog holds each acknowledged record some consumer still has to
	// read: its shard and sequence number (for the foreign-write check and
	// to tell lost from not read yet) and the consumers still to read it.
	backlog map[uint64]*pending
	// retried keeps the sequence number hash of records acknowledged after
	// more than one attempt (an earlier one may have been stored too);
	// recent that of the latest acknowledgements, by id modulo its size.
	retried map[uint64]uint32
	recent  []recentSeq
	// early are deliveries that came before the producer side heard of the
	// record (a consumer can read a write before the producer has its
	// answer), judged when it does.
	early map[uint64][]earlyDelivery
	// unwritten are acknowledged ids not yet written to the file as runs;
	// sinceFlush counts the ids added since the last flush.
	unwritten  gathered
	sinceFlush int
	flushes    int
}

// pending is an acknowledged record some consumer has still to read.
type pending struct {
	key     uint64 // partition key hash
	shard   uint16
	seqHash uint32
	seq     string
	waiting uint64 // bit i: consumer i has not read it yet
}

type recentSeq struct {
	id      uint64
	seqHash uint32
}

type earlyDelivery struct {
	consumer int
	seqHash  uint32
	key      uint64
	filtered bool
}

func newProducer(l *Ledger, index int, name string, declared bool) *Producer {
	return &Producer{l: l, index: index, name: name, declared: declared,
		acked: roaring64.New(), deadLettered: roaring64.New(), unfinished: roaring64.New(),
		keys: map[uint64]int64{}, backlog: map[uint64]*pending{}, retried: map[uint64]uint32{},
		early: map[uint64][]earlyDelivery{}, unwritten: gathered{ids: roaring64.New()}}
}

// Producer returns the handle for the named producer, adding it on first use.
func (l *Ledger) Producer(name string) *Producer {
	return l.producer(recordid.SafeName(name), true)
}

// producerOf returns the producer whose record ids carry safeName, adding
// it, undeclared, on first use.
func (l *Ledger) producerOf(safeName string) *Producer {
	return l.producer(safeName, false)
}

func (l *Ledger) producer(safe string, declare bool) *Producer {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p := l.byName[safe]; p != nil {
		if declare && !p.declared {
			p.declared = true
			if l.file != nil {
				l.file.defineProducer('P', safe)
			}
		}
		return p
	}
	p := newProducer(l, len(l.producers), safe, declare)
	l.producers = append(l.producers, p)
	l.byName[safe] = p
	if l.file != nil {
		tag := byte('Q')
		if declare {
			tag = 'P'
		}
		l.file.defineProducer(tag, safe)
	}
	return p
}

// shard returns the shard's table index + 1, adding it on first use.
func (l *Ledger) shard(id string) uint16 {
	if id == "" {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if i, ok := l.shardIdx[id]; ok {
		return i
	}
	l.shards = append(l.shards, id)
	i := uint16(len(l.shards))
	l.shardIdx[id] = i
	return i
}

// shardName returns the shard id of a shard table index.
func (l *Ledger) shardName(i uint16) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i == 0 || int(i) > len(l.shards) {
		return ""
	}
	return l.shards[i-1]
}

// Acknowledged records that the target acknowledged record id of this
// producer with shardID and seq after attempts attempts.
func (p *Producer) Acknowledged(id uint64, partitionKey, shardID, seq string, attempts int) {
	p.AcknowledgedAt(id, partitionKey, shardID, seq, attempts, time.Time{})
}

// AcknowledgedAt is Acknowledged for a write whose PutRecords call started
// at sent: the record was stored at or after sent, so a consumer that
// starts later (Consumer.StartAt) may not see it and does not count it as
// lost when it does not.
func (p *Producer) AcknowledgedAt(id uint64, partitionKey, shardID, seq string, attempts int, sent time.Time) {
	if p == nil || id == 0 {
		return
	}
	key := KeyHash(partitionKey)
	if !sent.IsZero() && p.l.starts.Load() {
		p.l.markBeforeStart(p, id, key, sent)
	}
	p.acknowledge(id, key, p.l.shard(shardID), seq, SeqHash(seq), attempts > 1)
}

// acknowledge records id as acknowledged; seq may be empty (a legacy file
// holds its hash only).
func (p *Producer) acknowledge(id, key uint64, shard uint16, seq string, seqHash uint32, retried bool) {
	waiting := p.l.waitingFor(p, id)
	p.mu.Lock()
	if p.outcomeLocked(id) != Unknown {
		p.mu.Unlock()
		return // one outcome per record
	}
	p.acked.Add(id)
	p.unwritten.ids.Add(id)
	p.maxID = max(p.maxID, id)
	p.keys[key]++
	if retried {
		p.retried[id] = seqHash
	}
	if p.recent == nil {
		p.recent = make([]recentSeq, recentSeqs)
	}
	p.recent[id%recentSeqs] = recentSeq{id: id, seqHash: seqHash}
	if waiting != 0 {
		p.backlog[id] = &pending{key: key, shard: shard, seqHash: seqHash, seq: seq, waiting: waiting}
	}
	early := p.early[id]
	delete(p.early, id)
	p.sinceFlush++
	flush := p.sinceFlush >= flushEvery
	if flush {
		p.sinceFlush = 0
	}
	p.mu.Unlock()
	p.resolveEarly(id, early, Acknowledged, seqHash)
	if flush {
		p.flushRuns(flushSettled)
	}
}

// Failed records that record id ended with outcome (DeadLettered or
// Unfinished) after attempts attempts.
func (p *Producer) Failed(id uint64, partitionKey string, attempts int, outcome Outcome) {
	if p == nil || id == 0 {
		return
	}
	p.fail(id, outcome)
}

func (p *Producer) fail(id uint64, outcome Outcome) {
	p.mu.Lock()
	if p.outcomeLocked(id) != Unknown {
		p.mu.Unlock()
		return
	}
	switch outcome {
	case DeadLettered:
		p.deadLettered.Add(id)
	default:
		outcome = Unfinished
		p.unfinished.Add(id)
	}
	p.maxID = max(p.maxID, id)
	early := p.early[id]
	delete(p.early, id)
	p.mu.Unlock()
	if f := p.l.file; f != nil {
		f.failed(p.index, id, outcome)
	}
	p.resolveEarly(id, early, outcome, 0)
}

// outcomeLocked returns what became of id. Callers hold p.mu.
func (p *Producer) outcomeLocked(id uint64) Outcome {
	switch {
	case p.acked.Contains(id):
		return Acknowledged
	case p.deadLettered.Contains(id):
		return DeadLettered
	case p.unfinished.Contains(id):
		return Unfinished
	}
	return Unknown
}

// Outcome returns what became of record id.
func (p *Producer) Outcome(id uint64) Outcome {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.outcomeLocked(id)
}

// Counts returns how many of the producer's records ended with each outcome.
func (p *Producer) Counts() map[Outcome]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[Outcome]int64{}
	for o, b := range map[Outcome]*roaring64.Bitmap{Acknowledged: p.acked, DeadLettered: p.deadLettered, Unfinished: p.unfinished} {
		if n := b.GetCardinality(); n > 0 {
			out[o] = int64(n)
		}
	}
	return out
}

// Bytes is about the memory the producer side takes: its id sets, its
// backlog and its exceptions.
func (p *Producer) Bytes() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.acked.GetSizeInBytes() + p.deadLettered.GetSizeInBytes() + p.unfinished.GetSizeInBytes() + p.unwritten.ids.GetSizeInBytes()
	n += uint64(len(p.backlog))*64 + uint64(len(p.retried))*16 + uint64(len(p.keys))*16 + uint64(len(p.recent))*16
	return int64(n)
}

// seqHashOf returns the sequence number hash of id's acknowledged write
// when the ledger still knows it. Callers hold p.mu.
func (p *Producer) seqHashOf(id uint64) (uint32, bool) {
	if b := p.backlog[id]; b != nil && b.seqHash != 0 {
		return b.seqHash, true
	}
	if h, ok := p.retried[id]; ok {
		return h, true
	}
	if p.recent != nil {
		if r := p.recent[id%recentSeqs]; r.id == id {
			return r.seqHash, true
		}
	}
	return 0, false
}

// KeyHash is the 64-bit FNV-1a hash the ledger keeps of a partition key.
func KeyHash(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()
}

// SeqHash is the 32-bit FNV-1a hash the ledger keeps of a sequence number:
// enough to tell the writes of one record apart; 0 means none.
func SeqHash(seq string) uint32 {
	if seq == "" {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(seq))
	return h.Sum32() | 1
}

// producerByName returns the producer whose ids carry name, or nil.
func (l *Ledger) producerByName(name string) *Producer {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byName[name]
}

// Producers lists the producers' names (as record ids spell them).
func (l *Ledger) Producers() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.producers))
	for _, p := range l.producers {
		if p.declared {
			out = append(out, p.name)
		}
	}
	return out
}

// allProducers returns the producers, declared or not.
func (l *Ledger) allProducers() []*Producer {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Producer(nil), l.producers...)
}

// addNew adds id to b and reports whether it was not there yet. (Roaring's
// CheckedAdd counts a run container's values to tell.)
func addNew(b *roaring64.Bitmap, id uint64) bool {
	if b.Contains(id) {
		return false
	}
	b.Add(id)
	return true
}
