package runner

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/scenarios"
)

// TestBuiltinScenariosRun parses every scenario of the catalogue and runs it,
// shortened to a few seconds of virtual time, on the emulated stream.
func TestBuiltinScenariosRun(t *testing.T) {
	infos := scenarios.Builtins()
	require.NotEmpty(t, infos)
	for _, info := range infos {
		t.Run(info.Name, func(t *testing.T) {
			sc, err := scenarios.Builtin(info.Name, scenarios.WithGenerators(generators.Kinds()...))
			require.NoError(t, err)
			sc.Duration = scenarios.Duration(min(sc.Duration.D(), 3*time.Second))
			sc.Target.Kind = scenarios.TargetEmulated
			synctest.Test(t, func(t *testing.T) {
				target, _, closeTarget, err := OpenTarget(t.Context(), sc, OpenOptions{})
				require.NoError(t, err)
				defer closeTarget()
				res, err := Run(t.Context(), Config{Scenario: sc, Target: target, OutDir: t.TempDir()})
				require.NoError(t, err)
				assert.True(t, res.Complete)
				assert.Positive(t, res.Totals.RecordsAcknowledged, "the scenario makes traffic")
			})
		})
	}
}
