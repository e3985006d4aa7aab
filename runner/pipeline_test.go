package runner

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
)

// pipelineScenario is 1,000 bike records at 500/s into "bikes", an
// application forwarding them to "bikes-out", and kinesim reading that.
const pipelineScenario = `
name: pipeline-test
seed: 7
duration: 2s
target: {stream: bikes, shards: 2}
producers:
  - {name: bikes, generator: bike, rate: [{constant: 500/s}], batch: {max_records: 100, linger: 20ms}}
pipelines:
  - name: enricher
    output: bikes-out
    id: {field: source.kinesim_id}
    settle: 2s
`

// forwarder is an application under test in miniature: it reads every
// shard of in (polling every 200ms) and writes each record to out wrapped
// as {"source": RECORD, "n": I}. fault picks what it does wrong with the
// i-th record (from 1): "skip" it, "twice" write it twice, "junk" add a
// record with no id.
type forwarder struct {
	target  stream.Target
	in, out string
	fault   func(i int) string
	// window > 0 aggregates instead: one output record per window input
	// records of a response, {"inputs": [ID, ...]}.
	window int

	mu sync.Mutex
	n  int
}

// run forwards until ctx is done.
func (f *forwarder) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	started := map[string]bool{}
	for ctx.Err() == nil {
		shards, _ := f.target.ListShards(ctx, f.in)
		for _, sh := range shards {
			if !started[sh.ShardID] {
				started[sh.ShardID] = true
				wg.Go(func() { f.shard(ctx, sh.ShardID) })
			}
		}
		sleep(ctx, 100*time.Millisecond)
	}
}

func (f *forwarder) shard(ctx context.Context, shardID string) {
	it, err := f.target.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: f.in, ShardID: shardID, Type: stream.TrimHorizon})
	for err == nil && it != "" {
		out, err := f.target.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
		if ctx.Err() != nil {
			return
		}
		if err != nil { // throttled: the shard's 5 reads a second
			sleep(ctx, 200*time.Millisecond)
			continue
		}
		var recs []stream.Record
		if f.window > 0 {
			f.write(ctx, aggregate(out.Records, f.window))
			it = out.NextShardIterator
			sleep(ctx, 200*time.Millisecond)
			continue
		}
		for _, r := range out.Records {
			f.mu.Lock()
			f.n++
			i := f.n
			f.mu.Unlock()
			wrapped, _ := json.Marshal(map[string]any{"source": json.RawMessage(r.Data), "n": i})
			rec := stream.Record{PartitionKey: r.PartitionKey, Data: wrapped}
			switch f.fault(i) {
			case "skip":
				continue
			case "twice":
				recs = append(recs, rec)
			case "junk": // two records made up: one without an id, one naming a record never made
				recs = append(recs, stream.Record{PartitionKey: "junk", Data: []byte(`{"source":{"note":"made up"}}`)},
					stream.Record{PartitionKey: "junk", Data: []byte(`{"source":{"kinesim_id":"bikes-999999999999"}}`)})
			}
			recs = append(recs, rec)
		}
		f.write(ctx, recs)
		it = out.NextShardIterator
		sleep(ctx, 200*time.Millisecond)
	}
}

// aggregate makes one record per window records, naming their ids.
func aggregate(records []stream.StoredRecord, window int) []stream.Record {
	var out []stream.Record
	for len(records) > 0 {
		n := min(window, len(records))
		var ids []string
		for _, r := range records[:n] {
			id, _, _ := generators.ParseMeta(r.Data)
			ids = append(ids, id)
		}
		data, _ := json.Marshal(map[string]any{"inputs": ids, "count": n})
		out = append(out, stream.Record{PartitionKey: ids[0], Data: data})
		records = records[n:]
	}
	return out
}

// write puts recs, retrying the ones that failed, until ctx is done.
func (f *forwarder) write(ctx context.Context, recs []stream.Record) {
	for len(recs) > 0 && ctx.Err() == nil {
		n := min(len(recs), 500)
		out, err := f.target.PutRecords(ctx, &stream.PutRecordsInput{StreamName: f.out, Records: recs[:n]})
		if err != nil {
			sleep(ctx, 100*time.Millisecond)
			continue
		}
		var failed []stream.Record
		for i, e := range out.Records {
			if e.Failed() {
				failed = append(failed, recs[i])
			}
		}
		recs = append(failed, recs[n:]...)
		if len(failed) > 0 {
			sleep(ctx, 100*time.Millisecond)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// runPipeline runs pipelineScenario with a forwarder doing fault, in a
// synctest bubble, and returns the pipeline's result.
func runPipeline(t *testing.T, fault func(i int) string) result.Pipeline {
	t.Helper()
	return runPipelineWith(t, pipelineScenario, &forwarder{fault: fault})
}

// runPipelineWith runs the scenario src with the application fw.
func runPipelineWith(t *testing.T, src string, fw *forwarder) result.Pipeline {
	t.Helper()
	sc, err := scenarios.Parse([]byte(src), "pipeline-test.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	var res *result.Result
	synctest.Test(t, func(t *testing.T) {
		target := emulated.New()
		ctx, cancel := context.WithCancel(t.Context())
		fw.target, fw.in, fw.out = target, "bikes", "bikes-out"
		done := make(chan struct{})
		go func() { fw.run(ctx); close(done) }()
		res, err = Run(t.Context(), Config{Scenario: sc, Target: target, OutDir: t.TempDir()})
		cancel()
		<-done
		require.NoError(t, err)
	})
	require.Len(t, res.Pipelines, 1)
	assert.Equal(t, int64(1000), res.Totals.RecordsAcknowledged, "every record is acknowledged on the input")
	return res.Pipelines[0]
}

func TestPipelineExactlyOnce(t *testing.T) {
	p := runPipeline(t, func(int) string { return "" })
	assert.Equal(t, int64(1000), p.Matched, "every record came out")
	assert.Zero(t, p.Lost+p.Duplicated+p.Unknown+p.NotAcknowledged, "nothing lost, duplicated or made up: %+v", p)
	assert.Equal(t, int64(1000), p.OutputRecords)
	assert.Equal(t, int64(1000), p.LatencyMs.Count, "every record timed")
	// The forwarder and kinesim poll every 200ms; the producer lingers 20ms.
	assert.Greater(t, p.LatencyMs.P50, 20.0, "latency includes the hops")
	assert.Less(t, p.LatencyMs.Max, 2000.0, "latency is bounded by the pollers")
	require.Len(t, p.Hops, 2)
	assert.Equal(t, result.Hop{Name: "producer -> input", From: "bikes", To: "bikes", RecordsIn: 1000, RecordsOut: 1000, LatencyMs: p.Hops[0].LatencyMs}, p.Hops[0])
	assert.Equal(t, int64(1000), p.Hops[1].RecordsIn)
	assert.Equal(t, int64(1000), p.Hops[1].RecordsOut)
	assert.LessOrEqual(t, p.Hops[0].LatencyMs.P50, p.Hops[1].LatencyMs.P50, "the second hop's latency includes the first's")
	assert.True(t, p.Passed)
}

func TestPipelineCountsWhatTheApplicationGotWrong(t *testing.T) {
	// Every 10th record is skipped, every other 25th written twice, and
	// every other 333rd followed by two made-up records; the counts are
	// worked out below, and the pipeline must find exactly them.
	fault := func(i int) string {
		switch {
		case i%10 == 0:
			return "skip"
		case i%25 == 0:
			return "twice"
		case i%333 == 0:
			return "junk"
		}
		return ""
	}
	var skip, twice, junk int64
	for i := 1; i <= 1000; i++ {
		switch fault(i) {
		case "skip":
			skip++
		case "twice":
			twice++
		case "junk":
			junk += 2
		}
	}
	p := runPipeline(t, fault)
	assert.Equal(t, skip, p.Lost, "lost: the records the application skipped")
	assert.Equal(t, twice, p.Duplicated, "duplicated: the records it wrote twice")
	assert.Equal(t, junk, p.Unknown, "unknown: the records it made up")
	assert.Equal(t, 1000-skip, p.Matched)
	assert.Equal(t, 1000-skip+twice+junk, p.OutputRecords)
	assert.Zero(t, p.NotAcknowledged, "an id never made is unknown, not unacknowledged")
	assert.True(t, p.Passed, "without expect the counts are reported, not judged")
}

func TestPipelineAggregatingApplication(t *testing.T) {
	src := strings.Replace(pipelineScenario, "id: {field: source.kinesim_id}", "id: {list: inputs}", 1)
	p := runPipelineWith(t, src, &forwarder{window: 10})
	assert.Equal(t, "list inputs", p.ID)
	assert.Equal(t, int64(1000), p.Matched, "every input named by a window")
	assert.Zero(t, p.Lost+p.Duplicated+p.Unknown, "%+v", p)
	assert.Less(t, p.OutputRecords, int64(1000), "fewer outputs than inputs: %d", p.OutputRecords)
	assert.Equal(t, int64(1000), p.LatencyMs.Count, "each input timed to its window's receipt")
}

func TestPipelineReadsTheOutputWithEnhancedFanOut(t *testing.T) {
	src := strings.Replace(pipelineScenario, "settle: 2s", "settle: 2s\n    mode: efo", 1)
	p := runPipelineWith(t, src, &forwarder{fault: func(i int) string {
		if i%100 == 0 {
			return "twice"
		}
		return ""
	}})
	assert.Equal(t, "efo", p.Mode)
	assert.Equal(t, int64(1000), p.Matched, "every record came out")
	assert.Equal(t, int64(10), p.Duplicated, "every 100th written twice")
	assert.Zero(t, p.Lost+p.Unknown, "%+v", p)
}

func TestPipelineApplicationFaultsNeedEmulate(t *testing.T) {
	sc, err := scenarios.Parse([]byte(pipelineScenario+`chaos:
  - {at: 1s, for: 1s, producer_timeout: {count: 1, ack_lost: true}, application: enricher}
`), "pipeline-test.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	synctest.Test(t, func(t *testing.T) {
		_, err := Run(t.Context(), Config{Scenario: sc, Target: emulated.New(), OutDir: t.TempDir()})
		require.Error(t, err, "nothing serves the application's calls")
		assert.ErrorContains(t, err, "chaos[0] application enricher")
		assert.ErrorContains(t, err, "kinesim emulate --scenario")
	})
}

func TestPipelineExpect(t *testing.T) {
	p := result.Pipeline{Lost: 3, Duplicated: 0}
	p.Judge(map[string]int64{"lost": 0, "duplicated": 0})
	assert.False(t, p.Passed)
	assert.Equal(t, []string{"lost 3 > 0"}, p.Failures)
	p.Error = "boom"
	p.Judge(nil)
	assert.Equal(t, []string{"output not read: boom"}, p.Failures)
	assert.False(t, p.Passed, "an output that could not be read fails")
}
