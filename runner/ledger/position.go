package ledger

import (
	"time"

	"github.com/kinesim/kinesim/generators/recordid"
)

// What a consumer is expected to read: its start position, the producers
// whose stream it reads, and its generations (restarts and lease moves),
// which attribute re-deliveries to the event that caused them.

// StartAt says the consumer starts at time t (LATEST when it started, or
// AT_TIMESTAMP): records whose write was sent before t (see
// Producer.AcknowledgedAt) may lie before its start position and are
// counted as before_start, not lost, when it never receives them. Call it
// before any record is acknowledged.
func (c *Consumer) StartAt(t time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.start = t
	c.mu.Unlock()
	if !t.IsZero() {
		c.l.starts.Store(true)
	}
	if f := c.l.file; f != nil {
		f.startAt(c.index, t)
	}
}

// Scope limits the records the consumer is expected to read to those of the
// named producers (the ones writing to the stream it reads). Without a call
// every producer's records are expected.
func (c *Consumer) Scope(producers ...string) {
	if c == nil {
		return
	}
	idx := make([]int, 0, len(producers))
	for _, name := range producers {
		if p := c.l.producerByName(recordid.SafeName(name)); p != nil {
			idx = append(idx, p.index)
		}
	}
	c.scopeIndexes(idx)
	if f := c.l.file; f != nil {
		f.scope(c.index, idx)
	}
}

func (c *Consumer) scopeIndexes(idx []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.scope = map[int]bool{}
	for _, i := range idx {
		c.scope[i] = true
	}
}

// markBeforeStart marks producer p's record id, sent at sent, for every
// consumer that starts after sent.
func (l *Ledger) markBeforeStart(p *Producer, id uint64, sent time.Time) {
	l.mu.Lock()
	consumers := l.consumers
	l.mu.Unlock()
	for _, c := range consumers {
		c.mu.Lock()
		hit := !c.start.IsZero() && sent.Before(c.start) && (c.scope == nil || c.scope[p.index])
		if hit {
			c.slot(p.index, id).flags |= beforeStart
		}
		c.mu.Unlock()
		if hit && l.file != nil {
			l.file.beforeStart(c.index, p.index, id)
		}
	}
}

func (c *Consumer) setBeforeStart(producer int, id uint64) {
	c.mu.Lock()
	c.slot(producer, id).flags |= beforeStart
	c.mu.Unlock()
}

// Checkpointed says the consumer checkpointed the shard: what it delivered
// from it so far will not be delivered again by a restart.
func (c *Consumer) Checkpointed(shardID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.sinceCheckpoint[shardID] = 0
	c.mu.Unlock()
	if f := c.l.file; f != nil {
		f.checkpointed(c.index, shardID)
	}
}

// Restart begins the consumer's next generation at time at, after the
// previous one has stopped delivering: a crash (no shards: every shard
// restarts from its checkpoint) or a lease moved to another worker (the
// shards named). It returns the new generation's number, which the
// deliveries that follow carry (Delivery.Generation). The deliveries since
// the last checkpoint of the restarted shards are what the restart is
// expected to deliver again (GenerationVerdict.Uncheckpointed).
func (c *Consumer) Restart(at time.Time, shards ...string) int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	n := c.restartLocked(at, shards)
	c.mu.Unlock()
	if f := c.l.file; f != nil {
		f.restart(c.index, at, shards)
	}
	return n
}

func (c *Consumer) restartLocked(at time.Time, shards []string) int {
	g := generation{at: at, shards: shards}
	if len(shards) == 0 {
		for id, n := range c.sinceCheckpoint {
			g.uncheckpointed += n
			delete(c.sinceCheckpoint, id)
		}
	}
	for _, id := range shards {
		g.uncheckpointed += c.sinceCheckpoint[id]
		delete(c.sinceCheckpoint, id)
	}
	c.gens = append(c.gens, g)
	return len(c.gens) - 1
}

// RedeliveriesAt returns the re-deliveries of the generation that began at
// at (records the consumer had received in an earlier generation); ok is
// false when no generation began then.
func (c *Consumer) RedeliveriesAt(at time.Time) (n int64, ok bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, g := range c.gens[1:] {
		if g.at.Equal(at) {
			n += g.redeliveries
			ok = true
		}
	}
	return n, ok
}

// ExpectedCounts returns, by partition key hash (KeyHash), how many records
// the consumer's sink should have applied once each: the acknowledged
// records in its scope that it neither filtered out nor could miss because
// they were written before its start position.
func (c *Consumer) ExpectedCounts() map[uint64]int64 {
	c.l.mu.Lock()
	producers := append([]*Producer(nil), c.l.producers...)
	c.l.mu.Unlock()
	out := map[uint64]int64{}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range producers {
		if c.scope != nil && !c.scope[p.index] {
			continue
		}
		pages := c.producerPages(p.index)
		p.each(func(id uint64, e *entry) {
			if e.outcome != Acknowledged {
				return
			}
			st := stateIn(pages, id)
			if st.flags&filtered != 0 || st.flags&beforeStart != 0 && st.delivered == 0 {
				return
			}
			out[e.keyHash]++
		})
	}
	return out
}
