package runner

import (
	"testing"
	"time"
)

// BenchmarkAggregatingProducer measures a producer's throughput with KPL
// aggregation against the same traffic without: 10,000 user records/s of
// bike telemetry (about 0.75 MiB/s a shard) into 4 shards for a minute of
// virtual time (shortened by KINESIM_BENCH_DURATION), 50 user records an
// aggregate. It reports the user records made (and packed, and put) and
// acknowledged per second of wall time, and the Kinesis records per user
// record. Without aggregation the shards throttle (2,500 records/s each
// against 1,000), so it reports the throttled share too.
//
//	go test -run '^$' -bench AggregatingProducer -benchtime 1x ./runner/
func BenchmarkAggregatingProducer(b *testing.B) {
	span := benchDuration(b, time.Minute)
	for _, tt := range []struct {
		name         string
		perAggregate int64
	}{{"aggregated", 50}, {"plain", 0}} {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				sc := constantScenario(b, 10000, 4, span, "{field: bike_id}")
				sc.Producers[0].Batch.MaxRecords = 500
				sc.Producers[0].MaxInFlight = 16
				if tt.perAggregate > 0 {
					aggregated(sc, tt.perAggregate, 100*time.Millisecond)
				}
				started := time.Now()
				res := runOnVirtualClock(b, sc)
				took := time.Since(started)
				b.ReportMetric(float64(res.Totals.RecordsSent)/took.Seconds(), "user-records-sent/s")
				b.ReportMetric(float64(res.Totals.RecordsAcknowledged)/took.Seconds(), "user-records-acked/s")
				b.ReportMetric(float64(res.Totals.KinesisRecordsAcknowledged)/max(float64(res.Totals.RecordsAcknowledged), 1), "kinesis-records/user-record")
				b.ReportMetric(100*res.ThrottledRatio, "throttled-%")
			}
		})
	}
}
