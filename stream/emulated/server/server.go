// Package server serves an emulated stream (stream/emulated) over the Amazon
// Kinesis Data Streams API, so that any Kinesis client (an AWS SDK, the AWS
// CLI, a KCL application) can be put under test against kinesim's emulator,
// limits included. It is what `kinesim emulate` runs.
//
// The protocol is Kinesis's: POST /, X-Amz-Target:
// Kinesis_20131202.<Operation>, and a body in JSON 1.1 (Content-Type:
// application/x-amz-json-1.1; blobs in base64, timestamps as epoch seconds
// with a fraction) or in CBOR (application/x-amz-cbor-1.1, which the Java
// SDKs send; blobs as byte strings, timestamps as tag 1 over epoch
// milliseconds; see codec.go). The answer is in the request's encoding.
// Errors come back as AWS sends them, a map {"__type": CODE, "message": ...}
// ("Message" for SerializationException, as Kinesis spells it) with HTTP 400
// (throttling included), 500 for InternalFailure and 503 for
// ServiceUnavailable, so SDK retry logic behaves as in production. Checks
// run in Kinesis's order: the body's shape (SerializationException, in the
// Java terms Kinesis uses), then every constraint of the API model
// (one ValidationException listing each breach), then existence and state.
// Shard ids are read as Kinesis reads them (stream.ParseShardID). Before
// any of that, requests pass Kinesis's front end (front.go: method,
// content type, empty body, target) and, with WithSignatureCheck, its
// SigV4 check (auth.go). Every answer but an event stream carries a
// Content-Length; operations that return nothing answer an empty body.
// Streams go through Kinesis's states (lifecycle.go: CREATING, DELETING,
// UPDATING), and the account's shard quota holds across streams
// (limits.go).
//
// Security: by default the server accepts any SigV4 signature and any
// credentials without checking them (WithSignatureCheck verifies them
// against one access key), and it has no TLS. Serve it on loopback only.
//
// Operations: CreateStream, DeleteStream, DescribeStream,
// DescribeStreamSummary, ListStreams, ListShards, PutRecord, PutRecords,
// GetShardIterator, GetRecords, SplitShard, MergeShards, UpdateShardCount,
// IncreaseStreamRetentionPeriod, DecreaseStreamRetentionPeriod,
// AddTagsToStream, RemoveTagsFromStream, ListTagsForStream,
// RegisterStreamConsumer, DeregisterStreamConsumer, DescribeStreamConsumer,
// ListStreamConsumers, SubscribeToShard and DescribeLimits. Anything else is
// UnknownOperationException.
//
// SubscribeToShard answers with an event stream
// (application/vnd.amazon.eventstream): an initial-response event, then
// SubscribeToShardEvents as the emulator pushes them, each flushed at once,
// over HTTP/1.1 (a chunked body) or HTTP/2; event payloads are in the
// request's encoding. Clients that subscribe over HTTP/2 only (the Java SDK
// v2) need an http.Server that speaks it: with TLS, or cleartext (h2c)
// through http.Server.Protocols, as `kinesim emulate` does. The stream ends after 5 minutes
// on the emulator's clock, at a closed shard's end (the last event carries
// ChildShards), when the client goes away, or when the request's context
// ends (give the http.Server a BaseContext that shutdown cancels, as
// `kinesim emulate` does); a failure ends it with an exception message.
// Refusals (a resubscribe within 5 seconds, a consumer still CREATING) are
// ordinary HTTP errors before any event.
//
// What the emulator does not keep, the server does: creation time, capacity
// mode, retention hours and tags. Streams created or deleted on the emulator
// directly are still served (the server learns of them when a request names
// them) but with PROVISIONED mode, 24 h retention and no tags; Server.Target
// returns a stream.Target that keeps the server informed.
//
// A *Server is an http.Handler safe for concurrent use by many goroutines;
// requests to different shards do not contend in the server. Request bodies
// are capped at MaxBodyBytes unless WithMaxBodyBytes says otherwise, and a
// panic while serving a request answers InternalFailure rather than crashing
// the process.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// MaxBodyBytes is the default cap on a request body: 24 MiB. The largest
// valid request is a PutRecords of 10 MiB of data and partition keys, which
// base64 and JSON grow to about 13.5 MiB (CBOR to little over 10 MiB); the
// rest is headroom for escaped keys.
const MaxBodyBytes = 24 << 20

// targetPrefix starts every X-Amz-Target this server answers.
const targetPrefix = "Kinesis_20131202."

// account is the AWS account id in ARNs; the emulator names the same one in
// its error messages.
const account = "111111111111"

// Option configures New.
type Option func(*options)

type options struct {
	region      string
	shardLimit  int // 0: the region's default
	createDelay time.Duration
	deleteDelay time.Duration
	// accessKeyID and secretAccessKey check signatures when set.
	accessKeyID, secretAccessKey string
	maxBodyBytes                 int64
	log                          *slog.Logger
	now                          func() time.Time
	data                         DataPlane // nil: the emulator
}

// WithRegion sets the region in stream ARNs. Default: us-east-1. Requests
// signed for any region are accepted whatever it is.
func WithRegion(region string) Option {
	return func(o *options) { o.region = region }
}

// WithMaxBodyBytes caps request bodies at n bytes; a larger body gets
// ValidationException. Default: MaxBodyBytes (24 MiB).
func WithMaxBodyBytes(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxBodyBytes = n
		}
	}
}

// WithLogger logs each failed request (at Info, client errors at Debug).
// Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.log = l }
}

// WithNow sets the clock for creation timestamps and NextToken expiry; pass
// the emulator's clock's Now when it runs in virtual time. Default: time.Now.
func WithNow(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// Server answers Kinesis API requests from an emulator.
type Server struct {
	emu  *emulated.Emulator
	data DataPlane // the clients' data calls go here (the emulator by default)
	opts options
	ops  map[string]operation

	mu      sync.Mutex
	streams map[string]*streamMeta
}

// streamMeta is what the server keeps about a stream beside the emulator.
// Its mutable fields are guarded by Server.mu.
type streamMeta struct {
	name      string
	arn       string
	created   time.Time
	mode      stream.Mode
	retention int64 // hours
	tags      map[string]string
	state     lifecycle // see lifecycle.go
	updating  int       // reshards under way
}

// operation serves one API operation: it decodes body with c and returns
// the response for c to encode.
type operation func(ctx context.Context, s *Server, c codec, body []byte) (any, error)

// New returns a server for emu.
func New(emu *emulated.Emulator, opts ...Option) *Server {
	o := options{region: "us-east-1", maxBodyBytes: MaxBodyBytes, log: slog.New(slog.DiscardHandler), now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.shardLimit == 0 {
		o.shardLimit = DefaultShardLimit(o.region)
	}
	data := o.data
	if data == nil {
		data = emu
	}
	return &Server{emu: emu, data: data, opts: o, ops: operations, streams: map[string]*streamMeta{}}
}

var _ http.Handler = (*Server)(nil)

// ServeHTTP answers one Kinesis API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	w.Header().Set("x-amzn-RequestId", requestID)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	c := jsonCodec
	defer func() {
		if p := recover(); p != nil {
			s.opts.log.Error("panic serving a request", "operation", op, "request_id", requestID, "panic", p)
			s.writeError(w, r, c, op, stream.Errorf(stream.CodeInternalFailure, "the server failed serving %s (request id %s)", op, requestID))
		}
	}()
	if r.Method != http.MethodPost {
		xmlAnswer(http.StatusForbidden, "AccessDeniedException", "Unable to determine service/operation name to be authorized").write(w)
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		s.writeError(w, r, c, op, err)
		return
	}
	c, serveOp, refused := s.front(r, body)
	if refused != nil {
		s.opts.log.Debug("request refused", "operation", op, "status", refused.status, "content_type", r.Header.Get("Content-Type"))
		refused.write(w)
		return
	}
	if err := s.checkSignature(r, body); err != nil {
		s.writeError(w, r, c, op, err)
		return
	}
	resp, err := serveOp(r.Context(), s, c, body)
	if err != nil {
		s.writeError(w, r, c, op, err)
		return
	}
	if st, ok := resp.(streamer); ok {
		st.serveStream(w, r, c)
		return
	}
	var buf []byte
	if _, empty := resp.(noContent); !empty {
		if buf, err = c.encode(resp); err != nil {
			s.writeError(w, r, c, op, err)
			return
		}
	}
	w.Header().Set("Content-Type", c.contentType)
	// A length, never a chunked body: see docs/emulate.md on the SDK's
	// "use of closed network connection" race.
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	_, _ = w.Write(buf)
}

// noContent is the answer of an operation that returns nothing: Kinesis
// sends an empty body (Content-Length 0), not {}.
type noContent struct{}

// writeError answers err as AWS does, in the request's encoding: a map of
// __type and message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, c codec, op string, err error) {
	api := asAPIError(err)
	status := statusOf(api.Code)
	s.opts.log.Log(r.Context(), levelOf(api.Code), "request failed", "operation", op, "status", status, "code", api.Code, "message", api.Message)
	var buf []byte
	switch {
	case api.Message == "":
		buf, _ = c.encode(map[string]string{"__type": api.Code}) // Kinesis's bare answers
	case api.Code == codeSerialization:
		// Kinesis spells this one's key with a capital M.
		buf, _ = c.encode(struct {
			Type    string `json:"__type"`
			Message string `json:"Message"`
		}{api.Code, api.Message})
	default:
		buf, _ = c.encode(struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}{api.Code, api.Message})
	}
	w.Header().Set("Content-Type", c.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(status)
	_, _ = w.Write(buf)
}

// levelOf is the level a failure is logged at: Info for the server's own
// (5xx), Debug for the client's.
func levelOf(code string) slog.Level {
	if statusOf(code) >= 500 {
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// handle makes an operation from a typed function: whichever the
// encoding, the body decodes into the same request struct, and a body that
// does not is SerializationException.
func handle[Req any](fn func(ctx context.Context, s *Server, req *Req) (any, error)) operation {
	return func(ctx context.Context, s *Server, c codec, body []byte) (any, error) {
		req := new(Req)
		if err := c.decode(body, req); err != nil {
			if errors.Is(err, errMalformed) {
				return nil, &stream.APIError{Code: codeSerialization} // bare, as Kinesis answers
			}
			return nil, serializationError("%v", err)
		}
		return fn(ctx, s, req)
	}
}

// operations maps each X-Amz-Target operation to its handler.
var operations = map[string]operation{
	"CreateStream":                  handle(createStream),
	"DeleteStream":                  handle(deleteStream),
	"DescribeStream":                handle(describeStream),
	"DescribeStreamSummary":         handle(describeStreamSummary),
	"ListStreams":                   handle(listStreams),
	"ListShards":                    handle(listShards),
	"PutRecord":                     handle(putRecord),
	"PutRecords":                    handle(putRecords),
	"GetShardIterator":              handle(getShardIterator),
	"GetRecords":                    handle(getRecords),
	"SplitShard":                    handle(splitShard),
	"MergeShards":                   handle(mergeShards),
	"UpdateShardCount":              handle(updateShardCount),
	"IncreaseStreamRetentionPeriod": handle(increaseRetention),
	"DecreaseStreamRetentionPeriod": handle(decreaseRetention),
	"AddTagsToStream":               handle(addTags),
	"RemoveTagsFromStream":          handle(removeTags),
	"ListTagsForStream":             handle(listTags),
	"RegisterStreamConsumer":        handle(registerStreamConsumer),
	"DeregisterStreamConsumer":      handle(deregisterStreamConsumer),
	"DescribeStreamConsumer":        handle(describeStreamConsumer),
	"ListStreamConsumers":           handle(listStreamConsumers),
	"SubscribeToShard":              handle(subscribeToShard),
	"DescribeLimits":                handle(describeLimits),
}

func (s *Server) arn(name string) string {
	return fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/%s", s.opts.region, account, name)
}

// streamName resolves a request's StreamName and StreamARN to a name. The
// ARN's region and account are not checked: any signature is accepted, so
// any ARN naming a stream of this server is too.
func streamName(ref streamRefJSON) (string, error) {
	var v validation
	v.streamRef(ref)
	if err := v.err(); err != nil {
		return "", err
	}
	var fromARN string
	if ref.StreamARN != nil {
		parts := strings.SplitN(*ref.StreamARN, ":", 6)
		if len(parts) != 6 || parts[2] != "kinesis" || !strings.HasPrefix(parts[5], "stream/") || len(parts[5]) == len("stream/") {
			return "", invalidArgument("StreamARN %q is not a stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)", *ref.StreamARN)
		}
		fromARN = strings.TrimPrefix(parts[5], "stream/")
	}
	switch {
	case ref.StreamName != nil && ref.StreamARN != nil && *ref.StreamName != fromARN:
		return "", invalidArgument("StreamName %s and StreamARN %s name different streams", *ref.StreamName, *ref.StreamARN)
	case ref.StreamName != nil:
		return *ref.StreamName, nil
	case ref.StreamARN != nil:
		return fromARN, nil
	}
	return "", invalidArgument("Either StreamName or StreamARN should be provided.")
}

// meta returns what the server keeps about a stream, learning of streams
// created on the emulator directly. It fails with ResourceNotFoundException
// when the emulator has no such stream, and returns the shards it looked at.
func (s *Server) meta(ctx context.Context, name string) (*streamMeta, []stream.Shard, error) {
	shards, err := s.emu.ListShards(ctx, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.streams[name]
	if m != nil && m.state != stateActive {
		return m, nil, nil // CREATING or DELETING: not on the emulator
	}
	if err != nil {
		if errors.Is(err, stream.ErrNotFound) {
			delete(s.streams, name) // deleted on the emulator directly
		}
		return nil, nil, err
	}
	if m == nil {
		m = s.newMeta(name, stream.ModeProvisioned)
		s.streams[name] = m
	}
	return m, shards, nil
}

// newMeta makes a stream's record. Call with mu held.
func (s *Server) newMeta(name string, mode stream.Mode) *streamMeta {
	return &streamMeta{
		name:      name,
		arn:       s.arn(name),
		created:   s.opts.now(),
		mode:      mode,
		retention: int64(stream.DefaultRetention / time.Hour),
		tags:      map[string]string{},
	}
}

// status is the stream's StreamStatus. Call with mu held.
func (m *streamMeta) status() string {
	switch m.state {
	case stateCreating:
		return "CREATING"
	case stateDeleting:
		return "DELETING"
	}
	if m.updating > 0 {
		return "UPDATING"
	}
	return "ACTIVE"
}
