package reports

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// chromium finds Debian's chromium (tools/chromium/install.sh). Without it
// the test is skipped, except under CI where it must be there.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is missing; make test-setup installs it (tools/chromium/install.sh)")
		}
		t.Skip("chromium is missing; run bash tools/chromium/install.sh")
	}
	return path
}

// runChromium runs headless chromium on page with extra flags and returns
// its stdout and stderr.
func runChromium(t *testing.T, bin, page string, flags ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--enable-logging=stderr", "--v=0", "--user-data-dir=" + t.TempDir(),
		"--virtual-time-budget=5000"}, flags...)
	args = append(args, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), "chromium %v\nstderr:\n%s", flags, errOut.String())
	return out.String(), errOut.String()
}

func TestHTMLRendersInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, HTMLReportFile)
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, fixedResultWithConsumers()))
	require.NoError(t, os.WriteFile(page, b.Bytes(), 0o644))

	// Throughput, latency, backlog, per-shard heat map, distribution.
	dom, stderr := runChromium(t, bin, page, "--dump-dom")
	assert.Contains(t, dom, `data-charts="5"`, "all five charts were drawn")
	assert.NotContains(t, dom, "data-errors", "no script error on the page")
	assert.NotContains(t, stderr, "Uncaught", "no console error")
	assert.Equal(t, 5, strings.Count(dom, "<canvas"), "one canvas per chart")

	shot := filepath.Join(dir, "report.png")
	runChromium(t, bin, page, "--screenshot="+shot, "--window-size=1200,2600")
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	colored, colors := inkStats(img)
	assert.Greater(t, colored, 0.03, "at least 3%% of the page is not background (charts and text)")
	assert.Greater(t, colors, 20, "the screenshot has the charts' colours, not one flat colour")
}

// inkStats returns the share of pixels that are not near-white and the
// number of distinct colours in img.
func inkStats(img image.Image) (float64, int) {
	bounds := img.Bounds()
	seen := map[[3]uint32]bool{}
	var ink, all int
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			all++
			if r < 0xf000 || g < 0xf000 || b < 0xf000 {
				ink++
			}
			seen[[3]uint32{r >> 8, g >> 8, b >> 8}] = true
		}
	}
	return float64(ink) / float64(all), len(seen)
}
