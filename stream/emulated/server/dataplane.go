package server

import (
	"context"

	"github.com/kinesim/kinesim/stream"
)

// DataPlane is the data calls the server makes for its clients: writes and
// polling reads. By default they go to the emulator; WithDataPlane puts
// something between (the chaos a scenario moves onto an application under
// test, as `kinesim emulate --scenario` does). Server.Target, kinesim's own
// way in, does not go through it.
type DataPlane interface {
	stream.Writer
	stream.SingleWriter
	GetShardIterator(ctx context.Context, in *stream.GetShardIteratorInput) (string, error)
	GetRecords(ctx context.Context, in *stream.GetRecordsInput) (*stream.GetRecordsOutput, error)
}

// WithDataPlane sends the clients' PutRecords, PutRecord, GetShardIterator
// and GetRecords calls through dp, after the server's own validation.
// Default: the emulator. SubscribeToShard and the control calls are not
// affected.
func WithDataPlane(dp DataPlane) Option {
	return func(o *options) { o.data = dp }
}
