package emulated_test

import (
	"context"
	"fmt"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

func Example() {
	ctx := context.Background()
	em := emulated.New()
	if err := em.CreateStream(ctx, &stream.CreateStreamInput{StreamName: "bikes", ShardCount: 2}); err != nil {
		panic(err)
	}
	out, err := em.PutRecords(ctx, &stream.PutRecordsInput{StreamName: "bikes", Records: []stream.Record{
		{PartitionKey: "bike-42", Data: []byte(`{"dock":7}`)},
		{PartitionKey: "bike-42", Data: []byte(`{"dock":9}`)},
	}})
	if err != nil {
		panic(err)
	}
	shardID := out.Records[0].ShardID
	fmt.Println("failed:", out.FailedRecordCount, "shard:", shardID)

	it, err := em.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: "bikes", ShardID: shardID, Type: stream.TrimHorizon})
	if err != nil {
		panic(err)
	}
	got, err := em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
	if err != nil {
		panic(err)
	}
	for _, r := range got.Records {
		fmt.Println(r.PartitionKey, string(r.Data))
	}
	fmt.Println("behind:", got.MillisBehindLatest)
	// Output:
	// failed: 0 shard: shardId-000000000000
	// bike-42 {"dock":7}
	// bike-42 {"dock":9}
	// behind: 0
}
