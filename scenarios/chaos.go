package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Fault is one entry of a scenario's chaos timeline: a fault that starts At
// (from the run's start) and lasts For, or a stream operation made At.
// Exactly one kind is set. In YAML:
//
//	chaos:
//	  - {at: 40s, for: 15s, producer_timeout: {count: 100, ack_lost: true}, producer: bikes}
//	  - {at: 60s, split_shard: hottest}
//	  - {at: 70s, consumer_fault: crash, consumer: dashboard}
type Fault struct {
	// At is when the fault starts, from the run's start; under the duration.
	At Duration `yaml:"at" json:"at"`
	// For is how long the fault lasts: required for producer faults,
	// latency, stalls and network faults; not allowed for stream operations,
	// crashes and expired iterators (they happen once, At).
	For Duration `yaml:"for,omitempty" json:"for,omitempty"`
	// Producer limits a producer fault to the named producer (default: all).
	Producer string `yaml:"producer,omitempty" json:"producer,omitempty"`
	// Consumer limits a consumer fault to the named consumer (default: all).
	// On a latency fault it moves the delay from PutRecords to the
	// consumer's GetRecords calls.
	Consumer string `yaml:"consumer,omitempty" json:"consumer,omitempty"`
	// Application moves the fault onto the application of the named
	// pipeline, through the API `kinesim emulate` serves it:
	// producer_timeout, inject_error and latency act on its writes to the
	// pipeline's output stream (a lost acknowledgement, a throttle), stall
	// and expire_iterator on its reads of the input stream. kinesim's own
	// producers and consumers are then untouched by the fault.
	Application string `yaml:"application,omitempty" json:"application,omitempty"`

	// ProducerTimeout makes PutRecords calls time out. With ack_lost the
	// write reaches the stream first, so the producer's retry stores each
	// record twice (two sequence numbers): the classic producer duplicate.
	ProducerTimeout *TimeoutFault `yaml:"producer_timeout,omitempty" json:"producer_timeout,omitempty"`
	// InjectError fails records or calls with an error Kinesis answers.
	InjectError *ErrorFault `yaml:"inject_error,omitempty" json:"inject_error,omitempty"`
	// Latency adds a delay to calls.
	Latency *LatencyFault `yaml:"latency,omitempty" json:"latency,omitempty"`
	// DuplicateSend sends a share of records twice.
	DuplicateSend *ShareFault `yaml:"duplicate_send,omitempty" json:"duplicate_send,omitempty"`
	// SplitShard splits a shard in two at the middle of its hash key range:
	// "hottest", the open shard with the most records written so far.
	SplitShard string `yaml:"split_shard,omitempty" json:"split_shard,omitempty"`
	// MergeShards merges two adjacent open shards: "coldest", the pair with
	// the fewest records written so far.
	MergeShards string `yaml:"merge_shards,omitempty" json:"merge_shards,omitempty"`
	// UpdateShardCount scales the stream to this many open shards (uniform
	// scaling; at most double or half the current count).
	UpdateShardCount int `yaml:"update_shard_count,omitempty" json:"update_shard_count,omitempty"`
	// ConsumerFault is crash (restart from the last checkpoint), stall (no
	// reads for the window: the backlog grows, then drains),
	// expire_iterator (each shard's next read answers ExpiredIteratorException)
	// or lease_loss (another worker of the application takes a shard's
	// lease and resumes from its checkpoint; needs workers: 2 or more).
	ConsumerFault string `yaml:"consumer_fault,omitempty" json:"consumer_fault,omitempty"`
	// Network degrades the connection to a real endpoint through an
	// in-process TCP proxy (kinesis targets with an endpoint only).
	Network *NetworkFault `yaml:"network,omitempty" json:"network,omitempty"`
	// FailedDelivery fails the emulated delivery stream's S3 delivery
	// attempts in the window (firehose targets, service emulated).
	FailedDelivery *DeliveryFault `yaml:"failed_delivery,omitempty" json:"failed_delivery,omitempty"`
	// FirehoseQuota lowers the emulated delivery stream's Direct PUT quota
	// for the window (firehose targets, service emulated), so throttling
	// comes from the quota itself, as when a stream nears its limit.
	FirehoseQuota *QuotaFault `yaml:"firehose_quota,omitempty" json:"firehose_quota,omitempty"`
}

// QuotaFault is the Direct PUT quota in force during a firehose_quota
// fault's window; a field left out (0) keeps the stream's own rate.
type QuotaFault struct {
	RecordsPerS  int      `yaml:"records_per_s,omitempty" json:"records_per_s,omitempty"`
	RequestsPerS int      `yaml:"requests_per_s,omitempty" json:"requests_per_s,omitempty"`
	BytesPerS    ByteSize `yaml:"bytes_per_s,omitempty" json:"bytes_per_s,omitempty"`
}

// DeliveryFault fails delivery attempts of a delivery stream: each with
// Probability, or the first Count in the window (every one with neither).
// Firehose retries a failed delivery every 5 s, so a failure delays the
// records; with AfterWrite the object was written before the attempt
// failed (S3 answered too late), so the retry writes the records again:
// the duplicates at-least-once delivery leaves in S3.
type DeliveryFault struct {
	Probability float64 `yaml:"probability,omitempty" json:"probability,omitempty"`
	Count       int     `yaml:"count,omitempty" json:"count,omitempty"`
	AfterWrite  bool    `yaml:"after_write,omitempty" json:"after_write,omitempty"`
}

// TimeoutFault makes calls time out. Probability and Count pick the calls
// (see ShareFault).
type TimeoutFault struct {
	// Probability that a call in the window times out, in [0, 1].
	Probability float64 `yaml:"probability,omitempty" json:"probability,omitempty"`
	// Count times out the first Count calls in the window instead.
	Count int `yaml:"count,omitempty" json:"count,omitempty"`
	// AckLost writes the records before the timeout: the acknowledgement is
	// lost, not the write.
	AckLost bool `yaml:"ack_lost,omitempty" json:"ack_lost,omitempty"`
	// After is how long the call hangs before it times out (default 0).
	After Duration `yaml:"after,omitempty" json:"after,omitempty"`
}

// Injected error kinds.
const (
	// ErrorThrottle fails records with ProvisionedThroughputExceededException,
	// as AWS FIS's aws:kinesis:inject-api-provisioned-throughput-exception does.
	ErrorThrottle = "throttle"
	// ErrorInternalFailure fails records with InternalFailure (a partial failure).
	ErrorInternalFailure = "internal_failure"
	// ErrorHTTP500 fails whole calls as an HTTP 500 (InternalFailure) would.
	ErrorHTTP500 = "http_500"
	// ErrorHTTP503 fails whole calls as an HTTP 503 (ServiceUnavailable) would.
	ErrorHTTP503 = "http_503"
	// ErrorConnectionReset fails whole calls with a reset connection.
	ErrorConnectionReset = "connection_reset"
)

// ErrorKinds lists the kinds of inject_error.
var ErrorKinds = []string{ErrorThrottle, ErrorInternalFailure, ErrorHTTP500, ErrorHTTP503, ErrorConnectionReset}

// ErrorFault injects errors. Record kinds (throttle, internal_failure) pick
// records; call kinds pick calls.
type ErrorFault struct {
	// Kind is throttle, internal_failure, http_500, http_503 or connection_reset.
	Kind        string  `yaml:"kind" json:"kind"`
	Probability float64 `yaml:"probability,omitempty" json:"probability,omitempty"`
	Count       int     `yaml:"count,omitempty" json:"count,omitempty"`
}

// LatencyFault adds a delay drawn from one distribution (exactly one of
// Fixed, Uniform and LogNormal) to the calls it picks (default: every call).
type LatencyFault struct {
	Fixed     Duration        `yaml:"fixed,omitempty" json:"fixed,omitempty"`
	Uniform   *UniformLatency `yaml:"uniform,omitempty" json:"uniform,omitempty"`
	LogNormal *LogNormal      `yaml:"lognormal,omitempty" json:"lognormal,omitempty"`
	// Probability that a call is delayed, in [0, 1].
	Probability float64 `yaml:"probability,omitempty" json:"probability,omitempty"`
	Count       int     `yaml:"count,omitempty" json:"count,omitempty"`
}

// UniformLatency is a delay uniform in [Min, Max].
type UniformLatency struct {
	Min Duration `yaml:"min" json:"min"`
	Max Duration `yaml:"max" json:"max"`
}

// LogNormal is a delay whose logarithm is normal: Median is e^µ, Sigma σ.
type LogNormal struct {
	Median Duration `yaml:"median" json:"median"`
	Sigma  float64  `yaml:"sigma" json:"sigma"`
}

// ShareFault picks records (or calls): each with Probability, or the first
// Count in the window. With neither set, every one is picked. Each record
// is picked at most once per fault, so its retry goes through.
type ShareFault struct {
	Probability float64 `yaml:"probability,omitempty" json:"probability,omitempty"`
	Count       int     `yaml:"count,omitempty" json:"count,omitempty"`
}

// NetworkFault degrades the TCP connection to the endpoint for the window.
type NetworkFault struct {
	// Latency added to each response, with Jitter (uniform ±).
	Latency Duration `yaml:"latency,omitempty" json:"latency,omitempty"`
	Jitter  Duration `yaml:"jitter,omitempty" json:"jitter,omitempty"`
	// Bandwidth limits each direction to this many bytes per second.
	Bandwidth ByteSize `yaml:"bandwidth,omitempty" json:"bandwidth,omitempty"`
	// Reset resets every connection (TCP RST) for the window.
	Reset bool `yaml:"reset,omitempty" json:"reset,omitempty"`
	// Down cuts the endpoint off: connections close and new ones are refused.
	Down bool `yaml:"down,omitempty" json:"down,omitempty"`
}

// Consumer fault kinds.
const (
	ConsumerCrash          = "crash"
	ConsumerStall          = "stall"
	ConsumerExpireIterator = "expire_iterator"
	ConsumerLeaseLoss      = "lease_loss"
)

// Stream operation selectors.
const (
	ShardHottest = "hottest"
	ShardColdest = "coldest"
)

// Fault kinds, as Kind names them (and as the YAML fields are named).
const (
	FaultProducerTimeout  = "producer_timeout"
	FaultInjectError      = "inject_error"
	FaultLatency          = "latency"
	FaultDuplicateSend    = "duplicate_send"
	FaultSplitShard       = "split_shard"
	FaultMergeShards      = "merge_shards"
	FaultUpdateShardCount = "update_shard_count"
	FaultConsumer         = "consumer_fault"
	FaultNetwork          = "network"
	FaultFailedDelivery   = "failed_delivery"
	FaultFirehoseQuota    = "firehose_quota"
)

// FaultKinds lists the fault kinds in the order of Fault's fields.
var FaultKinds = []string{FaultProducerTimeout, FaultInjectError, FaultLatency, FaultDuplicateSend,
	FaultSplitShard, FaultMergeShards, FaultUpdateShardCount, FaultConsumer, FaultNetwork, FaultFailedDelivery, FaultFirehoseQuota}

// kinds names the fault kinds f sets.
func (f *Fault) kinds() []string {
	set := map[string]bool{
		FaultProducerTimeout:  f.ProducerTimeout != nil,
		FaultInjectError:      f.InjectError != nil,
		FaultLatency:          f.Latency != nil,
		FaultDuplicateSend:    f.DuplicateSend != nil,
		FaultSplitShard:       f.SplitShard != "",
		FaultMergeShards:      f.MergeShards != "",
		FaultUpdateShardCount: f.UpdateShardCount != 0,
		FaultConsumer:         f.ConsumerFault != "",
		FaultNetwork:          f.Network != nil,
		FaultFailedDelivery:   f.FailedDelivery != nil,
		FaultFirehoseQuota:    f.FirehoseQuota != nil,
	}
	var out []string
	for _, k := range FaultKinds {
		if set[k] {
			out = append(out, k)
		}
	}
	return out
}

// Kind is the fault's kind (one of FaultKinds), "" when none or several are set.
func (f *Fault) Kind() string {
	if k := f.kinds(); len(k) == 1 {
		return k[0]
	}
	return ""
}

// IsStreamOperation reports a reshard: split_shard, merge_shards or update_shard_count.
func (f *Fault) IsStreamOperation() bool {
	switch f.Kind() {
	case FaultSplitShard, FaultMergeShards, FaultUpdateShardCount:
		return true
	}
	return false
}

// IsConsumerFault reports a fault on consumers' reads: consumer_fault, or
// latency with a consumer named.
func (f *Fault) IsConsumerFault() bool {
	k := f.Kind()
	return k == FaultConsumer || k == FaultLatency && f.Consumer != ""
}

// IsApplicationFault reports a fault on a pipeline's application rather
// than on kinesim's own producers and consumers.
func (f *Fault) IsApplicationFault() bool { return f.Application != "" }

// End is when the fault's window ends, from the run's start.
func (f *Fault) End() Duration { return f.At + f.For }

func (v *validator) chaos(s *Scenario) {
	producers := map[string]bool{}
	for _, p := range s.Producers {
		producers[p.Name] = true
	}
	consumers := map[string]bool{}
	for _, c := range s.Consumers {
		consumers[c.Name] = true
	}
	for i := range s.Chaos {
		f := &s.Chaos[i]
		path := fmt.Sprintf("chaos[%d]", i)
		kinds := f.kinds()
		switch len(kinds) {
		case 0:
			v.addf(path, "sets no fault; set one of %s", strings.Join(FaultKinds, ", "))
			continue
		case 1:
		default:
			v.addf(path, "sets %s; set exactly one fault per entry", strings.Join(kinds, " and "))
			continue
		}
		kind := kinds[0]
		if s.Duration > 0 && f.At >= s.Duration {
			v.addf(path+".at", "%v is not before the scenario's end (duration %v); faults must start during the run", f.At, s.Duration)
		}
		once := f.IsStreamOperation() || kind == FaultConsumer && f.ConsumerFault != ConsumerStall
		switch {
		case once && f.For != 0:
			v.addf(path+".for", "%s happens once, at; leave for out", kind)
		case !once && f.For <= 0:
			v.addf(path+".for", "required for %s: how long the fault lasts, e.g. 10s", kind)
		}
		if f.Producer != "" {
			if !producers[f.Producer] {
				v.addf(path+".producer", "%q is not a producer of this scenario", f.Producer)
			}
			if f.IsStreamOperation() || f.IsConsumerFault() || kind == FaultNetwork || kind == FaultFailedDelivery || kind == FaultFirehoseQuota {
				v.addf(path+".producer", "%s does not act on a producer; leave producer out", kind)
			}
		}
		if f.Consumer != "" {
			if !consumers[f.Consumer] {
				v.addf(path+".consumer", "%q is not a consumer of this scenario", f.Consumer)
			}
			if !f.IsConsumerFault() {
				v.addf(path+".consumer", "%s does not act on a consumer; leave consumer out", kind)
			}
		}
		if f.Application != "" {
			v.applicationFault(s, f, kind, path)
		}
		v.faultKind(s, f, kind, path)
	}
}

// applicationFault checks a fault moved onto a pipeline's application.
func (v *validator) applicationFault(s *Scenario, f *Fault, kind, path string) {
	if s.PipelineNamed(f.Application) == nil {
		v.addf(path+".application", "%q is not a pipeline of this scenario; name one under pipelines", f.Application)
	}
	if f.Producer != "" || f.Consumer != "" {
		v.addf(path+".application", "a fault acts on the application or on kinesim's own producer or consumer; leave producer and consumer out")
	}
	switch kind {
	case FaultProducerTimeout, FaultInjectError, FaultLatency:
	case FaultConsumer:
		if f.ConsumerFault != ConsumerStall && f.ConsumerFault != ConsumerExpireIterator {
			v.addf(path+".consumer_fault", "%s cannot be done to an application outside kinesim; use %s or %s (or crash the application yourself)", f.ConsumerFault, ConsumerStall, ConsumerExpireIterator)
		}
	default:
		v.addf(path+".application", "%s acts on the stream, not on an application; leave application out (a reshard of the input stream is seen by the application too)", kind)
	}
}

// faultKind checks the fields of one fault of the given kind.
func (v *validator) faultKind(s *Scenario, f *Fault, kind, path string) {
	switch kind {
	case FaultProducerTimeout:
		t := f.ProducerTimeout
		v.share(path+"."+kind, t.Probability, t.Count)
	case FaultInjectError:
		e := f.InjectError
		if !slices.Contains(ErrorKinds, e.Kind) {
			v.addf(path+".inject_error.kind", "%q is not an error kind; use one of %s", e.Kind, strings.Join(ErrorKinds, ", "))
		}
		v.share(path+".inject_error", e.Probability, e.Count)
	case FaultLatency:
		v.latency(f.Latency, path+".latency")
	case FaultDuplicateSend:
		v.share(path+".duplicate_send", f.DuplicateSend.Probability, f.DuplicateSend.Count)
	case FaultSplitShard:
		if f.SplitShard != ShardHottest {
			v.addf(path+".split_shard", "%q; use %s (the open shard with the most records written)", f.SplitShard, ShardHottest)
		}
	case FaultMergeShards:
		if f.MergeShards != ShardColdest {
			v.addf(path+".merge_shards", "%q; use %s (the adjacent pair with the fewest records written)", f.MergeShards, ShardColdest)
		}
	case FaultUpdateShardCount:
		between(v, path+".update_shard_count", f.UpdateShardCount, 1, MaxShards, " (shards)")
		if s.Target.Mode == TargetModeOnDemand {
			v.addf(path+".update_shard_count", "an on-demand stream scales itself; UpdateShardCount needs target.mode provisioned")
		}
	case FaultConsumer:
		switch f.ConsumerFault {
		case ConsumerCrash, ConsumerStall, ConsumerExpireIterator:
		case ConsumerLeaseLoss:
			for _, c := range s.Consumers {
				if f.Application != "" {
					break
				}
				if (f.Consumer == "" || f.Consumer == c.Name) && c.Workers < 2 {
					v.addf(path+".consumer_fault", "lease_loss moves a lease to another worker; consumer %q has one worker: set its workers to 2 or more", c.Name)
					break
				}
			}
		default:
			v.addf(path+".consumer_fault", "%q is not a consumer fault; use %s, %s, %s or %s", f.ConsumerFault, ConsumerCrash, ConsumerStall, ConsumerExpireIterator, ConsumerLeaseLoss)
		}
		if len(s.Consumers) == 0 && f.Application == "" {
			v.addf(path+".consumer_fault", "the scenario has no consumers; add one under consumers")
		}
	case FaultNetwork:
		n := f.Network
		if n.Latency == 0 && n.Bandwidth == 0 && !n.Reset && !n.Down {
			v.addf(path+".network", "sets no effect; set latency, bandwidth, reset or down")
		}
		if n.Bandwidth < 0 {
			v.addf(path+".network.bandwidth", "must be over 0 bytes per second, e.g. 64KiB")
		}
		if s.Target.Kind != TargetKinesis || s.Target.Endpoint == "" {
			v.addf(path+".network", "network faults run through a TCP proxy to a real endpoint; they need target.kind kinesis with target.endpoint set")
		}
	case FaultFailedDelivery:
		v.share(path+".failed_delivery", f.FailedDelivery.Probability, f.FailedDelivery.Count)
		if !s.Target.IsFirehose() || !s.Target.IsEmulated() {
			v.addf(path+".failed_delivery", "fails the emulated delivery stream's S3 deliveries; it needs target.kind firehose with firehose.service emulated")
		}
	case FaultFirehoseQuota:
		v.quotaFault(s, f.FirehoseQuota, path+".firehose_quota")
	}
	if s.Target.IsFirehose() && (f.IsStreamOperation() || f.IsConsumerFault()) {
		v.addf(path+"."+kind, "a delivery stream has no shards or consumers to fault; use inject_error, latency, producer_timeout, failed_delivery or firehose_quota")
	}
}

// quotaFault checks a firehose_quota fault: some rate lowered, none below 1.
func (v *validator) quotaFault(s *Scenario, q *QuotaFault, path string) {
	if q.RecordsPerS == 0 && q.RequestsPerS == 0 && q.BytesPerS == 0 {
		v.addf(path, "sets no rate; set records_per_s, requests_per_s or bytes_per_s, e.g. {records_per_s: 1000}")
	}
	for _, r := range []struct {
		field string
		rate  int64
	}{{"records_per_s", int64(q.RecordsPerS)}, {"requests_per_s", int64(q.RequestsPerS)}, {"bytes_per_s", int64(q.BytesPerS)}} {
		if r.rate < 0 {
			v.addf(path+"."+r.field, "%d; use 1 or more a second (or leave it out to keep the stream's own)", r.rate)
		}
	}
	if !s.Target.IsFirehose() || !s.Target.IsEmulated() {
		v.addf(path, "lowers the emulated delivery stream's Direct PUT quota; it needs target.kind firehose with firehose.service emulated")
	}
}

// share checks a probability or a count (not both).
func (v *validator) share(path string, p float64, count int) {
	if !(p >= 0 && p <= 1) || math.IsNaN(p) {
		v.addf(path+".probability", "%v is not a probability; use 0..1, e.g. 0.02", p)
	}
	if count < 0 {
		v.addf(path+".count", "%d; use 1 or more", count)
	}
	if p > 0 && count > 0 {
		v.addf(path, "sets probability and count; set one (or neither, for every one)")
	}
}

func (v *validator) latency(l *LatencyFault, path string) {
	var set []string
	if l.Fixed > 0 {
		set = append(set, "fixed")
	}
	if l.Uniform != nil {
		set = append(set, "uniform")
		if l.Uniform.Max < l.Uniform.Min || l.Uniform.Max <= 0 {
			v.addf(path+".uniform.max", "%v must be over 0 and at least min (%v)", l.Uniform.Max, l.Uniform.Min)
		}
	}
	if l.LogNormal != nil {
		set = append(set, "lognormal")
		if l.LogNormal.Median <= 0 {
			v.addf(path+".lognormal.median", "must be over 0, e.g. 50ms")
		}
		if !(l.LogNormal.Sigma >= 0 && l.LogNormal.Sigma <= 5) {
			v.addf(path+".lognormal.sigma", "%v; use 0..5, e.g. 0.5", l.LogNormal.Sigma)
		}
	}
	if len(set) != 1 {
		v.addf(path, "set exactly one of fixed, uniform or lognormal")
	}
	v.share(path, l.Probability, l.Count)
}
