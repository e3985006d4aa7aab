package plan

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAggregationSavesShards: 5,000 records/s of 100 bytes (84 of data
// and a partition key) need five shards for their record count
// (0.48 MiB/s); packed by KPL, 470 to an aggregate and 9% over their own
// bytes (framing, and random partition keys that the key table cannot
// share), they fit one shard's bytes and records both.
func TestAggregationSavesShards(t *testing.T) {
	sc := scenario(t, "{constant: 5000/s}", "84", "random", 10*time.Second, "    aggregation: {}\n")
	res, err := Plan(context.Background(), sc, WithMeasuredRuns(false, 0))
	require.NoError(t, err)
	assert.Equal(t, 1, res.Recommended, "recommended shards")
	a := res.Aggregation
	require.NotNil(t, a, "the plan describes the aggregation")
	assert.Equal(t, 5, a.ShardsWithout, "plain records need five shards")
	assert.Equal(t, 4, a.ShardsSaved)
	require.Len(t, a.Producers, 1)
	p := a.Producers[0]
	assert.Equal(t, "p", p.Name)
	// 51,180 bytes of message hold about 470 user records of 109 bytes.
	assert.InDelta(t, 470, p.UserRecordsPerFullAggregate, 20)
	assert.Equal(t, p.UserRecordsPerFullAggregate, p.UserRecordsPerKinesisRecordAtPeak, "5,000/s on one shard: 500 arrive in a 100 ms linger, more than fill one")
	assert.InDelta(t, 0.09, p.SizeOverhead, 0.02, "framing and the key table")

	var text strings.Builder
	require.NoError(t, res.WriteText(&text))
	assert.Contains(t, text.String(), "without it 5 shards would be needed: aggregation saves 4 shard(s)")
	var md strings.Builder
	require.NoError(t, res.WriteMarkdown(&md))
	assert.Contains(t, md.String(), "- KPL aggregation: p packs")
	var page strings.Builder
	require.NoError(t, res.WriteHTML(&page))
	assert.Contains(t, page.String(), "KPL aggregation: p packs")

	plain := scenario(t, "{constant: 5000/s}", "84", "random", 10*time.Second, "")
	res, err = Plan(context.Background(), plain, WithMeasuredRuns(false, 0))
	require.NoError(t, err)
	assert.Nil(t, res.Aggregation, "no aggregation, nothing said")
}

// TestAggregationLiftsAHotKey: one key taking 1,500 records/s is over any
// shard's 1,000 records/s as plain records, and no shard count helps; KPL
// aggregates pack it into a few records a second.
func TestAggregationLiftsAHotKey(t *testing.T) {
	sc := scenario(t, "{constant: 5000/s}", "200", "{hot: {share: 0.3, keys: 1000}}", 10*time.Second, "    aggregation: {}\n")
	res, err := Plan(context.Background(), sc, WithMeasuredRuns(false, 0))
	require.NoError(t, err)
	assert.Empty(t, res.Blockers, "aggregated, the hot key is no blocker")
	assert.Equal(t, 2, res.Recommended, "1.1 MiB/s of user records and their aggregates' overhead need two shards' bytes")
	require.NotNil(t, res.Aggregation)
	assert.Zero(t, res.Aggregation.ShardsWithout, "plain, no shard count meets the objectives")
}
