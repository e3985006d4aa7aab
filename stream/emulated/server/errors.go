package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

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
// them as Kinesis does: "2 validation errors detected: Value null at
// 'shardId' failed to satisfy constraint: Member must not be null; ...".
// Each member's constraints are checked in the order the model lists them
// (not null, value bounds, pattern, length bounds, enum), members in the
// order each operation gives, and at most maxProblems are reported.
type validation struct{ problems []string }

// maxProblems is how many constraint breaches one answer lists.
const maxProblems = 10

func (v *validation) add(value any, member, constraint string) {
	if len(v.problems) >= maxProblems {
		return
	}
	shown := "null"
	if value != nil {
		shown = "'" + fmt.Sprint(value) + "'"
	}
	v.problems = append(v.problems, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", shown, member, constraint))
}

// strRule is the API model's constraints on one string member.
type strRule struct {
	notNull        bool
	pattern        *regexp.Regexp // matched against the whole value
	minLen, maxLen int            // in characters; maxLen 0 is no bound
}

// pattern compiles a model pattern, anchored as the model means it.
func pattern(p string) *regexp.Regexp { return regexp.MustCompile("^(?:" + p + ")$") }

// The API model's string shapes that many operations share.
var (
	streamNameRule   = strRule{pattern: pattern(`[a-zA-Z0-9_.-]+`), minLen: 1, maxLen: 128}
	streamARNRule    = strRule{pattern: pattern(`arn:aws.*:kinesis:.*:\d{12}:stream/\S+`), minLen: 1, maxLen: 2048}
	shardIDRule      = strRule{notNull: true, pattern: pattern(`[a-zA-Z0-9_.-]+`), minLen: 1, maxLen: 128}
	hashKeyRule      = strRule{pattern: pattern(`0|([1-9]\d{0,38})`)}
	sequenceRule     = strRule{pattern: pattern(`0|([1-9]\d{0,128})`)}
	partitionKeyRule = strRule{notNull: true, minLen: 1, maxLen: stream.MaxPartitionKeyLength}
)

// required is r with the member made mandatory.
func (r strRule) required() strRule { r.notNull = true; return r }

// optional is r with the member made optional.
func (r strRule) optional() strRule { r.notNull = false; return r }

// str checks a string member against its rule.
func (v *validation) str(s *string, member string, r strRule) {
	if s == nil {
		if r.notNull {
			v.add(nil, member, "Member must not be null")
		}
		return
	}
	if r.pattern != nil && !r.pattern.MatchString(*s) {
		v.add(*s, member, "Member must satisfy regular expression pattern: "+strings.TrimSuffix(strings.TrimPrefix(r.pattern.String(), "^(?:"), ")$"))
	}
	n := utf8.RuneCountInString(*s)
	if n < r.minLen {
		v.add(*s, member, fmt.Sprintf("Member must have length greater than or equal to %d", r.minLen))
	}
	if r.maxLen > 0 && n > r.maxLen {
		v.add(*s, member, fmt.Sprintf("Member must have length less than or equal to %d", r.maxLen))
	}
}

// streamRef checks StreamName and StreamARN, which are optional since
// Kinesis took ARNs: naming neither is InvalidArgumentException later.
func (v *validation) streamRef(ref streamRefJSON) {
	v.str(ref.StreamName, "streamName", streamNameRule)
	v.str(ref.StreamARN, "streamARN", streamARNRule)
}

// requiredString checks that a member is present.
func requiredString(v *validation, s *string, member string) {
	if s == nil {
		v.add(nil, member, "Member must not be null")
	}
}

// stringLength checks an optional string's length in characters.
func stringLength(v *validation, s *string, member string, lo, hi int) {
	v.str(s, member, strRule{minLen: lo, maxLen: hi})
}

// requiredInt checks that an integer member is present.
func requiredInt(v *validation, n *int64, member string) {
	if n == nil {
		v.add(nil, member, "Member must not be null")
	}
}

// intRange checks an optional integer.
func intRange(v *validation, n *int64, member string, lo, hi int64) {
	if n == nil {
		return
	}
	if *n < lo {
		v.add(*n, member, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	}
	if *n > hi {
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
