package plan

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kinesim/kinesim/pricing"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/kpl"
)

// aggregateFixedBytes is what every KPL aggregate adds whatever it holds:
// the magic bytes, the MD5 digest and its 1-byte partition key "a".
const aggregateFixedBytes = float64(kpl.Overhead + len(kpl.AggregatePartitionKey))

// aggModel is how an aggregating producer's user records become Kinesis
// records on a shard (scenario aggregation:). It is measured by packing
// the producer's sampled records with KPL's aggregator: how many user
// records a full aggregate holds and how many bytes each adds to it (its
// data, its entry's protobuf framing, its share of the key table).
type aggModel struct {
	// full is the mean user records of a full aggregate.
	full float64
	// entryRatio is the bytes a user record adds to an aggregate over its
	// own size (data and partition key); under 1 when keys repeat.
	entryRatio float64
	// linger is how long an aggregate waits for records, in seconds.
	linger float64
	// putUnits and kbUnits are the 25 KB PUT payload units and 1 KB
	// on-demand units of a full aggregate, per user record in it.
	putUnits, kbUnits float64
}

// perAggregate is how many user records an aggregate holds on a shard
// taking u user records/s: as many as arrive in one linger, up to a full
// aggregate.
func (m *aggModel) perAggregate(u float64) float64 { return min(m.full, max(1, u*m.linger)) }

// kinesis turns u user records/s of userBytes bytes/s on one shard into
// the Kinesis records and bytes per second the shard takes. Without a
// model (no aggregation), or too few records to share an aggregate, they
// are the same.
func (m *aggModel) kinesis(u, userBytes float64) (records, bytes float64) {
	if m == nil || u <= 0 {
		return u, userBytes
	}
	k := m.perAggregate(u)
	if k <= 1 {
		return u, userBytes
	}
	return u / k, userBytes*m.entryRatio + u/k*aggregateFixedBytes
}

// cost is one user record's share of the record and byte tokens on a
// shard taking u user records/s, for the per-record simulation.
func (m *aggModel) cost(u float64, size int32) (records, bytes float64) {
	if m == nil {
		return 1, float64(size)
	}
	k := m.perAggregate(u)
	if k <= 1 {
		return 1, float64(size)
	}
	return 1 / k, float64(size)*m.entryRatio + aggregateFixedBytes/k
}

// aggSampler packs a producer's sampled records as KPL would, to measure
// its aggModel.
type aggSampler struct {
	agg                            *kpl.Aggregator
	out                            []kpl.Aggregate
	aggregates, users              float64
	userBytes, aggBytes, put, kilo float64
}

func newAggSampler(a *scenarios.Aggregation, recordLimit int) (*aggSampler, error) {
	agg, err := kpl.NewAggregator(kpl.WithMaxBytes(int(a.MaxBytes)), kpl.WithMaxRecords(int(a.MaxRecords)), kpl.WithRecordLimit(recordLimit))
	if err != nil {
		return nil, err
	}
	return &aggSampler{agg: agg}, nil
}

// add packs one sampled record; only the aggregates it completes full
// are measured.
func (s *aggSampler) add(partitionKey string, data []byte) {
	var err error
	// The aggregator keeps data until it hands the aggregate back; the
	// sample's buffer is reused, so it gets a copy.
	s.out, err = s.agg.Add(s.out[:0], kpl.UserRecord{PartitionKey: partitionKey, Data: append([]byte(nil), data...)})
	if err != nil {
		return // a record Kinesis refuses is the runner's to dead-letter
	}
	s.measure(s.out)
}

func (s *aggSampler) measure(done []kpl.Aggregate) {
	for _, a := range done {
		size := len(a.Data) + len(a.PartitionKey)
		s.aggregates++
		s.users += float64(len(a.UserRecords))
		s.aggBytes += float64(size)
		s.put += pricing.PutPayloadUnits(size)
		s.kilo += pricing.OnDemandUnits(size)
		for _, u := range a.UserRecords {
			s.userBytes += float64(len(u.Data) + len(u.PartitionKey))
		}
	}
}

// model returns what the sample measured. When no aggregate filled, the
// open one stands for a full one.
func (s *aggSampler) model(linger float64) *aggModel {
	if s.aggregates == 0 {
		s.measure(s.agg.Flush(nil))
	}
	if s.users == 0 || s.userBytes == 0 {
		return nil
	}
	return &aggModel{
		full:       s.users / s.aggregates,
		entryRatio: (s.aggBytes - s.aggregates*aggregateFixedBytes) / s.userBytes,
		linger:     linger,
		putUnits:   s.put / s.users,
		kbUnits:    s.kilo / s.users,
	}
}

// throttledUsers converts the Kinesis records a bucket throttled of dr
// due, carrying du user records, into user records.
func throttledUsers(throttled, dr, du float64) float64 {
	if dr <= 0 {
		return 0
	}
	return throttled * du / dr
}

// Aggregation is what KPL aggregation does to the plan, when a producer
// aggregates (its scenario aggregation:).
type Aggregation struct {
	// Producers are the aggregating producers, measured.
	Producers []AggregatingProducer `json:"producers"`
	// ShardsWithout is the fewest shards that would meet the objectives
	// if every user record were its own Kinesis record; 0 when no count up
	// to max_shards would.
	ShardsWithout int `json:"shards_without_aggregation"`
	// ShardsSaved is ShardsWithout less the recommended count, when both
	// were found.
	ShardsSaved int `json:"shards_saved"`
}

// AggregatingProducer is one producer's aggregation, measured by packing
// its sampled records with KPL's aggregator.
type AggregatingProducer struct {
	Name string `json:"name"`
	// UserRecordsPerFullAggregate are the user records a full aggregate
	// holds (under max_bytes and max_records).
	UserRecordsPerFullAggregate float64 `json:"user_records_per_full_aggregate"`
	// UserRecordsPerKinesisRecordAtPeak are the user records an aggregate
	// holds at the producer's peak on the recommended shard count, its
	// records spread evenly: fewer than a full aggregate when the linger
	// runs out first.
	UserRecordsPerKinesisRecordAtPeak float64 `json:"user_records_per_kinesis_record_at_peak"`
	// SizeOverhead is the bytes a full aggregate adds over its user
	// records' own (data and partition key), as a share of them: the
	// format's magic, digest and framing, less the partition keys the key
	// table holds once. Negative when shared keys save more than that.
	SizeOverhead float64 `json:"size_overhead"`
}

// aggregation describes the aggregating producers and finds the shards
// the scenario would need without aggregation (nil when none aggregates).
func (p *planner) aggregation(ctx context.Context, sc *scenarios.Scenario, cfg config, obj Objectives, recommended int) (*Aggregation, error) {
	out := &Aggregation{}
	for _, pt := range p.t.producers {
		m := pt.agg
		if m == nil {
			continue
		}
		ap := AggregatingProducer{Name: pt.name, UserRecordsPerFullAggregate: m.full,
			SizeOverhead: m.entryRatio - 1 + aggregateFixedBytes/(m.full*max(pt.meanBytes, 1))}
		if recommended > 0 {
			ap.UserRecordsPerKinesisRecordAtPeak = m.perAggregate(pt.peakRate / float64(recommended))
		}
		out.Producers = append(out.Producers, ap)
	}
	if len(out.Producers) == 0 {
		return nil, nil
	}
	plain := *sc
	plain.Producers = slices.Clone(sc.Producers)
	for i := range plain.Producers {
		plain.Producers[i].Aggregation = nil
	}
	// The comparison is of write capacity: the simulation alone, no
	// measured runs (their latency objectives are left out).
	obj.MaxPutLatencyP99Ms, obj.MaxEndToEndP99Ms, obj.MaxIteratorAgeMs, obj.MaxBacklogDrainS = 0, 0, 0, 0
	res, err := Plan(ctx, &plain, WithObjectives(obj), WithPrices(p.prices), WithWorkers(cfg.workers),
		WithRecordBudget(cfg.recordBudget), WithMeasuredRuns(false, 0))
	if err != nil {
		return nil, fmt.Errorf("plan without aggregation: %w", err)
	}
	out.ShardsWithout = res.Recommended
	if out.ShardsWithout > 0 && recommended > 0 {
		out.ShardsSaved = out.ShardsWithout - recommended
	}
	return out, nil
}

// text says in a sentence what aggregation does to the plan.
func (a *Aggregation) text(recommended int) string {
	var parts []string
	for _, p := range a.Producers {
		s := fmt.Sprintf("%s packs %.0f user records in a full aggregate (size %+.0f%%)", p.Name, p.UserRecordsPerFullAggregate, 100*p.SizeOverhead)
		if p.UserRecordsPerKinesisRecordAtPeak > 0 {
			s += fmt.Sprintf(", %.0f per Kinesis record at its peak", p.UserRecordsPerKinesisRecordAtPeak)
		}
		parts = append(parts, s)
	}
	without := "no shard count up to max_shards would do without it"
	if a.ShardsWithout > 0 {
		without = fmt.Sprintf("without it %d shards would be needed", a.ShardsWithout)
	}
	switch {
	case a.ShardsSaved > 0:
		without += fmt.Sprintf(": aggregation saves %d shard(s)", a.ShardsSaved)
	case a.ShardsWithout > 0 && recommended > 0:
		without += ": aggregation saves no shard here (bytes, not records, bind)"
	}
	return "KPL aggregation: " + strings.Join(parts, "; ") + "; " + without
}
