package chaos_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/scenarios"
)

// TestChaosGauntlet runs the built-in chaos-gauntlet, shortened to 10 s of
// virtual time (every fault starts in them), and checks that every fault
// did something and the idempotent consumer passes.
func TestChaosGauntlet(t *testing.T) {
	sc, err := scenarios.Builtin("chaos-gauntlet", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	sc.Duration = scenarios.Duration(10 * time.Second)
	res := run(t, sc, nil)
	kinds := map[string]bool{}
	for _, f := range res.Chaos {
		kinds[f.Fault] = true
		assert.Empty(t, f.Error, "chaos[%d] %s", f.Index, f.Description)
		assert.Positive(t, f.CallsAffected, "chaos[%d] %s did something", f.Index, f.Description)
	}
	for _, k := range scenarios.FaultKinds {
		// Network faults need a real endpoint; failed deliveries and
		// lowered quotas a delivery stream (the smartcity-log-pipeline
		// scenario and package targets run those).
		if k != scenarios.FaultNetwork && k != scenarios.FaultFailedDelivery && k != scenarios.FaultFirehoseQuota {
			assert.True(t, kinds[k], "the gauntlet runs %s", k)
		}
	}
	require.NotNil(t, res.Verification)
	v := res.Verification.Consumers[0]
	assert.True(t, res.Verification.Passed, "expectations hold: %v", v.Failures)
	assert.Zero(t, v.Lost)
	assert.Zero(t, v.Reordered)
	assert.Zero(t, v.DuplicateEffects)
	assert.Positive(t, v.DuplicateDeliveries, "the faults caused duplicates")
	assert.Positive(t, v.DeliveredNotAcknowledged, "lost acknowledgements and duplicate sends show")
}
