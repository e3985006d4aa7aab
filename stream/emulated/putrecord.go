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
//
// SequenceNumberForOrdering needs no extra work to hold for numbers of the
// record's own shard: the emulator's numbers come from one counter per
// stream and a child shard's sort above its parents' (see seqnum.go). It
// is checked as Kinesis checks it (kinesalite recorded the answers against
// Kinesis): any number Kinesis can read and whose arrival time is not in
// the future is accepted, whichever stream or shard it came from;
// anything else → InvalidArgumentException.
func (e *Emulator) PutRecord(ctx context.Context, in *stream.PutRecordInput) (*stream.PutRecordOutput, error) {
	if in == nil {
		return nil, stream.Errorf(stream.CodeInvalidArgument, "PutRecordInput is nil")
	}
	if in.SequenceNumberForOrdering != "" {
		if _, err := e.lookup(in.StreamName); err != nil {
			return nil, err
		}
		if seq, ok := parseSeqNum(in.SequenceNumberForOrdering); !ok || seq.arrival > e.cfg.clock.Now().Unix() {
			return nil, stream.Errorf(stream.CodeInvalidArgument, "ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account %s is invalid.",
				in.SequenceNumberForOrdering, in.StreamName, account)
		}
	}
	out, err := e.putBatch(ctx, &stream.PutRecordsInput{StreamName: in.StreamName, Records: []stream.Record{in.Record}}, singleMember)
	if err != nil {
		return nil, err
	}
	res := out.Records[0]
	if res.Failed() {
		return nil, &stream.APIError{Code: res.ErrorCode, Message: res.ErrorMessage}
	}
	return &stream.PutRecordOutput{ShardID: res.ShardID, SequenceNumber: res.SequenceNumber}, nil
}
