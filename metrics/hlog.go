package metrics

import (
	"errors"
	"fmt"
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
// put_records, send_delay, and the consumers' end_to_end, ...) that had
// samples in it. Values are
// microseconds; timestamps are seconds since the run's start (#[StartTime]
// and #[BaseTime] give the start). The Interval_Max column is the writer's
// max/1e6, so it reads in seconds. It goes to a spool: memory until the run
// attaches the file.
type intervalLog struct {
	sp *spool
	w  *hdrhistogram.HistogramLogWriter
}

func newIntervalLog(start time.Time) *intervalLog {
	l := &intervalLog{sp: newSpool("interval log")}
	l.w = hdrhistogram.NewHistogramLogWriter(l.sp)
	startMs := start.UnixMilli()
	l.w.SetBaseTime(startMs)
	names := make([]string, 0, numMetrics)
	for m := range numMetrics {
		names = append(names, m.Name())
	}
	// Writes to memory cannot fail.
	_ = errors.Join(
		l.w.OutputLogFormatVersion(),
		l.w.OutputComment("[kinesim latency log: values in microseconds, one interval per second, tags "+strings.Join(names, ", ")+"]"),
		l.w.OutputStartTime(startMs),
		l.w.OutputBaseTime(startMs),
		l.w.OutputLegend(),
	)
	return l
}

// AttachIntervalLog creates path and writes the interval log to it: the
// intervals closed so far, then every one the recorder closes, until
// CloseIntervalLog. Write errors are kept and returned by
// CloseIntervalLog; they never stop the run. Without it the log is kept in
// memory (for Finish's downsampled series).
func (r *Recorder) AttachIntervalLog(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.sp.attach(path)
}

// CloseIntervalLog ends the series at end as Finish does (when Finish has
// not already) and closes latency.hlog and series.jsonl. It returns the
// first error met while writing them.
func (r *Recorder) CloseIntervalLog(end time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endSeries(end)
	return errors.Join(r.log.sp.close(), r.seconds.sp.close())
}

// write logs one interval's histograms, one line per metric with samples.
// An empty interval is left out (HdrHistogram's tools read a missing
// interval as an empty one): encoding a histogram costs about as much
// with samples as without, and most runs leave several metrics empty.
func (l *intervalLog) write(hists []*hdrhistogram.Histogram, from, to time.Time) {
	if l.sp.err != nil {
		return
	}
	for m := range numMetrics {
		h := hists[m]
		if h.TotalCount() == 0 {
			continue
		}
		h.SetTag(m.Name())
		h.SetStartTimeMs(from.UnixMilli())
		h.SetEndTimeMs(to.UnixMilli())
		if err := l.w.OutputIntervalHistogram(h); err != nil {
			if l.sp.err == nil {
				l.sp.err = fmt.Errorf("interval log: %w", err)
			}
			return
		}
	}
}
