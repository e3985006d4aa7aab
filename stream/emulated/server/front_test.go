package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// frontRow is a request Kinesis's front end answers before any operation
// runs, and its exact answer: status, Content-Type and body (issue 17,
// item 8). kinesalite's connection tests recorded these against Kinesis.
type frontRow struct {
	name                  string
	method, target, ct    string
	body                  string
	status                int
	wantCT                string
	wantBody              string // JSON, or XML when wantCT is ""
	wantCBOR              map[string]any
	differsFromKinesalite string
}

const (
	accessDenied = "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n"
	listStreams  = "Kinesis_20131202.ListStreams"
)

var frontRows = []frontRow{
	{name: "GET", method: "GET", target: listStreams, ct: jsonType, status: 403, wantBody: accessDenied},
	{name: "no body, no type, no target", method: "POST", status: 400, wantCT: cborType, wantCBOR: map[string]any{"__type": "UnknownOperationException"}},
	{name: "no body", method: "POST", target: listStreams, ct: jsonType, status: 400, wantCT: jsonType, wantBody: `{"__type":"SerializationException"}`},
	{name: "no body, JSON 1.0", method: "POST", target: listStreams, ct: "application/x-amz-json-1.0", status: 400, wantCT: cborType, wantCBOR: map[string]any{"__type": "SerializationException"}},
	{name: "a body and no type or target", method: "POST", body: "{}", status: 403, wantBody: accessDenied},
	{name: "JSON 1.0", method: "POST", target: listStreams, ct: "application/x-amz-json-1.0", body: "{}", status: 404, wantBody: "<UnknownOperationException/>\n"},
	{name: "RPC v2 CBOR's type", method: "POST", target: listStreams, ct: "application/cbor", body: "\xa0", status: 404, wantBody: "<UnknownOperationException/>\n"},
	{name: "deprecated JSON", method: "POST", target: listStreams, ct: "application/json", body: "{}", status: 404, wantCT: "application/json",
		wantBody: `{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"}`},
	{name: "deprecated JSON not parsed", method: "POST", target: listStreams, ct: "  application/json  ;", body: "hello", status: 400, wantCT: "application/json",
		wantBody: `{"Output":{"__type":"com.amazon.coral.service#SerializationException"},"Version":"1.0"}`},
	{name: "unknown operation", method: "POST", target: "Kinesis_20131202.FlyToTheMoon", ct: jsonType, body: "{}", status: 400, wantCT: jsonType, wantBody: `{"__type":"UnknownOperationException"}`},
	{name: "an operation's prefix", method: "POST", target: "Kinesis_20131202.ListStream", ct: jsonType, body: "{}", status: 400, wantCT: jsonType, wantBody: `{"__type":"UnknownOperationException"}`},
	{name: "another service", method: "POST", target: "DynamoDB_20120810.ListTables", ct: jsonType, body: "{}", status: 400, wantCT: jsonType, wantBody: `{"__type":"UnknownOperationException"}`},
	{name: "no target", method: "POST", ct: jsonType, body: "{}", status: 400, wantCT: jsonType, wantBody: `{"__type":"UnknownOperationException"}`},
	{name: "unknown operation in CBOR", method: "POST", target: "Kinesis_20131202.FlyToTheMoon", ct: cborType, body: "\xa0", status: 400, wantCT: cborType, wantCBOR: map[string]any{"__type": "UnknownOperationException"}},
	{name: "not JSON", method: "POST", target: listStreams, ct: jsonType, body: "hello", status: 400, wantCT: jsonType, wantBody: `{"__type":"SerializationException"}`},
	{name: "JSON cut short", method: "POST", target: "Kinesis_20131202.ListShards", ct: jsonType, body: `{"StreamName":`, status: 400, wantCT: jsonType, wantBody: `{"__type":"SerializationException"}`},
	{name: "a type with parameters", method: "POST", target: listStreams, ct: "   application/x-amz-json-1.1   ;whatever", body: "{}", status: 200, wantCT: jsonType,
		wantBody:              `{"StreamNames":[],"HasMoreStreams":false,"StreamSummaries":[]}`,
		differsFromKinesalite: "kinesalite answers without StreamSummaries (older Kinesis)"},
	{name: "an empty success", method: "POST", target: "Kinesis_20131202.CreateStream", ct: jsonType, body: `{"StreamName":"empty-answer","ShardCount":1}`, status: 200, wantCT: jsonType, wantBody: ""},
}

// TestFrontEndAnswers sends each row to the emulate server and to
// kinesalite over loopback HTTP and checks the whole answer, its
// Content-Length included.
func TestFrontEndAnswers(t *testing.T) {
	_, emulate := serve(t, emulated.New())
	for _, row := range frontRows {
		t.Run("emulate/"+row.name, func(t *testing.T) { checkFront(t, emulate, row) })
	}
	kinesalite := kinesistest.StartKinesalite(t)
	for _, row := range frontRows {
		t.Run("kinesalite/"+row.name, func(t *testing.T) {
			if row.differsFromKinesalite != "" {
				t.Skip(row.differsFromKinesalite)
			}
			checkFront(t, kinesalite.Endpoint, row)
		})
	}
}

func checkFront(t *testing.T, endpoint string, row frontRow) {
	t.Helper()
	var body io.Reader
	if row.body != "" {
		body = strings.NewReader(row.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), row.method, endpoint+"/", body)
	require.NoError(t, err)
	if row.target != "" {
		req.Header.Set("X-Amz-Target", row.target)
	}
	if row.ct != "" {
		req.Header.Set("Content-Type", row.ct)
	}
	req.Header.Set("X-Amz-Date", "20250601T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250601/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, row.status, resp.StatusCode, "status; body %q", raw)
	assert.Equal(t, row.wantCT, resp.Header.Get("Content-Type"), "Content-Type")
	assert.Equal(t, strconv.Itoa(len(raw)), resp.Header.Get("Content-Length"), "Content-Length, not a chunked body")
	switch {
	case row.wantCBOR != nil:
		var got map[string]any
		require.NoError(t, cbor.Unmarshal(raw, &got), "CBOR body %x", raw)
		assert.Equal(t, row.wantCBOR, got)
	case row.wantCT != "" && row.wantBody != "":
		var got, want any
		require.NoError(t, json.Unmarshal(raw, &got), "JSON body %s", raw)
		require.NoError(t, json.Unmarshal([]byte(row.wantBody), &want))
		assert.Equal(t, want, got)
	default:
		assert.Equal(t, row.wantBody, string(raw))
	}
}
