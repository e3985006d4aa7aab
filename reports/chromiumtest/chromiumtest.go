// Package chromiumtest runs headless Chromium on a page for tests that
// check a self-contained HTML page renders (report.html, plan.html). Its
// functions are safe for concurrent use by parallel tests.
package chromiumtest

import (
	"bytes"
	"context"
	"fmt"
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

// Find returns the path of Debian's chromium (tools/chromium/install.sh).
// Without it the test is skipped, except under CI where it must be there.
func Find(t testing.TB) string {
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

// Run runs headless chromium bin on the file page with extra flags
// (--dump-dom, --screenshot=FILE) and returns its stdout and stderr. The
// page gets 5 s of Chromium's virtual time to run its scripts.
func Run(t testing.TB, bin, page string, flags ...string) (stdout, stderr string) {
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

// InkStats returns the share of pixels of img that are not near-white and
// the number of distinct colours: a page that drew its charts has both.
func InkStats(img image.Image) (float64, int) {
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

// AssertRenders opens page in headless chromium bin and checks what a person
// would see: charts canvases drawn (the page sets data-charts once they are),
// legends that show values without a hover, no script or console error, and a screenshot of width×height that is
// neither blank nor one flat colour. The screenshot is kept next to page.
func AssertRenders(t testing.TB, bin, page string, charts, height int) {
	t.Helper()
	dom, stderr := Run(t, bin, page, "--dump-dom")
	assert.Contains(t, dom, fmt.Sprintf(`data-charts="%d"`, charts), "every chart was drawn")
	assert.NotContains(t, dom, "data-errors", "no script error on the page")
	assert.NotContains(t, stderr, "Uncaught", "no console error")
	assert.Equal(t, charts, strings.Count(dom, "<canvas"), "one canvas per chart")
	// A legend shows values before anything is hovered (a peak, the last
	// value, or the recommended count's), never uPlot's placeholder "--".
	assert.NotContains(t, dom, `class="u-value">--<`, "every legend shows a value before a hover")

	shot := strings.TrimSuffix(page, filepath.Ext(page)) + ".png"
	Run(t, bin, page, "--screenshot="+shot, fmt.Sprintf("--window-size=1200,%d", height))
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	colored, colors := InkStats(img)
	assert.Greater(t, colored, 0.03, "at least 3%% of the page is not background (charts and text)")
	assert.Greater(t, colors, 20, "the screenshot has the charts' colours, not one flat colour")
}
