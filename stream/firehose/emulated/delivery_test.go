package emulated_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

// keyPattern is Firehose's default object key: UTC YYYY/MM/dd/HH/, then
// <stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>.
var keyPattern = regexp.MustCompile(`^bucket/(\d{4})/(\d{2})/(\d{2})/(\d{2})/logs-1-(\d{4})-(\d{2})-(\d{2})-(\d{2})-\d{2}-\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestADayOfIntervalBuffers puts 10 records every 10 s for a simulated day
// into a stream with AWS's default hints (5 MiB / 300 s), far below the size
// hint: every object is cut by the interval and holds exactly the 300
// records of its 300 seconds, and the objects hold every record once.
func TestADayOfIntervalBuffers(t *testing.T) {
	e, v, seen, root := newVirtual(t)
	create(t, e, delivery.Config{Name: "logs", AppendNewline: true})
	const calls, perCall = 24 * 360, 10
	v.Run(func() {
		for i := range calls {
			put(t, e, "logs", idRecords(i*perCall, perCall))
			require.NoError(t, v.Sleep(context.Background(), 10*time.Second))
		}
		require.NoError(t, e.Flush(context.Background(), "logs"))
	})
	objs := seen.sorted()
	require.Len(t, objs, 24*12, "one object per 300 s of a day")
	for i, o := range objs {
		assert.Equal(t, epoch.Add(time.Duration(i)*300*time.Second), o.FirstArrival, "object %d starts its buffer", i)
		assert.Equal(t, 300, o.Records, "object %d holds its 300 s of records", i)
		assert.Equal(t, emulated.CutInterval, o.Reason, "object %d: the interval comes long before 5 MiB", i)
		m := keyPattern.FindStringSubmatch(o.Bucket + "/" + o.Key)
		require.NotNil(t, m, "object key %s follows Firehose's naming", o.Key)
		hour := o.FirstArrival.Format("2006/01/02/15")
		assert.Equal(t, hour, m[1]+"/"+m[2]+"/"+m[3]+"/"+m[4], "the prefix is the oldest record's UTC hour")
	}
	lines := readLines(t, root)
	assert.Len(t, lines, len(objs), "one file per object")
	assertEachIDOnce(t, lines, calls*perCall)
	st, err := e.Stats("logs")
	require.NoError(t, err)
	assert.Equal(t, int64(calls*perCall), st.DeliveredRecords)
	assert.Equal(t, int64(0), st.DuplicateRecords)
	assert.Zero(t, st.DataFreshness, "nothing waits after Flush")
}

// assertEachIDOnce checks that the files hold ids 0..n-1, each once.
func assertEachIDOnce(t *testing.T, files map[string][]string, n int) {
	t.Helper()
	seen := make([]int, n)
	for file, lines := range files {
		for _, l := range lines {
			var id int
			_, err := fmt.Sscanf(l, `{"id":%d}`, &id)
			require.NoError(t, err, "line %q of %s", l, file)
			require.True(t, id >= 0 && id < n, "id %d of %s out of range", id, file)
			seen[id]++
		}
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("id %d is in the objects %d times, want once", id, c)
		}
	}
}

// TestSizeCutsBeforeInterval: with a 1 MiB hint and 10,000-byte records, an
// object is cut as soon as its buffer holds 1 MiB (105 records), and the
// remainder waits for the interval.
func TestSizeCutsBeforeInterval(t *testing.T) {
	e, v, seen, _ := newVirtual(t)
	create(t, e, delivery.Config{Name: "logs", Buffering: delivery.BufferingHints{SizeInMBs: 1, IntervalInSeconds: 900}})
	rec := delivery.Record{Data: make([]byte, 10_000)}
	v.Run(func() {
		for range 3 {
			rs := make([]delivery.Record, 100)
			for i := range rs {
				rs[i] = rec
			}
			put(t, e, "logs", rs)
			require.NoError(t, v.Sleep(context.Background(), time.Second))
		}
		require.NoError(t, v.Sleep(context.Background(), 900*time.Second))
	})
	objs := seen.sorted()
	require.Len(t, objs, 3)
	var got []int
	var reasons []emulated.CutReason
	for _, o := range objs {
		got = append(got, o.Records)
		reasons = append(reasons, o.Reason)
		if o.Reason == emulated.CutSize {
			assert.GreaterOrEqual(t, o.DataBytes, 1<<20, "a size cut holds the hint")
			assert.Less(t, o.DataBytes-o.LastRecordBytes, 1<<20, "and not a record more")
		}
	}
	assert.Equal(t, []int{105, 105, 90}, got)
	assert.Equal(t, []emulated.CutReason{emulated.CutSize, emulated.CutSize, emulated.CutInterval}, reasons)
	assert.Equal(t, epoch.Add(2*time.Second+900*time.Second), objs[2].DeliveredAt,
		"the remainder's buffer began with its first record at 2 s and waited the 900 s interval")
}

// TestZeroBufferingDeliversEachCall: IntervalInSeconds 0 cuts an object for
// each call at once.
func TestZeroBufferingDeliversEachCall(t *testing.T) {
	e, v, seen, _ := newVirtual(t)
	create(t, e, delivery.Config{Name: "logs", Buffering: delivery.BufferingHints{ZeroBuffering: true}})
	v.Run(func() {
		for i := range 5 {
			put(t, e, "logs", idRecords(i*3, 3))
			require.NoError(t, v.Sleep(context.Background(), time.Second))
		}
	})
	objs := seen.sorted()
	require.Len(t, objs, 5)
	for i, o := range objs {
		assert.Equal(t, 3, o.Records)
		assert.Equal(t, o.FirstArrival, o.DeliveredAt, "object %d is delivered without waiting", i)
	}
}
