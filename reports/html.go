package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"strings"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
)

// HTMLReportFile is the HTML report's name in a run folder.
const HTMLReportFile = "report.html"

// The chart library is uPlot (MIT, assets/uPlot.LICENSE), pinned and
// refreshed by assets/update.sh; it is inlined so report.html opens offline.
var (
	//go:embed assets/uPlot.iife.min.js
	uplotJS string
	//go:embed assets/uPlot.min.css
	uplotCSS string
	//go:embed report.html.tmpl
	reportTemplateText string

	reportTemplate = template.Must(template.New("report").Parse(reportTemplateText))
)

// htmlData is what report.html.tmpl shows; the charts' columns go to the
// page's script as JSON (Data).
type htmlData struct {
	R            *result.Result
	CSS          template.CSS
	JS           template.JS
	Verdict      string
	VerdictClass string
	Target, Ran  string
	Records      string
	Attempts     string
	Throughput   string

	ThresholdCounts string
	Thresholds      []htmlThreshold
	Latency         []htmlLatency
	Pipelines       []htmlPipeline
	Data            chartData
}

type htmlThreshold struct{ Mark, Class, Metric, Expression, Actual, Excess string }

type htmlLatency struct {
	Name                           string
	P50, P90, P99, P999, Max, Mean string
	Count                          string
}

// chartData holds uPlot's columns: one x array and one y array per line,
// null where a line has no value.
type chartData struct {
	Seconds          []int        `json:"seconds"`
	ThroughputLabels []string     `json:"throughputLabels"`
	Throughput       [][]int64    `json:"throughput"`
	LatencyLabels    []string     `json:"latencyLabels"`
	Latency          [][]*float64 `json:"latency"`
	// DistX is 100/(100-percentile): 1 at p0, 100 at p99, 1e5 at p99.999,
	// so a log axis spreads the tail.
	DistX      []float64    `json:"distX"`
	DistLabels []string     `json:"distLabels"`
	Dist       [][]*float64 `json:"dist"`

	// Heat map of per-shard load: HeatX are the starts (seconds) of
	// columns HeatBucketS seconds wide; Heat[shard][column] is the shard's
	// busiest second in that column as a share of its write limit (records
	// or bytes, whichever is nearer), 1 = at the limit.
	HeatX       []int       `json:"heatX"`
	HeatBucketS int         `json:"heatBucketS"`
	HeatShards  []string    `json:"heatShards"`
	Heat        [][]float64 `json:"heat"`
	// HeatThrottles[shard][column] are the record attempts the shard
	// throttled in that column; HeatPeak is true when each cell is the
	// busiest second (from series.jsonl), false when it is the mean of its
	// seconds (only result.json's downsampled arrays were at hand).
	HeatThrottles [][]int64 `json:"heatThrottles"`
	HeatPeak      bool      `json:"heatPeak"`
	// Backlog is acknowledged minus consumed records (per consumer) after
	// each point; IteratorAge the largest MillisBehindLatest in it, nil
	// when it was zero all run long (IteratorAgeZero).
	Backlog         []int64    `json:"backlog"`
	IteratorAge     []*float64 `json:"iteratorAge"`
	IteratorAgeZero bool       `json:"iteratorAgeZero"`
	// BucketS is how many seconds each time-chart point covers; counts
	// are shown per second (their mean over the point).
	BucketS int `json:"bucketS"`
	// Faults are the chaos windows to shade on the time charts.
	Faults []chartFault `json:"faults"`
}

// chartFault is one fault window, seconds from the run's start.
type chartFault struct {
	At    float64 `json:"at"`
	For   float64 `json:"for"`
	Label string  `json:"label"`
}

// maxHeatColumns bounds the heat map's width: a long run's seconds are
// grouped into columns of several seconds, each showing its busiest second.
const maxHeatColumns = 240

// HTMLOption changes what WriteHTML reads besides the result.
type HTMLOption func(*htmlOptions)

type htmlOptions struct{ seriesFile string }

// WithSeriesFile makes WriteHTML read the run's full-resolution series
// (result.SeriesFile) at path for the per-shard heat map, so each cell
// shows its busiest second even where result.json has only bucket sums.
// A path that does not exist is ignored.
func WithSeriesFile(path string) HTMLOption {
	return func(o *htmlOptions) { o.seriesFile = path }
}

// WriteHTML writes report.html: one self-contained page (no network needed)
// with the run's facts, thresholds, throughput and latency over time, and
// the latency percentile distribution. Sections without data are left out.
func WriteHTML(w io.Writer, r *result.Result, opts ...HTMLOption) error {
	var o htmlOptions
	for _, opt := range opts {
		opt(&o)
	}
	data, err := newChartData(r, o)
	if err != nil {
		return err
	}
	d := htmlData{
		R: r, CSS: template.CSS(uplotCSS), JS: template.JS(uplotJS),
		Data: data,
	}
	switch {
	case !r.Complete:
		d.Verdict, d.VerdictClass = "incomplete: "+r.StopReason, "warn"
	case r.ThresholdsFailed() > 0:
		d.Verdict, d.VerdictClass = fmt.Sprintf("%d threshold(s) failed", r.ThresholdsFailed()), "fail"
	case PipelinesFailed(r.Pipelines) > 0:
		d.Verdict, d.VerdictClass = fmt.Sprintf("%d pipeline(s) failed", PipelinesFailed(r.Pipelines)), "fail"
	default:
		d.Verdict, d.VerdictClass = "passed", "pass"
	}
	t := r.Target
	d.Target = strings.TrimSpace(fmt.Sprintf("%s stream %q, %s %s", t.Kind, t.Stream, streamShape(t), t.Endpoint))
	d.Ran = roundSeconds(r.ElapsedS) + " of " + roundSeconds(r.PlannedDurationS)
	tot, tp := r.Totals, r.Throughput
	d.Records = fmt.Sprintf("scheduled %s, sent %s, acknowledged %s, dead-lettered %s, unfinished %s",
		thousands(tot.RecordsScheduled), thousands(tot.RecordsSent), thousands(tot.RecordsAcknowledged),
		thousands(tot.RecordsDeadLettered), thousands(tot.RecordsUnfinished))
	d.Attempts = fmt.Sprintf("%s (%s retries), throttled %s (%.2f%%), failed %s; %s PutRecords calls (%s failed)",
		thousands(tot.PutAttempts), thousands(tot.RecordsRetried), thousands(tot.RecordsThrottled),
		100*r.ThrottledRatio, thousands(tot.RecordsFailed), thousands(tot.PutCalls), thousands(tot.PutCallErrors))
	d.Throughput = fmt.Sprintf("%s records/s mean, %s peak second, %.2f MiB/s",
		thousands(int64(tp.RecordsAcknowledgedPerS+0.5)), thousands(tp.PeakRecordsAcknowledgedPerS),
		tp.BytesAcknowledgedPerS/(1<<20))
	if line := kinesisRecordsLine(r); line != "" {
		d.Throughput += "; Kinesis records: " + line
	}
	if len(r.Thresholds) > 0 {
		d.ThresholdCounts = thresholdCounts(r.Thresholds)
	}
	for _, th := range r.Thresholds {
		class := map[string]string{"ok": "pass", "FAIL": "fail", "SKIP": "warn"}[thresholdVerdict(th)]
		d.Thresholds = append(d.Thresholds, htmlThreshold{Mark: thresholdVerdict(th), Class: class, Metric: th.Metric,
			Expression: th.Expression, Actual: actualText(th), Excess: th.Excess()})
	}
	for _, m := range reportedMetrics(r) {
		p := r.LatencyMs[m.Name()]
		d.Latency = append(d.Latency, htmlLatency{Name: m.Name(), P50: ms(p.P50), P90: ms(p.P90), P99: ms(p.P99),
			P999: ms(p.P999), Max: ms(p.Max), Mean: ms(p.Mean), Count: thousands(p.Count)})
	}
	d.Pipelines = htmlPipelines(r.Pipelines)
	var b strings.Builder
	if err := reportTemplate.Execute(&b, d); err != nil {
		return fmt.Errorf("render report.html: %w", err)
	}
	_, err = io.WriteString(w, b.String())
	return err
}

func newChartData(r *result.Result, o htmlOptions) (chartData, error) {
	c := chartData{BucketS: max(r.SeriesBucketS, 1)}
	type line struct {
		label string
		value func(result.SeriesPoint) int64
		shown bool
	}
	lines := []line{
		{"scheduled", func(p result.SeriesPoint) int64 { return p.RecordsScheduled }, true},
		{"sent", func(p result.SeriesPoint) int64 { return p.RecordsSent }, true},
		{"acknowledged", func(p result.SeriesPoint) int64 { return p.RecordsAcknowledged }, true},
		{"throttled", func(p result.SeriesPoint) int64 { return p.RecordsThrottled }, false},
		{"failed", func(p result.SeriesPoint) int64 { return p.RecordsFailed }, false},
		{"dead-lettered", func(p result.SeriesPoint) int64 { return p.RecordsDeadLettered }, false},
		{"dropped", func(p result.SeriesPoint) int64 { return p.RecordsDropped }, false},
		{"consumed", func(p result.SeriesPoint) int64 { return p.RecordsConsumed }, false},
	}
	// Lines that are zero all run long are left out, except the first three.
	for i := range lines {
		for _, p := range r.Series {
			if lines[i].value(p) != 0 {
				lines[i].shown = true
				break
			}
		}
	}
	for _, l := range lines {
		if !l.shown {
			continue
		}
		col := make([]int64, len(r.Series))
		for i, p := range r.Series {
			col[i] = perSecond(l.value(p), p.Span())
		}
		c.ThroughputLabels = append(c.ThroughputLabels, l.label)
		c.Throughput = append(c.Throughput, col)
	}
	latencyLines := []struct {
		label string
		value func(result.SeriesPoint) (float64, int64)
	}{
		{"record p50", func(p result.SeriesPoint) (float64, int64) { return p.RecordLatencyMs.P50, p.RecordLatencyMs.Count }},
		{"record p90", func(p result.SeriesPoint) (float64, int64) { return p.RecordLatencyMs.P90, p.RecordLatencyMs.Count }},
		{"record p99", func(p result.SeriesPoint) (float64, int64) { return p.RecordLatencyMs.P99, p.RecordLatencyMs.Count }},
		{"record max", func(p result.SeriesPoint) (float64, int64) { return p.RecordLatencyMs.Max, p.RecordLatencyMs.Count }},
		{"send delay p99", func(p result.SeriesPoint) (float64, int64) { return p.SendDelayMs.P99, p.SendDelayMs.Count }},
	}
	for _, l := range latencyLines {
		col := make([]*float64, len(r.Series))
		for i, p := range r.Series {
			if v, n := l.value(p); n > 0 {
				col[i] = &v
			}
		}
		c.LatencyLabels = append(c.LatencyLabels, l.label)
		c.Latency = append(c.Latency, col)
	}
	for _, p := range r.Series {
		c.Seconds = append(c.Seconds, p.Second)
	}
	for _, q := range result.DistributionPercentiles {
		if q < 100 {
			c.DistX = append(c.DistX, 100/(100-q))
		}
	}
	for _, m := range reportedMetrics(r) {
		dist, ok := r.LatencyDistributionMs[m.Name()]
		if !ok {
			continue
		}
		col := make([]*float64, len(c.DistX))
		for _, qv := range dist {
			if qv.Percentile >= 100 || qv.ValueMs <= 0 {
				continue // the log axis has no place for p100 or 0
			}
			for i, x := range c.DistX {
				if x == 100/(100-qv.Percentile) {
					v := qv.ValueMs
					col[i] = &v
				}
			}
		}
		c.DistLabels = append(c.DistLabels, m.Name())
		c.Dist = append(c.Dist, col)
	}
	if len(c.Dist) == 0 {
		c.DistX = nil
	}
	if err := addShardHeat(&c, r, o.seriesFile); err != nil {
		return c, err
	}
	addBacklog(&c, r)
	for _, f := range r.Chaos {
		if f.Error == "" {
			c.Faults = append(c.Faults, chartFault{At: f.AtS, For: f.ForS, Label: f.Description})
		}
	}
	return c, nil
}

// perSecond is a point's count per second: its mean over the point's seconds.
func perSecond(n int64, seconds int) int64 {
	if seconds <= 1 {
		return n
	}
	return (n + int64(seconds)/2) / int64(seconds)
}

// addShardHeat fills the per-shard heat map and its throttles: from the
// full-resolution series file when there is one (each cell its busiest
// second), else from r.Shards' arrays (each cell the mean of its seconds).
func addShardHeat(c *chartData, r *result.Result, seriesFile string) error {
	bucketS := max(r.ShardsBucketS, 1)
	seconds := 0
	for _, s := range r.Shards {
		seconds = max(seconds, len(s.RecordsPerS)*bucketS)
	}
	if seconds == 0 {
		return nil
	}
	bucket := (seconds + maxHeatColumns - 1) / maxHeatColumns
	bucket = (bucket + bucketS - 1) / bucketS * bucketS // whole points of the arrays
	c.HeatBucketS = bucket
	for x := 0; x < seconds; x += bucket {
		c.HeatX = append(c.HeatX, x)
	}
	rows := map[string]int{}
	for i, s := range r.Shards {
		rows[s.ShardID] = i
		c.HeatShards = append(c.HeatShards, s.ShardID)
		c.Heat = append(c.Heat, make([]float64, len(c.HeatX)))
		c.HeatThrottles = append(c.HeatThrottles, make([]int64, len(c.HeatX)))
	}
	cell := func(id string, sec int, records, bytes float64, throttled int64) {
		row, ok := rows[id]
		col := sec / bucket
		if !ok || col >= len(c.HeatX) {
			return
		}
		load := max(records/metrics.ShardRecordsPerSLimit, bytes/metrics.ShardBytesPerSLimit)
		c.Heat[row][col] = max(c.Heat[row][col], math.Round(load*1000)/1000)
		c.HeatThrottles[row][col] += throttled
	}
	if seriesFile != "" {
		if _, err := os.Stat(seriesFile); err == nil {
			c.HeatPeak = true
			_, err := result.ReadSeriesFile(seriesFile, func(l result.SecondLine) error {
				for _, s := range l.Shards {
					cell(s.ShardID, l.Second, float64(s.RecordsAcknowledged), float64(s.BytesAcknowledged), s.RecordsThrottled)
				}
				return nil
			})
			return err
		}
	}
	c.HeatPeak = bucketS == 1
	for _, s := range r.Shards {
		for i, n := range s.RecordsPerS {
			var bytes, throttled int64
			if i < len(s.BytesPerS) {
				bytes = s.BytesPerS[i]
			}
			if i < len(s.RecordsThrottledPerS) {
				throttled = s.RecordsThrottledPerS[i]
			}
			cell(s.ShardID, i*bucketS, float64(n)/float64(bucketS), float64(bytes)/float64(bucketS), throttled)
		}
	}
	return nil
}

// addBacklog fills the backlog and iterator age lines when the run had
// consumers, measuring backlog as the chaos damage report does.
func addBacklog(c *chartData, r *result.Result) {
	consumers := int64(1)
	if r.Verification != nil {
		consumers = int64(max(len(r.Verification.Consumers), 1))
	}
	var acked, consumed int64
	hasConsumers := r.Totals.RecordsConsumed > 0 || r.Totals.GetRecordsCalls > 0
	for _, p := range r.Series {
		hasConsumers = hasConsumers || p.RecordsConsumed > 0 || p.IteratorAgeMs != nil
	}
	if !hasConsumers {
		return
	}
	c.IteratorAgeZero = true
	for _, p := range r.Series {
		acked += p.RecordsAcknowledged
		consumed += p.RecordsConsumed
		c.Backlog = append(c.Backlog, max(acked-consumed/consumers, 0))
		c.IteratorAge = append(c.IteratorAge, p.IteratorAgeMs)
		if p.IteratorAgeMs != nil && *p.IteratorAgeMs != 0 {
			c.IteratorAgeZero = false
		}
	}
	if c.IteratorAgeZero {
		// A line flat on the floor with an empty axis says nothing: the
		// page says in words that the consumers were never behind.
		c.IteratorAge = nil
	}
}
