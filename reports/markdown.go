package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

// SummaryMarkdownFile is the Markdown summary's name in a run folder.
const SummaryMarkdownFile = "summary.md"

// WriteMarkdown writes the summary as GitHub-flavoured Markdown, for a pull
// request comment or a CI job summary ($GITHUB_STEP_SUMMARY). It shows the
// same facts as WriteSummary, with the same options.
func WriteMarkdown(w io.Writer, r *result.Result, opts ...SummaryOption) error {
	o := newSummaryOptions(opts)
	var b strings.Builder
	fmt.Fprintf(&b, "## kinesim run `%s`: %s\n\n", r.Scenario, markdownVerdict(r))
	t := r.Target
	target := fmt.Sprintf("%s stream `%s`, %s", t.Kind, t.Stream, streamShape(t))
	if t.Mode != "" && t.Mode != scenarios.TargetModeOnDemand {
		target += ", " + t.Mode
	}
	if note := existingNote(t); note != "" {
		target += "; " + note
	}
	if t.Endpoint != "" {
		target += " at " + t.Endpoint
	}
	tot, tp := r.Totals, r.Throughput
	b.WriteString("| | |\n|---|---|\n")
	rows := [][2]string{
		{"target", target},
		{"seed", fmt.Sprint(r.Seed)},
		{"ran", roundSeconds(r.ElapsedS) + " of " + roundSeconds(r.PlannedDurationS)},
		{"records", fmt.Sprintf("scheduled %s, sent %s, acknowledged %s, dead-lettered %s, unfinished %s",
			thousands(tot.RecordsScheduled), thousands(tot.RecordsSent), thousands(tot.RecordsAcknowledged),
			thousands(tot.RecordsDeadLettered), thousands(tot.RecordsUnfinished))},
		{"attempts", fmt.Sprintf("%s (%s retries), throttled %s (%.2f%%), failed %s",
			thousands(tot.PutAttempts), thousands(tot.RecordsRetried), thousands(tot.RecordsThrottled),
			100*r.ThrottledRatio, thousands(tot.RecordsFailed))},
		{"calls", fmt.Sprintf("%s PutRecords (%s failed)", thousands(tot.PutCalls), thousands(tot.PutCallErrors))},
		{"throughput", fmt.Sprintf("%s records/s mean, %s peak second, %.2f MiB/s",
			thousands(int64(tp.RecordsAcknowledgedPerS+0.5)), thousands(tp.PeakRecordsAcknowledgedPerS),
			tp.BytesAcknowledgedPerS/(1<<20))},
	}
	if line := kinesisRecordsLine(r); line != "" {
		rows = append(rows, [2]string{"kinesis records", line})
	}
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s | %s |\n", row[0], row[1])
	}

	b.WriteString("\n### Latency (ms), from the intended send time\n\n")
	b.WriteString("| metric | p50 | p90 | p99 | p99.9 | max | count |\n|---|--:|--:|--:|--:|--:|--:|\n")
	for _, m := range reportedMetrics(r) {
		p := r.LatencyMs[m.Name()]
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", m.Name(),
			ms(p.P50), ms(p.P90), ms(p.P99), ms(p.P999), ms(p.Max), thousands(p.Count))
	}

	if len(r.Thresholds) > 0 {
		fmt.Fprintf(&b, "\n### Thresholds: %s\n\n", thresholdCounts(r.Thresholds))
		b.WriteString("| | metric | expression | actual | missed by |\n|---|---|---|--:|--:|\n")
		for _, t := range r.Thresholds {
			fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s |\n", markdownThresholdMark(t), t.Metric,
				t.Expression, markdownEscape(actualText(t)), t.Excess())
		}
	}

	writePipelinesMarkdown(&b, r.Pipelines)
	if o.full {
		writeFullMarkdown(&b, r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func markdownVerdict(r *result.Result) string {
	switch {
	case allDeadLettered(r):
		return fmt.Sprintf("❌ nothing written: all %s records were dead-lettered", thousands(r.Totals.RecordsDeadLettered))
	case !r.Complete:
		return "⚠️ incomplete (" + r.StopReason + ")"
	case r.ThresholdsFailed() > 0:
		return fmt.Sprintf("❌ %d threshold(s) failed", r.ThresholdsFailed())
	case PipelinesFailed(r.Pipelines) > 0:
		return fmt.Sprintf("❌ %d pipeline(s) failed", PipelinesFailed(r.Pipelines))
	}
	return "✅ passed"
}

func markdownThresholdMark(t result.ThresholdResult) string {
	switch {
	case t.Skipped:
		return "⏭️"
	case t.OK:
		return "✅"
	}
	return "❌"
}

// markdownEscape keeps a cell's text from breaking the table.
func markdownEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func writeFullMarkdown(b *strings.Builder, r *result.Result) {
	if len(r.Producers) > 0 {
		b.WriteString("\n### Producers\n\n| name | generator | partition key |\n|---|---|---|\n")
		for _, p := range r.Producers {
			fmt.Fprintf(b, "| %s | %s | %s |\n", p.Name, p.Generator, p.PartitionKey)
		}
	}
	if len(r.LatencyDistributionMs) > 0 {
		b.WriteString("\n### Latency distribution (ms)\n\n| metric |")
		for _, q := range summaryPercentiles {
			fmt.Fprintf(b, " %s |", percentileLabel(q))
		}
		b.WriteString("\n|---|" + strings.Repeat("--:|", len(summaryPercentiles)) + "\n")
		for _, m := range reportedMetrics(r) {
			d, ok := r.LatencyDistributionMs[m.Name()]
			if !ok {
				continue
			}
			fmt.Fprintf(b, "| %s |", m.Name())
			for _, q := range summaryPercentiles {
				fmt.Fprintf(b, " %s |", distributionValue(d, q))
			}
			b.WriteString("\n")
		}
	}
	if rows := condenseSeries(r.Series, 30); len(rows) > 0 {
		b.WriteString("\n### Per second (records/s; worst p99 latency in ms)\n\n")
		b.WriteString("| seconds | scheduled | sent | acknowledged | throttled | record p99 | send delay p99 |\n|---|--:|--:|--:|--:|--:|--:|\n")
		for _, row := range rows {
			fmt.Fprintf(b, "| %d-%d | %s | %s | %s | %s | %s | %s |\n", row.from, row.to,
				thousands(row.perSecond(row.scheduled)), thousands(row.perSecond(row.sent)),
				thousands(row.perSecond(row.acked)), thousands(row.perSecond(row.throttled)),
				ms(row.recordP99), ms(row.sendDelayP99))
		}
	}
}
