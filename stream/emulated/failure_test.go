package emulated_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// TestInternalFailureRate writes 500 records (within the shard's limits)
// and reads once, at several rates: failed records carry AWS's code and
// message, and a seeded emulator fails the same records every time.
func TestInternalFailureRate(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		rate             float64
		minFail, maxFail int  // of 500 records
		readFails        bool // the GetRecords call fails
	}{
		{0, 0, 0, false},     // the default: never
		{0.1, 30, 70, false}, // about 50 expected; seed 1's first read draw succeeds
		{1, 500, 500, true},  // every record and call
	}
	for _, tt := range tests {
		run := func() *stream.PutRecordsOutput {
			em := newStream(t, 1, emulated.WithClock(newFakeClock()), emulated.WithInternalFailureRate(tt.rate))
			out := put(t, em, records(500, 10, "k")...)
			_, err := em.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: iteratorFor(t, em, stream.GetShardIteratorInput{Type: stream.TrimHorizon})})
			if tt.readFails {
				assert.ErrorIs(t, err, stream.ErrInternal, "rate %v: GetRecords", tt.rate)
			} else {
				assert.NoError(t, err, "rate %v: GetRecords", tt.rate)
			}
			return out
		}
		out := run()
		assert.GreaterOrEqual(t, out.FailedRecordCount, tt.minFail, "rate %v: failed records", tt.rate)
		assert.LessOrEqual(t, out.FailedRecordCount, tt.maxFail, "rate %v: failed records", tt.rate)
		for i, r := range out.Records {
			if r.Failed() {
				assert.Equal(t, stream.PutRecordsResultEntry{ErrorCode: stream.CodeInternalFailure, ErrorMessage: "Internal service failure."}, r, "rate %v: record %d", tt.rate, i)
			}
		}
		again := run()
		for i := range out.Records {
			assert.Equal(t, out.Records[i].Failed(), again.Records[i].Failed(), "rate %v: record %d fails alike with the same seed", tt.rate, i)
		}
	}
}

// TestInternalFailureTakesNoCapacity: records that failed with InternalFailure
// were not written, so they leave the shard's write capacity to others:
// 1,500 records at once, half of them failing, fit the shard's 1,000-record
// burst with none throttled. PutRecord fails the call with ErrInternal.
func TestInternalFailureTakesNoCapacity(t *testing.T) {
	em := newStream(t, 1, emulated.WithClock(newFakeClock()), emulated.WithInternalFailureRate(0.5))
	codes := map[string]int{}
	for range 3 {
		for _, r := range put(t, em, records(stream.MaxRecordsPerPutRecords, 10, "k")...).Records {
			codes[r.ErrorCode]++
		}
	}
	assert.Zero(t, codes[stream.CodeThrottled], "throttled records; outcomes %v", codes)
	assert.InDelta(t, 750, codes[stream.CodeInternalFailure], 100, "InternalFailure records; outcomes %v", codes)

	always := newStream(t, 1, emulated.WithInternalFailureRate(1))
	_, err := always.PutRecord(context.Background(), &stream.PutRecordInput{StreamName: testStream, Record: stream.Record{PartitionKey: "k"}})
	assert.ErrorIs(t, err, stream.ErrInternal, "PutRecord")
}
