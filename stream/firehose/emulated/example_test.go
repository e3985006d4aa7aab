package emulated_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

// An hour of web logs, one record a second, into a stream with 60-second
// buffers, on a virtual clock: sixty objects, named as Firehose names them.
func Example() {
	dir, _ := os.MkdirTemp("", "firehose-example")
	defer os.RemoveAll(dir)
	v := clock.NewVirtual(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	var first string
	emu := emulated.New(dir, emulated.WithClock(v), emulated.WithObserver(func(o emulated.Object) {
		if first == "" {
			first = o.Bucket + "/" + o.Key
		}
	}))
	ctx := context.Background()
	_ = emu.CreateDeliveryStream(ctx, delivery.Config{
		Name:          "web-logs",
		BucketARN:     delivery.BucketARN("smartcity-logs"),
		Buffering:     delivery.BufferingHints{IntervalInSeconds: 60},
		Compression:   delivery.GZIP,
		AppendNewline: true,
	})
	v.Run(func() {
		for i := range 3600 {
			_, _ = emu.PutRecord(ctx, "web-logs", delivery.Record{Data: fmt.Appendf(nil, `{"id":%d,"path":"/"}`, i)})
			_ = v.Sleep(ctx, time.Second)
		}
		_ = emu.Drain(ctx)
	})
	st, _ := emu.Stats("web-logs")
	fmt.Println(st.IncomingRecords, "records in,", st.Objects, "objects,", st.DeliveredRecords, "records delivered")
	fmt.Println(first)
	// Output:
	// 3600 records in, 60 objects, 3600 records delivered
	// smartcity-logs/2026/03/01/09/web-logs-1-2026-03-01-09-00-00-c43a1e3d-bb0e-4512-98c1-ae4f25ec170b.gz
}
