package pacing

import (
	"math"
	"math/rand/v2"
	"time"
)

// dueSlack forgives the rounding of Due's floating-point sums, so a record
// due exactly at the end (1,000 records in 1s at 1000/s) is not lost to a
// sum that came out at 999.9999999999999.
const dueSlack = 1e-6

// Arrivals yields the intended offset, from the start of the run, of each
// record of a schedule in turn. With even spacing the n-th record is due
// when Due reaches n (the first at Due = 1, not at 0), so by any elapsed t
// exactly ⌊Due(t)⌋ records have been yielded, give or take the rounding of
// offsets to the nanosecond. With Poisson arrivals the gaps in Due between
// records are exponential with mean 1 instead (seeded, so repeatable).
//
// Next costs tens of nanoseconds and allocates nothing. An Arrivals is not
// safe for concurrent use.
type Arrivals struct {
	pieces []piece
	limit  float64 // the last Due a record may be at
	end    time.Duration
	rng    *rand.Rand // nil when no piece is Poisson
	other  Schedule   // a Schedule not from New, or nil

	i    int           // the piece the last record fell in
	due  float64       // Due at the last record
	last time.Duration // the last record's offset
	done bool

	// Where the last record fell in a cosine piece (hintPiece is its index
	// plus one; 0 for none), and the rate there: the next one's first guess.
	hintPiece           int
	hintT, hintX, hintR float64
}

// NewArrivals returns an iterator over the records of s, from the first.
// Schedules from New are inverted exactly; any other Schedule (a test's
// fake, say) is inverted by bisecting its Due to the nanosecond, with even
// spacing.
func NewArrivals(s Schedule) *Arrivals {
	sched, ok := s.(*schedule)
	if !ok {
		return &Arrivals{other: s, limit: s.Due(s.End()) + dueSlack, end: s.End()}
	}
	a := &Arrivals{pieces: sched.pieces, limit: sched.total() + dueSlack, end: sched.end}
	for i := range sched.pieces {
		if sched.pieces[i].poisson {
			a.rng = rand.New(rand.NewPCG(uint64(sched.seed), poissonStream))
			break
		}
	}
	return a
}

// poissonStream keeps Poisson gaps apart from the other seeded choices.
const poissonStream = 0x9e3779b97f4a7c15

// Next returns the intended offset of the next record, rounded to the
// nanosecond; offsets never decrease and never pass the schedule's end.
// ok is false once the schedule has no more records, and stays false.
func (a *Arrivals) Next() (offset time.Duration, ok bool) {
	if a.done {
		return 0, false
	}
	if a.other != nil {
		return a.nextOther()
	}
	gap := 1.0
	if a.pieces[a.i].poisson {
		gap = a.rng.ExpFloat64()
	}
	target := a.due + gap
	if target > a.limit {
		a.done = true
		return 0, false
	}
	for a.i+1 < len(a.pieces) && a.pieces[a.i].dueEnd < target {
		a.i++
	}
	p := &a.pieces[a.i]
	x := min(target, p.dueEnd) - p.dueStart // within the slack of the end
	var t float64
	if p.kind == cosine && x > 0 {
		guess := x / p.mid
		if a.hintPiece == a.i+1 && a.hintR > 0 {
			guess = a.hintT + (x-a.hintX)/a.hintR
		}
		t, a.hintR = p.cosineAt(x, guess)
		a.hintPiece, a.hintT, a.hintX = a.i+1, t, x
	} else {
		t = p.at(x)
	}
	offset = time.Duration(math.Round((p.start + t) * 1e9))
	offset = min(max(offset, a.last), a.end)
	a.due, a.last = target, offset
	return offset, true
}

// nextOther finds the next record of a Schedule not from New by bisection:
// the earliest nanosecond at which its Due reaches the next whole record.
func (a *Arrivals) nextOther() (time.Duration, bool) {
	target := a.due + 1
	if target > a.limit {
		a.done = true
		return 0, false
	}
	lo, hi := a.last, a.end // Due(hi) ≥ target, within the slack
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if a.other.Due(mid) >= target {
			hi = mid
		} else {
			lo = mid
		}
	}
	if a.other.Due(lo) >= target {
		hi = lo
	}
	a.due, a.last = target, hi
	return hi, true
}
