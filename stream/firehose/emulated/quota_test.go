package emulated_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

// TestQuotasThrottleAtTheirRates offers each quota twice its rate for 300
// simulated seconds: what is accepted is the quota's rate within 1% (the
// one-second burst adds 1/300), and everything else is answered
// ServiceUnavailableException "Slow down.".
func TestQuotasThrottleAtTheirRates(t *testing.T) {
	const seconds = 300
	cases := []struct {
		name  string
		quota delivery.Quota
		// every tick one call of perCall records of size bytes
		tick          time.Duration
		perCall, size int
		// rate is the documented rate of the quota that binds, and accepted
		// what the case counts against it
		rate     float64
		accepted func(st emulated.Stats, calls int64) float64
	}{
		{
			name:  "records per second",
			quota: delivery.Quota{RecordsPerSecond: 100, RequestsPerSecond: 1000, BytesPerSecond: 1 << 30},
			tick:  100 * time.Millisecond, perCall: 20, size: 10,
			rate:     100,
			accepted: func(st emulated.Stats, _ int64) float64 { return float64(st.IncomingRecords) },
		},
		{
			name:  "requests per second",
			quota: delivery.Quota{RecordsPerSecond: 1 << 20, RequestsPerSecond: 50, BytesPerSecond: 1 << 30},
			tick:  10 * time.Millisecond, perCall: 1, size: 10,
			rate:     50,
			accepted: func(_ emulated.Stats, calls int64) float64 { return float64(calls) },
		},
		{
			name:  "bytes per second",
			quota: delivery.Quota{RecordsPerSecond: 1 << 20, RequestsPerSecond: 1000, BytesPerSecond: 10_000},
			tick:  100 * time.Millisecond, perCall: 20, size: 1000, // 200 kB/s offered
			rate:     10_000,
			accepted: func(st emulated.Stats, _ int64) float64 { return float64(st.IncomingBytes) },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, v, _, _ := newVirtual(t, emulated.WithQuota(tc.quota))
			create(t, e, delivery.Config{Name: "logs"})
			var okCalls, throttledCalls int64
			rs := make([]delivery.Record, tc.perCall)
			for i := range rs {
				rs[i].Data = make([]byte, tc.size)
			}
			v.Run(func() {
				for range seconds * int(time.Second/tc.tick) {
					out, err := e.PutRecordBatch(context.Background(), &delivery.PutRecordBatchInput{DeliveryStreamName: "logs", Records: rs})
					if err != nil {
						require.ErrorIs(t, err, delivery.ErrThrottled)
						require.Equal(t, delivery.SlowDown, asAPI(t, err).Message)
						throttledCalls++
					} else {
						okCalls++
						for _, en := range out.Entries {
							if en.Failed() {
								require.Equal(t, delivery.CodeServiceUnavailable, en.ErrorCode)
								require.Equal(t, delivery.SlowDown, en.ErrorMessage)
							}
						}
					}
					require.NoError(t, v.Sleep(context.Background(), tc.tick))
				}
				require.NoError(t, e.Flush(context.Background(), "logs"))
			})
			st, err := e.Stats("logs")
			require.NoError(t, err)
			got := tc.accepted(st, okCalls) / seconds
			assert.InDelta(t, tc.rate, got, tc.rate*0.01, "accepted per second, want the quota's rate within 1%%")
			offered := int64(seconds * int(time.Second/tc.tick) * tc.perCall)
			assert.Equal(t, offered, st.IncomingRecords+st.ThrottledRecords, "every record is accepted or throttled")
			assert.Equal(t, throttledCalls, st.ThrottledCalls)
			assert.Positive(t, st.ThrottledRecords)
		})
	}
}

func asAPI(t *testing.T, err error) *delivery.APIError {
	t.Helper()
	var api *delivery.APIError
	require.True(t, errors.As(err, &api), "error %v is not an *APIError", err)
	return api
}

// TestPutRecordThrottledAsAWhole: PutRecord over the records quota fails
// the call with ServiceUnavailableException, where PutRecordBatch would
// answer per record.
func TestPutRecordThrottledAsAWhole(t *testing.T) {
	e, v, _, _ := newVirtual(t, emulated.WithQuota(delivery.Quota{RecordsPerSecond: 2, RequestsPerSecond: 100, BytesPerSecond: 1 << 20}))
	create(t, e, delivery.Config{Name: "logs"})
	v.Run(func() {
		for i := range 2 {
			id, err := e.PutRecord(context.Background(), "logs", delivery.Record{Data: []byte("x")})
			require.NoError(t, err, "record %d is within the burst", i)
			assert.NotEmpty(t, id)
		}
		_, err := e.PutRecord(context.Background(), "logs", delivery.Record{Data: []byte("x")})
		require.ErrorIs(t, err, delivery.ErrThrottled)
		assert.Equal(t, delivery.CodeServiceUnavailable, asAPI(t, err).Code)
		require.NoError(t, v.Sleep(context.Background(), time.Second))
		_, err = e.PutRecord(context.Background(), "logs", delivery.Record{Data: []byte("x")})
		require.NoError(t, err, "a second later the quota has refilled")
		require.NoError(t, e.Flush(context.Background(), "logs"))
	})
}

// TestRegionDefaults: streams get their region's Direct PUT quota.
func TestRegionDefaults(t *testing.T) {
	assert.Equal(t, delivery.Quota{RecordsPerSecond: 500_000, RequestsPerSecond: 2_000, BytesPerSecond: 5 << 20}, delivery.DefaultQuota("eu-west-1"))
	assert.Equal(t, delivery.Quota{RecordsPerSecond: 100_000, RequestsPerSecond: 1_000, BytesPerSecond: 1 << 20}, delivery.DefaultQuota("eu-central-1"))
	// In eu-central-1, 1 MiB/s: a 4 MiB burst of calls is throttled after
	// the first MiB.
	e, v, _, _ := newVirtual(t, emulated.WithRegion("eu-central-1"))
	create(t, e, delivery.Config{Name: "logs"})
	v.Run(func() {
		rs := make([]delivery.Record, 4)
		for i := range rs {
			rs[i].Data = make([]byte, 1_000_000)
		}
		out := put(t, e, "logs", rs)
		assert.Equal(t, 3, out.FailedPutCount, "1 MiB of burst takes one 1 MB record, then the bytes quota throttles")
		require.NoError(t, e.Flush(context.Background(), "logs"))
	})
}
