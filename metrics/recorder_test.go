package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecorderSeries(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	rec := NewRecorder(start)
	rec.Add(RecordsScheduled, 10, at(100))
	rec.Add(RecordsAcknowledged, 4, at(900))
	// An acknowledgement in second 1 closes second 0...
	rec.Add(RecordsAcknowledged, 6, at(1_050))
	// ...before the producer adds the rest of second 0's scheduled records:
	// they still count in second 0.
	rec.Add(RecordsScheduled, 5, at(999))
	rec.Add(RecordsScheduled, 7, at(1_500))
	rec.Observe(RecordLatency, at(1_200), 20*time.Millisecond, 40*time.Millisecond)
	// Nothing happens in second 2; second 3 has one record.
	rec.Add(RecordsScheduled, 1, at(3_100))

	s := rec.Finish(at(3_500))
	require.Len(t, s.Series, 4, "seconds 0..3, the last partial one kept")
	for i, p := range s.Series {
		assert.Equal(t, i, p.Second, "points are in second order")
	}
	assert.Equal(t, int64(15), s.Series[0].RecordsScheduled, "second 0 got its late count")
	assert.Equal(t, int64(4), s.Series[0].RecordsAcknowledged)
	assert.Equal(t, int64(7), s.Series[1].RecordsScheduled)
	assert.Equal(t, int64(6), s.Series[1].RecordsAcknowledged)
	assert.Equal(t, int64(2), s.Series[1].RecordLatencyMs.Count)
	assert.InDelta(t, 40, s.Series[1].RecordLatencyMs.Max, 0.1)
	assert.Zero(t, s.Series[2].RecordsScheduled, "an idle second is kept, empty")
	assert.Equal(t, int64(1), s.Series[3].RecordsScheduled)
	assert.Equal(t, int64(23), s.Counters[RecordsScheduled], "totals count everything once")
	assert.Equal(t, int64(2), s.Latency[RecordLatency].Count)
}
