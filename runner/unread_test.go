package runner

import (
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

// TestBacklogAtTheEndIsUnreadNotLost: a consumer polling every 4 s, slowed
// by 3 s of latency, still has a backlog when a 100 ms drain ends the run.
// Those records are not read yet, not lost: expect {lost: 0} passes and
// {unread: 0} is what fails; with a long drain every record is delivered.
func TestBacklogAtTheEndIsUnreadNotLost(t *testing.T) {
	src := `
name: slow-reader
seed: 11
duration: 10s
target: {kind: emulated, stream: slow-reader, shards: 2}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 20, bikes: 200}
    partition_key: {field: bike_id}
    rate: [{constant: 100/s}]
    batch: {max_records: 10, linger: 1s}
consumers:
  - {name: lost-only, mode: polling, poll_interval: 4s, sink: idempotent, expect: {lost: 0}}
  - {name: all-read, mode: polling, poll_interval: 4s, sink: idempotent, expect: {lost: 0, unread: 0}}
chaos:
  - {at: 5s, for: 4s, latency: {fixed: 3s}}
`
	sc, err := scenarios.Parse([]byte(src), "slow-reader.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	run := func(drain time.Duration) map[string]result.ConsumerVerdict {
		var res *result.Result
		synctest.Test(t, func(t *testing.T) {
			res, err = Run(t.Context(), Config{Scenario: sc, Target: emulated.New(), OutDir: t.TempDir(), DrainTimeout: drain})
			require.NoError(t, err)
		})
		return verdicts(t, res.Verification)
	}

	short := run(100 * time.Millisecond)
	for name, c := range short {
		assert.Zero(t, c.Lost, "%s: nothing is lost", name)
		assert.Positive(t, c.Unread, "%s: a backlog is left", name)
		assert.Equal(t, c.Acknowledged, c.DistinctRecords+c.Unread, "%s: every record delivered or unread", name)
		assert.Positive(t, c.ReadRatePerS, "%s: the observed read rate", name)
		assert.InDelta(t, float64(c.Unread)/c.ReadRatePerS, c.UnreadReadS, 1e-6, "%s: the backlog's time at that rate", name)
	}
	assert.True(t, short["lost-only"].Passed, "expect {lost: 0} judges lost only: %v", short["lost-only"].Failures)
	assert.False(t, short["all-read"].Passed, "expect {unread: 0} fails on the backlog")

	long := run(60 * time.Second)
	for name, c := range long {
		assert.Zero(t, c.Unread, "%s: a long drain reads the backlog", name)
		assert.Equal(t, c.Acknowledged, c.DistinctRecords, "%s: every record delivered", name)
		assert.True(t, c.Passed, "%s: %v", name, c.Failures)
	}
}
