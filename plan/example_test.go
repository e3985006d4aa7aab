package plan_test

import (
	"context"
	"fmt"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/plan"
	"github.com/kinesim/kinesim/scenarios"
)

// Plan sizes a stream for 5,000 records/s of 1 KiB with random keys: five
// shards at their limits, seven with 20% headroom.
func ExamplePlan() {
	sc, err := scenarios.Parse([]byte(`
name: example
seed: 1
duration: 10s
producers:
  - generator: bike
    options: {record_size: 1KiB}
    partition_key: random
    rate: [{constant: 5000/s}]
objectives: {headroom: 0.2}
`), "example.yaml", scenarios.WithGenerators(generators.Kinds()...))
	if err != nil {
		panic(err)
	}
	res, err := plan.Plan(context.Background(), sc, plan.WithMeasuredRuns(false, 0))
	if err != nil {
		panic(err)
	}
	fmt.Println("recommended:", res.Recommended, "shards")
	for _, c := range res.Candidates {
		fmt.Printf("%d shards: peak write %.0f%%, meets %v\n", c.Shards, 100*c.PeakWriteUtilisation, c.Meets)
	}
	// Output:
	// recommended: 7 shards
	// 6 shards: peak write 83%, meets false
	// 7 shards: peak write 71%, meets true
	// 8 shards: peak write 62%, meets true
}
