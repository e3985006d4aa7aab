package pipeline

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// BenchmarkReceived is the pipeline's per-record cost on the output side:
// finding the id in an enriched JSON record, the ledger's delivery and the
// latency lookup, for responses of 500 records.
func BenchmarkReceived(b *testing.B) {
	for _, id := range []scenarios.PipelineID{{Field: "source.kinesim_id"}, {Regex: `"kinesim_id":"([A-Za-z0-9._-]+)"`}} {
		b.Run(id.Describe(), func(b *testing.B) {
			const records = 500 * 128
			led := ledger.New()
			prod := led.Producer("bikes")
			times := NewSendTimes(records)
			start := time.Unix(1_700_000_000, 0)
			pt := times.Producer("bikes")
			out := make([]stream.StoredRecord, records)
			for i := range out {
				n := uint64(i + 1)
				prod.Acknowledged(n, "k", "shardId-000000000000", fmt.Sprint(n), 1)
				pt.Note(n, start.Add(time.Duration(i)*time.Millisecond))
				src := fmt.Sprintf(`{"kinesim_id":"bikes-%d","kinesim_sent_us":1,"bike_id":"b-%d","station":42,"lat":40.7,"lon":-73.9}`, n, i%5000)
				data, _ := json.Marshal(map[string]any{"source": json.RawMessage(src), "enriched_by": "forwarder", "input_shard": "shardId-000000000000"})
				out[i] = stream.StoredRecord{Data: data}
			}
			p, err := newPipeline(Config{Pipeline: scenarios.Pipeline{Name: "bench", ID: id}, Ledger: led, Producers: []string{"bikes"},
				SendTimes: times, Clock: clock.Real{}})
			if err != nil {
				b.Fatal(err)
			}
			now := start.Add(time.Hour)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				from := (i * 500) % records
				p.received(out[from:from+500], now)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/record")
		})
	}
}
