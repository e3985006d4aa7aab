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
// WithWaitTimeout. kinesalite does not implement it and answers
// UnknownOperationException.
func (t *Target) UpdateShardCount(ctx context.Context, in *stream.UpdateShardCountInput) error {
	return t.reshard(ctx, in.StreamName, "UpdateShardCount", func(ref streamRef) error {
		_, err := t.client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{
			StreamName:       ref.name,
			StreamARN:        ref.arn,
			TargetShardCount: aws.Int32(int32(in.TargetShardCount)),
			ScalingType:      types.ScalingTypeUniformScaling,
		})
		return err
	})
}

// SplitShard splits one shard in two and blocks until the stream is ACTIVE
// again, bounded by WithWaitTimeout.
func (t *Target) SplitShard(ctx context.Context, in *stream.SplitShardInput) error {
	return t.reshard(ctx, in.StreamName, "SplitShard "+in.ShardToSplit, func(ref streamRef) error {
		_, err := t.client.SplitShard(ctx, &kinesis.SplitShardInput{
			StreamName:         ref.name,
			StreamARN:          ref.arn,
			ShardToSplit:       aws.String(in.ShardToSplit),
			NewStartingHashKey: aws.String(in.NewStartingHashKey),
		})
		return err
	})
}

// MergeShards merges two adjacent shards and blocks until the stream is
// ACTIVE again, bounded by WithWaitTimeout.
func (t *Target) MergeShards(ctx context.Context, in *stream.MergeShardsInput) error {
	return t.reshard(ctx, in.StreamName, "MergeShards "+in.ShardToMerge+"+"+in.AdjacentShardToMerge, func(ref streamRef) error {
		_, err := t.client.MergeShards(ctx, &kinesis.MergeShardsInput{
			StreamName:           ref.name,
			StreamARN:            ref.arn,
			ShardToMerge:         aws.String(in.ShardToMerge),
			AdjacentShardToMerge: aws.String(in.AdjacentShardToMerge),
		})
		return err
	})
}

// reshard makes one resharding call and waits for the stream to be ACTIVE
// again: Kinesis reshards asynchronously, the stream UPDATING meanwhile.
func (t *Target) reshard(ctx context.Context, nameOrARN, op string, call func(streamRef) error) error {
	ref, err := parseStreamRef(nameOrARN)
	if err != nil {
		return err
	}
	if err := call(ref); err != nil {
		return mapError(op+" "+*ref.name, err)
	}
	_, err = t.waitActive(ctx, ref, op)
	return err
}
