package metrics

import (
	"slices"
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

// ShardCounts gathers one call's acknowledged records by shard, so a
// producer takes the recorder's lock once per call instead of once per
// record. The zero value is ready to use; not safe for concurrent use.
type ShardCounts struct {
	counts []shardCount
}

type shardCount struct {
	id                    string
	records, bytes, users int64
}

// Add counts one acknowledged record of size bytes into shard id. A call
// touches few shards, so a linear scan beats a map.
func (c *ShardCounts) Add(id string, bytes int) { c.AddAggregate(id, bytes, 1) }

// AddAggregate counts one acknowledged Kinesis record of size bytes that
// carries users user records (a KPL aggregate, or 1 for a plain record).
func (c *ShardCounts) AddAggregate(id string, bytes, users int) {
	if id == "" {
		return // a target that does not name shards
	}
	for i := range c.counts {
		if c.counts[i].id == id {
			c.counts[i].records++
			c.counts[i].bytes += int64(bytes)
			c.counts[i].users += int64(users)
			return
		}
	}
	c.counts = append(c.counts, shardCount{id: id, records: 1, bytes: int64(bytes), users: int64(users)})
}

// shardSeries is one shard's per-second counts inside a Recorder, and its
// user records in all.
type shardSeries struct {
	records, bytes []int64
	users          int64
}

// AddShards adds a call's per-shard counts at time t.
func (r *Recorder) AddShards(c *ShardCounts, t time.Time) {
	if c == nil || len(c.counts) == 0 {
		return
	}
	sec := max(int(t.Sub(r.start)/time.Second), 0)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shards == nil {
		r.shards = map[string]*shardSeries{}
	}
	for _, sc := range c.counts {
		s, ok := r.shards[sc.id]
		if !ok {
			if len(r.shards) >= MaxTrackedShards {
				r.shardsTruncated = true
				continue
			}
			s = &shardSeries{}
			r.shards[sc.id] = s
		}
		for len(s.records) <= sec {
			s.records = append(s.records, 0)
			s.bytes = append(s.bytes, 0)
		}
		s.records[sec] += sc.records
		s.bytes[sec] += sc.bytes
		s.users += sc.users
	}
}

// shardLoads returns the per-shard loads in shard id order, each padded to
// seconds points. Callers hold r.mu.
func (r *Recorder) shardLoads(seconds int) []result.ShardLoad {
	out := make([]result.ShardLoad, 0, len(r.shards))
	for id, s := range r.shards {
		l := result.ShardLoad{ShardID: id, UserRecordsAcknowledged: s.users, RecordsPerS: make([]int64, max(seconds, len(s.records))), BytesPerS: make([]int64, max(seconds, len(s.bytes)))}
		copy(l.RecordsPerS, s.records)
		copy(l.BytesPerS, s.bytes)
		for i, n := range s.records {
			l.RecordsAcknowledged += n
			l.BytesAcknowledged += s.bytes[i]
			l.PeakRecordsPerS = max(l.PeakRecordsPerS, n)
			l.PeakBytesPerS = max(l.PeakBytesPerS, s.bytes[i])
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b result.ShardLoad) int { return strings.Compare(a.ShardID, b.ShardID) })
	return out
}
