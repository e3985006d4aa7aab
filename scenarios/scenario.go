// Package scenarios defines kinesim's scenario file format (YAML), loads and
// validates scenario files strictly, and embeds the built-in catalogue
// (scenarios/*.yaml) so `kinesim run NAME` finds them by name.
//
// Load, Parse and Validate are pure functions, safe for concurrent use.
// Every error names the file, line and column, the field, and what is allowed.
package scenarios

import (
	"fmt"
	"time"

	"github.com/kinesim/kinesim/result"
)

// Scenario is one scenario file: what traffic to make, where to send it,
// which faults to inject and what must hold.
type Scenario struct {
	// Name identifies the scenario; the run folder is named after it.
	Name string `yaml:"name" json:"name"`
	// Description is one line shown by `kinesim scenarios`.
	Description string `yaml:"description" json:"description,omitempty"`
	// Seed makes generated traffic repeatable. 0 is a valid seed.
	Seed int64 `yaml:"seed" json:"seed"`
	// Duration is how long producers run.
	Duration Duration `yaml:"duration" json:"duration"`
	// Target is the stream written to.
	Target Target `yaml:"target" json:"target"`
	// Producers make the traffic; at least one.
	Producers []Producer `yaml:"producers" json:"producers"`
	// Consumers read the stream back (the consumers issue gives them meaning).
	Consumers []Consumer `yaml:"consumers,omitempty" json:"consumers,omitempty"`
	// Chaos is the fault timeline: faults injected at chosen times (see Fault).
	Chaos []Fault `yaml:"chaos,omitempty" json:"chaos,omitempty"`
	// Thresholds are k6-like pass/fail expressions per metric, e.g.
	// put_latency_ms: ["p(99) < 250"]; a key may name one producer as k6
	// tags do, put_latency_ms{producer:bikes}. An entry is the expression or
	// {threshold: EXPR, abort_on_fail: true, delay_abort_eval: 10s}.
	Thresholds map[string][]ThresholdSpec `yaml:"thresholds,omitempty" json:"thresholds,omitempty"`
	// Compare tunes `kinesim compare` when this scenario's run is the current one.
	Compare *CompareOptions `yaml:"compare,omitempty" json:"compare,omitempty"`
	// Clock is wall (default: the run takes its duration) or virtual
	// (emulated targets only: simulated time jumps ahead whenever every
	// producer and consumer waits, so hours of traffic run in seconds).
	Clock string `yaml:"clock,omitempty" json:"clock,omitempty"`
	// Objectives are what `kinesim plan` sizes the stream for.
	Objectives *Objectives `yaml:"objectives,omitempty" json:"objectives,omitempty"`
	// Pipelines are applications outside kinesim that read a stream it
	// writes and write another, which kinesim reads and matches (see Pipeline).
	Pipelines []Pipeline `yaml:"pipelines,omitempty" json:"pipelines,omitempty"`

	// File is where the scenario was loaded from ("builtin:NAME" for the catalogue).
	File string `yaml:"-" json:"-"`
}

// Clocks a scenario runs on.
const (
	ClockWall    = "wall"
	ClockVirtual = "virtual"
)

// Target kinds.
const (
	TargetEmulated = "emulated"
	TargetKinesis  = "kinesis"
)

// Target says which stream the traffic goes to.
type Target struct {
	// Kind is "emulated" (default) or "kinesis".
	Kind string `yaml:"kind" json:"kind"`
	// Stream is the stream name (or ARN for kinesis).
	Stream string `yaml:"stream" json:"stream"`
	// Shards is the shard count of a provisioned stream (default 1).
	Shards int `yaml:"shards" json:"shards"`
	// Mode is "provisioned" (default) or "on-demand".
	Mode string `yaml:"mode,omitempty" json:"mode,omitempty"`
	// Endpoint overrides the Kinesis endpoint URL (kinesis targets).
	Endpoint string `yaml:"endpoint,omitempty" json:"endpoint,omitempty"`
	// Region is the AWS region (kinesis targets).
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// MaxRecordSize is the stream's record size limit (default 1MiB, at most 10MiB).
	MaxRecordSize ByteSize `yaml:"max_record_size,omitempty" json:"max_record_size,omitempty"`
	// Profile is the AWS shared-config profile (kinesis targets).
	Profile string `yaml:"profile,omitempty" json:"profile,omitempty"`
	// Existing uses streams that already exist, untouched: kinesim neither
	// creates nor deletes them.
	Existing bool `yaml:"existing,omitempty" json:"existing,omitempty"`
	// Keep leaves the streams kinesim created in place after the run
	// (default: they are deleted, on Ctrl-C too).
	Keep bool `yaml:"keep,omitempty" json:"keep,omitempty"`
	// AllowRealAWS lets a run create streams on Amazon Kinesis itself (no
	// endpoint override), which costs money; the same as --yes.
	AllowRealAWS bool `yaml:"allow_real_aws,omitempty" json:"allow_real_aws,omitempty"`
}

// Producer makes one stream of records.
type Producer struct {
	// Name identifies the producer in reports (default producer-N).
	Name string `yaml:"name" json:"name"`
	// Generator is the record kind: bike, logs, clickstream, video-metadata.
	Generator string `yaml:"generator" json:"generator"`
	// Options are the generator's own settings.
	Options map[string]any `yaml:"options,omitempty" json:"options,omitempty"`
	// PartitionKey says how records pick their partition key.
	PartitionKey KeySpec `yaml:"partition_key" json:"partition_key"`
	// Rate is the arrival-rate schedule: segments run in sequence; the last
	// segment's rate holds until the scenario's duration ends.
	Rate []RateSegment `yaml:"rate" json:"rate"`
	// Batch says how records are grouped into PutRecords calls.
	Batch Batch `yaml:"batch" json:"batch"`
	// Aggregation, when set, packs the user records bound for one shard
	// into KPL aggregated records before they are batched (see
	// docs/aggregation.md); left out, every record is its own Kinesis record.
	Aggregation *Aggregation `yaml:"aggregation,omitempty" json:"aggregation,omitempty"`
	// Retry is the retry policy for failed records.
	Retry Retry `yaml:"retry" json:"retry"`
	// MaxInFlight bounds concurrent PutRecords calls (default 8).
	MaxInFlight int `yaml:"max_in_flight" json:"max_in_flight"`
	// Stream is the stream this producer writes to (default target.stream).
	// Every stream named is created with the target's shard count.
	Stream string `yaml:"stream,omitempty" json:"stream,omitempty"`
	// API is put_records (default: batches of up to 500 records per call) or
	// put_record (one record per PutRecord call, as some producers do; batch
	// settings are then ignored).
	API string `yaml:"api,omitempty" json:"api,omitempty"`
	// Backpressure says what happens when every call slot is busy and the
	// schedule has more records due (default block).
	Backpressure Backpressure `yaml:"backpressure,omitempty" json:"backpressure,omitempty"`
}

// Producer APIs.
const (
	APIPutRecords = "put_records"
	APIPutRecord  = "put_record"
)

// Backpressure policies.
const (
	// BackpressureBlock: the producer waits for a call slot; the schedule
	// slips and the slip is measured as send delay.
	BackpressureBlock = "block"
	// BackpressureBuffer: up to Buffer records wait for a slot without
	// holding the schedule up; past that the producer blocks.
	BackpressureBuffer = "buffer"
	// BackpressureDrop: a batch that finds no free slot is dropped and counted.
	BackpressureDrop = "drop"
	// BackpressureSample: a batch that finds no free slot keeps Share of its
	// records (evenly spread) and waits for a slot; the rest are dropped and counted.
	BackpressureSample = "sample"
)

// Backpressure is the policy when the target is slower than the schedule.
type Backpressure struct {
	// Policy is block (default), buffer, drop or sample.
	Policy string `yaml:"policy" json:"policy"`
	// Buffer is how many records may wait for a slot (policy buffer).
	Buffer int `yaml:"buffer,omitempty" json:"buffer,omitempty"`
	// Share of records kept under backpressure (policy sample), in (0, 1].
	Share float64 `yaml:"share,omitempty" json:"share,omitempty"`
}

// KeySpec chooses partition keys. Exactly one form is set. In YAML it is the
// scalar `random`, or a mapping: {field: bike_id}, {zipf: {keys: 300, s: 1.1}},
// {hot: {share: 0.4, keys: 100}}, {uniform: {keys: 100}}.
type KeySpec struct {
	// Field takes the key from the generator's named field (e.g. bike_id).
	Field string `yaml:"field,omitempty" json:"field,omitempty"`
	// Random draws a fresh random key per record.
	Random bool `yaml:"random,omitempty" json:"random,omitempty"`
	// Uniform draws from a fixed set of keys with equal frequency.
	Uniform *KeySet `yaml:"uniform,omitempty" json:"uniform,omitempty"`
	// Zipf draws from a fixed set of keys with Zipf(s) frequency.
	Zipf *ZipfKeys `yaml:"zipf,omitempty" json:"zipf,omitempty"`
	// Hot sends Share of records to one key, the rest uniformly over Keys.
	Hot *HotKey `yaml:"hot,omitempty" json:"hot,omitempty"`
	// ExplicitHash, beside any form above, gives every record an
	// ExplicitHashKey that overrides its partition key's MD5 hash, so
	// records spread over the hash space as the strategy says.
	ExplicitHash *ExplicitHash `yaml:"explicit_hash,omitempty" json:"explicit_hash,omitempty"`
}

// ExplicitHash spreads records over Slots hash keys evenly spaced across the
// 128-bit hash space, taken in turn: the fix for a hot partition key that
// more shards alone cannot spread (each shard of an N-shard stream with
// even ranges gets Slots/N of them).
type ExplicitHash struct {
	Slots int `yaml:"slots" json:"slots"`
}

// KeySet is a fixed number of distinct keys.
type KeySet struct {
	Keys int `yaml:"keys" json:"keys"`
}

// ZipfKeys is a Zipf-distributed key set: key k has weight 1/k^S.
type ZipfKeys struct {
	Keys int     `yaml:"keys" json:"keys"`
	S    float64 `yaml:"s" json:"s"`
}

// HotKey puts Share (0..1] of the traffic on a single key.
type HotKey struct {
	Share float64 `yaml:"share" json:"share"`
	// Keys is the number of other keys sharing the rest (default 1000).
	Keys int `yaml:"keys,omitempty" json:"keys,omitempty"`
}

// RateSegment is one segment of a rate schedule; exactly one shape is set.
// For is how long the segment lasts (0 on the last segment: until the end).
type RateSegment struct {
	Constant *Rate      `yaml:"constant,omitempty" json:"constant,omitempty"`
	Ramp     *RampShape `yaml:"ramp,omitempty" json:"ramp,omitempty"`
	// Steps holds each of a list of rates in turn.
	Steps *StepsShape `yaml:"steps,omitempty" json:"steps,omitempty"`
	// Spike is a base rate with a peak for a window inside the segment.
	Spike *SpikeShape `yaml:"spike,omitempty" json:"spike,omitempty"`
	// Sine swings between a minimum and a maximum rate with a period.
	Sine *SineShape `yaml:"sine,omitempty" json:"sine,omitempty"`
	// Diurnal is a day of traffic with morning and evening rush hours.
	Diurnal *DiurnalShape `yaml:"diurnal,omitempty" json:"diurnal,omitempty"`
	// OnOff alternates bursts and lulls of random lengths.
	OnOff *OnOffShape `yaml:"on_off,omitempty" json:"on_off,omitempty"`
	// Trace replays a recorded rate from a CSV file.
	Trace *TraceShape `yaml:"trace,omitempty" json:"trace,omitempty"`
	For   Duration    `yaml:"for,omitempty" json:"for,omitempty"`
	// Arrivals spaces the records: "even" (default) puts them evenly along
	// the shape's rate; "poisson" draws exponential gaps around it (seeded
	// from the scenario's seed, so a run repeats). It is not a shape: it
	// goes with any one.
	Arrivals string `yaml:"arrivals,omitempty" json:"arrivals,omitempty"`
}

// Arrival spacings of a rate segment.
const (
	ArrivalsEven    = "even"
	ArrivalsPoisson = "poisson"
)

// RampShape rises (or falls) linearly from From to To over the segment.
type RampShape struct {
	From Rate `yaml:"from" json:"from"`
	To   Rate `yaml:"to" json:"to"`
}

// StepsShape holds each of Rates in turn for Every; the last rate holds to
// the segment's end. Without Every the segment is split evenly between them.
// In YAML: {steps: {rates: [100/s, 200/s, 400/s], every: 10s}, for: 30s}.
type StepsShape struct {
	Rates []Rate   `yaml:"rates" json:"rates"`
	Every Duration `yaml:"every,omitempty" json:"every,omitempty"`
}

// SpikeShape runs at Base, except at Peak from At for For (both measured from
// the segment's start). In YAML:
// {spike: {base: 4000/s, peak: 9000/s, at: 10s, for: 5s}, for: 60s}.
type SpikeShape struct {
	Base Rate     `yaml:"base" json:"base"`
	Peak Rate     `yaml:"peak" json:"peak"`
	At   Duration `yaml:"at" json:"at"`
	For  Duration `yaml:"for" json:"for"`
}

// SineShape swings smoothly between Min and Max: it starts at Min and peaks
// half a period in. The period in run time is Period / TimeScale.
type SineShape struct {
	Min    Rate     `yaml:"min" json:"min"`
	Max    Rate     `yaml:"max" json:"max"`
	Period Duration `yaml:"period" json:"period"`
	// TimeScale compresses the curve: 60 plays a 1h period in 1m (default 1).
	TimeScale float64 `yaml:"time_scale,omitempty" json:"time_scale,omitempty"`
}

// DiurnalShape is a working day of bike-share traffic: quiet at night (Min
// at 03:00), a morning rush-hour peak at 08:00 and an evening one at 17:00
// (both Max), busy in between. The day is Period long, played in
// Period / TimeScale of run time: {min: 50/s, max: 12000/s, time_scale: 1440}
// plays a 24h day in 60s.
type DiurnalShape struct {
	Min Rate `yaml:"min" json:"min"`
	Max Rate `yaml:"max" json:"max"`
	// Period is the length of the day (default 24h).
	Period Duration `yaml:"period,omitempty" json:"period,omitempty"`
	// TimeScale compresses the day: 1440 plays 24h in 60s (default 1).
	TimeScale float64 `yaml:"time_scale,omitempty" json:"time_scale,omitempty"`
	// Start is the time of day the segment starts at, e.g. 6h for 06:00
	// (default 0, midnight); less than Period.
	Start Duration `yaml:"start,omitempty" json:"start,omitempty"`
}

// OnOffShape alternates bursts at OnRate and lulls at OffRate whose lengths
// are exponential with means MeanOn and MeanOff (a Markov-modulated process),
// starting with a burst. The lengths are drawn from the scenario's seed, so
// a run repeats.
type OnOffShape struct {
	MeanOn  Duration `yaml:"mean_on" json:"mean_on"`
	MeanOff Duration `yaml:"mean_off" json:"mean_off"`
	OnRate  Rate     `yaml:"on_rate" json:"on_rate"`
	OffRate Rate     `yaml:"off_rate,omitempty" json:"off_rate,omitempty"`
}

// TraceShape replays a recorded rate: a CSV file of
// `timestamp,records_per_second` rows (e.g. a CloudWatch IncomingRecords
// export divided by its period in seconds). Each row's rate holds until the
// next row's timestamp; the last row's rate holds to the segment's end.
type TraceShape struct {
	// File is the CSV file, relative to the scenario file.
	File string `yaml:"file" json:"file"`
	// TimeScale compresses the trace: 60 plays an hour of it in a minute
	// (default 1).
	TimeScale float64 `yaml:"time_scale,omitempty" json:"time_scale,omitempty"`
	// Scale multiplies every rate, e.g. 2 for twice production (default 1).
	Scale float64 `yaml:"scale,omitempty" json:"scale,omitempty"`
}

// Batch groups records into PutRecords calls.
type Batch struct {
	// MaxRecords per call (default 500, at most 500).
	MaxRecords int `yaml:"max_records" json:"max_records"`
	// MaxBytes per call (default and maximum 10MiB).
	MaxBytes ByteSize `yaml:"max_bytes,omitempty" json:"max_bytes,omitempty"`
	// Linger is the longest a record waits for its batch to fill (default 50ms).
	Linger Duration `yaml:"linger" json:"linger"`
}

// Aggregation packs user records into KPL aggregated records, as the
// Kinesis Producer Library does: the records a producer predicts for the
// same shard (from the stream's shard map) share an aggregate of at most
// MaxBytes and MaxRecords user records, sent when full or when its first
// record has waited Linger. The aggregates are then batched into PutRecords
// calls as records are. Defaults are KPL's (default_config.properties).
type Aggregation struct {
	// MaxBytes bounds an aggregate, magic bytes and digest included (KPL
	// AggregationMaxSize; default 51,200 bytes, at least 64, at most the
	// stream's record size less 1 byte for the aggregate's partition key).
	MaxBytes ByteSize `yaml:"max_bytes,omitempty" json:"max_bytes,omitempty"`
	// MaxRecords bounds the user records in one aggregate (KPL
	// AggregationMaxCount; default 4,294,967,295).
	MaxRecords int64 `yaml:"max_records,omitempty" json:"max_records,omitempty"`
	// Linger is the longest a user record waits for its aggregate to fill
	// (KPL RecordMaxBufferedTime; default 100ms); the aggregate then waits
	// at most batch.linger for its PutRecords call.
	Linger Duration `yaml:"linger,omitempty" json:"linger,omitempty"`
}

// Retry is exponential backoff with full jitter: before attempt n+1 wait a
// uniform random time in [0, min(Cap, Base*2^(n-1))].
type Retry struct {
	// MaxAttempts includes the first attempt (default 5; 1 means no retry).
	MaxAttempts int `yaml:"max_attempts" json:"max_attempts"`
	// Base is the first backoff ceiling (default 100ms).
	Base Duration `yaml:"base" json:"base"`
	// Cap bounds every backoff (default 5s).
	Cap Duration `yaml:"cap" json:"cap"`
}

// Consumer reads the stream back, like a KCL application: one worker per
// shard, checkpoints, parents before children. Its deliveries are checked
// against the run's ledger.
type Consumer struct {
	// Name identifies the consumer in reports (default consumer-N).
	Name string `yaml:"name" json:"name"`
	// Mode is polling (GetRecords; shares the shard's 5 calls/s and 2 MiB/s).
	Mode string `yaml:"mode" json:"mode"`
	// PollInterval is the wait between GetRecords calls per shard (default 1s, KCL's).
	PollInterval Duration `yaml:"poll_interval,omitempty" json:"poll_interval,omitempty"`
	// Stream is the stream read (default target.stream); any stream a
	// producer writes to. Only the records of the producers writing to it
	// are expected.
	Stream string `yaml:"stream,omitempty" json:"stream,omitempty"`
	// Start is where the consumer starts reading each shard that has no
	// checkpoint: the trim horizon (default), latest, or a time.
	Start StartPosition `yaml:"start,omitempty" json:"start,omitempty"`
	// Filter keeps only the records whose JSON field equals a value; the
	// others are read and dropped (counted as filtered_out, not lost).
	Filter *Filter `yaml:"filter,omitempty" json:"filter,omitempty"`
	// Workers is how many workers of the application share its lease table
	// (default 1); a lease_loss fault moves a lease between them.
	Workers int `yaml:"workers,omitempty" json:"workers,omitempty"`
	// Processor is what the consumer does with records: count (default),
	// aggregate (per-key running totals into the sink) or window (per-key
	// min/max/avg of a numeric field over a sliding time window).
	Processor string `yaml:"processor,omitempty" json:"processor,omitempty"`
	// Window configures the window processor.
	Window *Window `yaml:"window,omitempty" json:"window,omitempty"`
	// Sink is the sink's write mode: naive (default; applies every delivery,
	// so duplicates corrupt totals), idempotent (dedupes by record id) or
	// idempotent_sequence (dedupes by each shard's highest sequence number
	// applied; it does not catch producer-retry duplicates, which have new
	// sequence numbers).
	Sink string `yaml:"sink,omitempty" json:"sink,omitempty"`
	// Deaggregate says whether the consumer unpacks KPL aggregated records
	// into their user records, as KCL does (default true). false is a
	// naive consumer that takes each Kinesis record as one record: it sees
	// 1 record where a KPL producer put 50, and its verdict says so.
	Deaggregate *bool `yaml:"deaggregate,omitempty" json:"deaggregate,omitempty"`
	// Checkpoint says how often progress is saved.
	Checkpoint Checkpoint `yaml:"checkpoint,omitempty" json:"checkpoint,omitempty"`
	// RestartAt are times (from the run's start) at which the consumer
	// crashes and restarts from its last checkpoint, re-reading what it had
	// processed since: the consumer-side cause of duplicates.
	RestartAt []Duration `yaml:"restart_at,omitempty" json:"restart_at,omitempty"`
	// Expect are the most of each verification count allowed, e.g.
	// {lost: 0, duplicate_effects: 0}; a run that exceeds one exits 99.
	// Counts: lost (stored and never readable), unread (not read yet when
	// the run ended: the backlog), duplicate_deliveries, duplicate_effects,
	// reordered, delivered_not_acknowledged, unknown, sink_keys_wrong.
	Expect map[string]int64 `yaml:"expect,omitempty" json:"expect,omitempty"`
}

// StartPosition is where a consumer starts reading a shard without a
// checkpoint. Set at most one field; none is the trim horizon. In YAML:
// start: {position: latest} or start: {at_timestamp: 30s}.
type StartPosition struct {
	// Position is trim_horizon (default) or latest.
	Position string `yaml:"position,omitempty" json:"position,omitempty"`
	// AtTimestamp starts at the records that arrived at or after a time:
	// a duration from the run's start ("30s") or an RFC 3339 time.
	AtTimestamp string `yaml:"at_timestamp,omitempty" json:"at_timestamp,omitempty"`
}

// Filter keeps the records whose JSON field equals a value. It is a byte
// scan, not a JSON decode: the first "field": in the record, at any depth,
// is compared with Equals (the string's bytes without quotes and escapes
// undone, or a number, true, false or null as written).
type Filter struct {
	Field  string `yaml:"field" json:"field"`
	Equals string `yaml:"equals" json:"equals"`
}

// Window is the window processor's configuration: per partition key, the
// min, max and average of a numeric JSON field over the records of the
// last Size (by each record's intended send time).
type Window struct {
	// Field is the numeric JSON field, found by a byte scan as Filter's.
	Field string `yaml:"field" json:"field"`
	// Size is the sliding window's length (default 1m).
	Size Duration `yaml:"size,omitempty" json:"size,omitempty"`
}

// Checkpoint is a consumer's checkpoint policy: a checkpoint is written
// after Records records or Every, whichever comes first.
type Checkpoint struct {
	// Records between checkpoints (default 1000).
	Records int `yaml:"records,omitempty" json:"records,omitempty"`
	// Every is the longest time between checkpoints (default 10s).
	Every Duration `yaml:"every,omitempty" json:"every,omitempty"`
	// Store is memory (default) or file (checkpoints-NAME.json in the run folder).
	Store string `yaml:"store,omitempty" json:"store,omitempty"`
}

// Consumer processors, sinks and checkpoint stores.
const (
	ProcessorCount     = "count"
	ProcessorAggregate = "aggregate"
	ProcessorWindow    = "window"
	SinkNaive          = "naive"
	SinkIdempotent     = "idempotent"
	// SinkIdempotentSequence dedupes by each shard's highest sequence number.
	SinkIdempotentSequence = "idempotent_sequence"
	// StartTrimHorizon and StartLatest are StartPosition.Position values.
	StartTrimHorizon = "trim_horizon"
	StartLatest      = "latest"
	CheckpointMemory = "memory"
	CheckpointFile   = "file"
)

// ExpectNames are the verification counts a consumer's expect may name:
// result.json's verdict counts, which package result owns.
var ExpectNames = result.VerdictNames()

// Objectives are what `kinesim plan` sizes the stream for; each one left
// out takes its default. In YAML:
// objectives: {max_write_throttle_ratio: 0.001, headroom: 0.3, represents: 24h}.
type Objectives struct {
	// MaxWriteThrottleRatio is the largest share of first write attempts
	// that may be throttled, in [0, 1] (default 0.001, i.e. 0.1%).
	MaxWriteThrottleRatio *float64 `yaml:"max_write_throttle_ratio,omitempty" json:"max_write_throttle_ratio,omitempty"`
	// Headroom is the share of each shard's limits left unused at the
	// peak, in [0, 1) (default 0: the peak may fill a shard).
	Headroom *float64 `yaml:"headroom,omitempty" json:"headroom,omitempty"`
	// MaxShards is the most shards the plan tries (default 200).
	MaxShards int `yaml:"max_shards,omitempty" json:"max_shards,omitempty"`
	// MaxPutLatencyP99 is the highest p99 record latency (intended send
	// to acknowledgement, retries included) the plan accepts, measured by
	// running the candidate in virtual time (default: none).
	MaxPutLatencyP99 Duration `yaml:"max_put_latency_p99,omitempty" json:"max_put_latency_p99,omitempty"`
	// MaxEndToEndP99 is the highest p99 end-to-end latency (intended send
	// to a consumer's receipt); it needs a consumer (default: none).
	MaxEndToEndP99 Duration `yaml:"max_end_to_end_p99,omitempty" json:"max_end_to_end_p99,omitempty"`
	// MaxIteratorAge is the highest iterator age (MillisBehindLatest) a
	// consumer may fall to; it needs a consumer (default: none).
	MaxIteratorAge Duration `yaml:"max_iterator_age,omitempty" json:"max_iterator_age,omitempty"`
	// MaxBacklogDrain is how long after the traffic peak the consumers may
	// take to catch up (iterator age back under 1s); it needs a consumer
	// (default: none).
	MaxBacklogDrain Duration `yaml:"max_backlog_drain,omitempty" json:"max_backlog_drain,omitempty"`
	// Represents is how much real time the scenario stands for, which
	// scales its traffic to a month for costs (default: its duration times
	// the largest time_scale of its rate segments, e.g. 60s at 1440 is 24h).
	Represents Duration `yaml:"represents,omitempty" json:"represents,omitempty"`
}

// Duration is a time.Duration written as "30s", "2m", "1h30m" in YAML.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Rate is records per second, written as "800/s", "48000/min", "3/ms" or a
// bare number (per second) in YAML.
type Rate float64

// PerSecond returns the rate in records per second.
func (r Rate) PerSecond() float64 { return float64(r) }

// ByteSize is a size in bytes, written as 512, "100B", "64KiB", "1MiB", "10MB".
type ByteSize int64

// Timestamp parses AtTimestamp: a duration from the run's start (relative
// true) or an RFC 3339 time. Both are zero when AtTimestamp is empty.
func (s StartPosition) Timestamp() (fromStart time.Duration, at time.Time, err error) {
	if s.AtTimestamp == "" {
		return 0, time.Time{}, nil
	}
	if d, err := time.ParseDuration(s.AtTimestamp); err == nil {
		if d < 0 {
			return 0, time.Time{}, fmt.Errorf("%q is before the run's start; use a duration of 0 or more, e.g. 30s", s.AtTimestamp)
		}
		return d, time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s.AtTimestamp)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("%q is neither a duration from the run's start (30s) nor an RFC 3339 time (2026-03-04T08:00:00Z)", s.AtTimestamp)
	}
	return 0, t, nil
}
