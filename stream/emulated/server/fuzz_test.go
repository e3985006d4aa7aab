package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// FuzzHandler sends arbitrary operations and bodies to the server, in JSON
// or (with useCBOR) in CBOR. Whatever comes in, the answer is a map in the
// request's encoding, and an error is a client error with a __type: never a
// panic (which the server would turn into a 500 InternalFailure), never a
// hang. Its seeds are in testdata/fuzz/FuzzHandler and run in every `go
// test`; fuzz with
//
//	go test -run '^$' -fuzz FuzzHandler -fuzztime 1m ./stream/emulated/server/
func FuzzHandler(f *testing.F) {
	srv := newFixture(f)
	f.Fuzz(func(t *testing.T, op string, body []byte, useCBOR bool) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
		contentType, unmarshal := jsonType, json.Unmarshal
		if useCBOR {
			contentType, unmarshal = cborType, cbor.Unmarshal
		}
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if got := rec.Header().Get("Content-Type"); got != contentType {
			t.Fatalf("%s %q: response Content-Type %s, want %s", op, body, got, contentType)
		}
		if rec.Code == http.StatusOK && rec.Body.Len() == 0 {
			return // an operation that returns nothing: an empty body, as Kinesis sends
		}
		var out map[string]any
		if err := unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %q: the response is not a %s map: %v: %q", op, body, contentType, err, rec.Body.String())
		}
		switch {
		case rec.Code == http.StatusOK:
		case rec.Code == http.StatusBadRequest:
			if _, ok := out["__type"].(string); !ok {
				t.Fatalf("%s %q: error without __type: %v", op, body, out)
			}
		default:
			t.Fatalf("%s %q: HTTP %d, want 200 or 400: %v", op, body, rec.Code, out)
		}
	})
}
