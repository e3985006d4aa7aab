package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// The two encodings the Kinesis API is spoken in. Every operation decodes
// its request into the same Go struct and encodes the same response struct
// in either; only the codec differs.
//
// JSON 1.1 (application/x-amz-json-1.1) is what the Go, Python, JavaScript
// and .NET SDKs and the AWS CLI send: blobs in base64, timestamps as epoch
// seconds with a fraction.
//
// CBOR (application/x-amz-cbor-1.1) is what the Java SDK v1 (and so KCL 1.x)
// and the Java SDK v2 (KCL 2.x) send to Kinesis unless CBOR is disabled
// (AWS_CBOR_DISABLE, com.amazonaws.sdk.disableCbor, aws.cborEnabled=false).
// It is the JSON 1.1 protocol's data model in CBOR (RFC 8949): the same
// X-Amz-Target, the same member names as text-string map keys, blobs as
// byte strings (major type 2) rather than base64, and errors as a map with
// __type and message. What this relies on, from the Java SDKs, the only
// clients that speak it:
//
//   - Timestamps are tag 1 over an integer of epoch MILLISECONDS, not the
//     seconds RFC 8949 gives tag 1: the Java SDK v1's SdkCborGenerator
//     writes tag 1 then Date.getTime(), and the Java SDK v2's
//     AwsCborProtocolFactory makes UNIX_TIMESTAMP_MILLIS the default
//     format of payload timestamps, for writing and reading. Responses
//     carry the same; requests are read so too, whatever the number's
//     CBOR type (integer or float), tagged or not.
//   - Maps and arrays may have indefinite length (Jackson's CBORGenerator
//     writes them so); both lengths are read, and responses use definite
//     ones.
//   - Event-stream messages of a CBOR SubscribeToShard carry CBOR payloads
//     (:content-type application/x-amz-cbor-1.1), as the Java SDK v2 reads
//     events with the client's one protocol factory.
//
// Smithy's RPC v2 CBOR protocol (application/cbor, POST
// /service/NAME/operation/OP, tag 1 over seconds) is a different protocol
// that Kinesis does not speak; this server does not serve it.
type codec struct {
	contentType string
	// eventContentType is the :content-type of event-stream messages.
	eventContentType string
	decode           func(body []byte, v any) error
	encode           func(v any) ([]byte, error)
}

const (
	jsonContentType = "application/x-amz-json-1.1"
	cborContentType = "application/x-amz-cbor-1.1"
)

var (
	jsonCodec = codec{contentType: jsonContentType, eventContentType: "application/json", decode: decodeBody, encode: json.Marshal}
	cborCodec = codec{contentType: cborContentType, eventContentType: cborContentType, decode: decodeCBOR, encode: cborEncoding.Marshal}
)

// cborDecoding reads requests. Its limits bound what a hostile body can
// make the server allocate beyond the body cap; unknown members are
// ignored, as in JSON.
var cborDecoding = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		MaxNestedLevels:  32,
		MaxArrayElements: 1 << 17,
		MaxMapPairs:      1 << 17,
		IndefLength:      cbor.IndefLengthAllowed,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return dm
}()

// cborEncoding writes responses, with definite lengths.
var cborEncoding = func() cbor.EncMode {
	em, err := cbor.EncOptions{IndefLength: cbor.IndefLengthForbidden}.EncMode()
	if err != nil {
		panic(err)
	}
	return em
}()

// decodeCBOR decodes one CBOR map into v. An empty body decodes as {}.
func decodeCBOR(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if err := cborDecoding.Unmarshal(body, v); err != nil {
		var typeErr *cbor.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fmt.Errorf("want a %s, got a CBOR %s", typeErr.GoType, typeErr.CBORType)
		}
		if cborDecoding.Wellformed(body) != nil {
			return fmt.Errorf("%w: malformed CBOR: %v", errMalformed, err)
		}
		return err
	}
	return nil
}

// cborEpochTag is the CBOR tag of an epoch-based time.
const cborEpochTag = 1

// MarshalCBOR writes tag 1 over epoch milliseconds, as Kinesis sends
// timestamps in CBOR (see codec).
func (t epochTime) MarshalCBOR() ([]byte, error) {
	return cborEncoding.Marshal(cbor.Tag{Number: cborEpochTag, Content: time.Time(t).UnixMilli()})
}

// UnmarshalCBOR reads epoch milliseconds, tagged 1 or not (see codec).
func (t *epochTime) UnmarshalCBOR(b []byte) error {
	var tag cbor.RawTag
	content := b
	if err := cborDecoding.Unmarshal(b, &tag); err == nil {
		if tag.Number != cborEpochTag {
			return fmt.Errorf("a timestamp has CBOR tag %d, want tag 1 (epoch time)", tag.Number)
		}
		content = tag.Content
	}
	var ms *float64
	if err := cborDecoding.Unmarshal(content, &ms); err != nil {
		return errors.New("a timestamp is not a number of epoch milliseconds")
	}
	if ms == nil {
		return nil // null, as JSON's null: the member is absent
	}
	if math.IsNaN(*ms) || math.IsInf(*ms, 0) || math.Abs(*ms) > 1e14 {
		return fmt.Errorf("timestamp %v is not a number of epoch milliseconds", *ms)
	}
	whole, frac := math.Modf(*ms)
	*t = epochTime(time.UnixMilli(int64(whole)).Add(time.Duration(frac * float64(time.Millisecond))))
	return nil
}
