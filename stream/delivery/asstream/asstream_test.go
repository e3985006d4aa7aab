package asstream_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/delivery/asstream"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

// TestPutRecordsIsPutRecordBatch: records over the stream's quota come
// back as throttles a producer retries, Firehose's code kept in the message.
func TestPutRecordsIsPutRecordBatch(t *testing.T) {
	emu := emulated.New(t.TempDir(), emulated.WithQuota(delivery.Quota{RecordsPerSecond: 3, RequestsPerSecond: 100, BytesPerSecond: 1 << 20}))
	target := asstream.New(emu, delivery.Config{BucketARN: delivery.BucketARN("b")})
	ctx := context.Background()
	require.NoError(t, target.CreateStream(ctx, &stream.CreateStreamInput{StreamName: "s", Tags: map[string]string{stream.TagRunID: "run-1"}}))
	desc, err := emu.DescribeDeliveryStream(ctx, "s")
	require.NoError(t, err)
	assert.Equal(t, "run-1", desc.Tags[stream.TagRunID], "the run id tag is set")
	records := make([]stream.Record, 5)
	for i := range records {
		records[i] = stream.Record{PartitionKey: "ignored", Data: []byte("x")}
	}
	out, err := target.PutRecords(ctx, &stream.PutRecordsInput{StreamName: "s", Records: records})
	require.NoError(t, err)
	require.Len(t, out.Records, 5)
	assert.Equal(t, 2, out.FailedRecordCount, "a burst of 3 admitted, 2 over the quota")
	for _, r := range out.Records[:3] {
		assert.False(t, r.Failed())
		assert.Len(t, r.SequenceNumber, 32, "the RecordId stands for the sequence number")
	}
	for _, r := range out.Records[3:] {
		assert.Equal(t, stream.CodeThrottled, r.ErrorCode)
		assert.Equal(t, "ServiceUnavailableException: Slow down.", r.ErrorMessage)
	}
	shards, err := target.ListShards(ctx, "s")
	require.NoError(t, err)
	assert.Empty(t, shards, "a delivery stream has no shards")
}

func TestErrors(t *testing.T) {
	emu := emulated.New(t.TempDir())
	target := asstream.New(emu, delivery.Config{})
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		want error
		code string
	}{
		{
			// A stream that does not exist.
			"not found",
			func() error { _, err := target.ListShards(ctx, "nope"); return err },
			stream.ErrNotFound, stream.CodeNotFound,
		},
		{
			// PutRecord on a missing stream.
			"put record",
			func() error {
				_, err := target.PutRecord(ctx, &stream.PutRecordInput{StreamName: "nope", Record: stream.Record{Data: []byte("x")}})
				return err
			},
			stream.ErrNotFound, stream.CodeNotFound,
		},
		{
			// A record over 1,000 KiB breaks the API model's constraint.
			"too large",
			func() error {
				require.NoError(t, target.CreateStream(ctx, &stream.CreateStreamInput{StreamName: "big"}))
				_, err := target.PutRecords(ctx, &stream.PutRecordsInput{StreamName: "big", Records: []stream.Record{{Data: make([]byte, delivery.MaxRecordBytes+1)}}})
				return err
			},
			stream.ErrInvalidArgument, stream.CodeInvalidArgument,
		},
		{
			// Reading is not a delivery stream's.
			"read",
			func() error {
				_, err := target.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: "x"})
				return err
			},
			stream.ErrInvalidArgument, stream.CodeInvalidArgument,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			var api *stream.APIError
			require.True(t, errors.As(err, &api))
			assert.Equal(t, tt.code, api.Code)
		})
	}
}
