package clock

import (
	"context"
	"sync"
	"time"
)

// The helpers below wait through the clock, so that on a Virtual clock
// simulated time knows who is waiting; on any other clock they are the
// plain Go constructs they stand for.

// Go runs f in a new goroutine; on a Virtual clock the goroutine joins the
// clock's group.
func Go(c Clock, f func()) {
	if v, ok := c.(*Virtual); ok {
		v.Go(f)
		return
	}
	go f()
}

// AfterFunc calls f in its own goroutine once d has passed on the clock.
// stop cancels the call and reports whether it was still pending.
func AfterFunc(c Clock, d time.Duration, f func()) (stop func() bool) {
	v, ok := c.(*Virtual)
	if !ok {
		return time.AfterFunc(d, f).Stop
	}
	v.mu.Lock()
	t := v.addTimerLocked(v.now.Add(d), f)
	v.advanceLocked()
	v.mu.Unlock()
	return func() bool {
		v.mu.Lock()
		defer v.mu.Unlock()
		return v.cancelTimerLocked(t)
	}
}

// Group waits for a collection of goroutines, like sync.WaitGroup.
type Group struct {
	v  *Virtual
	wg sync.WaitGroup
	// On a Virtual clock, guarded by v.mu:
	n       int
	waiters []chan struct{}
}

// NewGroup returns a Group whose goroutines wait through c.
func NewGroup(c Clock) *Group {
	v, _ := c.(*Virtual)
	return &Group{v: v}
}

// Go runs f in a new goroutine of the group.
func (g *Group) Go(f func()) {
	if g.v == nil {
		g.wg.Go(f)
		return
	}
	g.v.mu.Lock()
	g.n++
	g.v.mu.Unlock()
	g.v.Go(func() {
		defer g.done()
		f()
	})
}

func (g *Group) done() {
	g.v.mu.Lock()
	defer g.v.mu.Unlock()
	g.n--
	if g.n > 0 {
		return
	}
	for _, w := range g.waiters {
		g.v.active++
		close(w)
	}
	g.waiters = nil
}

// Wait blocks until every goroutine started with Go has returned.
func (g *Group) Wait() {
	if g.v == nil {
		g.wg.Wait()
		return
	}
	g.v.mu.Lock()
	if g.n == 0 {
		g.v.mu.Unlock()
		return
	}
	w := make(chan struct{})
	g.waiters = append(g.waiters, w)
	g.v.waitLocked()
	g.v.mu.Unlock()
	<-w
}

// CancelFunc wraps a context's cancel for use by a goroutine of a Virtual
// clock's group: after cancelling it wakes the waits that the cancellation
// ends, before time can move on. On other clocks it returns cancel.
func CancelFunc(c Clock, cancel context.CancelFunc) context.CancelFunc {
	v, ok := c.(*Virtual)
	if !ok {
		return cancel
	}
	return func() {
		cancel()
		v.WakeCancelled()
	}
}

// Semaphore bounds how many holders run at once, waking waiters in order.
type Semaphore struct {
	v  *Virtual
	ch chan struct{}
	// On a Virtual clock, guarded by v.mu:
	free    int
	waiters []*waiter
}

// NewSemaphore returns a semaphore with n slots whose waiters wait through c.
func NewSemaphore(c Clock, n int) *Semaphore {
	if v, ok := c.(*Virtual); ok {
		return &Semaphore{v: v, free: n}
	}
	return &Semaphore{ch: make(chan struct{}, n)}
}

// TryAcquire takes a slot if one is free.
func (s *Semaphore) TryAcquire() bool {
	if s.v == nil {
		select {
		case s.ch <- struct{}{}:
			return true
		default:
			return false
		}
	}
	s.v.mu.Lock()
	defer s.v.mu.Unlock()
	if s.free > 0 {
		s.free--
		return true
	}
	return false
}

// Acquire takes a slot, waiting for one until ctx is done.
func (s *Semaphore) Acquire(ctx context.Context) error {
	if s.v == nil {
		select {
		case s.ch <- struct{}{}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	v := s.v
	v.mu.Lock()
	if s.free > 0 {
		s.free--
		v.mu.Unlock()
		return nil
	}
	w := v.newWaiterLocked(ctx)
	w.withdraw = func() {
		for i, x := range s.waiters {
			if x == w {
				s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
				return
			}
		}
	}
	s.waiters = append(s.waiters, w)
	v.waitLocked()
	v.mu.Unlock()
	return v.await(w)
}

// Release gives a slot back, to the longest waiter if there is one.
func (s *Semaphore) Release() {
	if s.v == nil {
		<-s.ch
		return
	}
	s.v.mu.Lock()
	defer s.v.mu.Unlock()
	if len(s.waiters) == 0 {
		s.free++
		return
	}
	w := s.waiters[0]
	s.waiters = s.waiters[1:]
	s.v.grantLocked(w, waitGranted)
}

// Run runs f on the clock: as the group's first goroutine on a Virtual
// clock, directly on any other.
func Run(c Clock, f func()) {
	if v, ok := c.(*Virtual); ok {
		v.Run(f)
		return
	}
	f()
}
