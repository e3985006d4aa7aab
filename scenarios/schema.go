package scenarios

import (
	_ "embed"
	"slices"
)

//go:embed schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of the scenario format, for
// editors and CI linters. It is generated from the Go types (see
// TestSchemaUpToDate) and accepts the scalar forms: durations, rates and
// sizes as strings, `random` for partition_key. Each call returns a
// fresh copy.
func Schema() []byte { return slices.Clone(schema) }
