package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/kpl"
)

// generateFlags say how many records to print and how to make them.
type generateFlags struct {
	count        int
	seed         int64
	options      []string
	partitionKey string
	producer     string
	start        string
	rate         float64
	// aggregate, when over 0, packs the records into KPL aggregates of at
	// most that many user records and aggregateBytes bytes.
	aggregate      int
	aggregateBytes int
}

func newGenerateCommand() *cobra.Command {
	var f generateFlags
	cmd := &cobra.Command{
		Use:   "generate KIND",
		Short: "Print generated records as JSON lines",
		Long: `Print records of a generator kind as JSON lines {"partition_key": ..., "data": ...},
so you can look at the traffic before sending it, or pipe it elsewhere. data is
the record itself when it is a JSON object, else the record as a JSON string.
Options are a scenario's generator options, one --option NAME=VALUE each; a
value is read as YAML, so record_size={uniform: {min: 512, max: 4KiB}} works.
The same kind, options, seed and --start print the same bytes.

With --aggregate N the records are packed as a KPL producer packs them for one
shard, into aggregated records of at most N user records and --aggregate-bytes
bytes (KPL's AggregationMaxSize, magic and digest included), one line per
Kinesis record: {"partition_key": "a", "explicit_hash_key": ..., "user_records":
N, "bytes": ..., "data": BASE64}. A lone record goes out plain, as KPL sends it.
See docs/aggregation.md for the format.

Kinds and their options:
` + kindsHelp(),
		Example: `  kinesim generate bike --count 5
  kinesim generate logs --option format=rfc5424 --option error_burst=0.5 --seed 7
  kinesim generate clickstream --partition-key '{zipf: {keys: 100, s: 1.1}}'
  kinesim generate video-metadata --option record_size=4KiB --start 2024-11-26T08:00:00Z
  kinesim generate bike --count 120 --aggregate 50`,
		Args: exactArgs(argSpec{"KIND", "a generator kind: " + strings.Join(generators.Kinds(), ", ")}),
		RunE: func(cmd *cobra.Command, args []string) error {
			return generate(cmd.OutOrStdout(), args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.IntVarP(&f.count, "count", "n", 10, "how many records to print")
	fl.Int64Var(&f.seed, "seed", 1, "seed: the same seed prints the same records")
	fl.StringArrayVarP(&f.options, "option", "o", nil, "a generator option NAME=VALUE (repeatable)")
	fl.StringVar(&f.partitionKey, "partition-key", "", "partition key spec as in a scenario: random, {field: NAME}, {uniform: {keys: N}}, {zipf: {keys: N, s: S}}, {hot: {share: P}} (default: the kind's first key field)")
	fl.StringVar(&f.producer, "producer", "", "producer name in the record ids (default: the kind)")
	fl.StringVar(&f.start, "start", "", "intended send time of the first record, RFC 3339 (default: now)")
	fl.Float64Var(&f.rate, "rate", 1000, "records per second: spaces the intended send times")
	fl.IntVar(&f.aggregate, "aggregate", 0, "pack the records into KPL aggregated records of at most N user records each, printed as base64 (0: print the records)")
	fl.IntVar(&f.aggregateBytes, "aggregate-bytes", kpl.DefaultMaxBytes, "with --aggregate: the largest aggregate in bytes, magic and digest included")
	return cmd
}

func kindsHelp() string {
	var b strings.Builder
	for _, kind := range generators.Kinds() {
		doc, _ := generators.Describe(kind)
		fmt.Fprintf(&b, "  %s: %s\n", kind, doc)
		specs, _ := generators.OptionSpecs(kind)
		for _, s := range specs {
			def := ""
			if s.Default != nil {
				def = fmt.Sprintf(" (default %v)", s.Default)
			}
			fmt.Fprintf(&b, "      %-18s %s%s\n", s.Name, s.Doc, def)
		}
	}
	return b.String()
}

func generate(out io.Writer, kind string, f generateFlags) error {
	if f.count < 0 || !(f.rate > 0) {
		return usageError("--count must be 0 or more and --rate above 0")
	}
	opts, err := parseOptionFlags(f.options)
	if err != nil {
		return err
	}
	if kinds := generators.Kinds(); !slices.Contains(kinds, kind) {
		hint := ""
		if best := scenarios.Closest(kind, kinds); best != "" {
			hint = fmt.Sprintf("; did you mean %q?", best)
		}
		return usageError("unknown generator %q%s (allowed: %s)", kind, hint, strings.Join(kinds, ", "))
	}
	gen, err := generators.New(kind, opts, f.seed)
	if err != nil {
		return usageError("%v", err)
	}
	var spec scenarios.KeySpec
	if f.partitionKey != "" {
		if err := yaml.Unmarshal([]byte(f.partitionKey), &spec); err != nil {
			return usageError("--partition-key %q: %v", f.partitionKey, err)
		}
	}
	keys, err := generators.NewKeyChooser(spec, gen, f.seed)
	if err != nil {
		return usageError("--partition-key: %v", err)
	}
	start := time.Now().UTC().Truncate(time.Millisecond)
	if f.start != "" {
		if start, err = time.Parse(time.RFC3339Nano, f.start); err != nil {
			return usageError("--start %q: want an RFC 3339 time such as 2024-11-26T08:00:00Z", f.start)
		}
	}
	producer := f.producer
	if producer == "" {
		producer = kind
	}
	w := bufio.NewWriter(out)
	print, finish := printRecord, func(*bufio.Writer) error { return nil }
	if f.aggregate > 0 {
		agg, err := kpl.NewAggregator(kpl.WithMaxRecords(f.aggregate), kpl.WithMaxBytes(f.aggregateBytes))
		if err != nil {
			return usageError("--aggregate-bytes: %v", err)
		}
		p := &aggregatePrinter{agg: agg}
		print, finish = p.print, p.finish
	}
	var record []byte
	gap := time.Duration(float64(time.Second) / f.rate)
	for i := range f.count {
		record = gen.Next(record[:0], generators.Meta{Producer: producer, ID: uint64(i + 1), Intended: start.Add(time.Duration(i) * gap)})
		if err := print(w, keys.Key(), record); err != nil {
			return err
		}
	}
	if err := finish(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return failure(err)
	}
	return nil
}

// printRecord prints one record as {"partition_key": ..., "data": ...}.
func printRecord(w *bufio.Writer, key string, record []byte) error {
	line := append(appendJSONString([]byte(`{"partition_key":`), key), `,"data":`...)
	if len(record) > 0 && record[0] == '{' && json.Valid(record) {
		line = append(line, record...)
	} else {
		line = appendJSONString(line, string(record))
	}
	if _, err := w.Write(append(line, "}\n"...)); err != nil {
		return failure(err)
	}
	return nil
}

// aggregatePrinter packs records into KPL aggregates and prints each
// Kinesis record it completes.
type aggregatePrinter struct {
	agg *kpl.Aggregator
	out []kpl.Aggregate
}

// aggregateLine is one Kinesis record as generate --aggregate prints it.
type aggregateLine struct {
	PartitionKey    string `json:"partition_key"`
	ExplicitHashKey string `json:"explicit_hash_key,omitempty"`
	UserRecords     int    `json:"user_records"`
	Bytes           int    `json:"bytes"`
	Data            []byte `json:"data"` // base64, as the Kinesis API carries it
}

func (p *aggregatePrinter) print(w *bufio.Writer, key string, record []byte) error {
	var err error
	// The aggregator keeps the record until it hands its aggregate back:
	// give it a copy, the generator reuses its buffer.
	if p.out, err = p.agg.Add(p.out[:0], kpl.UserRecord{PartitionKey: key, Data: slices.Clone(record)}); err != nil {
		return usageError("%v", err)
	}
	return p.write(w)
}

func (p *aggregatePrinter) finish(w *bufio.Writer) error {
	p.out = p.agg.Flush(p.out[:0])
	return p.write(w)
}

func (p *aggregatePrinter) write(w *bufio.Writer) error {
	enc := json.NewEncoder(w)
	for _, a := range p.out {
		line := aggregateLine{PartitionKey: a.PartitionKey, ExplicitHashKey: a.ExplicitHashKey, UserRecords: len(a.UserRecords), Bytes: len(a.Data), Data: a.Data}
		if err := enc.Encode(line); err != nil {
			return failure(err)
		}
	}
	return nil
}

// parseOptionFlags reads NAME=VALUE pairs, each VALUE as YAML (so numbers,
// strings and mappings arrive as they would from a scenario file).
func parseOptionFlags(pairs []string) (map[string]any, error) {
	opts := map[string]any{}
	for _, pair := range pairs {
		name, value, ok := strings.Cut(pair, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, usageError("--option %q: want NAME=VALUE, e.g. --option stations=300", pair)
		}
		var v any
		if err := yaml.Unmarshal([]byte(value), &v); err != nil || v == nil {
			v = value // not YAML (or empty): take it as a plain string
		}
		if _, dup := opts[name]; dup {
			return nil, usageError("--option %s given twice", name)
		}
		opts[name] = v
	}
	return opts, nil
}

// appendJSONString appends s to b as a JSON string, without HTML escaping
// (a syslog "<134>" stays "<134>").
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
