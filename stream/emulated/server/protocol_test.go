package server_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
)

// fixtureStream is the stream newFixture creates, with one shard.
const fixtureStream = "fixture"

// newFixture is a server whose emulator holds fixtureStream, with a 4 KiB
// body cap so that oversize bodies are cheap to make.
func newFixture(t testing.TB) *server.Server {
	t.Helper()
	srv := server.New(emulated.New(), server.WithMaxBodyBytes(4<<10))
	require.NoError(t, srv.CreateStream(t.Context(), &stream.CreateStreamInput{StreamName: fixtureStream, ShardCount: 1}))
	return srv
}

// call sends one request as an SDK would and returns the status and the
// body, decoded as its Content-Type says (JSON or CBOR).
func call(t testing.TB, h http.Handler, method, target, contentType, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250601/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	var out map[string]any
	if len(raw) == 0 && rec.Code == http.StatusOK {
		return rec.Code, map[string]any{} // an operation that returns nothing
	}
	if ct := rec.Header().Get("Content-Type"); ct == cborType {
		require.NoError(t, cbor.Unmarshal(raw, &out), "response body is CBOR: %x", raw)
	} else {
		require.Equal(t, jsonType, ct, "response Content-Type")
		require.NoError(t, json.Unmarshal(raw, &out), "response body is JSON: %s", raw)
	}
	return rec.Code, out
}

const (
	jsonType = "application/x-amz-json-1.1"
	cborType = "application/x-amz-cbor-1.1"
)

func TestRequestErrorsAreAWSShaped(t *testing.T) {
	bigRecord := base64.StdEncoding.EncodeToString(make([]byte, 600<<10)) // two exceed 1 MiB/s
	tests := []struct {
		name              string
		method, op, ctype string
		body              string
		wantStatus        int
		wantType          string
		wantMessage       string // a substring of the message
	}{
		// A member of the wrong JSON type.
		{"wrong member type", "POST", "CreateStream", jsonType, `{"StreamName":"s","ShardCount":"two"}`, 400, "SerializationException", "class java.lang.String can not be converted to an Integer"},
		// Data that is not base64.
		{"bad base64", "POST", "PutRecord", jsonType, `{"StreamName":"fixture","PartitionKey":"k","Data":"***"}`, 400, "SerializationException", "can not be converted to a Blob"},
		// A body past the cap (4 KiB here).
		{"oversize body", "POST", "PutRecord", jsonType, `{"StreamName":"fixture","PartitionKey":"k","Data":"` + strings.Repeat("A", 8<<10) + `"}`, 400, "ValidationException", "4096 bytes"},
		// A required member left out.
		{"missing ShardId", "POST", "GetShardIterator", jsonType, `{"StreamName":"fixture","ShardIteratorType":"LATEST"}`, 400, "ValidationException", "Value null at 'shardId'"},
		// Two constraints broken at once are both named.
		{"two validation errors", "POST", "CreateStream", jsonType, `{"ShardCount":0}`, 400, "ValidationException", "2 validation errors detected"},
		// An enum member with a value outside the set.
		{"bad iterator type", "POST", "GetShardIterator", jsonType, `{"StreamName":"fixture","ShardId":"shardId-000000000000","ShardIteratorType":"OLDEST"}`, 400, "ValidationException", "enum value set"},
		// No stream named at all.
		{"no stream", "POST", "ListShards", jsonType, `{}`, 400, "InvalidArgumentException", "StreamName or StreamARN"},
		// A stream that does not exist.
		{"unknown stream", "POST", "DescribeStreamSummary", jsonType, `{"StreamName":"nope"}`, 400, "ResourceNotFoundException", "nope"},
		// An ARN that is not a stream's breaks the model's StreamARN pattern.
		{"bad ARN", "POST", "DescribeStreamSummary", jsonType, `{"StreamARN":"arn:aws:s3:::bucket"}`, 400, "ValidationException", "regular expression pattern: arn:aws.*:kinesis:"},
		// Name and ARN that disagree.
		{"name and ARN disagree", "POST", "ListShards", jsonType, `{"StreamName":"fixture","StreamARN":"arn:aws:kinesis:us-east-1:111111111111:stream/other"}`, 400, "InvalidArgumentException", "different streams"},
		// PutRecords with no records.
		{"empty batch", "POST", "PutRecords", jsonType, `{"StreamName":"fixture","Records":[]}`, 400, "ValidationException", "'records'"},
		// A record without a partition key.
		{"record without key", "POST", "PutRecords", jsonType, `{"StreamName":"fixture","Records":[{"Data":""}]}`, 400, "ValidationException", "records.1.member.partitionKey"},
		// GetRecords' Limit above 10,000 is the emulator's InvalidArgumentException, as on AWS.
		{"limit too high", "POST", "GetRecords", jsonType, `{"ShardIterator":"x","Limit":10001}`, 400, "InvalidArgumentException", "Limit 10001"},
		// An iterator the server never issued.
		{"bad iterator", "POST", "GetRecords", jsonType, `{"ShardIterator":"not-an-iterator"}`, 400, "InvalidArgumentException", "ShardIterator"},
		// NextToken together with the stream name.
		{"NextToken with StreamName", "POST", "ListShards", jsonType, `{"StreamName":"fixture","NextToken":"abc"}`, 400, "InvalidArgumentException", "cannot be provided together"},
		// A NextToken the server never issued.
		{"bad NextToken", "POST", "ListShards", jsonType, `{"NextToken":"abc"}`, 400, "InvalidArgumentException", "NextToken"},
		// A retention below the 24-hour minimum (Kinesis checks the minimum first).
		{"retention increase below current", "POST", "IncreaseStreamRetentionPeriod", jsonType, `{"StreamName":"fixture","RetentionPeriodHours":12}`, 400, "InvalidArgumentException", "Minimum allowed retention period is 24 hours"},
		// A split at a key outside the shard.
		{"split outside shard", "POST", "SplitShard", jsonType, `{"StreamName":"fixture","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"0"}`, 400, "InvalidArgumentException", "NewStartingHashKey"},
		// A second 600 KiB record within the same second exceeds the shard's write limit.
		{"throttled PutRecord", "POST", "PutRecord", jsonType, `{"StreamName":"fixture","PartitionKey":"k","Data":"` + bigRecord + `"}`, 400, "ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000000"},
	}
	srv := newFixture(t)
	// Time stands still for this server, so the shard's write bucket does not
	// refill between the two records however slow the machine is.
	big := server.New(emulated.New(emulated.WithClock(newManualClock())))
	require.NoError(t, big.CreateStream(t.Context(), &stream.CreateStreamInput{StreamName: fixtureStream, ShardCount: 1}))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Handler(srv)
			if tc.wantType == "ProvisionedThroughputExceededException" {
				h = big // needs a body over the fixture's cap
				status, _ := call(t, h, tc.method, "Kinesis_20131202."+tc.op, tc.ctype, tc.body)
				require.Equal(t, 200, status, "the first 600 KiB record fits the shard's limit")
			}
			target := tc.op
			if tc.op != "" && !strings.Contains(tc.op, ".") {
				target = "Kinesis_20131202." + tc.op
			}
			status, body := call(t, h, tc.method, target, tc.ctype, tc.body)
			assert.Equal(t, tc.wantStatus, status, "HTTP status; body %v", body)
			assert.Equal(t, tc.wantType, body["__type"], "__type; body %v", body)
			assert.Contains(t, body[messageKey(tc.wantType)], tc.wantMessage, "message; body %v", body)
		})
	}
}

// messageKey is the member an error's message is in: Kinesis spells it
// Message for SerializationException, message for the rest.
func messageKey(code string) string {
	if code == "SerializationException" {
		return "Message"
	}
	return "message"
}
