package runner

import (
	"fmt"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/runner/pacing"
	"github.com/kinesim/kinesim/scenarios"
)

// ProducerSeed is the seed of the scenario's producer i, derived from the
// scenario's seed so that adding a producer does not change the others'
// traffic. Everything that replays a producer's records uses it.
func ProducerSeed(seed int64, i int) int64 { return seed + int64(i)*1_000_003 }

// Traffic is what makes one producer's records: its generator, partition
// key chooser and rate schedule.
type Traffic struct {
	Generator generators.Generator
	Keys      generators.KeyChooser
	Schedule  pacing.Schedule
}

// CompileTraffic builds the traffic of the scenario's producer i with the
// seed a run uses (ProducerSeed), so that a run, its cost estimate and a
// plan all see the same records. Errors name the producer and the field.
func CompileTraffic(sc *scenarios.Scenario, i int) (Traffic, error) {
	pc := sc.Producers[i]
	seed := ProducerSeed(sc.Seed, i)
	gen, err := generators.New(pc.Generator, pc.Options, seed)
	if err != nil {
		return Traffic{}, fmt.Errorf("producer %q: %w", pc.Name, err)
	}
	keys, err := generators.NewKeyChooser(pc.PartitionKey, gen, seed)
	if err != nil {
		return Traffic{}, fmt.Errorf("producer %q: %w", pc.Name, &scenarios.FieldError{Field: "partition_key", Err: err})
	}
	sched, err := pacing.New(pc.Rate, sc.Duration.D(), seed)
	if err != nil {
		return Traffic{}, fmt.Errorf("producer %q: %w", pc.Name, &scenarios.FieldError{Field: "rate", Err: err})
	}
	return Traffic{Generator: gen, Keys: keys, Schedule: sched}, nil
}
