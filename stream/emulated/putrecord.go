package emulated

import (
	"context"

	"github.com/kinesim/kinesim/stream"
)

var _ stream.SingleWriter = (*Emulator)(nil)

// PutRecord writes one record. It shares PutRecords' limits and routing; a
// record PutRecords would fail fails the call here with the same code, as the
// PutRecord API answers ProvisionedThroughputExceededException or
// InternalFailure for the whole call.
func (e *Emulator) PutRecord(ctx context.Context, in *stream.PutRecordInput) (*stream.PutRecordOutput, error) {
	out, err := e.PutRecords(ctx, &stream.PutRecordsInput{StreamName: in.StreamName, Records: []stream.Record{in.Record}})
	if err != nil {
		return nil, err
	}
	res := out.Records[0]
	if res.Failed() {
		return nil, &stream.APIError{Code: res.ErrorCode, Message: res.ErrorMessage}
	}
	return &stream.PutRecordOutput{ShardID: res.ShardID, SequenceNumber: res.SequenceNumber}, nil
}
