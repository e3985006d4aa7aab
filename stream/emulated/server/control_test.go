package server_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkkinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/emulated"
)

// TestControlPlaneThroughSDK drives the control plane with a plain
// aws-sdk-go-v2 client: what one call changes, the next one reports.
func TestControlPlaneThroughSDK(t *testing.T) {
	_, endpoint := serve(t, emulated.New())
	client := rawSDK(endpoint)
	ctx := t.Context()
	for _, name := range []string{"a", "b", "c"} {
		_, err := client.CreateStream(ctx, &sdkkinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(3),
			Tags: map[string]string{"team": "bikes"}})
		require.NoError(t, err, "CreateStream %s", name)
	}

	page, err := client.ListStreams(ctx, &sdkkinesis.ListStreamsInput{Limit: aws.Int32(2)})
	require.NoError(t, err, "ListStreams")
	assert.Equal(t, []string{"a", "b"}, page.StreamNames, "first page")
	require.True(t, aws.ToBool(page.HasMoreStreams), "HasMoreStreams")
	page, err = client.ListStreams(ctx, &sdkkinesis.ListStreamsInput{NextToken: page.NextToken})
	require.NoError(t, err, "ListStreams with NextToken")
	assert.Equal(t, []string{"c"}, page.StreamNames, "second page")

	var ids []string
	for in := (&sdkkinesis.ListShardsInput{StreamName: aws.String("a"), MaxResults: aws.Int32(2)}); ; {
		out, err := client.ListShards(ctx, in)
		require.NoError(t, err, "ListShards")
		for _, sh := range out.Shards {
			ids = append(ids, aws.ToString(sh.ShardId))
		}
		if out.NextToken == nil {
			break
		}
		in = &sdkkinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(2)}
	}
	assert.Equal(t, []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002"}, ids, "ListShards pages")

	_, err = client.AddTagsToStream(ctx, &sdkkinesis.AddTagsToStreamInput{StreamName: aws.String("a"), Tags: map[string]string{"env": "test"}})
	require.NoError(t, err, "AddTagsToStream")
	tags, err := client.ListTagsForStream(ctx, &sdkkinesis.ListTagsForStreamInput{StreamName: aws.String("a")})
	require.NoError(t, err, "ListTagsForStream")
	assert.Equal(t, []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}, {Key: aws.String("team"), Value: aws.String("bikes")}}, tags.Tags)

	_, err = client.IncreaseStreamRetentionPeriod(ctx, &sdkkinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("a"), RetentionPeriodHours: aws.Int32(48)})
	require.NoError(t, err, "IncreaseStreamRetentionPeriod")
	scaled, err := client.UpdateShardCount(ctx, &sdkkinesis.UpdateShardCountInput{StreamName: aws.String("a"), TargetShardCount: aws.Int32(6), ScalingType: types.ScalingTypeUniformScaling})
	require.NoError(t, err, "UpdateShardCount")
	assert.Equal(t, int32(3), aws.ToInt32(scaled.CurrentShardCount), "CurrentShardCount")

	sum, err := client.DescribeStreamSummary(ctx, &sdkkinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:111111111111:stream/a")})
	require.NoError(t, err, "DescribeStreamSummary by ARN")
	d := sum.StreamDescriptionSummary
	assert.Equal(t, types.StreamStatusActive, d.StreamStatus, "status")
	assert.Equal(t, int32(48), aws.ToInt32(d.RetentionPeriodHours), "retention")
	assert.Equal(t, int32(6), aws.ToInt32(d.OpenShardCount), "open shards after scaling")
	assert.WithinDuration(t, time.Now(), aws.ToTime(d.StreamCreationTimestamp), time.Minute, "creation time")

	desc, err := client.DescribeStream(ctx, &sdkkinesis.DescribeStreamInput{StreamName: aws.String("a"), Limit: aws.Int32(4)})
	require.NoError(t, err, "DescribeStream")
	assert.Len(t, desc.StreamDescription.Shards, 4, "a page of shards")
	assert.True(t, aws.ToBool(desc.StreamDescription.HasMoreShards), "HasMoreShards")

	_, err = client.DeleteStream(ctx, &sdkkinesis.DeleteStreamInput{StreamName: aws.String("a")})
	require.NoError(t, err, "DeleteStream")
	var notFound *types.ResourceNotFoundException
	_, err = client.DescribeStreamSummary(ctx, &sdkkinesis.DescribeStreamSummaryInput{StreamName: aws.String("a")})
	assert.ErrorAs(t, err, &notFound, "a deleted stream is not found")
}
