package plan

import (
	"context"
	"testing"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/scenarios"
)

// BenchmarkPlanBikeCity plans the built-in plan-bike-city scenario (a real
// 24-hour day); the target is under 30 s a plan on this machine.
func BenchmarkPlanBikeCity(b *testing.B) {
	sc, err := scenarios.Builtin("plan-bike-city", scenarios.WithGenerators(generators.Kinds()...))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := Plan(context.Background(), sc)
		if err != nil {
			b.Fatal(err)
		}
		if res.Recommended == 0 {
			b.Fatal("no recommendation")
		}
	}
}
