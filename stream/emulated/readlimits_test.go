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

	// The budget held one second's worth (2 MiB): the 10 MiB answer leaves
	// it 8 MiB short, paid in 4 s at 2 MiB/s.
	steps := []struct {
		advance time.Duration
		want    error
	}{
		{time.Second, stream.ErrThrottled},                      // 6 MiB short
		{3*time.Second - time.Millisecond, stream.ErrThrottled}, // 3.999 s after it
		{time.Millisecond, nil},                                 // 4 s after it: paid, the budget is empty
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

	// From the empty budget, another 10 MiB answer is refused for the
	// next 5 s, as the GetRecords reference says.
	out, err = em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})})
	require.NoError(t, err)
	require.Len(t, out.Records, 10)
	clk.Advance(5*time.Second - time.Millisecond)
	_, err = em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: out.NextShardIterator})
	assert.ErrorIs(t, err, stream.ErrThrottled, "4.999 s after a 10 MiB answer from an empty budget")
	clk.Advance(time.Millisecond)
	_, err = em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: out.NextShardIterator})
	assert.NoError(t, err, "5 s after it")

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

// sharedReads runs readers polling consumers of one shard for seconds
// virtual seconds: each second one record of perSecond bytes (key and data)
// is written, then every reader calls GetRecords at the same instant, or
// spread evenly over the second when spread. It returns the calls made and
// throttled; a throttled reader keeps its iterator and tries again next
// time.
func sharedReads(t *testing.T, readers, perSecond, seconds int, spread bool) (calls, throttled int) {
	t.Helper()
	clk := newFakeClock()
	em := newStream(t, 1, emulated.WithClock(clk))
	its := make([]string, readers)
	for i := range its {
		its[i] = iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.Latest})
	}
	step := time.Duration(0)
	if spread {
		step = time.Second / time.Duration(readers)
	}
	for range seconds {
		put(t, em, stream.Record{PartitionKey: "k", Data: make([]byte, perSecond-1)})
		for i := range its {
			calls++
			out, err := em.GetRecords(context.Background(), &stream.GetRecordsInput{ShardIterator: its[i]})
			if err != nil {
				require.ErrorIs(t, err, stream.ErrThrottled)
				throttled++
			} else {
				its[i] = out.NextShardIterator
			}
			clk.Advance(step)
		}
		clk.Advance(time.Second - step*time.Duration(readers))
	}
	return calls, throttled
}

// TestSharedReadBytesBudget: the 2 MiB/s a shard's polling readers share
// is an average. Readers below it are never throttled, however their calls
// bunch up; readers above it are.
func TestSharedReadBytesBudget(t *testing.T) {
	const kib = 1 << 10
	tests := []struct {
		name              string
		readers, perRead  int // bytes a record (and so a reader's call) carries
		spread, throttles bool
	}{
		// Issue 18: five consumers polling at 1 s, all at once, reading
		// 0.85 MiB/s of the shard together (43% of the limit).
		{"five at once, 0.85 MiB/s", 5, 174 * kib, false, false},
		// Just below the line: five at once reading 1.99 MiB/s.
		{"five at once, 1.99 MiB/s", 5, 407 * kib, false, false},
		// Five calls spread over each second reading 1.99 MiB/s.
		{"five spread, 1.99 MiB/s", 5, 407 * kib, true, false},
		// Above the line: five at once reading 2.5 MiB/s.
		{"five at once, 2.5 MiB/s", 5, 512 * kib, false, true},
		{"five spread, 2.5 MiB/s", 5, 512 * kib, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, throttled := sharedReads(t, tt.readers, tt.perRead, 30, tt.spread)
			if tt.throttles {
				assert.Positive(t, throttled, "%d of %d calls throttled", throttled, calls)
			} else {
				assert.Zero(t, throttled, "%d of %d calls throttled", throttled, calls)
			}
		})
	}
}
