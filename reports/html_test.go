package reports

import (
	"bytes"
	"image/png"
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
	dom, stderr := chromiumtest.Run(t, bin, page, "--dump-dom")
	assert.Contains(t, dom, `data-charts="5"`, "all five charts were drawn")
	assert.NotContains(t, dom, "data-errors", "no script error on the page")
	assert.NotContains(t, stderr, "Uncaught", "no console error")
	assert.Equal(t, 5, strings.Count(dom, "<canvas"), "one canvas per chart")

	shot := filepath.Join(dir, "report.png")
	chromiumtest.Run(t, bin, page, "--screenshot="+shot, "--window-size=1200,2600")
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	colored, colors := chromiumtest.InkStats(img)
	assert.Greater(t, colored, 0.03, "at least 3%% of the page is not background (charts and text)")
	assert.Greater(t, colors, 20, "the screenshot has the charts' colours, not one flat colour")
}
