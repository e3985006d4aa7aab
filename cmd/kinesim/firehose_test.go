package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

const firehoseCLIScenario = `name: cli-firehose
seed: 11
duration: 20m
clock: virtual
target:
  kind: firehose
  stream: cli-logs
  firehose:
    bucket: cli-logs
    buffering: {size_mb: 1, interval: 120s}
    compression: gzip
    newline: true
producers:
  - {name: web, generator: logs, rate: [{constant: 20/s}]}
chaos:
  - {at: 5m, for: 10m, failed_delivery: {count: 2, after_write: true}}
objectives: {max_data_freshness: 2m}
thresholds:
  lost_records: ["count == 0"]
`

// TestRunAndPlanFirehose runs a firehose scenario from the command line
// (virtual time) and plans it: the run folder holds the objects, the
// result's delivery section and the summary's; the plan its hints.
func TestRunAndPlanFirehose(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "fh.yaml")
	require.NoError(t, os.WriteFile(file, []byte(firehoseCLIScenario), 0o644))
	out := filepath.Join(dir, "run")
	code, stdout, stderr := kinesim(t, "run", file, "--out", out, "--quiet")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, `target     firehose delivery stream "cli-logs"`)
	assert.Contains(t, stdout, `delivery   Firehose stream "cli-logs" to S3, read back:`)
	assert.Contains(t, stdout, "s3-destination")

	data, err := os.ReadFile(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	var res result.Result
	require.NoError(t, json.Unmarshal(data, &res))
	require.NotNil(t, res.Delivery)
	assert.Equal(t, int64(20*1200), res.Delivery.DistinctRecords)
	assert.Equal(t, res.Chaos[0].DuplicatesCaused, res.Delivery.DuplicateRecords)
	assert.Positive(t, res.Delivery.DuplicateRecords)
	objects, err := filepath.Glob(filepath.Join(out, "s3", "cli-logs", "*", "*", "*", "*", "cli-logs-1-*.gz"))
	require.NoError(t, err)
	assert.Len(t, objects, int(res.Delivery.Objects), "the objects are in the run folder, by hour")
	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "### Delivery to S3: Firehose stream `cli-logs`")
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "Delivery to S3: Firehose stream")

	code, stdout, stderr = kinesim(t, "plan", file, "--out", filepath.Join(dir, "plan"))
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "recommended    buffering {size_mb: 1, interval: 120s}")
	assert.FileExists(t, filepath.Join(dir, "plan", "plan.json"))
}
