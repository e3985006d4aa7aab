package result

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadRefusesWhatIsNotAResult(t *testing.T) {
	tests := []struct {
		name, data string
		wantErr    string // "" when Read accepts the file
	}{
		// An empty object has no schema_version.
		{"empty object", `{}`, "no schema_version (understood: 1)"},
		// JSON null is no result at all.
		{"null", `null`, "not a kinesim result.json: null"},
		// A future version is refused, naming the versions understood.
		{"unknown version", `{"schema_version":99}`, "schema_version 99 is not supported (understood: 1)"},
		// A version 0 is not one kinesim ever wrote.
		{"version 0", `{"schema_version":0}`, "schema_version 0 is not supported"},
		// An array is not an object.
		{"array", `[]`, "not a kinesim result.json"},
		// A version-1 result without files reads, with an empty Files map.
		{"no files", `{"schema_version":1,"scenario":"s"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "result.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.data), 0o644))
			r, err := Read(path)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.NotNil(t, r.Files, "Files is never nil after Read")
			r.Files["result"] = path // must not panic
		})
	}
}
