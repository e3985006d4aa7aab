package metrics

import (
	"time"
)

// AddConsumed records a consumer's deliveries at time t: records of bytes
// data bytes, first of them received for the first time. A call with
// zeros makes the consumer known, so its backlog counts from then on.
func (r *Recorder) AddConsumed(consumer string, records, bytes, first int64, t time.Time) {
	r.mu.Lock()
	defer r.unlockAndNotify()
	o := r.secondAt(t)
	if o == nil {
		return
	}
	c := r.consumerOf(o, consumer)
	c.Records += records
	c.Bytes += bytes
	c.FirstReceived += first
}
