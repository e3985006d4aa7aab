package scenarios

import (
	"fmt"
	"time"
)

// Defaults for fields a scenario leaves out.
const (
	DefaultShards        = 1
	DefaultMaxRecordSize = 1 * MiB
	DefaultBatchRecords  = 500
	DefaultBatchBytes    = 10 * MiB
	DefaultLinger        = Duration(50 * time.Millisecond)
	DefaultMaxAttempts   = 5
	DefaultRetryBase     = Duration(100 * time.Millisecond)
	DefaultRetryCap      = Duration(5 * time.Second)
	DefaultMaxInFlight   = 8
	DefaultHotKeys       = 1000
	// KPL's aggregation defaults (default_config.properties):
	// AggregationMaxSize, AggregationMaxCount, RecordMaxBufferedTime.
	DefaultAggregationBytes   = ByteSize(51200)
	DefaultAggregationRecords = 4294967295
	DefaultAggregationLinger  = Duration(100 * time.Millisecond)
	// MinAggregationBytes is the smallest AggregationMaxSize KPL accepts.
	MinAggregationBytes   = ByteSize(64)
	TargetModeProvisioned = "provisioned"
	TargetModeOnDemand    = "on-demand"
)

// ApplyDefaults fills in the fields s leaves zero: target kind emulated,
// mode provisioned, 1 shard, the stream named after the scenario, 1MiB
// records; each producer named producer-N (N counts from 1), random partition
// keys, batches of 500 records, 10MiB and 50ms linger, 5 attempts with
// backoff from 100ms capped at 5s, 8 calls in flight.
//
// Parse calls it after decoding and keeps a zero the file wrote explicitly
// (linger: 0 stays 0; max_records: 0 stays, and fails validation).
func ApplyDefaults(s *Scenario) {
	applyDefaults(s, func(string) bool { return false })
}

// applyDefaults fills in each zero field whose path the file does not set.
func applyDefaults(s *Scenario, isSet func(path string) bool) {
	def := func(path string) bool { return !isSet(path) }
	t := &s.Target
	setDefault(&t.Kind, TargetEmulated, def("target.kind"))
	setDefault(&t.Mode, TargetModeProvisioned, def("target.mode"))
	if t.Mode == TargetModeProvisioned {
		setDefault(&t.Shards, DefaultShards, def("target.shards"))
	}
	setDefault(&t.Stream, s.Name, def("target.stream"))
	setDefault(&t.MaxRecordSize, DefaultMaxRecordSize, def("target.max_record_size"))

	for i := range s.Producers {
		p := &s.Producers[i]
		at := func(field string) bool { return def(fmt.Sprintf("producers[%d].%s", i, field)) }
		setDefault(&p.Name, fmt.Sprintf("producer-%d", i+1), at("name"))
		setDefault(&p.PartitionKey, KeySpec{Random: true}, at("partition_key"))
		if p.PartitionKey.Hot != nil {
			setDefault(&p.PartitionKey.Hot.Keys, DefaultHotKeys, at("partition_key.hot.keys"))
		}
		setDefault(&p.Batch.MaxRecords, DefaultBatchRecords, at("batch.max_records"))
		setDefault(&p.Batch.MaxBytes, DefaultBatchBytes, at("batch.max_bytes"))
		setDefault(&p.Batch.Linger, DefaultLinger, at("batch.linger"))
		if a := p.Aggregation; a != nil {
			setDefault(&a.MaxBytes, DefaultAggregationBytes, at("aggregation.max_bytes"))
			setDefault(&a.MaxRecords, DefaultAggregationRecords, at("aggregation.max_records"))
			setDefault(&a.Linger, DefaultAggregationLinger, at("aggregation.linger"))
		}
		setDefault(&p.Retry.MaxAttempts, DefaultMaxAttempts, at("retry.max_attempts"))
		setDefault(&p.Retry.Base, DefaultRetryBase, at("retry.base"))
		setDefault(&p.Retry.Cap, DefaultRetryCap, at("retry.cap"))
		setDefault(&p.MaxInFlight, DefaultMaxInFlight, at("max_in_flight"))
		setDefault(&p.Stream, t.Stream, at("stream"))
		setDefault(&p.API, APIPutRecords, at("api"))
		setDefault(&p.Backpressure.Policy, BackpressureBlock, at("backpressure.policy"))
	}
	for i := range s.Consumers {
		// An empty name is never a name: consumers are named even when the
		// file writes name: "" (the ledger and checkpoints key on it).
		setDefault(&s.Consumers[i].Name, fmt.Sprintf("consumer-%d", i+1), true)
	}
	applyPipelineDefaults(s)
}

// setDefault sets *field to value when it is zero and unset is true.
func setDefault[T comparable](field *T, value T, unset bool) {
	var zero T
	if unset && *field == zero {
		*field = value
	}
}
