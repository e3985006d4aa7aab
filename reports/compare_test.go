package reports

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

func TestJudgeChange(t *testing.T) {
	tol := Tolerance{Relative: 0.10, Absolute: 2}
	tests := []struct {
		base, cur      float64
		higherIsBetter bool
		want           string
	}{
		// Latency down well past both floors: improvement.
		{100, 80, false, Improved},
		// Identical.
		{100, 100, false, Unchanged},
		// Slightly better, within the floors: unchanged, not "improved".
		{100, 99, false, Unchanged},
		// Worse by 5%: within the 10% relative tolerance.
		{100, 105, false, WithinTolerance},
		// Worse by 20%: beyond both floors.
		{100, 120, false, Regressed},
		// +50% on a tiny value, but only 0.5 ms: the absolute floor keeps noise quiet.
		{1, 1.5, false, WithinTolerance},
		// +3 ms on a tiny value beats both floors.
		{1, 4, false, Regressed},
		// Throughput falling 20% is a regression.
		{1000, 800, true, Regressed},
		// Throughput falling 3% is within tolerance.
		{1000, 970, true, WithinTolerance},
		// Throughput rising 20% is an improvement.
		{1000, 1200, true, Improved},
		// From 0 the relative floor is 0; the absolute floor still holds.
		{0, 1, false, WithinTolerance},
		// From 0, beyond the absolute floor.
		{0, 3, false, Regressed},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, judgeChange(tt.base, tt.cur, tt.higherIsBetter, tol),
			"%g → %g (higher is better: %v)", tt.base, tt.cur, tt.higherIsBetter)
	}
}

// withRecordP99 returns the fixed result with record latency p99 set.
func withRecordP99(p99 float64) *result.Result {
	r := fixedResult()
	p := r.LatencyMs["record"]
	p.P99 = p99
	r.LatencyMs["record"] = p
	return r
}

func verdictOf(t *testing.T, c *Comparison, metric string) string {
	t.Helper()
	for _, m := range c.Metrics {
		if m.Metric == metric {
			return m.Verdict
		}
	}
	t.Fatalf("no %s in the comparison", metric)
	return ""
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name        string
		cur         *result.Result
		tolerance   string
		wantVerdict string // of record_latency_ms.p99
		wantRegress int
	}{
		// The same result: nothing changes.
		{"same", fixedResult(), "", Unchanged, 0},
		// p99 312.4 → 250: an improvement never fails.
		{"improvement", withRecordP99(250), "", Improved, 0},
		// 312.4 → 340 is +8.8%, within the default +15%.
		{"regression within tolerance", withRecordP99(340), "", WithinTolerance, 0},
		// 312.4 → 400 is +28%, beyond the default +15%.
		{"regression beyond tolerance", withRecordP99(400), "", Regressed, 1},
		// A stricter --tolerance turns +8.8% into a regression.
		{"stricter tolerance", withRecordP99(340), "record_latency_ms.p99=+5%", Regressed, 1},
		// A looser one accepts +28%.
		{"looser tolerance", withRecordP99(400), "record_latency_ms.p99=+30%", WithinTolerance, 0},
		// A big absolute floor accepts +28% (87.6 ms) too.
		{"absolute floor", withRecordP99(400), "record_latency_ms.p99=+10%/100", WithinTolerance, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tols, err := ParseTolerances(tt.tolerance)
			require.NoError(t, err)
			c := Compare(fixedResult(), tt.cur, tols)
			assert.Equal(t, tt.wantVerdict, verdictOf(t, c, "record_latency_ms.p99"))
			assert.Equal(t, tt.wantRegress, c.Regressions())
		})
	}
}

func TestCompareThroughputAndNotes(t *testing.T) {
	cur := fixedResult()
	cur.Throughput.RecordsAcknowledgedPerS *= 0.5
	cur.Seed = 7
	c := Compare(fixedResult(), cur, nil)
	assert.Equal(t, Regressed, verdictOf(t, c, "throughput"), "half the throughput")
	assert.Contains(t, c.Notes, "different seeds: 42 and 7")
	for _, m := range c.Metrics {
		assert.NotEqual(t, "end_to_end_latency_ms.p99", m.Metric, "metrics neither run measured are left out")
	}
}

func TestParseTolerances(t *testing.T) {
	tests := []struct {
		spec    string
		want    map[string]Tolerance
		wantErr string
	}{
		// The example: relative on a latency, negative on throughput.
		{"record_latency_ms.p99=+10%,throughput=-5%", map[string]Tolerance{
			"record_latency_ms.p99": {Relative: 0.10, Absolute: 2}, // the default absolute floor stays
			"throughput":            {Relative: 0.05, Absolute: 1},
		}, ""},
		// Both floors, sign left out.
		{"put_latency_ms.p50=20%/0.5", map[string]Tolerance{"put_latency_ms.p50": {Relative: 0.2, Absolute: 0.5}}, ""},
		// An absolute floor alone.
		{"throttled_ratio=+0.01", map[string]Tolerance{"throttled_ratio": {Relative: 0.25, Absolute: 0.01}}, ""},
		// Empty: no overrides.
		{"", map[string]Tolerance{}, ""},
		// An unknown metric.
		{"latency=+10%", nil, `unknown metric "latency"`},
		// The wrong direction for throughput.
		{"throughput=+5%", nil, "gets worse as it falls; write throughput=-5%"},
		// The wrong direction for a latency.
		{"record_latency_ms.p99=-5%", nil, "gets worse as it rises"},
		// No '='.
		{"throughput", nil, "write METRIC=+10%"},
		// Not a number.
		{"throughput=-lots", nil, `"lots" is not a percentage or a number`},
	}
	for _, tt := range tests {
		got, err := ParseTolerances(tt.spec)
		if tt.wantErr != "" {
			require.Error(t, err, tt.spec)
			assert.Contains(t, err.Error(), tt.wantErr, tt.spec)
			continue
		}
		require.NoError(t, err, tt.spec)
		assert.Equal(t, tt.want, got, tt.spec)
	}
}

func TestWriteComparisonGolden(t *testing.T) {
	base, cur := fixedResult(), withRecordP99(400)
	base.Files["result"], cur.Files["result"] = "base/result.json", "current/result.json"
	cur.Throughput.RecordsAcknowledgedPerS *= 1.2
	for _, format := range []string{"text", "md"} {
		var b bytes.Buffer
		require.NoError(t, WriteComparison(&b, Compare(base, cur, nil), format))
		assertGolden(t, "compare."+format+".golden", b.Bytes())
	}
	assert.Error(t, WriteComparison(&bytes.Buffer{}, &Comparison{}, "html"))
}

func TestCompareMetricMissingInCurrent(t *testing.T) {
	cur := fixedResult()
	delete(cur.LatencyMs, "record")
	c := Compare(fixedResult(), cur, nil)
	assert.Equal(t, Missing, verdictOf(t, c, "record_latency_ms.p99"), "base has it, current does not")
	assert.Equal(t, 5, c.Regressions(), "each of record latency's five statistics is missing")

	// All latencies deleted: every latency the base has is missing.
	cur.LatencyMs = nil
	c = Compare(fixedResult(), cur, nil)
	assert.Positive(t, c.Regressions())
	var b bytes.Buffer
	require.NoError(t, WriteComparison(&b, c, "text"))
	assert.Contains(t, b.String(), "regression(s)")
	assert.Contains(t, b.String(), "missing")
	assert.NotContains(t, b.String(), "no regression")
}
