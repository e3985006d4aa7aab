package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHandler sends arbitrary operations and bodies to the server. Whatever
// comes in, the answer is a JSON body, and an error is a client error with
// a __type: never a panic (which the server would turn into a 500
// InternalFailure), never a hang. Its seeds are in testdata/fuzz/FuzzHandler
// and run in every `go test`; fuzz with
//
//	go test -run '^$' -fuzz FuzzHandler -fuzztime 1m ./stream/emulated/server/
func FuzzHandler(f *testing.F) {
	srv := newFixture(f)
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
		req.Header.Set("Content-Type", jsonType)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %q: the response is not a JSON object: %v: %q", op, body, err, rec.Body.String())
		}
		switch {
		case rec.Code == http.StatusOK:
		case rec.Code == http.StatusBadRequest:
			if _, ok := out["__type"].(string); !ok {
				t.Fatalf("%s %q: error without __type: %s", op, body, rec.Body.String())
			}
		default:
			t.Fatalf("%s %q: HTTP %d, want 200 or 400: %s", op, body, rec.Code, rec.Body.String())
		}
	})
}
