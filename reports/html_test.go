package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/reports/chromiumtest"
)

func TestHTMLIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, fixedResultWithConsumers()))
	page := b.String()
	// assert.True, not Contains: a failure would print the whole page.
	assert.True(t, strings.Contains(page, "uPlot (v1.6.32)"), "the chart library is inlined")
	for _, remote := range []string{"src=\"http", "href=\"http", "src=\"//", "<link"} {
		assert.False(t, strings.Contains(page, remote), "nothing is loaded from the network: found %s", remote)
	}
	for _, want := range []string{`id="throughput"`, `id="latency"`, `id="distribution"`, `id="shards"`, `id="backlog"`,
		"fault windows of the chaos timeline (1)", "1 threshold(s) failed"} {
		assert.True(t, strings.Contains(page, want), "the page has %s", want)
	}
}

func TestHTMLLeavesOutSectionsWithoutData(t *testing.T) {
	r := fixedResult()
	r.Series, r.LatencyDistributionMs, r.Thresholds = nil, nil, nil
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, r))
	page := b.String()
	for _, absent := range []string{`id="throughput"`, `id="latency"`, `id="distribution"`, "<h2>Thresholds",
		`id="shards"`, `id="backlog"`, "fault windows"} {
		assert.False(t, strings.Contains(page, absent), "no section without data: found %s", absent)
	}
}

func TestHTMLRendersInChromium(t *testing.T) {
	bin := chromiumtest.Find(t)
	dir := t.TempDir()
	page := filepath.Join(dir, HTMLReportFile)
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, fixedResultWithConsumers()))
	require.NoError(t, os.WriteFile(page, b.Bytes(), 0o644))

	// Throughput, latency, backlog, per-shard heat map, distribution.
	chromiumtest.AssertRenders(t, bin, page, 5, 2600)
}
