// Package pacing turns a producer's rate segments into an arrival-rate
// schedule: a pure function of the time elapsed since the run started that
// says how fast records are due (Rate), how many are due by then (Due, the
// exact integral of Rate) and when each record is due (Arrivals, the inverse
// of Due). Nothing here reads a clock or sleeps; the runner asks the schedule
// when the next record is due and measures latency from that intended time,
// so a stalled producer cannot hide latency (coordinated omission).
//
// The shapes, composable in sequence: constant, ramp, steps, spike, sine,
// diurnal (a working day of bike-share traffic with two rush hours, time
// compressed), on/off bursts (a Markov-modulated process) and trace replay
// (a CSV of timestamp,records_per_second, such as a CloudWatch export).
// Each is integrated in closed form. Records are spaced evenly along the
// rate, or with exponential (Poisson) gaps around it. Backoff paces
// retries the same way: a pure function of the retry number.
//
// Concurrency: a Schedule is immutable once New returns it and is safe for
// concurrent use. An Arrivals iterator is not: each goroutine takes its own
// from NewArrivals, and every iterator of a schedule yields the same offsets,
// so a fixed seed gives the same run every time.
package pacing

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"time"

	"github.com/kinesim/kinesim/scenarios"
)

// Schedule is an arrival-rate schedule over [0, End()).
type Schedule interface {
	// Rate is the instantaneous rate, in records per second, at elapsed.
	// It is 0 before the start and from End on.
	Rate(elapsed time.Duration) float64
	// Due is the number of records due by elapsed: the exact integral of
	// Rate over [0, elapsed]. It is continuous and never decreases; the
	// count of whole records due is its floor.
	Due(elapsed time.Duration) float64
	// End is when the schedule stops: the scenario's duration.
	End() time.Duration
}

// ErrNoSegments is returned by New for a producer without rate segments.
var ErrNoSegments = errors.New("no rate segments; give at least one, e.g. {constant: 100/s}")

// SegmentError says which rate segment is wrong and why.
type SegmentError struct {
	// Segment is the segment's index in the producer's rate list, from 0.
	Segment int
	// Field is the offending field, as written in YAML (e.g. "ramp.to").
	Field string
	// Err says what is wrong and what is allowed.
	Err error
}

func (e *SegmentError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("rate[%d]: %v", e.Segment, e.Err)
	}
	return fmt.Sprintf("rate[%d].%s: %v", e.Segment, e.Field, e.Err)
}

func (e *SegmentError) Unwrap() error { return e.Err }

// Option configures New.
type Option func(*options)

type options struct {
	traces fs.FS
}

// WithTraceFS reads trace files (a trace segment's file) named by a
// relative path from fsys, e.g. os.DirFS of the scenario file's folder, or
// the embedded catalogue; absolute paths are always read from the operating
// system. Default: the operating system's files, relative paths taken from
// the working directory.
func WithTraceFS(fsys fs.FS) Option {
	return func(o *options) { o.traces = fsys }
}

// New builds the schedule of one producer from its rate segments, which run
// in sequence from elapsed 0 until duration. A segment lasts For; a last
// segment without For lasts until duration. When the segments end before
// duration, the rate the last one ends at holds until duration; segments (or
// the parts of them) past duration are cut. seed drives every random choice
// (on/off bursts, Poisson gaps), so equal inputs give equal schedules.
//
// Errors name the segment and field (*SegmentError) or the trace file and
// line (*TraceError, wrapped in a *SegmentError).
func New(segments []scenarios.RateSegment, duration time.Duration, seed int64, opts ...Option) (Schedule, error) {
	if duration <= 0 {
		return nil, fmt.Errorf("duration %v: a schedule needs a positive duration", duration)
	}
	if len(segments) == 0 {
		return nil, ErrNoSegments
	}
	b := builder{seed: seed}
	for _, opt := range opts {
		opt(&b.options)
	}
	var at time.Duration // where the current segment starts
	for i, seg := range segments {
		length := seg.For.D()
		switch {
		case length < 0:
			return nil, &SegmentError{i, "for", fmt.Errorf("%v is negative", length)}
		case length == 0 && i < len(segments)-1:
			return nil, &SegmentError{i, "for", errors.New("missing; only the last segment may run until the end, e.g. for: 30s")}
		case length == 0:
			length = max(duration-at, 0)
		}
		switch seg.Arrivals {
		case "", scenarios.ArrivalsEven:
			b.poisson = false
		case scenarios.ArrivalsPoisson:
			b.poisson = true
		default:
			return nil, &SegmentError{i, "arrivals", fmt.Errorf("%q is not an arrival spacing; use %s or %s",
				seg.Arrivals, scenarios.ArrivalsEven, scenarios.ArrivalsPoisson)}
		}
		b.startSegment(at, min(length, max(duration-at, 0)))
		if err := b.compile(i, seg, length); err != nil {
			return nil, err
		}
		if b.overflow {
			return nil, &SegmentError{i, "", errTooManyPieces}
		}
		at += length
	}
	if at < duration {
		b.startSegment(at, duration-at)
		b.addConstant(b.lastRate, math.Inf(1))
	}
	if b.overflow {
		return nil, &SegmentError{len(segments) - 1, "", errTooManyPieces}
	}
	return &schedule{pieces: b.pieces, end: duration, seed: seed}, nil
}

// maxPieces bounds a schedule's memory (about 24 MiB): a schedule that
// changes rate more often than this is a mistake (an on/off mean of a
// microsecond, a diurnal day of a millisecond). Three days of a trace at
// one row a second fit.
const maxPieces = 1 << 18

var errTooManyPieces = fmt.Errorf("changes rate more than %d times; lengthen its periods or means", maxPieces)

// builder lays pieces end to end, cutting them at the current segment's end.
type builder struct {
	options
	seed     int64
	pieces   []piece
	cursor   float64 // seconds: where the next piece starts
	limit    float64 // seconds: where the current segment is cut
	due      float64 // records due by cursor
	lastRate float64 // the rate the last piece ended at
	poisson  bool    // the current segment's arrivals are Poisson
	overflow bool    // a piece was refused for passing maxPieces
}

// startSegment makes the next pieces start at at and be cut after visible.
func (b *builder) startSegment(at, visible time.Duration) {
	b.cursor = at.Seconds()
	b.limit = (at + visible).Seconds()
}

// add appends p at the cursor, cut at the segment's limit, and reports
// whether the segment has room for more; it refuses pieces past maxPieces.
func (b *builder) add(p piece) bool {
	room := b.room()
	if room <= 0 {
		return false
	}
	if p.length <= 0 {
		return true
	}
	if len(b.pieces) == maxPieces {
		b.overflow = true
		return false
	}
	end := b.cursor + p.length
	if p.length >= room {
		p.length, end = room, b.limit // land exactly on the cut
	}
	p.start = b.cursor
	p.dueStart = b.due
	p.dueEnd = b.due + p.due(p.length)
	p.poisson = b.poisson
	b.pieces = append(b.pieces, p)
	b.cursor = end
	b.due = p.dueEnd
	b.lastRate = p.rate(p.length)
	return b.cursor < b.limit
}

// room is how many seconds the current segment has left before its cut.
func (b *builder) room() float64 { return b.limit - b.cursor }

// addConstant appends a constant rate for length seconds.
func (b *builder) addConstant(rate, length float64) bool {
	return b.add(piece{kind: linear, r0: rate, length: length})
}

// schedule is the Schedule New builds: pieces laid end to end from 0 to end.
type schedule struct {
	pieces []piece
	end    time.Duration
	seed   int64
}

var _ Schedule = (*schedule)(nil)

// find returns the piece holding sec, which is in [0, end).
func (s *schedule) find(sec float64) *piece {
	i := sort.Search(len(s.pieces), func(i int) bool { return s.pieces[i].start > sec })
	return &s.pieces[max(i-1, 0)]
}

func (s *schedule) Rate(elapsed time.Duration) float64 {
	if elapsed < 0 || elapsed >= s.end {
		return 0
	}
	sec := elapsed.Seconds()
	p := s.find(sec)
	return p.rate(sec - p.start)
}

func (s *schedule) Due(elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	if elapsed >= s.end {
		return s.total()
	}
	sec := elapsed.Seconds()
	p := s.find(sec)
	return p.dueStart + p.due(sec-p.start)
}

func (s *schedule) End() time.Duration { return s.end }

// total is the number of records due over the whole schedule.
func (s *schedule) total() float64 {
	if len(s.pieces) == 0 {
		return 0
	}
	return s.pieces[len(s.pieces)-1].dueEnd
}
