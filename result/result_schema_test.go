package result

import (
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite result.schema.json from the Go types")

// ResultSchemaFile is result.json's JSON Schema, generated from the Go types
// and their doc comments by TestResultSchemaUpToDate.
const ResultSchemaFile = "result.schema.json"

// TestResultSchemaUpToDate fails when result.schema.json no longer matches
// the Go types or their doc comments; `go test ./result -run
// TestResultSchemaUpToDate -update` rewrites it.
func TestResultSchemaUpToDate(t *testing.T) {
	got := generateResultSchema(t)
	if *update {
		require.NoError(t, os.WriteFile(ResultSchemaFile, got, 0o644))
	}
	want, err := os.ReadFile(ResultSchemaFile)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got),
		"result.schema.json is out of date with the Go types; run: go test ./result -run TestResultSchemaUpToDate -update")
}

// TestResultSchemaDocumentsEveryField fails on a result.json field without
// a doc comment: the schema is the field-by-field documentation.
func TestResultSchemaDocumentsEveryField(t *testing.T) {
	var doc struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Description string `json:"description"`
				OneOf       []struct {
					Description string `json:"description"`
				} `json:"oneOf"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(generateResultSchema(t), &doc))
	require.NotEmpty(t, doc.Defs["Result"].Properties)
	for def, s := range doc.Defs {
		for name, p := range s.Properties {
			assert.NotEmpty(t, p.Description, "%s.%s has no doc comment (add one to the Go field)", def, name)
		}
	}
}

// generateResultSchema reflects Result into a draft 2020-12 JSON Schema with
// the Go doc comments as descriptions; unknown fields are errors.
func generateResultSchema(t *testing.T) []byte {
	t.Helper()
	r := &jsonschema.Reflector{}
	require.NoError(t, r.AddGoComments("github.com/kinesim/kinesim/result", "./"))
	s := r.Reflect(&Result{})
	s.ID = "https://github.com/kinesim/kinesim/result/result.schema.json"
	s.Title = "kinesim result.json"
	defs := s.Definitions

	// A skipped threshold has no actual value: null.
	nullable(defs["ThresholdResult"], "actual")
	setConst(defs["Result"], "schema_version", SchemaVersion)
	setEnumValues(defs["TargetInfo"], "kind", "emulated", "kinesis")
	setEnumValues(defs["TargetInfo"], "mode", "provisioned", "on-demand")

	out, err := json.MarshalIndent(s, "", "  ")
	require.NoError(t, err)
	return append(out, '\n')
}

// nullable lets a property also be null, keeping its description on top.
func nullable(s *jsonschema.Schema, field string) {
	p, ok := s.Properties.Get(field)
	if !ok {
		return
	}
	desc := p.Description
	p.Description = ""
	s.Properties.Set(field, &jsonschema.Schema{Description: desc, OneOf: []*jsonschema.Schema{p, {Type: "null"}}})
}

func setConst(s *jsonschema.Schema, field string, v any) {
	if p, ok := s.Properties.Get(field); ok {
		p.Const = v
	}
}

func setEnumValues(s *jsonschema.Schema, field string, values ...any) {
	if p, ok := s.Properties.Get(field); ok {
		p.Enum = values
	}
}
