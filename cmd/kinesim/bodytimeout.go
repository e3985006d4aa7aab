package main

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// emulateBodyReadTimeout bounds how long `kinesim emulate` waits for a
// request's body once its headers are in. net/http's ReadTimeout would do it
// but also cuts long answers short (a SubscribeToShard event stream lasts
// up to 5 minutes, and the deadline stays on the connection), so the body
// gets its own deadline, lifted as soon as it has been read. 30 seconds
// carries the largest body served (24 MiB) at under 1 MB/s.
const emulateBodyReadTimeout = 30 * time.Second

// withBodyReadTimeout cuts off a request whose body has not arrived within
// timeout of its headers, as ReadHeaderTimeout does for the headers: a
// client trickling a body (or declaring a Content-Length it never sends)
// holds a connection and a handler no longer than that.
func withBodyReadTimeout(h http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(timeout)); err == nil && r.Body != nil && r.Body != http.NoBody {
			r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
		}
		h.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the read deadline once the body has been read to its
// end, so that a long answer (an event stream) is not cut off by it.
type deadlineBody struct {
	io.ReadCloser
	rc     readDeadliner
	lifted bool
}

// readDeadliner is the part of *http.ResponseController deadlineBody uses.
type readDeadliner interface{ SetReadDeadline(time.Time) error }

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) && !b.lifted {
		b.lifted = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
