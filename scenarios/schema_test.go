package scenarios

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"testing"

	"github.com/invopop/jsonschema"
	schemacheck "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite schema.json from the Go types")

// TestSchemaUpToDate fails when schema.json no longer matches the Go types;
// `go test ./scenarios -run TestSchemaUpToDate -update` rewrites it.
func TestSchemaUpToDate(t *testing.T) {
	got := generateSchema(t)
	if *update {
		require.NoError(t, os.WriteFile("schema.json", got, 0o644))
	}
	want, err := os.ReadFile("schema.json")
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got),
		"schema.json is out of date with the Go types; run: go test ./scenarios -run TestSchemaUpToDate -update")
	assert.Equal(t, want, Schema(), "Schema() returns the embedded schema.json")
}

// generateSchema reflects the scenario types into a JSON Schema with the
// scalar forms the YAML decoders accept.
func generateSchema(t *testing.T) []byte {
	r := &jsonschema.Reflector{
		FieldNameTag:               "yaml",
		RequiredFromJSONSchemaTags: true, // required fields are set below: defaults fill the rest
		Mapper:                     scalarSchema,
	}
	require.NoError(t, r.AddGoComments("github.com/kinesim/kinesim/scenarios", "./"))
	s := r.Reflect(&Scenario{})
	s.ID = "https://github.com/kinesim/kinesim/scenarios/schema.json"
	defs := s.Definitions

	defs["Scenario"].Required = []string{"name", "duration", "producers"}
	defs["Producer"].Required = []string{"generator", "rate"}
	setEnum(defs["Target"], "kind", TargetEmulated, TargetKinesis, TargetFirehose)
	setEnum(defs["FirehoseTarget"], "service", FirehoseEmulated, FirehoseAWS)
	setEnum(defs["FirehoseTarget"], "compression", CompressionNone, CompressionGZIP)
	setEnum(defs["Target"], "mode", TargetModeProvisioned, TargetModeOnDemand)
	setEnum(defs["Consumer"], "mode", ConsumerPolling, ConsumerEFO)
	setEnum(defs["RateSegment"], "arrivals", ArrivalsEven, ArrivalsPoisson)

	// A rate segment sets exactly one shape.
	segment := defs["RateSegment"]
	for _, shape := range rateShapes() {
		segment.OneOf = append(segment.OneOf, &jsonschema.Schema{Required: []string{shape}})
	}

	// A partition key is the scalar `random` or a mapping with exactly one form.
	keys := defs["KeySpec"]
	keys.Properties.Delete("random")
	one := uint64(1)
	keys.MinProperties, keys.MaxProperties = &one, &one
	defs["KeySpec"] = &jsonschema.Schema{
		Description: keys.Description,
		OneOf:       []*jsonschema.Schema{{Type: "string", Const: keySpecRandom}, keys},
	}
	keys.Description = ""

	// A threshold is the expression alone or a mapping that must hold it.
	spec := defs["ThresholdSpec"]
	spec.Required = []string{"threshold"}
	defs["ThresholdSpec"] = &jsonschema.Schema{
		Description: spec.Description,
		OneOf:       []*jsonschema.Schema{{Type: "string"}, spec},
	}
	spec.Description = ""

	out, err := json.MarshalIndent(s, "", "  ")
	require.NoError(t, err)
	return append(out, '\n')
}

// scalarSchema maps the types written as strings in YAML.
func scalarSchema(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeFor[Duration]():
		return &jsonschema.Schema{
			Type: "string", Pattern: `^(0|([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+)$`,
			Description: "A duration: 30s, 2m, 1h30m, 50ms.", Examples: []any{"30s", "2m"},
		}
	case reflect.TypeFor[Rate]():
		return &jsonschema.Schema{
			Description: "Records per unit of time: 800/s, 48000/min, 3/ms, or a bare number per second.",
			OneOf: []*jsonschema.Schema{
				{Type: "number", Minimum: "0"},
				{Type: "string", Pattern: `^ *[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)? *(/ *(ms|s|sec|min|h))? *$`},
			},
			Examples: []any{"800/s", "48000/min"},
		}
	case reflect.TypeFor[ByteSize]():
		return &jsonschema.Schema{
			Description: "A size in bytes: 512, 100B, 64KiB, 1MiB, 10MB.",
			OneOf: []*jsonschema.Schema{
				{Type: "integer", Minimum: "0"},
				{Type: "string", Pattern: `^ *[0-9]+(\.[0-9]*)? *(B|KB|MB|GB|KiB|MiB|GiB)? *$`},
			},
			Examples: []any{"64KiB", "1MiB"},
		}
	}
	return nil
}

func setEnum(s *jsonschema.Schema, field string, values ...any) {
	p, ok := s.Properties.Get(field)
	if ok {
		p.Enum = values
	}
}

func TestSchemaAcceptsBuiltinsAndRejectsMistakes(t *testing.T) {
	schema := compileSchema(t)
	for _, info := range Builtins() {
		data, err := catalogue.ReadFile(info.Name + ".yaml")
		require.NoError(t, err)
		assert.NoError(t, schema.Validate(yamlInstance(t, data)), "builtin %s", info.Name)
	}

	tests := []struct {
		name  string
		yaml  string
		valid bool
	}{
		// The smallest scenario, with the scalar forms.
		{"minimal", "name: m\nduration: 1m\nproducers: [{generator: bike, partition_key: random, rate: [{constant: 5}]}]", true},
		// Sizes as numbers and strings, rates per minute.
		{"sizes", "name: m\nduration: 1m\ntarget: {max_record_size: 1048576}\nproducers: [{generator: g, rate: [{constant: 48000/min}], batch: {max_bytes: 64KiB}}]", true},
		// An unknown field.
		{"unknown field", "name: m\nduration: 1m\nproducers: [{generator: g, rate: [{constant: 5}], lingr: 1s}]", false},
		// A segment with two shapes.
		{"two shapes", "name: m\nduration: 1m\nproducers: [{generator: g, rate: [{constant: 5, ramp: {from: 1, to: 2}}]}]", false},
		// partition_key as a scalar other than random.
		{"scalar key", "name: m\nduration: 1m\nproducers: [{generator: g, partition_key: bike_id, rate: [{constant: 5}]}]", false},
		// A duration without a unit.
		{"bare duration", "name: m\nduration: \"60\"\nproducers: [{generator: g, rate: [{constant: 5}]}]", false},
		// No producers.
		{"no producers", "name: m\nduration: 1m", false},
		// A threshold as a string, as a mapping with abort_on_fail, per producer; compare tolerances.
		{"threshold forms", "name: m\nduration: 1m\nproducers: [{name: a, generator: g, rate: [{constant: 5}]}]\nthresholds: {put_latency_ms: [\"p(99) < 250\", {threshold: \"p(99) < 500\", abort_on_fail: true, delay_abort_eval: 10s}], \"record_latency_ms{producer:a}\": [\"p(99) < 100\"]}\ncompare: {tolerances: {throughput: \"-5%\"}}", true},
		// A threshold mapping without its expression.
		{"threshold mapping without expression", "name: m\nduration: 1m\nproducers: [{generator: g, rate: [{constant: 5}]}]\nthresholds: {put_latency_ms: [{abort_on_fail: true}]}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := schema.Validate(yamlInstance(t, []byte(tt.yaml)))
			if tt.valid {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func compileSchema(t *testing.T) *schemacheck.Schema {
	doc, err := schemacheck.UnmarshalJSON(bytes.NewReader(Schema()))
	require.NoError(t, err)
	c := schemacheck.NewCompiler()
	require.NoError(t, c.AddResource("schema.json", doc))
	s, err := c.Compile("schema.json")
	require.NoError(t, err)
	return s
}

// yamlInstance turns a YAML document into the JSON value a schema validates.
func yamlInstance(t *testing.T, data []byte) any {
	var v any
	require.NoError(t, yaml.Unmarshal(data, &v))
	j, err := json.Marshal(v)
	require.NoError(t, err)
	inst, err := schemacheck.UnmarshalJSON(bytes.NewReader(j))
	require.NoError(t, err)
	return inst
}
