package scenarios

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Kinesis limits a scenario must stay within.
const (
	// MaxShards is the most shards a provisioned stream may ask for here.
	MaxShards = 10000
	// MaxRecordSizeLimit is the largest record Kinesis accepts (10MiB).
	MaxRecordSizeLimit = 10 * MiB
	// MaxBatchRecords is the PutRecords limit on records per call.
	MaxBatchRecords = 500
	// MaxBatchBytes is the PutRecords limit on bytes per call (10MiB).
	MaxBatchBytes = 10 * MiB
	// MaxLinger bounds how long a record may wait for its batch.
	MaxLinger = Duration(time.Minute)
	// MaxAttempts bounds retry.max_attempts.
	MaxAttempts = 100
	// MaxExplicitHashSlots bounds partition_key.explicit_hash.slots.
	MaxExplicitHashSlots = 1 << 16
	// MaxInFlightLimit bounds max_in_flight.
	MaxInFlightLimit = 10000
)

// Consumer modes.
const (
	ConsumerPolling = "polling"
	ConsumerEFO     = "efo"
)

var scenarioName = regexp.MustCompile(`^[a-z0-9._-]+$`)

// Validate checks s against the format's rules and Kinesis' limits and
// returns Errors listing every problem, or nil. It does not apply defaults:
// call ApplyDefaults first on a scenario built in Go. Errors from Validate
// carry field paths but no positions (Parse adds them).
func Validate(s *Scenario, opts ...Option) error {
	es := validate(s, newOptions(opts))
	for _, e := range es {
		e.File = s.File
	}
	return es.err()
}

// validator collects problems by field path.
type validator struct{ es Errors }

func (v *validator) addf(field, format string, args ...any) {
	v.es = append(v.es, &Error{Field: field, Message: fmt.Sprintf(format, args...)})
}

// between checks lo <= n <= hi, saying what is allowed when it is not.
func between[T int | int64 | ByteSize | Duration | float64](v *validator, field string, n, lo, hi T, what string) {
	switch {
	case n < lo:
		v.addf(field, "%v is under the minimum%s; use %v..%v", n, what, lo, hi)
	case n > hi:
		v.addf(field, "%v is over the %slimit; use %v..%v", n, limitName(what), lo, hi)
	}
}

// limitName turns " (PutRecords)" into "PutRecords " for "over the PutRecords limit".
func limitName(what string) string {
	what = strings.Trim(what, " ()")
	if what == "" {
		return ""
	}
	return what + " "
}

func validate(s *Scenario, o options) Errors {
	var v validator
	switch {
	case s.Name == "":
		v.addf("name", "required; name the scenario with a-z, 0-9, '-', '_' or '.'")
	case !scenarioName.MatchString(s.Name):
		v.addf("name", "%q may only hold a-z, 0-9, '-', '_' and '.'", s.Name)
	}
	if s.Duration <= 0 {
		v.addf("duration", "required and over 0, e.g. 2m")
	}
	if o.maxDuration > 0 && s.Duration > o.maxDuration {
		v.addf("duration", "%v is over the limit of %v: %s", s.Duration, o.maxDuration, o.maxDurationWhy)
	}
	v.target(&s.Target)
	if len(s.Producers) == 0 {
		v.addf("producers", "at least one producer is required")
	}
	names := map[string]int{}
	for i := range s.Producers {
		p := &s.Producers[i]
		path := fmt.Sprintf("producers[%d]", i)
		if first, dup := names[p.Name]; dup && p.Name != "" {
			v.addf(path+".name", "%q is already the name of producers[%d]; names must be unique", p.Name, first)
		} else {
			names[p.Name] = i
		}
		v.producer(p, path, s.Target.MaxRecordSize, o)
	}
	for i, c := range s.Consumers {
		path := fmt.Sprintf("consumers[%d]", i)
		if c.Mode != "" && c.Mode != ConsumerPolling && c.Mode != ConsumerEFO {
			v.addf(path+".mode", "%q is not a consumer mode; use %s or %s", c.Mode, ConsumerPolling, ConsumerEFO)
		}
		if c.Stream != "" && !slices.ContainsFunc(s.Producers, func(p Producer) bool { return p.Stream == c.Stream }) && c.Stream != s.Target.Stream {
			v.addf(path+".stream", "%q is not a stream of this scenario; use target.stream or a producer's stream", c.Stream)
		}
		v.consumer(&c, path)
	}
	v.pipelines(s)
	v.chaos(s)
	switch s.Clock {
	case "", ClockWall:
	case ClockVirtual:
		if len(s.Pipelines) > 0 {
			v.addf("clock", "virtual time cannot be followed by an application outside kinesim (pipelines); remove clock: virtual")
		}
		if s.Target.Kind != TargetEmulated {
			v.addf("clock", "virtual time needs the emulated target (target.kind: emulated); a real endpoint runs in wall-clock time")
		}
	default:
		v.addf("clock", "%q is not a clock; use %s or %s", s.Clock, ClockWall, ClockVirtual)
	}
	v.thresholds(s.Thresholds, s.Producers)
	v.compare(s.Compare)
	v.objectives(s.Objectives, len(s.Consumers) > 0)
	return v.es
}

func (v *validator) objectives(o *Objectives, consumers bool) {
	if o == nil {
		return
	}
	for _, d := range []struct {
		field    string
		value    Duration
		consumer bool
	}{
		{"max_put_latency_p99", o.MaxPutLatencyP99, false},
		{"max_end_to_end_p99", o.MaxEndToEndP99, true},
		{"max_iterator_age", o.MaxIteratorAge, true},
		{"max_backlog_drain", o.MaxBacklogDrain, true},
	} {
		switch {
		case d.value < 0:
			v.addf("objectives."+d.field, "must not be negative; leave it out for no objective")
		case d.value > 0 && d.consumer && !consumers:
			v.addf("objectives."+d.field, "needs a consumer to measure; add one under consumers: or leave the objective out")
		}
	}
	if r := o.MaxWriteThrottleRatio; r != nil && !(*r >= 0 && *r <= 1) {
		v.addf("objectives.max_write_throttle_ratio", "%v is not a ratio; use 0..1, e.g. 0.001 for 0.1%%", *r)
	}
	if h := o.Headroom; h != nil && !(*h >= 0 && *h < 1) {
		v.addf("objectives.headroom", "%v; use 0 (none) up to under 1, e.g. 0.3 for 30%%", *h)
	}
	between(v, "objectives.max_shards", o.MaxShards, 0, MaxShards, " (shards)")
	if o.Represents < 0 {
		v.addf("objectives.represents", "must not be negative; leave it out to use the duration")
	}
}

func (v *validator) target(t *Target) {
	if t.Kind != TargetEmulated && t.Kind != TargetKinesis {
		v.addf("target.kind", "%q is not a target kind; use %s or %s", t.Kind, TargetEmulated, TargetKinesis)
	}
	switch t.Mode {
	case TargetModeProvisioned:
		between(v, "target.shards", t.Shards, 1, MaxShards, " (shards)")
	case TargetModeOnDemand:
		between(v, "target.shards", t.Shards, 0, MaxShards, " (shards)")
	default:
		v.addf("target.mode", "%q is not a capacity mode; use %s or %s", t.Mode, TargetModeProvisioned, TargetModeOnDemand)
	}
	if t.Stream == "" {
		v.addf("target.stream", "required; name the stream")
	}
	between(v, "target.max_record_size", t.MaxRecordSize, 1, MaxRecordSizeLimit, " (Kinesis record size)")
}

func (v *validator) producer(p *Producer, path string, recordSize ByteSize, o options) {
	if p.Name == "" {
		v.addf(path+".name", "must not be empty")
	}
	switch {
	case p.Generator == "":
		v.addf(path+".generator", "required; name the record generator, e.g. bike")
	case len(o.generators) > 0 && !slices.Contains(o.generators, p.Generator):
		hint := ""
		if best := closest(p.Generator, o.generators); best != "" {
			hint = fmt.Sprintf("did you mean %q? ", best)
		}
		v.addf(path+".generator", "%q is not a known generator; %suse one of %s", p.Generator, hint, strings.Join(o.generators, ", "))
	}
	v.partitionKey(&p.PartitionKey, path+".partition_key")
	v.rate(p.Rate, path+".rate")
	v.recordSizes(p, path, recordSize)

	b := &p.Batch
	between(v, path+".batch.max_records", b.MaxRecords, 1, MaxBatchRecords, " (PutRecords)")
	between(v, path+".batch.max_bytes", b.MaxBytes, 1, MaxBatchBytes, " (PutRecords)")
	between(v, path+".batch.linger", b.Linger, 0, MaxLinger, "")
	v.aggregation(p, path, recordSize)

	r := &p.Retry
	between(v, path+".retry.max_attempts", r.MaxAttempts, 1, MaxAttempts, "")
	if r.Base <= 0 {
		v.addf(path+".retry.base", "must be over 0, e.g. 100ms")
	}
	if r.Cap < r.Base {
		v.addf(path+".retry.cap", "%v is under retry.base (%v); the cap must be at least the base", r.Cap, r.Base)
	}
	between(v, path+".max_in_flight", p.MaxInFlight, 1, MaxInFlightLimit, "")
	if p.Stream == "" {
		v.addf(path+".stream", "must not be empty; leave it out to use target.stream")
	}
	if p.API != APIPutRecords && p.API != APIPutRecord {
		v.addf(path+".api", "%q is not a producer API; use %s or %s", p.API, APIPutRecords, APIPutRecord)
	}
	v.backpressure(&p.Backpressure, path+".backpressure")
}

// aggregation checks a producer's KPL aggregation against KPL's limits and
// the stream's record size: an aggregate and its 1-byte partition key must
// be one record the stream takes.
func (v *validator) aggregation(p *Producer, path string, recordSize ByteSize) {
	a := p.Aggregation
	if a == nil {
		return
	}
	path += ".aggregation"
	// The top is target.max_record_size less the aggregate's partition key.
	between(v, path+".max_bytes", a.MaxBytes, MinAggregationBytes, recordSize-1, " (aggregate size)")
	between(v, path+".max_records", a.MaxRecords, 1, DefaultAggregationRecords, " (KPL AggregationMaxCount)")
	between(v, path+".linger", a.Linger, 0, MaxLinger, "")
	if p.API == APIPutRecord {
		v.addf(path, "needs api put_records (KPL sends aggregates with PutRecords); remove api: put_record or the aggregation")
	}
}

func (v *validator) backpressure(b *Backpressure, path string) {
	switch b.Policy {
	case BackpressureBlock, BackpressureDrop:
	case BackpressureBuffer:
		if b.Buffer < 1 {
			v.addf(path+".buffer", "policy buffer needs buffer: N, the records that may wait (N >= 1)")
		}
	case BackpressureSample:
		if b.Share <= 0 || b.Share > 1 {
			v.addf(path+".share", "policy sample needs share in (0, 1], the fraction of records kept, e.g. 0.5")
		}
	default:
		v.addf(path+".policy", "%q is not a backpressure policy; use %s, %s, %s or %s",
			b.Policy, BackpressureBlock, BackpressureBuffer, BackpressureDrop, BackpressureSample)
	}
}

func (v *validator) partitionKey(k *KeySpec, path string) {
	switch forms := k.forms(); len(forms) {
	case 0:
		v.addf(path, "set one of field, uniform, zipf or hot, or write random")
		return
	case 1:
	default:
		v.addf(path, "sets %s; set exactly one", strings.Join(forms, " and "))
		return
	}
	if u := k.Uniform; u != nil && u.Keys < 1 {
		v.addf(path+".uniform.keys", "%d keys; use 1 or more", u.Keys)
	}
	if z := k.Zipf; z != nil {
		if z.Keys < 1 {
			v.addf(path+".zipf.keys", "%d keys; use 1 or more", z.Keys)
		}
		if !(z.S > 0) {
			v.addf(path+".zipf.s", "%v; the Zipf exponent must be over 0, e.g. 1.1", z.S)
		}
	}
	if e := k.ExplicitHash; e != nil && (e.Slots < 1 || e.Slots > MaxExplicitHashSlots) {
		v.addf(path+".explicit_hash.slots", "%d slots; use 1..%d", e.Slots, MaxExplicitHashSlots)
	}
	if h := k.Hot; h != nil {
		if !(h.Share > 0 && h.Share <= 1) {
			v.addf(path+".hot.share", "%v; the hot key's share of traffic must be over 0 and at most 1", h.Share)
		}
		if h.Keys < 0 {
			v.addf(path+".hot.keys", "%d keys; use 0 or more", h.Keys)
		}
	}
}

func (v *validator) rate(segments []RateSegment, path string) {
	if len(segments) == 0 {
		v.addf(path, "at least one segment is required, e.g. - {constant: 100/s}")
		return
	}
	shapes := rateShapes()
	for i := range segments {
		seg := fmt.Sprintf("%s[%d]", path, i)
		switch set := segmentShapes(&segments[i]); len(set) {
		case 0:
			v.addf(seg, "sets no shape; set one of %s", strings.Join(shapes, ", "))
		case 1:
		default:
			v.addf(seg, "sets %s; set exactly one of %s", strings.Join(set, " and "), strings.Join(shapes, ", "))
		}
		if a := segments[i].Arrivals; a != "" && a != ArrivalsEven && a != ArrivalsPoisson {
			v.addf(seg+".arrivals", "%q is not an arrival spacing; use %s or %s", a, ArrivalsEven, ArrivalsPoisson)
		}
		if c := segments[i].Constant; c != nil && *c <= 0 && len(segments) == 1 {
			v.addf(seg+".constant", "%v: the producer would never write; use a rate over 0, e.g. 100/s", *c)
		}
		if segments[i].For <= 0 && i < len(segments)-1 {
			v.addf(seg+".for", "required on every segment but the last; say how long it lasts, e.g. 30s")
		}
	}
}

// rateShapes names RateSegment's shapes: its pointer fields (so a shape
// added to RateSegment is counted without touching this file).
func rateShapes() []string {
	var names []string
	for _, f := range yamlFields(reflect.TypeFor[RateSegment]()) {
		if f.typ.Kind() == reflect.Pointer {
			names = append(names, f.name)
		}
	}
	return names
}

// segmentShapes names the shapes set in seg.
func segmentShapes(seg *RateSegment) []string {
	rv := reflect.ValueOf(seg).Elem()
	var set []string
	for _, f := range reflect.VisibleFields(rv.Type()) {
		if fv := rv.FieldByIndex(f.Index); f.IsExported() && fv.Kind() == reflect.Pointer && !fv.IsNil() {
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			set = append(set, name)
		}
	}
	return set
}

func (v *validator) consumer(c *Consumer, path string) {
	switch c.Processor {
	case "", ProcessorCount, ProcessorAggregate:
		if c.Window != nil {
			v.addf(path+".window", "only the window processor has a window; set processor: window or leave window out")
		}
	case ProcessorWindow:
		switch {
		case c.Window == nil || c.Window.Field == "":
			v.addf(path+".window.field", "the window processor needs the numeric field to summarize, e.g. window: {field: battery_pct, size: 1m}")
		case c.Window.Size < 0:
			v.addf(path+".window.size", "must be over 0, e.g. 1m")
		}
	default:
		v.addf(path+".processor", "%q is not a processor; use %s, %s or %s", c.Processor, ProcessorCount, ProcessorAggregate, ProcessorWindow)
	}
	if c.Sink != "" && c.Sink != SinkNaive && c.Sink != SinkIdempotent && c.Sink != SinkIdempotentSequence {
		v.addf(path+".sink", "%q is not a sink mode; use %s, %s or %s", c.Sink, SinkNaive, SinkIdempotent, SinkIdempotentSequence)
	}
	switch {
	case c.Start.Position != "" && c.Start.AtTimestamp != "":
		v.addf(path+".start", "sets position and at_timestamp; set one")
	case c.Start.Position != "" && c.Start.Position != StartTrimHorizon && c.Start.Position != StartLatest:
		v.addf(path+".start.position", "%q is not a start position; use %s or %s (or at_timestamp)", c.Start.Position, StartTrimHorizon, StartLatest)
	case c.Start.AtTimestamp != "":
		if _, _, err := c.Start.Timestamp(); err != nil {
			v.addf(path+".start.at_timestamp", "%v", err)
		}
	}
	if f := c.Filter; f != nil && (f.Field == "" || f.Equals == "") {
		v.addf(path+".filter", "needs field and equals, e.g. filter: {field: event_type, equals: bike_returned}")
	}
	if c.Workers < 0 || c.Workers > 100 {
		v.addf(path+".workers", "%d; use 1 to 100", c.Workers)
	}
	if s := c.Checkpoint.Store; s != "" && s != CheckpointMemory && s != CheckpointFile {
		v.addf(path+".checkpoint.store", "%q is not a checkpoint store; use %s or %s", s, CheckpointMemory, CheckpointFile)
	}
	if c.Checkpoint.Records < 0 {
		v.addf(path+".checkpoint.records", "must be at least 1 (or left out for 1000)")
	}
	if c.PollInterval < 0 || c.Checkpoint.Every < 0 {
		v.addf(path+".poll_interval", "durations must not be negative")
	}
	for name, n := range c.Expect {
		if !slices.Contains(ExpectNames, name) {
			v.addf(path+".expect."+name, "%q is not a verification count; use one of %s", name, strings.Join(ExpectNames, ", "))
		} else if n < 0 {
			v.addf(path+".expect."+name, "must be 0 or more")
		}
	}
}
