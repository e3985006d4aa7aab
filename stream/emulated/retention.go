package emulated

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinesim/kinesim/stream"
)

var (
	_ stream.RetentionSetter   = (*Emulator)(nil)
	_ stream.RetentionReporter = (*Emulator)(nil)
)

// payloadMemory bounds the payload bytes an Emulator keeps. Chunks are
// queued in the order they were allocated; when the total passes the limit,
// the oldest are dropped from their shards. Safe for concurrent use: used is
// atomic; mu guards the queue and is never held while taking a shard's lock
// (writers queue chunks under their shard's lock, so the order is
// shard lock, then mu).
type payloadMemory struct {
	limit int64
	used  atomic.Int64

	mu     sync.Mutex
	chunks []chunkRef // oldest first
}

type chunkRef struct {
	shard *shard
	chunk uint32
}

// allocated counts a chunk a shard has just allocated. Call with the shard's
// lock held, so that each shard's chunks queue in order.
func (m *payloadMemory) allocated(sh *shard, chunk uint32, bytes int) {
	m.used.Add(int64(bytes))
	m.mu.Lock()
	m.chunks = append(m.chunks, chunkRef{sh, chunk})
	m.mu.Unlock()
}

// freed counts bytes released.
func (m *payloadMemory) freed(bytes int) {
	if bytes != 0 {
		m.used.Add(-int64(bytes))
	}
}

// enforce drops the oldest payloads until the total is within the limit.
// Call with no shard lock held.
func (m *payloadMemory) enforce() {
	for m.used.Load() > m.limit {
		m.mu.Lock()
		if len(m.chunks) == 0 {
			m.mu.Unlock()
			return
		}
		ref := m.chunks[0]
		m.chunks = m.chunks[1:]
		m.mu.Unlock()

		ref.shard.mu.Lock()
		freed := ref.shard.log.dropPayloads(ref.chunk)
		ref.shard.mu.Unlock()
		m.freed(freed)
	}
}

// SetRetentionPeriod sets how long the stream keeps records: whole hours
// from 24 to 8,760. Records older than that leave the stream (TRIM_HORIZON
// moves past them) and are counted in RetentionStats.
func (e *Emulator) SetRetentionPeriod(ctx context.Context, streamName string, period time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if period < stream.DefaultRetention || period > stream.MaxRetention || period%time.Hour != 0 {
		return stream.Errorf(stream.CodeInvalidArgument, "retention period %v: want whole hours from 24 to 8760", period)
	}
	st, err := e.lookup(streamName)
	if err != nil {
		return err
	}
	st.retention.Store(int64(period))
	return nil
}

// RetentionStats reports the records the stream lost to retention and to
// the emulator's memory cap (see WithPayloadMemoryLimit).
func (e *Emulator) RetentionStats(ctx context.Context, streamName string) (stream.RetentionStats, error) {
	if err := ctx.Err(); err != nil {
		return stream.RetentionStats{}, err
	}
	st, err := e.lookup(streamName)
	if err != nil {
		return stream.RetentionStats{}, err
	}
	now := e.cfg.clock.Now().UnixNano()
	var total stream.RetentionStats
	for _, sh := range st.shards.Load().all {
		sh.mu.Lock()
		st.expire(sh, now)
		lost := sh.log.lost
		sh.mu.Unlock()
		total.ExpiredRecords += lost.ExpiredRecords
		total.ExpiredUnread += lost.ExpiredUnread
		total.PayloadsDropped += lost.PayloadsDropped
		total.PayloadsDroppedUnread += lost.PayloadsDroppedUnread
	}
	return total, nil
}

// PayloadBytes is the memory the emulator holds for record payloads, all
// streams together; WithPayloadMemoryLimit bounds it.
func (e *Emulator) PayloadBytes() int64 { return e.mem.used.Load() }

// expire removes sh's records older than the stream's retention period at
// now. Call with sh's lock held.
func (st *streamState) expire(sh *shard, now int64) {
	st.mem.freed(sh.log.expire(now - st.retention.Load()))
}
