package chaos

import (
	"fmt"

	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

// DeliveryTarget is a stream.Target in front of a delivery stream (package
// stream/delivery/asstream); failed_delivery faults need its endpoint to be
// the emulator.
type DeliveryTarget interface {
	Delivery() delivery.Target
}

// deliveryFaultSetter is the emulator's seam for failed deliveries.
type deliveryFaultSetter interface {
	SetDeliveryFault(emulated.DeliveryFault)
}

// bindDeliveryFaults hands the emulated delivery stream one hook for every
// failed_delivery fault of the timeline: an attempt made in a fault's
// window that the fault picks fails, before or after its object is
// written. Attempts are picked by their order in the window (count) or by
// a hash of it (probability), so a run is repeatable.
func (p *Injector) bindDeliveryFaults() error {
	var faults []*fault
	for _, f := range p.faults {
		if f.kind == scenarios.FaultFailedDelivery {
			faults = append(faults, f)
		}
	}
	if len(faults) == 0 {
		return nil
	}
	dt, ok := p.target.(DeliveryTarget)
	var setter deliveryFaultSetter
	if ok {
		setter, ok = dt.Delivery().(deliveryFaultSetter)
	}
	if !ok {
		return fmt.Errorf("chaos[%d] failed_delivery: the %s target (%T) is not the emulated delivery stream", faults[0].index, p.sc.Target.Kind, p.target)
	}
	setter.SetDeliveryFault(func(a emulated.Attempt) emulated.Outcome {
		for _, f := range faults {
			if a.At.Before(f.from) || !a.At.Before(f.to) || !f.pick.pick(f.attempts.Add(1)) {
				continue
			}
			f.hitCall(a.Records, a.Records)
			if f.cfg.FailedDelivery.AfterWrite {
				// The object stays in S3 and the retry writes it again.
				f.redelivered.Add(int64(a.Records))
				return emulated.FailAfterWrite
			}
			return emulated.FailBeforeWrite
		}
		return emulated.Deliver
	})
	return nil
}
