package merge

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/emulated"
)

const splitScenario = `
name: split
seed: 5
duration: 4s
target: {kind: emulated, stream: split, shards: 4}
producers:
  - name: bikes
    generator: bike
    options: {city: Berlin, stations: 50, bikes: 500}
    partition_key: {field: bike_id}
    rate: [{ramp: {from: 100/s, to: 600/s}, for: 3s, arrivals: poisson}, {constant: 300/s}]
    batch: {max_records: 50, linger: 20ms}
    retry: {max_attempts: 5, base: 10ms, cap: 100ms}
consumers:
  - {name: reader, mode: polling, poll_interval: 200ms, sink: idempotent, expect: {lost: 0, duplicate_effects: 0}}
`

func parse(t testing.TB, src string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse([]byte(src), "split.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	return sc
}

// runSegments runs sc as n segments side by side on one emulated stream,
// in a synctest bubble, from a common start, and returns their folders.
func runSegments(t *testing.T, sc *scenarios.Scenario, n int) []Segment {
	t.Helper()
	segs := make([]Segment, n)
	for i := range segs {
		dir := t.TempDir()
		segs[i] = Segment{Source: dir, Dir: dir}
	}
	synctest.Test(t, func(t *testing.T) {
		target := emulated.New()
		startAt := time.Now().Add(time.Second)
		var wg sync.WaitGroup
		for k := range n {
			wg.Go(func() {
				_, err := runner.Run(t.Context(), runner.Config{Scenario: sc, Target: target, OutDir: segs[k].Dir,
					Segment: segment.Segment{Index: k, Count: n}, StartAt: startAt})
				assert.NoError(t, err, "segment %d", k)
			})
		}
		wg.Wait()
	})
	return segs
}

func readResults(t *testing.T, segs []Segment) []*result.Result {
	t.Helper()
	var out []*result.Result
	for _, s := range segs {
		r, err := result.Read(filepath.Join(s.Dir, "result.json"))
		require.NoError(t, err)
		out = append(out, r)
	}
	return out
}

// oneHistogram is every value of every segment's interval log for metric
// in one histogram, read without package metrics: the reference the
// merged percentiles must equal.
func oneHistogram(t *testing.T, segs []Segment, metric string) *hdrhistogram.Histogram {
	t.Helper()
	all := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	for _, s := range segs {
		f, err := os.Open(filepath.Join(s.Dir, metrics.IntervalLogFile))
		require.NoError(t, err)
		r := hdrhistogram.NewHistogramLogReader(f)
		for {
			h, err := r.NextIntervalHistogram()
			require.NoError(t, err)
			if h == nil {
				break
			}
			if h.Tag() == metric {
				all.Merge(h)
			}
		}
		f.Close()
	}
	return all
}

func TestMergeOfFourSegments(t *testing.T) {
	sc := parse(t, splitScenario)
	segs := runSegments(t, sc, 4)
	parts := readResults(t, segs)
	out := t.TempDir()
	res, err := Merge(t.Context(), Config{Scenario: sc, Segments: segs, OutDir: out})
	require.NoError(t, err)

	assert.True(t, res.Complete, res.StopReason)
	require.NotNil(t, res.Merged)
	assert.Len(t, res.Merged.Segments, 4)
	assert.Empty(t, res.Merged.Missing)

	// Totals are the segments' sums, field by field.
	var want result.Totals
	for _, p := range parts {
		addInts(&want, p.Totals)
	}
	assert.Equal(t, want, res.Totals)
	assert.Positive(t, res.Totals.RecordsAcknowledged)
	assert.Equal(t, res.Totals.RecordsAcknowledged, res.Totals.RecordsConsumed, "each record read once, by some segment")
	var perSecond int64
	for _, p := range res.Series {
		perSecond += p.RecordsScheduled
	}
	assert.Equal(t, res.Totals.RecordsScheduled, perSecond, "the series adds up to the totals")
	var shardRecords, shardUsers int64
	for _, sh := range res.Shards {
		shardRecords += sh.RecordsAcknowledged
		shardUsers += sh.UserRecordsAcknowledged
	}
	assert.Equal(t, res.Totals.KinesisRecordsAcknowledged, shardRecords, "the shards add up to the Kinesis records")
	assert.Equal(t, res.Totals.RecordsAcknowledged, shardUsers, "and to the user records")
	assert.InDelta(t, float64(res.Totals.KinesisRecordsAcknowledged)/res.ElapsedS, res.Throughput.KinesisRecordsAcknowledgedPerS, 1e-9)

	// Percentiles are those of one histogram holding every value.
	for _, metric := range []string{"record", "put_records", "send_delay", "end_to_end"} {
		all := oneHistogram(t, segs, metric)
		got := res.LatencyMs[metric]
		require.Positive(t, all.TotalCount(), metric)
		assert.Equal(t, all.TotalCount(), got.Count, "%s count", metric)
		assert.Equal(t, float64(all.ValueAtQuantile(50))/1000, got.P50, "%s p50", metric)
		assert.Equal(t, float64(all.ValueAtQuantile(99))/1000, got.P99, "%s p99", metric)
		assert.Equal(t, float64(all.Max())/1000, got.Max, "%s max", metric)
	}

	// The ledgers judged together: records produced by one segment and
	// read by another's consumer are delivered, not lost or unknown.
	require.NotNil(t, res.Verification)
	assert.True(t, res.Verification.Passed, "%+v", res.Verification)
	v := res.Verification.Consumers[0]
	assert.Equal(t, res.Totals.RecordsAcknowledged, v.Acknowledged)
	assert.Equal(t, res.Totals.RecordsAcknowledged, v.DistinctRecords)
	assert.Zero(t, v.Lost)
	assert.Zero(t, v.Unknown)
	assert.Zero(t, v.DuplicateDeliveries)

	// The merged series file is the segments' added second by second.
	bySecond := map[int][2]int64{}
	for _, seg := range segs {
		_, err := result.ReadSeriesFile(filepath.Join(seg.Dir, result.SeriesFile), func(l result.SecondLine) error {
			w := bySecond[l.Second]
			bySecond[l.Second] = [2]int64{w[0] + l.RecordsScheduled, w[1] + l.RecordsAcknowledged}
			return nil
		})
		require.NoError(t, err)
	}
	got := map[int][2]int64{}
	_, err = result.ReadSeriesFile(filepath.Join(out, result.SeriesFile), func(l result.SecondLine) error {
		if l.RecordsScheduled != 0 || l.RecordsAcknowledged != 0 {
			got[l.Second] = [2]int64{l.RecordsScheduled, l.RecordsAcknowledged}
		}
		return nil
	})
	require.NoError(t, err)
	for sec, w := range bySecond {
		if w == [2]int64{} {
			delete(bySecond, sec)
		}
	}
	assert.Equal(t, bySecond, got, "merged series.jsonl: scheduled and acknowledged per second")

	written, err := result.Read(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	assert.Equal(t, res.Totals, written.Totals)
	merged := oneHistogram(t, []Segment{{Dir: out}}, "record")
	assert.Equal(t, oneHistogram(t, segs, "record").TotalCount(), merged.TotalCount(), "the merged latency.hlog holds every value")
}

// TestMergeFindsTheInjectedDuplicates: lost acknowledgements (the write
// lands, the producer times out and retries) in every segment; the merged
// ledgers find exactly the records those calls held as duplicates.
func TestMergeFindsTheInjectedDuplicates(t *testing.T) {
	sc := parse(t, splitScenario+`
chaos:
  - {at: 1s, for: 2s, producer_timeout: {count: 6, ack_lost: true}}
`)
	sc.Consumers[0].Expect = nil
	segs := runSegments(t, sc, 4)
	res, err := Merge(t.Context(), Config{Scenario: sc, Segments: segs, OutDir: t.TempDir()})
	require.NoError(t, err)
	require.Len(t, res.Chaos, 1)
	f := res.Chaos[0]
	assert.Equal(t, int64(6), f.CallsAffected, "the count of 6 split between the segments")
	require.Positive(t, f.RecordsAffected)
	v := res.Verification.Consumers[0]
	assert.Equal(t, f.RecordsAffected, v.DuplicateDeliveries, "each record of a lost-ack call is stored and read twice")
	assert.Zero(t, v.Lost)
	assert.Zero(t, v.DuplicateEffects, "the idempotent sink applies each once")
}

// TestMergeSaysWhichSegmentIsIncomplete: a segment stopped early and one
// that never wrote its result.json are named, and the result is incomplete.
func TestMergeSaysWhichSegmentIsIncomplete(t *testing.T) {
	sc := parse(t, splitScenario)
	segs := runSegments(t, sc, 4)
	// Segment 2 was killed before writing its result.json.
	killed := segs[2]
	require.NoError(t, os.Remove(filepath.Join(killed.Dir, "result.json")))
	// Segment 3 was stopped early.
	r, err := result.Read(filepath.Join(segs[3].Dir, "result.json"))
	require.NoError(t, err)
	r.Complete, r.StopReason = false, "interrupted"
	require.NoError(t, r.WriteJSON(filepath.Join(segs[3].Dir, "result.json")))

	res, err := Merge(t.Context(), Config{Scenario: sc, Segments: segs, OutDir: t.TempDir()})
	require.NoError(t, err)
	assert.False(t, res.Complete)
	assert.Equal(t, []string{"2/4"}, res.Merged.Missing)
	assert.Contains(t, res.StopReason, "missing segment(s) 2/4")
	assert.Contains(t, res.StopReason, "segment 3/4 ("+segs[3].Dir+") incomplete: interrupted")
	assert.Contains(t, res.StopReason, killed.Dir+": no result.json")

	// Without segment 1's folder at all, it is missing too.
	res, err = Merge(t.Context(), Config{Scenario: sc, Segments: []Segment{segs[0], segs[3]}, OutDir: t.TempDir()})
	require.NoError(t, err)
	assert.Equal(t, []string{"1/4", "2/4"}, res.Merged.Missing)
}

func TestMergeRefusesAWholeRun(t *testing.T) {
	sc := parse(t, splitScenario)
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		_, err := runner.Run(t.Context(), runner.Config{Scenario: sc, Target: emulated.New(), OutDir: dir})
		require.NoError(t, err)
	})
	_, err := Merge(t.Context(), Config{Scenario: sc, Segments: []Segment{{Source: dir, Dir: dir}}, OutDir: t.TempDir()})
	assert.ErrorIs(t, err, ErrNotASegment)
	assert.ErrorContains(t, err, "whole run")
}
