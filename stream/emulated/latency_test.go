package emulated

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream"
)

func TestLatencySample(t *testing.T) {
	lat := Latency{Median: 20 * time.Millisecond, P99: 80 * time.Millisecond}
	tests := []struct {
		lat  Latency
		z    float64
		want time.Duration
	}{
		{lat, 0, 20 * time.Millisecond},                // the median at z = 0
		{lat, z99, 80 * time.Millisecond},              // the 99th percentile at z = 2.326
		{lat, -z99, 5 * time.Millisecond},              // log-normal: as far below in ratio
		{Latency{Median: time.Second}, 3, time.Second}, // no P99: constant
		{Latency{}, 1, 0},                              // no model
	}
	for _, tt := range tests {
		assert.InDelta(t, float64(tt.want), float64(tt.lat.sample(tt.z)), float64(time.Microsecond), "%+v at z=%v", tt.lat, tt.z)
	}
}

func TestServiceLatencyRunsOnTheClock(t *testing.T) {
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	clk := clock.NewVirtual(start)
	em := New(WithClock(clk), WithServiceLatency(OpPutRecords, Latency{Median: 30 * time.Millisecond}))
	ctx := context.Background()
	require.NoError(t, em.CreateStream(ctx, &stream.CreateStreamInput{StreamName: "s", ShardCount: 1}))
	in := &stream.PutRecordsInput{StreamName: "s", Records: []stream.Record{{PartitionKey: "k"}}}
	clk.Run(func() {
		_, err := em.PutRecords(ctx, in)
		require.NoError(t, err)
		assert.Equal(t, 30*time.Millisecond, clk.Now().Sub(start), "the call took the modelled latency of virtual time")

		// A caller that gives up first gets its context's error, but the
		// record was written: the ack is what was lost.
		timeout, cancel := context.WithCancel(ctx)
		clock.AfterFunc(clk, 10*time.Millisecond, clock.CancelFunc(clk, cancel))
		_, err = em.PutRecords(timeout, in)
		assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	})
	shards, err := em.ListShards(ctx, "s")
	require.NoError(t, err)
	it, err := em.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: "s", ShardID: shards[0].ShardID, Type: stream.TrimHorizon})
	require.NoError(t, err)
	out, err := em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
	require.NoError(t, err)
	assert.Len(t, out.Records, 2, "both writes are in the stream")
}
