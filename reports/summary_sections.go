package reports

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
)

// reportedMetrics are the latency metrics a report shows for r: the
// producers' always, the consumers' when they have samples.
func reportedMetrics(r *result.Result) []metrics.Metric {
	ms := metrics.ProducerMetrics()
	for _, m := range metrics.ConsumerMetrics() {
		if r.LatencyMs[m.Name()].Count > 0 {
			ms = append(ms, m)
		}
	}
	return ms
}

// thresholdVerdict is a threshold's one-word outcome.
func thresholdVerdict(t result.ThresholdResult) string {
	switch {
	case t.Skipped:
		return "SKIP"
	case t.OK:
		return "ok"
	}
	return "FAIL"
}

// actualText formats the measured value, or why there is none.
func actualText(t result.ThresholdResult) string {
	if t.Actual == nil {
		return t.Reason
	}
	return strconv.FormatFloat(*t.Actual, 'g', 6, 64)
}

// thresholdCounts says "1 failed, 2 passed, 1 skipped (not measured)".
func thresholdCounts(ths []result.ThresholdResult) string {
	var failed, passed, skipped int
	for _, t := range ths {
		switch {
		case t.Skipped:
			skipped++
		case t.OK:
			passed++
		default:
			failed++
		}
	}
	parts := []string{fmt.Sprintf("%d failed", failed), fmt.Sprintf("%d passed", passed)}
	if skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped (not measured)", skipped))
	}
	return strings.Join(parts, ", ")
}

func writeThresholdsText(b *strings.Builder, ths []result.ThresholdResult) error {
	if len(ths) == 0 {
		return nil
	}
	fmt.Fprintf(b, "thresholds %s\n", thresholdCounts(ths))
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	for _, t := range ths {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", thresholdVerdict(t), t.Metric, t.Expression, actualText(t), t.Excess())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for line := range strings.Lines(table.String()) {
		b.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	return nil
}

// seriesRow is a bucket of whole seconds of the series.
type seriesRow struct {
	from, to                          int
	scheduled, sent, acked, throttled int64
	recordP99, sendDelayP99           float64
}

// condenseSeries merges the per-second series into at most rows buckets of
// whole seconds, summing counts and keeping the worst p99 of each bucket.
func condenseSeries(series []result.SeriesPoint, rows int) []seriesRow {
	if len(series) == 0 {
		return nil
	}
	per := (len(series) + rows - 1) / rows
	var out []seriesRow
	for chunk := range slices.Chunk(series, per) {
		row := seriesRow{from: chunk[0].Second, to: chunk[len(chunk)-1].Second + chunk[len(chunk)-1].Span()}
		for _, p := range chunk {
			row.scheduled += p.RecordsScheduled
			row.sent += p.RecordsSent
			row.acked += p.RecordsAcknowledged
			row.throttled += p.RecordsThrottled
			row.recordP99 = max(row.recordP99, p.RecordLatencyMs.P99)
			row.sendDelayP99 = max(row.sendDelayP99, p.SendDelayMs.P99)
		}
		out = append(out, row)
	}
	return out
}

// perSecond divides a bucket's count by its length in seconds.
func (row seriesRow) perSecond(n int64) int64 {
	secs := int64(max(row.to-row.from, 1))
	return (n + secs/2) / secs
}

// summaryPercentiles lists the distribution percentiles shown in summaries.
var summaryPercentiles = []float64{50, 90, 99, 99.9, 99.99, 100}

func distributionValue(d []result.QuantileValue, q float64) string {
	for _, v := range d {
		if v.Percentile == q {
			return ms(v.ValueMs)
		}
	}
	return "-"
}

func percentileLabel(q float64) string {
	if q == 100 {
		return "max"
	}
	return "p" + strconv.FormatFloat(q, 'f', -1, 64)
}

func writeFullText(b *strings.Builder, r *result.Result) error {
	for _, p := range r.Producers {
		fmt.Fprintf(b, "producer   %s: generator %s, partition key %s\n", p.Name, p.Generator, p.PartitionKey)
	}
	if len(r.LatencyDistributionMs) > 0 {
		b.WriteString("latency distribution (ms):\n")
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
		header := []string{"", ""}
		for _, q := range summaryPercentiles {
			header = append(header, percentileLabel(q))
		}
		fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
		for _, m := range reportedMetrics(r) {
			d, ok := r.LatencyDistributionMs[m.Name()]
			if !ok {
				continue
			}
			row := []string{"", m.Name()}
			for _, q := range summaryPercentiles {
				row = append(row, distributionValue(d, q))
			}
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	rows := condenseSeries(r.Series, 30)
	if len(rows) == 0 {
		return nil
	}
	b.WriteString("per second (records/s; worst p99 latency in ms):\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tseconds\tscheduled\tsent\tacknowledged\tthrottled\trecord p99\tsend delay p99\t")
	for _, row := range rows {
		fmt.Fprintf(tw, "\t%d-%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", row.from, row.to,
			thousands(row.perSecond(row.scheduled)), thousands(row.perSecond(row.sent)),
			thousands(row.perSecond(row.acked)), thousands(row.perSecond(row.throttled)),
			ms(row.recordP99), ms(row.sendDelayP99))
	}
	return tw.Flush()
}
