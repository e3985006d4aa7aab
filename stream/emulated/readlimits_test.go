package emulated_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// readStep is one GetRecords call of a test: advance the clock, then call.
type readStep struct {
	advance time.Duration
	want    error
}

// runReadSteps makes steps' GetRecords calls on a one-shard stream, each
// following the last call's iterator.
func runReadSteps(t *testing.T, steps []readStep, opts ...emulated.Option) {
	t.Helper()
	clk := newFakeClock()
	em := newStream(t, 1, append([]emulated.Option{emulated.WithClock(clk)}, opts...)...)
	it := iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})
	for i, step := range steps {
		clk.Advance(step.advance)
		out, err := em.GetRecords(context.Background(), &stream.GetRecordsInput{ShardIterator: it})
		if step.want == nil {
			require.NoError(t, err, "call %d", i)
			it = out.NextShardIterator
			continue
		}
		assert.ErrorIs(t, err, step.want, "call %d", i)
		assert.Nil(t, out, "call %d: a throttled call returns no data", i)
	}
}

func TestGetRecordsCallLimit(t *testing.T) {
	runReadSteps(t, []readStep{
		{0, nil}, // five calls at once use the one-second burst
		{0, nil},
		{0, nil},
		{0, nil},
		{0, nil},
		{0, stream.ErrThrottled}, // the sixth is throttled
		{199 * time.Millisecond, stream.ErrThrottled}, // a call refills in 200 ms
		{time.Millisecond, nil},                       // now it has
		{0, stream.ErrThrottled},                      // and it is spent again
	})
}

func TestGetRecordsByteLimit(t *testing.T) {
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk))
	// Ten records of exactly 1 MiB (key plus data), one a second so the
	// write limit lets them in.
	for range 10 {
		put(t, em, stream.Record{PartitionKey: "k", Data: make([]byte, stream.DefaultMaxRecordBytes-1)})
		clk.Advance(time.Second)
	}
	ctx := context.Background()
	it := iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})
	out, err := em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
	require.NoError(t, err)
	require.Len(t, out.Records, 10, "one response carries up to 10 MiB")

	steps := []struct {
		advance time.Duration
		want    error
	}{
		{time.Second, stream.ErrThrottled},                      // within 5 s of a 10 MiB response
		{4*time.Second - time.Millisecond, stream.ErrThrottled}, // 4.999 s after it
		{time.Millisecond, nil},                                 // 5 s after it: 10 MiB at 2 MiB/s is paid
	}
	it = out.NextShardIterator
	for i, step := range steps {
		clk.Advance(step.advance)
		_, err := em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
		if step.want == nil {
			assert.NoError(t, err, "step %d", i)
		} else {
			assert.ErrorIs(t, err, step.want, "step %d", i)
		}
	}

	t.Run("a page stops before 10 MiB", func(t *testing.T) {
		put(t, em, stream.Record{PartitionKey: "k", Data: []byte("small")})
		clk.Advance(time.Minute)
		out, err := em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})})
		require.NoError(t, err)
		assert.Len(t, out.Records, 10, "the 11th record would pass 10 MiB")
		assert.Positive(t, out.MillisBehindLatest)
	})
}

// TestThrottledReadsCounted polls a shard faster than 5 calls a second with
// WithThrottledReadsCounted: each throttled call takes a call from the
// bucket, so recovering takes longer than when throttled calls are free
// (TestGetRecordsCallLimit).
func TestThrottledReadsCounted(t *testing.T) {
	runReadSteps(t, []readStep{
		{0, nil}, // five calls at once use the one-second burst
		{0, nil},
		{0, nil},
		{0, nil},
		{0, nil},
		{0, stream.ErrThrottled}, // the sixth is throttled and owes a call
		{200 * time.Millisecond, stream.ErrThrottled}, // the call refilled pays the debt; this one owes again
		{400 * time.Millisecond, nil},                 // two refills: one pays, one is spent here
		{0, stream.ErrThrottled},                      // empty again: owes one
		{0, stream.ErrThrottled},                      // owes two
		{0, stream.ErrThrottled},                      // ...
		{0, stream.ErrThrottled},
		{0, stream.ErrThrottled},
		{0, stream.ErrThrottled},                       // the debt stops at one second's worth: 5 calls
		{1199 * time.Millisecond, stream.ErrThrottled}, // 5.995 refills leave it short of a call: it owes one again
		{400 * time.Millisecond, nil},                  // two more refills pay for this call
	}, emulated.WithThrottledReadsCounted())
}
