package metrics

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// IntervalLogFile is the HdrHistogram interval log's name in a run folder.
const IntervalLogFile = "latency.hlog"

// intervalLog writes latency.hlog: HdrHistogram's interval log format
// (version 1.3), which HdrHistogram's HistogramLogProcessor and
// hdrhistogram-go's HistogramLogReader read. Each second of the run gets one
// line per latency metric, tagged with the metric's name (record,
// put_records, send_delay, and the consumers' end_to_end, ...). Values are microseconds; timestamps are seconds
// since the run's start (#[StartTime] and #[BaseTime] give the start). The
// Interval_Max column is the writer's max/1e6, so it reads in seconds.
type intervalLog struct {
	f   *os.File
	buf *bufio.Writer
	w   *hdrhistogram.HistogramLogWriter
	err error
}

// AttachIntervalLog creates path and writes every interval the recorder
// closes from now on to it, until CloseIntervalLog. Write errors are kept
// and returned by CloseIntervalLog; they never stop the run.
func (r *Recorder) AttachIntervalLog(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("interval log: %w", err)
	}
	l := &intervalLog{f: f, buf: bufio.NewWriter(f)}
	l.w = hdrhistogram.NewHistogramLogWriter(l.buf)
	startMs := r.start.UnixMilli()
	l.w.SetBaseTime(startMs)
	names := make([]string, 0, numMetrics)
	for m := range numMetrics {
		names = append(names, m.Name())
	}
	l.err = errors.Join(
		l.w.OutputLogFormatVersion(),
		l.w.OutputComment("[kinesim latency log: values in microseconds, one interval per second, tags "+strings.Join(names, ", ")+"]"),
		l.w.OutputStartTime(startMs),
		l.w.OutputBaseTime(startMs),
		l.w.OutputLegend(),
	)
	r.mu.Lock()
	r.log = l
	r.mu.Unlock()
	return nil
}

// CloseIntervalLog closes the seconds up to end, writes the last partial
// second when anything was recorded in it, and closes the file. It returns
// the first error met while writing. Without an attached log it does nothing.
func (r *Recorder) CloseIntervalLog(end time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.log
	if l == nil {
		return nil
	}
	endSec := int(end.Sub(r.start) / time.Second)
	for r.current.Second < endSec {
		r.closeInterval()
	}
	var partial int64
	for _, h := range r.interval {
		partial += h.TotalCount()
	}
	if partial > 0 {
		l.write(r.interval[:], r.start.Add(time.Duration(r.current.Second)*time.Second), end)
	}
	r.log = nil
	return errors.Join(l.err, l.buf.Flush(), l.f.Close())
}

// write logs one interval's histograms, every metric, empty ones included,
// so each tag has one interval per second.
func (l *intervalLog) write(hists []*hdrhistogram.Histogram, from, to time.Time) {
	if l.err != nil {
		return
	}
	for m := range numMetrics {
		h := hists[m]
		h.SetTag(m.Name())
		h.SetStartTimeMs(from.UnixMilli())
		h.SetEndTimeMs(to.UnixMilli())
		if err := l.w.OutputIntervalHistogram(h); err != nil {
			l.err = fmt.Errorf("interval log: %w", err)
			return
		}
	}
}
