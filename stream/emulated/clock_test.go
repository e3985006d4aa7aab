package emulated_test

import (
	"context"
	"sync"
	"time"
)

// fakeClock is a clock that moves only when a test advances it, so limits
// are tested without wall-clock time. Sleep advances it at once, unless the
// clock is manual: then sleepers wait until Advance has moved time past
// their deadline.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	manual bool
	moved  chan struct{} // closed and replaced on every Advance
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), moved: make(chan struct{})}
}

// newManualClock returns a fakeClock whose Sleep waits for Advance.
func newManualClock() *fakeClock {
	c := newFakeClock()
	c.manual = true
	return c
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if !c.manual {
		c.Advance(d)
		return ctx.Err()
	}
	c.mu.Lock()
	deadline := c.now.Add(d)
	for c.now.Before(deadline) {
		moved := c.moved
		c.mu.Unlock()
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
		c.mu.Lock()
	}
	c.mu.Unlock()
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	close(c.moved)
	c.moved = make(chan struct{})
}
