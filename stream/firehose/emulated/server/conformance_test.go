package server_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

func s3Config(bucket string) *types.ExtendedS3DestinationConfiguration {
	return &types.ExtendedS3DestinationConfiguration{
		BucketARN: aws.String(delivery.BucketARN(bucket)),
		RoleARN:   aws.String("arn:aws:iam::111111111111:role/firehose"),
	}
}

func batchOf(n, size int) []types.Record {
	rs := make([]types.Record, n)
	for i := range rs {
		rs[i].Data = make([]byte, size)
	}
	return rs
}

// TestConformance checks each operation's failures through the AWS SDK:
// HTTP status, __type and message as the Firehose API reference and model
// give them (codes and statuses; messages where AWS's are known, see
// docs/firehose.md).
func TestConformance(t *testing.T) {
	ctx := context.Background()
	emu := emulated.New(t.TempDir(), emulated.WithQuota(delivery.Quota{RecordsPerSecond: 1, RequestsPerSecond: 1000, BytesPerSecond: 1 << 20}))
	c := sdk(serve(t, emu))
	_, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("logs"), ExtendedS3DestinationConfiguration: s3Config("bucket")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = emu.Drain(context.Background()) })

	cases := []struct {
		name    string
		call    func() error
		status  int
		code    string
		message string
	}{
		{"PutRecordBatch: 501 records", func() error {
			_, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("logs"), Records: batchOf(501, 1)})
			return err
		}, 400, "ValidationException", "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"},
		{"PutRecordBatch: a record over 1,000 KiB", func() error {
			_, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("logs"), Records: batchOf(1, 1_024_001)})
			return err
		}, 400, "ValidationException", "1 validation error detected: Value at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000"},
		{"PutRecordBatch: over 4 MiB", func() error {
			_, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("logs"), Records: batchOf(5, 1_000_000)})
			return err
		}, 400, "InvalidArgumentException", "Records size exceeds 4 MB limit"},
		{"PutRecordBatch: no such stream", func() error {
			_, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("nope"), Records: batchOf(1, 1)})
			return err
		}, 400, "ResourceNotFoundException", "Firehose stream nope under account 111111111111 not found."},
		{"PutRecordBatch: a bad stream name", func() error {
			_, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("a b"), Records: batchOf(1, 1)})
			return err
		}, 400, "ValidationException", "1 validation error detected: Value 'a b' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"PutRecord: a record over 1,000 KiB", func() error {
			_, err := c.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("logs"), Record: &types.Record{Data: make([]byte, 1_024_001)}})
			return err
		}, 400, "ValidationException", "1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000"},
		{"PutRecord: over the records quota", func() error {
			for range 2 { // the quota's one-second burst is 1 record
				if _, err := c.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("logs"), Record: &types.Record{Data: []byte("x")}}); err != nil {
					return err
				}
			}
			return nil
		}, 503, "ServiceUnavailableException", "Slow down."},
		{"CreateDeliveryStream: the name is taken", func() error {
			_, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("logs"), ExtendedS3DestinationConfiguration: s3Config("bucket")})
			return err
		}, 400, "ResourceInUseException", "Firehose stream logs under account 111111111111 already exists."},
		{"CreateDeliveryStream: SizeInMBs 129", func() error {
			cfg := s3Config("bucket")
			cfg.BufferingHints = &types.BufferingHints{SizeInMBs: aws.Int32(129), IntervalInSeconds: aws.Int32(901)}
			_, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("big"), ExtendedS3DestinationConfiguration: cfg})
			return err
		}, 400, "ValidationException", "2 validation errors detected: " +
			"Value '129' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128; " +
			"Value '901' at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"CreateDeliveryStream: a Kinesis stream as source", func() error {
			_, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("fromkinesis"), DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource, ExtendedS3DestinationConfiguration: s3Config("bucket")})
			return err
		}, 400, "InvalidArgumentException", "DeliveryStreamType KinesisStreamAsSource is not emulated: kinesim serves DirectPut streams only"},
		{"CreateDeliveryStream: no destination", func() error {
			_, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("nowhere")})
			return err
		}, 400, "InvalidArgumentException", "kinesim emulates an ExtendedS3DestinationConfiguration (or S3DestinationConfiguration) destination only"},
		{"DescribeDeliveryStream: no such stream", func() error {
			_, err := c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("nope")})
			return err
		}, 400, "ResourceNotFoundException", "Firehose stream nope under account 111111111111 not found."},
		{"DeleteDeliveryStream: no such stream", func() error {
			_, err := c.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("nope")})
			return err
		}, 400, "ResourceNotFoundException", "Firehose stream nope under account 111111111111 not found."},
		{"ListDeliveryStreams: Limit 0", func() error {
			_, err := c.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{Limit: aws.Int32(0)})
			return err
		}, 400, "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.Error(t, err)
			var re *awshttp.ResponseError
			require.True(t, errors.As(err, &re), "%v carries an HTTP response", err)
			assert.Equal(t, tc.status, re.HTTPStatusCode(), "status")
			var api smithy.APIError
			require.True(t, errors.As(err, &api), "%v is an API error", err)
			assert.Equal(t, tc.code, api.ErrorCode(), "__type")
			assert.Equal(t, tc.message, api.ErrorMessage(), "message")
		})
	}
}

// TestThrottledRecordsPerEntry: over the records quota, PutRecordBatch
// answers 200 with FailedPutCount and, per record, ErrorCode
// ServiceUnavailableException and ErrorMessage "Slow down.".
func TestThrottledRecordsPerEntry(t *testing.T) {
	ctx := context.Background()
	emu := emulated.New(t.TempDir(), emulated.WithQuota(delivery.Quota{RecordsPerSecond: 50, RequestsPerSecond: 1000, BytesPerSecond: 1 << 20}))
	c := sdk(serve(t, emu))
	_, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("logs"), ExtendedS3DestinationConfiguration: s3Config("bucket")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = emu.Drain(context.Background()) })
	out, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("logs"), Records: batchOf(80, 10)})
	require.NoError(t, err)
	assert.Equal(t, int32(30), aws.ToInt32(out.FailedPutCount), "50 fit the one-second burst")
	require.Len(t, out.RequestResponses, 80)
	for i, r := range out.RequestResponses {
		if i < 50 {
			assert.NotEmpty(t, aws.ToString(r.RecordId), "record %d accepted", i)
			assert.Nil(t, r.ErrorCode)
			continue
		}
		assert.Nil(t, r.RecordId, "record %d", i)
		assert.Equal(t, "ServiceUnavailableException", aws.ToString(r.ErrorCode), "record %d", i)
		assert.Equal(t, "Slow down.", aws.ToString(r.ErrorMessage), "record %d", i)
	}
	assert.False(t, aws.ToBool(out.Encrypted))
}
