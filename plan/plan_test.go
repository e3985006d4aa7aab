package plan

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/pricing"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/emulated"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// scenario parses a one-producer scenario: rate records/s of bike records
// padded to size, keyed by keys, for duration, with extra YAML appended.
func scenario(t testing.TB, rate, size, keys string, duration time.Duration, extra string) *scenarios.Scenario {
	t.Helper()
	src := fmt.Sprintf(`
name: analytic
seed: 3
duration: %s
target: {kind: emulated, stream: analytic, shards: 1}
producers:
  - name: p
    generator: bike
    options: {record_size: %s}
    partition_key: %s
    rate: [%s]
    retry: {max_attempts: 1, base: 10ms, cap: 100ms}
%s`, duration, size, keys, rate, extra)
	sc, err := scenarios.Parse([]byte(src), "analytic.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	return sc
}

func TestAnalyticShardCounts(t *testing.T) {
	threeReaders := `consumers:
  - {name: a, mode: polling, poll_interval: 1s}
  - {name: b, mode: polling, poll_interval: 1s}
  - {name: c, mode: polling, poll_interval: 1s}`
	tests := []struct {
		name     string
		rate     string
		size     string
		extra    string
		headroom float64
		want     int
	}{
		// 5,000 records/s of 1 KiB spread evenly: 5,000/1,000 records and
		// 4.96 MiB/s, so five full shards.
		{"uniform keys, no headroom", "{constant: 5000/s}", "1KiB", "", 0, 5},
		// The same with 20% headroom: 5,000/800 = 6.25, so seven.
		{"uniform keys, 20% headroom", "{constant: 5000/s}", "1KiB", "", 0.2, 7},
		// Small records: the record count binds (0.5 MiB/s but 5,000 records/s).
		{"record-count bound", "{constant: 5000/s}", "84", "", 0, 5},
		// 4 KiB records at 1,000/s: one shard's records but 3.9 MiB/s.
		{"byte bound", "{constant: 1000/s}", "4KiB", "", 0, 4},
		// 2,000 records/s of 1 KiB (1.98 MiB/s) need two shards to write,
		// but three polling readers read 5.95 MiB/s from 2 MiB/s shards.
		{"read bound, three polling consumers", "{constant: 2000/s}", "1KiB", threeReaders, 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := scenario(t, tt.rate, tt.size, "random", 10*time.Second, tt.extra)
			obj := ObjectivesOf(sc)
			obj.Headroom = tt.headroom
			res, err := Plan(context.Background(), sc, WithObjectives(obj), WithMeasuredRuns(false, 0))
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Recommended, "recommended shards")
			assert.Empty(t, res.Blockers)
			below := candidate(t, res, tt.want-1)
			assert.False(t, below.Meets, "one shard fewer (%d) must fail; it has %v", tt.want-1, below)
		})
	}
}

func candidate(t *testing.T, res *Result, shards int) Candidate {
	t.Helper()
	for _, c := range res.Candidates {
		if c.Shards == shards {
			return c
		}
	}
	require.Failf(t, "candidate missing", "no candidate with %d shards in %+v", shards, res.Candidates)
	return Candidate{}
}

func TestHotKeyNoShardCountFixes(t *testing.T) {
	// 30% of 5,000 records/s is 1,500 records/s on the key "hot".
	sc := scenario(t, "{constant: 5000/s}", "200", "{hot: {share: 0.3, keys: 1000}}", 10*time.Second, "")
	res, err := Plan(context.Background(), sc)
	require.NoError(t, err)
	assert.Zero(t, res.Recommended, "no shard count meets the objectives")
	require.NotEmpty(t, res.Blockers)
	b := res.Blockers[0]
	assert.Equal(t, "hot_key_records", b.Kind)
	assert.Equal(t, generators.HotKeyName, b.Key)
	assert.Contains(t, b.Message, `"hot"`)
	assert.Contains(t, b.Message, "no shard count fixes this")
	assert.Contains(t, b.Fix, "suffix")
	assert.Contains(t, b.Fix, "ExplicitHashKey")
	require.NotEmpty(t, res.HotKeys)
	assert.InDelta(t, 1500, res.HotKeys[0].PeakRecordsPerS, 1)
	assert.False(t, res.OnDemand.Meets, "on-demand caps a key at 1,000 records/s too")
	assert.Less(t, len(res.Candidates), 10, "the search stops once a key rules every count out")

	var text strings.Builder
	require.NoError(t, res.WriteText(&text))
	assert.Contains(t, text.String(), "no shard count fixes this")
}

func TestReadCallsNoShardCountFixes(t *testing.T) {
	// Six polling consumers at 1 s make 6 GetRecords calls/s a shard, over 5.
	var extra strings.Builder
	extra.WriteString("consumers:\n")
	for i := range 6 {
		fmt.Fprintf(&extra, "  - {name: c%d, mode: polling, poll_interval: 1s}\n", i)
	}
	sc := scenario(t, "{constant: 100/s}", "200", "random", 5*time.Second, extra.String())
	res, err := Plan(context.Background(), sc)
	require.NoError(t, err)
	assert.Zero(t, res.Recommended)
	require.NotEmpty(t, res.Blockers)
	assert.Equal(t, "read_calls", res.Blockers[0].Kind)
	assert.Contains(t, res.Blockers[0].Fix, "enhanced fan-out")
}

// TestFluidModelWithinBound checks the coarse model's stated error bound:
// on traffic near and over the limits, the fluid model's throttle ratio is
// within its CoarseErrorBound of the per-record simulation's.
func TestFluidModelWithinBound(t *testing.T) {
	tests := []struct {
		name, rate, keys string
	}{
		// A ramp through one, two and three shards' limits.
		{"ramp", "{ramp: {from: 500/s, to: 3500/s}, for: 30s}", "random"},
		// A sine swinging around the limits.
		{"sine", "{sine: {min: 1000/s, max: 3000/s, period: 20s}, for: 30s}", "random"},
		// A short spike with sharp edges inside seconds.
		{"spike", "{spike: {base: 1500/s, peak: 4000/s, at: 10.5s, for: 3.2s}, for: 30s}", "random"},
		// Zipf keys: shards carry uneven shares.
		{"zipf keys", "{ramp: {from: 500/s, to: 3000/s}, for: 30s}", "{zipf: {keys: 500, s: 0.8}}"},
		// Poisson arrivals around a steady rate close to the limit.
		{"poisson", "{constant: 2900/s, arrivals: poisson, for: 30s}", "random"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := scenario(t, tt.rate, "300", tt.keys, 30*time.Second, "")
			tr, err := newTraffic(sc, 1<<30)
			require.NoError(t, err)
			require.Len(t, tr.windows, 1, "the per-record simulation covers the whole run")
			for _, n := range []int{2, 3, 4} {
				fluid := evaluate(tr, n, true)
				exact := evaluate(tr, n, false)
				got, want := fluid.throttled/tr.total, exact.throttled/tr.total
				bound := fluid.errorBound / tr.total
				assert.LessOrEqual(t, math.Abs(got-want), bound+1e-4,
					"%d shards: fluid %.5f, per record %.5f, bound %.5f", n, got, want, bound)
				assert.Zero(t, exact.errorBound, "the per-record simulation has no coarse error")
				t.Logf("%d shards: fluid %.5f, per record %.5f, bound %.5f", n, got, want, bound)
			}
		})
	}
}

func TestRouteMatchesEmulator(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{1, 2, 3, 7, 16} {
		em := emulated.New()
		name := fmt.Sprintf("route-%d", n)
		require.NoError(t, em.CreateStream(ctx, &stream.CreateStreamInput{StreamName: name, ShardCount: n, Mode: stream.ModeProvisioned}))
		var recs []stream.Record
		for i := range 300 {
			recs = append(recs, stream.Record{PartitionKey: fmt.Sprintf("key-%d", i), Data: []byte("x")})
		}
		out, err := em.PutRecords(ctx, &stream.PutRecordsInput{StreamName: name, Records: recs})
		require.NoError(t, err)
		for i, r := range out.Records {
			want := r.ShardID
			got := stream.ShardID(hashkey.ShardOf(hashkey.FromPartitionKey(recs[i].PartitionKey), n))
			require.Equal(t, want, got, "%d shards, key %s", n, recs[i].PartitionKey)
		}
	}
}

// TestRecommendationHoldsOnEmulator runs the scenario for real through
// runner.Run on the emulated stream, in virtual time: the recommended
// count meets the throttle objective and one shard fewer does not, with
// about the throttle ratio the plan predicted.
func TestRecommendationHoldsOnEmulator(t *testing.T) {
	sc := scenario(t, "{constant: 2600/s}", "300", "random", 8*time.Second, "")
	res, err := Plan(context.Background(), sc, WithMeasuredRuns(false, 0))
	require.NoError(t, err)
	require.Equal(t, 3, res.Recommended, "2,600 records/s need three shards")
	fewer := candidate(t, res, res.Recommended-1)

	run := func(shards int) *result.Result {
		sc := *sc
		sc.Target.Shards = shards
		var out *result.Result
		synctest.Test(t, func(t *testing.T) {
			r, err := runner.Run(t.Context(), runner.Config{Scenario: &sc, Target: emulated.New(), OutDir: t.TempDir()})
			require.NoError(t, err)
			out = r
		})
		return out
	}
	got := run(res.Recommended)
	assert.LessOrEqual(t, got.ThrottledRatio, res.Objectives.MaxWriteThrottleRatio, "the recommended count meets the objective")
	below := run(res.Recommended - 1)
	assert.Greater(t, below.ThrottledRatio, res.Objectives.MaxWriteThrottleRatio, "one shard fewer does not")
	assert.InDelta(t, fewer.WriteThrottleRatio, below.ThrottledRatio, 0.05,
		"the plan predicted %.3f for %d shards; the run throttled %.3f", fewer.WriteThrottleRatio, fewer.Shards, below.ThrottledRatio)
}

func TestObjectivesFromScenario(t *testing.T) {
	sc := scenario(t, "{constant: 5000/s}", "1KiB", "random", 10*time.Second,
		"objectives: {max_write_throttle_ratio: 0.01, headroom: 0.2, max_shards: 50, represents: 24h}")
	obj := ObjectivesOf(sc)
	assert.Equal(t, Objectives{MaxWriteThrottleRatio: 0.01, Headroom: 0.2, MaxShards: 50}, obj)
	assert.InDelta(t, 730.0/24, monthsOf(sc), 1e-9, "represents scales a month")

	_, err := Plan(context.Background(), sc, WithObjectives(Objectives{MaxWriteThrottleRatio: 2, MaxShards: 10}))
	assert.ErrorIs(t, err, ErrBadObjectives)
}

func TestCosts(t *testing.T) {
	// 1,000 records/s of 4 KiB for 1 h, standing for one hour of a month.
	sc := scenario(t, "{constant: 1000/s}", "4KiB", "random", time.Hour, "")
	p := &planner{t: &traffic{producers: []*producerTraffic{{totalRecords: 3.6e6, meanBytes: 4096 + 16, putUnits: 1, kbUnits: 5}}},
		prices: pricing.Default(), months: monthsOf(sc)}
	c := p.provisionedCost(4)
	assert.InDelta(t, 4*730*0.015, c.Parts["shard_hours"], 1e-9)
	assert.InDelta(t, 3.6e6*730/1e6*0.014, c.Parts["put_payload_units"], 1e-9)
	od := p.onDemandCost()
	assert.InDelta(t, 3.6e6*5*1024*730/(1<<30)*0.08, od.Parts["data_in"], 1e-9, "records round up to 1 KB")
}

// TestExplicitHashRoutesAsEmulator is issue 18 item 1: records with
// explicit hash keys go where the keys say, not where their partition
// keys' MD5 would send them. 5,000 records/s of 1 KiB over 60 evenly
// spaced slots give each of 5 shards 12 slots, 1,000 records/s: the plan
// and a run on the emulator both find 5 shards carry it with 0 throttled.
func TestExplicitHashRoutesAsEmulator(t *testing.T) {
	sc := scenario(t, "{constant: 5000/s}", "1KiB", "{uniform: {keys: 1000}, explicit_hash: {slots: 60}}", 6*time.Second, "")
	res, err := Plan(context.Background(), sc, WithMeasuredRuns(false, 0))
	require.NoError(t, err)
	five := candidate(t, res, 5)
	assert.Zero(t, five.WriteThrottleRatio, "the plan throttles %v on 5 shards", five)
	assert.True(t, five.Meets)
	assert.Equal(t, 5, res.Recommended)

	run := *sc
	run.Target.Shards = 5
	synctest.Test(t, func(t *testing.T) {
		r, err := runner.Run(t.Context(), runner.Config{Scenario: &run, Target: emulated.New(), OutDir: t.TempDir()})
		require.NoError(t, err)
		assert.Equal(t, five.WriteThrottleRatio, r.ThrottledRatio, "plan and emulator agree on 5 shards")
	})
}

// TestHotKeySpreadByExplicitHash: a hot partition key whose records carry
// explicit hash keys spread over the space is not hot on any shard.
func TestHotKeySpreadByExplicitHash(t *testing.T) {
	sc := scenario(t, "{constant: 5000/s}", "200", "{hot: {share: 0.3, keys: 1000}, explicit_hash: {slots: 60}}", 6*time.Second, "")
	res, err := Plan(context.Background(), sc, WithMeasuredRuns(false, 0))
	require.NoError(t, err)
	assert.Empty(t, res.Blockers)
	assert.Empty(t, res.HotKeys)
	assert.Equal(t, 5, res.Recommended)
}
