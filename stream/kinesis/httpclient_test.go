package kinesis

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type recordingDoer struct{ body io.ReadCloser }

func (d *recordingDoer) Do(req *http.Request) (*http.Response, error) {
	d.body = req.Body
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

// bytesBody is a request body with WriteTo, as the SDK's are.
type bytesBody struct{ *bytes.Reader }

func (bytesBody) Close() error { return nil }

// TestBodyWithoutWriteTo checks the work-around described in httpclient.go:
// net/http must never see the SDK body's WriteTo. The race it avoids shows
// under load only (BenchmarkPutRecordsClientCeiling failed within a few
// calls without it), so the mechanism is what this test pins down.
func TestBodyWithoutWriteTo(t *testing.T) {
	rec := &recordingDoer{}
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1", bytesBody{bytes.NewReader([]byte("payload"))})
	require.NoError(t, err)
	_, isWriterTo := req.Body.(io.WriterTo)
	require.True(t, isWriterTo, "precondition: the body has WriteTo")

	_, err = bodyWithoutWriteTo{rec}.Do(req)
	require.NoError(t, err)
	_, isWriterTo = rec.body.(io.WriterTo)
	assert.False(t, isWriterTo, "the transport sees no WriteTo")
	got, err := io.ReadAll(rec.body)
	require.NoError(t, err)
	assert.Equal(t, "payload", string(got), "the body reads the same")

	// A request without a body stays without one.
	req, err = http.NewRequest(http.MethodGet, "http://127.0.0.1:1", nil)
	require.NoError(t, err)
	_, err = bodyWithoutWriteTo{rec}.Do(req)
	require.NoError(t, err)
	assert.Nil(t, rec.body)
}

// TestClientUsesTheWorkaround checks that New installs it.
func TestClientUsesTheWorkaround(t *testing.T) {
	cleanAWSEnv(t)
	tg, err := New(t.Context(), WithEndpoint("http://127.0.0.1:4567"))
	require.NoError(t, err)
	_, ok := tg.client.Options().HTTPClient.(bodyWithoutWriteTo)
	assert.True(t, ok, "the client's HTTP client is %T", tg.client.Options().HTTPClient)
}
