package reports

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

// Tolerance is how much worse a metric may get before a comparison calls it
// a regression. A change counts only when it beats both floors, so noise
// on a quiet metric (p50 moving from 0.4 ms to 0.5 ms is +25%) or a small
// relative wobble on a big one does not cry wolf.
type Tolerance struct {
	// Relative is the allowed change as a fraction of the base (0.10 = 10%).
	Relative float64
	// Absolute is the allowed change in the metric's own unit (ms, records/s, ratio).
	Absolute float64
}

func (t Tolerance) String(higherIsBetter bool) string {
	sign := "+"
	if higherIsBetter {
		sign = "-"
	}
	return fmt.Sprintf("%s%s%% / %s", sign, strconv.FormatFloat(100*t.Relative, 'f', -1, 64),
		strconv.FormatFloat(t.Absolute, 'f', -1, 64))
}

// comparedMetric is one metric compare knows: where its value is in a
// result, which way is better, and its default tolerance.
type comparedMetric struct {
	name           string
	higherIsBetter bool
	tolerance      Tolerance
	value          func(*result.Result) (float64, bool)
}

func latencyValue(metric string, pick func(result.Percentiles) float64) func(*result.Result) (float64, bool) {
	return func(r *result.Result) (float64, bool) {
		p, ok := r.LatencyMs[metric]
		if !ok || p.Count == 0 {
			return 0, false
		}
		return pick(p), true
	}
}

// comparedMetrics are the metrics compare reports, in order, with their
// default tolerances. Latency tolerances grow toward the tail, where fewer
// samples make values noisier; every latency also has an absolute floor in
// milliseconds that scheduler jitter on a busy CI machine stays under.
var comparedMetrics = func() []comparedMetric {
	var ms []comparedMetric
	latencies := []struct{ name, key string }{
		{scenarios.MetricRecordLatency, "record"}, {scenarios.MetricPutLatency, "put_records"},
		{scenarios.MetricSendDelay, "send_delay"}, {scenarios.MetricEndToEndLatency, "end_to_end"},
	}
	stats := []struct {
		suffix string
		tol    Tolerance
		pick   func(result.Percentiles) float64
	}{
		{"p50", Tolerance{0.10, 1}, func(p result.Percentiles) float64 { return p.P50 }},
		{"p90", Tolerance{0.10, 1}, func(p result.Percentiles) float64 { return p.P90 }},
		{"p99", Tolerance{0.15, 2}, func(p result.Percentiles) float64 { return p.P99 }},
		{"p999", Tolerance{0.25, 5}, func(p result.Percentiles) float64 { return p.P999 }},
		{"max", Tolerance{0.50, 10}, func(p result.Percentiles) float64 { return p.Max }},
	}
	for _, l := range latencies {
		for _, s := range stats {
			ms = append(ms, comparedMetric{name: l.name + "." + s.suffix, tolerance: s.tol, value: latencyValue(l.key, s.pick)})
		}
	}
	return append(ms,
		comparedMetric{name: "throughput", higherIsBetter: true, tolerance: Tolerance{0.05, 1},
			value: func(r *result.Result) (float64, bool) { return r.Throughput.RecordsAcknowledgedPerS, true }},
		comparedMetric{name: scenarios.MetricThrottledRatio, tolerance: Tolerance{0.25, 0.005},
			value: func(r *result.Result) (float64, bool) { return r.ThrottledRatio, true }},
		comparedMetric{name: scenarios.MetricRecordsDeadLettered,
			value: func(r *result.Result) (float64, bool) { return float64(r.Totals.RecordsDeadLettered), true }},
		comparedMetric{name: scenarios.MetricRecordsUnfinished,
			value: func(r *result.Result) (float64, bool) { return float64(r.Totals.RecordsUnfinished), true }},
	)
}()

// CompareMetricNames lists the metrics compare knows, for --tolerance.
func CompareMetricNames() []string {
	names := make([]string, len(comparedMetrics))
	for i, m := range comparedMetrics {
		names[i] = m.name
	}
	return names
}

// Comparison verdicts.
const (
	Improved  = "improved"
	Unchanged = "unchanged"
	// WithinTolerance: worse, but not beyond both floors.
	WithinTolerance = "worse, within tolerance"
	Regressed       = "REGRESSED"
	// Missing: the base result has the metric and the current one does
	// not (e.g. its latency_ms was deleted); it counts as a regression, so
	// a result stripped of a metric cannot pass a build.
	Missing = "MISSING in current"
)

// MetricComparison is one row of a comparison.
type MetricComparison struct {
	Metric         string
	Base, Current  float64
	HigherIsBetter bool
	Tolerance      Tolerance
	Verdict        string
}

// Change is (current-base)/base, or NaN when base is 0.
func (m MetricComparison) Change() float64 {
	if m.Base == 0 {
		return math.NaN()
	}
	return (m.Current - m.Base) / m.Base
}

// Comparison is a current result compared with a base one.
type Comparison struct {
	BaseName, CurrentName string
	Metrics               []MetricComparison
	// Notes say what makes the two runs hard to compare (other scenario,
	// seed or target, an incomplete run).
	Notes []string
	// TolerancesFrom names where tolerances other than the defaults came
	// from, e.g. a run folder's scenario.yaml; "" for none or --tolerance.
	TolerancesFrom string
}

// Regressions counts the metrics that got worse beyond their tolerance.
func (c *Comparison) Regressions() int {
	n := 0
	for _, m := range c.Metrics {
		if m.Verdict == Regressed || m.Verdict == Missing {
			n++
		}
	}
	return n
}

// Compare compares cur with base metric by metric. tolerances override the
// defaults by metric name (see ParseTolerances). A metric the base result
// lacks (e.g. end-to-end latency in a run without consumers) is left out;
// one the base has and the current lacks is Missing, a regression.
func Compare(base, cur *result.Result, tolerances map[string]Tolerance) *Comparison {
	c := &Comparison{BaseName: base.Files["result"], CurrentName: cur.Files["result"]}
	if base.Scenario != cur.Scenario {
		c.Notes = append(c.Notes, fmt.Sprintf("different scenarios: %s and %s", base.Scenario, cur.Scenario))
	}
	if base.Seed != cur.Seed {
		c.Notes = append(c.Notes, fmt.Sprintf("different seeds: %d and %d", base.Seed, cur.Seed))
	}
	if base.Target.Kind != cur.Target.Kind || base.Target.Shards != cur.Target.Shards {
		c.Notes = append(c.Notes, fmt.Sprintf("different targets: %s with %d shard(s) and %s with %d",
			base.Target.Kind, base.Target.Shards, cur.Target.Kind, cur.Target.Shards))
	}
	for _, r := range []*result.Result{base, cur} {
		if !r.Complete {
			c.Notes = append(c.Notes, fmt.Sprintf("run %s is incomplete (%s)", r.Scenario, r.StopReason))
		}
	}
	for _, cm := range comparedMetrics {
		b, okB := cm.value(base)
		v, okC := cm.value(cur)
		if !okB {
			continue
		}
		tol := cm.tolerance
		if t, ok := tolerances[cm.name]; ok {
			tol = t
		}
		m := MetricComparison{Metric: cm.name, Base: b, Current: v, HigherIsBetter: cm.higherIsBetter, Tolerance: tol}
		m.Verdict = Missing
		if okC {
			m.Verdict = judgeChange(b, v, cm.higherIsBetter, tol)
		}
		c.Metrics = append(c.Metrics, m)
	}
	return c
}

// judgeChange says whether going from base to cur is an improvement, no
// change, a change within tolerance or a regression: a change counts only
// when it exceeds both the relative and the absolute floor.
func judgeChange(base, cur float64, higherIsBetter bool, tol Tolerance) string {
	worse := cur - base
	if higherIsBetter {
		worse = base - cur
	}
	beyond := func(d float64) bool { return d > tol.Absolute && d > tol.Relative*math.Abs(base) }
	switch {
	case beyond(worse):
		return Regressed
	case beyond(-worse):
		return Improved
	case worse > 0:
		return WithinTolerance
	}
	return Unchanged
}

// ParseTolerances parses --tolerance: comma-separated METRIC=SPEC, where
// SPEC is a relative change (+10%), an absolute one in the metric's unit
// (+2), or both (+10%/2). The sign is the bad direction: + for latencies
// and ratios, - for throughput; it may be left out. A part not given keeps
// the metric's default.
func ParseTolerances(spec string) (map[string]Tolerance, error) {
	out := map[string]Tolerance{}
	if strings.TrimSpace(spec) == "" {
		return out, nil
	}
	for item := range strings.SplitSeq(spec, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return nil, fmt.Errorf("tolerance %q: write METRIC=+10%%, METRIC=+2 or METRIC=+10%%/2", item)
		}
		idx := slices.IndexFunc(comparedMetrics, func(m comparedMetric) bool { return m.name == name })
		if idx < 0 {
			return nil, fmt.Errorf("tolerance %q: unknown metric %q; use one of %s", item, name, strings.Join(CompareMetricNames(), ", "))
		}
		cm := comparedMetrics[idx]
		tol, ok := out[name]
		if !ok {
			tol = cm.tolerance
		}
		value = strings.TrimSpace(value)
		switch {
		case strings.HasPrefix(value, "+") && cm.higherIsBetter:
			return nil, fmt.Errorf("tolerance %q: %s gets worse as it falls; write %s=-%s", item, name, name, value[1:])
		case strings.HasPrefix(value, "-") && !cm.higherIsBetter:
			return nil, fmt.Errorf("tolerance %q: %s gets worse as it rises; write %s=+%s", item, name, name, value[1:])
		}
		value = strings.TrimLeft(value, "+-")
		for part := range strings.SplitSeq(value, "/") {
			pct, isPct := strings.CutSuffix(part, "%")
			n, err := strconv.ParseFloat(pct, 64)
			if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
				return nil, fmt.Errorf("tolerance %q: %q is not a percentage or a number", item, part)
			}
			if isPct {
				tol.Relative = n / 100
			} else {
				tol.Absolute = n
			}
		}
		out[name] = tol
	}
	return out, nil
}

func formatValue(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func formatChange(m MetricComparison) string {
	ch := m.Change()
	switch {
	case m.Verdict == Missing:
		return "-"
	case math.IsNaN(ch) && m.Current == 0:
		return "0"
	case math.IsNaN(ch):
		return "new"
	}
	return fmt.Sprintf("%+.1f%%", 100*ch)
}

// WriteComparison writes the comparison as a text table ("text") or
// GitHub-flavoured Markdown ("md").
func WriteComparison(w io.Writer, c *Comparison, format string) error {
	var b strings.Builder
	rows := make([][]string, 0, len(c.Metrics))
	for _, m := range c.Metrics {
		current := formatValue(round4(m.Current))
		if m.Verdict == Missing {
			current = "missing"
		}
		rows = append(rows, []string{m.Metric, formatValue(round4(m.Base)), current,
			formatChange(m), m.Tolerance.String(m.HigherIsBetter), m.Verdict})
	}
	header := []string{"metric", "base", "current", "change", "tolerance", "verdict"}
	verdict := fmt.Sprintf("%d regression(s)", c.Regressions())
	if c.Regressions() == 0 {
		verdict = "no regression"
	}
	switch format {
	case "md", "markdown":
		fmt.Fprintf(&b, "## kinesim compare: %s\n\n", verdict)
		fmt.Fprintf(&b, "base `%s`, current `%s`\n\n", c.BaseName, c.CurrentName)
		if c.TolerancesFrom != "" {
			fmt.Fprintf(&b, "tolerances from `%s`\n\n", c.TolerancesFrom)
		}
		for _, n := range c.Notes {
			fmt.Fprintf(&b, "> note: %s\n", n)
		}
		if len(c.Notes) > 0 {
			b.WriteString("\n")
		}
		b.WriteString("| " + strings.Join(header, " | ") + " |\n|---|--:|--:|--:|--:|---|\n")
		for _, row := range rows {
			if row[5] == Regressed || row[5] == Missing {
				row[5] = "❌ " + row[5]
			}
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
	case "", "text":
		fmt.Fprintf(&b, "kinesim compare: %s\nbase     %s\ncurrent  %s\n", verdict, c.BaseName, c.CurrentName)
		if c.TolerancesFrom != "" {
			fmt.Fprintf(&b, "tolerances from %s\n", c.TolerancesFrom)
		}
		for _, n := range c.Notes {
			fmt.Fprintf(&b, "note     %s\n", n)
		}
		var table strings.Builder
		tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for line := range strings.Lines(table.String()) {
			b.WriteString(strings.TrimRight(line, " \n") + "\n")
		}
	default:
		return fmt.Errorf("format %q: use text or md", format)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
