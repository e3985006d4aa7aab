package emulated_test

import (
	"testing"
	"time"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/streamtest"
)

func TestConformance(t *testing.T) {
	caps := streamtest.Capabilities{
		EnforcesLimits:     true,
		EnforcesReadLimits: true,
		SplitMergeShards:   true,
		UpdateShardCount:   true,
		Retention:          true,
		EnhancedFanOut:     true,
		OnDemand:           true,
		Describe:           true,
	}
	t.Run("wall clock", func(t *testing.T) {
		caps := caps
		caps.ShowsUpdating = true
		// Long enough for the suite's 100 ms polls to see UPDATING; it
		// slows each reshard subtest by as much.
		const reshardDelay = 250 * time.Millisecond
		streamtest.Run(t, func(*testing.T) stream.Target { return emulated.New(emulated.WithReshardDelay(reshardDelay)) }, caps)
	})
	t.Run("virtual clock", func(t *testing.T) {
		clk := newFakeClock()
		caps := caps
		caps.Clock = clk
		// A reshard's delay on this clock ends as soon as it starts (each
		// Sleep jumps time), so UPDATING is not there to be polled; the
		// wall clock run and TestReshardKeepsStreamUpdatingForTheDelay
		// check it.
		caps.ShowsUpdating = false
		streamtest.Run(t, func(*testing.T) stream.Target { return emulated.New(emulated.WithClock(clk)) }, caps)
	})
}
