package server

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/smithy-go/eventstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEventMessagesDecodeWithTheSDK frames messages with this package's
// encoder and decodes them with the decoder the AWS SDK reads event streams
// with, CRCs included.
func TestEventMessagesDecodeWithTheSDK(t *testing.T) {
	tests := []struct {
		name    string
		headers []eventHeader
		payload []byte
	}{
		// The initial-response event, as serveStream sends it.
		{"initial response", []eventHeader{{":event-type", "initial-response"}, {":message-type", "event"}}, []byte("{}")},
		// No headers and no payload: the smallest message.
		{"empty", nil, nil},
		// An event of a few hundred KiB, as a catching-up consumer gets.
		{"large payload", []eventHeader{{":event-type", "SubscribeToShardEvent"}}, bytes.Repeat([]byte("x"), 300<<10)},
		// A header value at the encoding's longest.
		{"long header", []eventHeader{{":exception-type", strings.Repeat("e", 1<<15-1)}}, []byte(`{"message":"m"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := encodeEventMessage(tt.headers, tt.payload)
			require.NoError(t, err)
			got, err := eventstream.NewDecoder().Decode(bytes.NewReader(msg), nil)
			require.NoError(t, err, "the SDK's decoder")
			require.Len(t, got.Headers, len(tt.headers), "headers")
			for i, h := range tt.headers {
				assert.Equal(t, h.name, got.Headers[i].Name, "header %d name", i)
				assert.Equal(t, h.value, got.Headers[i].Value.String(), "header %d value", i)
			}
			assert.Equal(t, len(tt.payload), len(got.Payload), "payload length")
			assert.True(t, bytes.Equal(tt.payload, got.Payload), "payload")
		})
	}
}

// TestEventMessageLimits checks what the encoding cannot carry is refused.
func TestEventMessageLimits(t *testing.T) {
	tests := []struct {
		name    string
		headers []eventHeader
		payload []byte
	}{
		// A header name over 255 bytes.
		{"long header name", []eventHeader{{strings.Repeat("n", 256), "v"}}, nil},
		// A header value over 32,767 bytes.
		{"long header value", []eventHeader{{"n", strings.Repeat("v", 1<<15)}}, nil},
		// A message over 16 MiB.
		{"oversize message", nil, make([]byte, maxEventMessage)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := encodeEventMessage(tt.headers, tt.payload)
			assert.Error(t, err)
		})
	}
}
