package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdkkinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis"
)

// startEmulate starts `kinesim emulate --addr 127.0.0.1:0 ARGS` as a user
// would and returns the endpoint it serves and a function that stops it
// with Ctrl-C and returns what it printed after its first line.
func startEmulate(t *testing.T, args ...string) (endpoint string, interrupt func() string) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"emulate", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	// The process writes stderr while the test reads it for messages.
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "a first line; stderr: %s", stderr.String())
	m := regexp.MustCompile(`serving the Kinesis API at (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(lines.Text())
	require.NotNil(t, m, "the first line names the endpoint: %q", lines.Text())
	var rest bytes.Buffer
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for lines.Scan() {
			rest.WriteString(lines.Text() + "\n")
		}
	}()
	return m[1], func() string {
		t.Helper()
		require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			require.NoError(t, err, "exit status after Ctrl-C; stderr: %s", stderr.String())
		case <-time.After(20 * time.Second):
			t.Fatal("kinesim emulate did not stop within 20s of Ctrl-C")
		}
		<-drained
		return rest.String()
	}
}

// TestEmulateServesUntilInterrupted starts `kinesim emulate` as a user
// would, writes and lists through the AWS SDK driver, and stops it with
// Ctrl-C.
func TestEmulateServesUntilInterrupted(t *testing.T) {
	endpoint, interrupt := startEmulate(t, "--stream", "bikes", "--shards", "2")
	tg, err := kinesis.New(t.Context(), kinesis.WithEndpoint(endpoint), kinesis.WithRegion("us-east-1"),
		kinesis.WithStaticCredentials("any", "thing", ""))
	require.NoError(t, err)
	shards, err := tg.ListShards(t.Context(), "bikes")
	require.NoError(t, err, "ListShards of the stream created at start")
	assert.Len(t, shards, 2, "--shards 2")
	out, err := tg.PutRecords(t.Context(), &stream.PutRecordsInput{StreamName: "bikes", Records: []stream.Record{{PartitionKey: "bike-1", Data: []byte("x")}}})
	require.NoError(t, err, "PutRecords")
	assert.Zero(t, out.FailedRecordCount, "FailedRecordCount")
	assert.Contains(t, interrupt(), "kinesim emulate: stopped")
}

// TestEmulateServesHTTP2Cleartext is a client that speaks HTTP/2 only,
// without TLS, as the Java SDK v2 (KCL 2.x) does for SubscribeToShard: it
// writes with PutRecords and reads the record back through an enhanced
// fan-out subscription, both over h2c.
func TestEmulateServesHTTP2Cleartext(t *testing.T) {
	endpoint, interrupt := startEmulate(t, "--stream", "bikes", "--consumer-delay", "0") // subscribes at once
	var h2c http.Protocols
	h2c.SetUnencryptedHTTP2(true)
	transport := &http.Transport{Protocols: &h2c}
	t.Cleanup(transport.CloseIdleConnections)
	ctx := t.Context()

	// A raw call first, to see the protocol the answer came in.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(`{"StreamName":"bikes","Records":[{"PartitionKey":"bike-1","Data":"aDJj"}]}`))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := transport.RoundTrip(req)
	require.NoError(t, err, "PutRecords over h2c")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "HTTP/2.0", resp.Proto, "the answer's protocol")
	require.Equal(t, http.StatusOK, resp.StatusCode, "PutRecords: %s", body)
	assert.Contains(t, string(body), `"FailedRecordCount":0`, "PutRecords answer")

	client := sdkkinesis.New(sdkkinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("any", "thing", ""),
		HTTPClient:   &http.Client{Transport: transport},
	})
	summary, err := client.DescribeStreamSummary(ctx, &sdkkinesis.DescribeStreamSummaryInput{StreamName: aws.String("bikes")})
	require.NoError(t, err, "DescribeStreamSummary over h2c")
	registered, err := client.RegisterStreamConsumer(ctx, &sdkkinesis.RegisterStreamConsumerInput{
		StreamARN: summary.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("h2c")})
	require.NoError(t, err, "RegisterStreamConsumer over h2c")
	sub, err := client.SubscribeToShard(ctx, &sdkkinesis.SubscribeToShardInput{
		ConsumerARN: registered.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	require.NoError(t, err, "SubscribeToShard over h2c")
	events := sub.GetStream()
	defer events.Close()
	select {
	case ev, ok := <-events.Events():
		require.True(t, ok, "an event before the stream ends: %v", events.Err())
		e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		require.True(t, isEvent, "event of type %T", ev)
		require.Len(t, e.Value.Records, 1, "the record written")
		assert.Equal(t, "h2c", string(e.Value.Records[0].Data), "Data")
	case <-time.After(20 * time.Second):
		t.Fatal("no SubscribeToShardEvent within 20s")
	}
	require.NoError(t, events.Close(), "closing the subscription")
	assert.Contains(t, interrupt(), "kinesim emulate: stopped")
}

func TestEmulateRefusesBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		// Every interface, not loopback, without --allow-remote.
		{"all interfaces", []string{"--addr", "0.0.0.0:4567"}, "--allow-remote"},
		// An empty host also means every interface.
		{"empty host", []string{"--addr", ":4567"}, "every interface"},
		// A host name other than localhost may resolve anywhere.
		{"remote name", []string{"--addr", "example.com:4567"}, "not loopback"},
		// Not host:port at all.
		{"no port", []string{"--addr", "127.0.0.1"}, "want host:port"},
		// --shards sizes the --stream; alone it means nothing.
		{"shards without stream", []string{"--shards", "3"}, "--shards needs --stream"},
		// A stream the emulator cannot create.
		{"zero shards", []string{"--addr", "127.0.0.1:0", "--stream", "s", "--shards", "0"}, "ShardCount 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := kinesim(t, append([]string{"emulate"}, tc.args...)...)
			assert.Equal(t, exitUsage, code, "exit code; stderr %s", stderr)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
