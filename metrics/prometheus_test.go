package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetricsHandlerExportsCountersAndHistograms(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := NewRecorder(start)
	rec.Add(RecordsAcknowledged, 42, start)
	rec.Observe(RecordLatency, start, 2*time.Millisecond, 20*time.Millisecond, 2*time.Second)
	srv := httptest.NewServer(MetricsHandler(rec, map[string]string{"scenario": "s"}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	body := string(data)
	for _, want := range []string{
		// Counters as they stand.
		`kinesim_records_acknowledged_total{scenario="s"} 42`,
		// Cumulative buckets: 2 ms is under 2.5 ms, 20 ms under 25 ms, 2 s under 2.5 s.
		`kinesim_latency_seconds_bucket{metric="record",scenario="s",le="0.001"} 0`,
		`kinesim_latency_seconds_bucket{metric="record",scenario="s",le="0.0025"} 1`,
		`kinesim_latency_seconds_bucket{metric="record",scenario="s",le="0.025"} 2`,
		`kinesim_latency_seconds_bucket{metric="record",scenario="s",le="2.5"} 3`,
		`kinesim_latency_seconds_count{metric="record",scenario="s"} 3`,
	} {
		assert.True(t, strings.Contains(body, want), "the scrape has %s", want)
	}
}
