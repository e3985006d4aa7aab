package pacing

import "math"

// pieceKind says which closed form a piece's rate follows.
type pieceKind uint8

const (
	// linear is a constant (slope 0) or a ramp: rate(t) = r0 + slope·t.
	linear pieceKind = iota
	// cosine is a sine wave starting at its trough:
	// rate(t) = mid − amp·cos(omega·t).
	cosine
)

// piece is one stretch of a schedule whose rate has a closed form, so its
// integral (records due) is exact and its inverse is exact (linear) or solved
// to well under a nanosecond (cosine). Times are seconds: start from the
// schedule's start, t inside rate, due and at from the piece's start.
type piece struct {
	start, length    float64
	dueStart, dueEnd float64 // records due by the piece's start and by its end
	kind             pieceKind
	r0, slope        float64 // linear
	mid, amp, omega  float64 // cosine
	poisson          bool    // exponential gaps instead of even spacing
}

// rate is the instantaneous rate, records per second, t seconds into the piece.
func (p *piece) rate(t float64) float64 {
	if p.kind == cosine {
		return p.mid - p.amp*math.Cos(p.omega*t)
	}
	return p.r0 + p.slope*t
}

// due is the integral of rate over [0, t]: records due t seconds into the piece.
func (p *piece) due(t float64) float64 {
	if p.kind == cosine {
		return p.mid*t - p.amp/p.omega*math.Sin(p.omega*t)
	}
	return p.r0*t + p.slope*t*t/2
}

// at is the inverse of due: the earliest t in [0, length] with due(t) ≥ x,
// for 0 ≤ x ≤ due(length).
func (p *piece) at(x float64) float64 {
	if x <= 0 {
		return 0
	}
	if p.kind == cosine {
		t, _ := p.cosineAt(x, x/p.mid)
		return t
	}
	if p.slope == 0 {
		return min(x/p.r0, p.length)
	}
	// Root of slope/2·t² + r0·t − x = 0, in the form that neither cancels
	// when slope is small nor divides by zero when r0 is 0.
	disc := max(p.r0*p.r0+2*p.slope*x, 0)
	return min(2*x/(p.r0+math.Sqrt(disc)), p.length)
}

// cosineAt solves due(t) = x by Newton's method from guess, kept inside a
// bracket that always holds the root, so it converges even where the rate
// touches zero. It returns the root and the rate there, from which the next
// record's guess is one step away (one or two iterations, not five).
func (p *piece) cosineAt(x, guess float64) (t, rate float64) {
	// |due(t) − mid·t| ≤ amp/omega bounds the root.
	wobble := p.amp / p.omega
	lo := max((x-wobble)/p.mid, 0)
	hi := min((x+wobble)/p.mid, p.length)
	t = min(max(guess, lo), hi)
	for range 100 {
		sin, cos := math.Sincos(p.omega * t)
		f := p.mid*t - wobble*sin - x
		rate = p.mid - p.amp*cos
		switch {
		case f == 0:
			return t, rate
		case f > 0:
			hi = t
		default:
			lo = t
		}
		next := t - f/rate
		if !(next > lo && next < hi) { // also catches NaN from a zero rate
			next = (lo + hi) / 2
		}
		if math.Abs(next-t) < 1e-11 || hi-lo < 1e-11 { // a hundredth of the nanosecond offsets are rounded to
			return next, rate
		}
		t = next
	}
	return t, rate
}
