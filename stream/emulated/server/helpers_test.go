package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdkkinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
	"github.com/kinesim/kinesim/stream/kinesis"
)

// serve starts a server for emu on a loopback port (httptest binds
// 127.0.0.1) and returns its base URL; it stops when the test ends.
func serve(t testing.TB, emu *emulated.Emulator, opts ...server.Option) (*server.Server, string) {
	t.Helper()
	srv := server.New(emu, opts...)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

// newDriver is stream/kinesis's driver (the aws-sdk-go-v2 client kinesim
// uses for real endpoints) pointed at endpoint.
func newDriver(t testing.TB, endpoint string) *kinesis.Target {
	t.Helper()
	tg, err := kinesis.New(t.Context(),
		kinesis.WithEndpoint(endpoint),
		kinesis.WithRegion("us-east-1"),
		kinesis.WithStaticCredentials("AKIDEXAMPLE", "secret", ""),
		kinesis.WithWaitTimeout(30*time.Second),
	)
	require.NoError(t, err, "kinesis.New(endpoint %s)", endpoint)
	return tg
}

// jumpClock is a virtual clock whose Sleep moves time on at once, so the
// conformance suite's minute-long waits (iterator expiry) cost nothing.
type jumpClock struct {
	mu  sync.Mutex
	now time.Time
}

func newJumpClock() *jumpClock { return &jumpClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)} }

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *jumpClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// rawSDK is a plain aws-sdk-go-v2 Kinesis client for endpoint, as a user's
// consumer would make one, with the SDK's standard retryer.
func rawSDK(endpoint string) *sdkkinesis.Client {
	return sdkkinesis.New(sdkkinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:   hideBodyWriteTo{awshttp.NewBuildableClient()},
	})
}

// hideBodyWriteTo hides request bodies' WriteTo from net/http, as
// stream/kinesis does (see its httpclient.go): without it, smithy-go's body
// wrapper fails calls to a server that answers as fast as this one does.
type hideBodyWriteTo struct{ next *awshttp.BuildableClient }

func (c hideBodyWriteTo) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return c.next.Do(req)
}
