package ledger

import (
	"sync"
	"time"

	"github.com/kinesim/kinesim/generators/recordid"
	"github.com/kinesim/kinesim/result"
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
	// ledger's key for the record is used.
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

// deliveryState is one record as one consumer saw it: 4 bytes.
type deliveryState struct {
	delivered uint8 // saturating counts
	applied   uint8
	flags     uint8
	firstGen  uint8 // the generation of the first delivery (saturating)
}

// deliveryState flags.
const (
	// foreign: delivered from a write the producer never saw acknowledged.
	foreign uint8 = 1 << iota
	// beforeStart: written before the consumer's start position.
	beforeStart
	// filtered: dropped by the consumer's filter.
	filtered
)

// Consumer is the consumer side of one consumer's deliveries.
type Consumer struct {
	l     *Ledger
	index int
	name  string

	mu         sync.Mutex
	pages      [][]*[pageSize]deliveryState // by producer index, then page
	lastSeq    map[uint64]string            // highest sequence number delivered, by key hash
	deliveries int64
	unknown    int64   // deliveries whose id names no producer
	byProducer []int64 // deliveries by producer index
	reordered  int64
	// early are deliveries that arrived before the producer recorded the
	// record's outcome (a consumer can read a write before the producer has
	// handled its answer); Verdict judges them against the final outcome.
	early []earlyDelivery

	// start is the consumer's start position as a time (zero: the trim
	// horizon); scope the producers whose records it reads (nil: all).
	start time.Time
	scope map[int]bool
	// gens are the consumer's generations; sinceCheckpoint counts the
	// deliveries per shard since its last checkpoint.
	gens            []generation
	sinceCheckpoint map[string]int64
}

// generation is one stretch of a consumer between restarts.
type generation struct {
	at             time.Time
	shards         []string // the shards restarted; nil: all
	uncheckpointed int64    // deliveries since the last checkpoint of those shards when it began
	deliveries     int64
	redeliveries   int64 // deliveries of records first delivered in an earlier generation
}

type earlyDelivery struct {
	producer int
	id       uint64
	seqHash  uint32
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
		gens: []generation{{}}, sinceCheckpoint: map[string]int64{}}
	l.consumers = append(l.consumers, c)
	if l.file != nil {
		l.file.defineConsumer(name)
	}
	return c
}

// Name is the consumer's name.
func (c *Consumer) Name() string { return c.name }

// Delivered records one delivery and reports whether it is the record's
// first delivery to the consumer (false for an id the ledger does not hold).
func (c *Consumer) Delivered(d Delivery) (first bool) {
	if c == nil {
		return false
	}
	name, id, ok := recordid.Parse(d.RecordID)
	var p *Producer
	if ok {
		p = c.l.producerOf(name)
	}
	if p == nil {
		c.mu.Lock()
		c.deliveries++
		c.unknown++
		c.mu.Unlock()
		return false
	}
	e := p.lookup(id)
	c.mu.Lock()
	c.deliveries++
	for len(c.byProducer) <= p.index {
		c.byProducer = append(c.byProducer, 0)
	}
	c.byProducer[p.index]++
	st := c.slot(p.index, id)
	first = st.delivered == 0
	gen := min(max(d.Generation, 0), len(c.gens)-1)
	c.gens[gen].deliveries++
	if first {
		st.firstGen = uint8(min(gen, 255))
	} else if int(st.firstGen) < gen {
		c.gens[gen].redeliveries++
	}
	c.sinceCheckpoint[d.ShardID]++
	st.delivered = satInc(st.delivered)
	if d.Applied {
		st.applied = satInc(st.applied)
	}
	if d.Filtered {
		st.flags |= filtered
	}
	switch {
	case e.outcome == Unknown:
		// Judged by Verdict against the outcome the producer side has then
		// (here, or in another segment's ledger loaded later).
		c.early = append(c.early, earlyDelivery{producer: p.index, id: id, seqHash: SeqHash(d.SequenceNumber)})
	case e.outcome != Acknowledged || d.SequenceNumber != "" && e.seqHash != 0 && SeqHash(d.SequenceNumber) != e.seqHash:
		st.flags |= foreign
	}
	if first && d.SequenceNumber != "" {
		key := e.keyHash
		if d.PartitionKey != "" {
			key = KeyHash(d.PartitionKey)
		}
		if last, seen := c.lastSeq[key]; seen && stream.SequenceLess(d.SequenceNumber, last) {
			c.reordered++
		} else {
			c.lastSeq[key] = d.SequenceNumber
		}
	}
	c.mu.Unlock()
	if f := c.l.file; f != nil {
		f.delivery(c.index, p.index, id, d)
	}
	return first
}

func satInc(n uint8) uint8 {
	if n == 255 {
		return n
	}
	return n + 1
}

// slot returns the state of producer's record id. Callers hold c.mu.
func (c *Consumer) slot(producer int, id uint64) *deliveryState {
	for len(c.pages) <= producer {
		c.pages = append(c.pages, nil)
	}
	pages := c.pages[producer]
	i := id - 1
	page := int(i >> pageBits)
	for len(pages) <= page {
		pages = append(pages, nil)
	}
	if pages[page] == nil {
		pages[page] = new([pageSize]deliveryState)
	}
	c.pages[producer] = pages
	return &pages[page][i&(pageSize-1)]
}

// producerPages are the delivery states of a producer's records. Callers hold c.mu.
func (c *Consumer) producerPages(producer int) []*[pageSize]deliveryState {
	if producer < len(c.pages) {
		return c.pages[producer]
	}
	return nil
}

// stateIn returns record id's state in pages, the zero state when absent.
func stateIn(pages []*[pageSize]deliveryState, id uint64) deliveryState {
	i := id - 1
	if pg := int(i >> pageBits); pg < len(pages) && pages[pg] != nil {
		return pages[pg][i&(pageSize-1)]
	}
	return deliveryState{}
}

// Verdict compares the consumer's deliveries with the producer side so far.
// Expectations are not judged (see result.ConsumerVerdict.Judge).
func (c *Consumer) Verdict() result.ConsumerVerdict {
	c.l.mu.Lock()
	producers := append([]*Producer(nil), c.l.producers...)
	c.l.mu.Unlock()

	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range c.early {
		if e := producers[d.producer].lookup(d.id); e.outcome != Acknowledged || d.seqHash != 0 && e.seqHash != 0 && e.seqHash != d.seqHash {
			c.slot(d.producer, d.id).flags |= foreign
		}
	}
	c.early = c.early[:0]
	v := result.ConsumerVerdict{Consumer: c.name, Deliveries: c.deliveries, Unknown: c.unknown, Reordered: c.reordered}
	for _, p := range producers {
		if !p.declared {
			// Records of a producer this ledger only knows from deliveries:
			// not the run's (or, merged, no segment's) records.
			if p.index < len(c.byProducer) {
				v.Unknown += c.byProducer[p.index]
			}
			continue
		}
		if c.scope != nil && !c.scope[p.index] {
			continue
		}
		pages := c.producerPages(p.index)
		state := func(id uint64) deliveryState { return stateIn(pages, id) }
		p.each(func(id uint64, e *entry) {
			if e.outcome == Acknowledged {
				v.Acknowledged++
				switch st := state(id); {
				case st.delivered > 0:
				case st.flags&beforeStart != 0:
					v.BeforeStart++
				default:
					v.Lost++
				}
			}
		})
		for _, pg := range pages {
			if pg == nil {
				continue
			}
			for i := range pg {
				st := &pg[i]
				if st.delivered == 0 {
					continue
				}
				v.DistinctRecords++
				v.DuplicateDeliveries += int64(st.delivered) - 1
				if st.applied > 1 {
					v.DuplicateEffects++
				}
				if st.flags&foreign != 0 {
					v.DeliveredNotAcknowledged++
				}
				if st.flags&filtered != 0 {
					v.FilteredOut++
				}
			}
		}
	}
	if len(c.gens) > 1 {
		for i, g := range c.gens {
			v.Generations = append(v.Generations, result.GenerationVerdict{Generation: i, StartedAt: g.at.UTC(), Shards: g.shards,
				Uncheckpointed: g.uncheckpointed, Deliveries: g.deliveries, Redeliveries: g.redeliveries})
		}
	}
	v.Passed = true
	return v
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
	if p.index >= len(c.pages) {
		return 0
	}
	pages := c.pages[p.index]
	i := id - 1
	if pg := int(i >> pageBits); pg < len(pages) && pages[pg] != nil {
		return int(pages[pg][i&(pageSize-1)].delivered)
	}
	return 0
}
