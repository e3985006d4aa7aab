package runner

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// shardMap predicts the shard a record goes to from the stream's open
// shards and their hash key ranges, as KPL's ShardMap does. An aggregating
// producer keeps one aggregate per predicted shard; when a record comes
// back acknowledged on another shard (the stream was resharded), the map
// is refreshed. Safe for concurrent use: the producer's loop predicts
// (lock-free, from an immutable listing) while its calls refresh.
type shardMap struct {
	lister     stream.Reader
	streamName string

	refreshing sync.Mutex // one ListShards at a time
	current    atomic.Pointer[shardListing]
}

// shardListing is one ListShards answer: the open shards by starting hash
// key, when they were listed and the how-manieth listing it is, so the
// producer's loop notices a refresh and re-routes what it holds.
type shardListing struct {
	shards   []predictedShard
	listedAt time.Time
	version  uint64
}

type predictedShard struct {
	id string
	r  hashkey.Range
}

// refresh lists the stream's shards at now (the run's clock).
func (m *shardMap) refresh(ctx context.Context, now time.Time) error {
	m.refreshing.Lock()
	defer m.refreshing.Unlock()
	return m.list(ctx, now)
}

// list lists the shards; the caller holds m.refreshing.
func (m *shardMap) list(ctx context.Context, now time.Time) error {
	shards, err := m.lister.ListShards(ctx, m.streamName)
	if err != nil {
		return fmt.Errorf("list the shards of %q to predict them: %w", m.streamName, err)
	}
	open := make([]predictedShard, 0, len(shards))
	for _, sh := range shards {
		if !sh.Open() {
			continue
		}
		r, ok := hashkey.ParseRange(sh.HashKeyRange.StartingHashKey, sh.HashKeyRange.EndingHashKey)
		if !ok {
			return fmt.Errorf("shard %s of %q: hash key range %s-%s is not decimal", sh.ShardID, m.streamName,
				sh.HashKeyRange.StartingHashKey, sh.HashKeyRange.EndingHashKey)
		}
		open = append(open, predictedShard{id: sh.ShardID, r: r})
	}
	slices.SortFunc(open, func(a, b predictedShard) int { return a.r.Start.Compare(b.r.Start) })
	next := &shardListing{shards: open, listedAt: now, version: 1}
	if old := m.current.Load(); old != nil {
		next.version = old.version + 1
	}
	m.current.Store(next)
	return nil
}

// refreshIfOlder refreshes the map unless it was listed at or after since:
// the calls that saw a wrong shard at the same time refresh it once.
func (m *shardMap) refreshIfOlder(ctx context.Context, since, now time.Time) {
	m.refreshing.Lock()
	defer m.refreshing.Unlock()
	if cur := m.current.Load(); cur != nil && !cur.listedAt.Before(since) {
		return
	}
	// A failed list keeps the old map; the records it misplaces come back
	// on another shard again and are put again.
	_ = m.list(ctx, now)
}

// predict returns the id of the open shard whose range holds key ("" when
// none does: a map listed mid-reshard, or never listed).
func (m *shardMap) predict(key hashkey.Key) string {
	cur := m.current.Load()
	if cur == nil {
		return ""
	}
	i, _ := slices.BinarySearchFunc(cur.shards, key, func(s predictedShard, k hashkey.Key) int {
		switch {
		case s.r.End.Less(k):
			return -1
		case k.Less(s.r.Start):
			return 1
		}
		return 0
	})
	if i < len(cur.shards) && cur.shards[i].r.Contains(key) {
		return cur.shards[i].id
	}
	return ""
}

// version is the listing's count (0 before the first).
func (m *shardMap) version() uint64 {
	if cur := m.current.Load(); cur != nil {
		return cur.version
	}
	return 0
}
