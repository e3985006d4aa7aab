package metrics

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIntervalLogReadsBackAsResultPercentiles(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rec := NewRecorder(start)
	path := filepath.Join(t.TempDir(), IntervalLogFile)
	require.NoError(t, rec.AttachIntervalLog(path))
	// 3.5 seconds of samples: each second slower than the last, so merging
	// the wrong intervals would show.
	for ms := 0; ms < 3500; ms++ {
		at := start.Add(time.Duration(ms) * time.Millisecond)
		rec.Observe(RecordLatency, at, time.Duration(ms%1000+ms)*time.Microsecond*10)
		rec.Observe(PutRecordsLatency, at, time.Duration(ms/10+1)*time.Millisecond)
	}
	end := start.Add(3500 * time.Millisecond)
	res := NewResult(rec.Finish(end), end.Sub(start))
	require.NoError(t, rec.CloseIntervalLog(end))

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	reader := hdrhistogram.NewHistogramLogReader(f)
	merged := map[string]*hdrhistogram.Histogram{}
	intervals := map[string]int{}
	for {
		h, err := reader.NextIntervalHistogram()
		require.NoError(t, err)
		if h == nil {
			break
		}
		if merged[h.Tag()] == nil {
			merged[h.Tag()] = newHistogram()
		}
		merged[h.Tag()].Merge(h)
		intervals[h.Tag()]++
	}
	require.Len(t, intervals, 2, "one tag per metric with samples: %v", intervals)
	for tag, n := range intervals {
		assert.Equal(t, 4, n, "%s: one interval per second, the last partial second included", tag)
	}
	for _, m := range []Metric{RecordLatency, PutRecordsLatency} {
		want := res.LatencyMs[m.Name()]
		got := percentilesOf(merged[m.Name()])
		require.Equal(t, want.Count, got.Count, "%s count", m.Name())
		for _, pair := range [][2]float64{{want.P50, got.P50}, {want.P99, got.P99}, {want.P999, got.P999}, {want.Max, got.Max}} {
			// 3 significant digits: values agree within 0.1%.
			assert.InEpsilon(t, pair[0], pair[1], 0.001, "%s: result.json %v, latency.hlog %v", m.Name(), pair[0], pair[1])
		}
	}
}

func TestCloseIntervalLogWithoutLogIsNoop(t *testing.T) {
	rec := NewRecorder(time.Now())
	assert.NoError(t, rec.CloseIntervalLog(time.Now()))
}
