package result

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestThisMachine(t *testing.T) {
	m := ThisMachine()
	assert.NotEmpty(t, m.OS)
	assert.NotEmpty(t, m.Arch)
	assert.Positive(t, m.CPUs)
	assert.Contains(t, m.GoVersion, "go")
}

func TestWriteJSONDoesNotEscapeHTML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "result.json")
	r := &Result{SchemaVersion: SchemaVersion, StopReason: "threshold put_latency_ms p(99) < 0 failed & stopped"}
	require.NoError(t, r.WriteJSON(path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"stop_reason": "threshold put_latency_ms p(99) < 0 failed & stopped"`)
	assert.True(t, strings.HasSuffix(string(data), "}\n"), "one newline at the end")
	back, err := Read(path)
	require.NoError(t, err)
	assert.Equal(t, r.StopReason, back.StopReason)
}

func TestWriteJSONIsReadableByAll(t *testing.T) {
	path := filepath.Join(t.TempDir(), "result.json")
	require.NoError(t, (&Result{SchemaVersion: SchemaVersion}).WriteJSON(path))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm(), "as the run folder's other files")
}
