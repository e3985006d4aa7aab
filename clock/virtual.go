package clock

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"
)

// Virtual is simulated time for a group of goroutines: time stands still
// while any of them works and jumps to the next timer as soon as all of them
// wait. A run on a Virtual clock takes as long as its CPU work, not its
// simulated duration.
//
// The goroutines of the group (the one running Run and every goroutine
// started with Go, Group.Go or AfterFunc on this clock) must wait only
// through the clock: Sleep, Semaphore.Acquire, Group.Wait. A goroutine of
// the group blocked on anything else (a channel, a network call) looks busy,
// so time waits for it; that is safe but stalls time. Mutexes held briefly
// are fine. Goroutines outside the group may use the clock's Now freely.
//
// Safe for concurrent use.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	active int // goroutines of the group not waiting on the clock
	timers timerHeap
	seq    uint64
	// cancellable holds the waits whose context can be cancelled, so that
	// WakeCancelled can find them.
	cancellable map[*waiter]struct{}
}

var _ Simulated = (*Virtual)(nil)

// waiter is one goroutine waiting on the clock.
type waiter struct {
	ctx   context.Context
	wake  chan struct{}
	state waitState
	// withdraw removes the wait from whatever holds it (timer heap, semaphore queue).
	withdraw func()
}

type waitState int

const (
	waitPending waitState = iota
	waitGranted
	waitCancelled
)

var _ Clock = (*Virtual)(nil)

// NewVirtual returns a virtual clock reading start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// Run runs f as the group's first goroutine and returns when f has returned.
// Goroutines f started with Go may still be running.
func (v *Virtual) Run(f func()) {
	v.mu.Lock()
	v.active++
	v.mu.Unlock()
	defer v.exit()
	f()
}

// Go runs f in a new goroutine of the group.
func (v *Virtual) Go(f func()) {
	v.mu.Lock()
	v.active++
	v.mu.Unlock()
	go func() {
		defer v.exit()
		f()
	}()
}

func (v *Virtual) exit() {
	v.mu.Lock()
	v.active--
	v.advanceLocked()
	v.mu.Unlock()
}

// Now returns the simulated time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Sleep waits until d of simulated time has passed or ctx is done.
func (v *Virtual) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	v.mu.Lock()
	w := v.newWaiterLocked(ctx)
	t := v.addTimerLocked(v.now.Add(d), nil)
	t.w = w
	w.withdraw = func() { v.cancelTimerLocked(t) }
	v.waitLocked()
	v.mu.Unlock()
	return v.await(w)
}

func (v *Virtual) newWaiterLocked(ctx context.Context) *waiter {
	w := &waiter{ctx: ctx, wake: make(chan struct{})}
	if ctx.Done() != nil {
		if v.cancellable == nil {
			v.cancellable = make(map[*waiter]struct{})
		}
		v.cancellable[w] = struct{}{}
	}
	return w
}

// waitLocked marks the calling goroutine as waiting; callers hold v.mu.
func (v *Virtual) waitLocked() {
	v.active--
	if v.active < 0 {
		panic("clock: a goroutine outside the virtual clock's group waited on it; start it with clock.Go or a clock.Group")
	}
	v.advanceLocked()
}

// grantLocked ends a wait: the waiter counts as busy again from now on.
func (v *Virtual) grantLocked(w *waiter, state waitState) {
	w.state = state
	delete(v.cancellable, w)
	v.active++
	close(w.wake)
}

// await blocks until the wait is granted or cancelled, or its context is
// done. Whoever ends the wait counts the waiter busy again, under the lock,
// so time cannot move on while it is about to run.
func (v *Virtual) await(w *waiter) error {
	select {
	case <-w.wake:
	case <-w.ctx.Done():
		v.mu.Lock()
		if w.state == waitPending {
			w.withdraw()
			v.grantLocked(w, waitCancelled)
		}
		v.mu.Unlock()
	}
	if w.state == waitCancelled {
		return w.ctx.Err()
	}
	return nil
}

// WakeCancelled ends every wait whose context is done. A goroutine of the
// group that cancels a context others wait on calls it right after cancel
// (see CancelFunc), so the waiters count as busy before time can move on.
func (v *Virtual) WakeCancelled() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for w := range v.cancellable {
		if w.ctx.Err() != nil {
			w.withdraw()
			v.grantLocked(w, waitCancelled)
		}
	}
}

// advanceLocked moves time to the next timer while every goroutine of the
// group waits, waking that timer's goroutine (or starting its function).
func (v *Virtual) advanceLocked() {
	for v.active == 0 && len(v.timers) > 0 {
		t := heap.Pop(&v.timers).(*timer)
		t.index = -1
		if t.when.After(v.now) {
			v.now = t.when
		}
		if t.fn != nil {
			v.active++
			go func() {
				defer v.exit()
				t.fn()
			}()
			continue
		}
		v.grantLocked(t.w, waitGranted)
	}
}

func (v *Virtual) addTimerLocked(when time.Time, fn func()) *timer {
	v.seq++
	t := &timer{when: when, seq: v.seq, fn: fn}
	heap.Push(&v.timers, t)
	return t
}

// cancelTimerLocked removes a pending timer and reports whether it was pending.
func (v *Virtual) cancelTimerLocked(t *timer) bool {
	if t.index < 0 {
		return false
	}
	heap.Remove(&v.timers, t.index)
	t.index = -1
	return true
}

// String describes the clock's state, for debugging a stalled simulation.
func (v *Virtual) String() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return fmt.Sprintf("virtual clock at %s: %d busy, %d timers", v.now.Format(time.RFC3339Nano), v.active, len(v.timers))
}

type timer struct {
	when  time.Time
	seq   uint64
	w     *waiter // the sleeper to wake, or
	fn    func()  // the function to start
	index int
}

// timerHeap orders timers by time, then by creation, so that simultaneous
// timers fire in a fixed order.
type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
