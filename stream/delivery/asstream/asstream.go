// Package asstream presents a Firehose delivery stream (delivery.Target:
// the emulated one or Amazon Data Firehose through the driver) as a
// stream.Target, so that kinesim's runner, producers, retries, dead letters
// and chaos drive a delivery stream exactly as they drive a Kinesis stream:
// PutRecords becomes PutRecordBatch (per-record results in request order),
// PutRecord becomes PutRecord, CreateStream and DeleteStream become
// CreateDeliveryStream and DeleteDeliveryStream with the destination
// settings given to New.
//
// Firehose records have no partition key: it is not sent (the producer's
// record size, which counts the key, is the larger, so a batch the producer
// cuts at 4 MiB of record sizes is within PutRecordBatch's 4 MiB of data).
// Firehose's ServiceUnavailableException ("Slow down.") is answered as
// stream.CodeThrottled, with Firehose's code kept at the head of the
// message, so the producer counts and retries it as a throttle. A delivery
// stream has no shards and cannot be read: ListShards only checks that it
// exists, and reads fail with InvalidArgumentException (the run reads the
// S3 destination back instead).
//
// A *Target is safe for concurrent use, as its delivery.Target is.
package asstream

import (
	"context"
	"errors"
	"maps"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/delivery"
)

// Target is a delivery stream behind stream.Target.
type Target struct {
	dt          delivery.Target
	destination delivery.Config
}

var (
	_ stream.Target       = (*Target)(nil)
	_ stream.SingleWriter = (*Target)(nil)
)

// New wraps dt. destination holds the settings of every delivery stream
// CreateStream creates (bucket, prefixes, buffering, compression,
// delimiter); its Name and Tags are CreateStream's.
func New(dt delivery.Target, destination delivery.Config) *Target {
	return &Target{dt: dt, destination: destination}
}

// Delivery is the wrapped delivery stream endpoint.
func (t *Target) Delivery() delivery.Target { return t.dt }

// PutRecords puts the records with one PutRecordBatch call.
func (t *Target) PutRecords(ctx context.Context, in *stream.PutRecordsInput) (*stream.PutRecordsOutput, error) {
	records := make([]delivery.Record, len(in.Records))
	for i, r := range in.Records {
		records[i] = delivery.Record{Data: r.Data}
	}
	out, err := t.dt.PutRecordBatch(ctx, &delivery.PutRecordBatchInput{DeliveryStreamName: in.StreamName, Records: records})
	if err != nil {
		return nil, streamError(err)
	}
	res := &stream.PutRecordsOutput{Records: make([]stream.PutRecordsResultEntry, len(out.Entries))}
	for i, e := range out.Entries {
		if !e.Failed() {
			res.Records[i] = stream.PutRecordsResultEntry{SequenceNumber: e.RecordID}
			continue
		}
		res.FailedRecordCount++
		code, msg := streamCode(e.ErrorCode), e.ErrorMessage
		if code != e.ErrorCode {
			msg = e.ErrorCode + ": " + msg
		}
		res.Records[i] = stream.PutRecordsResultEntry{ErrorCode: code, ErrorMessage: msg}
	}
	return res, nil
}

// PutRecord puts one record with PutRecord; its RecordId is the sequence number.
func (t *Target) PutRecord(ctx context.Context, in *stream.PutRecordInput) (*stream.PutRecordOutput, error) {
	id, err := t.dt.PutRecord(ctx, in.StreamName, delivery.Record{Data: in.Record.Data})
	if err != nil {
		return nil, streamError(err)
	}
	return &stream.PutRecordOutput{SequenceNumber: id}, nil
}

// CreateStream creates a delivery stream with New's destination settings
// and in's tags, and returns once it is ACTIVE.
func (t *Target) CreateStream(ctx context.Context, in *stream.CreateStreamInput) error {
	cfg := t.destination
	cfg.Name = in.StreamName
	cfg.Tags = maps.Clone(t.destination.Tags)
	if len(in.Tags) > 0 && cfg.Tags == nil {
		cfg.Tags = map[string]string{}
	}
	maps.Copy(cfg.Tags, in.Tags)
	return streamError(t.dt.CreateDeliveryStream(ctx, cfg))
}

// DeleteStream deletes the delivery stream.
func (t *Target) DeleteStream(ctx context.Context, name string) error {
	return streamError(t.dt.DeleteDeliveryStream(ctx, name))
}

// ListShards checks that the delivery stream exists; it has no shards.
func (t *Target) ListShards(ctx context.Context, name string) ([]stream.Shard, error) {
	if _, err := t.dt.DescribeDeliveryStream(ctx, name); err != nil {
		return nil, streamError(err)
	}
	return nil, nil
}

// ErrNotReadable is the error of GetShardIterator and GetRecords.
var ErrNotReadable = stream.Errorf(stream.CodeInvalidArgument, "a Firehose delivery stream cannot be read; its records are read back from the S3 destination")

// GetShardIterator fails: a delivery stream cannot be read.
func (t *Target) GetShardIterator(context.Context, *stream.GetShardIteratorInput) (string, error) {
	return "", ErrNotReadable
}

// GetRecords fails: a delivery stream cannot be read.
func (t *Target) GetRecords(context.Context, *stream.GetRecordsInput) (*stream.GetRecordsOutput, error) {
	return nil, ErrNotReadable
}

// streamCode is the Kinesis code a producer handles as it would Firehose's.
func streamCode(code string) string {
	switch code {
	case delivery.CodeServiceUnavailable:
		return stream.CodeThrottled
	case delivery.CodeValidation:
		return stream.CodeInvalidArgument
	}
	return code // InternalFailure, InvalidArgument, ResourceNotFound, ResourceInUse, LimitExceeded are the same words
}

// streamError turns a *delivery.APIError into a *stream.APIError with the
// code streamCode gives, keeping Firehose's code in the message; other
// errors (transport, context) pass through.
func streamError(err error) error {
	var api *delivery.APIError
	if !errors.As(err, &api) {
		return err
	}
	code := streamCode(api.Code)
	msg := api.Message
	if code != api.Code {
		msg = api.Code + ": " + msg
	}
	return &stream.APIError{Code: code, Message: msg}
}
