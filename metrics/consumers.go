package metrics

import (
	"slices"
	"time"

	"github.com/kinesim/kinesim/result"
)

// consumerSeries is one consumer's per-second counts.
type consumerSeries struct {
	records, bytes, first []int64
}

// AddConsumed records a consumer's deliveries at time t: records of bytes
// data bytes, first of them received for the first time.
func (r *Recorder) AddConsumed(consumer string, records, bytes, first int64, t time.Time) {
	sec := max(int(t.Sub(r.start)/time.Second), 0)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.consumers == nil {
		r.consumers = map[string]*consumerSeries{}
	}
	s := r.consumers[consumer]
	if s == nil {
		s = &consumerSeries{}
		r.consumers[consumer] = s
	}
	for len(s.records) <= sec {
		s.records = append(s.records, 0)
		s.bytes = append(s.bytes, 0)
		s.first = append(s.first, 0)
	}
	s.records[sec] += records
	s.bytes[sec] += bytes
	s.first[sec] += first
}

// consumerLoads returns the consumers' series over the seconds of series,
// in name order, and sets each point's BacklogRecords to the largest
// consumer backlog. Callers hold r.mu.
func (r *Recorder) consumerLoads(series []result.SeriesPoint) []result.ConsumerLoad {
	if len(r.consumers) == 0 {
		return nil
	}
	names := make([]string, 0, len(r.consumers))
	for name := range r.consumers {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]result.ConsumerLoad, 0, len(names))
	for _, name := range names {
		s := r.consumers[name]
		n := len(series)
		l := result.ConsumerLoad{Consumer: name, RecordsPerS: make([]int64, n), BytesPerS: make([]int64, n), BacklogRecords: make([]int64, n)}
		copy(l.RecordsPerS, s.records)
		copy(l.BytesPerS, s.bytes)
		var acked, received int64
		for i := range series {
			acked += series[i].RecordsAcknowledged
			if i < len(s.first) {
				received += s.first[i]
			}
			l.BacklogRecords[i] = max(acked-received, 0)
			series[i].BacklogRecords = max(series[i].BacklogRecords, l.BacklogRecords[i])
		}
		out = append(out, l)
	}
	return out
}
