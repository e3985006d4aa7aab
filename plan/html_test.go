package plan

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/reports/chromiumtest"
)

// writtenPlan plans a small scenario and writes its plan folder.
func writtenPlan(t *testing.T) (*Result, string) {
	t.Helper()
	sc := scenario(t, "{constant: 2600/s}", "300", "{zipf: {keys: 200, s: 0.6}}", 3*time.Second, oneReader)
	res, err := Plan(context.Background(), sc)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, res.WriteFiles(dir))
	return res, dir
}

func TestPlanHTMLIsSelfContained(t *testing.T) {
	res, dir := writtenPlan(t)
	for _, name := range []string{JSONFile, MarkdownFile, HTMLFile} {
		assert.FileExists(t, filepath.Join(dir, name), "written next to each other")
	}
	data, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	require.NoError(t, err)
	page := string(data)
	assert.Contains(t, page, "uPlot", "the chart library is inlined")
	assert.Empty(t, regexp.MustCompile(`(src|href)="(https?:)?//`).FindAllString(page, -1), "nothing is fetched from the network")
	assert.Contains(t, page, `class="rec"`, "the recommended row is marked")
	assert.Contains(t, page, res.Prices.Date, "the prices' date is shown")
	assert.Contains(t, page, "p99 e2e", "the measured columns are in the table")
}

func TestPlanHTMLRendersInChromium(t *testing.T) {
	bin := chromiumtest.Find(t)
	_, dir := writtenPlan(t)
	page := filepath.Join(dir, HTMLFile)

	dom, stderr := chromiumtest.Run(t, bin, page, "--dump-dom")
	assert.Contains(t, dom, `data-charts="1"`, "the chart was drawn")
	assert.NotContains(t, dom, "data-errors", "no script error on the page")
	assert.NotContains(t, stderr, "Uncaught", "no console error")
	assert.Equal(t, 1, strings.Count(dom, "<canvas"), "one canvas")

	shot := filepath.Join(dir, "plan.png")
	chromiumtest.Run(t, bin, page, "--screenshot="+shot, "--window-size=1200,900")
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	colored, colors := chromiumtest.InkStats(img)
	assert.Greater(t, colored, 0.03, "at least 3%% of the page is not background (chart and text)")
	assert.Greater(t, colors, 20, "the screenshot has the chart's colours, not one flat colour")
}
