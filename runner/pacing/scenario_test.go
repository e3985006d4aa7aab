package pacing

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
)

// TestScenarioShapes reads every shape as a user writes it in a scenario
// file and builds its schedule.
func TestScenarioShapes(t *testing.T) {
	sc, err := scenarios.Parse([]byte(`
name: every-shape
seed: 42
duration: 80s
target: {kind: emulated, stream: s, shards: 1}
producers:
  - name: bikes
    generator: bike
    rate:
      - {constant: 800/s, for: 10s}
      - {ramp: {from: 800/s, to: 4000/s}, for: 10s}
      - {steps: {rates: [100/s, 200/s], every: 5s}, for: 10s}
      - {spike: {base: 4000/s, peak: 9000/s, at: 2s, for: 5s}, for: 10s, arrivals: poisson}
      - {sine: {min: 100/s, max: 900/s, period: 1h, time_scale: 360}, for: 10s}
      - {diurnal: {min: 50/s, max: 12000/s, time_scale: 8640, start: 6h}, for: 10s}
      - {on_off: {mean_on: 1s, mean_off: 3s, on_rate: 5000/s, off_rate: 10/s}, for: 10s}
      - {trace: {file: steps.csv, time_scale: 10, scale: 2}}
`), "every-shape.yaml")
	require.NoError(t, err)
	s, err := New(sc.Producers[0].Rate, sc.Duration.D(), sc.Seed, WithTraceFS(traces))
	require.NoError(t, err)
	for _, p := range []point{
		{5 * time.Second, 800, 4000},                              // constant
		{15 * time.Second, 2400, 8000 + 8000},                     // ramp, halfway
		{27 * time.Second, 200, 32000 + 500 + 400},                // steps
		{33 * time.Second, 9000, 33500 + 8000 + 9000},             // spike, a second in
		{45 * time.Second, 900, 33500 + 65000 + 2500},             // sine, at its peak
		{50 * time.Second, 50 + 11950*0.25, 33500 + 65000 + 5000}, // diurnal, at 06:00
		{60 * time.Second, 5000, 0},                               // on/off, starting with a burst
		{71500 * time.Millisecond, 600, 0},                        // trace, sped up and doubled
	} {
		assert.InDelta(t, p.rate, s.Rate(p.elapsed), dueTolerance, "Rate(%v)", p.elapsed)
		if p.due > 0 {
			assert.InDelta(t, p.due, s.Due(p.elapsed), dueTolerance, "Due(%v)", p.elapsed)
		}
	}
}
