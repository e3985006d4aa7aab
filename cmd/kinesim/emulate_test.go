package main

import (
	"bufio"
	"bytes"
	"errors"
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
// with Ctrl-C, requires exit status 0, and returns what it printed after
// its first line.
func startEmulate(t testing.TB, args ...string) (endpoint string, interrupt func() string) {
	t.Helper()
	p := startEmulateProcess(t, args...)
	return p.endpoint, func() string {
		t.Helper()
		rest, code := p.interrupt(t)
		require.Equal(t, 0, code, "exit status after Ctrl-C; stderr: %s", p.stderr.String())
		return rest
	}
}

// emulateProcess is a running `kinesim emulate`.
type emulateProcess struct {
	cmd      *exec.Cmd
	endpoint string
	stderr   *lockedBuffer
	lines    chan string // every line after the first, then closed
	rest     bytes.Buffer
}

// startEmulateProcess starts `kinesim emulate --addr 127.0.0.1:0 ARGS` and
// reads the endpoint from its first line.
func startEmulateProcess(t testing.TB, args ...string) *emulateProcess {
	t.Helper()
	p := &emulateProcess{stderr: &lockedBuffer{}, lines: make(chan string, 1024)}
	p.cmd = exec.Command(binary, append([]string{"emulate", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	// The process writes stderr while the test reads it for messages.
	p.cmd.Stderr = p.stderr
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })

	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "a first line; stderr: %s", p.stderr.String())
	m := regexp.MustCompile(`serving the Kinesis API at (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(lines.Text())
	require.NotNil(t, m, "the first line names the endpoint: %q", lines.Text())
	p.endpoint = m[1]
	go func() {
		defer close(p.lines)
		for lines.Scan() {
			p.lines <- lines.Text()
		}
	}()
	return p
}

// waitFor returns the first line containing want, failing the test when
// the process ends or a minute passes first; the lines read on the way are
// kept for interrupt.
func (p *emulateProcess) waitFor(t *testing.T, want string) string {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case line, ok := <-p.lines:
			require.True(t, ok, "kinesim emulate ended before printing %q; it printed:\n%s\nstderr: %s", want, p.rest.String(), p.stderr.String())
			p.rest.WriteString(line + "\n")
			if strings.Contains(line, want) {
				return line
			}
		case <-timeout:
			t.Fatalf("no line with %q within a minute; printed:\n%s", want, p.rest.String())
		}
	}
}

// interrupt stops the process with Ctrl-C and returns what it printed
// after its first line, and its exit status.
func (p *emulateProcess) interrupt(t testing.TB) (string, int) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
	// Its output ends when it exits; Wait only after reading it all.
	timeout := time.After(20 * time.Second)
	for ended := false; !ended; {
		select {
		case line, ok := <-p.lines:
			ended = !ok
			if ok {
				p.rest.WriteString(line + "\n")
			}
		case <-timeout:
			t.Fatal("kinesim emulate did not stop within 20s of Ctrl-C")
		}
	}
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return p.rest.String(), exit.ExitCode()
	}
	require.NoError(t, err, "waiting for kinesim emulate")
	return p.rest.String(), 0
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
