// Package server serves a Firehose target (normally the emulated delivery
// streams of stream/firehose/emulated) over the Amazon Data Firehose API, so
// that any Firehose client (an AWS SDK, the AWS CLI, Kinesis Agent, Fluent
// Bit) can put to kinesim's emulator. `kinesim emulate` can mount it beside
// the Kinesis server: the two tell their requests apart by X-Amz-Target.
//
// The protocol is Firehose's: POST /, X-Amz-Target:
// Firehose_20150804.<Operation>, a JSON 1.1 body (Content-Type:
// application/x-amz-json-1.1; blobs in base64, timestamps as epoch seconds).
// Errors come back as AWS sends them, {"__type": CODE, "message": ...}, with
// HTTP 400, except ServiceUnavailableException, which is 503 as in
// Firehose's Smithy model, so that SDK retry logic behaves as in production.
//
// Operations: PutRecord, PutRecordBatch, CreateDeliveryStream,
// DescribeDeliveryStream, DeleteDeliveryStream, ListDeliveryStreams and
// ListTagsForDeliveryStream. Anything else is UnknownOperationException.
// Only Direct PUT streams with an (extended) S3 destination are served.
//
// Security: the server accepts any SigV4 signature and any credentials
// without checking them, and has no TLS. Serve it on loopback only.
//
// A *Server is an http.Handler safe for concurrent use. Request bodies are
// capped at MaxBodyBytes unless WithMaxBodyBytes says otherwise, and a
// panic while serving a request answers InternalFailure rather than
// crashing the process.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/kinesim/kinesim/stream/delivery"
)

// TargetPrefix starts every X-Amz-Target this server answers.
const TargetPrefix = "Firehose_20150804."

// ContentType is the JSON 1.1 content type of requests and answers.
const ContentType = "application/x-amz-json-1.1"

// MaxBodyBytes is the default cap on a request body: 8 MiB, room for a
// PutRecordBatch of 4 MiB of data grown by base64 (a third) and JSON.
const MaxBodyBytes = 8 << 20

// Protocol-level error codes AWS answers before an operation runs.
const (
	codeSerialization    = "SerializationException"
	codeUnknownOperation = "UnknownOperationException"
	codeInternalFailure  = "InternalFailure"
)

// Option configures New.
type Option func(*options)

type options struct {
	maxBodyBytes int64
	log          *slog.Logger
}

// WithMaxBodyBytes caps request bodies at n bytes; a larger body gets
// ValidationException. Default: MaxBodyBytes.
func WithMaxBodyBytes(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxBodyBytes = n
		}
	}
}

// WithLogger logs each failed request (server failures at Info, client
// errors at Debug). Default: no logging.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// Server answers Firehose API requests from a target.
type Server struct {
	target delivery.Target
	opts   options
}

var _ http.Handler = (*Server)(nil)

// New returns a server for target.
func New(target delivery.Target, opts ...Option) *Server {
	o := options{maxBodyBytes: MaxBodyBytes, log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	return &Server{target: target, opts: o}
}

// Handles reports whether r is a Firehose request, for a mux that serves
// Firehose beside Kinesis on one port.
func Handles(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
}

// ServeHTTP answers one Firehose API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	w.Header().Set("x-amzn-RequestId", requestID)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	defer func() {
		if p := recover(); p != nil {
			s.opts.log.Error("panic serving a request", "operation", op, "request_id", requestID, "panic", p)
			s.writeError(w, r, op, delivery.Errorf(codeInternalFailure, "the server failed serving %s (request id %s)", op, requestID))
		}
	}()
	resp, err := s.serve(w, r, op)
	if err != nil {
		s.writeError(w, r, op, err)
		return
	}
	buf, err := json.Marshal(resp)
	if err != nil {
		s.writeError(w, r, op, err)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	_, _ = w.Write(buf)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, op string) (any, error) {
	target := r.Header.Get("X-Amz-Target")
	serveOp, ok := operations[op]
	switch {
	case r.Method != http.MethodPost:
		return nil, delivery.Errorf(codeUnknownOperation, "%s %s: the Firehose API takes POST /", r.Method, r.URL.Path)
	case !ok || !strings.HasPrefix(target, TargetPrefix):
		return nil, delivery.Errorf(codeUnknownOperation, "X-Amz-Target %q: not an operation this server has (want %s<Operation>)", target, TargetPrefix)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, delivery.Errorf(delivery.CodeValidation, "the request body exceeds this server's cap of %d bytes", tooLarge.Limit)
		}
		return nil, delivery.Errorf(codeSerialization, "reading the request body: %v", err)
	}
	return serveOp(r.Context(), s.target, body)
}

// operation serves one API operation from its JSON body.
type operation func(ctx context.Context, t delivery.Target, body []byte) (any, error)

// handle makes an operation from a typed function; a body that does not
// decode into Req is SerializationException.
func handle[Req any](fn func(ctx context.Context, t delivery.Target, req *Req) (any, error)) operation {
	return func(ctx context.Context, t delivery.Target, body []byte) (any, error) {
		req := new(Req)
		if len(body) == 0 {
			body = []byte("{}")
		}
		if err := json.Unmarshal(body, req); err != nil {
			return nil, delivery.Errorf(codeSerialization, "%v", err)
		}
		return fn(ctx, t, req)
	}
}

var operations = map[string]operation{
	"PutRecord":                 handle(putRecord),
	"PutRecordBatch":            handle(putRecordBatch),
	"CreateDeliveryStream":      handle(createDeliveryStream),
	"DescribeDeliveryStream":    handle(describeDeliveryStream),
	"DeleteDeliveryStream":      handle(deleteDeliveryStream),
	"ListDeliveryStreams":       handle(listDeliveryStreams),
	"ListTagsForDeliveryStream": handle(listTagsForDeliveryStream),
}

// writeError answers err as AWS does: a JSON map of __type and message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, op string, err error) {
	api := asAPIError(err)
	status := statusOf(api.Code)
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelInfo
	}
	s.opts.log.Log(r.Context(), level, "request failed", "operation", op, "status", status, "code", api.Code, "message", api.Message)
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	buf, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{api.Code, api.Message})
	_, _ = w.Write(buf)
}

// statusOf is the HTTP status of an error code: 503 for
// ServiceUnavailableException (its httpError trait in Firehose's Smithy
// model), 500 for InternalFailure, 400 for every client error.
func statusOf(code string) int {
	switch code {
	case delivery.CodeServiceUnavailable:
		return http.StatusServiceUnavailable
	case codeInternalFailure:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// asAPIError turns any error into the code and message a client sees.
func asAPIError(err error) *delivery.APIError {
	var api *delivery.APIError
	if errors.As(err, &api) {
		return api
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return delivery.Errorf(delivery.CodeServiceUnavailable, "the request was canceled: %v", err)
	}
	return delivery.Errorf(codeInternalFailure, "%v", err)
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}
