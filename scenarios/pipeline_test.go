package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const pipelineBase = `
name: p
duration: 10s
target: {stream: bikes}
producers:
  - {name: bikes, generator: bike, rate: [{constant: 10/s}]}
`

func TestPipelineDefaults(t *testing.T) {
	s, err := Parse([]byte(pipelineBase+`
pipelines:
  - {output: bikes-out, id: {field: source.kinesim_id}}
`), "p.yaml", WithGenerators("bike"))
	require.NoError(t, err)
	require.Len(t, s.Pipelines, 1)
	p := s.Pipelines[0]
	assert.Equal(t, "pipeline-1", p.Name)
	assert.Equal(t, "bikes", p.Input, "the input defaults to target.stream")
	assert.Equal(t, ConsumerPolling, p.Mode)
	assert.Equal(t, DefaultPipelinePollInterval, p.PollInterval)
	assert.Equal(t, DefaultPipelineSettle, p.Settle)
	assert.Equal(t, DefaultPipelineLatencyWindow, p.LatencyWindow)
	assert.Equal(t, "field source.kinesim_id", p.ID.Describe())
}

func TestPipelineErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		// The output is what kinesim reads: it must be named.
		{"no output", `pipelines: [{name: a, id: {field: id}}]`, "pipelines[0].output: required"},
		// Reading a stream the producers write would match kinesim's own records.
		{"output is the input", `pipelines: [{name: a, output: bikes, id: {field: id}}]`, `pipelines[0].output: "bikes" is a stream kinesim's producers write`},
		{"unknown input", `pipelines: [{name: a, input: nope, output: o, id: {field: id}}]`, `pipelines[0].input: "nope" is not a stream of this scenario`},
		{"no id", `pipelines: [{name: a, output: o}]`, "pipelines[0].id: set exactly one of field"},
		{"two ids", `pipelines: [{name: a, output: o, id: {field: a, regex: b}}]`, "pipelines[0].id: set exactly one of field"},
		{"bad regex", `pipelines: [{name: a, output: o, id: {regex: "("}}]`, "pipelines[0].id.regex: \"(\" does not compile"},
		{"two groups", `pipelines: [{name: a, output: o, id: {regex: "(a)(b)"}}]`, "has 2 capturing groups"},
		{"empty path name", `pipelines: [{name: a, output: o, id: {field: "a..b"}}]`, "pipelines[0].id.field: \"a..b\" has an empty name"},
		{"bad mode", `pipelines: [{name: a, output: o, mode: push, id: {field: id}}]`, `pipelines[0].mode: "push" is not a read mode`},
		{"bad expect", `pipelines: [{name: a, output: o, id: {field: id}, expect: {lsot: 0}}]`, `pipelines[0].expect.lsot: "lsot" is not a pipeline count`},
		{"duplicate name", `pipelines: [{name: a, output: o, id: {field: id}}, {name: a, output: o2, id: {field: id}}]`, `pipelines[1].name: "a" is already the name of pipelines[0]`},
		// Faults on the application name a pipeline.
		{"unknown application", "pipelines: [{name: a, output: o, id: {field: id}}]\nchaos: [{at: 1s, for: 1s, producer_timeout: {ack_lost: true}, application: b}]", `chaos[0].application: "b" is not a pipeline`},
		{"crash of an application", "pipelines: [{name: a, output: o, id: {field: id}}]\nchaos: [{at: 1s, consumer_fault: crash, application: a}]", "crash cannot be done to an application outside kinesim"},
		{"reshard of an application", "pipelines: [{name: a, output: o, id: {field: id}}]\nchaos: [{at: 1s, split_shard: hottest, application: a}]", "split_shard acts on the stream, not on an application"},
		{"virtual clock", "clock: virtual\npipelines: [{name: a, output: o, id: {field: id}}]", "clock: virtual time cannot be followed by an application"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(pipelineBase+tc.yaml+"\n"), "p.yaml", WithGenerators("bike"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPipelineApplicationFaults(t *testing.T) {
	// Faults on the application's writes and reads need no built-in consumer.
	_, err := Parse([]byte(pipelineBase+`pipelines: [{name: a, output: o, id: {field: id}}]
chaos:
  - {at: 1s, for: 2s, producer_timeout: {count: 5, ack_lost: true}, application: a}
  - {at: 1s, for: 2s, inject_error: {kind: throttle, count: 5}, application: a}
  - {at: 2s, consumer_fault: expire_iterator, application: a}
  - {at: 3s, for: 1s, consumer_fault: stall, application: a}
`), "p.yaml", WithGenerators("bike"))
	require.NoError(t, err)
}
