package delivery

import (
	"errors"
	"fmt"
)

// Error codes as Firehose names them in responses (`__type` and ErrorCode).
// Source: Firehose API reference, the Errors section of each operation and
// PutRecordBatchResponseEntry.
const (
	// CodeServiceUnavailable: over the stream's throughput quota (or the
	// service is unavailable); back off and retry. Per record in
	// PutRecordBatch, for the whole call in PutRecord.
	CodeServiceUnavailable = "ServiceUnavailableException"
	// CodeInternalFailure: a record failed inside Firehose (per record only).
	CodeInternalFailure = "InternalFailure"
	CodeInvalidArgument = "InvalidArgumentException"
	CodeNotFound        = "ResourceNotFoundException"
	CodeInUse           = "ResourceInUseException"
	CodeLimitExceeded   = "LimitExceededException"
	// CodeValidation: the request breaks a constraint of the API model
	// (more than 500 records, a record over 1,000 KiB).
	CodeValidation = "ValidationException"
)

// SlowDown is the message Firehose gives a throttled record or call:
// "Slow down." (seen in PutRecordBatch responses, e.g. boto/boto3#2804 and
// awslabs/amazon-kinesis-agent#29; AWS does not document it).
const SlowDown = "Slow down."

// Sentinel errors callers match with errors.Is. Every *APIError matches the
// sentinel of its code.
var (
	// ErrThrottled: the stream's quota was exceeded (ServiceUnavailableException).
	ErrThrottled = errors.New(CodeServiceUnavailable)
	// ErrNotFound: no such delivery stream.
	ErrNotFound = errors.New(CodeNotFound)
	// ErrInUse: the stream exists already or is not ACTIVE.
	ErrInUse = errors.New(CodeInUse)
	// ErrInvalidArgument: the request broke the API's rules.
	ErrInvalidArgument = errors.New(CodeInvalidArgument)
	// ErrLimitExceeded: an account limit was hit.
	ErrLimitExceeded = errors.New(CodeLimitExceeded)
)

var sentinelByCode = map[string]error{
	CodeServiceUnavailable: ErrThrottled,
	CodeNotFound:           ErrNotFound,
	CodeInUse:              ErrInUse,
	CodeInvalidArgument:    ErrInvalidArgument,
	CodeValidation:         ErrInvalidArgument,
	CodeLimitExceeded:      ErrLimitExceeded,
}

// APIError is an error answered by a Firehose target, with its error code.
type APIError struct {
	Code    string
	Message string
}

// Errorf returns an *APIError with the given code and formatted message.
func Errorf(code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Is makes errors.Is(err, ErrThrottled) true for an APIError with
// CodeServiceUnavailable, and so on for each sentinel.
func (e *APIError) Is(target error) bool {
	s, ok := sentinelByCode[e.Code]
	return ok && s == target
}

// NotFound is the error for a stream that does not exist, worded as
// Firehose words it ("Firehose stream NAME under account ACCOUNT not found.";
// older responses say "Delivery stream").
func NotFound(name, account string) *APIError {
	return Errorf(CodeNotFound, "Firehose stream %s under account %s not found.", name, account)
}
