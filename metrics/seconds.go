package metrics

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/kinesim/kinesim/result"
)

// OpenSeconds is how many of the latest seconds stay open for counts that
// arrive late (a producer adds a second's scheduled records when it moves
// on to the next second; an acknowledgement from another goroutine may
// close that second first). A second leaves the window for series.jsonl
// when OpenSeconds later seconds have begun; a count for a second already
// written goes to the oldest open one. The window bounds the recorder's
// memory: it holds OpenSeconds seconds, never the whole run.
const OpenSeconds = 60

// openSecond is one second still taking counts.
type openSecond struct {
	line       result.SecondLine
	shardIndex map[string]int
	consumers  map[string]*result.ConsumerSecond
}

func newOpenSecond(sec int) *openSecond {
	return &openSecond{line: result.SecondLine{SeriesPoint: result.SeriesPoint{Second: sec}}}
}

// shard returns the second's counts of shard id, or nil when the recorder
// tracks MaxTrackedShards others already. Callers hold r.mu.
func (r *Recorder) shardOf(o *openSecond, id string) *result.ShardSecond {
	if i, ok := o.shardIndex[id]; ok {
		return &o.line.Shards[i]
	}
	if !r.shardsSeen[id] {
		if len(r.shardsSeen) >= MaxTrackedShards {
			r.shardsTruncated = true
			return nil
		}
		r.shardsSeen[id] = true
	}
	if o.shardIndex == nil {
		o.shardIndex = map[string]int{}
	}
	o.shardIndex[id] = len(o.line.Shards)
	o.line.Shards = append(o.line.Shards, result.ShardSecond{ShardID: id})
	return &o.line.Shards[len(o.line.Shards)-1]
}

// consumerOf returns the second's counts of a consumer. Callers hold r.mu.
func (r *Recorder) consumerOf(o *openSecond, name string) *result.ConsumerSecond {
	if _, known := r.received[name]; !known {
		r.received[name] = 0
	}
	if o.consumers == nil {
		o.consumers = map[string]*result.ConsumerSecond{}
	}
	c := o.consumers[name]
	if c == nil {
		c = &result.ConsumerSecond{Consumer: name}
		o.consumers[name] = c
	}
	return c
}

// current is the latest open second. Callers hold r.mu.
func (r *Recorder) current() *openSecond { return r.open[len(r.open)-1] }

// secondAt returns the open second t falls in, closing the seconds before
// it when t is later than the current one; a t before the oldest open
// second gets the oldest. Nil once the series has ended (Finish).
// Callers hold r.mu.
func (r *Recorder) secondAt(t time.Time) *openSecond {
	if r.ended {
		return nil
	}
	sec := int(t.Sub(r.start) / time.Second)
	r.advance(sec)
	first := r.open[0].line.Second
	return r.open[max(min(sec-first, len(r.open)-1), 0)]
}

// advance closes the seconds before sec. Callers hold r.mu.
func (r *Recorder) advance(sec int) {
	if sec <= r.current().line.Second {
		return
	}
	for sec > r.current().line.Second {
		r.closeInterval()
	}
	if len(r.onSecond) > 0 {
		r.due = r.soFar()
	}
}

// closeInterval ends the current second's latency interval (its
// percentiles and its latency.hlog lines) and opens the next second; the
// oldest open second beyond the window goes to series.jsonl.
func (r *Recorder) closeInterval() {
	cur := r.current()
	r.endInterval(cur, r.start.Add(time.Duration(cur.line.Second+1)*time.Second))
	r.open = append(r.open, newOpenSecond(cur.line.Second+1))
	for len(r.open) > OpenSeconds {
		r.writeSecond(r.open[0])
		r.open[0] = nil
		r.open = r.open[1:]
	}
}

// endInterval sets o's latencies from the interval histograms, logs them
// up to to, and resets them. Callers hold r.mu.
func (r *Recorder) endInterval(o *openSecond, to time.Time) {
	o.line.RecordLatencyMs = percentilesOf(r.interval[RecordLatency])
	o.line.SendDelayMs = percentilesOf(r.interval[SendDelay])
	o.line.IteratorAgeMs = maxOf(r.interval[IteratorAge])
	r.log.write(r.interval[:], r.start.Add(time.Duration(o.line.Second)*time.Second), to)
	for m := range numMetrics {
		if r.interval[m].TotalCount() > 0 { // clearing costs as much as the counts array is long
			r.interval[m].Reset()
		}
	}
}

// writeSecond writes a closed second to series.jsonl, after filling in
// the backlogs from the run's counts so far. Callers hold r.mu.
func (r *Recorder) writeSecond(o *openSecond) {
	line := &o.line
	r.acked += line.RecordsAcknowledged
	names := make([]string, 0, len(r.received))
	for name := range r.received {
		names = append(names, name)
	}
	slices.Sort(names)
	line.Consumers = line.Consumers[:0]
	for _, name := range names {
		c := r.consumerOf(o, name)
		r.received[name] += c.FirstReceived
		c.BacklogRecords = max(r.acked-r.received[name], 0)
		line.BacklogRecords = max(line.BacklogRecords, c.BacklogRecords)
		line.Consumers = append(line.Consumers, *c)
	}
	r.secondsWritten = line.Second + 1
	r.seconds.writeLine(line)
}

// seriesFile writes series.jsonl (result.SeriesFile) through a spool.
type seriesFile struct{ sp *spool }

func newSeriesFile(start time.Time) *seriesFile {
	f := &seriesFile{sp: newSpool("series")}
	f.writeLine(result.SeriesFormat{Format: result.SeriesFormatName, Version: result.SeriesFormatVersion,
		StartedAt: start.UTC().Format(time.RFC3339Nano)})
	return f
}

func (f *seriesFile) writeLine(v any) {
	if f.sp.err != nil {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		f.sp.err = err
		return
	}
	_, _ = f.sp.Write(append(data, '\n'))
}

// AttachSeriesFile creates path and writes the full-resolution series to
// it (result.SeriesFile): the seconds written so far, then each second as
// it leaves the open window, until CloseIntervalLog. Without it the series
// is kept in memory (for tests and short measurements).
func (r *Recorder) AttachSeriesFile(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seconds.sp.attach(path)
}

// endSeries closes the seconds up to end, keeps the last partial second
// when anything happened in it, and writes every open second to the
// series file. Later events count in the totals and the whole-run
// histograms only. Callers hold r.mu.
func (r *Recorder) endSeries(end time.Time) {
	if r.ended {
		return
	}
	r.onSecond, r.due = nil, nil
	endSec := int(end.Sub(r.start) / time.Second)
	for r.current().line.Second < endSec {
		r.closeInterval()
	}
	last := r.current()
	var latencies int64
	for _, h := range r.interval {
		latencies += h.TotalCount()
	}
	p := last.line.SeriesPoint
	busy := p.RecordsScheduled+p.RecordsSent+p.RecordsAcknowledged+p.RecordsThrottled+p.RecordsFailed+
		p.RecordsDeadLettered+p.RecordsDropped+p.RecordsConsumed+p.ReadThrottles > 0 || len(last.line.Shards) > 0
	if latencies > 0 {
		r.endInterval(last, end)
	}
	if !busy && latencies == 0 {
		r.open = r.open[:len(r.open)-1]
	}
	for _, o := range r.open {
		r.writeSecond(o)
	}
	r.open = []*openSecond{newOpenSecond(endSec + 1)}
	r.ended = true
}
