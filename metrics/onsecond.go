package metrics

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kinesim/kinesim/result"
)

// OnSecond subscribes f to the end of each of the run's seconds until
// Finish: f gets the run so far (Elapsed, Counters, Latency, Producers and
// Quantile; no Series, Distribution, Shards or Consumers), once for each
// event that closes one or more seconds. Call it before the run starts.
//
// Seconds end when the recorder sees the first event of a later second,
// and events carry the run's clock's time, so this works the same on the
// wall clock and on a virtual one (where a ticker on the wall clock would
// see hours of simulated time at once, or never). f runs on the goroutine
// of that event, after the Recorder's lock is released, so it may call the
// Recorder; it should return quickly, for that goroutine is a producer's
// or a consumer's. Two goroutines closing seconds at once may call f
// concurrently.
func (r *Recorder) OnSecond(f func(Snapshot)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onSecond = append(r.onSecond[:len(r.onSecond):len(r.onSecond)], f)
}

// unlockAndNotify releases r.mu and hands the second just closed, if any,
// to the OnSecond subscribers, outside the lock.
func (r *Recorder) unlockAndNotify() {
	due, subscribers := r.due, r.onSecond
	r.due = nil
	r.mu.Unlock()
	if due == nil {
		return
	}
	for _, f := range subscribers {
		f(*due)
	}
}

// soFar is the run so far for OnSecond, with copies of the histograms so
// Quantile needs no lock. Callers hold r.mu.
func (r *Recorder) soFar() *Snapshot {
	s := &Snapshot{
		Elapsed:   time.Duration(r.current().line.Second) * time.Second,
		Counters:  make(map[Counter]int64, numCounters),
		Latency:   make(map[Metric]result.Percentiles, numMetrics),
		Producers: r.producerSnapshot(),
		whole:     make(map[Metric]*hdrhistogram.Histogram, numMetrics),
		producers: make(map[string]map[Metric]*hdrhistogram.Histogram, len(r.producers)),
	}
	for c := range numCounters {
		s.Counters[c] = r.counters[c].Load()
	}
	for m := range numMetrics {
		s.Latency[m] = percentilesOf(r.whole[m])
		s.whole[m] = r.whole[m].Clone()
	}
	for name, p := range r.producers {
		for m, h := range p.latency {
			if h == nil {
				continue
			}
			if s.producers[name] == nil {
				s.producers[name] = map[Metric]*hdrhistogram.Histogram{}
			}
			s.producers[name][Metric(m)] = h.Clone()
		}
	}
	return s
}

// Quantile is the q-th percentile (0..100) of a metric over the run so
// far, to the microsecond the histograms keep; 0 without samples, and in a
// snapshot from Finish (ask the Recorder's Percentile).
func (s Snapshot) Quantile(m Metric, q float64) time.Duration {
	return quantile(s.whole[m], q)
}

// ProducerQuantile is the q-th percentile of a producer's tracked latency
// (see TrackProducerLatency) so far; 0 when it is not tracked, and in a
// snapshot from Finish.
func (s Snapshot) ProducerQuantile(producer string, m Metric, q float64) time.Duration {
	return quantile(s.producers[producer][m], q)
}

func quantile(h *hdrhistogram.Histogram, q float64) time.Duration {
	if h == nil {
		return 0
	}
	return time.Duration(h.ValueAtQuantile(q)) * time.Microsecond
}
