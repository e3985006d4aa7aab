package runner

import (
	"sync"
	"time"

	"github.com/kinesim/kinesim/clock"
)

// drainTimer cancels a run's calls (cancel) when the drain time after the
// schedules' end has run out, or the drain time after a stop (start),
// whichever comes first. Producers stop scheduling at their schedule's
// end however far behind they are, so the calls never outlast the
// duration plus the drain. Safe for concurrent use.
type drainTimer struct {
	clk    clock.Clock
	after  time.Duration
	cancel func()

	mu      sync.Mutex
	stops   []func() bool
	stopped bool // a stop started its drain, or the timer is closed
}

// newDrainTimer arms the timer for scheduleLeft (the time until the last
// schedule ends) plus after.
func newDrainTimer(clk clock.Clock, scheduleLeft, after time.Duration, cancel func()) *drainTimer {
	d := &drainTimer{clk: clk, after: after, cancel: cancel}
	d.stops = append(d.stops, clock.AfterFunc(clk, max(scheduleLeft, 0)+after, cancel))
	return d
}

// start starts the drain after a stop, unless one has started.
func (d *drainTimer) start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.stopped {
		d.stopped = true
		d.stops = append(d.stops, clock.AfterFunc(d.clk, d.after, d.cancel))
	}
}

// close stops the timers.
func (d *drainTimer) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	for _, stop := range d.stops {
		stop()
	}
}
