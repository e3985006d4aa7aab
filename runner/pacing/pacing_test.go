package pacing

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
)

// Float sums are exact for these rows on amd64; the tolerance only spares
// platforms that fuse multiply-adds.
const dueTolerance = 1e-9

func constant(rate float64, length time.Duration) scenarios.RateSegment {
	r := scenarios.Rate(rate)
	return scenarios.RateSegment{Constant: &r, For: scenarios.Duration(length)}
}

func ramp(from, to float64, length time.Duration) scenarios.RateSegment {
	return scenarios.RateSegment{
		Ramp: &scenarios.RampShape{From: scenarios.Rate(from), To: scenarios.Rate(to)},
		For:  scenarios.Duration(length),
	}
}

func segs(s ...scenarios.RateSegment) []scenarios.RateSegment { return s }

// point is one expectation: at elapsed, Rate and Due are these.
type point struct {
	elapsed time.Duration
	rate    float64
	due     float64
}

func TestScheduleRateAndDue(t *testing.T) {
	for _, tc := range []struct {
		name     string
		segments []scenarios.RateSegment
		duration time.Duration
		points   []point
	}{
		{
			// Constant: Due grows linearly; nothing before 0 or after the end.
			name:     "constant",
			segments: segs(constant(1000, 0)),
			duration: 10 * time.Second,
			points: []point{
				{-time.Second, 0, 0},
				{0, 1000, 0},
				{1500 * time.Millisecond, 1000, 1500},
				{10 * time.Second, 0, 10000},
				{11 * time.Second, 0, 10000},
			},
		},
		{
			// Ramp up 0→1000/s over 10s: Rate = 100·t, Due = 50·t².
			name:     "ramp up",
			segments: segs(ramp(0, 1000, 10*time.Second)),
			duration: 10 * time.Second,
			points: []point{
				{0, 0, 0},
				{time.Second, 100, 50},
				{2 * time.Second, 200, 200},
				{5 * time.Second, 500, 1250},
				{10 * time.Second, 0, 5000},
			},
		},
		{
			// Ramp down 1000→0/s over 10s: Due = 1000·t − 50·t².
			name:     "ramp down",
			segments: segs(ramp(1000, 0, 10*time.Second)),
			duration: 10 * time.Second,
			points: []point{
				{0, 1000, 0},
				{2 * time.Second, 800, 1800},
				{5 * time.Second, 500, 3750},
				{10 * time.Second, 0, 5000},
			},
		},
		{
			// Zero rate: nothing is ever due.
			name:     "zero rate",
			segments: segs(constant(0, 0)),
			duration: 5 * time.Second,
			points: []point{
				{0, 0, 0},
				{5 * time.Second, 0, 0},
			},
		},
		{
			// Composition: 10s at 100/s, a 10s ramp 100→300/s, then 50/s to the end.
			name:     "composition",
			segments: segs(constant(100, 10*time.Second), ramp(100, 300, 10*time.Second), constant(50, 0)),
			duration: 30 * time.Second,
			points: []point{
				{10 * time.Second, 100, 1000},
				{15 * time.Second, 200, 1000 + 500 + 250},
				{20 * time.Second, 50, 1000 + 2000},
				{25 * time.Second, 50, 3000 + 250},
				{30 * time.Second, 0, 3500},
			},
		},
		{
			// Rate change mid-way: 1000/s for 0.5s, then 2000/s.
			name:     "rate change mid-way",
			segments: segs(constant(1000, 500*time.Millisecond), constant(2000, 0)),
			duration: time.Second,
			points: []point{
				{250 * time.Millisecond, 1000, 250},
				{500 * time.Millisecond, 2000, 500},
				{750 * time.Millisecond, 2000, 1000},
				{time.Second, 0, 1500},
			},
		},
		{
			// The last segment ends before the duration: its final rate holds.
			name:     "last rate holds",
			segments: segs(ramp(0, 100, 10*time.Second)),
			duration: 20 * time.Second,
			points: []point{
				{10 * time.Second, 100, 500},
				{15 * time.Second, 100, 1000},
				{20 * time.Second, 0, 1500},
			},
		},
		{
			// Segments past the duration are cut, even mid-segment.
			name:     "cut at duration",
			segments: segs(constant(100, 10*time.Second), constant(200, 10*time.Second), constant(900, 10*time.Second)),
			duration: 15 * time.Second,
			points: []point{
				{12 * time.Second, 200, 1400},
				{15 * time.Second, 0, 2000},
				{time.Minute, 0, 2000},
			},
		},
		{
			// A ramp cut mid-way keeps its slope from its own For, not the cut.
			name:     "ramp cut",
			segments: segs(ramp(0, 1000, 10*time.Second)),
			duration: 4 * time.Second,
			points: []point{
				{2 * time.Second, 200, 200},
				{4 * time.Second, 0, 800},
			},
		},
		{
			// A zero-rate pause between two bursts.
			name:     "pause",
			segments: segs(constant(10, time.Second), constant(0, time.Second), constant(10, time.Second)),
			duration: 3 * time.Second,
			points: []point{
				{1500 * time.Millisecond, 0, 10},
				{2 * time.Second, 10, 10},
				{2500 * time.Millisecond, 10, 15},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.segments, tc.duration, 1)
			require.NoError(t, err)
			assertPoints(t, s, tc.duration, tc.points)
		})
	}
}

// assertPoints checks s's End, and its Rate and Due at each point.
func assertPoints(t *testing.T, s Schedule, end time.Duration, points []point) {
	t.Helper()
	assert.Equal(t, end, s.End(), "End")
	for _, p := range points {
		assert.InDelta(t, p.rate, s.Rate(p.elapsed), dueTolerance, "Rate(%v)", p.elapsed)
		assert.InDelta(t, p.due, s.Due(p.elapsed), dueTolerance, "Due(%v)", p.elapsed)
	}
}

func TestArrivals(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name     string
		segments []scenarios.RateSegment
		duration time.Duration
		want     []time.Duration
	}{
		{
			// Even spacing; the n-th record when Due reaches n, the last at the end.
			name:     "constant",
			segments: segs(constant(4, 0)),
			duration: time.Second,
			want:     []time.Duration{250 * ms, 500 * ms, 750 * ms, 1000 * ms},
		},
		{
			// Ramp 0→8/s: Due = 4·t², so record n at √(n/4) s.
			name:     "ramp up",
			segments: segs(ramp(0, 8, time.Second)),
			duration: time.Second,
			want:     []time.Duration{500 * ms, 707106781, 866025404, 1000 * ms},
		},
		{
			// Ramp 8→0/s: Due = 8·t − 4·t², record n at 1 − √(1 − n/4) s.
			name:     "ramp down",
			segments: segs(ramp(8, 0, time.Second)),
			duration: time.Second,
			want:     []time.Duration{133974596, 292893219, 500 * ms, 1000 * ms},
		},
		{
			// The rate doubles between two records: the gap halves from there.
			name:     "rate change mid-batch",
			segments: segs(constant(2, 1250*ms), constant(4, 0)),
			duration: 2 * time.Second,
			want:     []time.Duration{500 * ms, 1000 * ms, 1375 * ms, 1625 * ms, 1875 * ms},
		},
		{
			// No record falls in a zero-rate pause; the half record owed
			// before it is paid after it.
			name:     "pause",
			segments: segs(constant(2, 1250*ms), constant(0, time.Second), constant(2, 0)),
			duration: 3 * time.Second,
			want:     []time.Duration{500 * ms, 1000 * ms, 2500 * ms, 3000 * ms},
		},
		{
			// Too slow for even one record: none.
			name:     "under one record",
			segments: segs(constant(0.5, 0)),
			duration: time.Second,
			want:     nil,
		},
		{
			// Zero rate: none.
			name:     "zero rate",
			segments: segs(constant(0, 0)),
			duration: time.Second,
			want:     nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.segments, tc.duration, 1)
			require.NoError(t, err)
			got := collect(NewArrivals(s), 1000)
			assert.Equal(t, tc.want, got)
			// A second iterator yields the same offsets.
			assert.Equal(t, got, collect(NewArrivals(s), 1000))
		})
	}
}

// collect drains a, failing past most records.
func collect(a *Arrivals, most int) []time.Duration {
	var got []time.Duration
	for offset, ok := a.Next(); ok; offset, ok = a.Next() {
		got = append(got, offset)
		if len(got) > most {
			break
		}
	}
	return got
}

// TestArrivalsInvertDue checks on bigger schedules that the n-th offset is
// where Due reaches n and that exactly ⌊Due(End)⌋ records come out.
func TestArrivalsInvertDue(t *testing.T) {
	for _, tc := range []struct {
		name     string
		segments []scenarios.RateSegment
		duration time.Duration
	}{
		// A ramp whose record times are irrational.
		{"ramp", segs(ramp(0, 3000, 3*time.Second)), 3 * time.Second},
		// Composition with a pause and a non-integer total.
		{"composition", segs(constant(777, 1100*time.Millisecond), constant(0, 300*time.Millisecond), ramp(50, 1234, 2*time.Second)), 4 * time.Second},
		// A ramp down to nothing, then the zero rate held.
		{"ramp down held", segs(ramp(999, 0, 2*time.Second)), 3 * time.Second},
		// Steps and a spike.
		{"steps and spike", segs(steps(300*time.Millisecond, time.Second, 10, 500, 90), spike(100, 2500, 500*time.Millisecond, 250*time.Millisecond, 0)), 3 * time.Second},
		// A sine touching zero, where Newton's method needs its bracket.
		{"sine", segs(sine(0, 1000, 700*time.Millisecond, 0, 0)), 3 * time.Second},
		// A sine that never touches zero, time-scaled.
		{"sine scaled", segs(sine(300, 1700, time.Hour, 3000, 0)), 3 * time.Second},
		// A 24h day in 6s.
		{"diurnal", segs(diurnal(0, 2000, 14400, 5*time.Hour)), 6 * time.Second},
		// Bursts and lulls.
		{"on/off", segs(onOff(100*time.Millisecond, 300*time.Millisecond, 3000, 20)), 4 * time.Second},
		// A trace, sped up.
		{"trace", segs(trace("steps.csv", 10, 3.3)), 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.segments, tc.duration, 1, WithTraceFS(traces))
			require.NoError(t, err)
			offsets := collect(NewArrivals(s), 1_000_000)
			assert.Equal(t, int(math.Floor(s.Due(s.End())+dueSlack)), len(offsets), "records yielded")
			for i, offset := range offsets {
				n := float64(i + 1)
				// One nanosecond of rounding is worth rate·1ns records.
				slack := s.Rate(offset)*1e-9 + 1e-6
				if !assert.InDelta(t, n, s.Due(offset), slack, "Due at record %d's offset %v", i+1, offset) {
					break
				}
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	neg := scenarios.Rate(-1)
	for _, tc := range []struct {
		name     string
		segments []scenarios.RateSegment
		duration time.Duration
		segment  int    // -1: not a SegmentError
		field    string // of the SegmentError
	}{
		// No segments at all.
		{"no segments", nil, time.Second, -1, ""},
		// A schedule must last.
		{"zero duration", segs(constant(1, 0)), 0, -1, ""},
		// A negative rate.
		{"negative rate", segs(scenarios.RateSegment{Constant: &neg}), time.Second, 0, "constant"},
		// A NaN ramp end.
		{"NaN ramp", segs(constant(1, time.Second), ramp(1, math.NaN(), time.Second)), time.Second, 1, "ramp.to"},
		// Only the last segment may omit for.
		{"for missing", segs(constant(1, 0), constant(2, 0)), time.Second, 0, "for"},
		// A negative for.
		{"for negative", segs(constant(1, -time.Second)), time.Second, 0, "for"},
		// Two shapes in one segment.
		{"two shapes", segs(scenarios.RateSegment{Constant: new(scenarios.Rate), Ramp: &scenarios.RampShape{}}), time.Second, 0, ""},
		// No shape at all.
		{"no shape", segs(scenarios.RateSegment{For: scenarios.Duration(time.Second)}), time.Second, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.segments, tc.duration, 1)
			require.Error(t, err)
			assert.Nil(t, s)
			var se *SegmentError
			if tc.segment < 0 {
				assert.False(t, errors.As(err, &se), "got SegmentError %v, want another error", err)
				return
			}
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.segment, se.Segment, "segment of %v", err)
			assert.Equal(t, tc.field, se.Field, "field of %v", err)
		})
	}
}

// fakeSchedule is a Schedule not built by New: a constant rate.
type fakeSchedule struct {
	rate float64
	end  time.Duration
}

func (f fakeSchedule) Rate(elapsed time.Duration) float64 { return f.rate }
func (f fakeSchedule) Due(elapsed time.Duration) float64 {
	return f.rate * min(max(elapsed, 0), f.end).Seconds()
}
func (f fakeSchedule) End() time.Duration { return f.end }

func TestArrivalsOfAnySchedule(t *testing.T) {
	ms := time.Millisecond
	// Bisection finds the same offsets New's schedules give exactly.
	got := collect(NewArrivals(fakeSchedule{rate: 4, end: time.Second}), 100)
	assert.Equal(t, []time.Duration{250 * ms, 500 * ms, 750 * ms, 1000 * ms}, got)
	// Three records a second: the nanosecond at which Due reaches each.
	got = collect(NewArrivals(fakeSchedule{rate: 3, end: time.Second}), 100)
	assert.Equal(t, []time.Duration{333333334, 666666667, 1000 * ms}, got)
}

func BenchmarkArrivalsNext(b *testing.B) {
	for _, bc := range []struct {
		name     string
		segments []scenarios.RateSegment
	}{
		{"constant", segs(constant(1e6, 0))},
		{"ramp", segs(ramp(1e5, 1e6, 0))},
		{"composition", segs(constant(1e6, time.Second), ramp(1e6, 2e6, time.Second), constant(1e5, time.Second), ramp(2e6, 1e6, 0))},
		{"poisson", segs(poisson(constant(1e6, 0)))},
		{"sine", segs(sine(1e5, 1e6, time.Second, 0, 0))},
		{"diurnal", segs(diurnal(1e5, 1e6, 1440, 0))},
		{"on_off", segs(onOff(time.Second, 3*time.Second, 2e6, 1e5))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			// Hours at up to 2M/s: far more records than any b.N.
			s, err := New(bc.segments, 10*time.Hour, 1)
			require.NoError(b, err)
			a := NewArrivals(s)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, ok := a.Next(); !ok {
					b.Fatal("schedule ran out")
				}
			}
		})
	}
}
