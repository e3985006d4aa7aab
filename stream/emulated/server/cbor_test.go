package server_test

import (
	"encoding/hex"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/eventstream"
	"github.com/fxamacker/cbor/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
)

// cborOf encodes v as a Java SDK would send it (the library's CBOR is
// standard; Kinesis's timestamps are tag 1 over milliseconds, see millis).
func cborOf(t testing.TB, v any) string {
	t.Helper()
	b, err := cbor.Marshal(v)
	require.NoError(t, err, "encoding a CBOR request")
	return string(b)
}

// millis is a timestamp as the Java SDKs write it in CBOR.
func millis(tm time.Time) cbor.Tag { return cbor.Tag{Number: 1, Content: tm.UnixMilli()} }

// rawCall sends one CBOR request and returns the status and the raw body.
func rawCall(t testing.TB, h http.Handler, op, body string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Content-Type", cborType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, cborType, rec.Header().Get("Content-Type"), "%s: response Content-Type", op)
	return rec.Code, rec.Body.Bytes()
}

// TestCBORWritesAndReadsBlobsAndTimestamps writes and reads through the
// CBOR protocol as the Java SDKs speak it: Data as byte strings both ways
// (bytes that are not UTF-8 included) and timestamps as tag 1 over epoch
// milliseconds both ways.
func TestCBORWritesAndReadsBlobsAndTimestamps(t *testing.T) {
	srv := server.New(emulated.New())
	ctx := t.Context()
	require.NoError(t, srv.CreateStream(ctx, &stream.CreateStreamInput{StreamName: "c", ShardCount: 1}))
	data := [][]byte{{0xff, 0x00, 0xfe}, []byte("hello"), {}}
	before := time.Now().Add(-time.Second)

	entries := make([]map[string]any, len(data))
	for i, d := range data {
		entries[i] = map[string]any{"Data": d, "PartitionKey": "k"}
	}
	status, raw := rawCall(t, srv, "PutRecords", cborOf(t, map[string]any{"StreamName": "c", "Records": entries}))
	require.Equal(t, 200, status, "PutRecords: %x", raw)
	var put struct {
		FailedRecordCount int
		Records           []struct{ ShardId, SequenceNumber string }
	}
	require.NoError(t, cbor.Unmarshal(raw, &put))
	require.Zero(t, put.FailedRecordCount, "FailedRecordCount")
	require.Len(t, put.Records, len(data), "one result per record")

	status, raw = rawCall(t, srv, "GetShardIterator", cborOf(t, map[string]any{
		"StreamName": "c", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": millis(before)}))
	require.Equal(t, 200, status, "GetShardIterator: %x", raw)
	var it struct{ ShardIterator string }
	require.NoError(t, cbor.Unmarshal(raw, &it))

	status, raw = rawCall(t, srv, "GetRecords", cborOf(t, map[string]any{"ShardIterator": it.ShardIterator}))
	require.Equal(t, 200, status, "GetRecords: %x", raw)
	var got struct {
		Records []struct {
			Data                        any // to see the CBOR type, not have the decoder convert it
			PartitionKey                string
			ApproximateArrivalTimestamp cbor.RawTag
		}
		NextShardIterator string
	}
	require.NoError(t, cbor.Unmarshal(raw, &got))
	require.Len(t, got.Records, len(data), "records after the AT_TIMESTAMP iterator's time")
	for i, r := range got.Records {
		assert.Equal(t, data[i], r.Data, "record %d: Data is a byte string of the bytes written", i)
		assert.Equal(t, uint64(1), r.ApproximateArrivalTimestamp.Number, "record %d: timestamp tag", i)
		var ms uint64
		require.NoError(t, cbor.Unmarshal(r.ApproximateArrivalTimestamp.Content, &ms), "record %d: tag 1 over an integer", i)
		assert.InDelta(t, time.Now().UnixMilli(), ms, 60e3, "record %d: the integer is epoch milliseconds", i)
	}
	assert.NotEmpty(t, got.NextShardIterator, "NextShardIterator")
}

// TestCBORAsJacksonWritesIt sends requests byte for byte as the Java SDKs'
// Jackson CBORGenerator writes them (indefinite-length maps and arrays),
// written out here rather than by the CBOR library the server uses.
func TestCBORAsJacksonWritesIt(t *testing.T) {
	tests := []struct {
		name, op string
		hex      string
		want     string // a member of the answer
	}{
		// {_ "StreamName": "fixture", "PartitionKey": "k", "Data": h'00ff'}
		{"PutRecord", "PutRecord", "bf" + "6a53747265616d4e616d65" + "6766697874757265" +
			"6c506172746974696f6e4b6579" + "616b" + "6444617461" + "4200ff" + "ff", "SequenceNumber"},
		// {_ "StreamName": "fixture", "Records": [_ {_ "Data": h'01', "PartitionKey": "k"}]}
		{"PutRecords", "PutRecords", "bf" + "6a53747265616d4e616d65" + "6766697874757265" +
			"675265636f726473" + "9f" + "bf" + "6444617461" + "4101" + "6c506172746974696f6e4b6579" + "616b" + "ff" + "ff" + "ff", "FailedRecordCount"},
		// {_ "StreamName": "fixture", "ShardId": "shardId-000000000000",
		//    "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": 1(1700000000123)}
		{"AT_TIMESTAMP", "GetShardIterator", "bf" + "6a53747265616d4e616d65" + "6766697874757265" +
			"6753686172644964" + "74736861726449642d303030303030303030303030" +
			"7153686172644974657261746f7254797065" + "6c41545f54494d455354414d50" +
			"6954696d657374616d70" + "c1" + "1b0000018bcfe5687b" + "ff", "ShardIterator"},
	}
	srv := newFixture(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, err := hex.DecodeString(tc.hex)
			require.NoError(t, err, "the test's hex")
			status, raw := rawCall(t, srv, tc.op, string(body))
			var out map[string]any
			require.NoError(t, cbor.Unmarshal(raw, &out), "response is CBOR: %x", raw)
			require.Equal(t, 200, status, "HTTP status; body %v", out)
			assert.Contains(t, out, tc.want, "answer %v", out)
		})
	}
}

// TestCBORErrorsAreAWSShaped checks CBOR bodies that fail get the error AWS
// sends, as a CBOR map of __type and message.
func TestCBORErrorsAreAWSShaped(t *testing.T) {
	tests := []struct {
		name, op    string
		body        string
		wantType    string
		wantMessage string // a substring of the message
	}{
		// Cut short inside a map: no CBOR at all, Kinesis's bare answer.
		{"truncated", "ListShards", "\xa1\x6aStreamName", "SerializationException", ""},
		// A text string where a member wants an integer.
		{"wrong member type", "CreateStream", cborOf(t, map[string]any{"StreamName": "s", "ShardCount": "two"}), "SerializationException", "int64"},
		// A second item after the map.
		{"trailing data", "ListStreams", "\xa0\xa0", "SerializationException", ""},
		// An array, not a map, at the top.
		{"not a map", "ListStreams", "\x80", "SerializationException", "CBOR array"},
		// A timestamp as an RFC 3339 string (tag 0), not tag 1.
		{"tag 0 timestamp", "GetShardIterator", cborOf(t, map[string]any{"StreamName": "fixture", "ShardId": "shardId-000000000000",
			"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": cbor.Tag{Number: 0, Content: "2025-01-01T00:00:00Z"}}), "SerializationException", "tag 0"},
		// A timestamp that is no number at all.
		{"text timestamp", "GetShardIterator", cborOf(t, map[string]any{"StreamName": "fixture", "ShardId": "shardId-000000000000",
			"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": "yesterday"}), "SerializationException", "epoch milliseconds"},
		// A text string that is not UTF-8.
		{"invalid UTF-8", "ListShards", "\xa1\x6aStreamName\x62\xff\xfe", "SerializationException", "UTF-8"},
		// A required member left out: validation runs after CBOR as after JSON.
		{"missing ShardId", "GetShardIterator", cborOf(t, map[string]any{"StreamName": "fixture", "ShardIteratorType": "LATEST"}), "ValidationException", "Value null at 'shardId'"},
		// An operation Kinesis does not have: a bare answer.
		{"unknown operation", "FlyToTheMoon", "\xa0", "UnknownOperationException", ""},
		// A stream that does not exist.
		{"unknown stream", "DescribeStreamSummary", cborOf(t, map[string]any{"StreamName": "nope"}), "ResourceNotFoundException", "nope"},
	}
	srv := newFixture(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, raw := rawCall(t, srv, tc.op, tc.body)
			var out struct {
				Type    string `cbor:"__type"`
				Message string `cbor:"message"`
			}
			require.NoError(t, cbor.Unmarshal(raw, &out), "the error is a CBOR map: %x", raw)
			assert.Equal(t, 400, status, "HTTP status; body %+v", out)
			assert.Equal(t, tc.wantType, out.Type, "__type; message %s", out.Message)
			if tc.wantMessage == "" {
				assert.Equal(t, []string{"__type"}, slices.Collect(maps.Keys(cborMap(t, raw))), "a bare answer has no message")
				return
			}
			assert.Contains(t, out.Message, tc.wantMessage, "message")
		})
	}
}

func cborMap(t *testing.T, raw []byte) map[string]any {
	var m map[string]any
	require.NoError(t, cbor.Unmarshal(raw, &m))
	return m
}

// TestCBORSubscribeToShard subscribes in CBOR, as the Java SDK v2 does:
// the event stream's payloads are CBOR, Data a byte string.
func TestCBORSubscribeToShard(t *testing.T) {
	srv := server.New(emulated.New(emulated.WithConsumerDelay(0)))
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	require.NoError(t, srv.CreateStream(t.Context(), &stream.CreateStreamInput{StreamName: "efo", ShardCount: 1}))
	streamARN := "arn:aws:kinesis:us-east-1:111111111111:stream/efo"
	status, raw := rawCall(t, srv, "PutRecord", cborOf(t, map[string]any{"StreamName": "efo", "PartitionKey": "k", "Data": []byte{0xde, 0xad}}))
	require.Equal(t, 200, status, "PutRecord: %x", raw)
	status, raw = rawCall(t, srv, "RegisterStreamConsumer", cborOf(t, map[string]any{"StreamARN": streamARN, "ConsumerName": "java"}))
	require.Equal(t, 200, status, "RegisterStreamConsumer: %x", raw)
	var registered struct{ Consumer struct{ ConsumerARN string } }
	require.NoError(t, cbor.Unmarshal(raw, &registered))

	body := cborOf(t, map[string]any{"ConsumerARN": registered.Consumer.ConsumerARN, "ShardId": "shardId-000000000000",
		"StartingPosition": map[string]any{"Type": "TRIM_HORIZON"}})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, hs.URL, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
	req.Header.Set("Content-Type", cborType)
	resp, err := hs.Client().Do(req)
	require.NoError(t, err, "SubscribeToShard")
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, "SubscribeToShard status")

	dec := eventstream.NewDecoder()
	var payloads [][]byte
	for _, want := range []string{"initial-response", "SubscribeToShardEvent"} {
		msg, err := dec.Decode(resp.Body, nil)
		require.NoError(t, err, "reading the %s message", want)
		assert.Equal(t, want, msg.Headers.Get(":event-type").String(), "event type")
		assert.Equal(t, cborType, msg.Headers.Get(":content-type").String(), "event :content-type")
		payloads = append(payloads, msg.Payload)
	}
	assert.Equal(t, []byte{0xa0}, payloads[0], "the initial response is an empty CBOR map")
	var event struct {
		Records []struct {
			Data                        []byte
			ApproximateArrivalTimestamp cbor.RawTag
		}
		ContinuationSequenceNumber string
	}
	require.NoError(t, cbor.Unmarshal(payloads[1], &event), "the event is CBOR: %x", payloads[1])
	require.Len(t, event.Records, 1, "the record written")
	assert.Equal(t, []byte{0xde, 0xad}, event.Records[0].Data, "Data")
	assert.Equal(t, uint64(1), event.Records[0].ApproximateArrivalTimestamp.Number, "timestamp tag")
	assert.NotEmpty(t, event.ContinuationSequenceNumber, "ContinuationSequenceNumber")
}
