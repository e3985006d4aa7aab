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
	assert.FileExists(t, filepath.Join(dir, "ok", "plan.html"))
}
