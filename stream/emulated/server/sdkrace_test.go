package server_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdkkinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/emulated"
)

// BenchmarkPlainSDKPutRecords drives this server with a plain
// aws-sdk-go-v2 client as a user's load tester makes one: the SDK's own
// HTTP client (no work-around), retries off, 4 callers. It reports
// closed_conn_per_1k, the calls per thousand that failed with "use of
// closed network connection" although the server answered 200 (the
// client race of aws-sdk-go-v2 issues #1825 and #2737; see
// docs/emulate.md). Run it with many calls:
//
//	go test -run '^$' -bench PlainSDKPutRecords -benchtime 5000x ./stream/emulated/server/
func BenchmarkPlainSDKPutRecords(b *testing.B) {
	_, endpoint := serve(b, emulated.New(emulated.WithWriteBurst(time.Hour)))
	client := sdkkinesis.New(sdkkinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:       awshttp.NewBuildableClient(),
		RetryMaxAttempts: 1,
	})
	ctx := b.Context()
	_, err := client.CreateStream(ctx, &sdkkinesis.CreateStreamInput{StreamName: aws.String("race"), ShardCount: aws.Int32(64)})
	require.NoError(b, err)
	entries := make([]types.PutRecordsRequestEntry, 500)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("bike-%04d", i)), Data: make([]byte, 100)}
	}
	in := &sdkkinesis.PutRecordsInput{StreamName: aws.String("race"), Records: entries}
	var closedConn, otherErrs atomic.Int64
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if _, err := client.PutRecords(ctx, in); err != nil {
					if strings.Contains(err.Error(), "use of closed network connection") {
						closedConn.Add(1)
					} else {
						otherErrs.Add(1)
					}
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(closedConn.Load())*1000/float64(b.N), "closed_conn_per_1k")
	b.ReportMetric(float64(otherErrs.Load()), "other_errors")
}
