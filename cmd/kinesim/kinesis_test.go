package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// TestRunAgainstKinesisCompatibleServers runs the bike scenario against each
// real Kinesis-compatible server on loopback: every acknowledged record is
// in the stream, and the stream is gone afterwards unless --keep.
func TestRunAgainstKinesisCompatibleServers(t *testing.T) {
	for _, kind := range kinesistest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			srv := kinesistest.Start(t, kind)
			out := t.TempDir()
			code, stdout, stderr := kinesim(t, "run", "bike-rush-hour", "--endpoint", srv.Endpoint,
				"--duration", "2s", "--shards", "2", "--out", out, "--quiet", "--keep",
				// kinesis-mock answers in seconds under this load: the
				// scenario's latency threshold is not what this test is about.
				"--no-thresholds")
			require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			res, err := result.Read(filepath.Join(out, "result.json"))
			require.NoError(t, err)
			assert.Equal(t, "kinesis", res.Target.Kind)
			assert.Contains(t, res.Target.Endpoint, srv.Endpoint, "the report names the endpoint")
			require.Positive(t, res.Totals.RecordsAcknowledged)

			tg, err := kinesis.New(t.Context(), kinesis.WithEndpoint(srv.Endpoint))
			require.NoError(t, err)
			assert.Equal(t, res.Totals.RecordsAcknowledged, countRecords(t, tg, res.Target.Stream),
				"every acknowledged record is read back")

			// kinesim cleanup finds the stream by its run tag and deletes it.
			code, stdout, stderr = kinesim(t, "cleanup", "--endpoint", srv.Endpoint)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, stdout, "deleted "+res.Target.Stream)
			_, err = tg.ListShards(t.Context(), res.Target.Stream)
			assert.ErrorIs(t, err, stream.ErrNotFound, "the stream is gone")
		})
	}
}

func TestRunDeletesItsStream(t *testing.T) {
	srv := kinesistest.StartKinesalite(t)
	code, _, stderr := kinesim(t, "run", "bike-rush-hour", "--endpoint", srv.Endpoint,
		"--duration", "1s", "--out", t.TempDir(), "--quiet", "--no-thresholds")
	// The run completes (0, or 99 when a consumer could not read everything
	// back in a loaded second: not this test's subject, nor is kinesalite's
	// latency, hence --no-thresholds); then its stream must be gone.
	require.Contains(t, []int{0, 99}, code, stderr)
	tg, err := kinesis.New(t.Context(), kinesis.WithEndpoint(srv.Endpoint))
	require.NoError(t, err)
	names, err := tg.ListStreams(t.Context())
	require.NoError(t, err)
	assert.Empty(t, names, "no stream is left behind")
}

// TestNetworkFaultsAgainstKinesalite runs a scenario whose chaos timeline
// degrades the network between kinesim and kinesalite through the chaos
// proxy: 300 ms of latency for 2 s, then 1 s of connection resets. The run
// completes, each fault shows the calls it hit and the retries it caused,
// and every acknowledged record is in the stream. Real time, about 8 s.
func TestNetworkFaultsAgainstKinesalite(t *testing.T) {
	srv := kinesistest.StartKinesalite(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "network.yaml")
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf(`
name: network-faults
seed: 4
duration: 7s
target: {kind: kinesis, endpoint: %q, region: us-east-1, stream: network-faults, shards: 2}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 10, bikes: 50}
    partition_key: {field: bike_id}
    rate: [{constant: 100/s}]
    batch: {max_records: 20, linger: 100ms}
    retry: {max_attempts: 10, base: 50ms, cap: 500ms}
consumers:
  - {name: reader, poll_interval: 500ms, sink: idempotent}
chaos:
  - {at: 2s, for: 2s, network: {latency: 300ms}}
  - {at: 5s, for: 1s, network: {reset: true}}
`, srv.Endpoint)), 0o644))
	out := filepath.Join(dir, "run")
	code, stdout, stderr := kinesim(t, "run", file, "--out", out, "--keep")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	res, err := result.Read(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	require.True(t, res.Complete)
	assert.Contains(t, res.Target.Endpoint, srv.Endpoint, "the report names the endpoint")
	assert.Contains(t, res.Target.Endpoint, "chaos proxy", "and the proxy in front of it")

	require.Len(t, res.Chaos, 2)
	latency, reset := res.Chaos[0], res.Chaos[1]
	assert.Empty(t, latency.Error)
	assert.Positive(t, latency.CallsAffected, "calls in flight during the latency window")
	assert.Positive(t, latency.RecordsAffected)
	assert.Zero(t, latency.RetriesCaused, "300 ms of latency fails no call")
	assert.Empty(t, reset.Error)
	assert.Positive(t, reset.CallsAffected, "calls in flight during the resets")
	assert.Positive(t, reset.RetriesCaused, "the reset writes are retried")
	assert.Contains(t, stdout, "network reset:")

	require.NotNil(t, res.Verification)
	v := res.Verification.Consumers[0]
	assert.Zero(t, v.Lost, "nothing is lost")
	assert.Equal(t, res.Totals.RecordsAcknowledged, v.DistinctRecords, "every acknowledged record is read")
	tg, err := kinesis.New(t.Context(), kinesis.WithEndpoint(srv.Endpoint))
	require.NoError(t, err)
	// A write whose answer a reset cut off may be stored and sent again:
	// the consumer saw each such record twice.
	assert.Equal(t, res.Totals.RecordsAcknowledged+v.DuplicateDeliveries, countRecords(t, tg, res.Target.Stream),
		"every acknowledged record is in the stream, a cut-off write twice")
}

// countRecords reads every shard of a stream from TRIM_HORIZON to its end.
func countRecords(t *testing.T, tg stream.Target, name string) int64 {
	t.Helper()
	ctx := t.Context()
	shards, err := tg.ListShards(ctx, name)
	require.NoError(t, err)
	var n int64
	for _, sh := range shards {
		it, err := tg.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: name, ShardID: sh.ShardID, Type: stream.TrimHorizon})
		require.NoError(t, err)
		for it != "" {
			out, err := tg.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
			require.NoError(t, err)
			n += int64(len(out.Records))
			if len(out.Records) == 0 && out.MillisBehindLatest == 0 {
				break
			}
			it = out.NextShardIterator
		}
	}
	return n
}

// TestCostGuard: without an endpoint override and without --yes, a kinesis
// run prints its estimate and creates nothing. Every request the client
// could make goes through HTTPS_PROXY, a loopback listener that counts them.
func TestCostGuard(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var connections atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			connections.Add(1)
			c.Close()
		}
	}()
	cmd := exec.Command(binary, "run", "bike-rush-hour", "--target", "kinesis", "--duration", "10m", "--out", t.TempDir())
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(),
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=example",
		"AWS_ENDPOINT_URL=", "AWS_ENDPOINT_URL_KINESIS=",
		"HTTPS_PROXY=http://"+ln.Addr().String(), "HTTP_PROXY=http://"+ln.Addr().String(), "NO_PROXY=")
	outBytes, err := cmd.CombinedOutput()
	out := string(outBytes)
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, out)
	assert.Equal(t, 2, exit.ExitCode(), out)
	assert.Contains(t, out, "costs money")
	assert.Contains(t, out, "shard-hours")
	assert.Contains(t, out, "--yes")
	assert.Zero(t, connections.Load(), "no request reached AWS (or anywhere)")
}
