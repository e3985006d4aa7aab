package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/s3folder"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

const segmentScenarioYAML = `name: split-cli
seed: 3
duration: 3s
target: {kind: kinesis, stream: split-cli, shards: 4}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 50, bikes: 500}
    partition_key: {field: bike_id}
    rate: [{constant: 400/s}]
    batch: {max_records: 100, linger: 50ms}
consumers:
  - {name: reader, mode: polling, poll_interval: 250ms, sink: idempotent, expect: {lost: 0, duplicate_effects: 0}}
thresholds:
  lost_records: ["count == 0"]
`

// startSegment starts `kinesim run` of one segment as a pod would.
// env, when not nil, is added to the process's environment.
func startSegment(t *testing.T, env []string, scenario, endpoint, out string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"run", scenario, "--endpoint", endpoint, "--out", out, "--quiet"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, &stderr
}

// TestSegmentProcessesMerge: four segment processes against one kinesim
// emulate server (one stream, shared limits), given their segment by the
// environment of an Indexed Job's pod, two writing their run folders to
// local disk and two to an S3 prefix (s3rver), merge into one result whose
// totals are their sums and whose ledgers pass together.
func TestSegmentProcessesMerge(t *testing.T) {
	endpoint, _ := startEmulate(t)
	s3 := kinesistest.StartS3rver(t, "kinesim-runs")
	s3Env := []string{"AWS_ACCESS_KEY_ID=" + kinesistest.S3AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + kinesistest.S3SecretAccessKey}
	dir := t.TempDir()
	scenario := filepath.Join(dir, "split.yaml")
	require.NoError(t, os.WriteFile(scenario, []byte(segmentScenarioYAML), 0o644))
	startAt := time.Now().Add(5 * time.Second).UTC().Format(time.RFC3339Nano)
	const prefix = "s3://kinesim-runs/split-cli/"
	var outs []string
	var cmds []*exec.Cmd
	var errs []*bytes.Buffer
	for k := range 4 {
		out := filepath.Join(dir, fmt.Sprintf("seg-%d", k))
		if k >= 2 {
			out = prefix
		}
		outs = append(outs, out)
		env := append([]string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", k), "KINESIM_SEGMENTS=4"}, s3Env...)
		cmd, stderr := startSegment(t, env, scenario, endpoint, out, "--start-at", startAt, "--drain-timeout", "3s", "--s3-endpoint", s3.Endpoint)
		cmds, errs = append(cmds, cmd), append(errs, stderr)
	}
	for k, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "segment %d: %s", k, errs[k])
	}
	for k := 2; k < 4; k++ {
		assert.Contains(t, errs[k].String(), fmt.Sprintf("uploaded to %ssegment-%d-of-4/", prefix, k))
	}
	var sum result.Totals
	for k, out := range []string{outs[0], outs[1], fetchS3(t, s3.Endpoint, prefix+"segment-2-of-4/"), fetchS3(t, s3.Endpoint, prefix+"segment-3-of-4/")} {
		r, err := result.Read(filepath.Join(out, "result.json"))
		require.NoError(t, err)
		require.NotNil(t, r.Segment)
		assert.Equal(t, k, r.Segment.Index, "the segment came from JOB_COMPLETION_INDEX")
		assert.Empty(t, r.Thresholds, "a segment leaves thresholds to merge")
		sum.RecordsScheduled += r.Totals.RecordsScheduled
		sum.RecordsUnsent += r.Totals.RecordsUnsent
		sum.RecordsAcknowledged += r.Totals.RecordsAcknowledged
		sum.RecordsConsumed += r.Totals.RecordsConsumed
	}

	merged := filepath.Join(dir, "merged")
	code, stdout, stderr := kinesimEnv(t, s3Env, "merge", merged, outs[0], outs[1], prefix, "--s3-endpoint", s3.Endpoint)
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
	res, err := result.Read(filepath.Join(merged, "result.json"))
	require.NoError(t, err)
	assert.True(t, res.Complete)
	require.Len(t, res.Merged.Segments, 4, "the prefix held two segments")
	// A segment that fell behind (this machine is shared) counts what it
	// never made as unsent.
	assert.Equal(t, int64(1200), res.Totals.RecordsScheduled+res.Totals.RecordsUnsent, "3 s at 400/s, split four ways")
	assert.Equal(t, sum.RecordsUnsent, res.Totals.RecordsUnsent)
	assert.Equal(t, sum.RecordsScheduled, res.Totals.RecordsScheduled)
	assert.Equal(t, sum.RecordsAcknowledged, res.Totals.RecordsAcknowledged)
	assert.Equal(t, res.Totals.RecordsAcknowledged, sum.RecordsConsumed, "every record read once across the segments")
	require.NotNil(t, res.Verification)
	assert.True(t, res.Verification.Passed, "%+v", res.Verification)
	require.Len(t, res.Thresholds, 1)
	assert.True(t, res.Thresholds[0].OK, "%+v", res.Thresholds[0])
	for _, name := range []string{"report.html", "summary.md", "latency.hlog", "scenario.yaml"} {
		assert.FileExists(t, filepath.Join(merged, name))
	}

	// The merge Job's way: from the prefix alone, waiting for the segments
	// (two never come), into the prefix's merged/ folder.
	code, _, stderr = kinesimEnv(t, s3Env, "merge", prefix+"merged/", prefix, "--wait", "1s", "--s3-endpoint", s3.Endpoint)
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, "2 of 4 segment(s)")
	assert.Contains(t, stderr, "missing segment(s) 0/4, 1/4")
	assert.Contains(t, stderr, "uploaded to "+prefix+"merged/")
	partial, err := result.Read(filepath.Join(fetchS3(t, s3.Endpoint, prefix+"merged/"), "result.json"))
	require.NoError(t, err)
	assert.False(t, partial.Complete)
	assert.Equal(t, []string{"0/4", "1/4"}, partial.Merged.Missing)
}

// fetchS3 copies an s3:// run folder from s3rver into a temporary folder.
func fetchS3(t *testing.T, endpoint, url string) string {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", kinesistest.S3AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", kinesistest.S3SecretAccessKey)
	c, err := s3folder.New(t.Context(), s3folder.Options{Endpoint: endpoint})
	require.NoError(t, err)
	loc, err := s3folder.Parse(url)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, c.Download(t.Context(), loc, dir))
	return dir
}

// kinesimEnv is kinesim with env added to the environment.
func kinesimEnv(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return kinesim(t, args...)
}

// TestMergeNamesAnInterruptedSegment: a segment stopped mid-run (SIGTERM,
// as Kubernetes stops a pod) is named by merge, which marks the result
// incomplete and exits 1.
func TestMergeNamesAnInterruptedSegment(t *testing.T) {
	endpoint, _ := startEmulate(t)
	dir := t.TempDir()
	scenario := filepath.Join(dir, "split.yaml")
	require.NoError(t, os.WriteFile(scenario, []byte(segmentScenarioYAML), 0o644))
	first, second := filepath.Join(dir, "seg-0"), filepath.Join(dir, "seg-1")
	done, doneErr := startSegment(t, nil, scenario, endpoint, first, "--segment", "0/2", "--drain-timeout", "1s")
	// Segment 1 runs far longer: it is mid-run when segment 0 has ended.
	stopped, _ := startSegment(t, nil, scenario, endpoint, second, "--segment", "1/2", "--duration", "1h")
	require.NoError(t, done.Wait(), "segment 0: %s", doneErr)
	require.NoError(t, stopped.Process.Signal(syscall.SIGTERM))
	_ = stopped.Wait()

	code, _, stderr := kinesim(t, "merge", filepath.Join(dir, "merged"), first, second)
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, "segment 1/2 ("+second+") incomplete")
	res, err := result.Read(filepath.Join(dir, "merged", "result.json"))
	require.NoError(t, err)
	assert.False(t, res.Complete)
}
