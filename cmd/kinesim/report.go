package main

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
)

type reportFlags struct {
	format  string
	out     string
	summary string
}

func newReportCommand() *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report RESULT",
		Short: "Re-render reports (text, Markdown, HTML) from a result.json",
		Long: `Re-render a run's report from its result.json (RESULT: the file, or the run
folder holding it): the terminal summary (text),
summary.md (md) or the self-contained report.html (html). Output goes to
stdout unless --out names a file. Thresholds are shown as judged by the run.`,
		Example: `  kinesim report runs/bike-rush-hour-20260101T080000Z/result.json
  kinesim report result.json --format md --summary full >> "$GITHUB_STEP_SUMMARY"
  kinesim report result.json --format html --out report.html`,
		Args: exactArgs(resultArg("RESULT")),
		RunE: func(cmd *cobra.Command, args []string) error {
			return renderReport(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "text, md or html")
	fl.StringVar(&f.out, "out", "", "write to this file instead of stdout")
	fl.StringVar(&f.summary, "summary", "compact", "text and md detail: compact or full")
	return cmd
}

// resultArg is a result.json argument.
func resultArg(name string) argSpec {
	return argSpec{name, "a result.json, or the run folder holding it"}
}

// resultFile is the result.json a RESULT argument names: the file itself,
// or result.json in a run folder.
func resultFile(path string) string {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return filepath.Join(path, runner.ResultFile)
	}
	return path
}

func renderReport(cmd *cobra.Command, path string, f reportFlags) error {
	opts, err := reports.SummaryMode(f.summary)
	if err != nil {
		return usageError("--summary: %w", err)
	}
	var render func(*bytes.Buffer, *result.Result) error
	switch f.format {
	case "text":
		render = func(b *bytes.Buffer, r *result.Result) error { return reports.WriteSummary(b, r, opts...) }
	case "md", "markdown":
		render = func(b *bytes.Buffer, r *result.Result) error { return reports.WriteMarkdown(b, r, opts...) }
	case "html":
		// The full-resolution series beside result.json, when it is there,
		// gives the heat map each column's busiest second.
		series := reports.WithSeriesFile(filepath.Join(filepath.Dir(path), result.SeriesFile))
		render = func(b *bytes.Buffer, r *result.Result) error { return reports.WriteHTML(b, r, series) }
	default:
		return usageError("--format %q: use text, md or html", f.format)
	}
	res, err := result.Read(resultFile(path))
	if err != nil {
		return usageError("%w", err)
	}
	var b bytes.Buffer
	if err := render(&b, res); err != nil {
		return failure(err)
	}
	if f.out == "" {
		_, err = cmd.OutOrStdout().Write(b.Bytes())
	} else {
		err = os.WriteFile(f.out, b.Bytes(), 0o644)
	}
	if err != nil {
		return failure(err)
	}
	return nil
}
