package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
)

// TestEmulateCutsOffSlowBodies: a client that sends its headers and then
// only part of the body it announced is answered and disconnected once the
// body timeout passes, as a slow header is; a prompt body is served.
func TestEmulateCutsOffSlowBodies(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := newHTTPServer(server.New(emulated.New()), context.Background(), 200*time.Millisecond)
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })

	const body = `{"Limit": 10}`
	tests := []struct {
		name string
		sent string // of body
		want string // in the answer's status line
	}{
		// The whole body: answered at once.
		{"prompt", body, "200 OK"},
		// Half the body and then nothing: cut off with an error answer.
		{"stalled", body[:6], "400 Bad Request"},
	}
	for _, tt := range tests {
		conn, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		defer conn.Close()
		fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n"+
			"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n%s", len(body), tt.sent)
		// Far longer than the timeout: without one the server waits forever.
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
		status, err := bufio.NewReader(conn).ReadString('\n')
		require.NoError(t, err, "%s: the server answers (or hangs up) instead of waiting for the body", tt.name)
		assert.True(t, strings.Contains(status, tt.want), "%s: status line %q, want %q", tt.name, status, tt.want)
	}
}

// TestEmulateBodyTimeoutSparesLongAnswers: once the body is in, the
// deadline is lifted, so that an answer may take longer than the body
// timeout (a SubscribeToShard event stream lasts minutes; a deadline left
// on the connection would fail its background read and cancel the request).
func TestEmulateBodyTimeoutSparesLongAnswers(t *testing.T) {
	var deadlines deadlineLog
	body := &deadlineBody{ReadCloser: io.NopCloser(strings.NewReader(`{"StreamName": "s"}`)), rc: &deadlines}
	_, err := io.ReadAll(body)
	require.NoError(t, err)
	require.Len(t, deadlines, 1, "deadlines set once the body was read")
	assert.True(t, deadlines[0].IsZero(), "the deadline is lifted (zero time), got %v", deadlines[0])
	_, _ = body.Read(make([]byte, 1))
	assert.Len(t, deadlines, 1, "lifted once, not at every read after the end")
}

type deadlineLog []time.Time

func (d *deadlineLog) SetReadDeadline(at time.Time) error { *d = append(*d, at); return nil }
