package emulated_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/hashkey"
)

func listShards(t *testing.T, em *emulated.Emulator) map[string]stream.Shard {
	t.Helper()
	shards, err := em.ListShards(context.Background(), testStream)
	require.NoError(t, err)
	byID := map[string]stream.Shard{}
	for _, sh := range shards {
		byID[sh.ShardID] = sh
	}
	return byID
}

func openRanges(t *testing.T, em *emulated.Emulator) []stream.HashKeyRange {
	t.Helper()
	shards, err := em.ListShards(context.Background(), testStream)
	require.NoError(t, err)
	var open []stream.HashKeyRange
	for _, sh := range shards {
		if sh.Open() {
			open = append(open, sh.HashKeyRange)
		}
	}
	slicesSortRanges(open)
	return open
}

func slicesSortRanges(rs []stream.HashKeyRange) {
	slices.SortFunc(rs, func(a, b stream.HashKeyRange) int {
		x, _ := hashkey.Parse(a.StartingHashKey)
		y, _ := hashkey.Parse(b.StartingHashKey)
		return x.Compare(y)
	})
}

// evenRanges is CreateStream's split of the key space (hashkey checks
// the formula against math/big).
func evenRanges(n int) []stream.HashKeyRange {
	var out []stream.HashKeyRange
	for _, r := range hashkey.EvenRanges(n) {
		out = append(out, stream.HashKeyRange{StartingHashKey: r.Start.String(), EndingHashKey: r.End.String()})
	}
	return out
}

const (
	half          = "170141183460469231731687303715884105728" // 2^127
	quarter       = "85070591730234615865843651857942052864"  // 2^126
	quarterMinus1 = "85070591730234615865843651857942052863"
	halfMinus1    = "170141183460469231731687303715884105727"
)

func TestSplitShard(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	em := newStream(t, 2, emulated.WithClock(clk))
	before := put(t, em, stream.Record{PartitionKey: "a", Data: []byte("before")}) // shard 0
	require.Equal(t, shard0, before.Records[0].ShardID)

	require.NoError(t, em.SplitShard(ctx, &stream.SplitShardInput{StreamName: testStream, ShardToSplit: shard0, NewStartingHashKey: quarter}))

	shards := listShards(t, em)
	require.Len(t, shards, 4)
	parent := shards[shard0]
	assert.False(t, parent.Open(), "the parent is closed")
	assert.NotEmpty(t, parent.SequenceNumberRange.EndingSequenceNumber)
	assert.Equal(t, stream.Shard{
		ShardID:       "shardId-000000000002",
		ParentShardID: shard0,
		HashKeyRange:  stream.HashKeyRange{StartingHashKey: "0", EndingHashKey: quarterMinus1},
		SequenceNumberRange: stream.SequenceNumberRange{
			StartingSequenceNumber: shards["shardId-000000000002"].SequenceNumberRange.StartingSequenceNumber,
		},
	}, shards["shardId-000000000002"], "the lower child")
	assert.Equal(t, stream.HashKeyRange{StartingHashKey: quarter, EndingHashKey: halfMinus1}, shards["shardId-000000000003"].HashKeyRange, "the upper child")
	assert.Equal(t, shard0, shards["shardId-000000000003"].ParentShardID)

	// "a" (16955237001963240173058271559858726497) is below 2^126: the lower child.
	after := put(t, em, stream.Record{PartitionKey: "a", Data: []byte("after")})
	assert.Equal(t, "shardId-000000000002", after.Records[0].ShardID)

	// The parent reads to its end, then names its children.
	it := iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})
	out := getRecords(t, em, clk, it, 0)
	assert.Equal(t, []string{"a"}, []string{out.Records[0].PartitionKey})
	assert.Len(t, out.Records, 1)
	assert.Empty(t, out.NextShardIterator, "a closed shard read to its end has no next iterator")
	assert.Equal(t, []stream.ChildShard{
		{ShardID: "shardId-000000000002", ParentShards: []string{shard0}, HashKeyRange: shards["shardId-000000000002"].HashKeyRange},
		{ShardID: "shardId-000000000003", ParentShards: []string{shard0}, HashKeyRange: shards["shardId-000000000003"].HashKeyRange},
	}, out.ChildShards)
	assert.Less(t, parent.SequenceNumberRange.EndingSequenceNumber, after.Records[0].SequenceNumber, "children's records come after the parent's end")

	tests := []struct {
		name string
		in   stream.SplitShardInput
		want error
	}{
		{"a closed shard", stream.SplitShardInput{StreamName: testStream, ShardToSplit: shard0, NewStartingHashKey: "1"}, stream.ErrInvalidArgument},
		{"an unknown shard", stream.SplitShardInput{StreamName: testStream, ShardToSplit: "shardId-000000000099", NewStartingHashKey: "1"}, stream.ErrNotFound},
		{"an unknown stream", stream.SplitShardInput{StreamName: "nope", ShardToSplit: shard0, NewStartingHashKey: "1"}, stream.ErrNotFound},
		{"the shard's own start", stream.SplitShardInput{StreamName: testStream, ShardToSplit: "shardId-000000000001", NewStartingHashKey: half}, stream.ErrInvalidArgument},
		{"past the shard's end", stream.SplitShardInput{StreamName: testStream, ShardToSplit: "shardId-000000000002", NewStartingHashKey: quarter}, stream.ErrInvalidArgument},
		{"not a number", stream.SplitShardInput{StreamName: testStream, ShardToSplit: "shardId-000000000002", NewStartingHashKey: "x"}, stream.ErrInvalidArgument},
	}
	for _, tt := range tests {
		assert.ErrorIs(t, em.SplitShard(ctx, &tt.in), tt.want, tt.name)
	}
	// The shard's last key is a valid split point: the upper child holds one key.
	require.NoError(t, em.SplitShard(ctx, &stream.SplitShardInput{StreamName: testStream, ShardToSplit: "shardId-000000000002", NewStartingHashKey: quarterMinus1}))
}

func TestMergeShards(t *testing.T) {
	ctx := context.Background()
	em := newStream(t, 3)
	shard1, shard2 := "shardId-000000000001", "shardId-000000000002"
	require.ErrorIs(t, em.MergeShards(ctx, &stream.MergeShardsInput{StreamName: testStream, ShardToMerge: shard0, AdjacentShardToMerge: shard2}),
		stream.ErrInvalidArgument, "shards 0 and 2 are not adjacent")
	// Merging names the parents as given, in either order of ranges.
	require.NoError(t, em.MergeShards(ctx, &stream.MergeShardsInput{StreamName: testStream, ShardToMerge: shard1, AdjacentShardToMerge: shard0}))

	shards := listShards(t, em)
	child := shards["shardId-000000000003"]
	assert.Equal(t, shard1, child.ParentShardID)
	assert.Equal(t, shard0, child.AdjacentParentShardID)
	assert.Equal(t, stream.HashKeyRange{StartingHashKey: "0", EndingHashKey: "226854911280625642308916404954512140969"}, child.HashKeyRange)
	assert.False(t, shards[shard0].Open())
	assert.False(t, shards[shard1].Open())

	it := iteratorFor(t, em, stream.GetShardIteratorInput{ShardID: shard1, Type: stream.TrimHorizon})
	out, err := em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
	require.NoError(t, err)
	assert.Empty(t, out.NextShardIterator)
	assert.Equal(t, []stream.ChildShard{{ShardID: "shardId-000000000003", ParentShards: []string{shard1, shard0}, HashKeyRange: child.HashKeyRange}}, out.ChildShards)

	assert.ErrorIs(t, em.MergeShards(ctx, &stream.MergeShardsInput{StreamName: testStream, ShardToMerge: shard0, AdjacentShardToMerge: shard2}),
		stream.ErrInvalidArgument, "a closed shard cannot merge")
}

func TestUpdateShardCount(t *testing.T) {
	tests := []struct {
		from, to int
		want     error // nil: the open shards end even
	}{
		{2, 4, nil},                       // doubling splits every shard
		{4, 2, nil},                       // halving merges pairs
		{3, 4, nil},                       // not a multiple: temporary shards in between
		{4, 3, nil},                       // scaling down to a non-divisor
		{5, 3, nil},                       // a target spanning three parents
		{1, 2, nil},                       // one shard doubles
		{2, 5, stream.ErrInvalidArgument}, // more than double
		{5, 2, stream.ErrInvalidArgument}, // less than half
		{3, 3, stream.ErrInvalidArgument}, // no change
		{3, 0, stream.ErrInvalidArgument}, // no shards
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d to %d", tt.from, tt.to), func(t *testing.T) {
			ctx := context.Background()
			em := newStream(t, tt.from)
			err := em.UpdateShardCount(ctx, &stream.UpdateShardCountInput{StreamName: testStream, TargetShardCount: tt.to})
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, evenRanges(tt.to), openRanges(t, em), "the open shards split the key space evenly")
			shards := listShards(t, em)
			for id, sh := range shards {
				for _, parent := range []string{sh.ParentShardID, sh.AdjacentParentShardID} {
					if parent != "" {
						require.Contains(t, shards, parent, "%s's parent", id)
						assert.False(t, shards[parent].Open(), "%s's parent %s is closed", id, parent)
					}
				}
				if !sh.Open() {
					assert.NotEmpty(t, sh.SequenceNumberRange.EndingSequenceNumber, id)
				}
			}
		})
	}

	t.Run("ten calls per rolling 24 hours", func(t *testing.T) {
		ctx := context.Background()
		clk := newFakeClock()
		em := newStream(t, 1, emulated.WithClock(clk))
		for i := range 10 {
			to := 2 - i%2 // 1 → 2 → 1 → ...
			require.NoError(t, em.UpdateShardCount(ctx, &stream.UpdateShardCountInput{StreamName: testStream, TargetShardCount: to}), "call %d", i+1)
			clk.Advance(time.Hour)
		}
		err := em.UpdateShardCount(ctx, &stream.UpdateShardCountInput{StreamName: testStream, TargetShardCount: 2})
		require.ErrorIs(t, err, stream.ErrLimitExceeded, "the 11th call within 24 hours")
		clk.Advance(14*time.Hour + time.Second) // the first call is now 24 h old
		require.NoError(t, em.UpdateShardCount(ctx, &stream.UpdateShardCountInput{StreamName: testStream, TargetShardCount: 2}))
	})
}

func TestReshardKeepsStreamUpdatingForTheDelay(t *testing.T) {
	ctx := context.Background()
	clk := newManualClock()
	em := newStream(t, 2, emulated.WithClock(clk), emulated.WithReshardDelay(time.Minute))
	done := make(chan error)
	go func() {
		done <- em.SplitShard(ctx, &stream.SplitShardInput{StreamName: testStream, ShardToSplit: shard0, NewStartingHashKey: quarter})
	}()
	// While UPDATING another reshard is refused, writes go on and the shards
	// are unchanged. The probe is a split at a shard's own start, which
	// changes nothing: InvalidArgument until the stream is UPDATING, then
	// ResourceInUse.
	require.Eventually(t, func() bool {
		err := em.SplitShard(ctx, &stream.SplitShardInput{StreamName: testStream, ShardToSplit: "shardId-000000000001", NewStartingHashKey: half})
		return errors.Is(err, stream.ErrInUse)
	}, 5*time.Second, time.Millisecond)
	out := put(t, em, stream.Record{PartitionKey: "a"})
	assert.Equal(t, shard0, out.Records[0].ShardID)
	assert.Len(t, listShards(t, em), 2)
	sum, err := em.DescribeStreamSummary(ctx, testStream)
	require.NoError(t, err)
	assert.Equal(t, stream.StatusUpdating, sum.Status, "the status during the reshard delay")
	assert.Equal(t, 2, sum.OpenShardCount, "open shards during the reshard delay")

	clk.Advance(time.Minute)
	require.NoError(t, <-done)
	assert.Len(t, listShards(t, em), 4)
	sum, err = em.DescribeStreamSummary(ctx, testStream)
	require.NoError(t, err)
	assert.Equal(t, stream.StatusActive, sum.Status, "the status once the reshard is done")
	assert.Equal(t, 3, sum.OpenShardCount, "open shards after splitting one of two")
}

// TestWritesDuringReshardKeepPerKeyOrder writes from several goroutines while
// the stream scales up and down, then reads every shard parents first and
// checks that each key's records arrive complete and in the order written.
func TestWritesDuringReshardKeepPerKeyOrder(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	em := newStream(t, 2, emulated.WithClock(clk))
	const writers, batches, perBatch = 4, 60, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				recs := make([]stream.Record, perBatch)
				for i := range recs {
					recs[i] = stream.Record{PartitionKey: fmt.Sprintf("w%d-k%d", w, i%5), Data: fmt.Appendf(nil, "%06d", b*perBatch+i)}
				}
				for len(recs) > 0 { // retry throttled records, in order
					out, err := em.PutRecords(ctx, &stream.PutRecordsInput{StreamName: testStream, Records: recs})
					if !assert.NoError(t, err) {
						return
					}
					var retry []stream.Record
					for i, r := range out.Records {
						if r.Failed() {
							retry = append(retry, recs[i])
						}
					}
					recs = retry
					clk.Advance(10 * time.Millisecond)
				}
			}
		})
	}
	for _, n := range []int{4, 3, 5, 4, 2} {
		require.NoError(t, em.UpdateShardCount(ctx, &stream.UpdateShardCountInput{StreamName: testStream, TargetShardCount: n}))
	}
	wg.Wait()

	// Read in shard id order: parents have smaller ids than their children.
	shards, err := em.ListShards(ctx, testStream)
	require.NoError(t, err)
	lastByKey := map[string]string{}
	total := 0
	for _, sh := range shards {
		it := iteratorFor(t, em, stream.GetShardIteratorInput{ShardID: sh.ShardID, Type: stream.TrimHorizon})
		for it != "" {
			clk.Advance(time.Second)
			out, err := em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
			require.NoError(t, err)
			for _, r := range out.Records {
				total++
				// Data only matter per writer and key, and a key's records are
				// written in increasing order.
				assert.Less(t, lastByKey[r.PartitionKey], string(r.Data), "key %s out of order in %s", r.PartitionKey, sh.ShardID)
				if !sh.Open() {
					// Emulator sequence numbers are fixed width: strings compare as numbers.
					assert.LessOrEqual(t, r.SequenceNumber, sh.SequenceNumberRange.EndingSequenceNumber, "%s: a record after the ending sequence number", sh.ShardID)
				}
				lastByKey[r.PartitionKey] = string(r.Data)
			}
			if len(out.Records) == 0 && out.NextShardIterator != "" {
				break // an open shard read to its end
			}
			it = out.NextShardIterator
		}
	}
	assert.Equal(t, writers*batches*perBatch, total, "every record is read once")
}
