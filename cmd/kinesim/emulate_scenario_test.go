package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

// emulateThresholdScenario is 2 seconds of traffic with a threshold no
// run meets and one every run meets (the throttled ratio is measured, as
// 0, even when a loaded machine sends nothing in the 2 seconds).
const emulateThresholdScenario = `name: emulate-thresholds
seed: 1
duration: 2s
target: {kind: emulated, stream: served, shards: 1}
producers:
  - name: bikes
    generator: bike
    rate: [{constant: 50/s}]
thresholds:
  throttled_ratio: ["rate > 0.5", "rate < 0.5"]
`

// TestEmulateScenarioFinishesAsRun: `kinesim emulate --scenario` ends its
// run as `kinesim run` does: thresholds judged, result.json, summary.md and
// report.html in the run folder, and, once serving ends, exit status 99 for
// the failed threshold.
func TestEmulateScenarioFinishesAsRun(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "thresholds.yaml")
	require.NoError(t, os.WriteFile(file, []byte(emulateThresholdScenario), 0o644))
	out := filepath.Join(dir, "run")
	p := startEmulateProcess(t, "--scenario", file, "--out", out)
	p.waitFor(t, "still serving")
	printed, code := p.interrupt(t)
	assert.Equal(t, exitThreshold, code, "exit status after Ctrl-C: a threshold failed; printed:\n%s\nstderr: %s", printed, p.stderr.String())
	assert.Contains(t, printed, "thresholds 1 failed, 1 passed", "the summary judges the thresholds")
	assert.Contains(t, printed, "exit status 99 when stopped", "says how it will exit while serving on")

	for _, name := range []string{"result.json", "summary.md", "report.html", "ledger.bin", "scenario.yaml", "latency.hlog"} {
		assert.FileExists(t, filepath.Join(out, name))
	}
	res, err := result.Read(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	assert.Len(t, res.Thresholds, 2, "thresholds judged in result.json")
	assert.Equal(t, 1, res.ThresholdsFailed(), "the impossible one failed")
	assert.True(t, res.Complete, "the run itself completed")
}

// TestEmulateScenarioRefusesAUsedFolder: as run does, emulate --scenario
// will not write beside another run's files without --force.
func TestEmulateScenarioRefusesAUsedFolder(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "result.json"), []byte("{}"), 0o644))
	code, _, stderr := kinesim(t, "emulate", "--addr", "127.0.0.1:0", "--scenario", "bike-rush-hour", "--out", dir)
	assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
	assert.Contains(t, stderr, "the folder is not empty")
}
