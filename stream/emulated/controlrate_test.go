package emulated_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// TestControlPlaneLimits checks the limits AWS documents for resharding
// calls (API reference, SplitShard, MergeShards and UpdateShardCount), each
// with the error code AWS answers. Each row gets an emulator whose clock
// moves only when the row advances it, holding streams s0, s1, ... of
// `shards` shards each.
func TestControlPlaneLimits(t *testing.T) {
	ctx := context.Background()
	split := func(em *emulated.Emulator, name string) error {
		return em.SplitShard(ctx, &stream.SplitShardInput{StreamName: name, ShardToSplit: shard0, NewStartingHashKey: quarter})
	}
	merge := func(em *emulated.Emulator, name string) error {
		return em.MergeShards(ctx, &stream.MergeShardsInput{StreamName: name, ShardToMerge: shard0, AdjacentShardToMerge: "shardId-000000000001"})
	}
	scale := func(em *emulated.Emulator, name string, to int) error {
		return em.UpdateShardCount(ctx, &stream.UpdateShardCountInput{StreamName: name, TargetShardCount: to})
	}
	// each makes call on streams s0..s(n-1), requiring every call to succeed.
	each := func(t *testing.T, em *emulated.Emulator, n int, call func(name string) error) {
		for i := range n {
			require.NoError(t, call(fmt.Sprintf("s%d", i)), "call on s%d", i)
		}
	}
	tests := []struct {
		name    string
		streams int
		shards  int
		delay   time.Duration // the emulator's reshard delay
		// before uses up a limit, or starts a reshard that the delay keeps
		// UPDATING.
		before   func(t *testing.T, em *emulated.Emulator, clk *fakeClock)
		call     func(em *emulated.Emulator) error
		wantCode string // "" for success
	}{
		{
			// SplitShard: five calls a second per account, the sixth refused.
			name: "sixth SplitShard in a second", streams: 6, shards: 2,
			before: func(t *testing.T, em *emulated.Emulator, _ *fakeClock) {
				each(t, em, 5, func(n string) error { return split(em, n) })
			},
			call:     func(em *emulated.Emulator) error { return split(em, "s5") },
			wantCode: stream.CodeLimitExceeded,
		},
		{
			// The bucket refills at five a second: 200 ms later one more call fits.
			name: "SplitShard 200 ms after five", streams: 6, shards: 2,
			before: func(t *testing.T, em *emulated.Emulator, clk *fakeClock) {
				each(t, em, 5, func(n string) error { return split(em, n) })
				clk.Advance(200 * time.Millisecond)
			},
			call: func(em *emulated.Emulator) error { return split(em, "s5") },
		},
		{
			// The limit is per account: five splits on one stream (no delay
			// here) use it up for every stream.
			name: "sixth SplitShard on another stream", streams: 2, shards: 1,
			before: func(t *testing.T, em *emulated.Emulator, _ *fakeClock) {
				for i := range 5 {
					// Split i splits the upper child of split i-1 (shard 2i) at
					// 2^128 - 2^(127-i) (the top i+1 bits set), inside it.
					key := hashkey.Key{Hi: ^uint64(0) << (63 - i)}
					in := &stream.SplitShardInput{StreamName: "s0", ShardToSplit: stream.ShardID(2 * i), NewStartingHashKey: key.String()}
					require.NoError(t, em.SplitShard(ctx, in), "split %d", i)
				}
			},
			call:     func(em *emulated.Emulator) error { return split(em, "s1") },
			wantCode: stream.CodeLimitExceeded,
		},
		{
			// MergeShards: five calls a second per account, the sixth refused.
			name: "sixth MergeShards in a second", streams: 6, shards: 2,
			before: func(t *testing.T, em *emulated.Emulator, _ *fakeClock) {
				each(t, em, 5, func(n string) error { return merge(em, n) })
			},
			call:     func(em *emulated.Emulator) error { return merge(em, "s5") },
			wantCode: stream.CodeLimitExceeded,
		},
		{
			// Each API has its own limit: five splits leave merges free.
			name: "MergeShards after five SplitShard", streams: 6, shards: 2,
			before: func(t *testing.T, em *emulated.Emulator, _ *fakeClock) {
				each(t, em, 5, func(n string) error { return split(em, n) })
			},
			call: func(em *emulated.Emulator) error { return merge(em, "s5") },
		},
		{
			// Refused calls take no token: ten invalid splits, then a valid one.
			name: "SplitShard after ten refused", streams: 1, shards: 2,
			before: func(t *testing.T, em *emulated.Emulator, _ *fakeClock) {
				for range 10 {
					err := em.SplitShard(ctx, &stream.SplitShardInput{StreamName: "s0", ShardToSplit: shard0, NewStartingHashKey: "0"})
					require.ErrorIs(t, err, stream.ErrInvalidArgument, "a split at the shard's own start")
				}
			},
			call: func(em *emulated.Emulator) error { return split(em, "s0") },
		},
		{
			// UpdateShardCount: more than 10 TPS → LimitExceededException.
			name: "eleventh UpdateShardCount in a second", streams: 11, shards: 1,
			before: func(t *testing.T, em *emulated.Emulator, _ *fakeClock) {
				each(t, em, 10, func(n string) error { return scale(em, n, 2) })
			},
			call:     func(em *emulated.Emulator) error { return scale(em, "s10", 2) },
			wantCode: stream.CodeLimitExceeded,
		},
		{
			// UpdateShardCount: ten per rolling 24 hours per stream, the
			// eleventh refused even an hour apart.
			name: "eleventh UpdateShardCount in 24 hours", streams: 1, shards: 1,
			before: func(t *testing.T, em *emulated.Emulator, clk *fakeClock) {
				for i := range 10 {
					require.NoError(t, scale(em, "s0", 2-i%2), "call %d", i+1) // 1 → 2 → 1 ...
					clk.Advance(time.Hour)
				}
			},
			call:     func(em *emulated.Emulator) error { return scale(em, "s0", 2) },
			wantCode: stream.CodeLimitExceeded,
		},
		{
			// UpdateShardCount: at most double the open shards.
			name: "UpdateShardCount past double", streams: 1, shards: 2,
			call:     func(em *emulated.Emulator) error { return scale(em, "s0", 5) },
			wantCode: stream.CodeInvalidArgument,
		},
		{
			// UpdateShardCount: exactly double is allowed.
			name: "UpdateShardCount to double", streams: 1, shards: 2,
			call: func(em *emulated.Emulator) error { return scale(em, "s0", 4) },
		},
		{
			// UpdateShardCount: at least half the open shards (3 → 1 is below 1.5).
			name: "UpdateShardCount below half", streams: 1, shards: 3,
			call:     func(em *emulated.Emulator) error { return scale(em, "s0", 1) },
			wantCode: stream.CodeInvalidArgument,
		},
		{
			// UpdateShardCount: exactly half is allowed.
			name: "UpdateShardCount to half", streams: 1, shards: 4,
			call: func(em *emulated.Emulator) error { return scale(em, "s0", 2) },
		},
		{
			// A reshard while the stream is UPDATING → ResourceInUseException
			// (API reference, MergeShards: "If a stream is in the CREATING,
			// UPDATING, or DELETING state, MergeShards returns a
			// ResourceInUseException").
			name: "SplitShard while UPDATING", streams: 1, shards: 2, delay: time.Minute,
			before:   startUpdating,
			call:     func(em *emulated.Emulator) error { return split(em, "s0") },
			wantCode: stream.CodeInUse,
		},
		{
			// MergeShards while UPDATING → ResourceInUseException.
			name: "MergeShards while UPDATING", streams: 1, shards: 2, delay: time.Minute,
			before:   startUpdating,
			call:     func(em *emulated.Emulator) error { return merge(em, "s0") },
			wantCode: stream.CodeInUse,
		},
		{
			// UpdateShardCount while UPDATING → ResourceInUseException.
			name: "UpdateShardCount while UPDATING", streams: 1, shards: 2, delay: time.Minute,
			before:   startUpdating,
			call:     func(em *emulated.Emulator) error { return scale(em, "s0", 3) },
			wantCode: stream.CodeInUse,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newManualClock()
			em := emulated.New(emulated.WithClock(clk), emulated.WithReshardDelay(tt.delay))
			for i := range tt.streams {
				require.NoError(t, em.CreateStream(ctx, &stream.CreateStreamInput{StreamName: fmt.Sprintf("s%d", i), ShardCount: tt.shards}))
			}
			if tt.before != nil {
				tt.before(t, em, clk)
			}
			err := tt.call(em)
			if tt.wantCode == "" {
				assert.NoError(t, err)
				return
			}
			var api *stream.APIError
			require.ErrorAs(t, err, &api, "got %v, want %s", err, tt.wantCode)
			assert.Equal(t, tt.wantCode, api.Code, "error code; message %q", api.Message)
		})
	}
}

// startUpdating starts UpdateShardCount s0 → 4 shards and returns once the
// stream is UPDATING; the reshard finishes when the test ends.
func startUpdating(t *testing.T, em *emulated.Emulator, clk *fakeClock) {
	done := make(chan error, 1)
	go func() {
		done <- em.UpdateShardCount(context.Background(), &stream.UpdateShardCountInput{StreamName: "s0", TargetShardCount: 4})
	}()
	require.Eventually(t, func() bool {
		sum, err := em.DescribeStreamSummary(context.Background(), "s0")
		return err == nil && sum.Status == stream.StatusUpdating
	}, 5*time.Second, time.Millisecond, "s0 never became UPDATING")
	t.Cleanup(func() {
		clk.Advance(time.Hour)
		assert.NoError(t, <-done, "the UpdateShardCount that made s0 UPDATING")
	})
}
