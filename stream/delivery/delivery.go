// Package delivery is the contract every Amazon Data Firehose target
// satisfies: the emulated delivery stream (stream/firehose/emulated) and real
// Firehose through aws-sdk-go-v2 (stream/firehose). It is to Firehose what
// package stream is to Kinesis Data Streams: types that mirror the Firehose
// API (PutRecord, PutRecordBatch, CreateDeliveryStream,
// DescribeDeliveryStream, DeleteDeliveryStream), its documented limits and
// quotas, and its error codes, so that the runner, chaos and reports treat
// every Firehose target alike. It imports no AWS SDK.
//
// Implementations of Target must be safe for concurrent use. Per-record
// outcomes of PutRecordBatch are reported in PutRecordBatchOutput, never as
// one error for the whole batch; the returned error is for failures of the
// call itself (stream not found, invalid argument, the whole call throttled,
// a transport failure).
package delivery

import (
	"context"
	"time"
)

// Limits of PutRecord and PutRecordBatch, which "cannot be changed".
// Source: Firehose API reference, PutRecordBatch: "Each PutRecordBatch
// request supports up to 500 records. Each record in the request can be as
// large as 1,000 KB (before base64 encoding), up to a limit of 4 MB for the
// entire request."
const (
	// MaxBatchRecords is the most records one PutRecordBatch call may carry.
	MaxBatchRecords = 500
	// MaxRecordBytes is the largest record's data before base64: 1,000 KiB,
	// the API model's constraint on Record.Data (length ≤ 1024000).
	MaxRecordBytes = 1_024_000
	// MaxBatchBytes is the most data one PutRecordBatch call may carry. AWS
	// writes "4 MB"; kinesim reads it as 4 MiB, as it reads Kinesis's "5 MB"
	// PutRecords limit (unconfirmed which one AWS means).
	MaxBatchBytes = 4 << 20
)

// Record is one record to put: a blob of at most MaxRecordBytes.
type Record struct {
	Data []byte
}

// PutRecordBatchInput is one PutRecordBatch request.
type PutRecordBatchInput struct {
	DeliveryStreamName string
	Records            []Record
}

// PutRecordBatchEntry is the outcome for one record, in request order.
// Exactly one of RecordID and ErrorCode is set.
type PutRecordBatchEntry struct {
	RecordID string
	// ErrorCode is CodeServiceUnavailable (over the stream's quota) or
	// CodeInternalFailure when the record failed.
	ErrorCode    string
	ErrorMessage string
}

// Failed reports whether the record was not accepted.
func (e PutRecordBatchEntry) Failed() bool { return e.ErrorCode != "" }

// PutRecordBatchOutput mirrors the PutRecordBatch response: Entries has the
// same length and order as the request.
type PutRecordBatchOutput struct {
	FailedPutCount int
	Encrypted      bool
	Entries        []PutRecordBatchEntry
}

// Writer puts records into a delivery stream. A non-nil error means the call
// as a whole failed and no record is known to be accepted.
type Writer interface {
	PutRecordBatch(ctx context.Context, in *PutRecordBatchInput) (*PutRecordBatchOutput, error)
	// PutRecord puts one record and returns its RecordId.
	PutRecord(ctx context.Context, streamName string, r Record) (string, error)
}

// Admin creates, describes and deletes delivery streams.
type Admin interface {
	// CreateDeliveryStream creates a Direct PUT stream with an S3 destination
	// and returns once it is ACTIVE.
	CreateDeliveryStream(ctx context.Context, cfg Config) error
	DescribeDeliveryStream(ctx context.Context, name string) (*Description, error)
	// DeleteDeliveryStream deletes a stream and returns once it is gone.
	DeleteDeliveryStream(ctx context.Context, name string) error
	ListDeliveryStreams(ctx context.Context) ([]string, error)
}

// Target is a Firehose endpoint kinesim can load.
type Target interface {
	Writer
	Admin
}

// Status is a delivery stream's DeliveryStreamStatus.
type Status string

// Statuses, as the API names them.
const (
	StatusCreating Status = "CREATING"
	StatusActive   Status = "ACTIVE"
	StatusDeleting Status = "DELETING"
)

// Description is what DescribeDeliveryStream says about a stream.
type Description struct {
	Config
	ARN    string
	Status Status
	// VersionID is the DeliveryStreamVersion in object names: 1 at creation,
	// one more at every configuration change.
	VersionID string
	Created   time.Time
}
