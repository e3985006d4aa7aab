// Package ledger keeps the record-by-record account of a run: on the
// producer side every record's partition key, shard, sequence number,
// attempts and outcome; on the consumer side every delivery. Verify compares
// the two and says what was lost, duplicated or reordered.
//
// The ledger is compact enough for tens of millions of records: a producer's
// records live in dense pages indexed by record id (16 bytes a record), and
// keys and sequence numbers are kept as hashes (FNV-1a, 64 and 32 bits), not
// strings. A consumer's deliveries are folded in as they arrive (two counts
// and a bit per record, a last sequence number per partition key).
//
// When the ledger has a file (Create), every event is also appended to it;
// Sync flushes it on an interval so a crash loses at most the last interval,
// and Load reads it back for `kinesim verify`.
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

// pageBits sets the page size: 2^14 records, 256 KiB of entries.
const (
	pageBits = 14
	pageSize = 1 << pageBits
)

// entry is one record on the producer side: 16 bytes.
type entry struct {
	keyHash  uint64
	seqHash  uint32
	shard    uint16 // index into the ledger's shard table, +1 (0: none)
	attempts uint8
	outcome  Outcome
}

// Ledger is one run's ledger.
type Ledger struct {
	mu        sync.Mutex
	producers []*Producer
	byName    map[string]*Producer // by the name as record ids spell it
	consumers []*Consumer
	shards    []string
	shardIdx  map[string]uint16

	file    *logFile   // nil without a file
	loading *loadState // set while Load replays a file
	// starts says whether any consumer has a start position, so that the
	// per-record acknowledgement skips that check when none has.
	starts atomic.Bool
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

	mu    sync.Mutex
	pages []*[pageSize]entry
	maxID uint64
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
	p := &Producer{l: l, index: len(l.producers), name: safe, declared: declare}
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
	if l.file != nil {
		l.file.defineShard(id)
	}
	return i
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
	if p == nil {
		return
	}
	p.set(id, entry{keyHash: KeyHash(partitionKey), seqHash: SeqHash(seq), shard: p.l.shard(shardID), attempts: clampAttempts(attempts), outcome: Acknowledged})
	if !sent.IsZero() && id != 0 && p.l.starts.Load() {
		p.l.markBeforeStart(p, id, sent)
	}
}

// Failed records that record id ended with outcome (DeadLettered or
// Unfinished) after attempts attempts.
func (p *Producer) Failed(id uint64, partitionKey string, attempts int, outcome Outcome) {
	if p == nil {
		return
	}
	p.set(id, entry{keyHash: KeyHash(partitionKey), attempts: clampAttempts(attempts), outcome: outcome})
}

func clampAttempts(n int) uint8 { return uint8(min(max(n, 0), 255)) }

func (p *Producer) set(id uint64, e entry) {
	if id == 0 {
		return // ids start at 1
	}
	p.mu.Lock()
	*p.slot(id) = e
	p.maxID = max(p.maxID, id)
	p.mu.Unlock()
	if f := p.l.file; f != nil {
		f.record(p.index, id, e)
	}
}

// slot returns the entry for id, allocating its page. Callers hold p.mu.
func (p *Producer) slot(id uint64) *entry {
	i := id - 1
	page := int(i >> pageBits)
	for len(p.pages) <= page {
		p.pages = append(p.pages, nil)
	}
	if p.pages[page] == nil {
		p.pages[page] = new([pageSize]entry)
	}
	return &p.pages[page][i&(pageSize-1)]
}

// lookup returns id's entry, or the zero entry.
func (p *Producer) lookup(id uint64) entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := id - 1
	page := int(i >> pageBits)
	if id == 0 || page >= len(p.pages) || p.pages[page] == nil {
		return entry{}
	}
	return p.pages[page][i&(pageSize-1)]
}

// Outcome returns what became of record id.
func (p *Producer) Outcome(id uint64) Outcome { return p.lookup(id).outcome }

// each calls fn for every id up to the largest recorded, in order, with
// p.mu held.
func (p *Producer) each(fn func(id uint64, e *entry)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id := uint64(1); id <= p.maxID; id++ {
		i := id - 1
		page := p.pages[i>>pageBits]
		if page == nil {
			id += pageSize - 1 - i&(pageSize-1)
			continue
		}
		fn(id, &page[i&(pageSize-1)])
	}
}

// Counts returns how many of the producer's records ended with each outcome.
func (p *Producer) Counts() map[Outcome]int64 {
	out := map[Outcome]int64{}
	p.each(func(_ uint64, e *entry) {
		if e.outcome != Unknown {
			out[e.outcome]++
		}
	})
	return out
}

// Bytes is the memory the producer's records take.
func (p *Producer) Bytes() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := int64(0)
	for _, pg := range p.pages {
		if pg != nil {
			n += pageSize * 16
		}
	}
	return n + int64(cap(p.pages))*8
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
