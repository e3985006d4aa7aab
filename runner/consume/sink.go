package consume

import (
	"sync"
	"time"

	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// DefaultWindow is the window processor's default window size.
const DefaultWindow = time.Minute

// sink is where a processor's effects go. It outlives consumer restarts,
// as a database would. It is safe for concurrent use by the shard workers.
//
// Its write modes: naive applies every delivery; idempotent remembers each
// record id it applied (in an idSet: a bitmap per producer);
// idempotent_sequence remembers each shard's highest sequence number
// applied and skips anything at or below it. The sequence
// mode is cheap (one number per shard) and catches every re-read of the
// stream (a restart from a checkpoint, a moved lease), but not a producer's
// retry after a lost acknowledgement: the retry is a second write with a
// new, higher sequence number, so it is applied again. Only the record id
// catches that.
type sink struct {
	mode      string
	processor string
	window    time.Duration
	field     fieldScanner

	mu      sync.Mutex
	seen    *idSet              // record ids (idempotent)
	highest map[string]position // highest applied by shard (idempotent_sequence)
	totals  map[string]int64    // records applied per partition key (aggregate, window)
	windows map[string]*keyWindow
}

func newSink(sc scenarios.Consumer) *sink {
	s := &sink{
		mode:      sc.Sink,
		processor: sc.Processor,
		seen:      newIDSet(),
		highest:   map[string]position{},
		totals:    map[string]int64{},
		windows:   map[string]*keyWindow{},
	}
	if s.mode == "" {
		s.mode = scenarios.SinkNaive
	}
	if w := sc.Window; w != nil && sc.Processor == scenarios.ProcessorWindow {
		s.window = orDefault(w.Size.D(), DefaultWindow)
		s.field = newFieldScanner(w.Field)
	}
	return s
}

// stateful reports whether the sink keeps per-key state to check.
func (s *sink) stateful() bool {
	return s.processor == scenarios.ProcessorAggregate || s.processor == scenarios.ProcessorWindow
}

// apply applies one delivery and reports whether its effect was applied
// (an idempotent sink skips what it has applied before). at is the
// record's event time (its intended send time) for the window.
func (s *sink) apply(id, shardID string, pos position, key string, data []byte, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.mode {
	case scenarios.SinkIdempotent:
		if !s.seen.add(id) {
			return false
		}
	case scenarios.SinkIdempotentSequence:
		if last, ok := s.highest[shardID]; ok && !last.less(pos) {
			return false
		}
		s.highest[shardID] = pos
	}
	if !s.stateful() {
		return true
	}
	s.totals[key]++
	if s.processor == scenarios.ProcessorWindow {
		if v, ok := s.field.number(data); ok {
			w := s.windows[key]
			if w == nil {
				w = &keyWindow{}
				s.windows[key] = w
			}
			w.add(at, v, s.window)
		}
	}
	return true
}

// position is where a user record sits in a shard: its Kinesis record's
// sequence number and its sub-sequence number in a KPL aggregate (0 for a
// plain record), KCL's ExtendedSequenceNumber.
type position struct {
	seq string
	sub int64
}

func (p position) less(o position) bool {
	if p.seq != o.seq {
		return stream.SequenceLess(p.seq, o.seq)
	}
	return p.sub < o.sub
}

// check compares the per-key totals with the expected counts, by key hash.
func (s *sink) check(expected map[uint64]int64) *result.SinkCheck {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &result.SinkCheck{}
	actual := make(map[uint64]int64, len(s.totals))
	for k, n := range s.totals {
		actual[ledger.KeyHash(k)] += n
		out.ActualTotal += n
	}
	for k, want := range expected {
		out.ExpectedTotal += want
		if actual[k] != want {
			out.KeysWrong++
		}
	}
	out.Keys = int64(len(expected))
	for k := range actual {
		if _, ok := expected[k]; !ok {
			out.Keys++
			out.KeysWrong++
		}
	}
	return out
}

// WindowStats are one key's window: the values of the records of the last
// window size, as the window processor holds them.
type WindowStats struct {
	Count         int
	Min, Max, Avg float64
}

// windowStats returns the key's current window.
func (s *sink) windowStats(key string) (WindowStats, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.windows[key]
	if w == nil || len(w.points) == 0 {
		return WindowStats{}, false
	}
	return w.stats(), true
}

// keyWindow is one key's sliding window: its points in event-time order.
type keyWindow struct {
	points []windowPoint
}

type windowPoint struct {
	at    time.Time
	value float64
}

// add inserts a point and drops the points older than size before the newest.
func (w *keyWindow) add(at time.Time, v float64, size time.Duration) {
	i := len(w.points)
	for i > 0 && w.points[i-1].at.After(at) {
		i-- // a late record goes in its place
	}
	w.points = append(w.points, windowPoint{})
	copy(w.points[i+1:], w.points[i:])
	w.points[i] = windowPoint{at: at, value: v}
	cut := w.points[len(w.points)-1].at.Add(-size)
	drop := 0
	for drop < len(w.points) && w.points[drop].at.Before(cut) {
		drop++
	}
	w.points = append(w.points[:0], w.points[drop:]...)
}

func (w *keyWindow) stats() WindowStats {
	st := WindowStats{Count: len(w.points), Min: w.points[0].value, Max: w.points[0].value}
	var sum float64
	for _, p := range w.points {
		st.Min = min(st.Min, p.value)
		st.Max = max(st.Max, p.value)
		sum += p.value
	}
	st.Avg = sum / float64(len(w.points))
	return st
}
