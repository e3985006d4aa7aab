package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlanCommand(t *testing.T) {
	dir := t.TempDir()
	hot := filepath.Join(dir, "hot.yaml")
	require.NoError(t, os.WriteFile(hot, []byte(`name: hot
duration: 5s
producers:
  - generator: bike
    partition_key: {hot: {share: 0.5, keys: 100}}
    rate: [{constant: 3000/s}]
`), 0o644))
	quiet := filepath.Join(dir, "quiet.yaml")
	require.NoError(t, os.WriteFile(quiet, []byte(`name: quiet
duration: 5s
target: {mode: on-demand}
producers:
  - generator: bike
    rate: [{constant: 100/s}]
`), 0o644))
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		// A built-in scenario plans (measured runs over 10 s of it) and writes plan.json.
		{"builtin", []string{"plan", "bike-rush-hour", "--measure-window", "10s", "--out", filepath.Join(dir, "ok")}, exitOK, "← recommended"},
		// A headroom of 100% is impossible: bad usage.
		{"bad headroom", []string{"plan", "bike-rush-hour", "--headroom", "1", "--out", filepath.Join(dir, "bad")}, exitUsage, "headroom"},
		// A missing price file is bad usage too.
		{"bad prices", []string{"plan", "bike-rush-hour", "--prices", filepath.Join(dir, "none.json")}, exitUsage, "--prices"},
		// A key at 1,500 records/s: no count meets the objectives.
		{"hot key", []string{"plan", hot, "--out", filepath.Join(dir, "hot")}, exitThreshold, "no shard count fixes this"},
		// Counts have separators: 3,000 records/s for 5 s.
		{"separators", []string{"plan", hot, "--out", filepath.Join(dir, "hot2")}, exitThreshold, "Traffic: 15,000 records"},
		// 100 records/s never splits an on-demand stream: the plan must not say it does.
		{"on-demand, no split", []string{"plan", quiet, "--out", filepath.Join(dir, "quiet")}, exitOK, "carries this traffic on its first day without splitting a shard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := kinesim(t, tt.args...)
			assert.Equal(t, tt.code, code, "exit code; stderr: %s", stderr)
			assert.Contains(t, stdout+stderr, tt.contains)
		})
	}
	data, err := os.ReadFile(filepath.Join(dir, "ok", "plan.json"))
	require.NoError(t, err)
	var res struct {
		Recommended int `json:"recommended_shards"`
		Prices      struct {
			Date string `json:"date"`
		} `json:"prices"`
	}
	require.NoError(t, json.Unmarshal(data, &res))
	assert.Positive(t, res.Recommended)
	assert.NotEmpty(t, res.Prices.Date)
	assert.FileExists(t, filepath.Join(dir, "ok", "plan.md"))
	// plan.json keeps text as it is: "1.2% > 1%", not "\u003e".
	hotJSON, err := os.ReadFile(filepath.Join(dir, "hot", "plan.json"))
	require.NoError(t, err)
	assert.Contains(t, string(hotJSON), " > ", "a comparison in plan.json")
	assert.NotContains(t, string(hotJSON), `\u003e`, "plan.json HTML-escapes")
	assert.FileExists(t, filepath.Join(dir, "ok", "plan.html"))
}
