package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

var (
	plainBinaryOnce sync.Once
	plainBinary     string
	plainBinaryErr  error
)

// buildPlain builds kinesim without the race detector (TestMain's binary
// has it), for benchmarks that measure speed.
func buildPlain(b *testing.B) string {
	b.Helper()
	plainBinaryOnce.Do(func() {
		plainBinary = filepath.Join(filepath.Dir(binary), "kinesim-plain")
		plainBinaryErr = exec.Command("go", "build", "-o", plainBinary, ".").Run()
	})
	require.NoError(b, plainBinaryErr)
	return plainBinary
}

// BenchmarkSegmentProcesses runs a scenario that asks for more than one
// process can send (200,000 records/s for 5 s into 100 shards) as 1, 2 and
// 4 segment processes against one kinesim emulate server on this machine,
// and reports the records/s acknowledged in all: how far splitting a run
// between processes scales here. The emulate server shares the machine's
// cores with the segments.
//
//	go test -run '^$' -bench SegmentProcesses -benchtime 1x ./cmd/kinesim/
func BenchmarkSegmentProcesses(b *testing.B) {
	bin := buildPlain(b)
	dir := b.TempDir()
	scenario := filepath.Join(dir, "bench.yaml")
	require.NoError(b, os.WriteFile(scenario, []byte(`name: segment-bench
seed: 1
duration: 5s
target: {kind: kinesis, stream: segment-bench, shards: 100}
producers:
  - name: bikes
    generator: bike
    rate: [{constant: 200000/s}]
    batch: {max_records: 500, linger: 20ms}
    max_in_flight: 32
`), 0o644))
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("segments=%d", n), func(b *testing.B) {
			for b.Loop() {
				endpoint := startEmulateBinary(b, bin)
				startAt := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339Nano)
				var cmds []*exec.Cmd
				var outs []string
				for k := range n {
					out := filepath.Join(b.TempDir(), "seg")
					outs = append(outs, out)
					cmd := exec.Command(bin, "run", scenario, "--endpoint", endpoint, "--segment", fmt.Sprintf("%d/%d", k, n),
						"--start-at", startAt, "--out", out, "--quiet", "--drain-timeout", "2s")
					require.NoError(b, cmd.Start())
					cmds = append(cmds, cmd)
				}
				for _, cmd := range cmds {
					require.NoError(b, cmd.Wait())
				}
				var acked int64
				for _, out := range outs {
					r, err := result.Read(filepath.Join(out, "result.json"))
					require.NoError(b, err)
					acked += r.Totals.RecordsAcknowledged
				}
				b.ReportMetric(float64(acked)/5, "records/s")
			}
		})
	}
}

// startEmulateBinary starts bin's kinesim emulate on a free loopback port.
func startEmulateBinary(b *testing.B, bin string) string {
	b.Helper()
	saved := binary
	binary = bin
	defer func() { binary = saved }()
	endpoint, _ := startEmulate(b)
	return endpoint
}
