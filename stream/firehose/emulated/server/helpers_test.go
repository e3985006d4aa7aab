package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"

	"github.com/kinesim/kinesim/stream/firehose/emulated"
	"github.com/kinesim/kinesim/stream/firehose/emulated/server"
)

// serve starts a server for emu on a loopback port (httptest binds
// 127.0.0.1) and returns its URL; it stops when the test ends.
func serve(t testing.TB, emu *emulated.Emulator, opts ...server.Option) string {
	t.Helper()
	hs := httptest.NewServer(server.New(emu, opts...))
	t.Cleanup(hs.Close)
	return hs.URL
}

// sdk is a plain aws-sdk-go-v2 Firehose client for endpoint, as a user's
// producer would make one, without retries so each answer is seen.
func sdk(endpoint string) *firehose.Client {
	return firehose.New(firehose.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:   hideBodyWriteTo{awshttp.NewBuildableClient()},
		Retryer:      aws.NopRetryer{},
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
