package emulated

import (
	"context"
	"time"

	"github.com/kinesim/kinesim/stream"
)

var (
	_ stream.RetentionSetter   = (*Emulator)(nil)
	_ stream.RetentionReporter = (*Emulator)(nil)
)

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
		total.EvictedRecords += lost.EvictedRecords
		total.EvictedUnread += lost.EvictedUnread
	}
	return total, nil
}

// PayloadBytes is the memory the emulator holds for record payloads, all
// streams together; WithPayloadMemoryLimit bounds it.
func (e *Emulator) PayloadBytes() int64 { return e.mem.payloads.used.Load() }

// StoredRecords is how many records the emulator keeps the bookkeeping of,
// rounded up to whole segments of 4,096; WithRecordLimit bounds it.
func (e *Emulator) StoredRecords() int64 { return e.mem.records.used.Load() / storedRecordLen }

// expire removes sh's records older than the stream's retention period at
// now. Call with sh's lock held.
func (st *streamState) expire(sh *shard, now int64) {
	st.mem.freed(sh.log.expire(now - st.retention.Load()))
}
