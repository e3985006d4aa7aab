package plan

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
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

	chromiumtest.AssertRenders(t, bin, page, 2, 1300)
}
