package emulated_test

import (
	"context"
	"testing"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

// BenchmarkPutRecordBatch measures a 500-record batch of 100-byte records
// into a stream with a quota that never binds.
func BenchmarkPutRecordBatch(b *testing.B) {
	e := emulated.New(b.TempDir(), emulated.WithQuota(delivery.Quota{RecordsPerSecond: 1 << 30, RequestsPerSecond: 1 << 30, BytesPerSecond: 1 << 40}))
	ctx := context.Background()
	if err := e.CreateDeliveryStream(ctx, delivery.Config{Name: "logs", BucketARN: delivery.BucketARN("bucket"), Buffering: delivery.BufferingHints{SizeInMBs: 128, IntervalInSeconds: 900}}); err != nil {
		b.Fatal(err)
	}
	in := &delivery.PutRecordBatchInput{DeliveryStreamName: "logs", Records: records(500, 100)}
	b.SetBytes(500 * 100)
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.PutRecordBatch(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	_ = e.Drain(ctx)
}

// BenchmarkVirtualDay runs a simulated day of 300-second buffers (a 10-record
// call every 10 s) on a virtual clock: its time per op is what a day costs.
func BenchmarkVirtualDay(b *testing.B) {
	for b.Loop() {
		v := clock.NewVirtual(epoch)
		e := emulated.New(b.TempDir(), emulated.WithClock(v))
		ctx := context.Background()
		if err := e.CreateDeliveryStream(ctx, delivery.Config{Name: "logs", BucketARN: delivery.BucketARN("bucket")}); err != nil {
			b.Fatal(err)
		}
		v.Run(func() {
			for i := range 24 * 360 {
				if _, err := e.PutRecordBatch(ctx, &delivery.PutRecordBatchInput{DeliveryStreamName: "logs", Records: idRecords(i*10, 10)}); err != nil {
					b.Error(err)
					return
				}
				_ = v.Sleep(ctx, 10*time.Second)
			}
			_ = e.Drain(ctx)
		})
	}
}
