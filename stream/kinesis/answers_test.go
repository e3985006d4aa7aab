package kinesis_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis"
)

// The tests in this file cover answers neither kinesalite nor kinesis-mock
// ever gives (throttling, 5xx, a PutRecords result of the wrong length,
// multi-page ListShards from a server that ignores the stream name): a
// loopback HTTP server speaks the Kinesis JSON protocol with canned answers,
// and the real SDK client talks to it.

// cannedServer answers each call with the function's status and body, and
// records the calls it got.
type cannedServer struct {
	mu     sync.Mutex
	calls  []cannedCall
	answer func(op string, body map[string]any) (status int, response string)
}

type cannedCall struct {
	op   string
	body map[string]any
}

func startCanned(t *testing.T, answer func(op string, body map[string]any) (int, string)) (*cannedServer, *kinesis.Target) {
	t.Helper()
	cs := &cannedServer{answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Kinesis_20131202.")
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		cs.mu.Lock()
		cs.calls = append(cs.calls, cannedCall{op: op, body: body})
		cs.mu.Unlock()
		status, resp := cs.answer(op, body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Requestid", "canned-request")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, resp)
	}))
	t.Cleanup(srv.Close)
	return cs, newTarget(t, srv.URL)
}

func (cs *cannedServer) Calls() []cannedCall {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return slices.Clone(cs.calls)
}

func oneRecord() *stream.PutRecordsInput {
	return &stream.PutRecordsInput{StreamName: "s", Records: []stream.Record{{PartitionKey: "k", Data: []byte("x")}}}
}

// TestErrorAnswers checks the mapping of service answers onto the contract's
// errors, and that each call is made exactly once: the SDK must not retry
// behind kinesim's own retry policy, whatever AWS_MAX_ATTEMPTS says.
func TestErrorAnswers(t *testing.T) {
	t.Setenv("AWS_MAX_ATTEMPTS", "5")
	t.Setenv("AWS_RETRY_MODE", "adaptive")
	tests := []struct {
		name     string
		status   int
		body     string
		wantCode string
		want     error // the sentinel errors.Is must match; nil for none
	}{
		// A shard over its limit: the answer kinesim's retries exist for.
		{"throttled", 400, `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard shardId-000000000001"}`,
			stream.CodeThrottled, stream.ErrThrottled},
		// The code as some JSON services send it, with a namespace prefix.
		{"prefixed code", 400, `{"__type":"com.amazonaws.kinesis.v20131202#ResourceNotFoundException","message":"Stream s not found"}`,
			stream.CodeNotFound, stream.ErrNotFound},
		{"expired iterator", 400, `{"__type":"ExpiredIteratorException","message":"Iterator expired"}`,
			stream.CodeExpiredIterator, stream.ErrExpiredIterator},
		{"limit exceeded", 400, `{"__type":"LimitExceededException","message":"Rate exceeded for stream s"}`,
			stream.CodeLimitExceeded, stream.ErrLimitExceeded},
		// The generic AWS request-rate answer counts as a limit (retryable).
		{"generic throttling", 400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`,
			stream.CodeLimitExceeded, stream.ErrLimitExceeded},
		{"in use", 400, `{"__type":"ResourceInUseException","message":"Stream s is UPDATING"}`,
			stream.CodeInUse, stream.ErrInUse},
		{"invalid argument", 400, `{"__type":"InvalidArgumentException","message":"bad"}`,
			stream.CodeInvalidArgument, stream.ErrInvalidArgument},
		{"internal failure", 500, `{"__type":"InternalFailure","message":"oops"}`,
			stream.CodeInternalFailure, stream.ErrInternal},
		// A 5xx the contract cannot name is an internal failure.
		{"5xx without a code", 502, `<html>bad gateway</html>`,
			stream.CodeInternalFailure, stream.ErrInternal},
		{"5xx with an unknown code", 500, `{"__type":"SomethingOdd"}`,
			stream.CodeInternalFailure, stream.ErrInternal},
		// Known codes keep their name whatever the status.
		{"service unavailable", 503, `{"__type":"ServiceUnavailable","message":"try later"}`,
			stream.CodeServiceUnavailable, nil},
		{"KMS throttling", 400, `{"__type":"KMSThrottlingException","message":"slow down"}`,
			stream.CodeKMSThrottling, nil},
		// A 4xx code the contract does not know is passed on as is.
		{"unknown 4xx code", 400, `{"__type":"UnrecognizedClientException","message":"bad token"}`,
			"UnrecognizedClientException", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, tg := startCanned(t, func(string, map[string]any) (int, string) { return tt.status, tt.body })
			_, err := tg.PutRecords(t.Context(), oneRecord())
			require.Error(t, err)
			var apiErr *stream.APIError
			require.ErrorAs(t, err, &apiErr, "got %v", err)
			assert.Equal(t, tt.wantCode, apiErr.Code, "code of %v", err)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
			}
			assert.Contains(t, err.Error(), "canned-request", "the request id is in the message")
			assert.Len(t, cs.Calls(), 1, "one attempt per call: the SDK retryer is off")
		})
	}
}

func TestPutRecordsPartialFailure(t *testing.T) {
	_, tg := startCanned(t, func(op string, _ map[string]any) (int, string) {
		return 200, `{"FailedRecordCount":7,"Records":[
			{"SequenceNumber":"1","ShardId":"shardId-000000000000"},
			{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000001"},
			{"ErrorCode":"InternalFailure","ErrorMessage":"Internal service failure."}]}`
	})
	in := &stream.PutRecordsInput{StreamName: "s", Records: []stream.Record{
		{PartitionKey: "a", Data: []byte("1")}, {PartitionKey: "b", Data: []byte("2")}, {PartitionKey: "c", Data: []byte("3")},
	}}
	out, err := tg.PutRecords(t.Context(), in)
	require.NoError(t, err, "per-record failures are no call error")
	assert.Equal(t, 2, out.FailedRecordCount, "counted from the entries, not the server's 7")
	assert.Equal(t, []stream.PutRecordsResultEntry{
		{ShardID: "shardId-000000000000", SequenceNumber: "1"},
		{ErrorCode: stream.CodeThrottled, ErrorMessage: "Rate exceeded for shard shardId-000000000001"},
		{ErrorCode: stream.CodeInternalFailure, ErrorMessage: "Internal service failure."},
	}, out.Records)
}

func TestPutRecordsWrongResultCount(t *testing.T) {
	_, tg := startCanned(t, func(string, map[string]any) (int, string) {
		return 200, `{"FailedRecordCount":0,"Records":[]}`
	})
	_, err := tg.PutRecords(t.Context(), oneRecord())
	assert.ErrorIs(t, err, stream.ErrInternal, "no record's fate is known")
}

func TestListShardsFollowsNextToken(t *testing.T) {
	cs, tg := startCanned(t, func(op string, body map[string]any) (int, string) {
		switch body["NextToken"] {
		case nil:
			return 200, `{"Shards":[{"ShardId":"shardId-000000000000"},{"ShardId":"shardId-000000000001"}],"NextToken":"page2"}`
		case "page2":
			// shard 1 again: a page boundary that moved must not duplicate it
			return 200, `{"Shards":[{"ShardId":"shardId-000000000001"},{"ShardId":"shardId-000000000002"}],"NextToken":"page3"}`
		default:
			return 200, `{"Shards":[]}`
		}
	})
	shards, err := tg.ListShards(t.Context(), "s")
	require.NoError(t, err)
	var ids []string
	for _, s := range shards {
		ids = append(ids, s.ShardID)
	}
	assert.Equal(t, []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002"}, ids)
	calls := cs.Calls()
	require.Len(t, calls, 3)
	assert.Equal(t, "s", calls[0].body["StreamName"])
	assert.NotContains(t, calls[1].body, "StreamName", "a NextToken call must not name the stream (the API rejects both)")
}

func TestListShardsStopsOnARepeatedPage(t *testing.T) {
	cs, tg := startCanned(t, func(string, map[string]any) (int, string) {
		return 200, `{"Shards":[{"ShardId":"shardId-000000000000"}],"NextToken":"again"}`
	})
	shards, err := tg.ListShards(t.Context(), "s")
	require.NoError(t, err)
	assert.Len(t, shards, 1)
	assert.Len(t, cs.Calls(), 2, "stops once a page brings nothing new")
}

func TestUnreachableEndpoint(t *testing.T) {
	var lc net.ListenConfig
	l, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	endpoint := "http://" + l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now

	tg := newTarget(t, endpoint)
	_, err = tg.PutRecords(t.Context(), oneRecord())
	require.Error(t, err)
	var apiErr *stream.APIError
	assert.False(t, errors.As(err, &apiErr), "a refused connection is no service answer: %v", err)
	assert.True(t, stream.Retryable(err), "a transport failure is worth retrying")
}
