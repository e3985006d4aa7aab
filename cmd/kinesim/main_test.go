package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

// binary is kinesim built once for the tests that run it as a user would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kinesim-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "kinesim")
	build := exec.Command("go", "build", "-race", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build kinesim: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// kinesim runs the binary from the repository root and returns its exit
// code, stdout and stderr.
func kinesim(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = "../.."
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("run kinesim %v: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

func TestRunBuiltinScenario(t *testing.T) {
	out := t.TempDir()
	// --no-thresholds: the scenario judges put latency, which a loaded test
	// machine may miss; this test is about the run and its files.
	code, stdout, stderr := kinesim(t, "run", "bike-rush-hour", "--duration", "3s", "--out", out, "--no-thresholds")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	res, err := result.Read(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	assert.True(t, res.Complete)
	assert.Equal(t, result.SchemaVersion, res.SchemaVersion)
	assert.Equal(t, "bike-rush-hour", res.Scenario)
	assert.Positive(t, res.Totals.RecordsAcknowledged)
	assert.Contains(t, stdout, "kinesim run bike-rush-hour: complete")
	assert.FileExists(t, filepath.Join(out, "scenario.yaml"))
}

func TestResultJSONKeys(t *testing.T) {
	// Scripts rely on these keys (the foundation issue's contract).
	out := t.TempDir()
	code, _, stderr := kinesim(t, "run", "bike-rush-hour", "--duration", "1s", "--out", out, "--quiet", "--no-thresholds")
	require.Equal(t, 0, code, stderr)
	data, err := os.ReadFile(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	for _, path := range []string{
		"schema_version", "scenario", "complete",
		"totals.records_scheduled", "totals.records_sent", "totals.records_acknowledged",
		"totals.put_attempts", "totals.records_throttled", "totals.records_dead_lettered",
		"latency_ms.put_records.p50", "latency_ms.put_records.p90", "latency_ms.put_records.p99",
		"latency_ms.put_records.p999", "latency_ms.put_records.max",
		"latency_ms.record.p99", "latency_ms.send_delay.p99",
		"throughput.records_acknowledged_per_s", "series",
	} {
		assert.True(t, hasPath(doc, path), "result.json has %s", path)
	}
}

func hasPath(doc map[string]any, path string) bool {
	var cur any = doc
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "unknown-field.yaml")
	require.NoError(t, os.WriteFile(unknown, []byte(`name: x
duration: 10s
producers:
  - name: p
    generator: bike
    rate: [{constant: 10/s}]
    bacth: {max_records: 10}
`), 0o644))
	badOption := filepath.Join(dir, "bad-option.yaml")
	require.NoError(t, os.WriteFile(badOption, []byte(`name: x
duration: 10s
producers:
  - generator: bike
    options: {city: Atlantis}
    rate: [{constant: 10/s}]
`), 0o644))
	typo := filepath.Join(dir, "typo-option.yaml")
	require.NoError(t, os.WriteFile(typo, []byte(`name: x
duration: 10s
producers:
  - generator: bike
    rate: [{constant: 10/s}]
    options:
      city: Paris
      statoins: 30
`), 0o644))
	keyField := filepath.Join(dir, "key-field.yaml")
	require.NoError(t, os.WriteFile(keyField, []byte(`name: x
duration: 10s
producers:
  - generator: bike
    rate: [{constant: 10/s}]
    partition_key: {field: colour}
`), 0o644))
	notScenario := filepath.Join(dir, "not-a-scenario.txt")
	require.NoError(t, os.WriteFile(notScenario, []byte(strings.Repeat("root:x:0:0:root:/root:/bin/bash ", 40)), 0o644))
	tests := []struct {
		name string
		args []string
		want []string
	}{
		// No scenario at all: say what is missing and how to find one.
		{"no scenario", []string{"run"}, []string{"needs a SCENARIO", "kinesim scenarios"}},
		// A generator option the generator rejects is caught before running.
		{"bad generator option", []string{"validate", badOption}, []string{"bad-option.yaml:5:21: producers[0].options.city:", "Atlantis", "London"}},
		// A misspelt option: its line and column, and the likely fix.
		{"misspelt generator option", []string{"validate", typo}, []string{"typo-option.yaml:8:17: producers[0].options.statoins:", `did you mean "stations"?`}},
		// A partition key field the generator does not make: at partition_key.
		{"unknown key field", []string{"validate", keyField}, []string{"key-field.yaml:6:20: producers[0].partition_key:", `"colour"`}},
		// run says the same, before anything starts.
		{"run misspelt generator option", []string{"run", typo}, []string{"typo-option.yaml:8:17: producers[0].options.statoins:"}},
		// A missing file is one line naming it.
		{"missing file", []string{"run", filepath.Join(dir, "nope.yaml")}, []string{"nope.yaml"}},
		// A misspelt field names the file, its line and the field.
		{"unknown field", []string{"run", unknown}, []string{"unknown-field.yaml:7:5", "bacth"}},
		// validate reports the same without running.
		{"validate unknown field", []string{"validate", unknown}, []string{"unknown-field.yaml:7:5", "bacth"}},
		// Arguments missing: say what each is, not cobra's "accepts 1 arg(s)".
		{"report without RESULT", []string{"report"}, []string{"report needs RESULT (a result.json, or the run folder holding it)"}},
		{"compare without CURRENT", []string{"compare", filepath.Join(dir, "a.json")}, []string{"compare needs CURRENT (a result.json, or the run folder holding it)"}},
		{"generate without KIND", []string{"generate"}, []string{"generate needs KIND (a generator kind: bike,"}},
		// A folder that no run wrote: no ledger there, said as such.
		{"verify a folder without a ledger", []string{"verify", "--ledger", dir}, []string{"no ledger.bin there; give the folder a run wrote"}},
		// An endpoint that is not a URL is bad usage, not a failed run.
		{"endpoint not a URL", []string{"run", "bike-rush-hour", "--endpoint", "localhost:4567", "--out", filepath.Join(dir, "e")}, []string{"--endpoint: ", "is not an http:// or https:// URL"}},
		// A file that is not a scenario: refused, without printing it whole.
		{"not a scenario", []string{"validate", notScenario}, []string{"not-a-scenario.txt:1:1: found", "…\" (a string); want a mapping"}},
		// A plan folder that cannot be made: said before planning.
		{"plan into a file", []string{"plan", "bike-rush-hour", "--out", notScenario}, []string{"--out: mkdir"}},
		// An unknown built-in name.
		{"unknown builtin", []string{"run", "no-such-scenario"}, []string{"no-such-scenario"}},
		// Flags cobra does not know are usage errors.
		{"unknown flag", []string{"run", "bike-rush-hour", "--frobnicate"}, []string{"frobnicate"}},
		// Overrides are validated too.
		{"negative shards", []string{"run", "bike-rush-hour", "--shards", "-1"}, []string{"shards"}},
		// A negative drain timeout means nothing.
		{"negative drain timeout", []string{"run", "bike-rush-hour", "--drain-timeout", "-1s", "--out", filepath.Join(dir, "run")}, []string{"--drain-timeout -1s: want 0 or more"}},
		// A segment is K/N, 0-based.
		{"segment out of range", []string{"run", "bike-rush-hour", "--segment", "4/4", "--out", filepath.Join(dir, "seg1")}, []string{"--segment", "4/4", "0 <= K < N"}},
		// Segments must share a stream: the emulated target is per process.
		{"segment of an emulated run", []string{"run", "bike-rush-hour", "--segment", "1/4", "--out", filepath.Join(dir, "seg2")}, []string{"--segment 1/4", "kinesim emulate", "--endpoint"}},
		{"segment role", []string{"run", "bike-rush-hour", "--segment", "1/4", "--segment-role", "readers", "--out", filepath.Join(dir, "seg3")}, []string{"--segment-role", "readers", "consumers"}},
		{"start-at not a time", []string{"run", "bike-rush-hour", "--start-at", "9am", "--out", filepath.Join(dir, "seg4")}, []string{"--start-at", "RFC 3339"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := kinesim(t, tt.args...)
			assert.Equal(t, 2, code, "exit code; stderr: %s", stderr)
			assert.Empty(t, stdout)
			for _, w := range tt.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
	t.Run("missing file is one line", func(t *testing.T) {
		_, _, stderr := kinesim(t, "run", filepath.Join(dir, "nope.yaml"))
		assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
	})
}

func TestInterruptStillWritesResult(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command(binary, "run", "bike-rush-hour", "--duration", "1m", "--out", out, "--quiet")
	cmd.Dir = "../.."
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	require.NoError(t, cmd.Start())
	// Wait until the run is under way (its folder exists), then press Ctrl-C.
	require.Eventually(t, func() bool {
		_, err := os.Stat(filepath.Join(out, "scenario.yaml"))
		return err == nil
	}, 30*time.Second, 50*time.Millisecond)
	time.Sleep(500 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	res, err := result.Read(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	assert.False(t, res.Complete, "marked incomplete")
	assert.Equal(t, "interrupted", res.StopReason)
	assert.Contains(t, stdout.String(), "INCOMPLETE")
}

func TestScenariosAndValidate(t *testing.T) {
	code, stdout, _ := kinesim(t, "scenarios")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "bike-rush-hour")

	code, stdout, _ = kinesim(t, "scenarios", "bike-rush-hour")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "name: bike-rush-hour")

	code, stdout, _ = kinesim(t, "validate", "scenarios/bike-rush-hour.yaml")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "valid scenario")

	code, stdout, _ = kinesim(t, "validate", "--schema")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, `"$schema"`)
}

func TestRunRefusesANonEmptyFolderWithoutForce(t *testing.T) {
	out := t.TempDir()
	// What an earlier run left: a big dead-letter file, and a file of the user's.
	stale := filepath.Join(out, "dead-letters.jsonl")
	mine := filepath.Join(out, "notes.txt")
	require.NoError(t, os.WriteFile(stale, []byte(`{"stale":true}`+"\n"), 0o644))
	require.NoError(t, os.WriteFile(mine, []byte("mine\n"), 0o644))

	code, stdout, stderr := kinesim(t, "run", "bike-rush-hour", "--duration", "1s", "--out", out, "--quiet")
	require.Equal(t, exitUsage, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stderr, "the folder is not empty")
	assert.Contains(t, stderr, "--force")
	assert.NoFileExists(t, filepath.Join(out, "result.json"), "nothing was run")

	code, stdout, stderr = kinesim(t, "run", "bike-rush-hour", "--duration", "1s", "--out", out, "--quiet", "--force")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	res, err := result.Read(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	require.Zero(t, res.Totals.RecordsDeadLettered)
	assert.NoFileExists(t, stale, "--force removed the earlier run's dead letters")
	assert.FileExists(t, mine, "--force leaves files kinesim does not write")

	code, stdout, _ = kinesim(t, "run", "--help")
	require.Equal(t, 0, code)
	for _, want := range []string{"--force", "report.html", "ledger.bin", "summary.md", "latency.hlog", "scenario.yaml"} {
		assert.Contains(t, stdout, want, "run --help names %s", want)
	}
}

// TestKinesisTargetWithoutRegion: a Kinesis target with no region
// anywhere (flag, environment, profile) is the user's configuration to
// fix: exit 2, saying where a region comes from.
func TestKinesisTargetWithoutRegion(t *testing.T) {
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS"} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	code, _, stderr := kinesim(t, "run", "bike-rush-hour", "--target", "kinesis", "--quiet", "--out", t.TempDir())
	assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
	assert.Contains(t, stderr, "no AWS region: set one with --region")
}
