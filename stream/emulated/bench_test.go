package emulated_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// benchBatch returns a 500-record batch of 100-byte records over 1,000 keys.
func benchBatch(offset int) []stream.Record {
	recs := make([]stream.Record, stream.MaxRecordsPerPutRecords)
	for i := range recs {
		recs[i] = stream.Record{PartitionKey: fmt.Sprintf("user-%d", (offset+i)%1000), Data: make([]byte, 100)}
	}
	return recs
}

// benchmarkPut puts 500-record batches of 100-byte records into a stream of
// the given shard count. The fake clock moves a second per batch so that no
// record is throttled; the stream is recreated (off the clock) every
// recreateEvery batches so memory stays bounded.
func benchmarkPut(b *testing.B, shards int, parallel bool) {
	const recreateEvery = 400
	ctx := context.Background()
	clk := newFakeClock()
	em := emulated.New(emulated.WithClock(clk))
	recreate := func() {
		_ = em.DeleteStream(ctx, testStream)
		if err := em.CreateStream(ctx, &stream.CreateStreamInput{StreamName: testStream, ShardCount: shards}); err != nil {
			b.Fatal(err)
		}
	}
	recreate()
	putBatch := func(in *stream.PutRecordsInput) {
		clk.Advance(time.Second)
		out, err := em.PutRecords(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if out.FailedRecordCount != 0 {
			b.Fatalf("%d records throttled; the benchmark measures the unthrottled path", out.FailedRecordCount)
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(stream.MaxRecordsPerPutRecords * (100 + len("user-000"))))
	if parallel {
		// Recreating would race with the other goroutines; the parallel run
		// keeps every record.
		b.RunParallel(func(pb *testing.PB) {
			in := &stream.PutRecordsInput{StreamName: testStream, Records: benchBatch(0)}
			for pb.Next() {
				putBatch(in)
			}
		})
	} else {
		in := &stream.PutRecordsInput{StreamName: testStream, Records: benchBatch(0)}
		for i := 0; b.Loop(); i++ {
			if i%recreateEvery == recreateEvery-1 {
				b.StopTimer()
				recreate()
				b.StartTimer()
			}
			putBatch(in)
		}
	}
	records := float64(b.N) * stream.MaxRecordsPerPutRecords
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/records, "ns/record")
	b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkPutRecords(b *testing.B) {
	for _, shards := range []int{1, 4, 64} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) { benchmarkPut(b, shards, false) })
	}
	b.Run("shards=64/parallel", func(b *testing.B) { benchmarkPut(b, 64, true) })
}

// BenchmarkGetRecords reads 10,000-record pages of 100-byte records, the fake
// clock moving a second per call so the read limits do not throttle.
func BenchmarkGetRecords(b *testing.B) {
	const stored = 100_000
	ctx := context.Background()
	clk := newFakeClock()
	em := emulated.New(emulated.WithClock(clk))
	if err := em.CreateStream(ctx, &stream.CreateStreamInput{StreamName: testStream, ShardCount: 1}); err != nil {
		b.Fatal(err)
	}
	in := &stream.PutRecordsInput{StreamName: testStream, Records: benchBatch(0)}
	for range stored / stream.MaxRecordsPerPutRecords {
		clk.Advance(time.Second)
		if out, err := em.PutRecords(ctx, in); err != nil || out.FailedRecordCount != 0 {
			b.Fatal(err, out.FailedRecordCount)
		}
	}
	trimHorizon := func() string {
		it, err := em.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: testStream, ShardID: shard0, Type: stream.TrimHorizon})
		if err != nil {
			b.Fatal(err)
		}
		return it
	}
	b.ReportAllocs()
	it, read := trimHorizon(), 0
	for b.Loop() {
		clk.Advance(time.Second)
		out, err := em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it, Limit: stream.MaxGetRecordsLimit})
		if err != nil {
			b.Fatal(err)
		}
		read += len(out.Records)
		it = out.NextShardIterator
		if len(out.Records) == 0 {
			it = trimHorizon() // read it all: start again
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(read), "ns/record")
	b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSimulatedHour writes an hour of 10,000 records/s (100-byte
// records, 10 shards, a 500-record call every 50 ms of fake time) and
// reports the speed-up over wall-clock time and the memory held at the end,
// which the default limits bound.
//
//	go test -run '^$' -bench SimulatedHour -benchtime 1x ./stream/emulated/
func BenchmarkSimulatedHour(b *testing.B) {
	const span, step = time.Hour, 50 * time.Millisecond
	ctx := context.Background()
	for b.Loop() {
		clk := newFakeClock()
		em := emulated.New(emulated.WithClock(clk))
		if err := em.CreateStream(ctx, &stream.CreateStreamInput{StreamName: testStream, ShardCount: 10}); err != nil {
			b.Fatal(err)
		}
		batches := make([][]stream.Record, 2) // 1,000 keys, 500 a call
		for i := range batches {
			batches[i] = benchBatch(i * stream.MaxRecordsPerPutRecords)
		}
		in := &stream.PutRecordsInput{StreamName: testStream}
		throttled, sent := 0, 0
		started := time.Now()
		for i := range int(span / step) {
			in.Records = batches[i%len(batches)]
			out, err := em.PutRecords(ctx, in)
			if err != nil {
				b.Fatal(err)
			}
			sent += len(in.Records)
			throttled += out.FailedRecordCount
			clk.Advance(step)
		}
		took := time.Since(started)
		b.ReportMetric(span.Seconds()/took.Seconds(), "speed-up")
		b.ReportMetric(float64(sent)/took.Seconds(), "records/s")
		b.ReportMetric(100*float64(throttled)/float64(sent), "throttled-%")
		b.ReportMetric(float64(em.PayloadBytes())/(1<<20), "payload-MiB")
		b.ReportMetric(float64(em.StoredRecords()), "stored-records")
	}
}
