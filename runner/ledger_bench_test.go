package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/scenarios"
)

// BenchmarkVirtualHourConsumed is BenchmarkVirtualHour as the tool is used:
// an hour of bike telemetry at 10,000 records/s into 12 shards, in virtual
// time, read back by a polling consumer (every second) with an aggregate
// processor and an idempotent sink; optionally with 1% of the calls sent
// twice. It reports the ledger file's bytes per record (targets: ≤ 0.1
// clean, ≤ 2 with 1% duplicated) and the process's peak RSS, which must not
// grow with the records (KINESIM_BENCH_DURATION shortens the span).
//
//	KINESIM_BENCH_DURATION=10m go test -run '^$' -bench VirtualHourConsumed -benchtime 1x ./runner/
func BenchmarkVirtualHourConsumed(b *testing.B) {
	span := benchDuration(b, time.Hour)
	for _, tc := range []struct{ name, chaos string }{
		{"clean", ""},
		{"1%-duplicated", "chaos:\n  - {at: 0s, for: " + span.String() + ", duplicate_send: {probability: 0.01}}\n"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				sc := consumedScenario(b, span, tc.chaos)
				out := b.TempDir()
				started := time.Now()
				res, err := virtualRun(b.Context(), sc, out)
				if err != nil {
					b.Fatal(err)
				}
				took := time.Since(started)
				fi, err := os.Stat(filepath.Join(out, ledger.FileName))
				if err != nil {
					b.Fatal(err)
				}
				v := res.Verification.Consumers[0]
				if v.Lost != 0 || v.DistinctRecords == 0 {
					b.Fatalf("verdict %+v", v)
				}
				b.ReportMetric(span.Seconds()/took.Seconds(), "speed-up")
				b.ReportMetric(float64(fi.Size())/float64(res.Totals.RecordsSent), "ledger-B/record")
				b.ReportMetric(float64(res.Totals.RecordsSent), "records")
				b.ReportMetric(peakRSSMiB(b), "peak-RSS-MiB")
			}
		})
	}
}

func consumedScenario(b *testing.B, span time.Duration, chaos string) *scenarios.Scenario {
	src := fmt.Sprintf(`
name: virtual-hour
seed: 7
duration: %s
clock: virtual
target: {kind: emulated, stream: virtual-hour, shards: 12}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 300, bikes: 5000}
    partition_key: {field: bike_id}
    rate: [{constant: 10000/s}]
    batch: {max_records: 500, linger: 50ms}
    max_in_flight: 16
consumers:
  - {name: dashboard, mode: polling, poll_interval: 1s, processor: aggregate, sink: idempotent}
%s`, span, chaos)
	sc, err := scenarios.Parse([]byte(src), "virtual-hour.yaml", scenarios.WithGenerators(generators.Kinds()...))
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// peakRSSMiB is the process's peak resident set (Linux: VmHWM), 0 elsewhere.
func peakRSSMiB(b *testing.B) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	return 0
}
