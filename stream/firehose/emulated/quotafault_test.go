package emulated_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

// TestQuotaFaultLowersTheQuotaForItsWindow offers 200 records a second for
// 500 simulated seconds to a stream whose quota (1,000 records/s) a fault
// lowers to 100 records/s from 100 s to 400 s: before the window everything is
// accepted, and after it once the tank refills; in it, the lowered rate within 1%, and the fault
// is told of every record throttled.
func TestQuotaFaultLowersTheQuotaForItsWindow(t *testing.T) {
	own := delivery.Quota{RecordsPerSecond: 1000, RequestsPerSecond: 1000, BytesPerSecond: 1 << 30}
	e, v, _, _ := newVirtual(t, emulated.WithQuota(own))
	create(t, e, delivery.Config{Name: "logs"})
	start := v.Now()
	from, to := start.Add(100*time.Second), start.Add(400*time.Second)
	var faultCalls, faultRecords int
	e.SetQuotaFault(func(at time.Time, q delivery.Quota) (delivery.Quota, func(calls, records int)) {
		require.Equal(t, own, q, "the hook is given the stream's own quota")
		if at.Before(from) || !at.Before(to) {
			return q, nil
		}
		q.RecordsPerSecond = 100
		return q, func(calls, records int) { faultCalls += calls; faultRecords += records }
	})
	const tick, perCall = 100 * time.Millisecond, 20
	var before, in, after int
	v.Run(func() {
		for range 500 * int(time.Second/tick) {
			now := v.Now()
			out := put(t, e, "logs", idRecords(0, perCall))
			accepted := perCall - out.FailedPutCount
			switch {
			case now.Before(from):
				before += accepted
			case now.Before(to):
				in += accepted
			default:
				after += accepted
			}
			require.NoError(t, v.Sleep(context.Background(), tick))
		}
		require.NoError(t, e.Flush(context.Background(), "logs"))
	})
	assert.Equal(t, 200*100, before, "before the window every record is accepted")
	assert.InDelta(t, 100.0, float64(in)/300, 1, "accepted per second in the window, want the lowered quota within 1%%")
	// The first call after the window finds the tank as the lowered rate
	// left it; from then on the stream's own quota accepts everything.
	assert.InDelta(t, 200*100, after, perCall, "after the window the stream's own quota is back")
	st, err := e.Stats("logs")
	require.NoError(t, err)
	assert.Equal(t, 200*300-in, faultRecords, "the fault counts each record it throttled")
	assert.Equal(t, st.ThrottledRecords, int64(faultRecords+200*100-after), "every other throttle came after the window")
	assert.Zero(t, faultCalls, "PutRecordBatch throttles records, not calls")
}
