package ledger

import (
	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/stream"
)

// Verdict compares the consumer's deliveries with the producer side so far.
// Expectations are not judged (see result.ConsumerVerdict.Judge).
//
// An acknowledged record the consumer never received is lost when the
// consumer read its shard past it (or to the shard's end): it was stored
// and could not be read, evicted by retention or absent. Otherwise it was
// not read yet when the run ended (unread), with the time the rest would
// take at the consumer's observed read rate. A ledger file cut short
// (End.Complete false) cannot tell them apart: every such record is unread.
func (c *Consumer) Verdict() result.ConsumerVerdict {
	producers := c.l.allProducers()
	complete := !c.l.end.Loaded || c.l.end.Complete
	c.mu.Lock()
	defer c.mu.Unlock()
	v := result.ConsumerVerdict{Consumer: c.name, Deliveries: c.deliveries, Unknown: c.unknown, Reordered: c.reordered}
	for _, p := range producers {
		cp := c.byProducerOrEmpty(p.index)
		if !p.declared {
			// Records of a producer this ledger only knows from deliveries:
			// not the run's (or, merged, no segment's) records.
			v.Unknown += cp.deliveries
			continue
		}
		if !c.inScope(p.index) {
			continue
		}
		c.judgeProducer(&v, p, cp, complete)
	}
	if len(c.gens) > 1 {
		for i, g := range c.gens {
			v.Generations = append(v.Generations, result.GenerationVerdict{Generation: i, StartedAt: g.at.UTC(), Shards: g.shards,
				Uncheckpointed: g.uncheckpointed, Deliveries: g.deliveries, Redeliveries: g.redeliveries})
		}
	}
	if v.Unread > 0 && c.lastAt.After(c.firstAt) && c.deliveries > 1 {
		rate := float64(c.deliveries) / c.lastAt.Sub(c.firstAt).Seconds()
		v.ReadRatePerS = rate
		v.UnreadReadS = float64(v.Unread) / rate
	}
	v.Passed = true
	return v
}

func (c *Consumer) byProducerOrEmpty(producer int) *consumed {
	if producer < len(c.byProducer) && c.byProducer[producer] != nil {
		return c.byProducer[producer]
	}
	return newConsumed()
}

// judgeProducer adds what the consumer received of p's records to v.
// Callers hold c.mu.
func (c *Consumer) judgeProducer(v *result.ConsumerVerdict, p *Producer, cp *consumed, complete bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	acked := p.acked.GetCardinality()
	v.Acknowledged += int64(acked)
	missing := roaring64.AndNot(p.acked, cp.delivered)
	before := roaring64.And(missing, cp.beforeStart)
	v.BeforeStart += int64(before.GetCardinality())
	missing.AndNot(before)
	lost, unread := c.classify(p, missing, complete)
	v.Lost += lost
	v.Unread += unread

	distinct := int64(cp.delivered.GetCardinality())
	v.DistinctRecords += distinct
	v.DuplicateDeliveries += cp.deliveries - distinct
	v.DuplicateEffects += int64(cp.appliedTwice.GetCardinality())
	v.FilteredOut += int64(cp.filtered.GetCardinality())
	foreign := cp.foreign.Clone()
	// Deliveries that came before the record's outcome and still wait for
	// it: judged against the outcome now; none means written, never
	// acknowledged.
	// (A merged ledger may hold the outcome in another segment's file.)
	for id, early := range p.early {
		for _, e := range early {
			if e.consumer != c.index {
				continue
			}
			if p.outcomeLocked(id) != Acknowledged {
				foreign.Add(id)
			} else if h, ok := p.seqHashOf(id); ok && e.seqHash != 0 && h != e.seqHash {
				foreign.Add(id)
			}
		}
	}
	v.DeliveredNotAcknowledged += int64(foreign.GetCardinality())
}

// classify splits acknowledged records the consumer never received into
// lost and not read yet. Callers hold c.mu and p.mu.
func (c *Consumer) classify(p *Producer, missing *roaring64.Bitmap, complete bool) (lost, unread int64) {
	if !complete {
		return 0, int64(missing.GetCardinality())
	}
	it := missing.Iterator()
	for it.HasNext() {
		id := it.Next()
		b := p.backlog[id]
		if b == nil || b.seq == "" || c.index >= maxWaiting {
			lost++ // no position to judge by: a legacy file, or the consumer is past the backlog's bits
			continue
		}
		shard := p.l.shardName(b.shard)
		// Read past it, or up to it: a KPL aggregate's user records share
		// its sequence number, and a consumer that read the aggregate whole
		// never gets the others.
		if to, read := c.readTo[shard]; c.ended[shard] || read && !stream.SequenceLess(to, b.seq) {
			lost++
		} else {
			unread++
		}
	}
	return lost, unread
}
