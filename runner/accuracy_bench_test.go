package runner

import (
	"math"
	"os"
	"testing"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream/emulated"
)

// BenchmarkProducerAccuracy runs 50,000 records/s of bike telemetry for 20 s
// (KINESIM_BENCH_DURATION to change) on the emulated stream in wall-clock
// time and reports how closely each whole second's sent records track the
// schedule, and the send delay p99. Targets: every second within ±1%, send
// delay p99 under 1 ms.
//
//	go test -run '^$' -bench ProducerAccuracy -benchtime 1x ./runner/
func BenchmarkProducerAccuracy(b *testing.B) {
	duration := benchDuration(b, 20*time.Second)
	const rate = 50000
	for b.Loop() {
		sc := constantScenario(b, rate, 100, duration, "random")
		sc.Producers[0].MaxInFlight = 16
		clk := clock.Real{SpinBelow: clock.RunSpinBelow} // a wall-clock run's clock (targets.NewClock)
		res, err := Run(b.Context(), Config{Scenario: sc, Target: emulated.New(emulated.WithClock(clk)), Clock: clk, OutDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		worst := 0.0
		for _, p := range res.Series {
			// Whole seconds only: the last partial second is not one.
			if p.Second >= int(duration/time.Second) {
				continue
			}
			worst = max(worst, math.Abs(float64(p.RecordsSent)-rate)/rate)
		}
		b.ReportMetric(100*worst, "worst-second-%off")
		b.ReportMetric(res.LatencyMs["send_delay"].P99, "send-delay-p99-ms")
		b.ReportMetric(float64(res.Totals.RecordsSent)/res.ElapsedS, "records/s")
	}
}

// benchDuration is def, or KINESIM_BENCH_DURATION when set.
func benchDuration(b *testing.B, def time.Duration) time.Duration {
	s := os.Getenv("KINESIM_BENCH_DURATION")
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		b.Fatalf("KINESIM_BENCH_DURATION: %v", err)
	}
	return d
}
