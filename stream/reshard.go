package stream

import "context"

// UpdateShardCountInput scales a provisioned stream uniformly
// (UNIFORM_SCALING) to TargetShardCount open shards. Kinesis allows at most
// double or half the current count per call and 10 calls per rolling 24 h.
type UpdateShardCountInput struct {
	StreamName       string
	TargetShardCount int
}

// SplitShardInput splits one open shard in two: hash keys at or above
// NewStartingHashKey (a decimal 128-bit integer strictly inside the shard's
// range) go to one child, the keys below it to the other.
type SplitShardInput struct {
	StreamName         string
	ShardToSplit       string
	NewStartingHashKey string
}

// MergeShardsInput merges two open shards whose hash key ranges are adjacent.
type MergeShardsInput struct {
	StreamName           string
	ShardToMerge         string
	AdjacentShardToMerge string
}

// Resharder changes a stream's shards. It is optional: check for it with a
// type assertion (target.(stream.Resharder)); a target that has it may still
// answer a call it cannot serve with ErrInvalidArgument or an *APIError.
//
// Each call blocks until the change is done, that is until the parents are
// closed and the children open (the stream is ACTIVE again on Kinesis), or
// until ctx ends. Writes and reads go on meanwhile.
type Resharder interface {
	UpdateShardCount(ctx context.Context, in *UpdateShardCountInput) error
	SplitShard(ctx context.Context, in *SplitShardInput) error
	MergeShards(ctx context.Context, in *MergeShardsInput) error
}
