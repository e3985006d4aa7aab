package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
)

// TestShardLimit: the account's shard quota holds across streams and is
// checked by SplitShard and UpdateShardCount too; DescribeLimits reports it.
func TestShardLimit(t *testing.T) {
	srv := server.New(emulated.New(), server.WithShardLimit(3), server.WithRegion("eu-north-1"))
	require.NoError(t, srv.CreateStream(t.Context(), &stream.CreateStreamInput{StreamName: fixtureStream, ShardCount: 2}))
	limitText := func(current, more int) string {
		return fmt.Sprintf("This request would exceed the shard limit for the account 111111111111 in eu-north-1. Current shard count for the account: %d. Limit: 3. "+
			"Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page "+
			"(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.", current, more)
	}
	steps := []struct {
		name, op, body string
		status         int
		msg            string
	}{
		{"a second stream over the quota", "CreateStream", `{"StreamName":"b","ShardCount":2}`, 400, limitText(2, 2)},
		{"a split up to the quota", "SplitShard", `{"StreamName":"fixture","ShardToSplit":"shardId-0","NewStartingHashKey":"85070591730234615865843651857942052864"}`, 200, ""},
		{"a split past it", "SplitShard", `{"StreamName":"fixture","ShardToSplit":"shardId-1","NewStartingHashKey":"255211775190703847597530955573826158592"}`, 400, limitText(3, 1)},
		{"a closed parent is not counted but cannot be split", "SplitShard", `{"StreamName":"fixture","ShardToSplit":"shardId-0","NewStartingHashKey":"1"}`, 400, ""},
		{"scaling past it", "UpdateShardCount", `{"StreamName":"fixture","TargetShardCount":4,"ScalingType":"UNIFORM_SCALING"}`, 400, limitText(3, 1)},
		{"scaling down is always allowed", "UpdateShardCount", `{"StreamName":"fixture","TargetShardCount":2,"ScalingType":"UNIFORM_SCALING"}`, 200, ""},
	}
	for _, step := range steps {
		status, body := call(t, srv, "POST", "Kinesis_20131202."+step.op, jsonType, step.body)
		require.Equal(t, step.status, status, "%s: %v", step.name, body)
		if step.msg != "" {
			assert.Equal(t, "LimitExceededException", body["__type"], step.name)
			assert.Equal(t, step.msg, body["message"], step.name)
		}
	}
	status, body := call(t, srv, "POST", "Kinesis_20131202.DescribeLimits", jsonType, `{}`)
	require.Equal(t, http.StatusOK, status, "DescribeLimits: %v", body)
	assert.Equal(t, map[string]any{"ShardLimit": 3.0, "OpenShardCount": 2.0, "OnDemandStreamCount": 0.0, "OnDemandStreamCountLimit": 50.0}, body)
}

// TestDefaultShardLimit is Kinesis's default quota: 20,000 shards in its
// three largest regions, 1,000 elsewhere.
func TestDefaultShardLimit(t *testing.T) {
	for region, want := range map[string]int{"us-east-1": 20000, "us-west-2": 20000, "eu-west-1": 20000, "ap-south-1": 1000, "eu-central-1": 1000} {
		assert.Equal(t, want, server.DefaultShardLimit(region), region)
	}
}

// TestTagsPerStream: a stream holds at most 50 tags, whatever the calls;
// the 51st is refused in Kinesis's words (which say 10).
func TestTagsPerStream(t *testing.T) {
	srv := server.New(emulated.New())
	require.NoError(t, srv.CreateStream(t.Context(), &stream.CreateStreamInput{StreamName: fixtureStream, ShardCount: 1}))
	for call5 := range 5 {
		tags := make([]string, 10)
		for j := range tags {
			tags[j] = fmt.Sprintf(`"k%d":"v"`, call5*10+j)
		}
		status, body := call(t, srv, "POST", "Kinesis_20131202.AddTagsToStream", jsonType, `{"StreamName":"fixture","Tags":{`+strings.Join(tags, ",")+`}}`)
		require.Equal(t, http.StatusOK, status, "tags %d to %d: %v", call5*10, call5*10+9, body)
	}
	status, body := call(t, srv, "POST", "Kinesis_20131202.AddTagsToStream", jsonType, `{"StreamName":"fixture","Tags":{"k0":"again"}}`)
	require.Equal(t, http.StatusOK, status, "replacing a tag's value adds none: %v", body)
	status, body = call(t, srv, "POST", "Kinesis_20131202.AddTagsToStream", jsonType, `{"StreamName":"fixture","Tags":{"k50":"v"}}`)
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "InvalidArgumentException", body["__type"])
	assert.Equal(t, "Failed to add tags to stream fixture under account 111111111111 because a given stream cannot have more than 10 tags associated with it.", body["message"])
}
