package result

import (
	"fmt"
	"slices"
)

// Pipeline is what kinesim measured through one application outside it
// (a scenario's pipelines entry): the records it produced into the input
// stream against the records the application wrote to the output stream,
// matched by the record id the application carries over.
type Pipeline struct {
	// Name is the pipeline's name in the scenario.
	Name string `json:"name"`
	// InputStream is the stream the application reads.
	InputStream string `json:"input_stream"`
	// OutputStream is the stream the application writes, which kinesim read.
	OutputStream string `json:"output_stream"`
	// Mode is how kinesim read the output stream: polling or efo.
	Mode string `json:"mode"`
	// ID says where output records carry the input record's id: "field
	// PATH", "regex RE" or "list PATH".
	ID string `json:"id"`
	// Hops are the pipeline's hops side by side: producer to input stream,
	// then input stream through the application to the output stream.
	Hops []Hop `json:"hops"`
	// OutputRecords are the records kinesim read from the output stream.
	OutputRecords int64 `json:"output_records"`
	// OutputBytes are the data bytes of OutputRecords.
	OutputBytes int64 `json:"output_bytes"`
	// Matched is how many distinct input records came out at least once.
	Matched int64 `json:"matched"`
	// Lost counts records acknowledged on the input stream that never came out.
	Lost int64 `json:"lost"`
	// Duplicated counts the times an input record came out beyond its first.
	Duplicated int64 `json:"duplicated"`
	// Unknown counts output records (or ids, for a list) that name no
	// record kinesim produced, output records without an id included.
	Unknown int64 `json:"unknown"`
	// NotAcknowledged counts ids of records whose write to the input
	// stream kinesim never saw acknowledged (dead-lettered, or cut off at
	// the end) that came out anyway.
	NotAcknowledged int64 `json:"not_acknowledged"`
	// LatencyUnmeasured counts matched records that came out after their
	// intended send time had left the latency window (latency_window).
	LatencyUnmeasured int64 `json:"latency_unmeasured"`
	// LatencyMs is each record's intended send time to its receipt on the
	// output stream, in milliseconds.
	LatencyMs Percentiles `json:"latency_ms"`
	// Expect is the most of each count the scenario allows.
	Expect map[string]int64 `json:"expect,omitempty"`
	// Failures name each count over its expect ("lost 3 > 0").
	Failures []string `json:"failures,omitempty"`
	// Passed is true when no count is over its expect and the output was read.
	Passed bool `json:"passed"`
	// Error says why kinesim could not read the output stream, if it could not.
	Error string `json:"error,omitempty"`
}

// Hop is one step of a pipeline: what went in, what came out, and the
// latency from each record's intended send time to its arrival at the
// hop's end (cumulative: the second hop's latency includes the first's).
type Hop struct {
	// Name is "producer -> input" or "input -> output".
	Name string `json:"name"`
	// From names where the hop starts: the producers, or the input stream.
	From string `json:"from"`
	// To names where the hop ends: the input stream, or the output stream.
	To string `json:"to"`
	// RecordsIn went into the hop: records sent, or acknowledged on the input.
	RecordsIn int64 `json:"records_in"`
	// RecordsOut came out of it: records acknowledged, or distinct records
	// on the output.
	RecordsOut int64 `json:"records_out"`
	// Lost are the hop's own: dead-lettered and unfinished writes on the
	// first hop, records the application lost on the second.
	Lost int64 `json:"lost"`
	// Duplicated are the hop's own extra copies: the application's on the
	// second hop (the first hop's show in a built-in consumer's verdict).
	Duplicated int64 `json:"duplicated"`
	// LatencyMs is intended send time to the hop's end, in milliseconds.
	LatencyMs Percentiles `json:"latency_ms"`
}

var pipelineCountNames = []string{"lost", "duplicated", "unknown", "not_acknowledged", "latency_unmeasured"}

// PipelineCountNames lists the counts a pipeline's expect may name, in the
// order Judge reports failures.
func PipelineCountNames() []string { return slices.Clone(pipelineCountNames) }

// Count returns the named count and whether the name is one.
func (p *Pipeline) Count(name string) (int64, bool) {
	switch name {
	case "lost":
		return p.Lost, true
	case "duplicated":
		return p.Duplicated, true
	case "unknown":
		return p.Unknown, true
	case "not_acknowledged":
		return p.NotAcknowledged, true
	case "latency_unmeasured":
		return p.LatencyUnmeasured, true
	}
	return 0, false
}

// Judge compares the counts with expect (name → most allowed) and sets
// Expect, Failures and Passed; a pipeline whose output could not be read fails.
func (p *Pipeline) Judge(expect map[string]int64) {
	p.Expect, p.Failures = expect, nil
	for _, name := range pipelineCountNames {
		limit, ok := expect[name]
		if !ok {
			continue
		}
		if got, _ := p.Count(name); got > limit {
			p.Failures = append(p.Failures, fmt.Sprintf("%s %d > %d", name, got, limit))
		}
	}
	if p.Error != "" {
		p.Failures = append(p.Failures, "output not read: "+p.Error)
	}
	p.Passed = len(p.Failures) == 0
}
