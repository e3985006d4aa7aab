package kinesis

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kinesim/kinesim/stream"
)

// PutRecord writes one record with one PutRecord call (no retry). A
// throttled or failed record fails the call: the error matches
// stream.ErrThrottled or stream.ErrInternal.
func (t *Target) PutRecord(ctx context.Context, in *stream.PutRecordInput) (*stream.PutRecordOutput, error) {
	ref, err := parseStreamRef(in.StreamName)
	if err != nil {
		return nil, err
	}
	req := &kinesis.PutRecordInput{
		StreamName:   ref.name,
		StreamARN:    ref.arn,
		PartitionKey: aws.String(in.Record.PartitionKey),
		Data:         in.Record.Data,
	}
	if req.Data == nil {
		req.Data = []byte{}
	}
	if in.Record.ExplicitHashKey != "" {
		req.ExplicitHashKey = aws.String(in.Record.ExplicitHashKey)
	}
	if in.SequenceNumberForOrdering != "" {
		req.SequenceNumberForOrdering = aws.String(in.SequenceNumberForOrdering)
	}
	out, err := t.client.PutRecord(ctx, req)
	if err != nil {
		return nil, mapError("PutRecord "+*ref.name, err)
	}
	return &stream.PutRecordOutput{ShardID: aws.ToString(out.ShardId), SequenceNumber: aws.ToString(out.SequenceNumber)}, nil
}

// SetRetentionPeriod sets how long the stream keeps records, with
// IncreaseStreamRetentionPeriod or DecreaseStreamRetentionPeriod as the
// current period requires, and blocks until the stream is ACTIVE, bounded by
// WithWaitTimeout. Period must be whole hours from stream.DefaultRetention to
// stream.MaxRetention, else the error matches stream.ErrInvalidArgument.
func (t *Target) SetRetentionPeriod(ctx context.Context, nameOrARN string, period time.Duration) error {
	if period%time.Hour != 0 || period < stream.DefaultRetention || period > stream.MaxRetention {
		return &stream.APIError{Code: stream.CodeInvalidArgument, Message: fmt.Sprintf(
			"retention period %v is not whole hours from %v to %v", period, stream.DefaultRetention, stream.MaxRetention)}
	}
	ref, err := parseStreamRef(nameOrARN)
	if err != nil {
		return err
	}
	cur, err := t.describe(ctx, ref)
	if err != nil {
		return err
	}
	hours := aws.Int32(int32(period / time.Hour))
	switch current := time.Duration(aws.ToInt32(cur.RetentionPeriodHours)) * time.Hour; {
	case period == current:
		return nil
	case period > current:
		_, err = t.client.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{
			StreamName: ref.name, StreamARN: ref.arn, RetentionPeriodHours: hours})
		if err != nil {
			return mapError("IncreaseStreamRetentionPeriod "+*ref.name, err)
		}
	default:
		_, err = t.client.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{
			StreamName: ref.name, StreamARN: ref.arn, RetentionPeriodHours: hours})
		if err != nil {
			return mapError("DecreaseStreamRetentionPeriod "+*ref.name, err)
		}
	}
	_, err = t.waitActive(ctx, ref, "SetRetentionPeriod")
	return err
}
