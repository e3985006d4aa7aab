package scenarios_test

import (
	"fmt"

	"github.com/kinesim/kinesim/scenarios"
)

func ExampleParse() {
	s, err := scenarios.Parse([]byte(`
name: quick
duration: 30s
producers:
  - generator: logs
    rate: [{constant: 48000/min}]
`), "quick.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	p := s.Producers[0]
	fmt.Println(s.Name, s.Duration, s.Target.Kind, s.Target.Shards)
	fmt.Println(p.Name, *p.Rate[0].Constant, p.Batch.MaxRecords, p.Batch.Linger)

	_, err = scenarios.Parse([]byte(`
name: quick
duration: 30s
producers:
  - generator: logs
    rate: [{constant: 48000/min}]
    batch: {max_records: 900}
`), "quick.yaml")
	fmt.Println(err)
	// Output:
	// quick 30s emulated 1
	// producer-1 800/s 500 50ms
	// quick.yaml:7:26: producers[0].batch.max_records: 900 is over the PutRecords limit; use 1..500
}
