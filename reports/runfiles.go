package reports

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kinesim/kinesim/result"
)

// WriteRunFiles writes a finished run's reports into its run folder dir:
// summary.md and report.html, then result.json again (atomically) so it
// holds the judged thresholds and lists the files. Every file is attempted;
// the errors are joined.
func WriteRunFiles(r *result.Result, dir string, opts ...SummaryOption) error {
	if r.Files == nil {
		r.Files = map[string]string{}
	}
	var errs []error
	write := func(role, name string, render func(*bytes.Buffer) error) {
		var b bytes.Buffer
		path := filepath.Join(dir, name)
		if err := render(&b); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			return
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			errs = append(errs, err)
			return
		}
		r.Files[role] = path
	}
	write("summary_md", SummaryMarkdownFile, func(b *bytes.Buffer) error { return WriteMarkdown(b, r, opts...) })
	write("report_html", HTMLReportFile, func(b *bytes.Buffer) error {
		return WriteHTML(b, r, WithSeriesFile(filepath.Join(dir, result.SeriesFile)))
	})
	if r.Files["result"] == "" {
		r.Files["result"] = filepath.Join(dir, "result.json")
	}
	errs = append(errs, r.WriteJSON(r.Files["result"]))
	return errors.Join(errs...)
}

// AppendStepSummary appends the Markdown summary to path, the file GitHub
// Actions names in $GITHUB_STEP_SUMMARY, so the run shows on the job's page.
func AppendStepSummary(path string, r *result.Result, opts ...SummaryOption) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	werr := WriteMarkdown(f, r, opts...)
	return errors.Join(werr, f.Close())
}
