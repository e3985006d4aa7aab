package metrics

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

// feedSeconds records one busy second after another: acknowledgements on
// two shards, a consumer's deliveries, and in every latencyEvery-th second
// latencies that change second by second so that a wrong merge would show.
func feedSeconds(rec *Recorder, from, to, latencyEvery int) {
	for sec := from; sec < to; sec++ {
		at := rec.Start().Add(time.Duration(sec)*time.Second + 300*time.Millisecond)
		rec.Add(RecordsScheduled, 10, at)
		rec.Add(RecordsAcknowledged, int64(sec%17), at)
		rec.Add(RecordsThrottled, int64(sec%5), at)
		var shards ShardCounts
		shards.Add("shardId-000000000000", 100)
		shards.Throttled("shardId-000000000001", sec%7 == 0)
		rec.AddShards(&shards, at)
		rec.AddConsumed("dashboard", int64(sec%13), 10, int64(sec%11), at)
		if sec%latencyEvery != 0 {
			continue
		}
		rec.Observe(RecordLatency, at, time.Duration(sec%1000+1)*time.Millisecond, time.Duration(sec%3+1)*time.Microsecond*100)
		rec.Observe(SendDelay, at, time.Duration(sec%250)*time.Microsecond)
		rec.Observe(IteratorAge, at, time.Duration(sec%90)*time.Millisecond)
	}
}

func TestRecorderMemoryDoesNotGrowWithSeconds(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := NewRecorder(start)
	dir := t.TempDir()
	require.NoError(t, rec.AttachIntervalLog(filepath.Join(dir, IntervalLogFile)))
	require.NoError(t, rec.AttachSeriesFile(filepath.Join(dir, result.SeriesFile)))
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	feedSeconds(rec, 0, 2_000, 1_000)
	before := heap()
	feedSeconds(rec, 2_000, 10_000, 1_000)
	after := heap()
	// Kept in memory, 8,000 more seconds would be over 2 MB (a series
	// point alone is over 200 bytes, with its shards and consumer more);
	// the window holds OpenSeconds.
	assert.Less(t, int64(after)-int64(before), int64(512<<10),
		"heap grew from %d to %d bytes over 8,000 seconds", before, after)
	assert.LessOrEqual(t, len(rec.open), OpenSeconds)
	end := start.Add(10_000 * time.Second)
	s := rec.Finish(end)
	require.NoError(t, s.SeriesErr)
	require.NoError(t, rec.CloseIntervalLog(end))
	assert.LessOrEqual(t, len(s.Series), MaxSeriesPoints)
	assert.Equal(t, 5, s.SeriesBucketS, "10,000 seconds in 2,000 points")
}

func TestDownsampledPointsAreExactForTheirSeconds(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := NewRecorder(start)
	dir := t.TempDir()
	hlogPath, seriesPath := filepath.Join(dir, IntervalLogFile), filepath.Join(dir, result.SeriesFile)
	require.NoError(t, rec.AttachIntervalLog(hlogPath))
	require.NoError(t, rec.AttachSeriesFile(seriesPath))
	const seconds = 301 // not a multiple of the bucket: the last point is short
	// Latencies every 3rd second: encoding histograms is slow under -race.
	feedSeconds(rec, 0, seconds, 3)
	end := start.Add(seconds * time.Second)
	s := rec.Finish(end)
	require.NoError(t, s.SeriesErr)
	require.NoError(t, rec.CloseIntervalLog(end))
	assert.Len(t, s.Series, seconds, "a run that fits keeps every second")

	// Downsampled to 40 points (2,000 in result.json; fewer here, to keep the test quick).
	seriesFile, err := os.Open(seriesPath)
	require.NoError(t, err)
	defer seriesFile.Close()
	hlogFile, err := os.Open(hlogPath)
	require.NoError(t, err)
	defer hlogFile.Close()
	d, err := downsampleTo(seriesFile, hlogFile, seconds, 40)
	require.NoError(t, err)
	res := NewResult(Snapshot{Counters: s.Counters, Series: d.Series, SeriesBucketS: d.BucketS, Shards: d.Shards,
		ShardsBucketS: d.ShardsBucketS, Consumers: d.Consumers}, end.Sub(start))

	bucket := 8 // ceil(301 / 40)
	require.Equal(t, bucket, res.SeriesBucketS)
	require.Len(t, res.Series, (seconds+bucket-1)/bucket)
	assert.Equal(t, 5, res.Series[len(res.Series)-1].Seconds, "the last point covers the 5 seconds left")

	// The full file, summed and maxed by hand per bucket.
	want := make([]result.SeriesPoint, len(res.Series))
	var lines int
	_, err = result.ReadSeriesFile(seriesPath, func(l result.SecondLine) error {
		require.Equal(t, lines, l.Second, "one line per second, in order")
		lines++
		w := &want[l.Second/bucket]
		w.RecordsAcknowledged += l.RecordsAcknowledged
		w.RecordsThrottled += l.RecordsThrottled
		w.BacklogRecords = max(w.BacklogRecords, l.BacklogRecords)
		if l.IteratorAgeMs != nil && (w.IteratorAgeMs == nil || *l.IteratorAgeMs > *w.IteratorAgeMs) {
			w.IteratorAgeMs = l.IteratorAgeMs
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, seconds, lines)

	// The interval log, read by HdrHistogram's own reader and merged per bucket.
	f, err := os.Open(hlogPath) // read again, by HdrHistogram's reader
	require.NoError(t, err)
	defer f.Close()
	reader := hdrhistogram.NewHistogramLogReader(f)
	merged := map[int]*hdrhistogram.Histogram{}
	for {
		h, err := reader.NextIntervalHistogram()
		require.NoError(t, err)
		if h == nil {
			break
		}
		if h.Tag() != RecordLatency.Name() {
			continue
		}
		b := int((h.StartTimeMs()-start.UnixMilli())/1000) / bucket
		if merged[b] == nil {
			merged[b] = newHistogram()
		}
		merged[b].Merge(h)
	}

	var acked int64
	for i, p := range res.Series {
		assert.Equal(t, i*bucket, p.Second)
		assert.Equal(t, want[i].RecordsAcknowledged, p.RecordsAcknowledged, "point %d: a sum", i)
		assert.Equal(t, want[i].RecordsThrottled, p.RecordsThrottled, "point %d: a sum", i)
		assert.Equal(t, want[i].BacklogRecords, p.BacklogRecords, "point %d: a maximum", i)
		assert.Equal(t, *want[i].IteratorAgeMs, *p.IteratorAgeMs, "point %d: a maximum", i)
		assert.Equal(t, percentilesOf(merged[i]), p.RecordLatencyMs, "point %d: histograms merged, not percentiles averaged", i)
		acked += p.RecordsAcknowledged
	}
	assert.Equal(t, s.Counters[RecordsAcknowledged], acked, "the points add up to the total")

	require.Len(t, res.Shards, 2)
	throttling := res.Shards[1]
	assert.Equal(t, "shardId-000000000001", throttling.ShardID)
	assert.Equal(t, int64(seconds), throttling.RecordsThrottled)
	assert.Equal(t, int64(seconds), throttling.PutAttempts)
	assert.Equal(t, int64((seconds+6)/7), throttling.RecordsDeadLettered)
	var throttled int64
	for _, n := range throttling.RecordsThrottledPerS {
		throttled += n
	}
	assert.Equal(t, throttling.RecordsThrottled, throttled)
	require.Len(t, res.Consumers, 1)
	assert.Len(t, res.Consumers[0].BacklogRecords, len(res.Series))
}

func TestReadSeriesRefusesOtherFiles(t *testing.T) {
	for _, text := range []string{"", "{}\n", `{"format":"kinesim-series","version":99}` + "\n", "second,records\n"} {
		_, err := result.ReadSeries(bytes.NewReader([]byte(text)), func(result.SecondLine) error { return nil })
		assert.Error(t, err, "%q", text)
	}
}

func TestThrottledShard(t *testing.T) {
	for _, row := range []struct{ message, want string }{
		{"Rate exceeded for shard shardId-000000000001 in stream physics under account 123456789012.", "shardId-000000000001"},
		{"Rate exceeded for shard shardId-000000000002.", "shardId-000000000002"},
		{"Internal service failure.", ""},
	} {
		assert.Equal(t, row.want, ThrottledShard(row.message), row.message)
	}
}
