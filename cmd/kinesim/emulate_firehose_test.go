package main

import (
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdkfirehose "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	sdkkinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmulateRoutesKinesisAndFirehoseOnOnePort points both AWS SDK
// clients, as a user's producers make them, at the one endpoint `kinesim
// emulate` serves: each API's calls reach its own emulator (a Kinesis
// stream is not a delivery stream, nor the other way round).
func TestEmulateRoutesKinesisAndFirehoseOnOnePort(t *testing.T) {
	endpoint, interrupt := startEmulate(t, "--create-delay", "0", "--firehose-dir", t.TempDir())
	ctx := t.Context()
	creds := credentials.NewStaticCredentialsProvider("any", "thing", "")
	httpClient := hideRequestBodyWriteTo{awshttp.NewBuildableClient()}
	kin := sdkkinesis.New(sdkkinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: creds, HTTPClient: httpClient, Retryer: aws.NopRetryer{}})
	fh := sdkfirehose.New(sdkfirehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: creds, HTTPClient: httpClient, Retryer: aws.NopRetryer{}})

	_, err := kin.CreateStream(ctx, &sdkkinesis.CreateStreamInput{StreamName: aws.String("clicks"), ShardCount: aws.Int32(1)})
	require.NoError(t, err, "Kinesis CreateStream")
	put, err := kin.PutRecord(ctx, &sdkkinesis.PutRecordInput{StreamName: aws.String("clicks"), PartitionKey: aws.String("k"), Data: []byte("click")})
	require.NoError(t, err, "Kinesis PutRecord")
	assert.Equal(t, "shardId-000000000000", aws.ToString(put.ShardId))

	_, err = fh.CreateDeliveryStream(ctx, &sdkfirehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("weblogs"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::weblogs"),
			RoleARN:   aws.String("arn:aws:iam::111111111111:role/firehose"),
		},
	})
	require.NoError(t, err, "Firehose CreateDeliveryStream")
	batch, err := fh.PutRecordBatch(ctx, &sdkfirehose.PutRecordBatchInput{DeliveryStreamName: aws.String("weblogs"),
		Records: []fhtypes.Record{{Data: []byte("GET /a\n")}, {Data: []byte("GET /b\n")}}})
	require.NoError(t, err, "Firehose PutRecordBatch")
	assert.Zero(t, aws.ToInt32(batch.FailedPutCount), "FailedPutCount")
	assert.Len(t, batch.RequestResponses, 2)

	streams, err := kin.ListStreams(ctx, &sdkkinesis.ListStreamsInput{})
	require.NoError(t, err, "Kinesis ListStreams")
	assert.Equal(t, []string{"clicks"}, streams.StreamNames, "the Kinesis API holds only the Kinesis stream")
	deliveries, err := fh.ListDeliveryStreams(ctx, &sdkfirehose.ListDeliveryStreamsInput{})
	require.NoError(t, err, "Firehose ListDeliveryStreams")
	assert.Equal(t, []string{"weblogs"}, deliveries.DeliveryStreamNames, "the Firehose API holds only the delivery stream")
	_, err = fh.PutRecordBatch(ctx, &sdkfirehose.PutRecordBatchInput{DeliveryStreamName: aws.String("clicks"),
		Records: []fhtypes.Record{{Data: []byte("x")}}})
	var notFound *fhtypes.ResourceNotFoundException
	assert.ErrorAs(t, err, &notFound, "a Kinesis stream's name is not a delivery stream")

	assert.Contains(t, interrupt(), "kinesim emulate: stopped")
}

// hideRequestBodyWriteTo hides request bodies' WriteTo from net/http, as
// stream/kinesis does (see its httpclient.go): without it, smithy-go's body
// wrapper fails calls to a server that answers as fast as the emulator.
type hideRequestBodyWriteTo struct{ next *awshttp.BuildableClient }

func (c hideRequestBodyWriteTo) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return c.next.Do(req)
}
