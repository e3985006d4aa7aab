package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kinesim/kinesim/result"
)

// pipelineRow is one hop of a pipeline as the reports show it, side by
// side with the other hop.
type pipelineRow struct {
	Hop, From, To, In, Out, Lost, Duplicated string
	P50, P90, P99, Max, Count                string
}

// pipelineRows are p's hops, formatted.
func pipelineRows(p result.Pipeline) []pipelineRow {
	rows := make([]pipelineRow, 0, len(p.Hops))
	for _, h := range p.Hops {
		l := h.LatencyMs
		rows = append(rows, pipelineRow{Hop: h.Name, From: h.From, To: h.To, In: thousands(h.RecordsIn), Out: thousands(h.RecordsOut),
			Lost: thousands(h.Lost), Duplicated: thousands(h.Duplicated),
			P50: ms(l.P50), P90: ms(l.P90), P99: ms(l.P99), Max: ms(l.Max), Count: thousands(l.Count)})
	}
	return rows
}

// pipelineVerdict is "ok" or "FAILED: " and the failures.
func pipelineVerdict(p result.Pipeline) string {
	if p.Passed {
		return "ok"
	}
	return "FAILED: " + strings.Join(p.Failures, ", ")
}

// pipelineHeadline says what the pipeline is.
func pipelineHeadline(p result.Pipeline) string {
	return fmt.Sprintf("%s -> application -> %s (id %s, read by %s)", p.InputStream, p.OutputStream, p.ID, p.Mode)
}

// pipelineCounts are the application's own counts.
func pipelineCounts(p result.Pipeline) string {
	s := fmt.Sprintf("output %s records  matched %s  lost %s  duplicated %s  unknown %s  not acknowledged %s  latency unmeasured %s",
		thousands(p.OutputRecords), thousands(p.Matched), thousands(p.Lost), thousands(p.Duplicated),
		thousands(p.Unknown), thousands(p.NotAcknowledged), thousands(p.LatencyUnmeasured))
	if p.Error != "" {
		s += "  output not read: " + p.Error
	}
	return s
}

// PipelinesFailed counts the pipelines that missed their expect.
func PipelinesFailed(ps []result.Pipeline) int {
	n := 0
	for _, p := range ps {
		if !p.Passed {
			n++
		}
	}
	return n
}

// WritePipelines prints the pipelines section of the summary: each
// pipeline's hops side by side, latency from the intended send time.
func WritePipelines(w io.Writer, ps []result.Pipeline) error {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "pipeline   %s: %s  %s\n", p.Name, pipelineHeadline(p), pipelineVerdict(p))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "\thop\tin\tout\tlost\tduplicated\tp50 ms\tp90 ms\tp99 ms\tmax ms\t")
		for _, r := range pipelineRows(p) {
			fmt.Fprintf(tw, "\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Hop, r.In, r.Out, r.Lost, r.Duplicated, r.P50, r.P90, r.P99, r.Max)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(&b, "           %s\n", pipelineCounts(p))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writePipelinesMarkdown appends the pipelines section in Markdown.
func writePipelinesMarkdown(b *strings.Builder, ps []result.Pipeline) {
	for _, p := range ps {
		mark := "✅"
		if !p.Passed {
			mark = "❌"
		}
		fmt.Fprintf(b, "\n### Pipeline `%s` %s\n\n%s; %s\n\n", p.Name, mark, markdownEscape(pipelineHeadline(p)), markdownEscape(pipelineVerdict(p)))
		b.WriteString("| hop | in | out | lost | duplicated | p50 ms | p90 ms | p99 ms | max ms |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, r := range pipelineRows(p) {
			fmt.Fprintf(b, "| %s (%s → %s) | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Hop, markdownEscape(r.From), markdownEscape(r.To),
				r.In, r.Out, r.Lost, r.Duplicated, r.P50, r.P90, r.P99, r.Max)
		}
		fmt.Fprintf(b, "\n%s\n", markdownEscape(pipelineCounts(p)))
	}
}

// htmlPipeline is one pipeline for report.html.
type htmlPipeline struct {
	Name, Headline, Verdict, Class, Counts string
	Rows                                   []pipelineRow
}

func htmlPipelines(ps []result.Pipeline) []htmlPipeline {
	out := make([]htmlPipeline, 0, len(ps))
	for _, p := range ps {
		class := "pass"
		if !p.Passed {
			class = "fail"
		}
		out = append(out, htmlPipeline{Name: p.Name, Headline: pipelineHeadline(p), Verdict: pipelineVerdict(p), Class: class,
			Counts: pipelineCounts(p), Rows: pipelineRows(p)})
	}
	return out
}
