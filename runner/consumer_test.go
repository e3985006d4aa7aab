package runner

import (
	"path/filepath"
	"strconv"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/emulated"
)

// runDir runs sc on a fresh emulated stream in virtual time and returns the
// result and the run folder.
func runDir(t *testing.T, sc *scenarios.Scenario) (*result.Result, string) {
	t.Helper()
	out := t.TempDir()
	var res *result.Result
	synctest.Test(t, func(t *testing.T) {
		var err error
		res, err = Run(t.Context(), Config{Scenario: sc, Target: emulated.New(), OutDir: out})
		require.NoError(t, err)
	})
	return res, out
}

func verdicts(t *testing.T, v *result.Verification) map[string]result.ConsumerVerdict {
	t.Helper()
	require.NotNil(t, v, "a run with consumers has a verification")
	out := map[string]result.ConsumerVerdict{}
	for _, c := range v.Consumers {
		out[c.Consumer] = c
	}
	return out
}

func TestIdempotencyCheckScenario(t *testing.T) {
	sc, err := scenarios.Resolve("idempotency-check", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	res, out := runDir(t, sc)
	acked := res.Totals.RecordsAcknowledged
	require.Equal(t, int64(2000), acked, "every record is acknowledged")

	v := verdicts(t, res.Verification)
	naive, idem := v["naive"], v["idempotent"]
	// The crash at 5 s replays what was read since the checkpoint at 3 s.
	assert.Positive(t, naive.DuplicateDeliveries, "the restart re-delivers records")
	for _, c := range []result.ConsumerVerdict{naive, idem} {
		assert.Equal(t, acked, c.Acknowledged, "%s: acknowledged", c.Consumer)
		assert.Zero(t, c.Lost, "%s: lost", c.Consumer)
		assert.Zero(t, c.Reordered, "%s: reordered", c.Consumer)
		assert.Zero(t, c.DeliveredNotAcknowledged, "%s: delivered but not acknowledged", c.Consumer)
		assert.Equal(t, acked, c.DistinctRecords, "%s: every record delivered", c.Consumer)
		assert.Equal(t, acked+c.DuplicateDeliveries, c.Deliveries, "%s: deliveries", c.Consumer)
	}
	// The ledger predicts the naive sink's damage exactly: every duplicate
	// delivery is a second application (no record is replayed twice).
	assert.Equal(t, naive.DuplicateDeliveries, naive.DuplicateEffects, "naive: duplicate effects")
	assert.False(t, naive.Passed, "naive fails: %v", naive.Failures)
	assert.Equal(t, []string{"duplicate_effects " + itoa(naive.DuplicateEffects) + " > 0"}, naive.Failures)
	assert.Positive(t, idem.DuplicateDeliveries, "the idempotent consumer gets duplicates too")
	assert.Zero(t, idem.DuplicateEffects, "idempotent: no duplicate effects")
	assert.True(t, idem.Passed, "idempotent passes")
	assert.False(t, res.Verification.Passed, "the run's verification fails")
	// The sinks' final per-key totals against the acknowledged records.
	require.NotNil(t, naive.Sink, "an aggregate sink is checked")
	require.NotNil(t, idem.Sink, "an aggregate sink is checked")
	assert.Equal(t, acked, naive.Sink.ExpectedTotal, "naive: one per acknowledged record")
	assert.Equal(t, acked+naive.DuplicateEffects, naive.Sink.ActualTotal, "naive: every duplicate effect inflates a total")
	assert.Positive(t, naive.Sink.KeysWrong, "naive: some keys' totals are wrong")
	assert.Equal(t, acked, idem.Sink.ActualTotal, "idempotent: totals are exact")
	assert.Zero(t, idem.Sink.KeysWrong, "idempotent: no key is wrong")

	// The ledger file in the run folder judges the same.
	led, err := ledger.Load(filepath.Join(out, ledger.FileName))
	require.NoError(t, err)
	for _, c := range led.Consumers() {
		got := c.Verdict()
		want := v[c.Name()]
		got.Sink = want.Sink // the sink's state is the run's, not the ledger's
		got.Judge(want.Expect)
		assert.Equal(t, want, got, "%s: the ledger file's verdict", c.Name())
	}
	assert.Positive(t, res.Totals.RecordsConsumed)
	assert.Less(t, res.ElapsedS, 12.0, "consumers stop once drained, well before the 10 s drain cap")
	assert.Positive(t, res.LatencyMs["end_to_end"].Count, "end-to-end latency is measured")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
