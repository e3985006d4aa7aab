package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kinesim/kinesim/result"
)

// Pipeline is an application outside kinesim (a Lambda function, a Flink
// job, a KCL application) that reads a stream kinesim writes and writes
// another: kinesim reads that output stream, matches each output record to
// the records it produced by the record id the application carries over,
// and reports the pipeline's latency (intended send time to receipt on the
// output stream), what the application lost, duplicated and made up. In
// YAML:
//
//	pipelines:
//	  - name: enricher
//	    output: bikes-enriched            # the stream the application writes
//	    id: {field: source.kinesim_id}    # or {regex: 'src=(\S+)'}, or {list: inputs}
//	    expect: {lost: 0, duplicated: 0, unknown: 0}
type Pipeline struct {
	// Name identifies the pipeline in reports; chaos entries name it as
	// application.
	Name string `yaml:"name" json:"name"`
	// Input is the stream the application reads (default target.stream);
	// any stream a producer writes to.
	Input string `yaml:"input,omitempty" json:"input,omitempty"`
	// Output is the stream the application writes, which kinesim reads.
	// kinesim creates it with the target's shard count (unless
	// target.existing) and deletes it afterwards (unless target.keep).
	Output string `yaml:"output" json:"output"`
	// Mode is how kinesim reads the output: polling (default) or efo.
	Mode string `yaml:"mode,omitempty" json:"mode,omitempty"`
	// PollInterval is the wait between GetRecords calls per shard of the
	// output (default 200ms); it adds up to itself to the measured latency.
	PollInterval Duration `yaml:"poll_interval,omitempty" json:"poll_interval,omitempty"`
	// ID says where an output record carries the id of the input record it
	// came from.
	ID PipelineID `yaml:"id" json:"id"`
	// Settle is how long the output may stay quiet, after the producers
	// have finished, before kinesim stops reading it (default 5s): the
	// application's own delay must fit in it. kinesim stops sooner once
	// every acknowledged record has come out; the run's drain timeout caps it.
	Settle Duration `yaml:"settle,omitempty" json:"settle,omitempty"`
	// LatencyWindow is how many of each producer's latest records keep their
	// intended send time for the latency (default 1,000,000, 8 bytes each);
	// a record that comes out after that many newer ones were made is
	// matched but not timed (counted as latency_unmeasured).
	LatencyWindow int `yaml:"latency_window,omitempty" json:"latency_window,omitempty"`
	// Expect are the most of each count allowed, e.g. {lost: 0,
	// duplicated: 0}; a run over one exits 99. Counts: lost, duplicated,
	// unknown, not_acknowledged, latency_unmeasured.
	Expect map[string]int64 `yaml:"expect,omitempty" json:"expect,omitempty"`
}

// PipelineID says where an output record carries its input record's id.
// Exactly one field is set.
type PipelineID struct {
	// Field is a JSON field path, names joined by dots (source.kinesim_id):
	// the output record is a JSON object and the value at the path is the
	// id, a string.
	Field string `yaml:"field,omitempty" json:"field,omitempty"`
	// Regex finds the id in a text record: the first capturing group of
	// the first match (or the whole match without a group). Go's RE2
	// syntax.
	Regex string `yaml:"regex,omitempty" json:"regex,omitempty"`
	// List is a JSON field path to an array of ids, for an application
	// that aggregates (one output record per window, naming every input
	// record it covers).
	List string `yaml:"list,omitempty" json:"list,omitempty"`
}

// Pipeline defaults.
const (
	DefaultPipelinePollInterval  = Duration(200 * 1e6)
	DefaultPipelineSettle        = Duration(5 * 1e9)
	DefaultPipelineLatencyWindow = 1_000_000
	// MaxPipelineLatencyWindow bounds latency_window (8 bytes a record per producer).
	MaxPipelineLatencyWindow = 100_000_000
)

// PipelineExpectNames are the counts a pipeline's expect may name:
// result.json's pipeline counts, which package result owns.
var PipelineExpectNames = result.PipelineCountNames()

// Describe says in a few words where the id is found.
func (id PipelineID) Describe() string {
	switch {
	case id.Field != "":
		return "field " + id.Field
	case id.Regex != "":
		return "regex " + id.Regex
	case id.List != "":
		return "list " + id.List
	}
	return "none"
}

// applyPipelineDefaults fills in a pipeline's zero fields.
func applyPipelineDefaults(s *Scenario) {
	for i := range s.Pipelines {
		p := &s.Pipelines[i]
		setDefault(&p.Name, fmt.Sprintf("pipeline-%d", i+1), true)
		setDefault(&p.Input, s.Target.Stream, true)
		setDefault(&p.Mode, ConsumerPolling, true)
		setDefault(&p.PollInterval, DefaultPipelinePollInterval, true)
		setDefault(&p.Settle, DefaultPipelineSettle, true)
		setDefault(&p.LatencyWindow, DefaultPipelineLatencyWindow, true)
	}
}

// pipelines checks the pipelines: names, streams, the id and the expectations.
func (v *validator) pipelines(s *Scenario) {
	written := []string{s.Target.Stream}
	for _, p := range s.Producers {
		written = append(written, p.Stream)
	}
	names := map[string]int{}
	for i := range s.Pipelines {
		p := &s.Pipelines[i]
		path := fmt.Sprintf("pipelines[%d]", i)
		if first, dup := names[p.Name]; dup {
			v.addf(path+".name", "%q is already the name of pipelines[%d]; names must be unique", p.Name, first)
		} else {
			names[p.Name] = i
		}
		if p.Input != "" && !slices.Contains(written, p.Input) {
			v.addf(path+".input", "%q is not a stream of this scenario; use target.stream or a producer's stream", p.Input)
		}
		switch {
		case p.Output == "":
			v.addf(path+".output", "required: the stream the application writes, which kinesim reads")
		case slices.Contains(written, p.Output):
			v.addf(path+".output", "%q is a stream kinesim's producers write; name the stream only the application writes", p.Output)
		}
		if p.Mode != "" && p.Mode != ConsumerPolling && p.Mode != ConsumerEFO {
			v.addf(path+".mode", "%q is not a read mode; use %s or %s", p.Mode, ConsumerPolling, ConsumerEFO)
		}
		if p.PollInterval < 0 {
			v.addf(path+".poll_interval", "%v; use a duration over 0, e.g. 200ms", p.PollInterval)
		}
		if p.Settle < 0 {
			v.addf(path+".settle", "%v; use a duration over 0, e.g. 5s", p.Settle)
		}
		if p.LatencyWindow != 0 {
			between(v, path+".latency_window", p.LatencyWindow, 1, MaxPipelineLatencyWindow, " (records)")
		}
		v.pipelineID(p.ID, path+".id")
		for name, n := range p.Expect {
			if !slices.Contains(PipelineExpectNames, name) {
				v.addf(path+".expect."+name, "%q is not a pipeline count; use one of %s", name, strings.Join(PipelineExpectNames, ", "))
			} else if n < 0 {
				v.addf(path+".expect."+name, "%d; use 0 or more", n)
			}
		}
	}
}

// pipelineID checks that exactly one way to find the id is set, and that it is well formed.
func (v *validator) pipelineID(id PipelineID, path string) {
	var set []string
	for _, f := range []struct{ name, value string }{{"field", id.Field}, {"regex", id.Regex}, {"list", id.List}} {
		if f.value != "" {
			set = append(set, f.name)
		}
	}
	if len(set) != 1 {
		v.addf(path, "set exactly one of field (a JSON field path, e.g. source.kinesim_id), regex (for text records, e.g. 'id=(\\S+)') or list (a JSON field path to an array of ids)")
		return
	}
	for _, f := range []struct{ name, value string }{{"field", id.Field}, {"list", id.List}} {
		if f.value != "" && slices.Contains(strings.Split(f.value, "."), "") {
			v.addf(path+"."+f.name, "%q has an empty name; join field names with single dots, e.g. source.kinesim_id", f.value)
		}
	}
	if id.Regex != "" {
		re, err := regexp.Compile(id.Regex)
		switch {
		case err != nil:
			v.addf(path+".regex", "%q does not compile: %v", id.Regex, err)
		case re.NumSubexp() > 1:
			v.addf(path+".regex", "%q has %d capturing groups; use one, around the id (make the others (?:...))", id.Regex, re.NumSubexp())
		}
	}
}

// PipelineNamed returns the pipeline of that name, or nil.
func (s *Scenario) PipelineNamed(name string) *Pipeline {
	for i := range s.Pipelines {
		if s.Pipelines[i].Name == name {
			return &s.Pipelines[i]
		}
	}
	return nil
}
