package server_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

// TestRoundTrip drives a stream's whole life through the SDK: create with
// GZIP, newline delimiters, hints and tags; describe; list; put; read the
// delivered object back from the folder; delete.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	emu := emulated.New(root)
	c := sdk(serve(t, emu))
	cfg := s3Config("bucket")
	cfg.CompressionFormat = types.CompressionFormatGzip
	cfg.Prefix = aws.String("logs/")
	cfg.BufferingHints = &types.BufferingHints{SizeInMBs: aws.Int32(64), IntervalInSeconds: aws.Int32(60)}
	cfg.ProcessingConfiguration = &types.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []types.Processor{{
		Type:       types.ProcessorTypeAppendDelimiterToRecord,
		Parameters: []types.ProcessorParameter{{ParameterName: types.ProcessorParameterNameDelimiter, ParameterValue: aws.String(`\n`)}},
	}}}
	created, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 aws.String("web-logs"),
		DeliveryStreamType:                 types.DeliveryStreamTypeDirectPut,
		ExtendedS3DestinationConfiguration: cfg,
		Tags:                               []types.Tag{{Key: aws.String("kinesim:run"), Value: aws.String("r1")}},
	})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:firehose:us-east-1:111111111111:deliverystream/web-logs", aws.ToString(created.DeliveryStreamARN))

	d, err := c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("web-logs")})
	require.NoError(t, err)
	desc := d.DeliveryStreamDescription
	assert.Equal(t, types.DeliveryStreamStatusActive, desc.DeliveryStreamStatus)
	assert.Equal(t, types.DeliveryStreamTypeDirectPut, desc.DeliveryStreamType)
	assert.Equal(t, "1", aws.ToString(desc.VersionId))
	assert.False(t, aws.ToTime(desc.CreateTimestamp).IsZero())
	require.Len(t, desc.Destinations, 1)
	s3 := desc.Destinations[0].ExtendedS3DestinationDescription
	require.NotNil(t, s3)
	assert.Equal(t, "arn:aws:s3:::bucket", aws.ToString(s3.BucketARN))
	assert.Equal(t, int32(64), aws.ToInt32(s3.BufferingHints.SizeInMBs))
	assert.Equal(t, int32(60), aws.ToInt32(s3.BufferingHints.IntervalInSeconds))
	assert.Equal(t, types.CompressionFormatGzip, s3.CompressionFormat)

	tags, err := c.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("web-logs")})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)
	assert.Equal(t, "r1", aws.ToString(tags.Tags[0].Value))

	list, err := c.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{})
	require.NoError(t, err)
	assert.Equal(t, []string{"web-logs"}, list.DeliveryStreamNames)

	var batch []types.Record
	for i := range 499 {
		batch = append(batch, types.Record{Data: fmt.Appendf(nil, `{"id":%d}`, i)})
	}
	out, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("web-logs"), Records: batch})
	require.NoError(t, err)
	assert.Zero(t, aws.ToInt32(out.FailedPutCount))
	one, err := c.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("web-logs"), Record: &types.Record{Data: []byte(`{"id":499}`)}})
	require.NoError(t, err)
	assert.NotEmpty(t, aws.ToString(one.RecordId))

	require.NoError(t, emu.Flush(ctx, "web-logs"))
	lines := readObjects(t, filepath.Join(root, "bucket", "logs"))
	require.Len(t, lines, 500)
	for i, l := range lines {
		assert.Equal(t, fmt.Sprintf(`{"id":%d}`, i), l)
	}

	_, err = c.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("web-logs")})
	require.NoError(t, err)
	list, err = c.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{})
	require.NoError(t, err)
	assert.Empty(t, list.DeliveryStreamNames)
}

// readObjects reads the gzip objects under dir, in name order, as lines.
func readObjects(t *testing.T, dir string) []string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		require.True(t, strings.HasSuffix(path, ".gz"), "%s is a .gz object", path)
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		zr, err := gzip.NewReader(f)
		require.NoError(t, err)
		body, err := io.ReadAll(zr)
		require.NoError(t, err)
		lines = append(lines, strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")...)
		return nil
	})
	require.NoError(t, err)
	return lines
}

// TestProtocolErrors: what the server answers before an operation runs.
func TestProtocolErrors(t *testing.T) {
	endpoint := serve(t, emulated.New(t.TempDir()))
	cases := []struct {
		name, method, target, body string
		status                     int
		code                       string
	}{
		// An operation the server does not have.
		{"unknown operation", http.MethodPost, "Firehose_20150804.UpdateDestination", "{}", 400, "UnknownOperationException"},
		// Kinesis's target prefix is not Firehose's.
		{"another service", http.MethodPost, "Kinesis_20131202.PutRecords", "{}", 400, "UnknownOperationException"},
		// The API takes POST only.
		{"GET", http.MethodGet, "Firehose_20150804.ListDeliveryStreams", "", 400, "UnknownOperationException"},
		// A body that is not JSON.
		{"bad JSON", http.MethodPost, "Firehose_20150804.ListDeliveryStreams", "{", 400, "SerializationException"},
		// A required member missing.
		{"no stream name", http.MethodPost, "Firehose_20150804.DescribeDeliveryStream", "{}", 400, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, endpoint+"/", strings.NewReader(tc.body))
			require.NoError(t, err)
			req.Header.Set("X-Amz-Target", tc.target)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, "application/x-amz-json-1.1", resp.Header.Get("Content-Type"))
			assert.NotEmpty(t, resp.Header.Get("x-amzn-RequestId"))
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			assert.Equal(t, tc.code, body.Type)
			assert.NotEmpty(t, body.Message)
		})
	}
}
