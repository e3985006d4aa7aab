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

// TestBuiltinScenariosRunInVirtualTime runs the catalogue again on a
// virtual clock (clock: virtual), where a goroutine waiting outside the
// clock would stall simulated time: each run must finish.
func TestBuiltinScenariosRunInVirtualTime(t *testing.T) {
	for _, info := range scenarios.Builtins() {
		t.Run(info.Name, func(t *testing.T) {
			sc, err := scenarios.Builtin(info.Name, scenarios.WithGenerators(generators.Kinds()...))
			require.NoError(t, err)
			sc.Duration = scenarios.Duration(min(sc.Duration.D(), 5*time.Second))
			sc.Target.Kind = scenarios.TargetEmulated
			sc.Clock = scenarios.ClockVirtual
			type outcome struct {
				res *result.Result
				err error
			}
			done := make(chan outcome, 1)
			out := t.TempDir()
			go func() {
				res, err := virtualRun(t.Context(), sc, out)
				done <- outcome{res, err}
			}()
			select {
			case o := <-done:
				require.NoError(t, o.err)
				res := o.res
				assert.True(t, res.Complete)
				assert.Positive(t, res.Totals.RecordsAcknowledged, "the scenario makes traffic")
			case <-time.After(time.Minute):
				t.Fatal("the virtual-time run stalled: a goroutine waits outside the clock")
			}
		})
	}
}
