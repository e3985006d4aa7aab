package plan

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/targets"
)

const oneReader = `consumers:
  - {name: reader, mode: polling, poll_interval: 1s}`

// TestMeasuredRuns runs the recommended count and the one below for real
// in virtual time and judges the latency objectives on what they measured.
func TestMeasuredRuns(t *testing.T) {
	tests := []struct {
		name       string
		rate       string
		duration   time.Duration
		window     time.Duration
		objectives string
		want       int
		// wantStart and wantEnd are the measured window, in seconds.
		wantStart, wantEnd int
		// slower: one shard fewer throttles all along, so its p99 is higher.
		slower bool
	}{
		// 2,600 records/s need three shards; the whole 8 s run is measured.
		{"whole run", "{constant: 2600/s}", 8 * time.Second, time.Minute, "", 3, 0, 8, true},
		// A spike at 40 s in a 60 s run; a 12 s window: a third before the peak.
		{"window around the peak", "{spike: {base: 500/s, peak: 2600/s, at: 40s, for: 4s}, for: 60s}", time.Minute, 12 * time.Second, "", 3, 36, 48, false},
		// With a p99 objective of 50ms, below the simulated PutRecords
		// latency, no count meets it: the search stops after a few rounds.
		{"latency objective no count meets", "{constant: 2600/s}", 4 * time.Second, time.Minute, "objectives: {max_put_latency_p99: 50ms}", 0, 0, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := scenario(t, tt.rate, "300", "random", tt.duration, oneReader+"\n"+tt.objectives)
			res, err := Plan(context.Background(), sc, WithMeasuredRuns(true, tt.window))
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Recommended, "recommended shards")
			below, rec := candidate(t, res, 2), candidate(t, res, 3)
			require.NotNil(t, rec.Measured, "the count that meets the throttle objective ran")
			require.NotNil(t, below.Measured, "one fewer ran")
			for _, m := range []*Measured{below.Measured, rec.Measured} {
				assert.Equal(t, tt.wantStart, m.WindowStartS, "window start")
				assert.Equal(t, tt.wantEnd, m.WindowEndS, "window end")
				require.NotNil(t, m.EndToEndP99Ms, "a consumer measures end-to-end latency")
				assert.Positive(t, *m.EndToEndP99Ms)
			}
			assert.Greater(t, below.Measured.ThrottleRatio, rec.Measured.ThrottleRatio, "two shards throttle more than three")
			if tt.slower {
				assert.Greater(t, below.Measured.PutLatencyP99Ms, rec.Measured.PutLatencyP99Ms,
					"throttles and retries raise the p99: 2 shards %.0fms, 3 shards %.0fms", below.Measured.PutLatencyP99Ms, rec.Measured.PutLatencyP99Ms)
			}
			if tt.want == 0 {
				require.NotEmpty(t, rec.Fails)
				assert.Contains(t, rec.Fails[len(rec.Fails)-1], "(measured)")
				assert.Contains(t, rec.Fails[len(rec.Fails)-1], "p99 put latency")
			}
		})
	}
}

func TestMeasuredObjectivesNeedConsumers(t *testing.T) {
	sc := scenario(t, "{constant: 100/s}", "300", "random", 2*time.Second, "")
	obj := ObjectivesOf(sc)
	obj.MaxEndToEndP99Ms = 1000
	_, err := Plan(context.Background(), sc, WithObjectives(obj))
	assert.ErrorIs(t, err, ErrBadObjectives)
	assert.ErrorContains(t, err, "need a consumer")
}

// TestOnDemandFirstDayMatchesEmulator runs a new on-demand stream through
// the runner on the emulated stream in virtual time (split delay shortened
// to 5 s) and compares its throttles with the plan's fluid first day.
func TestOnDemandFirstDayMatchesEmulator(t *testing.T) {
	tests := []struct {
		name, rate string
		// throttles says whether the new stream throttles at all.
		throttles bool
	}{
		// 6,000 records/s from the start: 1,500 a shard until each splits.
		{"step over the initial capacity", "{constant: 6000/s}", true},
		// A ramp slow enough for the splits to keep ahead.
		{"slow ramp", "{ramp: {from: 500/s, to: 4500/s}, for: 20s}", false},
		// A ramp past 4,000 records/s faster than the splits.
		{"fast ramp", "{ramp: {from: 3000/s, to: 20000/s}, for: 20s}", true},
	}
	const delay = 5 * time.Second
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := scenario(t, tt.rate, "300", "random", 20*time.Second, "")
			tr, err := newTraffic(sc, 0)
			require.NoError(t, err)
			fd := firstDay(tr, delay)

			run := *sc
			run.Target.Mode, run.Target.Shards = "on-demand", 0
			v := clock.NewVirtual(epoch)
			var res *result.Result
			v.Run(func() {
				target := emulated.New(emulated.WithClock(v), emulated.WithOnDemandSplitDelay(delay),
					emulated.WithServiceLatency(emulated.OpPutRecords, targets.SimulatedPutRecordsLatency))
				res, err = runner.Run(t.Context(), runner.Config{Scenario: &run, Target: target, Clock: v, OutDir: t.TempDir()})
			})
			require.NoError(t, err)
			assert.Equal(t, tt.throttles, fd.FirstThrottleAtS != nil, "plan: throttles at all (%+v)", fd)
			assert.Equal(t, tt.throttles, res.ThrottledRatio > 0.001, "emulator: throttles at all (%.4f)", res.ThrottledRatio)
			assert.InDelta(t, res.ThrottledRatio, fd.WriteThrottleRatio, 0.03,
				"throttle ratio: emulator %.4f, plan %.4f", res.ThrottledRatio, fd.WriteThrottleRatio)
			assert.Greater(t, fd.Shards, onDemandInitialShards, "the stream split")
			t.Logf("emulator %.4f, plan %.4f, %d shards", res.ThrottledRatio, fd.WriteThrottleRatio, fd.Shards)
		})
	}
}
