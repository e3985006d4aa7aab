package streamtest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

func (s *suite) resharder(t *testing.T) stream.Resharder {
	t.Helper()
	r, ok := s.target.(stream.Resharder)
	require.True(t, ok, "the target has a resharding capability but %T does not implement stream.Resharder", s.target)
	return r
}

func (s *suite) listShards(t *testing.T, name string) map[string]stream.Shard {
	t.Helper()
	shards, err := s.target.ListShards(t.Context(), name)
	require.NoError(t, err, "ListShards(%s)", name)
	byID := map[string]stream.Shard{}
	for _, sh := range shards {
		byID[sh.ShardID] = sh
	}
	return byID
}

// readClosedShard reads a closed shard from TRIM_HORIZON to its end and
// returns its records and the last response's ChildShards.
func (s *suite) readClosedShard(t *testing.T, name, shardID string) ([]stream.StoredRecord, []stream.ChildShard) {
	t.Helper()
	it := s.iterator(t, stream.GetShardIteratorInput{StreamName: name, ShardID: shardID, Type: stream.TrimHorizon})
	var got []stream.StoredRecord
	for calls := 0; ; calls++ {
		require.Less(t, calls, 1000, "%s: a closed shard's end never came", shardID)
		out := s.getRecords(t, it, 0)
		got = append(got, out.Records...)
		if out.NextShardIterator == "" {
			return got, out.ChildShards
		}
		it = out.NextShardIterator
	}
}

func testSplitShard(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 2)
	sortByStartingHashKey(t, shards)
	parent := shards[0]
	keys := mustRange(t, parent)
	mid := keys.Mid()
	written := s.putAll(t, name, testRecords(50, "split"))
	inParent := 0
	for _, r := range written.Records {
		if r.ShardID == parent.ShardID {
			inParent++
		}
	}

	require.NoError(t, s.resharder(t).SplitShard(t.Context(), &stream.SplitShardInput{
		StreamName: name, ShardToSplit: parent.ShardID, NewStartingHashKey: mid.String(),
	}))

	after := s.listShards(t, name)
	require.Len(t, after, 4, "a split adds two shards")
	assert.False(t, after[parent.ShardID].Open(), "the parent is closed")
	assert.NotEmpty(t, after[parent.ShardID].SequenceNumberRange.EndingSequenceNumber, "the parent has an ending sequence number")
	wantRanges := map[string]string{ // child start → end
		keys.Start.String(): mid.Prev().String(),
		mid.String():        keys.End.String(),
	}
	var children []string
	for id, sh := range after {
		if id == shards[0].ShardID || id == shards[1].ShardID {
			continue
		}
		children = append(children, id)
		assert.True(t, sh.Open(), "child %s is open", id)
		assert.Equal(t, parent.ShardID, sh.ParentShardID, "child %s's parent", id)
		assert.Equal(t, wantRanges[sh.HashKeyRange.StartingHashKey], sh.HashKeyRange.EndingHashKey, "child %s's range %+v", id, sh.HashKeyRange)
	}

	records, childShards := s.readClosedShard(t, name, parent.ShardID)
	assert.Len(t, records, inParent, "the parent keeps its records")
	var named []string
	for _, c := range childShards {
		named = append(named, c.ShardID)
		assert.Equal(t, []string{parent.ShardID}, c.ParentShards, "child %s's parents", c.ShardID)
	}
	assert.ElementsMatch(t, children, named, "ChildShards at the parent's end")

	// New writes for the parent's keys go to the children.
	out := s.putAll(t, name, testRecords(50, "split-after"))
	for _, r := range out.Records {
		assert.NotEqual(t, parent.ShardID, r.ShardID, "a closed shard takes no writes")
	}
}

func testMergeShards(t *testing.T, s *suite) {
	name, shards := s.createStream(t, 2)
	sortByStartingHashKey(t, shards)
	require.NoError(t, s.resharder(t).MergeShards(t.Context(), &stream.MergeShardsInput{
		StreamName: name, ShardToMerge: shards[0].ShardID, AdjacentShardToMerge: shards[1].ShardID,
	}))
	after := s.listShards(t, name)
	require.Len(t, after, 3, "a merge adds one shard")
	var child stream.Shard
	for id, sh := range after {
		if id != shards[0].ShardID && id != shards[1].ShardID {
			child = sh
		}
	}
	assert.Equal(t, shards[0].ShardID, child.ParentShardID)
	assert.Equal(t, shards[1].ShardID, child.AdjacentParentShardID)
	assert.Equal(t, stream.HashKeyRange{StartingHashKey: "0", EndingHashKey: hashkey.Max.String()}, child.HashKeyRange)
	for _, parent := range shards {
		assert.False(t, after[parent.ShardID].Open(), "parent %s is closed", parent.ShardID)
		_, children := s.readClosedShard(t, name, parent.ShardID)
		require.Len(t, children, 1, "ChildShards at %s's end", parent.ShardID)
		assert.Equal(t, child.ShardID, children[0].ShardID)
		assert.Equal(t, []string{shards[0].ShardID, shards[1].ShardID}, children[0].ParentShards)
	}
}

func testUpdateShardCount(t *testing.T, s *suite) {
	name, _ := s.createStream(t, 2)
	const keys = 10
	batch := func(round int) []stream.Record {
		recs := make([]stream.Record, 4*keys)
		for i := range recs {
			recs[i] = stream.Record{PartitionKey: fmt.Sprintf("key-%d", i%keys), Data: fmt.Appendf(nil, "%d-%03d", round, i)}
		}
		return recs
	}
	// One call per round: order across calls is what Kinesis keeps per key.
	s.putAll(t, name, batch(0))
	require.NoError(t, s.resharder(t).UpdateShardCount(t.Context(), &stream.UpdateShardCountInput{StreamName: name, TargetShardCount: 4}))
	s.putAll(t, name, batch(1))

	shards := s.listShards(t, name)
	var open []stream.Shard
	for _, sh := range shards {
		if sh.Open() {
			open = append(open, sh)
		}
	}
	require.Len(t, open, 4, "open shards after UpdateShardCount to 4")
	sortByStartingHashKey(t, open)
	next := hashkey.Key{}
	for _, sh := range open {
		assert.Equal(t, next.String(), sh.HashKeyRange.StartingHashKey, "open shards cover the key space without gaps")
		next, _ = mustRange(t, sh).End.Next()
	}

	// Reading parents before children gives every key's round 0 before its
	// round 1.
	rounds := map[string][]byte{}
	for _, id := range parentsFirst(shards) {
		var recs []stream.StoredRecord
		if shards[id].Open() {
			recs = s.readShard(t, stream.GetShardIteratorInput{StreamName: name, ShardID: id, Type: stream.TrimHorizon}, 0, 0)
		} else {
			recs, _ = s.readClosedShard(t, name, id)
		}
		for _, r := range recs {
			rounds[r.PartitionKey] = append(rounds[r.PartitionKey], r.Data[0])
		}
	}
	require.Len(t, rounds, keys)
	for key, got := range rounds {
		assert.Equal(t, "00001111", string(got), "key %s: rounds in read order", key)
	}
}

// parentsFirst orders shard ids so that every shard comes after its parents.
func parentsFirst(shards map[string]stream.Shard) []string {
	var order []string
	done := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		sh, ok := shards[id]
		if !ok || done[id] {
			return
		}
		done[id] = true
		visit(sh.ParentShardID)
		visit(sh.AdjacentParentShardID)
		order = append(order, id)
	}
	ids := make([]string, 0, len(shards))
	for id := range shards {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		visit(id)
	}
	return order
}
