package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/emulated"
)

// constantScenario is rate records/s of bike telemetry (~200-300 bytes) for
// duration into shards shards, with no retries so every throttle is a first attempt.
func constantScenario(t testing.TB, rate, shards int, duration time.Duration, keys string) *scenarios.Scenario {
	t.Helper()
	src := fmt.Sprintf(`
name: physics
seed: 7
duration: %s
target: {kind: emulated, stream: physics, shards: %d}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 50, bikes: 500}
    partition_key: %s
    rate: [{constant: %d/s}]
    batch: {max_records: 100, linger: 20ms}
    retry: {max_attempts: 1, base: 10ms, cap: 100ms}
    max_in_flight: 4
`, duration, shards, keys, rate)
	sc, err := scenarios.Parse([]byte(src), "physics.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	return sc
}

// runVirtual runs the scenario on a fresh emulated stream inside a synctest
// bubble: time is virtual, so a 10 s run takes as long as the CPU needs.
func runVirtual(t *testing.T, sc *scenarios.Scenario) *result.Result {
	t.Helper()
	var res *result.Result
	synctest.Test(t, func(t *testing.T) {
		var err error
		res, err = Run(t.Context(), Config{Scenario: sc, Target: emulated.New(), OutDir: t.TempDir()})
		require.NoError(t, err)
	})
	return res
}

func TestThrottlingPhysics(t *testing.T) {
	tests := []struct {
		name     string
		shards   int
		min, max float64
	}{
		// 2,000 records/s into one shard's 1,000 records/s: about half the
		// first attempts are throttled (a little less: the bucket starts full).
		{"one shard is overloaded twice", 1, 0.40, 0.55},
		// The same traffic spread over four shards stays under every limit.
		{"four shards have room", 4, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runVirtual(t, constantScenario(t, 2000, tt.shards, 10*time.Second, "random"))
			tot := res.Totals
			assert.Equal(t, int64(20000), tot.RecordsScheduled, "scheduled")
			assert.Equal(t, tot.RecordsScheduled, tot.RecordsSent, "every scheduled record is sent")
			assert.Equal(t, tot.RecordsSent, tot.PutAttempts, "no retries: one attempt per record")
			assert.GreaterOrEqual(t, res.ThrottledRatio, tt.min, "throttled ratio")
			assert.LessOrEqual(t, res.ThrottledRatio, tt.max, "throttled ratio")
			assert.Equal(t, tot.RecordsSent, tot.RecordsAcknowledged+tot.RecordsDeadLettered,
				"every record is acknowledged or dead-lettered")
			assert.Equal(t, tot.RecordsThrottled, tot.RecordsDeadLettered, "throttled records ran out of attempts")
		})
	}
}

func TestRetriesRecoverThrottledRecords(t *testing.T) {
	sc := constantScenario(t, 1500, 1, 5*time.Second, "random")
	sc.Producers[0].Retry = scenarios.Retry{MaxAttempts: 20, Base: scenarios.Duration(50 * time.Millisecond), Cap: scenarios.Duration(time.Second)}
	res := runVirtual(t, sc)
	tot := res.Totals
	assert.Positive(t, tot.RecordsThrottled, "the shard is overloaded, so some attempts are throttled")
	assert.Equal(t, tot.RecordsThrottled, tot.RecordsRetried, "every throttled attempt is retried")
	assert.Equal(t, tot.RecordsScheduled, tot.RecordsAcknowledged+tot.RecordsDeadLettered+tot.RecordsUnfinished,
		"nothing is lost without being counted")
	// Latency counts from the intended send time, so retries show in it.
	assert.Greater(t, res.LatencyMs["record"].P99, res.LatencyMs["put_records"].P99)
}

func TestDeadLettersAreWritten(t *testing.T) {
	sc := constantScenario(t, 2000, 1, 3*time.Second, "random")
	out := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		res, err := Run(t.Context(), Config{Scenario: sc, Target: emulated.New(), OutDir: out})
		require.NoError(t, err)
		require.Positive(t, res.Totals.RecordsDeadLettered)
		data, err := os.ReadFile(filepath.Join(out, DeadLetterFile))
		require.NoError(t, err)
		lines := 0
		for _, line := range splitLines(data) {
			var dl DeadLetter
			require.NoError(t, json.Unmarshal(line, &dl))
			assert.Equal(t, "ProvisionedThroughputExceededException", dl.ErrorCode)
			assert.Equal(t, 1, dl.Attempts)
			assert.NotEmpty(t, dl.Data)
			lines++
		}
		assert.Equal(t, res.Totals.RecordsDeadLettered, int64(lines), "one line per dead-lettered record")
	})
}

func TestStoppedRunIsMarkedIncomplete(t *testing.T) {
	sc := constantScenario(t, 500, 1, time.Minute, "random")
	out := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(5*time.Second, cancel)
		res, err := Run(ctx, Config{Scenario: sc, Target: emulated.New(), OutDir: out})
		require.NoError(t, err)
		assert.False(t, res.Complete)
		assert.Equal(t, "interrupted", res.StopReason)
		onDisk, err := result.Read(filepath.Join(out, ResultFile))
		require.NoError(t, err)
		assert.False(t, onDisk.Complete, "result.json says the run is incomplete")
		assert.InDelta(t, 2500, onDisk.Totals.RecordsScheduled, 10, "five seconds of 500/s were scheduled")
		assert.InDelta(t, 5, onDisk.ElapsedS, 0.2)
	})
}

func TestRunIsRepeatable(t *testing.T) {
	// Same scenario, same seed: the same records in the same order, so the
	// same acknowledged bytes.
	a := runVirtual(t, constantScenario(t, 300, 2, 2*time.Second, "{field: bike_id}"))
	b := runVirtual(t, constantScenario(t, 300, 2, 2*time.Second, "{field: bike_id}"))
	assert.Equal(t, a.Totals.BytesAcknowledged, b.Totals.BytesAcknowledged)
	assert.Equal(t, int64(600), a.Totals.RecordsAcknowledged)
}

func splitLines(data []byte) [][]byte {
	var out [][]byte
	start := 0
	for i, c := range data {
		if c == '\n' {
			if i > start {
				out = append(out, data[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func TestExplicitHashKeysSpreadAHotKey(t *testing.T) {
	tests := []struct {
		name     string
		keys     string
		min, max float64
	}{
		// One key carries all 3,000 records/s: its shard takes 1,000/s and
		// the other three shards idle.
		{"hot key alone", "{hot: {share: 1}}", 0.55, 0.7},
		// The same key with explicit hash keys over 8 slots: every shard
		// gets a quarter, under its limit.
		{"hot key with explicit hash keys", "{hot: {share: 1}, explicit_hash: {slots: 8}}", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runVirtual(t, constantScenario(t, 3000, 4, 5*time.Second, tt.keys))
			assert.GreaterOrEqual(t, res.ThrottledRatio, tt.min)
			assert.LessOrEqual(t, res.ThrottledRatio, tt.max)
		})
	}
}
