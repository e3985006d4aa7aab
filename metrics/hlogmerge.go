package metrics

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kinesim/kinesim/result"
)

// LatencySecond is one second of several runs' interval logs merged: each
// metric's histogram of that second, bucket by bucket.
type LatencySecond struct {
	// Second counts from the merge's start.
	Second int
	// Histograms are by Metric; a metric no log had that second is empty.
	Histograms [numMetrics]*hdrhistogram.Histogram
}

// Percentiles of the second's histogram of m.
func (s *LatencySecond) Percentiles(m Metric) result.Percentiles {
	return percentilesOf(s.Histograms[m])
}

// LatencyMerge merges the interval logs (latency.hlog) of runs that ran
// side by side, the segments of a split run: histograms of the same metric
// and the same absolute second are added bucket by bucket, never averaged
// as percentiles, so the merged percentiles are those of one histogram
// holding every value. It reads the logs in step, a second at a time, so
// its memory does not grow with the runs' length. Not safe for concurrent use.
type LatencyMerge struct {
	start time.Time
	whole [numMetrics]*hdrhistogram.Histogram
	logs  []*logCursor
}

// NewLatencyMerge merges the logs read from readers, with seconds counted
// from start (the earliest segment's start).
func NewLatencyMerge(start time.Time, readers ...io.Reader) *LatencyMerge {
	m := &LatencyMerge{start: start}
	for i := range m.whole {
		m.whole[i] = newHistogram()
	}
	for _, r := range readers {
		m.logs = append(m.logs, &logCursor{r: hdrhistogram.NewHistogramLogReader(bufio.NewReaderSize(r, 1<<16)), start: start})
	}
	return m
}

// ErrUnknownTag is wrapped by Seconds' error for an interval whose tag
// names no kinesim metric: a log kinesim did not write.
var ErrUnknownTag = errors.New("interval tag is not a kinesim latency metric")

// Seconds calls each with every second any log holds, in order; the
// LatencySecond is reused after each returns. A log cut short (a segment
// killed mid-write) ends at its last whole interval.
func (m *LatencyMerge) Seconds(each func(*LatencySecond) error) error {
	sec := &LatencySecond{}
	for i := range sec.Histograms {
		sec.Histograms[i] = newHistogram()
	}
	for {
		next, ok, err := m.nextSecond()
		if err != nil || !ok {
			return err
		}
		for _, h := range sec.Histograms {
			if h.TotalCount() > 0 {
				h.Reset()
			}
		}
		sec.Second = next
		for _, l := range m.logs {
			for l.pending != nil && l.second == next {
				if l.pending.TotalCount() > 0 { // most seconds leave some metrics empty
					sec.Histograms[l.metric].Merge(l.pending)
				}
				if err := l.advance(); err != nil {
					return err
				}
			}
		}
		for metric, h := range sec.Histograms {
			if h.TotalCount() > 0 {
				m.whole[metric].Merge(h)
			}
		}
		if err := each(sec); err != nil {
			return err
		}
	}
}

// nextSecond is the earliest second a log still holds.
func (m *LatencyMerge) nextSecond() (int, bool, error) {
	next, ok := 0, false
	for _, l := range m.logs {
		if !l.started {
			if err := l.advance(); err != nil {
				return 0, false, err
			}
			l.started = true
		}
		if l.pending != nil && (!ok || l.second < next) {
			next, ok = l.second, true
		}
	}
	return next, ok, nil
}

// Whole is metric's histogram over every second Seconds has read.
func (m *LatencyMerge) Whole(metric Metric) *hdrhistogram.Histogram { return m.whole[metric] }

// Percentiles and Distribution are the whole merged run's, as a single
// run's result.json has them; call them after Seconds.
func (m *LatencyMerge) Percentiles() map[string]result.Percentiles {
	out := map[string]result.Percentiles{}
	for metric := range numMetrics {
		if m.whole[metric].TotalCount() > 0 {
			out[metric.Name()] = percentilesOf(m.whole[metric])
		}
	}
	return out
}

// Distribution is each metric's whole-run percentile curve.
func (m *LatencyMerge) Distribution() map[string][]result.QuantileValue {
	out := map[string][]result.QuantileValue{}
	for metric := range numMetrics {
		if m.whole[metric].TotalCount() > 0 {
			out[metric.Name()] = distributionOf(m.whole[metric])
		}
	}
	return out
}

// logCursor reads one interval log ahead by one interval.
type logCursor struct {
	r       *hdrhistogram.HistogramLogReader
	start   time.Time
	started bool
	pending *hdrhistogram.Histogram // nil at the log's end
	metric  Metric
	second  int
}

func (l *logCursor) advance() error {
	h, err := l.r.NextIntervalHistogram()
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			h = nil // cut short: keep what was whole
		} else {
			return fmt.Errorf("interval log: %w", err)
		}
	}
	l.pending = h
	if h == nil {
		return nil
	}
	metric, ok := metricNamed(h.Tag())
	if !ok {
		return fmt.Errorf("interval log: %q: %w", h.Tag(), ErrUnknownTag)
	}
	l.metric = metric
	// The log keeps milliseconds as decimal seconds, which the reader
	// turns back through a float: allow it a millisecond of rounding.
	l.second = int((h.StartTimeMs() - l.start.UnixMilli() + 1) / 1000)
	return nil
}

func metricNamed(name string) (Metric, bool) {
	for m := range numMetrics {
		if m.Name() == name {
			return m, true
		}
	}
	return 0, false
}

// IntervalLogWriter writes a latency.hlog of merged seconds.
type IntervalLogWriter struct {
	buf   *bufio.Writer
	w     *hdrhistogram.HistogramLogWriter
	start time.Time
	err   error
}

// NewIntervalLogWriter starts an interval log in the format the recorder
// writes (AttachIntervalLog), seconds counted from start.
func NewIntervalLogWriter(w io.Writer, start time.Time) *IntervalLogWriter {
	l := &IntervalLogWriter{buf: bufio.NewWriter(w), start: start}
	l.w = hdrhistogram.NewHistogramLogWriter(l.buf)
	startMs := start.UnixMilli()
	l.w.SetBaseTime(startMs)
	l.err = errors.Join(
		l.w.OutputLogFormatVersion(),
		l.w.OutputComment("[kinesim latency log, merged from the segments of a split run: values in microseconds, one interval per second]"),
		l.w.OutputStartTime(startMs),
		l.w.OutputBaseTime(startMs),
		l.w.OutputLegend(),
	)
	return l
}

// Write logs the second's histograms, one tagged interval per metric.
func (l *IntervalLogWriter) Write(s *LatencySecond) {
	if l.err != nil {
		return
	}
	from := l.start.Add(time.Duration(s.Second) * time.Second)
	for m := range numMetrics {
		h := s.Histograms[m]
		h.SetTag(m.Name())
		h.SetStartTimeMs(from.UnixMilli())
		h.SetEndTimeMs(from.Add(time.Second).UnixMilli())
		if err := l.w.OutputIntervalHistogram(h); err != nil {
			l.err = fmt.Errorf("interval log: %w", err)
			return
		}
	}
}

// Close flushes the log and returns the first error met.
func (l *IntervalLogWriter) Close() error { return errors.Join(l.err, l.buf.Flush()) }
