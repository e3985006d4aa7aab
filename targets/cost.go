package targets

import (
	"fmt"
	"strings"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/pricing"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
)

// CostSampleRecords is how many records of each producer the cost estimate
// makes with the producer's own generator and keys to measure record sizes.
const CostSampleRecords = 300

// CostEstimate is what a run on Amazon Kinesis would cost, roughly, priced
// with the dated table of package pricing. Streams are billed for whole
// hours they exist: every hour figure is the run's duration rounded up to
// an hour, per stream (per stream and shard, per consumer and shard).
type CostEstimate struct {
	// OnDemand is true for a target in mode on-demand: stream-hours and
	// data in and out instead of shard-hours and PUT payload units.
	OnDemand bool
	// Records are the records the rate schedules make; Bytes their data
	// and partition keys, from the sampled mean size.
	Records, Bytes float64

	// Provisioned.
	ShardHours float64
	// PUTUnits counts each record one unit per 25 KB or part of it, from
	// the sampled sizes.
	PUTUnits float64
	// EFOConsumerShardHours and EFOGB are what consumers in mode efo add:
	// each consumer is billed per shard of its stream, and per GB it reads.
	EFOConsumerShardHours float64
	EFOGB                 float64

	// On-demand.
	StreamHours float64
	DataInGB    float64 // each record rounded up to 1 KB
	DataOutGB   float64 // read by every consumer

	// Firehose: a delivery stream (Amazon Data Firehose) instead of a
	// stream. BilledGB is the ingestion billed (each record rounded up to
	// 5 KB); Objects the S3 objects its buffering hints make.
	Firehose bool
	BilledGB float64
	Objects  float64

	Total    float64
	Currency string
	// PricesAsOf names the table's region, currency and date.
	PricesAsOf string
}

func (c CostEstimate) String() string {
	var parts []string
	switch {
	case c.Firehose:
		parts = append(parts, fmt.Sprintf("%.4f GB ingestion billed in 5 KB units per record (%.4f GB of data)", c.BilledGB, c.Bytes/pricing.GiB),
			fmt.Sprintf("%.0f S3 objects", c.Objects))
		return fmt.Sprintf("about %.4f %s (%s; %.0f records, sized from %d made per producer; %s)",
			c.Total, c.Currency, strings.Join(parts, ", "), c.Records, CostSampleRecords, c.PricesAsOf)
	case c.OnDemand:
		parts = append(parts, fmt.Sprintf("%.2f stream-hours", c.StreamHours),
			fmt.Sprintf("%.4f GB in", c.DataInGB), fmt.Sprintf("%.4f GB out", c.DataOutGB))
	default:
		parts = append(parts, fmt.Sprintf("%.2f shard-hours", c.ShardHours), fmt.Sprintf("%.0f PUT payload units", c.PUTUnits))
		if c.EFOConsumerShardHours > 0 {
			parts = append(parts, fmt.Sprintf("%.2f enhanced fan-out consumer-shard-hours", c.EFOConsumerShardHours),
				fmt.Sprintf("%.4f GB read by enhanced fan-out", c.EFOGB))
		}
	}
	return fmt.Sprintf("about %.4f %s (%s; %.0f records, sized from %d made per producer; whole hours; %s)",
		c.Total, c.Currency, strings.Join(parts, ", "), c.Records, CostSampleRecords, c.PricesAsOf)
}

// EstimateCost estimates what running sc on Amazon Kinesis costs, with
// prices (pricing.Default() when nil). Record sizes come from
// CostSampleRecords records of each producer, made with the generator and
// key chooser the run would use; the record counts from the rate schedules.
// It makes no call to any endpoint.
func EstimateCost(sc *scenarios.Scenario, prices *pricing.Prices) (CostEstimate, error) {
	if prices == nil {
		prices = pricing.Default()
	}
	hours := float64(int(sc.Duration.D().Hours()) + 1)
	shards := float64(max(sc.Target.Shards, 1))
	streams := runner.StreamNames(sc)
	est := CostEstimate{OnDemand: sc.Target.Mode == scenarios.TargetModeOnDemand, Currency: prices.Currency, PricesAsOf: prices.AsOf()}

	// What each stream receives.
	bytesTo := map[string]float64{}
	var putUnits, kbUnits float64
	for i, pc := range sc.Producers {
		s, err := sampleRecords(sc, i, CostSampleRecords)
		if err != nil {
			return CostEstimate{}, err
		}
		est.Records += s.records
		bytesTo[pc.Stream] += s.records * s.meanBytes
		putUnits += s.records * s.putUnits
		kbUnits += s.records * s.kbUnits
	}
	for _, b := range bytesTo {
		est.Bytes += b
	}
	var readGB, efoGB, efoShardHours float64
	for _, cc := range sc.Consumers {
		name := cc.Stream
		if name == "" {
			name = sc.Target.Stream
		}
		readGB += bytesTo[name] / pricing.GiB
		if cc.Mode == scenarios.ConsumerEFO {
			efoGB += bytesTo[name] / pricing.GiB
			efoShardHours += hours * shards
		}
	}

	if est.OnDemand {
		pr := prices.OnDemand
		est.StreamHours = hours * float64(len(streams))
		est.DataInGB = kbUnits * pricing.OnDemandUnitBytes / pricing.GiB
		est.DataOutGB = readGB
		est.Total = est.StreamHours*pr.StreamHour + est.DataInGB*pr.GBIn + est.DataOutGB*pr.GBOut
		return est, nil
	}
	pr := prices.Provisioned
	est.ShardHours = hours * shards * float64(len(streams))
	est.PUTUnits = putUnits
	est.EFOConsumerShardHours, est.EFOGB = efoShardHours, efoGB
	est.Total = est.ShardHours*pr.ShardHour + est.PUTUnits/1e6*pr.PutPayloadUnitsPerMillion +
		est.EFOConsumerShardHours*pr.EFOConsumerShardHour + est.EFOGB*pr.EFOGB
	return est, nil
}

// recordSample is one producer's scheduled records and their sampled sizes.
type recordSample struct {
	records   float64
	meanBytes float64 // data and partition key
	putUnits  float64 // mean PUT payload units per record
	kbUnits   float64 // mean on-demand 1 KB units per record
	dataBytes float64 // mean data (no partition key): what Firehose receives
	billed    float64 // mean Firehose ingestion bytes (5 KB units)
}

// sampleRecords makes n records of producer i as the run would (same seed,
// generator and key chooser) and counts its scheduled records.
func sampleRecords(sc *scenarios.Scenario, i, n int) (recordSample, error) {
	pc := sc.Producers[i]
	tr, err := runner.CompileTraffic(sc, i)
	if err != nil {
		return recordSample{}, err
	}
	gen, keys := tr.Generator, tr.Keys
	s := recordSample{records: tr.Schedule.Due(sc.Duration.D())}
	var buf []byte
	for id := range n {
		buf = gen.Next(buf[:0], generators.Meta{Producer: pc.Name, ID: uint64(id + 1)})
		size := len(buf) + len(keys.Key())
		s.meanBytes += float64(size)
		s.putUnits += pricing.PutPayloadUnits(size)
		s.kbUnits += pricing.OnDemandUnits(size)
		s.dataBytes += float64(len(buf))
		s.billed += pricing.FirehoseBilledBytes(len(buf))
	}
	s.dataBytes /= float64(n)
	s.billed /= float64(n)
	s.meanBytes /= float64(n)
	s.putUnits /= float64(n)
	s.kbUnits /= float64(n)
	return s, nil
}
