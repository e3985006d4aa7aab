// Package clock is the one seam through which kinesim reads and waits on time,
// so the emulated stream and the runner can later run in virtual time.
// Real is safe for concurrent use.
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
