package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
)

// SummaryOption changes what a summary shows.
type SummaryOption func(*summaryOptions)

type summaryOptions struct{ full bool }

// Full adds the producers, the latency distribution and the per-second
// series (condensed to at most 30 rows) to a summary. Default: compact.
func Full() SummaryOption { return func(o *summaryOptions) { o.full = true } }

// SummaryMode returns the options for a --summary flag value: "compact"
// (the default) or "full".
func SummaryMode(mode string) ([]SummaryOption, error) {
	switch mode {
	case "", "compact":
		return nil, nil
	case "full":
		return []SummaryOption{Full()}, nil
	}
	return nil, fmt.Errorf("summary %q: use compact or full", mode)
}

func newSummaryOptions(opts []SummaryOption) summaryOptions {
	var o summaryOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WriteSummary prints the terminal summary of a result: compact by default,
// with Full the producers, the latency distribution and the series too.
// Thresholds are always listed, failed ones with by how much they missed.
func WriteSummary(w io.Writer, r *result.Result, opts ...SummaryOption) error {
	o := newSummaryOptions(opts)
	var b strings.Builder
	state := "complete"
	if !r.Complete {
		state = "INCOMPLETE: " + r.StopReason
	}
	if allDeadLettered(r) {
		state += fmt.Sprintf(", but NOTHING WAS WRITTEN: all %s records sent were dead-lettered", thousands(r.Totals.RecordsDeadLettered))
	}
	fmt.Fprintf(&b, "kinesim run %s: %s\n", r.Scenario, state)
	t := r.Target
	fmt.Fprintf(&b, "target     %s stream %q, %s", t.Kind, t.Stream, streamShape(t))
	if t.Endpoint != "" {
		fmt.Fprintf(&b, " at %s", t.Endpoint)
	}
	if note := existingNote(t); note != "" {
		fmt.Fprintf(&b, "; %s", note)
	}
	fmt.Fprintf(&b, "; seed %d; ran %s of %s\n",
		r.Seed, roundSeconds(r.ElapsedS), roundSeconds(r.PlannedDurationS))
	tot := r.Totals
	fmt.Fprintf(&b, "records    scheduled %s  sent %s  acknowledged %s  dead-lettered %s",
		thousands(tot.RecordsScheduled), thousands(tot.RecordsSent),
		thousands(tot.RecordsAcknowledged), thousands(tot.RecordsDeadLettered))
	if tot.RecordsUnfinished > 0 {
		fmt.Fprintf(&b, "  unfinished %s", thousands(tot.RecordsUnfinished))
	}
	if tot.RecordsUnsent > 0 {
		fmt.Fprintf(&b, "  unsent (schedule not met by the end) %s", thousands(tot.RecordsUnsent))
	}
	b.WriteByte('\n')
	fmt.Fprintf(&b, "attempts   %s (%s retries)  throttled %s (%.2f%%)  failed %s  calls %s (%s failed)\n",
		thousands(tot.PutAttempts), thousands(tot.RecordsRetried), thousands(tot.RecordsThrottled),
		100*r.ThrottledRatio, thousands(tot.RecordsFailed), thousands(tot.PutCalls), thousands(tot.PutCallErrors))
	tp := r.Throughput
	fmt.Fprintf(&b, "throughput %s records/s mean, %s peak second, %.2f MiB/s\n",
		thousands(int64(tp.RecordsAcknowledgedPerS+0.5)), thousands(tp.PeakRecordsAcknowledgedPerS),
		tp.BytesAcknowledgedPerS/(1<<20))
	if line := kinesisRecordsLine(r); line != "" {
		fmt.Fprintf(&b, "kinesis    %s\n", line)
	}
	if r.Clock == "virtual" {
		b.WriteString("latency (ms), simulated in virtual time by the emulated stream's service-latency model, from the intended send time:\n")
	} else {
		b.WriteString("latency (ms), measured from the intended send time:\n")
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\t\tp50\tp90\tp99\tp99.9\tmax\tcount\t")
	for _, m := range compactMetrics(r) {
		p := r.LatencyMs[m.Name()]
		fmt.Fprintf(tw, "\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", m.Name(),
			ms(p.P50), ms(p.P90), ms(p.P99), ms(p.P999), ms(p.Max), thousands(p.Count))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if o.full {
		if err := writeFullText(&b, r); err != nil {
			return err
		}
	}
	if err := writeThresholdsText(&b, r.Thresholds); err != nil {
		return err
	}
	if err := WriteVerification(&b, r.Verification); err != nil {
		return err
	}
	if err := WritePipelines(&b, r.Pipelines); err != nil {
		return err
	}
	if err := WriteChaos(&b, r.Chaos); err != nil {
		return err
	}
	if dir := r.Files["result"]; dir != "" {
		fmt.Fprintf(&b, "result     %s\n", dir)
	}
	if dl := r.Files["dead_letters"]; dl != "" && tot.RecordsDeadLettered > 0 {
		fmt.Fprintf(&b, "dead letters %s\n", dl)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// allDeadLettered reports whether records were dead-lettered and none
// acknowledged: a run that wrote nothing, however it ended.
func allDeadLettered(r *result.Result) bool {
	return r.Totals.RecordsDeadLettered > 0 && r.Totals.RecordsAcknowledged == 0
}

func ms(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func roundSeconds(s float64) string {
	return (time.Duration(s*float64(time.Second)) / (100 * time.Millisecond) * (100 * time.Millisecond)).String()
}

// thousands formats n with comma separators: 1234567 → "1,234,567".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// compactMetrics are the latencies of the compact summary: the producers',
// and end-to-end latency (intended send to a consumer's receipt) when the
// run had consumers.
func compactMetrics(r *result.Result) []metrics.Metric {
	ms := metrics.ProducerMetrics()
	if r.LatencyMs[metrics.EndToEndLatency.Name()].Count > 0 {
		ms = append(ms, metrics.EndToEndLatency)
	}
	return ms
}

// Thousands formats n with comma separators (1234567 → "1,234,567"), as
// every report kinesim prints writes its counts.
func Thousands(n int64) string { return thousands(n) }

// streamShape says how the stream was sized: its shard count, or on-demand
// (which sizes itself: a shard count of 0 means nothing there).
func streamShape(t result.TargetInfo) string {
	if t.Mode == scenarios.TargetModeOnDemand {
		return "on-demand"
	}
	return fmt.Sprintf("%d shard(s)", t.Shards)
}

// existingNote says which streams the run found in place and used as they
// were ("" when it created them all): their earlier records, if any, are
// read too, and the run leaves them in place.
func existingNote(t result.TargetInfo) string {
	switch {
	case len(t.ExistingStreams) == 0:
		return ""
	case len(t.ExistingStreams) == 1 && t.ExistingStreams[0] == t.Stream:
		return "the stream was already there: used as it was, not created or deleted"
	}
	return fmt.Sprintf("streams already there, used as they were (not created or deleted): %s", strings.Join(t.ExistingStreams, ", "))
}

// kinesisRecordsLine describes the Kinesis records that carried the user
// records when KPL aggregation packed them ("" when each user record was
// its own Kinesis record): the records the shard limits counted.
func kinesisRecordsLine(r *result.Result) string {
	tot := r.Totals
	if tot.KinesisRecordsAcknowledged == 0 || tot.KinesisRecordsAcknowledged == tot.RecordsAcknowledged {
		return ""
	}
	line := fmt.Sprintf("%s records acknowledged (KPL aggregates, %.1f user records each), %s records/s mean, %.2f MiB/s",
		thousands(tot.KinesisRecordsAcknowledged), float64(tot.RecordsAcknowledged)/float64(tot.KinesisRecordsAcknowledged),
		thousands(int64(r.Throughput.KinesisRecordsAcknowledgedPerS+0.5)), r.Throughput.KinesisBytesAcknowledgedPerS/(1<<20))
	if tot.RecordsWrongShard > 0 {
		line += fmt.Sprintf("; %s user records put again after landing on another shard than predicted", thousands(tot.RecordsWrongShard))
	}
	return line
}
