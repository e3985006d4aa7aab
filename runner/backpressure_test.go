package runner

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// slowTarget answers every call after a fixed delay: a target slower than
// the schedule, so backpressure policies show what they do.
type slowTarget struct {
	stream.Target
	delay time.Duration
}

func (s slowTarget) PutRecords(ctx context.Context, in *stream.PutRecordsInput) (*stream.PutRecordsOutput, error) {
	time.Sleep(s.delay)
	return s.Target.PutRecords(ctx, in)
}

// overloadScenario asks for 1,000 records/s in batches of 100 (one every
// 100 ms) with one call in flight; a 190 ms target takes one batch in two.
func overloadScenario(t *testing.T, bp scenarios.Backpressure) *scenarios.Scenario {
	t.Helper()
	sc := constantScenario(t, 1000, 8, 10*time.Second, "random")
	p := &sc.Producers[0]
	p.MaxInFlight = 1
	p.Batch.MaxRecords = 100
	p.Batch.Linger = scenarios.Duration(time.Second)
	p.Backpressure = bp
	require.NoError(t, scenarios.Validate(sc))
	return sc
}

func runSlow(t *testing.T, sc *scenarios.Scenario) *result.Result {
	t.Helper()
	var res *result.Result
	synctest.Test(t, func(t *testing.T) {
		var err error
		res, err = Run(t.Context(), Config{
			Scenario: sc,
			Target:   slowTarget{Target: emulated.New(), delay: 190 * time.Millisecond},
			OutDir:   t.TempDir(),
		})
		require.NoError(t, err)
	})
	return res
}

func TestBackpressureBlockSlipsTheSchedule(t *testing.T) {
	res := runSlow(t, overloadScenario(t, scenarios.Backpressure{Policy: scenarios.BackpressureBlock}))
	tot := res.Totals
	assert.Zero(t, tot.RecordsDropped, "block drops nothing")
	assert.Equal(t, tot.RecordsScheduled, tot.RecordsAcknowledged, "every record is sent, late")
	// The producer can keep only half the pace, so by the end it is seconds
	// behind: send delay grows second by second.
	first, last := res.Series[1].SendDelayMs.P99, res.Series[len(res.Series)-2].SendDelayMs.P99
	assert.Greater(t, last, first+1000, "send delay grows: first %.0f ms, last %.0f ms", first, last)
	// The producer stops at the 10 s duration, behind: what it never made
	// is counted as unsent, and the run ends within the drain.
	assert.Positive(t, tot.RecordsUnsent, "the records it was behind by")
	assert.Equal(t, int64(10000), tot.RecordsScheduled+tot.RecordsUnsent, "made and unsent add up to the schedule")
	assert.LessOrEqual(t, res.ElapsedS, 10+DefaultDrainTimeout.Seconds(), "duration plus drain")
}

func TestBackpressureDropCountsEveryRecord(t *testing.T) {
	res := runSlow(t, overloadScenario(t, scenarios.Backpressure{Policy: scenarios.BackpressureDrop}))
	tot := res.Totals
	assert.Equal(t, int64(10000), tot.RecordsScheduled)
	assert.Equal(t, tot.RecordsScheduled, tot.RecordsSent+tot.RecordsDropped, "sent + dropped = scheduled")
	assert.InDelta(t, 5000, tot.RecordsDropped, 100, "every other batch is shed")
	assert.Less(t, res.LatencyMs["send_delay"].P99, 5.0, "the schedule does not slip")
	var dropped int64
	for _, p := range res.Series {
		dropped += p.RecordsDropped
	}
	assert.Equal(t, tot.RecordsDropped, dropped, "the series accounts for every drop")
}

func TestBackpressureSampleKeepsItsShare(t *testing.T) {
	res := runSlow(t, overloadScenario(t, scenarios.Backpressure{Policy: scenarios.BackpressureSample, Share: 0.25}))
	tot := res.Totals
	assert.Equal(t, tot.RecordsScheduled, tot.RecordsSent+tot.RecordsDropped, "sent + dropped = scheduled")
	assert.Positive(t, tot.RecordsDropped)
}

func TestBackpressureBufferAbsorbsABurst(t *testing.T) {
	// A buffer larger than the whole run's excess never blocks: no slip, no drop.
	res := runSlow(t, overloadScenario(t, scenarios.Backpressure{Policy: scenarios.BackpressureBuffer, Buffer: 20000}))
	tot := res.Totals
	assert.Zero(t, tot.RecordsDropped)
	assert.Equal(t, tot.RecordsScheduled, tot.RecordsAcknowledged)
	assert.Less(t, res.LatencyMs["send_delay"].P99, 5.0, "the schedule does not slip")
	assert.Greater(t, res.LatencyMs["record"].P99, 3000.0, "records wait in the buffer instead")
}

func TestPutRecordMode(t *testing.T) {
	sc := constantScenario(t, 200, 2, 2*time.Second, "random")
	sc.Producers[0].API = scenarios.APIPutRecord
	res := runVirtual(t, sc)
	assert.Equal(t, int64(400), res.Totals.RecordsAcknowledged)
	assert.Equal(t, int64(400), res.Totals.PutCalls, "one call per record")
}

func TestProducersWriteToTheirOwnStreams(t *testing.T) {
	sc := constantScenario(t, 100, 1, 2*time.Second, "random")
	second := sc.Producers[0]
	second.Name, second.Stream = "other", "other-stream"
	sc.Producers = append(sc.Producers, second)
	sc.Target.Keep = true // read the streams back after the run
	target := emulated.New()
	synctest.Test(t, func(t *testing.T) {
		res, err := Run(t.Context(), Config{Scenario: sc, Target: target, OutDir: t.TempDir()})
		require.NoError(t, err)
		assert.Equal(t, int64(400), res.Totals.RecordsAcknowledged)
		for _, name := range []string{"physics", "other-stream"} {
			shards, err := target.ListShards(t.Context(), name)
			require.NoError(t, err, name)
			it, err := target.GetShardIterator(t.Context(), &stream.GetShardIteratorInput{StreamName: name, ShardID: shards[0].ShardID, Type: stream.TrimHorizon})
			require.NoError(t, err)
			out, err := target.GetRecords(t.Context(), &stream.GetRecordsInput{ShardIterator: it})
			require.NoError(t, err)
			assert.Len(t, out.Records, 200, "stream %s has its producer's records", name)
		}
	})
}
