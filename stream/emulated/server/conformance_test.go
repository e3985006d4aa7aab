package server_test

import (
	"testing"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/emulated/server"
	"github.com/kinesim/kinesim/stream/streamtest"
)

// TestConformance runs the stream conformance suite through the server with
// the aws-sdk-go-v2 client of stream/kinesis: every behaviour the emulator
// shows in process, it shows over the wire.
func TestConformance(t *testing.T) {
	caps := streamtest.Capabilities{
		EnforcesLimits:     true,
		EnforcesReadLimits: true,
		SplitMergeShards:   true,
		UpdateShardCount:   true,
		StreamARN:          true,
		EnhancedFanOut:     true,
	}
	t.Run("wall clock", func(t *testing.T) {
		_, endpoint := serve(t, emulated.New())
		streamtest.Run(t, func(t *testing.T) stream.Target { return newDriver(t, endpoint) }, caps)
	})
	t.Run("virtual clock", func(t *testing.T) {
		clk := newJumpClock()
		_, endpoint := serve(t, emulated.New(emulated.WithClock(clk)), server.WithNow(clk.Now))
		caps := caps
		caps.Clock = clk
		// A served subscription waits for records through the clock while
		// nobody reads (the server pushes ahead); on this clock each wait
		// jumps time, so virtual time races past the 5 seconds the suite's
		// resubscribe check needs. Enhanced fan-out runs in wall clock time.
		caps.EnhancedFanOut = false
		streamtest.Run(t, func(t *testing.T) stream.Target { return newDriver(t, endpoint) }, caps)
	})
}
