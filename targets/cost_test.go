package targets

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/pricing"
)

func TestEstimateCost(t *testing.T) {
	prices := pricing.Default()
	pr := prices.Provisioned
	const records = 1000 // 100 records/s for 10 s
	tests := []struct {
		name      string
		target    string
		size      string
		consumers string
		// want holds the exact figures; bytesPerRecord is the record's
		// data size, to which the partition key (under 40 bytes) adds.
		want           CostEstimate
		bytesPerRecord float64
	}{
		// One PUT payload unit per record under 25 KB; a stream for a
		// whole hour on 2 shards; a polling consumer costs nothing more.
		{"small records", "{kind: kinesis, stream: s, shards: 2}", "1KiB", "[{name: c}]",
			CostEstimate{ShardHours: 2, PUTUnits: records}, 1024},
		// 25 KiB of data plus its key is over 25,600 bytes: two units each.
		{"records over a unit", "{kind: kinesis, stream: s, shards: 2}", "25KiB", "[{name: c}]",
			CostEstimate{ShardHours: 2, PUTUnits: 2 * records}, 25 * 1024},
		// Each efo consumer pays for every shard-hour and for what it reads.
		{"two efo consumers", "{kind: kinesis, stream: s, shards: 3}", "1KiB",
			"[{name: a, mode: efo}, {name: b, mode: efo}, {name: c}]",
			CostEstimate{ShardHours: 3, PUTUnits: records, EFOConsumerShardHours: 6}, 1024},
		// On-demand: a stream-hour, data in by 1 KB units (1 KiB + key is
		// two), data out to every consumer.
		{"on-demand", "{kind: kinesis, stream: s, mode: on-demand}", "1KiB", "[{name: a, mode: efo}, {name: c}]",
			CostEstimate{OnDemand: true, StreamHours: 1, DataInGB: 2 * records * 1024.0 / pricing.GiB}, 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := parseScenario(t, fmt.Sprintf(`
name: cost
seed: 3
duration: 10s
target: %s
producers:
  - {name: p, generator: bike, options: {record_size: %s}, partition_key: random, rate: [{constant: 100/s}]}
consumers: %s
`, tt.target, tt.size, tt.consumers))
			got, err := EstimateCost(sc, prices)
			require.NoError(t, err)
			assert.Equal(t, float64(records), got.Records)
			assert.InDelta(t, records*tt.bytesPerRecord, got.Bytes, records*40, "data and keys")
			assert.Equal(t, tt.want.OnDemand, got.OnDemand)
			assert.Equal(t, tt.want.ShardHours, got.ShardHours, "shard-hours")
			assert.Equal(t, tt.want.PUTUnits, got.PUTUnits, "PUT payload units")
			assert.Equal(t, tt.want.EFOConsumerShardHours, got.EFOConsumerShardHours, "efo consumer-shard-hours")
			assert.Equal(t, tt.want.StreamHours, got.StreamHours, "stream-hours")
			assert.InDelta(t, tt.want.DataInGB, got.DataInGB, 1e-12, "GB in")
			efo := float64(len(sc.Consumers) - 1) // all but the polling c
			if got.OnDemand {
				assert.InDelta(t, float64(len(sc.Consumers))*got.Bytes/pricing.GiB, got.DataOutGB, 1e-12, "GB out to every consumer")
				od := prices.OnDemand
				assert.InDelta(t, got.StreamHours*od.StreamHour+got.DataInGB*od.GBIn+got.DataOutGB*od.GBOut, got.Total, 1e-12)
			} else {
				assert.InDelta(t, efo*got.Bytes/pricing.GiB, got.EFOGB, 1e-12, "GB read by efo consumers")
				assert.InDelta(t, got.ShardHours*pr.ShardHour+got.PUTUnits/1e6*pr.PutPayloadUnitsPerMillion+
					got.EFOConsumerShardHours*pr.EFOConsumerShardHour+got.EFOGB*pr.EFOGB, got.Total, 1e-12)
			}
			assert.Contains(t, got.String(), prices.Date, "the estimate says how old its prices are")
		})
	}
}

// TestEstimateCostSamplesTheRunsRecords: the sizes are the records the run
// itself would make (same seed, generator and keys), so the estimate is
// repeatable and follows a change of generator options.
func TestEstimateCostSamplesTheRunsRecords(t *testing.T) {
	src := `
name: cost
seed: 3
duration: 1h
target: {kind: kinesis, stream: s, shards: 1}
producers:
  - {name: p, generator: logs, rate: [{constant: 10/s}]}
  - {name: q, generator: bike, options: {record_size: 100KiB}, stream: t, rate: [{constant: 1/s}]}
`
	sc := parseScenario(t, src)
	a, err := EstimateCost(sc, nil)
	require.NoError(t, err)
	b, err := EstimateCost(sc, nil)
	require.NoError(t, err)
	assert.Equal(t, a, b, "repeatable")
	assert.Equal(t, 2.0*2, a.ShardHours, "two streams of one shard for two whole hours")
	assert.Equal(t, 36000.0+3600*5, a.PUTUnits, "log lines are one unit; 100 KiB records five")
	assert.Contains(t, a.String(), "shard-hours")
}
