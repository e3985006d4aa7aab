package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/kinesim/kinesim/stream"
)

// Kinesis's front end: what it answers before any operation runs, in the
// order it checks (kinesalite recorded these answers against Kinesis; its
// connection tests hold them):
//
//  1. A method other than POST: 403 with an XML AccessDeniedException.
//  2. An empty body: 400 {"__type": SerializationException} when the target
//     names an operation, UnknownOperationException when it does not; in
//     JSON for application/x-amz-json-1.1, in CBOR for any other type.
//  3. A Content-Type that is not application/x-amz-json-1.1,
//     application/x-amz-cbor-1.1 or application/json: 403 XML
//     AccessDeniedException when the target has no "Service.Operation"
//     shape, else 404 XML UnknownOperationException.
//  4. application/json (Kinesis's deprecated JSON 1.0 protocol): 400 or 404
//     in that protocol's {"Output": {...}, "Version": "1.0"} shape.
//  5. A target that is not Kinesis_20131202.<an operation served>: 400
//     {"__type": UnknownOperationException}.
//
// A body that is not a JSON or CBOR document is then the operation's
// SerializationException, with only a __type (see decodeBody). None of these
// bare answers has a message: Kinesis sends none.

// frontAnswer is an answer the front end gives instead of an operation's.
type frontAnswer struct {
	status      int
	contentType string // "" for none
	body        []byte
}

func xmlAnswer(status int, typ, msg string) *frontAnswer {
	body := "<" + typ + "/>\n"
	if msg != "" {
		body = "<" + typ + ">\n  <Message>" + msg + "</Message>\n</" + typ + ">\n"
	}
	return &frontAnswer{status: status, body: []byte(body)}
}

func bareAnswer(c codec, status int, typ string) *frontAnswer {
	body, _ := c.encode(map[string]string{"__type": typ})
	return &frontAnswer{status: status, contentType: c.contentType, body: body}
}

func deprecatedAnswer(status int, typ string) *frontAnswer {
	body, _ := json.Marshal(map[string]any{"Output": map[string]string{"__type": "com.amazon.coral.service#" + typ}, "Version": "1.0"})
	return &frontAnswer{status: status, contentType: "application/json", body: body}
}

// front applies checks 2 to 5 to a POST whose body has been read. It
// returns the codec and operation to serve, or the answer to give instead.
func (s *Server) front(r *http.Request, body []byte) (codec, operation, *frontAnswer) {
	media, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	media = strings.TrimSpace(media)
	service, opName, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	serveOp := s.ops[opName]
	known := service+"." == targetPrefix && serveOp != nil
	if len(body) == 0 {
		c := cborCodec
		if media == jsonContentType {
			c = jsonCodec
		}
		if known {
			return c, nil, bareAnswer(c, http.StatusBadRequest, codeSerialization)
		}
		return c, nil, bareAnswer(c, http.StatusBadRequest, codeUnknownOperation)
	}
	var c codec
	switch media {
	case jsonContentType:
		c = jsonCodec
	case cborContentType:
		c = cborCodec
	case "application/json":
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) {
			return jsonCodec, nil, deprecatedAnswer(http.StatusNotFound, codeUnknownOperation)
		}
		return jsonCodec, nil, deprecatedAnswer(http.StatusBadRequest, codeSerialization)
	default:
		if service == "" || opName == "" {
			return jsonCodec, nil, xmlAnswer(http.StatusForbidden, "AccessDeniedException", "Unable to determine service/operation name to be authorized")
		}
		return jsonCodec, nil, xmlAnswer(http.StatusNotFound, codeUnknownOperation, "")
	}
	if !known {
		return c, nil, bareAnswer(c, http.StatusBadRequest, codeUnknownOperation)
	}
	return c, serveOp, nil
}

// write sends a front-end answer, with its length.
func (a *frontAnswer) write(w http.ResponseWriter) {
	if a.contentType != "" {
		w.Header().Set("Content-Type", a.contentType)
	} else {
		w.Header()["Content-Type"] = nil // as Kinesis: none, not a sniffed one
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// readBody reads a request's body up to the server's cap.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, stream.Errorf(stream.CodeValidation, "the request body exceeds this server's cap of %d bytes", tooLarge.Limit)
		}
		return nil, serializationError("reading the request body: %v", err)
	}
	return body, nil
}

// errMalformed marks a body that is no JSON or CBOR document of the
// request's shape at all: Kinesis answers a bare SerializationException.
var errMalformed = errors.New("malformed request body")
