package kinesis_test

import (
	"testing"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
	"github.com/kinesim/kinesim/stream/streamtest"
)

// conformanceCaps is what each server offers through this driver; doc.go's
// capability matrix has the details. Neither server enforces per-shard
// limits; kinesalite has no enhanced fan-out.
var conformanceCaps = map[kinesistest.Kind]streamtest.Capabilities{
	kinesistest.Kinesalite: {
		UpdateShardCount: false, // UnknownOperationException
		StreamARN:        false, // addressing by ARN works only through the driver's name fallback
		EnhancedFanOut:   false, // no RegisterStreamConsumer or SubscribeToShard
		Describe:         true,
	},
	kinesistest.KinesisMock: {
		UpdateShardCount: true,
		StreamARN:        true,
		EnhancedFanOut:   true, // its SubscribeToShard sends no initial-response; the driver copes
		Describe:         true,
		ShowsUpdating:    false, // its UpdateShardCount shows no UPDATING that 100 ms polls see
	},
}

// TestConformance runs the stream conformance suite against each real
// server, one server process per kind shared by the suite's subtests.
func TestConformance(t *testing.T) {
	for _, kind := range kinesistest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			srv := kinesistest.Start(t, kind)
			streamtest.Run(t, func(t *testing.T) stream.Target { return newTarget(t, srv.Endpoint) }, conformanceCaps[kind])
		})
	}
}
