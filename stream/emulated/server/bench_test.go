package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/kinesis"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// BenchmarkPutRecords measures PutRecords records/s with the aws-sdk-go-v2
// driver (stream/kinesis), one call in flight, 500 records of 100 bytes per
// call, against this server and, in the same run, kinesalite and
// kinesis-mock (kinesis-local). The emulator enforces its limits; 64 shards
// with an hour of write burst make them generous enough not to throttle.
// kinesis-mock slows as its shards fill, so give it fewer calls:
//
//	go test -run '^$' -bench 'PutRecords/(emulate|kinesalite)' -benchtime 100x ./stream/emulated/server/
//	go test -run '^$' -bench 'PutRecords/kinesis-mock' -benchtime 5x ./stream/emulated/server/
func BenchmarkPutRecords(b *testing.B) {
	b.Run("emulate", func(b *testing.B) {
		_, endpoint := serve(b, emulated.New(emulated.WithWriteBurst(time.Hour)))
		benchPut(b, newDriver(b, endpoint), 64)
	})
	for _, kind := range kinesistest.Kinds {
		b.Run(string(kind), func(b *testing.B) {
			srv := kinesistest.Start(b, kind)
			benchPut(b, newDriver(b, srv.Endpoint), 4)
		})
	}
}

func benchPut(b *testing.B, tg *kinesis.Target, shards int) {
	ctx := b.Context()
	name := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	require.NoError(b, tg.CreateStream(ctx, &stream.CreateStreamInput{StreamName: name, ShardCount: shards}))
	recs := make([]stream.Record, stream.MaxRecordsPerPutRecords)
	for i := range recs {
		data := make([]byte, 100)
		copy(data, fmt.Sprintf("record %d", i))
		recs[i] = stream.Record{PartitionKey: fmt.Sprintf("bike-%04d", i), Data: data}
	}
	in := &stream.PutRecordsInput{StreamName: name, Records: recs}
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		out, err := tg.PutRecords(ctx, in)
		require.NoError(b, err)
		require.Zero(b, out.FailedRecordCount, "throttled or failed records")
	}
	b.ReportMetric(float64(b.N*len(recs))/time.Since(start).Seconds(), "records/s")
}
