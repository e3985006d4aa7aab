package metrics

import (
	"strings"
	"time"

	"github.com/kinesim/kinesim/result"
)

// Write limits of one shard (provisioned and on-demand alike): the HTML
// report's heat map shows each shard's load as a share of them.
const (
	ShardRecordsPerSLimit = 1000
	ShardBytesPerSLimit   = 1 << 20
)

// MaxTrackedShards caps the shards a Recorder keeps per-second counts for,
// so a stream resharded to thousands of shards costs bounded memory; the
// result says when more were seen (ShardsTruncated).
const MaxTrackedShards = 256

// ShardCounts gathers one call's per-shard outcomes, so a producer takes
// the recorder's lock once per call instead of once per record. The zero
// value is ready to use; not safe for concurrent use.
type ShardCounts struct {
	counts []result.ShardSecond
}

// at returns the counts of shard id, or nil for a target that does not
// name shards. A call touches few shards, so a linear scan beats a map.
func (c *ShardCounts) at(id string) *result.ShardSecond {
	if id == "" {
		return nil
	}
	for i := range c.counts {
		if c.counts[i].ShardID == id {
			return &c.counts[i]
		}
	}
	c.counts = append(c.counts, result.ShardSecond{ShardID: id})
	return &c.counts[len(c.counts)-1]
}

// Add counts one acknowledged record attempt of size bytes into shard id.
func (c *ShardCounts) Add(id string, bytes int) { c.AddAggregate(id, bytes, 1) }

// AddAggregate counts one acknowledged Kinesis record of size bytes that
// carries users user records (a KPL aggregate, or 1 for a plain record).
func (c *ShardCounts) AddAggregate(id string, bytes, users int) {
	if s := c.at(id); s != nil {
		s.RecordsAcknowledged++
		s.BytesAcknowledged += int64(bytes)
		s.UserRecordsAcknowledged += int64(users)
		s.PutAttempts++
	}
}

// Throttled counts one throttled record attempt on shard id, and a dead
// letter when it was the record's last attempt.
func (c *ShardCounts) Throttled(id string, deadLettered bool) {
	if s := c.at(id); s != nil {
		s.PutAttempts++
		s.RecordsThrottled++
		if deadLettered {
			s.RecordsDeadLettered++
		}
	}
}

// ThrottledShard is the shard a throttled record attempt names in its
// error message ("Rate exceeded for shard shardId-000000000001 in stream
// ..."), as Kinesis and the emulated stream write it; "" when it names none.
func ThrottledShard(message string) string {
	i := strings.Index(message, "shardId-")
	if i < 0 {
		return ""
	}
	id := message[i:]
	if j := strings.IndexAny(id, " ,.;:)"); j >= 0 {
		id = id[:j]
	}
	return id
}

// AddShards adds a call's per-shard counts at time t.
func (r *Recorder) AddShards(c *ShardCounts, t time.Time) {
	if c == nil || len(c.counts) == 0 {
		return
	}
	r.mu.Lock()
	defer r.unlockAndNotify()
	o := r.secondAt(t)
	if o == nil {
		return
	}
	for _, sc := range c.counts {
		if s := r.shardOf(o, sc.ShardID); s != nil {
			s.Add(sc)
		}
	}
}

// AddShardReads counts a built-in consumer's GetRecords calls on shard id
// at time t, and those of them that were throttled.
func (r *Recorder) AddShardReads(id string, calls, throttled int64, t time.Time) {
	if id == "" {
		return
	}
	r.mu.Lock()
	defer r.unlockAndNotify()
	if o := r.secondAt(t); o != nil {
		if s := r.shardOf(o, id); s != nil {
			s.GetRecordsCalls += calls
			s.ReadThrottles += throttled
		}
	}
}
