// Package stream is the contract every kinesim target satisfies: the emulated
// stream (stream/emulated) and real Kinesis or any Kinesis-compatible endpoint
// (stream/kinesis). Its types mirror the Kinesis Data Streams API
// (PutRecords, ListShards, GetShardIterator, GetRecords) so that runner, chaos
// and reports treat every target alike.
//
// Implementations must be safe for concurrent use by many goroutines.
// Per-record outcomes of PutRecords are reported in PutRecordsOutput, never as
// one error for the whole batch; the returned error is reserved for failures of
// the call itself (stream not found, invalid argument, a transport failure).
package stream

import (
	"context"
	"time"
)

// Limits of the Kinesis Data Streams API that callers enforce before sending.
// Source: Kinesis Data Streams API reference, PutRecords and GetRecords, and
// the developer guide's "Quotas and limits" page.
const (
	// MaxRecordsPerPutRecords is the most records one PutRecords call may carry.
	MaxRecordsPerPutRecords = 500
	// MaxPutRecordsRequestBytes is the most bytes (data plus partition keys)
	// one PutRecords request may carry: 10 MiB.
	MaxPutRecordsRequestBytes = 10 << 20
	// DefaultMaxRecordBytes is the default largest record (data plus partition
	// key): 1 MiB. A stream may raise it up to MaxSettableRecordBytes.
	DefaultMaxRecordBytes = 1 << 20
	// MaxSettableRecordBytes is the upper bound of a stream's record size setting.
	MaxSettableRecordBytes = 10 << 20
	// MaxPartitionKeyLength is the longest partition key in Unicode characters.
	MaxPartitionKeyLength = 256
	// ShardWriteBytesPerSecond is one shard's write limit in bytes per second.
	ShardWriteBytesPerSecond = 1 << 20
	// ShardWriteRecordsPerSecond is one shard's write limit in records per second.
	ShardWriteRecordsPerSecond = 1000
	// ShardReadBytesPerSecond is one shard's shared read limit in bytes per second.
	ShardReadBytesPerSecond = 2 << 20
	// ShardReadCallsPerSecond is one shard's shared GetRecords call limit.
	ShardReadCallsPerSecond = 5
	// MaxGetRecordsLimit is the largest Limit a GetRecords call accepts.
	MaxGetRecordsLimit = 10000
)

// Record is one record to put.
type Record struct {
	// PartitionKey picks the shard through MD5 unless ExplicitHashKey is set.
	PartitionKey string
	// ExplicitHashKey, when not empty, is a decimal 128-bit hash key that
	// overrides the partition key's hash.
	ExplicitHashKey string
	// Data is the record's payload (a blob; base64 on the wire).
	Data []byte
}

// Size is the record's size as Kinesis counts it against limits: data plus
// partition key bytes.
func (r Record) Size() int { return len(r.Data) + len(r.PartitionKey) }

// PutRecordsInput is one PutRecords request.
type PutRecordsInput struct {
	StreamName string
	Records    []Record
}

// PutRecordsResultEntry is the outcome for one record, in request order.
// Exactly one of SequenceNumber and ErrorCode is set.
type PutRecordsResultEntry struct {
	ShardID        string
	SequenceNumber string
	// ErrorCode is CodeThrottled or CodeInternalFailure when the record failed.
	ErrorCode    string
	ErrorMessage string
}

// Failed reports whether the record was not written.
func (e PutRecordsResultEntry) Failed() bool { return e.ErrorCode != "" }

// PutRecordsOutput mirrors the PutRecords response: Records has the same length
// and order as the request.
type PutRecordsOutput struct {
	FailedRecordCount int
	Records           []PutRecordsResultEntry
}

// Writer puts records. A non-nil error means the call as a whole failed and
// no record is known to be written (the caller retries all of them).
type Writer interface {
	PutRecords(ctx context.Context, in *PutRecordsInput) (*PutRecordsOutput, error)
}

// Mode is the capacity mode of a stream.
type Mode string

const (
	// ModeProvisioned streams have a fixed shard count that the user reshards.
	ModeProvisioned Mode = "PROVISIONED"
	// ModeOnDemand streams scale their shards with traffic.
	ModeOnDemand Mode = "ON_DEMAND"
)

// CreateStreamInput creates a stream.
type CreateStreamInput struct {
	StreamName string
	ShardCount int
	Mode       Mode
	// Tags are set on the stream when it is created (kinesim tags the streams
	// it creates with the run id so that a cleanup can find them). Optional;
	// targets without tags ignore them.
	Tags map[string]string
}

// TagRunID is the tag key kinesim sets, with the run id as value, on the
// streams it creates, so that `kinesim cleanup` can find the ones a crashed
// run left behind. Kinesis tag keys allow letters, digits, spaces and
// _ . / = + - % @ only: no colon.
const TagRunID = "kinesim-run-id"

// HashKeyRange is an inclusive range of 128-bit hash keys as decimal strings.
type HashKeyRange struct {
	StartingHashKey string
	EndingHashKey   string
}

// SequenceNumberRange of a shard; EndingSequenceNumber is empty while open.
type SequenceNumberRange struct {
	StartingSequenceNumber string
	EndingSequenceNumber   string
}

// Shard describes one shard as ListShards returns it.
type Shard struct {
	ShardID               string
	ParentShardID         string
	AdjacentParentShardID string
	HashKeyRange          HashKeyRange
	SequenceNumberRange   SequenceNumberRange
}

// Open reports whether the shard still accepts writes.
func (s Shard) Open() bool { return s.SequenceNumberRange.EndingSequenceNumber == "" }

// IteratorType says where a shard iterator starts.
type IteratorType string

// Shard iterator types, as the API names them.
const (
	TrimHorizon         IteratorType = "TRIM_HORIZON"
	Latest              IteratorType = "LATEST"
	AtSequenceNumber    IteratorType = "AT_SEQUENCE_NUMBER"
	AfterSequenceNumber IteratorType = "AFTER_SEQUENCE_NUMBER"
	AtTimestamp         IteratorType = "AT_TIMESTAMP"
)

// GetShardIteratorInput asks for an iterator on one shard.
type GetShardIteratorInput struct {
	StreamName     string
	ShardID        string
	Type           IteratorType
	SequenceNumber string    // for AT_/AFTER_SEQUENCE_NUMBER
	Timestamp      time.Time // for AT_TIMESTAMP
}

// GetRecordsInput reads from an iterator. Limit 0 means the API default (10,000).
type GetRecordsInput struct {
	ShardIterator string
	Limit         int
}

// StoredRecord is a record as a reader receives it.
type StoredRecord struct {
	SequenceNumber              string
	PartitionKey                string
	Data                        []byte
	ApproximateArrivalTimestamp time.Time
	// PayloadDropped is set only by the emulated stream, when its memory cap
	// dropped the record's partition key and data to bound memory on a long
	// run: PartitionKey is then empty and Data zeros of the original length,
	// so sizes and limits still count. Callers count such records as lost.
	PayloadDropped bool
}

// ChildShard names a shard created from a closed parent.
type ChildShard struct {
	ShardID      string
	ParentShards []string
	HashKeyRange HashKeyRange
}

// GetRecordsOutput mirrors the GetRecords response. NextShardIterator is
// empty once a closed shard has been read to its end; ChildShards is then set.
type GetRecordsOutput struct {
	Records            []StoredRecord
	NextShardIterator  string
	MillisBehindLatest int64
	ChildShards        []ChildShard
}

// Reader reads shards with shared throughput (polling).
type Reader interface {
	ListShards(ctx context.Context, streamName string) ([]Shard, error)
	GetShardIterator(ctx context.Context, in *GetShardIteratorInput) (string, error)
	GetRecords(ctx context.Context, in *GetRecordsInput) (*GetRecordsOutput, error)
}

// Admin manages stream lifecycles.
type Admin interface {
	CreateStream(ctx context.Context, in *CreateStreamInput) error
	DeleteStream(ctx context.Context, streamName string) error
}

// Target is everything a run needs from a stream endpoint.
type Target interface {
	Writer
	Reader
	Admin
}

// PutRecordInput is one PutRecord request: a single record.
type PutRecordInput struct {
	StreamName string
	Record     Record
	// SequenceNumberForOrdering, when set, is the sequence number of the
	// record put before this one with the same partition key: this record's
	// sequence number is then greater. The API reference: "Guarantees
	// strictly increasing sequence numbers, for puts from the same client
	// and to the same partition key. Usage: set the SequenceNumberForOrdering
	// of record n to the sequence number of record n-1". A value that is not
	// a sequence number the stream could have issued fails the call with
	// ErrInvalidArgument. PutRecords has no such field.
	SequenceNumberForOrdering string
}

// PutRecordOutput is PutRecord's answer for a written record.
type PutRecordOutput struct {
	ShardID        string
	SequenceNumber string
}

// SingleWriter puts one record per call, as PutRecord does. Unlike
// PutRecords, a throttled or failed record fails the call: the error matches
// ErrThrottled or ErrInternal.
type SingleWriter interface {
	PutRecord(ctx context.Context, in *PutRecordInput) (*PutRecordOutput, error)
}
