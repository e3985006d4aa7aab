package main

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetricsAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		// A bare port binds loopback.
		{"9464", "127.0.0.1:9464"},
		// So does :PORT.
		{":9464", "127.0.0.1:9464"},
		// A named host is the user's choice.
		{"0.0.0.0:9464", "0.0.0.0:9464"},
		// IPv6 loopback stays as given.
		{"[::1]:9464", "[::1]:9464"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, metricsAddr(tt.in), "metricsAddr(%q)", tt.in)
	}
}

// TestRunServesPrometheusMetrics scrapes --metrics-addr during a short run:
// the counters and latency histograms are there, in the exposition format.
func TestRunServesPrometheusMetrics(t *testing.T) {
	cmd := exec.Command(binary, "run", "bike-rush-hour", "--duration", "4s", "--out", t.TempDir(), "--quiet",
		"--metrics-addr", "0")
	cmd.Dir = "../.."
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	cmd.Stdout = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	lines := bufio.NewScanner(stderr)
	require.True(t, lines.Scan(), "a first line on stderr")
	m := regexp.MustCompile(`serving live metrics at (http://127\.0\.0\.1:\d+/metrics)`).FindStringSubmatch(lines.Text())
	require.NotNil(t, m, "the first line names the address, bound to loopback: %q", lines.Text())
	go func() { _, _ = io.Copy(io.Discard, stderr) }()

	var body string
	require.Eventually(t, func() bool {
		resp, err := http.Get(m[1])
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		body = string(data)
		return resp.StatusCode == http.StatusOK && regexp.MustCompile(`kinesim_records_acknowledged_total\{scenario="bike-rush-hour"\} [1-9]`).MatchString(body)
	}, 10*time.Second, 100*time.Millisecond, "records acknowledged show while the run goes on")
	for _, want := range []string{
		"# TYPE kinesim_records_acknowledged_total counter",
		"# TYPE kinesim_latency_seconds histogram",
		`kinesim_latency_seconds_bucket{metric="record",scenario="bike-rush-hour",le="+Inf"}`,
		`kinesim_latency_seconds_count{metric="put_records",scenario="bike-rush-hour"}`,
		"kinesim_records_throttled_total",
		"kinesim_elapsed_seconds",
	} {
		assert.True(t, strings.Contains(body, want), "the scrape has %s", want)
	}
	require.NoError(t, cmd.Wait(), "the run finishes normally")
}
