package runner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

// TestBuiltinScenariosRunInVirtualTime runs the catalogue on a
// virtual clock (clock: virtual), where a goroutine waiting outside the
// clock would stall simulated time: each run must finish.
func TestBuiltinScenariosRunInVirtualTime(t *testing.T) {
	for _, info := range scenarios.Builtins() {
		t.Run(info.Name, func(t *testing.T) {
			sc, err := scenarios.Builtin(info.Name, scenarios.WithGenerators(generators.Kinds()...))
			require.NoError(t, err)
			if sc.Target.IsFirehose() {
				t.Skip("a firehose target is opened by package targets; its TestBuiltinScenariosRun and TestFirehose* run it in virtual time")
			}
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
