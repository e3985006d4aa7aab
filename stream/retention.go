package stream

import (
	"context"
	"time"
)

// Retention periods a stream may have (IncreaseStreamRetentionPeriod and
// DecreaseStreamRetentionPeriod in the API reference).
const (
	DefaultRetention = 24 * time.Hour
	MaxRetention     = 8760 * time.Hour
)

// RetentionSetter changes how long a stream keeps records. It is optional:
// check for it with a type assertion. Period must be whole hours from
// DefaultRetention to MaxRetention, else ErrInvalidArgument.
type RetentionSetter interface {
	SetRetentionPeriod(ctx context.Context, streamName string, period time.Duration) error
}

// RetentionStats counts records a stream removed before a reader could be
// sure to get them. "Unread" records are past the furthest position any
// GetRecords call on their shard had reached: no reader ever saw them.
type RetentionStats struct {
	// ExpiredRecords left the stream because they outlived its retention
	// period; ExpiredUnread of them were never read.
	ExpiredRecords int64
	ExpiredUnread  int64
	// PayloadsDropped are records whose data the emulated stream dropped
	// under its memory cap (see StoredRecord.PayloadDropped);
	// PayloadsDroppedUnread of them were never read.
	PayloadsDropped       int64
	PayloadsDroppedUnread int64
	// EvictedRecords left the emulated stream entirely under its record
	// limit, before their retention period ended; EvictedUnread of them were
	// never read.
	EvictedRecords int64
	EvictedUnread  int64
}

// RetentionReporter reports a stream's RetentionStats, so that a run can
// count records lost to retention instead of losing them silently. It is
// optional: check for it with a type assertion.
type RetentionReporter interface {
	RetentionStats(ctx context.Context, streamName string) (RetentionStats, error)
}
