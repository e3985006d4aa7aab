package emulated

import "time"

// Stats are one stream's counters, named after Firehose's CloudWatch
// metrics where one exists.
type Stats struct {
	// IncomingRecords and IncomingBytes count the records accepted (given a
	// RecordId), as IncomingRecords and IncomingBytes do.
	IncomingRecords int64
	IncomingBytes   int64
	// ThrottledRecords counts records answered ServiceUnavailableException,
	// ThrottledCalls the calls throttled as a whole (requests quota, or
	// PutRecord over the records or bytes quota).
	ThrottledRecords int64
	ThrottledCalls   int64
	// Objects and DeliveredRecords count what was written under the
	// destination prefix, duplicates included (DeliveryToS3.Records).
	Objects          int64
	DeliveredRecords int64
	DeliveredBytes   int64 // stored bytes, after compression
	// DuplicateRecords counts records written by attempts that then failed
	// (FailAfterWrite): each is in the destination once more than it was put.
	DuplicateRecords int64
	// FailedAttempts counts delivery attempts that failed and were retried
	// or given up.
	FailedAttempts int64
	// ErrorOutputRecords and ErrorOutputObjects count what went to the
	// error output prefix (FailProcessing).
	ErrorOutputRecords int64
	ErrorOutputObjects int64
	// DroppedRecords counts records whose delivery failed for the whole
	// retry window and were discarded, as Firehose discards them after 24 h.
	DroppedRecords int64
	// BufferedRecords is how many records wait in the buffer now.
	BufferedRecords int64
	// DataFreshness is the age of the oldest record not yet delivered
	// (DeliveryToS3.DataFreshness); zero when none waits.
	DataFreshness time.Duration
}
