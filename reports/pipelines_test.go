package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

// pipelineResult is a run whose application duplicated 134 records.
func pipelineResult() *result.Result {
	p := result.Pipeline{Name: "enricher", InputStream: "bikes", OutputStream: "bikes-enriched", Mode: "polling", ID: "field source.kinesim_id",
		OutputRecords: 6134, Matched: 6000, Duplicated: 134,
		Hops: []result.Hop{
			{Name: "producer -> input", From: "bikes", To: "bikes", RecordsIn: 6000, RecordsOut: 6000, LatencyMs: result.Percentiles{Count: 6000, P50: 27.54, P99: 64}},
			{Name: "input -> output", From: "bikes", To: "bikes-enriched", RecordsIn: 6000, RecordsOut: 6000, Duplicated: 134, LatencyMs: result.Percentiles{Count: 6000, P50: 246.66, P99: 845.31}},
		}}
	p.Judge(map[string]int64{"duplicated": 0})
	return &result.Result{Scenario: "bikes-pipeline", Complete: true, LatencyMs: map[string]result.Percentiles{}, Files: map[string]string{}, Pipelines: []result.Pipeline{p}}
}

func TestPipelinesInEveryReport(t *testing.T) {
	r := pipelineResult()
	var text, md, html bytes.Buffer
	require.NoError(t, WriteSummary(&text, r))
	require.NoError(t, WriteMarkdown(&md, r))
	require.NoError(t, WriteHTML(&html, r))

	assert.Contains(t, text.String(), "pipeline   enricher: bikes -> application -> bikes-enriched (id field source.kinesim_id, read by polling)  FAILED: duplicated 134 > 0")
	for _, row := range []string{"producer -> input  6,000  6,000     0           0   27.54", "input -> output  6,000  6,000     0         134  246.66"} {
		assert.Contains(t, text.String(), row, "the hops side by side in the text summary")
	}
	assert.Contains(t, md.String(), "❌ 1 pipeline(s) failed", "the Markdown verdict")
	assert.Contains(t, md.String(), "| input -> output (bikes → bikes-enriched) | 6,000 | 6,000 | 0 | 134 | 246.66 |")
	assert.Contains(t, html.String(), "1 pipeline(s) failed", "the HTML verdict")
	assert.Equal(t, 2, strings.Count(html.String(), "<tr><td>producer -&gt; input</td>")+strings.Count(html.String(), "<tr><td>input -&gt; output</td>"), "both hops in report.html")
}
