package server_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkkinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// TestSDKConsumerFollowsReshards is a consumer written with aws-sdk-go-v2
// alone, as a user would write one: it reads a stream that was split and
// then merged, finishing each parent before its children (found through
// GetRecords' ChildShards), and must see every record once, in per-key order.
func TestSDKConsumerFollowsReshards(t *testing.T) {
	_, endpoint := serve(t, emulated.New())
	client := rawSDK(endpoint)
	ctx := t.Context()
	name := aws.String("reshard-consumer")
	_, err := client.CreateStream(ctx, &sdkkinesis.CreateStreamInput{StreamName: name, ShardCount: aws.Int32(1)})
	require.NoError(t, err, "CreateStream")

	const keys, perPhase = 8, 20
	next := map[string]int{} // key → next value to write
	put := func() {
		var entries []types.PutRecordsRequestEntry
		for range perPhase {
			for k := range keys {
				key := fmt.Sprintf("key-%d", k)
				entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(key), Data: []byte(strconv.Itoa(next[key]))})
				next[key]++
			}
		}
		out, err := client.PutRecords(ctx, &sdkkinesis.PutRecordsInput{StreamName: name, Records: entries})
		require.NoError(t, err, "PutRecords")
		require.Zero(t, aws.ToInt32(out.FailedRecordCount), "failed records")
	}

	put() // into shard 0
	shards, err := client.ListShards(ctx, &sdkkinesis.ListShardsInput{StreamName: name})
	require.NoError(t, err)
	r, ok := hashkey.ParseRange(aws.ToString(shards.Shards[0].HashKeyRange.StartingHashKey), aws.ToString(shards.Shards[0].HashKeyRange.EndingHashKey))
	require.True(t, ok, "shard 0's hash key range %+v", shards.Shards[0].HashKeyRange)
	mid := r.Mid().String()
	_, err = client.SplitShard(ctx, &sdkkinesis.SplitShardInput{StreamName: name, ShardToSplit: shards.Shards[0].ShardId, NewStartingHashKey: aws.String(mid)})
	require.NoError(t, err, "SplitShard")
	put() // into shards 1 and 2
	_, err = client.MergeShards(ctx, &sdkkinesis.MergeShardsInput{StreamName: name,
		ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000002")})
	require.NoError(t, err, "MergeShards")
	put() // into shard 3

	got, order := consumeAll(t, client, name)
	assert.Equal(t, []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}, order,
		"shards finished in parent-before-child order")
	for k := range keys {
		key := fmt.Sprintf("key-%d", k)
		want := make([]string, 3*perPhase)
		for i := range want {
			want[i] = strconv.Itoa(i)
		}
		assert.Equal(t, want, got[key], "%s: every record once, in the order written", key)
	}
}

// consumeAll reads every shard of a stream from TRIM_HORIZON, starting with
// the shards without parents and moving to a child only once all its
// parents are read to their end. It returns each key's data in the order
// read and the shards in the order they were finished.
func consumeAll(t *testing.T, client *sdkkinesis.Client, name *string) (map[string][]string, []string) {
	t.Helper()
	ctx := t.Context()
	listed, err := client.ListShards(ctx, &sdkkinesis.ListShardsInput{StreamName: name})
	require.NoError(t, err, "ListShards")
	var ready []string
	for _, sh := range listed.Shards {
		if sh.ParentShardId == nil {
			ready = append(ready, aws.ToString(sh.ShardId))
		}
	}
	got := map[string][]string{}
	var finished []string
	for len(ready) > 0 {
		shard := ready[0]
		ready = ready[1:]
		it, err := client.GetShardIterator(ctx, &sdkkinesis.GetShardIteratorInput{StreamName: name, ShardId: &shard, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		require.NoError(t, err, "GetShardIterator %s", shard)
		iter := it.ShardIterator
		var children []types.ChildShard
		for calls := 0; iter != nil; calls++ {
			require.Less(t, calls, 100, "%s: never reached the end of a closed shard", shard)
			out, err := client.GetRecords(ctx, &sdkkinesis.GetRecordsInput{ShardIterator: iter})
			require.NoError(t, err, "GetRecords %s", shard)
			for _, r := range out.Records {
				key := aws.ToString(r.PartitionKey)
				got[key] = append(got[key], string(r.Data))
			}
			children = out.ChildShards
			iter = out.NextShardIterator
			if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
				break // an open shard, caught up: this consumer is done with it
			}
		}
		finished = append(finished, shard)
		// A merged child is named by both parents; it is ready once the
		// last of them is finished.
		for _, c := range children {
			id := aws.ToString(c.ShardId)
			done := true
			for _, p := range c.ParentShards {
				done = done && slices.Contains(finished, p)
			}
			if done && !slices.Contains(ready, id) && !slices.Contains(finished, id) {
				ready = append(ready, id)
			}
		}
	}
	return got, finished
}
