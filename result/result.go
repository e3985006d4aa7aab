package result

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SchemaVersion of result.json. Bump it when a field changes meaning or goes
// away; adding fields does not bump it.
const SchemaVersion = 1

// Result is result.json: the contract scripts and CI read. Field names carry
// their units (_ms, _per_s, _bytes, _s).
type Result struct {
	// SchemaVersion is result.json's format version (SchemaVersion); it
	// changes when a field changes meaning or goes away.
	SchemaVersion int `json:"schema_version"`
	// Scenario is the scenario's name.
	Scenario string `json:"scenario"`
	// ScenarioFile is where the scenario was loaded from: a path, or
	// builtin:NAME for the built-in catalogue.
	ScenarioFile string `json:"scenario_file,omitempty"`
	// Seed is the seed the run's traffic was generated from.
	Seed int64 `json:"seed"`
	// Complete is false when the run was stopped early (Ctrl-C, a fatal
	// target error); StopReason then says why.
	Complete bool `json:"complete"`
	// StopReason says why an incomplete run stopped (interrupted, a target error).
	StopReason string `json:"stop_reason,omitempty"`
	// KinesimVersion is the version of kinesim that ran, with the git
	// commit when the binary knows it: `git describe` from `make build`
	// (v1.2.0-3-g1a2b3c4, -dirty when modified), or the commit Go stamped
	// into the binary ("dev (1a2b3c4d5e6f)"), or "dev" when neither is known.
	KinesimVersion string `json:"kinesim_version"`
	// Machine is the computer the run ran on; absent in results written
	// before kinesim recorded it.
	Machine *Machine `json:"machine,omitempty"`
	// Clock is "wall" or "virtual"; in virtual time latencies are simulated
	// from the emulated stream's service-latency model, not measured.
	Clock string `json:"clock,omitempty"`
	// Target is the stream the run wrote to.
	Target TargetInfo `json:"target"`
	// StartedAt is when the run started (UTC; simulated time on a virtual clock).
	StartedAt time.Time `json:"started_at"`
	// EndedAt is when the run's last call finished (UTC; simulated time on a virtual clock).
	EndedAt time.Time `json:"ended_at"`
	// PlannedDurationS is the scenario's duration; ElapsedS is what ran.
	PlannedDurationS float64 `json:"planned_duration_s"`
	// ElapsedS is the run's length in seconds, from its start to its last
	// call's end (the drain included).
	ElapsedS float64 `json:"elapsed_s"`

	// Totals are whole-run counts of records and calls.
	Totals Totals `json:"totals"`
	// Throughput is acknowledged records and bytes per second.
	Throughput Throughput `json:"throughput"`
	// ThrottledRatio is throttled record attempts over all record attempts.
	ThrottledRatio float64 `json:"throttled_ratio"`
	// LatencyMs holds each latency metric's whole-run percentiles in
	// milliseconds, by metric: record, put_records, send_delay, and with
	// consumers end_to_end, propagation_delay, iterator_age.
	LatencyMs map[string]Percentiles `json:"latency_ms"`
	// LatencyDistributionMs is each latency's whole-run percentile curve,
	// p0 to p100 (see DistributionPercentiles); a metric without samples is absent.
	LatencyDistributionMs map[string][]QuantileValue `json:"latency_distribution_ms,omitempty"`
	// Series is the run second by second, downsampled to at most 2,000
	// points of SeriesBucketS seconds each for a longer run (every point
	// exact for its seconds; see SeriesPoint). Every second is in the run
	// folder's series.jsonl (SeriesFile, files.series).
	Series []SeriesPoint `json:"series"`
	// SeriesBucketS is how many seconds each point of Series and of
	// Consumers' arrays covers; absent (1) when every second has its own.
	SeriesBucketS int `json:"series_bucket_s,omitempty"`
	// ShardsBucketS is how many seconds each point of Shards' arrays
	// covers (at most 48,000 points over all shards); absent (1) when
	// every second has its own.
	ShardsBucketS int `json:"shards_bucket_s,omitempty"`
	// Consumers are the built-in consumers' deliveries and backlog per
	// second, in name order; absent without consumers.
	Consumers []ConsumerLoad `json:"consumers,omitempty"`
	// Shards are the acknowledged writes per shard, in shard id order;
	// absent when the target does not name each record's shard.
	Shards []ShardLoad `json:"shards,omitempty"`
	// ShardsTruncated is true when the run touched more than
	// MaxTrackedShards shards and only the first ones seen are in Shards.
	ShardsTruncated bool `json:"shards_truncated,omitempty"`
	// Producers are the scenario's producers, in scenario order.
	Producers []ProducerInfo `json:"producers"`
	// Thresholds are the scenario's thresholds as judged at the end of the
	// run, metrics in name order; absent when the scenario has none.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
	// Verification compares the consumers' deliveries with the ledger;
	// absent when the scenario has no consumers.
	Verification *Verification `json:"verification,omitempty"`
	// Pipelines are what came through each application under test (the
	// scenario's pipelines), in scenario order; absent without pipelines.
	Pipelines []Pipeline `json:"pipelines,omitempty"`
	// Chaos is what each fault of the scenario's chaos timeline did, in
	// timeline order; absent without chaos.
	Chaos []FaultResult `json:"chaos,omitempty"`
	// Files written in the run folder, by role (result, dead_letters, scenario).
	Files map[string]string `json:"files"`
	// Segment says which share of a split run (kinesim run --segment) this
	// folder holds; absent for a whole run. A segment's thresholds and
	// verification are judged on the merged result (kinesim merge).
	Segment *SegmentInfo `json:"segment,omitempty"`
	// Merged lists the segments a merged result (kinesim merge) was made
	// from; absent otherwise.
	Merged *MergeInfo `json:"merged,omitempty"`
}

// SegmentInfo is one segment of a split run.
type SegmentInfo struct {
	// Index is K of K/N, from 0.
	Index int `json:"index"`
	// Count is N.
	Count int `json:"count"`
	// Role is all, producers or consumers.
	Role string `json:"role"`
	// StartAt is the common start every segment's schedule counts from;
	// absent when none was given.
	StartAt time.Time `json:"start_at,omitzero"`
	// LateS is how many seconds after StartAt this segment was ready;
	// its records' send delay counts from the common schedule.
	LateS float64 `json:"late_s,omitempty"`
}

// MergeInfo says what a merged result was made from.
type MergeInfo struct {
	// Segments are the run folders merged, with what each was.
	Segments []MergedSegment `json:"segments"`
	// Missing names the segments (K/N, with the role) no folder held.
	Missing []string `json:"missing,omitempty"`
}

// MergedSegment is one run folder of a merge.
type MergedSegment struct {
	// Source is the folder or s3:// prefix it was read from.
	Source string `json:"source"`
	// Segment is its share, as its result.json says.
	Segment SegmentInfo `json:"segment"`
	// Complete is its result.json's complete.
	Complete bool `json:"complete"`
	// StopReason is why it stopped early, when it did.
	StopReason string `json:"stop_reason,omitempty"`
}

// Machine is the computer a run ran on, to tell apart results a faster or
// busier machine made.
type Machine struct {
	// OS is Go's GOOS, e.g. linux.
	OS string `json:"os"`
	// Arch is Go's GOARCH, e.g. amd64.
	Arch string `json:"arch"`
	// CPUs is the number of logical CPUs the process could use.
	CPUs int `json:"cpus"`
	// GoVersion is the Go release kinesim was built with, e.g. go1.24.1.
	GoVersion string `json:"go_version"`
	// Hostname is the machine's host name; absent when unknown.
	Hostname string `json:"hostname,omitempty"`
}

// ThisMachine describes the machine the process runs on.
func ThisMachine() *Machine {
	host, _ := os.Hostname()
	return &Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), Hostname: host}
}

// TargetInfo names the stream a run wrote to.
type TargetInfo struct {
	// Kind is emulated or kinesis.
	Kind string `json:"kind"`
	// Stream is the stream's name.
	Stream string `json:"stream"`
	// Shards is the shard count the stream was created with.
	Shards int `json:"shards"`
	// Mode is provisioned or on-demand.
	Mode string `json:"mode,omitempty"`
	// Endpoint is the Kinesis endpoint's URL; absent for the emulated stream.
	Endpoint string `json:"endpoint,omitempty"`
	// ExistingStreams are the streams the run found already there, of the
	// scenario's shape (or named by target.existing), and used as they
	// were: neither created nor deleted by the run, and they may hold
	// records of earlier writers.
	ExistingStreams []string `json:"existing_streams,omitempty"`
}

// ProducerInfo describes one producer of the run and what it did.
type ProducerInfo struct {
	// Name is the producer's name in the scenario.
	Name string `json:"name"`
	// Generator is the record kind it made (bike, logs, clickstream, ...).
	Generator string `json:"generator"`
	// PartitionKey says how its records picked a key, e.g. "field bike_id".
	PartitionKey string `json:"partition_key"`
	// Totals are this producer's own counts (the run's totals sum them);
	// absent in results written before kinesim kept them.
	Totals *ProducerTotals `json:"totals,omitempty"`
	// ThrottledRatio is this producer's throttled record attempts over its
	// record attempts; present with Totals.
	ThrottledRatio *float64 `json:"throttled_ratio,omitempty"`
	// LatencyMs holds this producer's record, put_records and send_delay
	// percentiles in milliseconds; present only when a threshold names the
	// producer (METRIC{producer:NAME}), which is what turns on its own
	// histograms (to keep the hot path cheap otherwise).
	LatencyMs map[string]Percentiles `json:"latency_ms,omitempty"`
}

// Totals are whole-run counts. Record counters count records; attempt
// counters count record attempts (a record retried twice is three attempts).
type Totals struct {
	// ProducerTotals are the producers' counts, summed.
	ProducerTotals
	// RecordsConsumed are deliveries to the built-in consumers, re-deliveries
	// included (CloudWatch: GetRecords.Records).
	RecordsConsumed int64 `json:"records_consumed"`
	// BytesConsumed are data bytes delivered to the built-in consumers
	// (CloudWatch: GetRecords.Bytes).
	BytesConsumed int64 `json:"bytes_consumed"`
	// GetRecordsCalls are GetRecords calls the built-in consumers made.
	GetRecordsCalls int64 `json:"get_records_calls"`
	// ReadThrottles are GetRecords calls throttled (CloudWatch:
	// ReadProvisionedThroughputExceeded).
	ReadThrottles int64 `json:"read_throttles"`
	// KinesisRecordsConsumed are the Kinesis records the built-in consumers
	// read; RecordsConsumed counts the user records in them (equal without
	// KPL aggregation), those a consumer that does not de-aggregate read
	// without seeing included.
	KinesisRecordsConsumed int64 `json:"kinesis_records_consumed"`
	// AggregatesCorrupt are records read with the KPL magic bytes that were
	// not a valid aggregate; KCL passes them on as one record, and so do
	// the built-in consumers.
	AggregatesCorrupt int64 `json:"aggregates_corrupt,omitempty"`
	// RecordsFilteredByHashRange are user records dropped by KCL's filter
	// after a reshard: their aggregate held a user record outside the
	// shard's hash key range (the producer puts them again).
	RecordsFilteredByHashRange int64 `json:"records_filtered_by_hash_range,omitempty"`
	// AggregatesNotDeaggregated are KPL aggregates that a consumer with
	// deaggregate: false took as single records.
	AggregatesNotDeaggregated int64 `json:"aggregates_not_deaggregated,omitempty"`
}

// Throughput over the run.
type Throughput struct {
	// RecordsAcknowledgedPerS is the mean over the elapsed time.
	RecordsAcknowledgedPerS float64 `json:"records_acknowledged_per_s"`
	// BytesAcknowledgedPerS is the mean over the elapsed time.
	BytesAcknowledgedPerS float64 `json:"bytes_acknowledged_per_s"`
	// PeakRecordsAcknowledgedPerS is the busiest whole second.
	PeakRecordsAcknowledgedPerS int64 `json:"peak_records_acknowledged_per_s"`
	// KinesisRecordsAcknowledgedPerS is the mean of Kinesis records (KPL
	// aggregates count once); equal to RecordsAcknowledgedPerS without
	// aggregation.
	KinesisRecordsAcknowledgedPerS float64 `json:"kinesis_records_acknowledged_per_s"`
	// KinesisBytesAcknowledgedPerS is the mean of their bytes.
	KinesisBytesAcknowledgedPerS float64 `json:"kinesis_bytes_acknowledged_per_s"`
}

// WriteJSON writes the result to path atomically (a temporary file renamed
// into place), so a crash never leaves half a result.json. Text is written
// as is: "<" stays "<", not "\u003c" (no HTML escaping).
func (r *Result) WriteJSON(path string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	data := buf.Bytes() // Encode ends it with a newline
	tmp, err := os.CreateTemp(filepath.Dir(path), ".result-*.json")
	if err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	// CreateTemp makes the file 0600; result.json is as readable as the
	// run folder's other files.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write result: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write result: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write result: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

// SupportedSchemaVersions are the result.json versions Read understands.
var SupportedSchemaVersions = []int{SchemaVersion}

// Read reads a result.json. It refuses a file that is not a kinesim
// result: not a JSON object, or without a schema_version Read understands
// (SupportedSchemaVersions), so that no command renders or compares an
// empty result as if it were a run.
func Read(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var probe *struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: not a kinesim result.json: %w", path, err)
	}
	switch {
	case probe == nil:
		return nil, fmt.Errorf("%s: not a kinesim result.json: null", path)
	case probe.SchemaVersion == nil:
		return nil, fmt.Errorf("%s: not a kinesim result.json: no schema_version (understood: %s)", path, supportedVersions())
	case !slices.Contains(SupportedSchemaVersions, *probe.SchemaVersion):
		return nil, fmt.Errorf("%s: result.json schema_version %d is not supported (understood: %s)",
			path, *probe.SchemaVersion, supportedVersions())
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: not a kinesim result.json: %w", path, err)
	}
	if r.Files == nil {
		r.Files = map[string]string{}
	}
	return &r, nil
}

func supportedVersions() string {
	vs := make([]string, len(SupportedSchemaVersions))
	for i, v := range SupportedSchemaVersions {
		vs[i] = strconv.Itoa(v)
	}
	return strings.Join(vs, ", ")
}
