package kinesis

import (
	"errors"
	"fmt"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/kinesim/kinesim/stream"
)

// codeAliases maps error codes some servers answer onto the code the stream
// contract knows. ThrottlingException is the generic AWS rate limit on
// control-plane calls, which Kinesis itself names LimitExceededException.
var codeAliases = map[string]string{
	"InternalFailureException": stream.CodeInternalFailure,
	"InternalServerError":      stream.CodeInternalFailure,
	"ThrottlingException":      stream.CodeLimitExceeded,
}

// knownCodes are the codes kept as the server sent them, whatever the HTTP
// status.
var knownCodes = map[string]bool{
	stream.CodeThrottled:          true,
	stream.CodeInternalFailure:    true,
	stream.CodeNotFound:           true,
	stream.CodeInUse:              true,
	stream.CodeExpiredIterator:    true,
	stream.CodeLimitExceeded:      true,
	stream.CodeInvalidArgument:    true,
	stream.CodeKMSThrottling:      true,
	stream.CodeValidation:         true,
	stream.CodeAccessDenied:       true,
	stream.CodeExpiredNextToken:   true,
	stream.CodeServiceUnavailable: true,
}

// mapError turns an error from the SDK into the stream contract's terms:
// an answer from the service becomes a *stream.APIError carrying its Kinesis
// code, so errors.Is(err, stream.ErrThrottled) and stream.Retryable work;
// any 5xx answer with a code the contract does not know becomes
// InternalFailure. Anything else (a refused connection, a timeout, a
// canceled context) is wrapped unchanged, so errors.Is(err,
// context.DeadlineExceeded) still holds. op names the call in the message.
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	var status int
	var requestID string
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		status = respErr.HTTPStatusCode()
		requestID = respErr.ServiceRequestID()
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		if status >= 500 {
			return wrap(op, requestID, &stream.APIError{Code: stream.CodeInternalFailure, Message: fmt.Sprintf("HTTP %d: %v", status, err)})
		}
		return fmt.Errorf("kinesis %s: %w", op, err)
	}
	code, msg := apiErr.ErrorCode(), apiErr.ErrorMessage()
	if alias, ok := codeAliases[code]; ok {
		code = alias
	}
	if !knownCodes[code] && status >= 500 {
		msg = fmt.Sprintf("HTTP %d %s: %s", status, apiErr.ErrorCode(), msg)
		code = stream.CodeInternalFailure
	}
	return wrap(op, requestID, &stream.APIError{Code: code, Message: msg})
}

func wrap(op, requestID string, err *stream.APIError) error {
	if requestID != "" {
		return fmt.Errorf("kinesis %s (request id %s): %w", op, requestID, err)
	}
	return fmt.Errorf("kinesis %s: %w", op, err)
}
