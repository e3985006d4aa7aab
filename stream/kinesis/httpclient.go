package kinesis

import (
	"io"
	"net/http"
)

// doer is what the SDK needs of an HTTP client (aws.HTTPClient).
type doer interface {
	Do(*http.Request) (*http.Response, error)
}

// bodyWithoutWriteTo wraps the SDK's HTTP client to hide the WriteTo method
// of request bodies from net/http.
//
// Why: smithy-go (v1.28.9) wraps each request body in a "safe" closer whose
// WriteTo answers io.EOF, as an error, once the body is closed, and the SDK
// closes it as soon as the response headers arrive. A fast server (any
// loopback emulator) answers while net/http's writer is still making its
// last, zero-byte read of the body; that read then fails, net/http counts it
// as a write error and closes the connection under the response being
// decoded, and the call fails with "use of closed network connection",
// although the server wrote every record: a retry would duplicate them all.
// With WriteTo hidden, net/http reads through Read, which answers a plain
// io.EOF after the close, and nothing fails. TestFastServerNeverBreaksCalls
// covers it.
type bodyWithoutWriteTo struct{ next doer }

func (c bodyWithoutWriteTo) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = readCloserOnly{req.Body}
	}
	return c.next.Do(req)
}

// readCloserOnly exposes Read and Close, and nothing else, of a body.
type readCloserOnly struct{ io.ReadCloser }
