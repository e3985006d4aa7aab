package targets

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
)

// TestBuiltinScenariosRun parses every scenario of the catalogue, opens its
// target as the emulated stream and runs it, shortened to a few seconds of
// synctest time.
func TestBuiltinScenariosRun(t *testing.T) {
	infos := scenarios.Builtins()
	require.NotEmpty(t, infos)
	for _, info := range infos {
		t.Run(info.Name, func(t *testing.T) {
			sc, err := scenarios.Builtin(info.Name, scenarios.WithGenerators(generators.Kinds()...))
			require.NoError(t, err)
			sc.Duration = scenarios.Duration(min(sc.Duration.D(), 3*time.Second))
			if sc.Target.IsFirehose() {
				// The emulated delivery stream, its objects in the run folder.
				sc.Target.Firehose.Service, sc.Target.Endpoint, sc.Target.Firehose.S3Endpoint = scenarios.FirehoseEmulated, "", ""
			} else {
				sc.Target.Kind = scenarios.TargetEmulated
			}
			synctest.Test(t, func(t *testing.T) {
				out := t.TempDir()
				opened, err := Open(t.Context(), sc, Options{RunDir: out})
				require.NoError(t, err)
				defer opened.Close()
				res, err := runner.Run(t.Context(), runner.Config{Scenario: sc, Target: opened.Target, OutDir: out, Delivery: opened.Delivery})
				require.NoError(t, err)
				assert.True(t, res.Complete)
				assert.Positive(t, res.Totals.RecordsAcknowledged, "the scenario makes traffic")
				if sc.Target.IsFirehose() {
					require.NotNil(t, res.Delivery)
					assert.Equal(t, res.Totals.RecordsAcknowledged, res.Delivery.DistinctRecords, "every record acknowledged is in S3")
				}
			})
		})
	}
}
