package reports

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// assertGolden compares got with testdata/name, or rewrites it under -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./reports -run %s -update", t.Name())
	assert.Equal(t, string(want), string(got), "output differs from %s; if the change is intended, run with -update", path)
}

func ptr(v float64) *float64 { return &v }

// fixedResult is a deterministic result of a 20-second run: a ramp from 100
// to 1,000 records/s with throttling from second 12, one failed threshold, one
// passed and one not measured.
func fixedResult() *result.Result {
	start := time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)
	r := &result.Result{
		SchemaVersion:    result.SchemaVersion,
		Scenario:         "bike-rush-hour",
		ScenarioFile:     "builtin:bike-rush-hour",
		Seed:             42,
		Complete:         true,
		KinesimVersion:   "test",
		Target:           result.TargetInfo{Kind: "emulated", Stream: "smartcity-bikes", Shards: 4, Mode: "provisioned"},
		StartedAt:        start,
		EndedAt:          start.Add(20 * time.Second),
		PlannedDurationS: 20,
		ElapsedS:         20.04,
		Producers:        []result.ProducerInfo{{Name: "bikes", Generator: "bike", PartitionKey: "field bike_id"}},
		Files:            map[string]string{"result": "runs/bike/result.json"},
		LatencyMs: map[string]result.Percentiles{
			"record":      {Count: 10900, P50: 12.5, P90: 40.1, P99: 312.4, P999: 980, Max: 1204.2, Mean: 25.3},
			"put_records": {Count: 60, P50: 8.2, P90: 11.9, P99: 20.5, P999: 22, Max: 22, Mean: 9.1},
			"send_delay":  {Count: 11000, P50: 25, P90: 48, P99: 51.2, P999: 60, Max: 61, Mean: 24},
		},
	}
	for _, m := range metrics.ProducerMetrics() {
		p := r.LatencyMs[m.Name()]
		// A curve through result.json's own percentiles, linear between them.
		knots := [][2]float64{{0, p.P50 / 4}, {50, p.P50}, {90, p.P90}, {99, p.P99}, {99.9, p.P999}, {100, p.Max}}
		var d []result.QuantileValue
		for _, q := range result.DistributionPercentiles {
			for i := 1; i < len(knots); i++ {
				if a, b := knots[i-1], knots[i]; q <= b[0] {
					v := a[1] + (b[1]-a[1])*(q-a[0])/(b[0]-a[0])
					d = append(d, result.QuantileValue{Percentile: q, ValueMs: math.Round(v*100) / 100})
					break
				}
			}
		}
		if r.LatencyDistributionMs == nil {
			r.LatencyDistributionMs = map[string][]result.QuantileValue{}
		}
		r.LatencyDistributionMs[m.Name()] = d
	}
	for s := range 20 {
		rate := int64(100 + 45*s)
		p := result.SeriesPoint{Second: s, RecordsScheduled: rate, RecordsSent: rate, RecordsAcknowledged: rate,
			RecordLatencyMs: result.Percentiles{Count: rate, P50: 10, P90: 20, P99: 30 + float64(s), P999: 40, Max: 50, Mean: 12},
			SendDelayMs:     result.Percentiles{Count: rate, P50: 25, P90: 45, P99: 50, P999: 51, Max: 52, Mean: 24}}
		if s >= 12 {
			p.RecordsThrottled = 40
			p.RecordsAcknowledged -= 40
			p.RecordLatencyMs.P99 = 300 + float64(s)
		}
		r.Series = append(r.Series, p)
		r.Totals.RecordsScheduled += p.RecordsScheduled
		r.Totals.RecordsSent += p.RecordsSent
		r.Totals.RecordsAcknowledged += p.RecordsAcknowledged
		r.Totals.RecordsThrottled += p.RecordsThrottled
		r.Throughput.PeakRecordsAcknowledgedPerS = max(r.Throughput.PeakRecordsAcknowledgedPerS, p.RecordsAcknowledged)
	}
	r.Totals.PutAttempts = r.Totals.RecordsSent + r.Totals.RecordsThrottled
	r.Totals.RecordsRetried = r.Totals.RecordsThrottled
	r.Totals.BytesAcknowledged = r.Totals.RecordsAcknowledged * 300
	r.Totals.PutCalls = 60
	r.ThrottledRatio = float64(r.Totals.RecordsThrottled) / float64(r.Totals.PutAttempts)
	r.Throughput.RecordsAcknowledgedPerS = float64(r.Totals.RecordsAcknowledged) / r.ElapsedS
	r.Throughput.BytesAcknowledgedPerS = float64(r.Totals.BytesAcknowledged) / r.ElapsedS
	r.Thresholds = []result.ThresholdResult{
		{Metric: "lost_records", Expression: "count == 0", Skipped: true, Reason: "not measured: the run has no consumers to verify"},
		{Metric: "put_latency_ms", Expression: "p(99) < 250", Actual: ptr(20.5), OK: true, Limit: 250},
		{Metric: "record_latency_ms", Expression: "p(99) < 250", Actual: ptr(312.4), Limit: 250},
	}
	return r
}

// fixedResultWithConsumers is fixedResult with what a run with consumers,
// per-shard counts and a chaos timeline adds: per-second consumption and
// iterator age, two shards (one over its limit from second 12) and one
// fault window.
func fixedResultWithConsumers() *result.Result {
	r := fixedResult()
	for i := range r.Series {
		p := &r.Series[i]
		p.RecordsConsumed = p.RecordsAcknowledged
		if i > 0 {
			p.RecordsConsumed = r.Series[i-1].RecordsAcknowledged
		}
		age := float64(100 * (i % 7))
		p.IteratorAgeMs = &age
		r.Totals.RecordsConsumed += p.RecordsConsumed
	}
	for s, share := range []float64{0.3, 0.7} {
		l := result.ShardLoad{ShardID: fmt.Sprintf("shardId-%012d", s)}
		for _, p := range r.Series {
			n := int64(share * float64(p.RecordsAcknowledged))
			l.RecordsPerS = append(l.RecordsPerS, n)
			l.BytesPerS = append(l.BytesPerS, 300*n)
			l.RecordsAcknowledged += n
			l.BytesAcknowledged += 300 * n
			l.PeakRecordsPerS = max(l.PeakRecordsPerS, n)
			l.PeakBytesPerS = max(l.PeakBytesPerS, 300*n)
		}
		r.Shards = append(r.Shards, l)
	}
	r.Chaos = []result.FaultResult{{Index: 0, Fault: "latency", Description: "latency 100ms (every one)", AtS: 8, ForS: 3,
		CallsAffected: 12, RecordsAffected: 900}}
	return r
}
