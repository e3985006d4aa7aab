package result_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	schemacheck "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/result"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/emulated"
)

// compileResultSchema compiles the checked-in result.schema.json.
func compileResultSchema(t *testing.T) *schemacheck.Schema {
	t.Helper()
	f, err := os.Open("result.schema.json")
	require.NoError(t, err)
	defer f.Close()
	doc, err := schemacheck.UnmarshalJSON(f)
	require.NoError(t, err)
	c := schemacheck.NewCompiler()
	require.NoError(t, c.AddResource("result.schema.json", doc))
	s, err := c.Compile("result.schema.json")
	require.NoError(t, err)
	return s
}

func jsonInstance(t *testing.T, data []byte) any {
	t.Helper()
	v, err := schemacheck.UnmarshalJSON(bytes.NewReader(data))
	require.NoError(t, err)
	return v
}

// TestRealResultMatchesSchema runs the chaos-gauntlet scenario (consumers,
// faults, reshards: every optional section) for a few seconds of virtual
// time and validates its result.json against result.schema.json, so a field
// written but not in the schema, or of another type, fails here.
func TestRealResultMatchesSchema(t *testing.T) {
	sc, err := scenarios.Builtin("chaos-gauntlet", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err)
	sc.Duration = scenarios.Duration(6 * time.Second)
	sc.Thresholds = map[string][]scenarios.ThresholdSpec{"put_latency_ms": {{Threshold: "p(99) < 250"}}, "lost_records": {{Threshold: "count == 0"}}}
	ths, err := scenarios.ParseThresholds(sc)
	require.NoError(t, err)
	out := t.TempDir()
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var res *result.Result
	v.Run(func() {
		res, err = runner.Run(t.Context(), runner.Config{Scenario: sc, Target: emulated.New(emulated.WithClock(v)), Clock: v, OutDir: out, Version: "test"})
	})
	require.NoError(t, err)
	res.Thresholds = reports.JudgeThresholds(ths, res, nil, nil)
	require.NoError(t, reports.WriteRunFiles(res, out))
	require.NotNil(t, res.Verification, "the run has a verification section")
	require.NotEmpty(t, res.Chaos, "the run has a chaos section")

	data, err := os.ReadFile(filepath.Join(out, runner.ResultFile))
	require.NoError(t, err)
	schema := compileResultSchema(t)
	assert.NoError(t, schema.Validate(jsonInstance(t, data)), "result.json matches result.schema.json")

	// The schema is strict: a field it does not document, or a mistyped
	// one, fails.
	tests := []struct {
		name   string
		change func(map[string]any)
	}{
		// A top-level field the schema does not have.
		{"undocumented field", func(d map[string]any) { d["p99_latency"] = 1.0 }},
		// A nested one.
		{"undocumented nested field", func(d map[string]any) { d["totals"].(map[string]any)["records_lost"] = 0 }},
		// A count written as a string.
		{"mistyped count", func(d map[string]any) { d["totals"].(map[string]any)["records_sent"] = "12" }},
		// A required field missing.
		{"missing field", func(d map[string]any) { delete(d, "schema_version") }},
		// Another schema version.
		{"other version", func(d map[string]any) { d["schema_version"] = result.SchemaVersion + 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d map[string]any
			require.NoError(t, json.Unmarshal(data, &d))
			tt.change(d)
			changed, err := json.Marshal(d)
			require.NoError(t, err)
			assert.Error(t, schema.Validate(jsonInstance(t, changed)), "the schema rejects it")
		})
	}
}
