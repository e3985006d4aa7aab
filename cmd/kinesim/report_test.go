package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

// runOnce runs bike-rush-hour for one second into a fresh folder and returns
// its result.json path.
func runOnce(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	code, stdout, stderr := kinesim(t, "run", "bike-rush-hour", "--duration", "1s", "--out", out, "--quiet")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	return filepath.Join(out, "result.json")
}

func TestRunWritesReportFiles(t *testing.T) {
	resultPath := runOnce(t)
	dir := filepath.Dir(resultPath)
	for _, name := range []string{"summary.md", "report.html", "latency.hlog"} {
		assert.FileExists(t, filepath.Join(dir, name))
	}
	res, err := result.Read(resultPath)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "report.html"), res.Files["report_html"], "result.json lists the report")
	assert.NotEmpty(t, res.Thresholds, "the built-in scenario's thresholds are judged")

	tests := []struct {
		format string
		want   string // a line the output has
	}{
		// The terminal summary.
		{"text", "kinesim run bike-rush-hour: complete"},
		// Markdown.
		{"md", "## kinesim run `bike-rush-hour`"},
		// The HTML page.
		{"html", "<!DOCTYPE html>"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			code, stdout, stderr := kinesim(t, "report", resultPath, "--format", tt.format)
			require.Equal(t, 0, code, stderr)
			assert.True(t, strings.Contains(stdout, tt.want), "output has %q", tt.want)
		})
	}
	out := filepath.Join(t.TempDir(), "r.html")
	code, _, stderr := kinesim(t, "report", resultPath, "--format", "html", "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.FileExists(t, out)

	// The run folder stands for its result.json, in report and compare alike.
	code, stdout, stderr := kinesim(t, "report", dir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "kinesim run bike-rush-hour: complete", "report of the run folder")
	code, _, stderr = kinesim(t, "compare", dir, dir)
	assert.Equal(t, 0, code, "compare of a run folder with itself: %s", stderr)

	code, _, stderr = kinesim(t, "report", resultPath, "--format", "pdf")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "use text, md or html")
}

// slower writes a copy of the result.json at from with every record latency percentile
// multiplied by factor and returns its path.
func slower(t *testing.T, from string, factor float64) string {
	t.Helper()
	res, err := result.Read(from)
	require.NoError(t, err)
	p := res.LatencyMs["record"]
	p.P50, p.P90, p.P99, p.P999, p.Max = p.P50*factor+5, p.P90*factor+5, p.P99*factor+5, p.P999*factor+5, p.Max*factor+20
	res.LatencyMs["record"] = p
	return tempJSON(t, "slower.json", res)
}

// tempJSON writes v as JSON to a new file named name and returns its path.
func tempJSON(t *testing.T, name string, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

func TestCompareExitCodes(t *testing.T) {
	base := runOnce(t)
	worse := slower(t, base, 2)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		// A result compared with itself: no regression.
		{"same", []string{base, base}, 0, "no regression"},
		// Twice as slow, plus 5 ms: beyond both floors.
		{"regression", []string{base, worse}, exitThreshold, "REGRESSED"},
		// The other way round is an improvement, which never fails.
		{"improvement", []string{worse, base}, 0, "improved"},
		// Markdown output.
		{"markdown", []string{base, worse, "--format", "md"}, exitThreshold, "| record_latency_ms.p99 |"},
		// A huge tolerance on every record latency accepts it.
		{"tolerated", []string{base, worse, "--tolerance",
			"record_latency_ms.p50=+1000%,record_latency_ms.p90=+1000%,record_latency_ms.p99=+1000%,record_latency_ms.p999=+1000%,record_latency_ms.max=+1000%"}, 0, "no regression"},
		// A bad tolerance is bad usage.
		{"bad tolerance", []string{base, base, "--tolerance", "throughput=+5%"}, exitUsage, ""},
		// A missing file is bad usage.
		{"missing file", []string{base, "nope.json"}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := kinesim(t, append([]string{"compare"}, tt.args...)...)
			assert.Equal(t, tt.wantCode, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stdout, tt.want)
		})
	}
}

func TestCompareReadsTolerancesFromTheRunsScenario(t *testing.T) {
	base := runOnce(t)
	scenario, err := os.ReadFile(filepath.Join(filepath.Dir(base), "scenario.yaml"))
	require.NoError(t, err)
	// withTolerances is a run folder holding a twice-as-slow result.json
	// and its scenario.yaml with the compare section given.
	withTolerances := func(t *testing.T, compare string) string {
		dir := t.TempDir()
		require.NoError(t, os.Rename(slower(t, base, 2), filepath.Join(dir, "result.json")))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "scenario.yaml"), append(slices.Clone(scenario), compare...), 0o644))
		return filepath.Join(dir, "result.json")
	}
	generous := `compare: {tolerances: {record_latency_ms.p50: +1000%, record_latency_ms.p90: +1000%, record_latency_ms.p99: +1000%, record_latency_ms.p999: "+1000%/50", record_latency_ms.max: +1000%}}` + "\n"
	tests := []struct {
		name     string
		cur      string
		flags    []string
		wantCode int
		want     string // in stdout, or in stderr on bad usage
	}{
		// The scenario's tolerances accept the slowdown, and the output says where they came from.
		{"from the scenario", withTolerances(t, generous), nil, 0, "tolerances from "},
		// --tolerance wins: the scenario's are not read, the defaults fill the rest.
		{"flag wins", withTolerances(t, generous), []string{"--tolerance", "throughput=-5%"}, exitThreshold, "REGRESSED"},
		// A metric compare does not know, named with its file and section.
		{"bad metric", withTolerances(t, "compare: {tolerances: {latency: +5%}}\n"), nil, exitUsage, "compare.tolerances: tolerance \"latency=+5%\": unknown metric"},
		// A run folder without tolerances keeps the defaults.
		{"no section", withTolerances(t, ""), nil, exitThreshold, "REGRESSED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := kinesim(t, append([]string{"compare", base, tt.cur}, tt.flags...)...)
			assert.Equal(t, tt.wantCode, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stdout+stderr, tt.want)
		})
	}
}

// edited writes a copy of the result.json at from with edit applied to its
// JSON object and returns its path.
func edited(t *testing.T, from string, edit func(map[string]any)) string {
	t.Helper()
	data, err := os.ReadFile(from)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	edit(doc)
	return tempJSON(t, "edited.json", doc)
}

func TestCompareAndReportRefuseWhatIsNotAResult(t *testing.T) {
	base := runOnce(t)
	write := func(data string) string {
		path := filepath.Join(t.TempDir(), "result.json")
		require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
		return path
	}
	notResults := []struct{ name, path, want string }{
		// No schema_version at all.
		{"empty object", write(`{}`), "no schema_version (understood: 1)"},
		// JSON null.
		{"null", write(`null`), "not a kinesim result.json"},
		// A version kinesim does not know.
		{"unknown version", write(`{"schema_version":99}`), "schema_version 99 is not supported (understood: 1)"},
	}
	for _, tt := range notResults {
		t.Run("compare "+tt.name, func(t *testing.T) {
			for _, args := range [][]string{{base, tt.path}, {tt.path, base}} {
				code, stdout, stderr := kinesim(t, append([]string{"compare"}, args...)...)
				assert.Equal(t, exitUsage, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
				assert.Contains(t, stderr, tt.want)
				assert.NotContains(t, stderr, "panic")
			}
		})
		t.Run("report "+tt.name, func(t *testing.T) {
			code, stdout, stderr := kinesim(t, "report", tt.path)
			assert.Equal(t, exitUsage, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stderr, tt.want)
			assert.Empty(t, stdout)
		})
	}

	// A result without files still compares (the files are named as given).
	noFiles := edited(t, base, func(d map[string]any) { delete(d, "files") })
	code, stdout, stderr := kinesim(t, "compare", base, noFiles)
	assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "current  "+noFiles)

	// latency_ms deleted from the current result is a failure, not "no regression".
	noLatency := edited(t, base, func(d map[string]any) { delete(d, "latency_ms") })
	code, stdout, stderr = kinesim(t, "compare", base, noLatency)
	assert.Equal(t, exitThreshold, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "MISSING in current")
	assert.NotContains(t, stdout, "no regression")
}
