package emulated_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

// TestFailedDeliveriesDuplicate: a fault fails every third object's first
// attempt after its write and every fifth object's first attempt before it.
// The folder then holds every record at least once, and exactly
// N + Stats.DuplicateRecords records, the duplicates being the records of
// the objects written by failed attempts.
func TestFailedDeliveriesDuplicate(t *testing.T) {
	var mu sync.Mutex
	objectNo := 0
	fault := func(a emulated.Attempt) emulated.Outcome {
		if a.Number > 1 {
			return emulated.Deliver
		}
		mu.Lock()
		defer mu.Unlock()
		objectNo++
		switch {
		case objectNo%3 == 0:
			return emulated.FailAfterWrite
		case objectNo%5 == 0:
			return emulated.FailBeforeWrite
		}
		return emulated.Deliver
	}
	e, v, seen, root := newVirtual(t, emulated.WithDeliveryFault(fault))
	create(t, e, delivery.Config{Name: "logs", AppendNewline: true, Buffering: delivery.BufferingHints{IntervalInSeconds: 60}})
	const n = 6000
	v.Run(func() {
		for i := range n / 10 {
			put(t, e, "logs", idRecords(i*10, 10))
			require.NoError(t, v.Sleep(context.Background(), time.Second))
		}
		require.NoError(t, e.Flush(context.Background(), "logs"))
	})
	st, err := e.Stats("logs")
	require.NoError(t, err)
	inFailed := 0
	for _, o := range seen.sorted() {
		if o.Failed {
			inFailed += o.Records
		}
	}
	require.Positive(t, st.DuplicateRecords)
	assert.Equal(t, int64(inFailed), st.DuplicateRecords, "duplicates are the failed objects' records")
	counts := map[int]int{}
	total := 0
	for _, lines := range readLines(t, root) {
		for _, l := range lines {
			var id int
			_, err := fmt.Sscanf(l, `{"id":%d}`, &id)
			require.NoError(t, err)
			counts[id]++
			total++
		}
	}
	assert.Equal(t, n+int(st.DuplicateRecords), total, "N records in, N + duplicates in the objects")
	assert.Len(t, counts, n, "every record is delivered")
	assert.Equal(t, st.FailedAttempts, int64(objectNo/3+objectNo/5-objectNo/15), "failed attempts counted")
}

// TestFailedProcessingGoesToErrorPrefix: FailProcessing writes the object's
// records under ErrorOutputPrefix, with the !{firehose:error-output-type}
// and !{timestamp:...} expressions evaluated.
func TestFailedProcessingGoesToErrorPrefix(t *testing.T) {
	fault := func(emulated.Attempt) emulated.Outcome { return emulated.FailProcessing }
	e, v, seen, _ := newVirtual(t, emulated.WithDeliveryFault(fault))
	create(t, e, delivery.Config{
		Name:              "logs",
		Prefix:            "data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/",
		ErrorOutputPrefix: "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
	})
	v.Run(func() {
		put(t, e, "logs", idRecords(0, 7))
		require.NoError(t, e.Flush(context.Background(), "logs"))
	})
	objs := seen.sorted()
	require.Len(t, objs, 1)
	assert.True(t, objs[0].ErrorOutput)
	assert.True(t, strings.HasPrefix(objs[0].Key, "errors/processing-failed/2026/03/01/logs-1-2026-03-01-00-00-00-"), "key %s", objs[0].Key)
	st, err := e.Stats("logs")
	require.NoError(t, err)
	assert.Equal(t, int64(7), st.ErrorOutputRecords)
	assert.Equal(t, int64(0), st.DeliveredRecords)
}

// TestDeliveryGivesUpAfterTheRetryWindow: an object that never delivers is
// retried every 5 s and dropped once the window has passed.
func TestDeliveryGivesUpAfterTheRetryWindow(t *testing.T) {
	fault := func(emulated.Attempt) emulated.Outcome { return emulated.FailBeforeWrite }
	e, v, seen, _ := newVirtual(t, emulated.WithDeliveryFault(fault), emulated.WithRetry(5*time.Second, time.Hour))
	create(t, e, delivery.Config{Name: "logs"})
	v.Run(func() {
		put(t, e, "logs", idRecords(0, 4))
		require.NoError(t, e.Flush(context.Background(), "logs"))
	})
	st, err := e.Stats("logs")
	require.NoError(t, err)
	assert.Empty(t, seen.sorted())
	assert.Equal(t, int64(4), st.DroppedRecords)
	assert.Equal(t, int64(3600/5+1), st.FailedAttempts, "attempts at 0, 5, ..., 3600 s")
	assert.Equal(t, epoch.Add(time.Hour), v.Now())
}
