package pacing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kinesim/kinesim/scenarios"
)

// forever is the length of a piece that lasts until its segment is cut.
var forever = math.Inf(1)

// compile appends the pieces of segment i, length long before any cut.
func (b *builder) compile(i int, seg scenarios.RateSegment, length time.Duration) error {
	var set []string
	for _, shape := range []struct {
		name string
		set  bool
	}{
		{"constant", seg.Constant != nil}, {"ramp", seg.Ramp != nil}, {"steps", seg.Steps != nil},
		{"spike", seg.Spike != nil}, {"sine", seg.Sine != nil}, {"diurnal", seg.Diurnal != nil},
		{"on_off", seg.OnOff != nil}, {"trace", seg.Trace != nil},
	} {
		if shape.set {
			set = append(set, shape.name)
		}
	}
	if len(set) != 1 {
		return segmentErrorf(i, "", "sets %d shapes (%s); set exactly one, e.g. {constant: 100/s}", len(set), strings.Join(set, ", "))
	}
	switch {
	case seg.Constant != nil:
		rate, err := checkRate(i, "constant", *seg.Constant)
		if err != nil {
			return err
		}
		b.addConstant(rate, forever)
		return nil
	case seg.Ramp != nil:
		return b.ramp(i, seg.Ramp, length)
	case seg.Steps != nil:
		return b.steps(i, seg.Steps, length)
	case seg.Spike != nil:
		return b.spike(i, seg.Spike, seg.For.D())
	case seg.Sine != nil:
		return b.sine(i, seg.Sine)
	case seg.Diurnal != nil:
		return b.diurnal(i, seg.Diurnal)
	case seg.OnOff != nil:
		return b.onOff(i, seg.OnOff)
	default:
		return b.trace(i, seg.Trace)
	}
}

// ramp goes linearly from From to To over the segment's length.
func (b *builder) ramp(i int, s *scenarios.RampShape, length time.Duration) error {
	from, to, err := checkRates(i, "ramp.from", s.From, "ramp.to", s.To)
	if err != nil {
		return err
	}
	if length > 0 {
		secs := length.Seconds()
		b.add(piece{kind: linear, r0: from, slope: (to - from) / secs, length: secs})
	}
	return nil
}

// steps holds each rate for Every (or an even share of the segment).
func (b *builder) steps(i int, s *scenarios.StepsShape, length time.Duration) error {
	if len(s.Rates) == 0 {
		return segmentErrorf(i, "steps.rates", "is empty; list the rates to step through, e.g. [100/s, 200/s, 400/s]")
	}
	rates := make([]float64, len(s.Rates))
	for j, r := range s.Rates {
		var err error
		if rates[j], err = checkRate(i, fmt.Sprintf("steps.rates[%d]", j), r); err != nil {
			return err
		}
	}
	every := s.Every.D()
	if every < 0 {
		return segmentErrorf(i, "steps.every", "%v is negative; give how long each step lasts, e.g. 10s", every)
	}
	if every == 0 {
		every = length / time.Duration(len(rates))
	}
	for j, rate := range rates {
		stepLength := every.Seconds()
		if j == len(rates)-1 {
			stepLength = forever
		}
		if !b.addConstant(rate, stepLength) {
			break
		}
	}
	return nil
}

// spike runs at Base with Peak from At for For. declared is the segment's
// own For (0: until the end), which the spike must fit in.
func (b *builder) spike(i int, s *scenarios.SpikeShape, declared time.Duration) error {
	base, peak, err := checkRates(i, "spike.base", s.Base, "spike.peak", s.Peak)
	if err != nil {
		return err
	}
	at, window := s.At.D(), s.For.D()
	switch {
	case at < 0:
		return segmentErrorf(i, "spike.at", "%v is negative; give when the spike starts, from the segment's start", at)
	case window <= 0:
		return segmentErrorf(i, "spike.for", "%v; give how long the spike lasts, e.g. 5s", window)
	case declared > 0 && at+window > declared:
		return segmentErrorf(i, "spike.at", "the spike (at %v for %v) ends after the segment's %v; move it or lengthen the segment", at, window, declared)
	}
	_ = b.addConstant(base, at.Seconds()) &&
		b.addConstant(peak, window.Seconds()) &&
		b.addConstant(base, forever)
	return nil
}

// sine starts at Min and swings to Max and back every Period/TimeScale.
func (b *builder) sine(i int, s *scenarios.SineShape) error {
	low, high, err := checkRange(i, "sine", s.Min, s.Max)
	if err != nil {
		return err
	}
	if s.Period <= 0 {
		return segmentErrorf(i, "sine.period", "%v; give the length of one swing, e.g. 30s", s.Period.D())
	}
	scale, err := checkScale(i, "sine.time_scale", s.TimeScale)
	if err != nil {
		return err
	}
	if low == high {
		b.addConstant(low, forever)
		return nil
	}
	b.add(piece{
		kind:   cosine,
		mid:    (low + high) / 2,
		amp:    (high - low) / 2,
		omega:  2 * math.Pi * scale / s.Period.D().Seconds(),
		length: forever,
	})
	return nil
}

// dayProfile is a working day of bike-share trips, relative to the busiest
// hour, at each hour from 00:00 to 24:00 (the same as 00:00): quiet at
// night, a morning rush peaking at 08:00, a busy lunch, an evening rush
// peaking at 17:00. The shape follows public hourly trip counts of city
// bike-share systems on weekdays.
var dayProfile = [25]float64{
	0.12, 0.07, 0.04, 0.00, 0.02, 0.08, 0.25, 0.65, // 00:00–07:00
	1.00, 0.70, 0.45, 0.45, 0.52, 0.52, 0.50, 0.58, // 08:00–15:00
	0.78, 1.00, 0.85, 0.58, 0.40, 0.30, 0.22, 0.16, // 16:00–23:00
	0.12, // 24:00
}

// diurnal follows dayProfile between Min and Max, linearly between hours.
func (b *builder) diurnal(i int, s *scenarios.DiurnalShape) error {
	low, high, err := checkRange(i, "diurnal", s.Min, s.Max)
	if err != nil {
		return err
	}
	scale, err := checkScale(i, "diurnal.time_scale", s.TimeScale)
	if err != nil {
		return err
	}
	day := s.Period.D()
	switch {
	case day < 0:
		return segmentErrorf(i, "diurnal.period", "%v is negative; give the length of a day (default 24h)", day)
	case day == 0:
		day = 24 * time.Hour
	}
	if start := s.Start.D(); start < 0 || start >= day {
		return segmentErrorf(i, "diurnal.start", "%v is not a time of day; give one from 0 to under %v, e.g. 6h", start, day)
	}
	hourLength := day.Seconds() / 24 / scale // run seconds per hour of the day
	if b.room()/hourLength > maxPieces {
		return &SegmentError{i, "diurnal.time_scale", errTooManyPieces}
	}
	position := s.Start.D().Seconds() / day.Seconds() * 24
	hour, into := int(position), position-math.Floor(position)
	for ; ; hour, into = hour+1, 0 {
		from, to := dayProfile[hour%24], dayProfile[hour%24+1]
		slope := (high - low) * (to - from) / hourLength
		r0 := low + (high-low)*(from+(to-from)*into)
		if !b.add(piece{kind: linear, r0: r0, slope: slope, length: (1 - into) * hourLength}) {
			return nil
		}
	}
}

// onOff alternates bursts and lulls of exponential lengths, drawn from the
// seed and the segment's index so other segments do not shift them.
func (b *builder) onOff(i int, s *scenarios.OnOffShape) error {
	on, off, err := checkRates(i, "on_off.on_rate", s.OnRate, "on_off.off_rate", s.OffRate)
	if err != nil {
		return err
	}
	if s.MeanOn <= 0 {
		return segmentErrorf(i, "on_off.mean_on", "%v; give the mean length of a burst, e.g. 5s", s.MeanOn.D())
	}
	if s.MeanOff <= 0 {
		return segmentErrorf(i, "on_off.mean_off", "%v; give the mean length of a lull, e.g. 20s", s.MeanOff.D())
	}
	means := [2]float64{s.MeanOn.D().Seconds(), s.MeanOff.D().Seconds()}
	if b.room()/(means[0]+means[1]) > maxPieces/2 {
		return &SegmentError{i, "on_off", errTooManyPieces}
	}
	rng := rand.New(rand.NewPCG(uint64(b.seed), uint64(i)+1))
	rates := [2]float64{on, off}
	state := 0 // on
	for b.addConstant(rates[state], means[state]*rng.ExpFloat64()) {
		state = 1 - state
	}
	return nil
}

// trace replays a CSV of timestamp,records_per_second rows.
func (b *builder) trace(i int, s *scenarios.TraceShape) error {
	if s.File == "" {
		return segmentErrorf(i, "trace.file", "is missing; give a CSV of timestamp,records_per_second rows")
	}
	timeScale, err := checkScale(i, "trace.time_scale", s.TimeScale)
	if err != nil {
		return err
	}
	rateScale, err := checkScale(i, "trace.scale", s.Scale)
	if err != nil {
		return err
	}
	points, err := b.readTrace(s.File)
	if err != nil {
		return &SegmentError{i, "trace.file", err}
	}
	for j, p := range points {
		length := forever
		if j+1 < len(points) {
			length = (points[j+1].At - p.At).Seconds() / timeScale
		}
		if !b.addConstant(p.Rate*rateScale, length) {
			break
		}
	}
	return nil
}

// segmentErrorf makes a *SegmentError from a message.
func segmentErrorf(i int, field, format string, args ...any) error {
	return &SegmentError{i, field, fmt.Errorf(format, args...)}
}

// checkRate rejects rates no schedule can follow.
func checkRate(i int, field string, r scenarios.Rate) (float64, error) {
	v := r.PerSecond()
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, segmentErrorf(i, field, "%v is not a rate; give a finite rate of 0 or more, e.g. 100/s", v)
	}
	return v, nil
}

// checkRates checks a shape's two rates, named by their fields.
func checkRates(i int, fieldA string, a scenarios.Rate, fieldB string, b scenarios.Rate) (float64, float64, error) {
	va, err := checkRate(i, fieldA, a)
	if err != nil {
		return 0, 0, err
	}
	vb, err := checkRate(i, fieldB, b)
	if err != nil {
		return 0, 0, err
	}
	return va, vb, nil
}

// checkRange checks a shape's min and max rates.
func checkRange(i int, shape string, minimum, maximum scenarios.Rate) (low, high float64, err error) {
	if low, high, err = checkRates(i, shape+".min", minimum, shape+".max", maximum); err != nil {
		return 0, 0, err
	}
	if high < low {
		return 0, 0, segmentErrorf(i, shape+".max", "%v is below min %v", high, low)
	}
	return low, high, nil
}

// checkScale reads a positive multiplier whose zero value means 1.
func checkScale(i int, field string, v float64) (float64, error) {
	if v == 0 {
		return 1, nil
	}
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, segmentErrorf(i, field, "%v; give a positive factor (default 1)", v)
	}
	return v, nil
}
