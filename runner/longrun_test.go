package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

// TestLongVirtualRunKeepsResultBounded runs four hours of slow traffic
// (slow, so that it stays quick under -race) with a consumer in virtual time: result.json holds at most 2,000 points per
// series, each exact for its seconds against series.jsonl, which has every
// second.
func TestLongVirtualRunKeepsResultBounded(t *testing.T) {
	const hours = 4
	src := `
name: long
seed: 3
duration: 4h
clock: virtual
target: {kind: emulated, stream: long, shards: 1}
producers:
  - name: bikes
    generator: bike
    partition_key: random
    rate: [{constant: 0.01/s}]
    batch: {max_records: 10, linger: 1s}
consumers:
  - {name: dashboard, mode: polling, poll_interval: 5m}
`
	sc, err := scenarios.Parse([]byte(src), "long.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	out := t.TempDir()
	res, err := virtualRun(t.Context(), sc, out)
	require.NoError(t, err)
	require.True(t, res.Complete)

	seconds := int(res.ElapsedS)
	require.GreaterOrEqual(t, seconds, hours*3600)
	bucket := metrics.BucketSeconds(seconds+1, metrics.MaxSeriesPoints)
	require.Greater(t, bucket, 1)
	assert.Equal(t, bucket, res.SeriesBucketS)
	assert.LessOrEqual(t, len(res.Series), metrics.MaxSeriesPoints)
	for _, c := range res.Consumers {
		assert.Len(t, c.BacklogRecords, len(res.Series))
	}
	for _, s := range res.Shards {
		assert.LessOrEqual(t, len(s.RecordsPerS)*len(res.Shards), metrics.MaxShardCells)
	}
	info, err := os.Stat(filepath.Join(out, ResultFile))
	require.NoError(t, err)
	// The points are bounded, not the seconds: a day makes no more of them.
	assert.Less(t, info.Size(), int64(5<<20), "four hours in result.json")

	// Every second is in series.jsonl; the downsampled points are its sums and maxima.
	want := make([]result.SeriesPoint, len(res.Series))
	lines := 0
	_, err = result.ReadSeriesFile(res.Files["series"], func(l result.SecondLine) error {
		lines++
		w := &want[l.Second/bucket]
		w.RecordsScheduled += l.RecordsScheduled
		w.RecordsAcknowledged += l.RecordsAcknowledged
		w.RecordsConsumed += l.RecordsConsumed
		w.BacklogRecords = max(w.BacklogRecords, l.BacklogRecords)
		w.RecordLatencyMs.Count += l.RecordLatencyMs.Count
		w.RecordLatencyMs.Max = max(w.RecordLatencyMs.Max, l.RecordLatencyMs.Max)
		return nil
	})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, lines, hours*3600, "one line a second")
	var acked int64
	for i, p := range res.Series {
		assert.Equal(t, want[i].RecordsScheduled, p.RecordsScheduled, "point %d", i)
		assert.Equal(t, want[i].RecordsAcknowledged, p.RecordsAcknowledged, "point %d", i)
		assert.Equal(t, want[i].RecordsConsumed, p.RecordsConsumed, "point %d", i)
		assert.Equal(t, want[i].BacklogRecords, p.BacklogRecords, "point %d", i)
		assert.Equal(t, want[i].RecordLatencyMs.Count, p.RecordLatencyMs.Count, "point %d", i)
		assert.Equal(t, want[i].RecordLatencyMs.Max, p.RecordLatencyMs.Max, "point %d: the largest of its seconds", i)
		acked += p.RecordsAcknowledged
	}
	assert.Equal(t, res.Totals.RecordsAcknowledged, acked)
	assert.Equal(t, int64(hours*3600/100), res.Totals.RecordsScheduled)
}
