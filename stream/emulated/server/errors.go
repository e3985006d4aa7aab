package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kinesim/kinesim/stream"
)

// Protocol-level error codes AWS answers before an operation runs.
const (
	// codeSerialization: the body is not the JSON or CBOR the operation takes.
	codeSerialization = "SerializationException"
	// codeUnknownOperation: X-Amz-Target names no operation this server has.
	codeUnknownOperation = "UnknownOperationException"
)

// statusOf is the HTTP status AWS answers an error code with: 500 for
// InternalFailure and 503 for ServiceUnavailable, which the SDKs retry by
// status; 400 for everything else, throttling included (the SDKs retry
// ProvisionedThroughputExceededException by its code).
func statusOf(code string) int {
	switch code {
	case stream.CodeInternalFailure:
		return http.StatusInternalServerError
	case stream.CodeServiceUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// asAPIError turns any error from the emulator into the code and message a
// client sees. A context error means the client went away or the server is
// shutting down; anything else unexpected is InternalFailure.
func asAPIError(err error) *stream.APIError {
	var api *stream.APIError
	if errors.As(err, &api) {
		return api
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &stream.APIError{Code: stream.CodeServiceUnavailable, Message: "the request was canceled: " + err.Error()}
	}
	return &stream.APIError{Code: stream.CodeInternalFailure, Message: err.Error()}
}

func serializationError(format string, args ...any) *stream.APIError {
	return stream.Errorf(codeSerialization, format, args...)
}

func invalidArgument(format string, args ...any) *stream.APIError {
	return stream.Errorf(stream.CodeInvalidArgument, format, args...)
}

// validation collects breaches of the API model's constraints and reports
// them as AWS does: "2 validation errors detected: Value null at
// 'streamName' failed to satisfy constraint: Member must not be null; ...".
type validation struct{ problems []string }

func (v *validation) add(value any, member, constraint string) {
	shown := "null"
	switch x := value.(type) {
	case nil:
	case string:
		shown = "'" + x + "'"
	default:
		shown = fmt.Sprint(x)
	}
	v.problems = append(v.problems, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", shown, member, constraint))
}

// required checks that a member is present.
func requiredString(v *validation, s *string, member string) {
	if s == nil {
		v.add(nil, member, "Member must not be null")
	}
}

// stringLength checks an optional string's length in bytes.
func stringLength(v *validation, s *string, member string, lo, hi int) {
	if s != nil && (len(*s) < lo || len(*s) > hi) {
		v.add(*s, member, fmt.Sprintf("Member must have length between %d and %d, inclusive", lo, hi))
	}
}

// intRange checks an optional integer.
func intRange(v *validation, n *int64, member string, lo, hi int64) {
	if n == nil {
		return
	}
	if *n < lo {
		v.add(*n, member, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	} else if *n > hi {
		v.add(*n, member, fmt.Sprintf("Member must have value less than or equal to %d", hi))
	}
}

// oneOf checks an optional enum member.
func oneOf(v *validation, s *string, member string, values ...string) {
	if s == nil {
		return
	}
	for _, ok := range values {
		if *s == ok {
			return
		}
	}
	v.add(*s, member, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

// err returns the ValidationException, or nil when nothing broke.
func (v *validation) err() error {
	switch n := len(v.problems); n {
	case 0:
		return nil
	case 1:
		return stream.Errorf(stream.CodeValidation, "1 validation error detected: %s", v.problems[0])
	default:
		return stream.Errorf(stream.CodeValidation, "%d validation errors detected: %s", n, strings.Join(v.problems, "; "))
	}
}
