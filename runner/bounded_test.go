package runner

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/emulated"
)

// runWithLatency runs the scenario on a virtual clock against an emulator
// whose PutRecords calls take lat.
func runWithLatency(t *testing.T, sc *scenarios.Scenario, lat time.Duration) *result.Result {
	t.Helper()
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	target := emulated.New(emulated.WithClock(v), emulated.WithServiceLatency(emulated.OpPutRecords, emulated.Latency{Median: lat}))
	var (
		res *result.Result
		err error
	)
	v.Run(func() {
		res, err = Run(t.Context(), Config{Scenario: sc, Target: target, Clock: v, OutDir: t.TempDir(), DeadLetterCap: 100})
	})
	require.NoError(t, err)
	return res
}

// unmeetableScenario is 2 s of constant 1e18 records/s into one shard: a
// schedule no producer can keep.
func unmeetableScenario(t *testing.T) *scenarios.Scenario {
	t.Helper()
	src := `
name: unmeetable
seed: 7
duration: 2s
target: {kind: emulated, stream: physics, shards: 1}
producers:
  - name: bikes
    generator: bike
    partition_key: random
    rate: [{constant: 1e18/s}]
    batch: {max_records: 100, linger: 20ms}
    retry: {max_attempts: 1, base: 10ms, cap: 100ms}
    max_in_flight: 4
`
	sc, err := scenarios.Parse([]byte(src), "unmeetable.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	return sc
}

// TestUnmeetableScheduleEndsAtItsDuration: a producer held up by its calls
// (max_in_flight 4, 20 ms per call) stops at the 2 s duration, counts what
// it never made as unsent, and the run ends with its last calls.
func TestUnmeetableScheduleEndsAtItsDuration(t *testing.T) {
	res := runWithLatency(t, unmeetableScenario(t), 20*time.Millisecond)
	tot := res.Totals
	assert.InDelta(t, 2, res.ElapsedS, 0.1, "simulated elapsed")
	assert.True(t, res.Complete)
	// 4 calls of 100 records per 20 ms: 20,000 records/s, plus the calls
	// in flight and the batch being made at the end.
	assert.LessOrEqual(t, tot.RecordsScheduled, int64(2*20_000+1000))
	assert.Positive(t, tot.RecordsScheduled)
	assert.Equal(t, int64(2e18), tot.RecordsScheduled+tot.RecordsUnsent, "made and unsent add up to the schedule")
	assert.Equal(t, tot.RecordsScheduled, tot.RecordsAcknowledged+tot.RecordsDeadLettered+tot.RecordsUnfinished+tot.RecordsDropped,
		"every record made is accounted for")
}

// TestUnmeetableScheduleEndsAtDurationPlusDrain: calls that take a minute
// are cut when the drain time after the duration runs out.
func TestUnmeetableScheduleEndsAtDurationPlusDrain(t *testing.T) {
	res := runWithLatency(t, unmeetableScenario(t), time.Minute)
	tot := res.Totals
	drain := DefaultDrainTimeout.Seconds()
	assert.InDelta(t, 2+drain, res.ElapsedS, 0.1, "duration plus drain")
	assert.Positive(t, tot.RecordsUnfinished, "the calls in flight were cut")
	assert.LessOrEqual(t, tot.RecordsScheduled, int64(4*100+100), "four calls in flight and one batch waiting")
	assert.Equal(t, int64(2e18), tot.RecordsScheduled+tot.RecordsUnsent)
	assert.False(t, math.IsNaN(res.ThrottledRatio))
}
