package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/kinesim/kinesim/reports"
)

// File names in a plan folder.
const (
	JSONFile     = "plan.json"
	MarkdownFile = "plan.md"
)

// WriteFiles writes plan.json, plan.md and plan.html into dir, creating it.
func (r *Result) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("plan folder: %w", err)
	}
	// Text as it is: "ratio 1.2% > 1%", not "\u003e" (no HTML escaping).
	var data bytes.Buffer
	enc := json.NewEncoder(&data)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, JSONFile), data.Bytes(), 0o644); err != nil {
		return fmt.Errorf("plan folder: %w", err)
	}
	var md strings.Builder
	if err := r.WriteMarkdown(&md); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, MarkdownFile), []byte(md.String()), 0o644); err != nil {
		return fmt.Errorf("plan folder: %w", err)
	}
	var page strings.Builder
	if err := r.WriteHTML(&page); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, HTMLFile), []byte(page.String()), 0o644); err != nil {
		return fmt.Errorf("plan folder: %w", err)
	}
	return nil
}

// WriteText writes the terminal report: the recommendation, the table of
// candidates and what binds the plan.
func (r *Result) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("Plan for %s: %s\n", r.Scenario, r.headline())
	ew.printf("Traffic: %s records (%.1f MB) over %s; peak %s records/s, %.2f MiB/s at %s; mean record %.0f bytes\n",
		count(r.Traffic.Records), r.Traffic.Bytes/1e6, seconds(r.Traffic.DurationS), count(r.Traffic.PeakRecordsPerS),
		r.Traffic.PeakBytesPerS/shardBytesPerSecond, seconds(float64(r.Traffic.PeakAtS)), r.Traffic.MeanRecordBytes)
	ew.printf("Objectives: write throttle ratio ≤ %s, headroom %s, up to %d shards; %d polling and %d enhanced fan-out consumers\n\n",
		pct(r.Objectives.MaxWriteThrottleRatio), pct(r.Objectives.Headroom), r.Objectives.MaxShards,
		r.Traffic.PollingConsumers, r.Traffic.EFOConsumers)
	tw := tabwriter.NewWriter(ew, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "shards\tthrottled\t±bound\tpeak write\tpeak read\thottest shard\thottest key\t%s/month\t%s\n", r.Prices.Currency,
		strings.Join(measuredHeader, "\t")+"\t")
	for _, c := range r.Candidates {
		mark := ""
		if c.Shards == r.Recommended {
			mark = "  ← recommended"
		} else if !c.Meets {
			mark = "  ✗ " + strings.Join(c.Fails, "; ")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\t%s\n", c.Shards, pct(c.WriteThrottleRatio), pct(c.CoarseErrorBound),
			pct(c.PeakWriteUtilisation), pct(c.PeakReadUtilisation), c.HottestShard, keyText(c), c.MonthlyCost.Total,
			strings.Join(measuredCells(c.Measured), "\t"), mark)
	}
	od := "meets the objectives"
	if !r.OnDemand.Meets {
		od = "✗ " + strings.Join(r.OnDemand.Fails, "; ")
	}
	fmt.Fprintf(tw, "on-demand\t%s\t\t\t\t\t\t%.2f\t%s\t  %s\n", pct(r.OnDemand.WriteThrottleRatio), r.OnDemand.MonthlyCost.Total,
		strings.Join(measuredCells(nil), "\t"), od)
	if err := tw.Flush(); err != nil {
		return err
	}
	ew.printf("\n")
	for _, a := range r.Advice {
		ew.printf("• %s\n", a)
	}
	if r.OnDemand.FirstDayNote != "" {
		ew.printf("• On-demand: %s.\n", r.OnDemand.FirstDayNote)
	}
	ew.printf("\nPrices: %s, %s, dated %s (%s)", r.Prices.Region, r.Prices.Currency, r.Prices.Date, r.Prices.Source)
	if len(r.Prices.Unsourced) > 0 {
		ew.printf("; unsourced: %s", strings.Join(r.Prices.Unsourced, ", "))
	}
	ew.printf(".\nModel: %s records simulated one by one over %s of the busiest seconds; %s by the fluid model.\n",
		reports.Thousands(int64(r.Model.PerRecordRecords)), seconds(float64(r.Model.PerRecordSeconds)), seconds(float64(r.Model.FluidSeconds)))
	ew.printf("%s\n", r.measuredNote())
	return ew.err
}

// WriteMarkdown writes the plan as a Markdown section.
func (r *Result) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("## Capacity plan: %s\n\n**%s**\n\n", r.Scenario, r.headline())
	ew.printf("Objectives: write throttle ratio ≤ %s, headroom %s. Peak %s records/s, %.2f MiB/s; mean record %.0f bytes.\n\n",
		pct(r.Objectives.MaxWriteThrottleRatio), pct(r.Objectives.Headroom), count(r.Traffic.PeakRecordsPerS),
		r.Traffic.PeakBytesPerS/shardBytesPerSecond, r.Traffic.MeanRecordBytes)
	ew.printf("| shards | throttled | ± bound | peak write | peak read | hottest shard | hottest key | %s/month | %s | meets |\n",
		r.Prices.Currency, strings.Join(measuredHeader, " | "))
	ew.printf("|---:|---:|---:|---:|---:|---|---|---:|%s---|\n", strings.Repeat("---:|", len(measuredHeader)))
	for _, c := range r.Candidates {
		meets := "yes"
		if !c.Meets {
			meets = "no: " + strings.Join(c.Fails, "; ")
		}
		if c.Shards == r.Recommended {
			meets = "**recommended**"
		}
		ew.printf("| %d | %s | %s | %s | %s | %s | %s | %.2f | %s | %s |\n", c.Shards, pct(c.WriteThrottleRatio), pct(c.CoarseErrorBound),
			pct(c.PeakWriteUtilisation), pct(c.PeakReadUtilisation), c.HottestShard, keyText(c), c.MonthlyCost.Total,
			strings.Join(measuredCells(c.Measured), " | "), meets)
	}
	od := "yes"
	if !r.OnDemand.Meets {
		od = "no: " + strings.Join(r.OnDemand.Fails, "; ")
	}
	ew.printf("| on-demand | %s | | | | | | %.2f | %s | %s |\n\n", pct(r.OnDemand.WriteThrottleRatio), r.OnDemand.MonthlyCost.Total,
		strings.Join(measuredCells(nil), " | "), od)
	for _, a := range r.Advice {
		ew.printf("- %s\n", a)
	}
	if r.OnDemand.FirstDayNote != "" {
		ew.printf("- On-demand: %s.\n", r.OnDemand.FirstDayNote)
	}
	ew.printf("\nPrices: %s, dated %s (%s).\n\n%s\n", r.Prices.Region, r.Prices.Date, r.Prices.Source, r.measuredNote())
	return ew.err
}

// measuredHeader names the measured columns: p99 record latency, p99
// end-to-end latency, the highest iterator age, the peak backlog and the
// time the consumers took to catch up after the peak.
var measuredHeader = []string{"p99 put", "p99 e2e", "max age", "backlog", "drain"}

// measuredCells formats m's columns; "–" where nothing was measured.
func measuredCells(m *Measured) []string {
	cells := []string{"–", "–", "–", "–", "–"}
	if m == nil {
		return cells
	}
	cells[0] = millis(&m.PutLatencyP99Ms)
	if m.EndToEndP99Ms == nil {
		return cells
	}
	cells[1], cells[2] = millis(m.EndToEndP99Ms), millis(m.MaxIteratorAgeMs)
	cells[3] = reports.Thousands(int64(m.PeakBacklogRecords))
	cells[4] = "not drained"
	if m.Drained {
		cells[4] = seconds(*m.BacklogDrainS)
	}
	return cells
}

func millis(ms *float64) string {
	if ms == nil {
		return "–"
	}
	if *ms >= 10_000 {
		return fmt.Sprintf("%.1fs", *ms/1000)
	}
	return fmt.Sprintf("%.0fms", *ms)
}

// measuredNote says how the measured columns were measured.
func (r *Result) measuredNote() string {
	var runs []Candidate
	for _, c := range r.Candidates {
		if c.Measured != nil {
			runs = append(runs, c)
		}
	}
	if len(runs) == 0 {
		return "Measured: no runs (latency and backlog columns are empty)."
	}
	m := runs[0].Measured
	span := fmt.Sprintf("the whole scenario (%s)", seconds(float64(m.WindowEndS-m.WindowStartS)))
	if m.WindowStartS > 0 || float64(m.WindowEndS) < r.Traffic.DurationS {
		span = fmt.Sprintf("%s of the scenario around its peak (%s to %s)", seconds(float64(m.WindowEndS-m.WindowStartS)),
			clockTime(m.WindowStartS), clockTime(m.WindowEndS))
	}
	counts := make([]string, len(runs))
	for i, c := range runs {
		counts[i] = fmt.Sprintf("%d", c.Shards)
	}
	return fmt.Sprintf("Measured: %s shards ran through the runner on the emulated stream in virtual time over %s; "+
		"latencies are simulated from the emulated service-latency model; \"drain\" is how long after the peak the consumers took to catch up (iterator age under 1s).",
		strings.Join(counts, " and "), span)
}

// count formats a count with thousands separators, rounded to a whole number.
func count(n float64) string { return reports.Thousands(int64(math.Round(n))) }

// clockTime formats seconds from the start as h:mm:ss.
func clockTime(s int) string { return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60) }

func (r *Result) headline() string {
	if r.Recommended > 0 {
		return fmt.Sprintf("%d shards (provisioned)", r.Recommended)
	}
	if len(r.Blockers) > 0 {
		return "no shard count meets the objectives (more shards cannot help; see below)"
	}
	return fmt.Sprintf("no shard count up to %d meets the objectives", r.Objectives.MaxShards)
}

func keyText(c Candidate) string {
	if c.HottestKey == "" {
		return "(even)"
	}
	return fmt.Sprintf("%s %s", c.HottestKey, pct(c.KeyUtilisation))
}

func seconds(s float64) string {
	switch {
	case s >= 3600:
		return fmt.Sprintf("%.1fh", s/3600)
	case s >= 60:
		return fmt.Sprintf("%.1fm", s/60)
	}
	return fmt.Sprintf("%.0fs", s)
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
