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
// SequenceNumberForOrdering needs no extra work to hold: the emulator's
// sequence numbers come from one counter per stream (see seqnum.go), so a
// record's number is above every number issued before it, whatever the
// shard. It is checked as AWS checks it (kinesalite, whose tests run against
// AWS, answers the same): a value that is not a sequence number of this
// emulator, or one not issued yet, → InvalidArgumentException.
func (e *Emulator) PutRecord(ctx context.Context, in *stream.PutRecordInput) (*stream.PutRecordOutput, error) {
	if in == nil {
		return nil, stream.Errorf(stream.CodeInvalidArgument, "PutRecordInput is nil")
	}
	if in.SequenceNumberForOrdering != "" {
		st, err := e.lookup(in.StreamName)
		if err != nil {
			return nil, err
		}
		if seq, ok := parseSeqNum(in.SequenceNumberForOrdering); !ok || seq.counter > st.counter.Load() || seq.shard >= len(st.shards.Load().all) {
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
