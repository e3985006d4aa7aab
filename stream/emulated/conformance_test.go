package emulated_test

import (
	"testing"

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
	}
	t.Run("wall clock", func(t *testing.T) {
		streamtest.Run(t, func(*testing.T) stream.Target { return emulated.New() }, caps)
	})
	t.Run("virtual clock", func(t *testing.T) {
		clk := newFakeClock()
		caps := caps
		caps.Clock = clk
		streamtest.Run(t, func(*testing.T) stream.Target { return emulated.New(emulated.WithClock(clk)) }, caps)
	})
}
