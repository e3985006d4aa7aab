package kpl_test

import (
	"fmt"

	"github.com/kinesim/kinesim/stream/kpl"
)

// A producer packs user records bound for one shard; a consumer unpacks
// them with sub-sequence numbers.
func Example() {
	agg, err := kpl.NewAggregator(kpl.WithMaxRecords(3))
	if err != nil {
		panic(err)
	}
	var out []kpl.Aggregate
	for i, key := range []string{"bike-1", "bike-2", "bike-1", "bike-3"} {
		out, err = agg.Add(out, kpl.UserRecord{PartitionKey: key, Data: fmt.Appendf(nil, "event %d", i)})
		if err != nil {
			panic(err)
		}
	}
	out = agg.Flush(out) // the caller's linger expired

	for _, ag := range out {
		urs, outcome := kpl.Deaggregate(nil, ag.Record, kpl.AllHashKeys)
		fmt.Printf("Kinesis record, partition key %q, aggregated=%t\n", ag.PartitionKey, outcome.Aggregated)
		for _, ur := range urs {
			fmt.Printf("  %d %s %s\n", ur.SubSequenceNumber, ur.PartitionKey, ur.Data)
		}
	}
	// Output:
	// Kinesis record, partition key "a", aggregated=true
	//   0 bike-1 event 0
	//   1 bike-2 event 1
	//   2 bike-1 event 2
	// Kinesis record, partition key "bike-3", aggregated=false
	//   0 bike-3 event 3
}
