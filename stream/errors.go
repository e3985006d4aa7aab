package stream

import (
	"errors"
	"fmt"
)

// Error codes as Kinesis names them in responses (`__type` and ErrorCode).
const (
	CodeThrottled          = "ProvisionedThroughputExceededException"
	CodeInternalFailure    = "InternalFailure"
	CodeNotFound           = "ResourceNotFoundException"
	CodeInUse              = "ResourceInUseException"
	CodeExpiredIterator    = "ExpiredIteratorException"
	CodeLimitExceeded      = "LimitExceededException"
	CodeInvalidArgument    = "InvalidArgumentException"
	CodeKMSThrottling      = "KMSThrottlingException"
	CodeValidation         = "ValidationException"
	CodeAccessDenied       = "AccessDeniedException"
	CodeExpiredNextToken   = "ExpiredNextTokenException"
	CodeServiceUnavailable = "ServiceUnavailable"
)

// Sentinel errors callers match with errors.Is. Every *APIError matches the
// sentinel of its code.
var (
	// ErrThrottled: a shard's throughput limit was exceeded.
	ErrThrottled = errors.New(CodeThrottled)
	// ErrInternal: the service failed; the call may be retried.
	ErrInternal = errors.New(CodeInternalFailure)
	// ErrNotFound: the stream, shard or consumer does not exist.
	ErrNotFound = errors.New(CodeNotFound)
	// ErrInUse: the resource is not in a state that allows the call.
	ErrInUse = errors.New(CodeInUse)
	// ErrExpiredIterator: the shard iterator is older than five minutes.
	ErrExpiredIterator = errors.New(CodeExpiredIterator)
	// ErrLimitExceeded: a control-plane or account limit was hit.
	ErrLimitExceeded = errors.New(CodeLimitExceeded)
	// ErrInvalidArgument: the request broke the API's rules.
	ErrInvalidArgument = errors.New(CodeInvalidArgument)
)

var sentinelByCode = map[string]error{
	CodeThrottled:       ErrThrottled,
	CodeInternalFailure: ErrInternal,
	CodeNotFound:        ErrNotFound,
	CodeInUse:           ErrInUse,
	CodeExpiredIterator: ErrExpiredIterator,
	CodeLimitExceeded:   ErrLimitExceeded,
	CodeInvalidArgument: ErrInvalidArgument,
	// ValidationException is how Kinesis (and kinesalite) answer a request
	// that breaks a constraint of the API model (501 records, Limit above
	// 10,000): the same fault as InvalidArgumentException for callers.
	CodeValidation: ErrInvalidArgument,
}

// APIError is an error answered by a target, carrying the Kinesis error code.
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

// Is makes errors.Is(err, ErrThrottled) true for an APIError with CodeThrottled.
func (e *APIError) Is(target error) bool {
	s, ok := sentinelByCode[e.Code]
	return ok && s == target
}

// Retryable reports whether an error from a call is worth retrying:
// throttling, internal failures and anything that is not an API error
// (timeouts, connection resets).
func Retryable(err error) bool {
	var api *APIError
	if !errors.As(err, &api) {
		return true
	}
	switch api.Code {
	case CodeThrottled, CodeInternalFailure, CodeKMSThrottling, CodeServiceUnavailable, CodeLimitExceeded:
		return true
	}
	return false
}
