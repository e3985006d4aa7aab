package emulated

import (
	"time"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// On-demand capacity.
//
// AWS starts an on-demand stream at 4 MiB/s of writes (4 shards here) and
// "splits a shard above ~500 KB/s within 15 minutes", so a stream keeps about
// twice the capacity its traffic needs. The emulator does the same per
// shard: a shard whose attempted writes stay at or above half of either
// write limit for every one-second window over the split delay (see
// WithOnDemandSplitDelay) is split between the lowest and the highest hash
// key written to it in the last window. A shard fed by a single partition
// key is never split: that key stays capped at one shard's limits, 1 MiB/s
// and 1,000 records/s, the hot-key case on-demand cannot fix.

// demand is one shard's recent write traffic, in one-second windows. Not
// safe for concurrent use; the shard's lock guards it.
type demand struct {
	winStart         int64 // unix nanoseconds
	bytes, records   int
	minKey, maxKey   hashkey.Key // of the records in the window
	seen             bool        // the window has records
	hotSince         int64       // start of the run of hot windows; 0: not hot
	lastMin, lastMax hashkey.Key // minKey and maxKey of the last hot window
}

// roll closes the window if a second has passed since it opened.
func (d *demand) roll(now int64) {
	if now < d.winStart+int64(time.Second) {
		return
	}
	hot := 2*d.bytes >= stream.ShardWriteBytesPerSecond || 2*d.records >= stream.ShardWriteRecordsPerSecond
	if now >= d.winStart+2*int64(time.Second) {
		hot = false // a quiet second came in between
	}
	switch {
	case !hot:
		d.hotSince = 0
	case d.hotSince == 0:
		d.hotSince = d.winStart
		fallthrough
	default:
		d.lastMin, d.lastMax = d.minKey, d.maxKey
	}
	*d = demand{winStart: now, hotSince: d.hotSince, lastMin: d.lastMin, lastMax: d.lastMax}
}

// observe counts one record written or attempted.
func (d *demand) observe(size int, key hashkey.Key) {
	d.bytes += size
	d.records++
	if !d.seen || key.Less(d.minKey) {
		d.minKey = key
	}
	if !d.seen || d.maxKey.Less(key) {
		d.maxKey = key
	}
	d.seen = true
}

// splitKey returns where to split the shard, and whether it is due: hot
// for delay, with more than one hash key.
func (d *demand) splitKey(now int64, delay time.Duration) (hashkey.Key, bool) {
	if d.hotSince == 0 || now-d.hotSince < int64(delay) || d.lastMin == d.lastMax {
		return hashkey.Key{}, false
	}
	// Above lastMin, at most lastMax.
	return hashkey.Range{Start: d.lastMin, End: d.lastMax}.Mid(), true
}

// autoSplit splits an on-demand shard that put found due, unless a reshard
// is under way (then a later put tries again).
func (st *streamState) autoSplit(sh *shard, now int64) {
	st.ctl.Lock()
	defer st.ctl.Unlock()
	if st.updating {
		return
	}
	sh.mu.Lock()
	key, due := sh.demand.splitKey(now, st.cfg.onDemandSplitDelay)
	closed := sh.endSeq != "" || sh.deleted
	sh.mu.Unlock()
	if !due || closed || !sh.start.Less(key) || sh.end.Less(key) {
		return
	}
	st.apply([]reshardOp{{a: sh.start, key: key}}, now)
}
