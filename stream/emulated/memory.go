package emulated

import (
	"sync"
	"sync/atomic"
)

// memory bounds what an Emulator keeps, all streams together, in two
// budgets: payloads (partition keys and data, in chunks) and records' 32
// bytes of bookkeeping (in segments). Past the payload budget the oldest
// payloads go and their records stay; past the record budget the oldest
// records go entirely. Either way they are counted in RetentionStats.
//
// Safe for concurrent use. Writers queue the blocks they allocate while
// holding their shard's lock, so each shard's blocks queue in order; a
// budget's mutex is never held while taking a shard's lock.
type memory struct {
	payloads budget
	records  budget
}

// budget is the blocks of one kind, oldest first.
type budget struct {
	limit int64
	used  atomic.Int64

	mu     sync.Mutex
	blocks []blockRef
}

// blockRef names a chunk or a segment of a shard by its absolute number.
type blockRef struct {
	shard *shard
	id    int64
}

func (b *budget) allocated(sh *shard, id int64, bytes int) {
	b.used.Add(int64(bytes))
	b.mu.Lock()
	b.blocks = append(b.blocks, blockRef{sh, id})
	b.mu.Unlock()
}

func (b *budget) over() bool { return b.used.Load() > b.limit }

// pop takes the oldest block, if any.
func (b *budget) pop() (blockRef, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.blocks) == 0 {
		return blockRef{}, false
	}
	ref := b.blocks[0]
	b.blocks = b.blocks[1:]
	return ref, true
}

// requeue puts back a block that could not go yet.
func (b *budget) requeue(ref blockRef) {
	b.mu.Lock()
	b.blocks = append(b.blocks, ref)
	b.mu.Unlock()
}

func (b *budget) queued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.blocks)
}

// freed counts memory given back.
func (m *memory) freed(f freedBytes) {
	if f.payloads != 0 {
		m.payloads.used.Add(-int64(f.payloads))
	}
	if f.records != 0 {
		m.records.used.Add(-int64(f.records))
	}
}

// allocated counts what one append allocated. Call with sh's lock held.
func (m *memory) allocated(sh *shard, newChunk int, newSegment bool) {
	if newChunk > 0 {
		m.payloads.allocated(sh, sh.log.lastChunk(), newChunk)
	}
	if newSegment {
		m.records.allocated(sh, sh.log.lastSegment(), segmentBytes)
	}
}

// enforce gives back the oldest blocks until both budgets hold. Call with
// no shard lock held.
func (m *memory) enforce() {
	for m.payloads.over() {
		ref, ok := m.payloads.pop()
		if !ok {
			break
		}
		ref.shard.mu.Lock()
		freed := ref.shard.log.dropPayloads(ref.id)
		ref.shard.mu.Unlock()
		m.freed(freedBytes{payloads: freed})
	}
	// A segment still being filled cannot go; it waits at the back. Each
	// block is looked at once per call at most.
	for tries := m.records.queued(); m.records.over() && tries > 0; tries-- {
		ref, ok := m.records.pop()
		if !ok {
			break
		}
		ref.shard.mu.Lock()
		freed, gone := ref.shard.log.evictSegment(ref.id)
		ref.shard.mu.Unlock()
		m.freed(freed)
		if !gone {
			m.records.requeue(ref)
		}
	}
}
