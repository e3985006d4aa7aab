package merge

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// BenchmarkMergePerMillionRecords merges four segments of a run of one
// million records (made in virtual time, each segment on its own emulated
// stream and reading its own shards) and reports the merge's cost per
// million records: reading four result.json files, merging their interval
// logs second by second, judging the four ledgers together (a million
// records and their deliveries) and writing the merged folder.
//
//	go test -run '^$' -bench MergePerMillion -benchtime 3x ./merge/
func BenchmarkMergePerMillionRecords(b *testing.B) {
	const records, seconds, n = 1_000_000, 20, 4
	sc := parse(b, fmt.Sprintf(`
name: merge-bench
seed: 9
duration: %ds
target: {kind: emulated, stream: bench, shards: 64}
producers:
  - name: bikes
    generator: bike
    rate: [{constant: %d/s}]
    batch: {max_records: 500, linger: 50ms}
    max_in_flight: 64
consumers:
  - {name: reader, mode: polling, poll_interval: 1s, sink: idempotent}
`, seconds, records/seconds))
	segs := make([]Segment, n)
	for k := range segs {
		dir := b.TempDir()
		segs[k] = Segment{Source: dir, Dir: dir}
		v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		var err error
		v.Run(func() {
			target := emulated.New(emulated.WithClock(v))
			if k > 0 { // segment 0 creates the stream; the others wait for it
				if err = target.CreateStream(b.Context(), &stream.CreateStreamInput{StreamName: "bench", ShardCount: 64}); err != nil {
					return
				}
			}
			_, err = runner.Run(b.Context(), runner.Config{Scenario: sc, Target: target, Clock: v, OutDir: dir,
				Segment: segment.Segment{Index: k, Count: n}, StartAt: v.Now()})
		})
		require.NoError(b, err)
	}
	var merged int64
	for b.Loop() {
		res, err := Merge(b.Context(), Config{Scenario: sc, Segments: segs, OutDir: b.TempDir()})
		require.NoError(b, err)
		merged = res.Totals.RecordsAcknowledged
	}
	b.ReportMetric(float64(merged), "records")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/(float64(merged)/1e6), "s/million-records")
}
