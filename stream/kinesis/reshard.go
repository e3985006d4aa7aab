package kinesis

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesim/kinesim/stream"
)

// UpdateShardCount scales a provisioned stream uniformly to
// in.TargetShardCount shards and blocks until it is ACTIVE again, bounded by
// WithWaitTimeout. kinesalite does not implement it (the error matches
// stream.ErrInvalidArgument or names an unknown operation).
func (t *Target) UpdateShardCount(ctx context.Context, in *stream.UpdateShardCountInput) error {
	ref, err := parseStreamRef(in.StreamName)
	if err != nil {
		return err
	}
	_, err = t.client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{
		StreamName:       ref.name,
		StreamARN:        ref.arn,
		TargetShardCount: aws.Int32(int32(in.TargetShardCount)),
		ScalingType:      types.ScalingTypeUniformScaling,
	})
	if err != nil {
		return mapError("UpdateShardCount "+*ref.name, err)
	}
	_, err = t.waitActive(ctx, ref, "UpdateShardCount")
	return err
}

// SplitShard splits one shard in two and blocks until the stream is ACTIVE
// again, bounded by WithWaitTimeout.
func (t *Target) SplitShard(ctx context.Context, in *stream.SplitShardInput) error {
	ref, err := parseStreamRef(in.StreamName)
	if err != nil {
		return err
	}
	_, err = t.client.SplitShard(ctx, &kinesis.SplitShardInput{
		StreamName:         ref.name,
		StreamARN:          ref.arn,
		ShardToSplit:       aws.String(in.ShardToSplit),
		NewStartingHashKey: aws.String(in.NewStartingHashKey),
	})
	if err != nil {
		return mapError("SplitShard "+*ref.name+" "+in.ShardToSplit, err)
	}
	_, err = t.waitActive(ctx, ref, "SplitShard")
	return err
}

// MergeShards merges two adjacent shards and blocks until the stream is
// ACTIVE again, bounded by WithWaitTimeout.
func (t *Target) MergeShards(ctx context.Context, in *stream.MergeShardsInput) error {
	ref, err := parseStreamRef(in.StreamName)
	if err != nil {
		return err
	}
	_, err = t.client.MergeShards(ctx, &kinesis.MergeShardsInput{
		StreamName:           ref.name,
		StreamARN:            ref.arn,
		ShardToMerge:         aws.String(in.ShardToMerge),
		AdjacentShardToMerge: aws.String(in.AdjacentShardToMerge),
	})
	if err != nil {
		return mapError("MergeShards "+*ref.name+" "+in.ShardToMerge+"+"+in.AdjacentShardToMerge, err)
	}
	_, err = t.waitActive(ctx, ref, "MergeShards")
	return err
}
