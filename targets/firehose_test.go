package targets

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
)

// firehoseRun runs a firehose scenario on the emulated delivery stream in
// virtual time and returns its result and run folder.
func firehoseRun(t *testing.T, src string) (*result.Result, string) {
	t.Helper()
	sc, err := scenarios.Parse([]byte(src), "firehose.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	out := t.TempDir()
	clk := NewClock(sc, time.Date(2026, 12, 8, 10, 59, 0, 0, time.UTC))
	opened, err := Open(t.Context(), sc, Options{Clock: clk, RunDir: out})
	require.NoError(t, err)
	defer opened.Close()
	require.NotNil(t, opened.Delivery, "a firehose target reads its destination back")
	var res *result.Result
	clock.Run(clk, func() {
		res, err = runner.Run(t.Context(), runner.Config{Scenario: sc, Target: opened.Target, Clock: clk, OutDir: out, Delivery: opened.Delivery})
	})
	require.NoError(t, err)
	require.NotNil(t, res.Delivery)
	return res, out
}

const webLogs = `name: web-logs
seed: 7
duration: 10m
clock: virtual
target:
  kind: firehose
  stream: web-logs
  firehose:
    bucket: smartcity-logs
    buffering: {size_mb: 1, interval: 60s}
    newline: true
producers:
  - name: web
    generator: logs
    rate: [{constant: 20/s}]
`

// TestFirehoseDeliversEveryRecordOnce: N records in, the objects hold
// exactly N, each once; objects are cut every interval (60 s) and named
// under Firehose's UTC hour prefix.
func TestFirehoseDeliversEveryRecordOnce(t *testing.T) {
	res, out := firehoseRun(t, webLogs)
	d := res.Delivery
	const n = 20 * 600
	assert.Equal(t, int64(n), res.Totals.RecordsAcknowledged)
	assert.Equal(t, int64(n), d.Records, "every record is in S3")
	assert.Equal(t, int64(n), d.DistinctRecords)
	assert.Zero(t, d.DuplicateRecords)
	assert.Zero(t, d.LostRecords)
	assert.Zero(t, d.UnknownRecords)
	// 50 records/s of ~300-byte logs never reach 1 MiB in 60 s: every cut
	// is the interval's, ten of them (the last flushed at the end).
	assert.InDelta(t, 10, d.Objects, 1, "one object a minute")
	assert.InDelta(t, 60, d.ObjectsPerHour, 6)
	// A record waits at most the interval (plus the last partial one).
	assert.LessOrEqual(t, d.FreshnessMs.Max, 60_000.0+100, "the interval plus the batch linger (50ms)")
	assert.Greater(t, d.FreshnessMs.P50, 10_000.0, "records wait for their buffer")
	require.NotNil(t, res.Verification)
	require.Len(t, res.Verification.Consumers, 1)
	assert.Equal(t, runner.DestinationConsumer, res.Verification.Consumers[0].Consumer)
	assert.True(t, res.Verification.Passed)

	// The run crossed 11:00 UTC: objects of both hours, in Firehose's layout.
	for _, hour := range []string{"2026/12/08/10", "2026/12/08/11"} {
		entries, err := os.ReadDir(filepath.Join(out, DestinationFolder, "smartcity-logs", filepath.FromSlash(hour)))
		require.NoError(t, err, "objects under %s/", hour)
		require.NotEmpty(t, entries)
		assert.Regexp(t, `^web-logs-1-2026-12-08-1[01]-\d\d-\d\d-[0-9a-f-]{36}$`, entries[0].Name())
	}
}

// TestFirehoseFailedDeliveriesDuplicateExactly: deliveries failed after
// their write leave exactly the records they held twice in S3, counted by
// chaos, and nothing is lost.
func TestFirehoseFailedDeliveriesDuplicateExactly(t *testing.T) {
	src := webLogs + `chaos:
  - {at: 2m, for: 3m, failed_delivery: {count: 2, after_write: true}}
  - {at: 6m, for: 1m, failed_delivery: {count: 1}}
`
	res, _ := firehoseRun(t, src)
	d := res.Delivery
	require.Len(t, res.Chaos, 2)
	dup := res.Chaos[0].DuplicatesCaused
	assert.Equal(t, int64(2), res.Chaos[0].CallsAffected, "two delivery attempts failed after their write")
	assert.Positive(t, dup)
	assert.Equal(t, dup, d.DuplicateRecords, "S3 holds exactly the injected duplicates")
	assert.Equal(t, int64(20*600)+dup, d.Records)
	assert.Zero(t, d.LostRecords)
	assert.Zero(t, res.Chaos[1].DuplicatesCaused, "a failure before the write only delays")
	assert.Equal(t, int64(1), res.Chaos[1].CallsAffected)
	assert.Greater(t, d.FreshnessMs.Max, 60_000.0, "the retried delivery came 5 s late")
}

// TestFirehoseQuotaThrottles: a producer offering three times the
// stream's records quota gets the quota through, within 1%.
func TestFirehoseQuotaThrottles(t *testing.T) {
	src := `name: over-quota
seed: 3
duration: 200s
clock: virtual
target:
  kind: firehose
  stream: busy
  firehose:
    quota: {records_per_s: 100, requests_per_s: 1000, bytes_per_s: 1MiB}
producers:
  - name: p
    generator: clickstream
    rate: [{constant: 300/s}]
    batch: {max_records: 50, linger: 100ms}
    retry: {max_attempts: 1, base: 10ms, cap: 10ms}
`
	res, _ := firehoseRun(t, src)
	const want = 100 * 200
	assert.InEpsilon(t, want, res.Totals.RecordsAcknowledged, 0.01, "accepted at the records quota")
	assert.Positive(t, res.Totals.RecordsThrottled)
	assert.Equal(t, res.Totals.RecordsAcknowledged, res.Delivery.DistinctRecords, "what was accepted was delivered")
	assert.Zero(t, res.Delivery.LostRecords)
}

// TestFirehoseQuotaFaultThrottlesInItsWindow: a firehose_quota fault
// lowers the stream's records quota (us-east-1's 500,000/s) to 100/s for
// 200 s of a 400 s run offering 300/s: before and after the window every
// record is accepted, in it the lowered quota within 1%, and the fault is
// counted with the records it throttled.
func TestFirehoseQuotaFaultThrottlesInItsWindow(t *testing.T) {
	src := `name: quota-window
seed: 3
duration: 400s
clock: virtual
target:
  kind: firehose
  stream: busy
producers:
  - name: p
    generator: clickstream
    rate: [{constant: 300/s}]
    batch: {max_records: 50, linger: 100ms}
    retry: {max_attempts: 1, base: 10ms, cap: 10ms}
chaos:
  - {at: 100s, for: 200s, firehose_quota: {records_per_s: 100}}
`
	res, _ := firehoseRun(t, src)
	const outside, inWindow = 300 * 200, 100 * 200
	accepted := res.Totals.RecordsAcknowledged
	assert.InEpsilon(t, inWindow, accepted-outside, 0.01, "accepted in the window at the lowered quota")
	require.Len(t, res.Chaos, 1)
	c := res.Chaos[0]
	assert.Equal(t, "firehose_quota", c.Fault)
	assert.Equal(t, "Firehose quota lowered to 100 records/s", c.Description)
	// Only the first batch after the window can meet the tank as the
	// lowered rate left it; every other throttle is the fault's.
	assert.InDelta(t, res.Totals.RecordsThrottled, c.RecordsAffected, 50, "the fault's throttles")
	assert.InEpsilon(t, 300*200-inWindow, c.RecordsAffected, 0.02)
	assert.Equal(t, accepted, res.Delivery.DistinctRecords, "what was accepted was delivered")
	assert.Zero(t, res.Delivery.LostRecords)
}
