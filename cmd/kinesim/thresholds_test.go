package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/reports"
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

	res, err := reports.ReadResult(filepath.Join(out, "result.json"))
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
