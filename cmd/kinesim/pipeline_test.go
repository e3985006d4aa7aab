package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/examples/forwarder"
	"github.com/kinesim/kinesim/result"
)

// pipelineScenario is 400 bike records at 200/s into "bikes", which the
// example forwarder enriches into "bikes-enriched"; chaos is appended.
const pipelineScenario = `name: forwarder-check
seed: 3
duration: 2s
target: {stream: bikes, shards: 2}
producers:
  - {name: bikes, generator: bike, rate: [{constant: 200/s}], batch: {max_records: 50, linger: 20ms}}
pipelines:
  - name: enricher
    output: bikes-enriched
    id: {field: source.kinesim_id}
    poll_interval: 100ms
    settle: 1500ms
    expect: {lost: 0, duplicated: 0, unknown: 0}
`

// runForwarderPipeline serves the scenario with `kinesim emulate
// --scenario`, runs the example forwarder against the served endpoint with
// the given write-error policy, stops the server with Ctrl-C, requires the
// exit status `kinesim run` would give (99 when the pipeline's expectation
// fails), and returns the run's result.
func runForwarderPipeline(t *testing.T, chaos, onWriteError string, wantExit int) *result.Result {
	t.Helper()
	dir := t.TempDir()
	file, out := filepath.Join(dir, "pipeline.yaml"), filepath.Join(dir, "run")
	require.NoError(t, os.WriteFile(file, []byte(pipelineScenario+chaos), 0o644))
	emu := startEmulateProcess(t, "--scenario", file, "--out", out)
	endpoint := emu.endpoint

	awsCfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	fw, err := forwarder.New(awsCfg, endpoint, forwarder.Config{Input: "bikes", Output: "bikes-enriched", Poll: 250 * time.Millisecond, OnWriteError: onWriteError})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { _ = fw.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	resultFile := filepath.Join(out, "result.json")
	require.Eventually(t, func() bool { _, err := os.Stat(resultFile); return err == nil }, 60*time.Second, 100*time.Millisecond,
		"the scenario run writes result.json")
	_, code := emu.interrupt(t)
	assert.Equal(t, wantExit, code, "exit status after Ctrl-C; stderr: %s", emu.stderr.String())
	res, err := result.Read(resultFile)
	require.NoError(t, err)
	require.Len(t, res.Pipelines, 1)
	// Wall-clock time on a loaded machine: the producer may fall a few
	// records behind its schedule by the end, so the counts below are
	// against what was acknowledged, not against the schedule's 400.
	require.Positive(t, res.Totals.RecordsAcknowledged, "records acknowledged on the input")
	assert.Zero(t, res.Totals.RecordsRetried, "faults on the application leave kinesim's producer alone")
	return res
}

func TestPipelineForwarderExactlyOnce(t *testing.T) {
	res := runForwarderPipeline(t, "", forwarder.Retry, 0)
	p, acked := res.Pipelines[0], res.Totals.RecordsAcknowledged
	assert.Equal(t, acked, p.Matched, "every record came out")
	assert.Zero(t, p.Lost, "lost")
	assert.Zero(t, p.Duplicated, "duplicated")
	assert.Zero(t, p.Unknown, "unknown")
	assert.Equal(t, acked, p.LatencyMs.Count, "every record timed")
	assert.True(t, p.Passed, "passes: %v", p.Failures)
}

func TestPipelineForwarderRetryShowsLostAckDuplicates(t *testing.T) {
	res := runForwarderPipeline(t, `chaos:
  - {at: 100ms, for: 1800ms, producer_timeout: {count: 3, ack_lost: true}, application: enricher}
`, forwarder.Retry, exitThreshold)
	p := res.Pipelines[0]
	require.Len(t, res.Chaos, 1)
	fault := res.Chaos[0]
	// Up to three of the forwarder's calls in the window lost their answer
	// (fewer when it made fewer calls in it, on a busy machine).
	assert.LessOrEqual(t, fault.CallsAffected, int64(3), "calls whose answer was lost")
	require.Positive(t, fault.RecordsAffected, "records whose acknowledgement was lost")
	assert.Equal(t, fault.RecordsAffected, fault.DuplicatesCaused, "each one written twice, by the forwarder's retry")
	assert.Equal(t, fault.DuplicatesCaused, p.Duplicated, "the pipeline's duplicates are exactly chaos's")
	assert.Zero(t, p.Lost, "a retrying forwarder loses nothing")
	assert.Equal(t, res.Totals.RecordsAcknowledged, p.Matched)
	assert.False(t, p.Passed, "expect duplicated: 0 fails")
	assert.Contains(t, p.Failures, fmt.Sprintf("duplicated %d > 0", p.Duplicated))
}

func TestPipelineForwarderSkipShowsLoss(t *testing.T) {
	res := runForwarderPipeline(t, `chaos:
  - {at: 100ms, for: 1800ms, inject_error: {kind: throttle, count: 25}, application: enricher}
`, forwarder.Skip, exitThreshold)
	p := res.Pipelines[0]
	require.Len(t, res.Chaos, 1)
	fault := res.Chaos[0]
	require.Positive(t, fault.RecordsAffected, "forwarder writes throttled")
	assert.LessOrEqual(t, fault.RecordsAffected, int64(25), "at most the count")
	assert.Equal(t, fault.RecordsAffected, p.Lost, "a skipping forwarder loses exactly the records chaos failed")
	assert.Zero(t, p.Duplicated, "duplicated")
	assert.Equal(t, res.Totals.RecordsAcknowledged-p.Lost, p.Matched)
	assert.False(t, p.Passed, "expect lost: 0 fails")
}

func TestPipelineExampleScenarioIsValid(t *testing.T) {
	code, stdout, stderr := kinesim(t, "validate", "examples/forwarder/bikes-pipeline.yaml")
	assert.Equal(t, 0, code, "exit code; stdout %s; stderr %s", stdout, stderr)
}
