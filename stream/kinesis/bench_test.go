package kinesis_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdkkinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// The PutRecords benchmarks measure records/s through the driver next to a
// plain SDK loop against the same kind of server, one call in flight, 500 records of
// 100 bytes per call, on a fresh 4-shard stream (kinesis-mock slows down as
// its shards fill). The driver should be limited by the server:
//
//	go test -run '^$' -bench PutRecords -benchtime 40x ./stream/kinesis/
//	go test -run '^$' -bench 'PutRecords/kinesis-mock' -benchtime 5x ./stream/kinesis/

const benchBatch = stream.MaxRecordsPerPutRecords

func benchRecords() []stream.Record {
	recs := make([]stream.Record, benchBatch)
	for i := range recs {
		recs[i] = stream.Record{PartitionKey: fmt.Sprintf("bike-%04d", i), Data: payload(i)}
	}
	return recs
}

func BenchmarkPutRecords(b *testing.B) {
	for _, kind := range kinesistest.Kinds {
		// Each variant gets a server of its own: kinesis-mock slows down
		// with the data it holds, so sharing one would favour the first.
		b.Run(string(kind), func(b *testing.B) {
			b.Run("driver", func(b *testing.B) {
				srv := kinesistest.Start(b, kind)
				tg := newTarget(b, srv.Endpoint)
				benchDriver(b, tg, createStream(b.Context(), b, tg, 4))
			})
			b.Run("sdk", func(b *testing.B) {
				srv := kinesistest.Start(b, kind)
				tg := newTarget(b, srv.Endpoint) // only to create and delete the stream
				benchPlainSDK(b, srv.Endpoint, createStream(b.Context(), b, tg, 4), false)
			})
		})
	}
}

// BenchmarkPutRecordsClientCeiling measures what the driver and the SDK cost
// per call, against a loopback server that answers every PutRecords with a
// canned success: the most records/s one in-flight call can reach here.
func BenchmarkPutRecordsClientCeiling(b *testing.B) {
	var resp strings.Builder
	resp.WriteString(`{"FailedRecordCount":0,"Records":[`)
	for i := range benchBatch {
		if i > 0 {
			resp.WriteByte(',')
		}
		fmt.Fprintf(&resp, `{"SequenceNumber":"4968057132285767091306248221315%025d","ShardId":"shardId-000000000000"}`, i)
	}
	resp.WriteString(`]}`)
	body := resp.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, body)
	}))
	b.Cleanup(srv.Close)
	b.Run("driver", func(b *testing.B) { benchDriver(b, newTarget(b, srv.URL), "s") })
	// The plain SDK needs the driver's work-around here (httpclient.go):
	// without it, calls to a server this fast fail within a few iterations.
	b.Run("sdk", func(b *testing.B) { benchPlainSDK(b, srv.URL, "s", true) })
}

func benchDriver(b *testing.B, tg *kinesis.Target, name string) {
	in := &stream.PutRecordsInput{StreamName: name, Records: benchRecords()}
	ctx := b.Context()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		out, err := tg.PutRecords(ctx, in)
		require.NoError(b, err)
		require.Zero(b, out.FailedRecordCount)
	}
	reportRecordsPerSecond(b, time.Since(start))
}

// benchPlainSDK is the baseline: the SDK client as anyone would write it,
// with the same retry setting (none) and no driver around it.
func benchPlainSDK(b *testing.B, endpoint, name string, hideWriteTo bool) {
	opts := sdkkinesis.Options{
		Region:       kinesistest.Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(kinesistest.AccessKeyID, kinesistest.SecretAccessKey, ""),
		Retryer:      aws.NopRetryer{},
	}
	if hideWriteTo {
		opts.HTTPClient = hideBodyWriteTo{awshttp.NewBuildableClient()}
	}
	client := sdkkinesis.New(opts)
	entries := make([]types.PutRecordsRequestEntry, benchBatch)
	for i, r := range benchRecords() {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(r.PartitionKey), Data: r.Data}
	}
	in := &sdkkinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries}
	ctx := context.Background()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		out, err := client.PutRecords(ctx, in)
		require.NoError(b, err)
		require.Zero(b, aws.ToInt32(out.FailedRecordCount))
	}
	reportRecordsPerSecond(b, time.Since(start))
}

// hideBodyWriteTo is the driver's bodyWithoutWriteTo, for the plain SDK.
type hideBodyWriteTo struct{ next *awshttp.BuildableClient }

func (c hideBodyWriteTo) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return c.next.Do(req)
}

func reportRecordsPerSecond(b *testing.B, elapsed time.Duration) {
	b.ReportMetric(float64(b.N*benchBatch)/elapsed.Seconds(), "records/s")
}
