package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis"
)

// TestEmulateServesUntilInterrupted starts `kinesim emulate` as a user
// would, writes and lists through the AWS SDK driver, and stops it with
// Ctrl-C.
func TestEmulateServesUntilInterrupted(t *testing.T) {
	cmd := exec.Command(binary, "emulate", "--addr", "127.0.0.1:0", "--stream", "bikes", "--shards", "2")
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

	tg, err := kinesis.New(t.Context(), kinesis.WithEndpoint(m[1]), kinesis.WithRegion("us-east-1"),
		kinesis.WithStaticCredentials("any", "thing", ""))
	require.NoError(t, err)
	shards, err := tg.ListShards(t.Context(), "bikes")
	require.NoError(t, err, "ListShards of the stream created at start")
	assert.Len(t, shards, 2, "--shards 2")
	out, err := tg.PutRecords(t.Context(), &stream.PutRecordsInput{StreamName: "bikes", Records: []stream.Record{{PartitionKey: "bike-1", Data: []byte("x")}}})
	require.NoError(t, err, "PutRecords")
	assert.Zero(t, out.FailedRecordCount, "FailedRecordCount")

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
	assert.Contains(t, rest.String(), "kinesim emulate: stopped")
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
