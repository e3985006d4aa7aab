package emulated_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

func TestDescribeStreamSummary(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	em := emulated.New(emulated.WithClock(clk))
	require.NoError(t, em.CreateStream(ctx, &stream.CreateStreamInput{StreamName: "prov", ShardCount: 3}))
	require.NoError(t, em.CreateStream(ctx, &stream.CreateStreamInput{StreamName: "od", Mode: stream.ModeOnDemand}))
	require.NoError(t, em.SetRetentionPeriod(ctx, "prov", 48*time.Hour))
	_, err := em.RegisterStreamConsumer(ctx, "prov", "c1")
	require.NoError(t, err)
	require.NoError(t, em.MergeShards(ctx, &stream.MergeShardsInput{StreamName: "prov", ShardToMerge: shard0, AdjacentShardToMerge: "shardId-000000000001"}))
	tests := []struct {
		name string
		want stream.StreamSummary
	}{
		// Merged: 2 open shards of 4; retention and consumer as set.
		{"prov", stream.StreamSummary{Name: "prov", Status: stream.StatusActive, Mode: stream.ModeProvisioned, OpenShardCount: 2, Retention: 48 * time.Hour, ConsumerCount: 1, Created: clk.Now()}},
		// On-demand streams start with 4 shards and the default retention.
		{"od", stream.StreamSummary{Name: "od", Status: stream.StatusActive, Mode: stream.ModeOnDemand, OpenShardCount: 4, Retention: stream.DefaultRetention, Created: clk.Now()}},
	}
	for _, tt := range tests {
		got, err := em.DescribeStreamSummary(ctx, tt.name)
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, *got, tt.name)
	}
	_, err = em.DescribeStreamSummary(ctx, "nope")
	assert.ErrorIs(t, err, stream.ErrNotFound, "an unknown stream")
}
