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
	if c.scope == nil {
		c.scope = map[int]bool{}
	}
	for _, i := range idx {
		c.scope[i] = true
	}
}

// markBeforeStart marks producer p's record id (partition key hash key),
// sent at sent, for every consumer that starts after sent.
func (l *Ledger) markBeforeStart(p *Producer, id, key uint64, sent time.Time) {
	for _, c := range l.Consumers() {
		c.mu.Lock()
		hit := !c.start.IsZero() && sent.Before(c.start) && c.inScope(p.index)
		if hit {
			c.setBeforeStartLocked(p.index, id, key)
		}
		c.mu.Unlock()
		if hit && l.file != nil {
			l.file.beforeStart(c.index, p.index, id)
		}
	}
}

// setBeforeStartLocked marks id as written before the start. Callers hold c.mu.
func (c *Consumer) setBeforeStartLocked(producer int, id, key uint64) {
	cp := c.of(producer)
	if addNew(cp.beforeStart, id) && !cp.delivered.Contains(id) {
		cp.beforeStartKeys[id] = key
		c.unreadBeforeStart[key]++
	}
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
}

// ShardEnded says the consumer read the shard to its end (a closed
// shard's last record): any of its records the consumer did not receive
// is lost, not unread.
func (c *Consumer) ShardEnded(shardID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.ended[shardID] = true
	c.mu.Unlock()
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
	n := len(c.gens) - 1
	c.mu.Unlock()
	// The runs of plain deliveries of the previous generations go first,
	// so that a crash after the restart leaves them in the file.
	c.flushAll(flushEverything)
	if f := c.l.file; f != nil {
		f.restart(c.index, g)
	}
	return n
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
// they were written before its start position. Partition keys are not in
// the ledger's file, so a loaded ledger returns nil.
func (c *Consumer) ExpectedCounts() map[uint64]int64 {
	if c.l.end.Loaded {
		return nil
	}
	producers := c.l.allProducers()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[uint64]int64{}
	for _, p := range producers {
		if !p.declared || !c.inScope(p.index) {
			continue
		}
		p.mu.Lock()
		for k, n := range p.keys {
			out[k] += n
		}
		p.mu.Unlock()
	}
	for k, n := range c.filteredKeys {
		out[k] -= n
	}
	for k, n := range c.unreadBeforeStart {
		out[k] -= n
	}
	for k, n := range out {
		if n == 0 {
			delete(out, k)
		}
	}
	return out
}
