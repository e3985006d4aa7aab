package pacing

import (
	"errors"
	"math"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
)

func rates(v ...float64) []scenarios.Rate {
	out := make([]scenarios.Rate, len(v))
	for i, r := range v {
		out[i] = scenarios.Rate(r)
	}
	return out
}

func steps(every, length time.Duration, v ...float64) scenarios.RateSegment {
	return scenarios.RateSegment{
		Steps: &scenarios.StepsShape{Rates: rates(v...), Every: scenarios.Duration(every)},
		For:   scenarios.Duration(length),
	}
}

func spike(base, peak float64, at, window, length time.Duration) scenarios.RateSegment {
	return scenarios.RateSegment{
		Spike: &scenarios.SpikeShape{Base: scenarios.Rate(base), Peak: scenarios.Rate(peak),
			At: scenarios.Duration(at), For: scenarios.Duration(window)},
		For: scenarios.Duration(length),
	}
}

func sine(low, high float64, period time.Duration, timeScale float64, length time.Duration) scenarios.RateSegment {
	return scenarios.RateSegment{
		Sine: &scenarios.SineShape{Min: scenarios.Rate(low), Max: scenarios.Rate(high),
			Period: scenarios.Duration(period), TimeScale: timeScale},
		For: scenarios.Duration(length),
	}
}

func diurnal(low, high float64, timeScale float64, start time.Duration) scenarios.RateSegment {
	return scenarios.RateSegment{Diurnal: &scenarios.DiurnalShape{
		Min: scenarios.Rate(low), Max: scenarios.Rate(high), TimeScale: timeScale, Start: scenarios.Duration(start)}}
}

func onOff(meanOn, meanOff time.Duration, on, off float64) scenarios.RateSegment {
	return scenarios.RateSegment{OnOff: &scenarios.OnOffShape{
		MeanOn: scenarios.Duration(meanOn), MeanOff: scenarios.Duration(meanOff),
		OnRate: scenarios.Rate(on), OffRate: scenarios.Rate(off)}}
}

func trace(file string, timeScale, scale float64) scenarios.RateSegment {
	return scenarios.RateSegment{Trace: &scenarios.TraceShape{File: file, TimeScale: timeScale, Scale: scale}}
}

func poisson(seg scenarios.RateSegment) scenarios.RateSegment {
	seg.Arrivals = scenarios.ArrivalsPoisson
	return seg
}

// traces are the trace files the tests replay.
var traces = fstest.MapFS{
	// 100/s for 10s, 300/s for 10s, a 10s pause, then 50/s.
	"steps.csv": {Data: []byte("timestamp,records_per_second\n0,100\n10,300\n20,0\n30,50\n")},
	// The same, dated and quoted as a spreadsheet writes it.
	"dated.csv": {Data: []byte("\"2024-06-04 07:00:00\",\"100\"\n\"2024-06-04 07:00:10\",\"300\"\n\"2024-06-04 07:00:20\",\"0\"\n\"2024-06-04 07:00:30\",\"50\"\n")},
	// Line 3 has no rate.
	"broken.csv": {Data: []byte("timestamp,records_per_second\n0,100\n10\n")},
}

func TestShapes(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		name     string
		segments []scenarios.RateSegment
		duration time.Duration
		points   []point
	}{
		{
			// Steps every 10s; the last step holds to the segment's end.
			name:     "steps",
			segments: segs(steps(10*s, 40*s, 100, 200, 400)),
			duration: 40 * s,
			points:   []point{{5 * s, 100, 500}, {15 * s, 200, 2000}, {25 * s, 400, 5000}, {35 * s, 400, 9000}, {40 * s, 0, 11000}},
		},
		{
			// Steps without every share the segment evenly, then the next segment runs.
			name:     "steps split evenly",
			segments: segs(steps(0, 30*s, 100, 200, 400), constant(10, 0)),
			duration: 40 * s,
			points:   []point{{10 * s, 200, 1000}, {29 * s, 400, 7000 - 400}, {30 * s, 10, 7000}, {40 * s, 0, 7100}},
		},
		{
			// A spike to 1000/s from 10s to 15s on a 100/s base.
			name:     "spike",
			segments: segs(spike(100, 1000, 10*s, 5*s, 30*s)),
			duration: 30 * s,
			points:   []point{{9 * s, 100, 900}, {10 * s, 1000, 1000}, {12 * s, 1000, 3000}, {15 * s, 100, 6000}, {30 * s, 0, 7500}},
		},
		{
			// A spike at the very start of the segment.
			name:     "spike at start",
			segments: segs(spike(0, 50, 0, 2*s, 10*s)),
			duration: 10 * s,
			points:   []point{{0, 50, 0}, {2 * s, 0, 100}, {10 * s, 0, 100}},
		},
		{
			// Sine 0↔200/s over 4s: Rate = 100 − 100·cos(πt/2), Due = 100·t − (200/π)·sin(πt/2).
			name:     "sine",
			segments: segs(sine(0, 200, 4*s, 0, 0)),
			duration: 8 * s,
			points: []point{
				{0, 0, 0}, {s, 100, 100 - 200/math.Pi}, {2 * s, 200, 200},
				{3 * s, 100, 300 + 200/math.Pi}, {4 * s, 0, 400}, {8 * s, 0, 800},
			},
		},
		{
			// The same sine with a 4h period compressed 3600 times.
			name:     "sine time-scaled",
			segments: segs(sine(0, 200, 4*time.Hour, 3600, 0)),
			duration: 8 * s,
			points:   []point{{s, 100, 100 - 200/math.Pi}, {2 * s, 200, 200}, {8 * s, 0, 800}},
		},
		{
			// min == max is a constant.
			name:     "sine flat",
			segments: segs(sine(70, 70, 4*s, 0, 0)),
			duration: 2 * s,
			points:   []point{{s, 70, 70}, {2 * s, 0, 140}},
		},
		{
			// A 24h day in 60s (2.5s an hour) between 100 and 1100/s: 03:00
			// is the quietest, 08:00 and 17:00 the rush hours, and the day
			// averages min + (max−min)·Σprofile/24 = 100 + 1000·10.24/24.
			name:     "diurnal 24h in 60s",
			segments: segs(diurnal(100, 1100, 1440, 0)),
			duration: 60 * s,
			points: []point{
				{0, 220, 0},
				{7500 * time.Millisecond, 100, 750 + 2500*(0.12/2+0.07+0.04+0.00/2)},
				{20 * s, 1100, 2000 + 2500*(0.12/2+1.11+1.00/2)},
				{30 * s, 620, 3000 + 2500*(0.12/2+1.11+1.00+0.70+0.45+0.45+0.52/2)},
				{42500 * time.Millisecond, 1100, 4250 + 2500*(0.12/2+1.11+1.00+0.70+0.45+0.45+0.52+0.52+0.50+0.58+0.78+1.00/2)},
				{60 * s, 0, 31600},
			},
		},
		{
			// Starting at 08:00: the morning peak first, the evening one 9h (22.5s) later.
			name:     "diurnal from 8h",
			segments: segs(diurnal(100, 1100, 1440, 8*time.Hour)),
			duration: 60 * s,
			points:   []point{{0, 1100, 0}, {22500 * time.Millisecond, 1100, 22500*0.1 + 2500*(1.00/2+0.70+0.45+0.45+0.52+0.52+0.50+0.58+0.78+1.00/2)}, {60 * s, 0, 31600}},
		},
		{
			// Two whole days: twice one day's records.
			name:     "diurnal two days",
			segments: segs(diurnal(100, 1100, 1440, 0)),
			duration: 120 * s,
			points:   []point{{60 * s, 220, 31600}, {80 * s, 1100, 31600 + 6175}, {120 * s, 0, 63200}},
		},
		{
			// A trace of whole rows: each rate holds to the next row; the last holds.
			name:     "trace",
			segments: segs(trace("steps.csv", 0, 0)),
			duration: 40 * s,
			points:   []point{{5 * s, 100, 500}, {10 * s, 300, 1000}, {25 * s, 0, 4000}, {35 * s, 50, 4250}, {40 * s, 0, 4500}},
		},
		{
			// Dated, quoted rows.
			name:     "trace dated",
			segments: segs(trace("dated.csv", 0, 0)),
			duration: 40 * s,
			points:   []point{{15 * s, 300, 2500}, {40 * s, 0, 4500}},
		},
		{
			// Ten times faster and twice the rate.
			name:     "trace scaled",
			segments: segs(trace("steps.csv", 10, 2)),
			duration: 4 * s,
			points:   []point{{500 * time.Millisecond, 200, 100}, {1500 * time.Millisecond, 600, 500}, {4 * s, 0, 900}},
		},
		{
			// Composed after a constant, the trace starts where its segment does.
			name:     "trace after constant",
			segments: segs(constant(1, 5*s), trace("steps.csv", 0, 0)),
			duration: 20 * s,
			points:   []point{{5 * s, 100, 5}, {16 * s, 300, 5 + 1000 + 300}, {20 * s, 0, 5 + 1000 + 1500}},
		},
		{
			// Poisson spacing leaves the rate and Due alone.
			name:     "poisson",
			segments: segs(poisson(ramp(0, 1000, 10*s))),
			duration: 10 * s,
			points:   []point{{2 * s, 200, 200}, {10 * s, 0, 5000}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.segments, tc.duration, 1, WithTraceFS(traces))
			require.NoError(t, err)
			assertPoints(t, s, tc.duration, tc.points)
		})
	}
}

func TestOnOff(t *testing.T) {
	const on, off = 1000.0, 10.0
	segments := segs(onOff(2*time.Second, 8*time.Second, on, off))
	duration := time.Hour
	s, err := New(segments, duration, 42)
	require.NoError(t, err)

	// Every piece is a burst or a lull, alternating, starting with a burst.
	pieces := s.(*schedule).pieces
	require.Greater(t, len(pieces), 600, "about 720 bursts and lulls in an hour")
	var onTime float64
	for i, p := range pieces {
		want := on
		if i%2 == 1 {
			want = off
		} else {
			onTime += p.length
		}
		assert.Equal(t, want, s.Rate(time.Duration((p.start+p.length/2)*1e9)), "piece %d's rate", i)
	}
	// Over 360 cycles the share of time on is near 2s/(2s+8s).
	assert.InDelta(t, 0.2, onTime/duration.Seconds(), 0.03, "share of time in bursts")
	// Due is exact: the rates times the time spent at each.
	assert.InDelta(t, on*onTime+off*(duration.Seconds()-onTime), s.Due(duration), 1e-6, "Due(End)")

	// The same seed gives the same bursts; another seed, others.
	again, err := New(segments, duration, 42)
	require.NoError(t, err)
	assert.Equal(t, s.Due(30*time.Minute), again.Due(30*time.Minute), "same seed")
	other, err := New(segments, duration, 43)
	require.NoError(t, err)
	assert.NotEqual(t, s.Due(30*time.Minute), other.Due(30*time.Minute), "another seed")

}

func TestPoissonArrivals(t *testing.T) {
	const rate = 1000.0
	s, err := New(segs(poisson(constant(rate, 0))), 100*time.Second, 7)
	require.NoError(t, err)
	offsets := collect(NewArrivals(s), 1_000_000)

	// About rate·duration records, with exponential gaps: mean 1/rate and a
	// standard deviation as large as the mean.
	n := float64(len(offsets))
	assert.InDelta(t, 100_000, n, 4*math.Sqrt(100_000), "records")
	var sum, sumSquares float64
	previous := time.Duration(0)
	for _, offset := range offsets {
		gap := (offset - previous).Seconds()
		sum += gap
		sumSquares += gap * gap
		previous = offset
	}
	mean := sum / n
	deviation := math.Sqrt(sumSquares/n - mean*mean)
	assert.InDelta(t, 1/rate, mean, 0.02/rate, "mean gap")
	assert.InDelta(t, 1.0, deviation/mean, 0.02, "coefficient of variation")

	// Repeatable: a second iterator and a second schedule with the same seed agree.
	assert.Equal(t, offsets, collect(NewArrivals(s), 1_000_000))
	same, err := New(segs(poisson(constant(rate, 0))), 100*time.Second, 7)
	require.NoError(t, err)
	assert.Equal(t, offsets[:100], collect(NewArrivals(same), 99))
	other, err := New(segs(poisson(constant(rate, 0))), 100*time.Second, 8)
	require.NoError(t, err)
	assert.NotEqual(t, offsets[:100], collect(NewArrivals(other), 99))
}

func TestPoissonThenEven(t *testing.T) {
	// Poisson for 10s at 100/s, then even at 4/s: once the records land in
	// the even segment, they are exactly 250ms apart.
	s, err := New(segs(poisson(constant(100, 10*time.Second)), constant(4, 0)), 20*time.Second, 3)
	require.NoError(t, err)
	offsets := collect(NewArrivals(s), 1_000_000)
	require.Greater(t, len(offsets), 40)
	tail := offsets[len(offsets)-30:]
	for i := 1; i < len(tail); i++ {
		assert.InDelta(t, 250*time.Millisecond, tail[i]-tail[i-1], 1, "gap before %v", tail[i])
	}
	assert.InDelta(t, 1040, len(offsets), 4*math.Sqrt(1000), "records")
}

func TestShapesReject(t *testing.T) {
	for _, tc := range []struct {
		name     string
		segments []scenarios.RateSegment
		field    string
		line     int // of a TraceError inside, if any
	}{
		// Steps without rates.
		{"steps empty", segs(steps(time.Second, 0)), "steps.rates", 0},
		// A negative step rate.
		{"steps negative", segs(steps(time.Second, 0, 1, -1)), "steps.rates[1]", 0},
		// A negative step length.
		{"steps every negative", segs(steps(-time.Second, 0, 1)), "steps.every", 0},
		// A spike that lasts no time.
		{"spike without for", segs(spike(1, 2, time.Second, 0, 10*time.Second)), "spike.for", 0},
		// A spike past its segment's end.
		{"spike past segment", segs(spike(1, 2, 8*time.Second, 5*time.Second, 10*time.Second)), "spike.at", 0},
		// A spike starting before its segment.
		{"spike negative at", segs(spike(1, 2, -time.Second, time.Second, 10*time.Second)), "spike.at", 0},
		// A sine whose max is under its min.
		{"sine max under min", segs(sine(10, 5, time.Second, 0, 0)), "sine.max", 0},
		// A sine without a period.
		{"sine without period", segs(sine(1, 5, 0, 0, 0)), "sine.period", 0},
		// A sine compressed by a negative factor.
		{"sine negative time_scale", segs(sine(1, 5, time.Second, -2, 0)), "sine.time_scale", 0},
		// A diurnal start beyond the day.
		{"diurnal start past day", segs(diurnal(1, 5, 1, 25*time.Hour)), "diurnal.start", 0},
		// A diurnal day squeezed into microseconds over hours.
		{"diurnal too fast", segs(diurnal(1, 5, 1e12, 0)), "diurnal.time_scale", 0},
		// An on/off without a mean burst.
		{"on_off without mean_on", segs(onOff(0, time.Second, 5, 0)), "on_off.mean_on", 0},
		// An on/off switching every microsecond for a minute.
		{"on_off too fast", segs(onOff(time.Microsecond, time.Microsecond, 5, 0)), "on_off", 0},
		// A trace without a file.
		{"trace without file", segs(trace("", 0, 0)), "trace.file", 0},
		// A trace file that is not there.
		{"trace missing", segs(trace("nope.csv", 0, 0)), "trace.file", 0},
		// A malformed trace: the error has its line.
		{"trace malformed", segs(trace("broken.csv", 0, 0)), "trace.file", 3},
		// A negative rate scale.
		{"trace negative scale", segs(trace("steps.csv", 0, -1)), "trace.scale", 0},
		// An unknown arrival spacing.
		{"arrivals unknown", segs(scenarios.RateSegment{Constant: new(scenarios.Rate), Arrivals: "bursty"}), "arrivals", 0},
		// Two shapes in one segment.
		{"two shapes", segs(scenarios.RateSegment{Sine: &scenarios.SineShape{}, Trace: &scenarios.TraceShape{}}), "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.segments, time.Minute, 1, WithTraceFS(traces))
			require.Error(t, err)
			assert.Nil(t, s)
			var se *SegmentError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.field, se.Field, "field of %v", err)
			var te *TraceError
			if tc.line > 0 && assert.True(t, errors.As(err, &te), "want a TraceError in %v", err) {
				assert.Equal(t, tc.line, te.Line, "line of %v", err)
			}
		})
	}
}
