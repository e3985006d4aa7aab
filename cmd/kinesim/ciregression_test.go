package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCIRegressionIsStable runs the ci-regression scenario twice, as the
// example workflow (docs/ci/kinesim-regression.yml) does: each run passes
// its thresholds, the two runs compare without a regression (virtual time
// and no random retries make them measure the same), and each compares
// without a regression with the committed baseline docs/ci/baseline.json.
// After an intended change in what the scenario measures, refresh the
// baseline: kinesim run ci-regression --out runs/ci && cp runs/ci/result.json docs/ci/baseline.json
func TestCIRegressionIsStable(t *testing.T) {
	var results []string
	for range 2 {
		out := t.TempDir()
		code, stdout, stderr := kinesim(t, "run", "ci-regression", "--out", out, "--quiet")
		require.Equal(t, 0, code, "kinesim run ci-regression exit code\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
		results = append(results, filepath.Join(out, "result.json"))
	}
	tests := []struct {
		name, base, cur string
	}{
		// Two runs of the same build.
		{"run against run", results[0], results[1]},
		// The committed baseline, as CI compares.
		{"baseline against run", "docs/ci/baseline.json", results[0]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := kinesim(t, "compare", tt.base, tt.cur, "--format", "md")
			assert.Equal(t, 0, code, "kinesim compare exit code\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stdout, "no regression")
			assert.NotContains(t, stdout, "note:", "same scenario, seed and target")
		})
	}
}
