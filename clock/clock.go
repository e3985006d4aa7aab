// Package clock is the one seam through which kinesim reads and waits on time,
// so the emulated stream and the runner run in wall-clock or virtual time
// alike. Callers that must act differently in simulated time ask through the
// optional interface Simulated, never for the concrete Virtual type.
// Real and Virtual are safe for concurrent use.
package clock

import (
	"context"
	"runtime"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep blocks until d has passed or ctx is done, returning ctx.Err() then.
	Sleep(ctx context.Context, d time.Duration) error
}

// Real is the wall clock.
type Real struct {
	// SpinBelow makes Sleep yield the processor in a loop instead of
	// arming a timer for waits shorter than it: a timer wakes tens to
	// hundreds of microseconds late, which at tens of thousands of records
	// a second is most of the gap between two records. Zero (the default)
	// always uses a timer; a spinning wait keeps a core busy, and never ends
	// inside a testing/synctest bubble, whose time only moves when every
	// goroutine blocks.
	SpinBelow time.Duration
}

var _ Clock = Real{}

// RunSpinBelow is the SpinBelow of a run's wall clock: waits shorter than
// it (the gaps between records above about 10,000 records/s) yield the
// processor instead of arming a timer that would wake late, keeping send
// delay under a millisecond at 50,000 records/s.
const RunSpinBelow = 100 * time.Microsecond

// Simulated is the optional interface of a clock whose time is simulated
// (Virtual): time stands still while any goroutine of the clock's group
// works and jumps ahead once all of them wait, so a wait costs a handoff,
// not time.
type Simulated interface {
	Clock
	// WakeCancelled ends every wait whose context is done. A goroutine
	// outside the clock's group that cancels a context the group waits on
	// calls it right after, so the waiters wake before time moves on.
	WakeCancelled()
}

// IsSimulated reports whether c's time is simulated (see Simulated).
func IsSimulated(c Clock) bool {
	_, ok := c.(Simulated)
	return ok
}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx is done.
func (r Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if d < r.SpinBelow {
		deadline := time.Now().Add(d)
		for time.Now().Before(deadline) {
			if err := ctx.Err(); err != nil {
				return err
			}
			runtime.Gosched()
		}
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
