package stream

import (
	"context"
	"time"
)

// Status is the state of a stream, as DescribeStreamSummary reports it.
type Status string

// Stream states, as the API names them. Reads and writes go on while a
// stream is UPDATING (a reshard or a retention change is under way); a
// reshard then answers ResourceInUseException.
const (
	StatusCreating Status = "CREATING"
	StatusActive   Status = "ACTIVE"
	StatusUpdating Status = "UPDATING"
	StatusDeleting Status = "DELETING"
)

// StreamSummary describes a stream as DescribeStreamSummary does.
type StreamSummary struct {
	Name string
	// ARN is empty on targets that know no ARNs (kinesalite, the
	// in-process emulated stream).
	ARN    string
	Status Status
	Mode   Mode
	// OpenShardCount counts open shards only; closed parents are not in it.
	OpenShardCount int
	// Retention is RetentionPeriodHours as a duration.
	Retention time.Duration
	// ConsumerCount is the number of registered enhanced fan-out consumers.
	ConsumerCount int
	Created       time.Time
}

// Describer reports a stream's status and shape. It is optional: check for it
// with a type assertion (target.(stream.Describer)). A stream that does not
// exist is an error matching ErrNotFound.
type Describer interface {
	DescribeStreamSummary(ctx context.Context, streamName string) (*StreamSummary, error)
}
