package runner

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/emulated"
)

// runOnVirtualClock runs the scenario with a clock.Virtual shared by the
// runner and the emulated stream, as `clock: virtual` does.
func runOnVirtualClock(t testing.TB, sc *scenarios.Scenario) *result.Result {
	t.Helper()
	res, err := virtualRun(t.Context(), sc, t.TempDir())
	require.NoError(t, err)
	return res
}

func virtualRun(ctx context.Context, sc *scenarios.Scenario, out string) (res *result.Result, err error) {
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	v.Run(func() {
		res, err = Run(ctx, Config{Scenario: sc, Target: emulated.New(emulated.WithClock(v)), Clock: v, OutDir: out})
	})
	return res, err
}

// TestVirtualClockMatchesRealClockPath runs one overloaded scenario on the
// virtual clock and on the real-clock code path (inside a synctest bubble):
// the throttle ratios agree within 5%.
func TestVirtualClockMatchesRealClockPath(t *testing.T) {
	scenario := func() *scenarios.Scenario {
		sc := constantScenario(t, 3000, 2, 10*time.Second, "{field: bike_id}")
		sc.Producers[0].Retry = scenarios.Retry{MaxAttempts: 5, Base: scenarios.Duration(50 * time.Millisecond), Cap: scenarios.Duration(time.Second)}
		return sc
	}
	virtual := runOnVirtualClock(t, scenario())
	real := runVirtual(t, scenario())
	require.Positive(t, real.ThrottledRatio, "the scenario overloads its shards")
	assert.Equal(t, real.Totals.RecordsScheduled, virtual.Totals.RecordsScheduled)
	assert.InDelta(t, real.ThrottledRatio, virtual.ThrottledRatio, 0.05*real.ThrottledRatio,
		"throttled ratio: virtual %.4f, real-clock path %.4f", virtual.ThrottledRatio, real.ThrottledRatio)
	assert.InDelta(t, real.ElapsedS, virtual.ElapsedS, 1, "simulated elapsed time")
}

func TestVirtualRunIsFasterThanItsDuration(t *testing.T) {
	// Not a speed assertion: a minute of simulated traffic must not need a
	// minute of waiting, which only virtual time makes possible at all.
	sc := constantScenario(t, 1000, 1, time.Minute, "random")
	started := time.Now()
	res := runOnVirtualClock(t, sc)
	assert.Less(t, time.Since(started), 50*time.Second)
	assert.InDelta(t, 60, res.ElapsedS, 1)
	assert.Equal(t, int64(60000), res.Totals.RecordsScheduled)
}

// BenchmarkVirtualHour simulates an hour of bike telemetry at 10,000
// records/s into 10 shards in virtual time and reports the speed-up over
// wall-clock time (KINESIM_BENCH_DURATION shortens the simulated span).
//
//	go test -run '^$' -bench VirtualHour -benchtime 1x ./runner/
func BenchmarkVirtualHour(b *testing.B) {
	span := benchDuration(b, time.Hour)
	for b.Loop() {
		sc := constantScenario(b, 10000, 10, span, "{field: bike_id}")
		sc.Producers[0].MaxInFlight = 16
		started := time.Now()
		res := runOnVirtualClock(b, sc)
		took := time.Since(started)
		b.ReportMetric(span.Seconds()/took.Seconds(), "speed-up")
		b.ReportMetric(float64(res.Totals.RecordsSent)/took.Seconds(), "records/s")
		b.ReportMetric(100*res.ThrottledRatio, "throttled-%")
		if math.IsNaN(res.ThrottledRatio) {
			b.Fatal("no result")
		}
	}
}
