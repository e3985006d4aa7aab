package chaos

import (
	"fmt"
	"time"

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
	faults, setter, err := emulatorSeam[deliveryFaultSetter](p, scenarios.FaultFailedDelivery)
	if err != nil || len(faults) == 0 {
		return err
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

// quotaFaultSetter is the emulator's seam for lowered quotas.
type quotaFaultSetter interface {
	SetQuotaFault(emulated.QuotaFault)
}

// bindQuotaFaults hands the emulated delivery stream one hook for every
// firehose_quota fault of the timeline: a call in a fault's window meets
// the quota the fault sets (the first fault's, when windows overlap), and
// each call or record throttled in the window is counted to the fault.
func (p *Injector) bindQuotaFaults() error {
	faults, setter, err := emulatorSeam[quotaFaultSetter](p, scenarios.FaultFirehoseQuota)
	if err != nil || len(faults) == 0 {
		return err
	}
	setter.SetQuotaFault(func(at time.Time, q delivery.Quota) (delivery.Quota, func(calls, records int)) {
		for _, f := range faults {
			if !f.active(at) {
				continue
			}
			return lowered(q, f.cfg.FirehoseQuota), func(calls, records int) {
				f.calls.Add(int64(calls))
				f.records.Add(int64(records))
				f.retries.Add(int64(records))
			}
		}
		return q, nil
	})
	return nil
}

// lowered is q with the rates a firehose_quota fault sets.
func lowered(q delivery.Quota, by *scenarios.QuotaFault) delivery.Quota {
	if by.RecordsPerS > 0 {
		q.RecordsPerSecond = by.RecordsPerS
	}
	if by.RequestsPerS > 0 {
		q.RequestsPerSecond = by.RequestsPerS
	}
	if by.BytesPerS > 0 {
		q.BytesPerSecond = int(by.BytesPerS)
	}
	return q
}

// emulatorSeam returns the timeline's faults of kind and, when there are
// any, the emulated delivery stream's seam S for them, or an error naming
// the first fault when the target is not the emulator.
func emulatorSeam[S any](p *Injector, kind string) ([]*fault, S, error) {
	var faults []*fault
	var seam S
	for _, f := range p.faults {
		if f.kind == kind {
			faults = append(faults, f)
		}
	}
	if len(faults) == 0 {
		return nil, seam, nil
	}
	dt, ok := p.target.(DeliveryTarget)
	if ok {
		seam, ok = dt.Delivery().(S)
	}
	if !ok {
		return nil, seam, fmt.Errorf("chaos[%d] %s: the %s target (%T) is not the emulated delivery stream", faults[0].index, kind, p.sc.Target.Kind, p.target)
	}
	return faults, seam, nil
}
