package emulated

import (
	"time"

	"github.com/kinesim/kinesim/stream/delivery"
)

// QuotaFault lowers a stream's Direct PUT quota for a while (chaos): given
// the time of a call and the stream's own quota, it returns the quota in
// force and, inside a fault's window, throttled, which the stream calls
// with each throttled call (calls 1) or record (calls 0) so the fault can
// count what it caused. Outside every window it returns q and nil. It is
// called with the stream's lock held and must not call the emulator.
type QuotaFault func(at time.Time, q delivery.Quota) (inForce delivery.Quota, throttled func(calls, records int))

// SetQuotaFault replaces the quota fault hook (nil: every stream keeps its
// own quota) for calls from now on; chaos sets it when a run starts.
func (e *Emulator) SetQuotaFault(f QuotaFault) {
	if f == nil {
		e.quotaFault.Store(nil)
		return
	}
	e.quotaFault.Store(&f)
}

// quotaInForce retunes the stream's limiter to the quota in force at now
// and returns the fault hook's throttle counter (nil outside a window).
// Called with s.mu held.
func (s *deliveryStream) quotaInForce(now time.Time) func(calls, records int) {
	q, throttled := s.quota, func(int, int) {}
	if f := s.emu.quotaFault.Load(); f != nil {
		if inForce, th := (*f)(now, s.quota); th != nil {
			q, throttled = inForce, th
		}
	}
	s.limiter.retune(q, s.emu.opts.burst, now.UnixNano())
	return throttled
}
