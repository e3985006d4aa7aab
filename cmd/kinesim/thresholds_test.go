package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

// thresholdScenario is a one-second run whose put latency cannot be under 0 ms.
const thresholdScenario = `name: thresholds
seed: 1
duration: 1s
target: {kind: emulated, stream: th, shards: 1}
producers:
  - generator: bike
    rate: [{constant: 50/s}]
thresholds:
  put_latency_ms: ["p(99) < 0", "max < 60000"]
  records_dead_lettered: ["count == 0"]
`

func TestFailedThresholdExits99(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "th.yaml")
	require.NoError(t, os.WriteFile(file, []byte(thresholdScenario), 0o644))
	out := filepath.Join(dir, "run")
	stepSummary := filepath.Join(dir, "step-summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", stepSummary)
	code, stdout, stderr := kinesim(t, "run", file, "--out", out, "--quiet", "--summary", "full")
	require.Equal(t, exitThreshold, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stderr, "1 threshold(s) failed")
	assert.Contains(t, stdout, "thresholds 1 failed, 2 passed")
	assert.Regexp(t, `FAIL  put_latency_ms\s+p\(99\) < 0\s+[0-9.]+\s+\+`, stdout, "says which failed and by how much")
	assert.Contains(t, stdout, "per second", "--summary full prints the series")

	res, err := result.Read(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	require.Len(t, res.Thresholds, 3, "result.json holds the judged thresholds")
	assert.Equal(t, "put_latency_ms", res.Thresholds[0].Metric)
	assert.False(t, res.Thresholds[0].OK)
	assert.True(t, res.Thresholds[1].OK)
	assert.True(t, res.Thresholds[2].OK)
	for _, name := range []string{"summary.md", "latency.hlog"} {
		assert.FileExists(t, filepath.Join(out, name))
	}
	md, err := os.ReadFile(stepSummary)
	require.NoError(t, err, "the Markdown summary goes to $GITHUB_STEP_SUMMARY")
	assert.Contains(t, string(md), "❌ 1 threshold(s) failed")
}

func TestNoThresholdsSkipsJudging(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "th.yaml")
	require.NoError(t, os.WriteFile(file, []byte(thresholdScenario), 0o644))
	code, stdout, stderr := kinesim(t, "run", file, "--out", filepath.Join(dir, "run"), "--quiet", "--no-thresholds")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.NotContains(t, stdout, "passed", "no threshold lines")
}

func TestBadSummaryFlagExitsTwo(t *testing.T) {
	code, _, stderr := kinesim(t, "run", "bike-rush-hour", "--summary", "verbose")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "use compact or full")
}

// abortScenario's first threshold fails in its first second; with
// abort_on_fail it stops a run that would take CLOCK's hour.
const abortScenario = `name: abort
seed: 1
duration: 1h
clock: CLOCK
target: {kind: emulated, stream: ab, shards: 1}
producers:
  - name: bikes
    generator: bike
    rate: [{constant: 50/s}]
thresholds:
  put_latency_ms:
    - {threshold: "p(99) < 0", abort_on_fail: true, delay_abort_eval: 1s}
  record_latency_ms{producer:bikes}: ["max < 60000"]
`

func TestAbortOnFailStopsTheRunAndExits99(t *testing.T) {
	tests := []struct {
		clock string
	}{
		{"wall"},    // judged on the recorder's seconds of real time
		{"virtual"}, // the same seconds of simulated time: no wall-clock ticker involved
	}
	for _, tt := range tests {
		t.Run(tt.clock, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "abort.yaml")
			require.NoError(t, os.WriteFile(file, []byte(strings.ReplaceAll(abortScenario, "CLOCK", tt.clock)), 0o644))
			out := filepath.Join(dir, "run")
			code, stdout, stderr := kinesim(t, "run", file, "--out", out, "--quiet", "--drain-timeout", "1s")
			require.Equal(t, exitThreshold, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stderr, "threshold put_latency_ms p(99) < 0 failed:")

			res, err := result.Read(filepath.Join(out, "result.json"))
			require.NoError(t, err)
			assert.False(t, res.Complete)
			assert.Regexp(t, `^threshold put_latency_ms p\(99\) < 0 failed: p\(99\) was [0-9.]+, \+[0-9.]+ from the limit, after [0-9]+s \(abort_on_fail\)$`, res.StopReason)
			assert.Less(t, res.ElapsedS, 60.0, "stopped long before its hour")
			require.Len(t, res.Thresholds, 2)
			assert.True(t, res.Thresholds[0].Aborted, "the threshold that stopped the run says so")
			assert.Equal(t, "record_latency_ms{producer:bikes}", res.Thresholds[1].Metric)
			assert.True(t, res.Thresholds[1].OK, "judged on the producer's own histogram: %+v", res.Thresholds[1])

			require.Len(t, res.Producers, 1)
			p := res.Producers[0]
			require.NotNil(t, p.Totals, "producers[] has the producer's totals")
			assert.Equal(t, res.Totals.RecordsAcknowledged, p.Totals.RecordsAcknowledged, "one producer: its totals are the run's")
			assert.Equal(t, res.LatencyMs["record"].Count, p.LatencyMs["record"].Count, "a producer a threshold names keeps its latencies")
			require.NotNil(t, res.Machine)
			assert.Positive(t, res.Machine.CPUs)
		})
	}
}

func TestValidateChecksCompareTolerances(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tol.yaml")
	bad := strings.Replace(thresholdScenario, "thresholds:", "compare: {tolerances: {throughput: \"+5%\"}}\nthresholds:", 1)
	require.NoError(t, os.WriteFile(file, []byte(bad), 0o644))
	code, _, stderr := kinesim(t, "validate", file)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "compare.tolerances: tolerance \"throughput=+5%\": throughput gets worse as it falls")
}
