package pricing_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/pricing"
)

func TestUnits(t *testing.T) {
	tests := []struct {
		size          int
		put, onDemand float64
	}{
		{1, 1, 1},                  // any record is at least one unit of each
		{1024, 1, 1},               // exactly 1 KB: one on-demand unit
		{1025, 1, 2},               // a byte over 1 KB rounds up
		{25 * 1024, 1, 25},         // exactly 25 KB: one PUT payload unit
		{25*1024 + 1, 2, 26},       // a byte over 25 KB: two
		{1 << 20, 41, 1024},        // the largest record, 1 MiB: 40.96 → 41 units
		{0, 0, 0},                  // nothing counts nothing
		{3 * 25 * 1024, 3, 3 * 25}, // whole units stay whole
	}
	for _, tt := range tests {
		assert.Equal(t, tt.put, pricing.PutPayloadUnits(tt.size), "PUT payload units of %d bytes", tt.size)
		assert.Equal(t, tt.onDemand, pricing.OnDemandUnits(tt.size), "on-demand units of %d bytes", tt.size)
	}
}

func TestDefaultAndLoad(t *testing.T) {
	p := pricing.Default()
	assert.NotEmpty(t, p.Date, "the built-in prices are dated")
	assert.NotEmpty(t, p.Source)
	assert.Positive(t, p.Provisioned.EFOConsumerShardHour)
	assert.Positive(t, p.Provisioned.EFOGB)
	assert.Equal(t, "us-east-1 USD prices dated "+p.Date, p.AsOf())
	p.Provisioned.ShardHour = 99
	assert.NotEqual(t, 99.0, pricing.Default().Provisioned.ShardHour, "each call returns a fresh copy")

	own := filepath.Join(t.TempDir(), "own.json")
	require.NoError(t, os.WriteFile(own, []byte(`{"region": "eu-west-1", "date": "2026-01-01", "provisioned": {"shard_hour": 0.02}}`), 0o644))
	loaded, err := pricing.Load(own)
	require.NoError(t, err)
	assert.Equal(t, "USD", loaded.Currency, "the currency defaults to USD")
	assert.Equal(t, 0.02, loaded.Provisioned.ShardHour)
	_, err = pricing.Load(filepath.Join(t.TempDir(), "missing.json"))
	assert.Error(t, err)
}

func TestPrices(t *testing.T) {
	p := pricing.Default()
	assert.NotEmpty(t, p.Date, "the built-in prices are dated")
	assert.NotEmpty(t, p.Source)
	assert.Equal(t, 0.015, p.Provisioned.ShardHour)
	assert.Equal(t, 0.014, p.Provisioned.PutPayloadUnitsPerMillion)

	dir := t.TempDir()
	undated := filepath.Join(dir, "undated.json")
	require.NoError(t, os.WriteFile(undated, []byte(`{"region": "x"}`), 0o644))
	_, err := pricing.Load(undated)
	assert.ErrorContains(t, err, "date is missing")
	unknown := filepath.Join(dir, "unknown.json")
	require.NoError(t, os.WriteFile(unknown, []byte(`{"date": "2026-01-01", "shard_hours": 1}`), 0o644))
	_, err = pricing.Load(unknown)
	assert.ErrorContains(t, err, "shard_hours")
}

func TestFirehoseBilledBytes(t *testing.T) {
	tests := []struct {
		size int
		want float64
	}{
		{1, 5120},          // a tiny record bills a whole 5 KB
		{100, 5120},        // small records cost more than their bytes
		{5120, 5120},       // exactly one unit
		{5121, 10240},      // one byte over: two units
		{3 * 1024, 5120},   // the pricing page's 3 KB record bills 5 KB
		{12 * 1024, 15360}, // and its 12 KB record 15 KB
		{42 * 1024, 46080}, // and its 42 KB record 45 KB
	}
	for _, tt := range tests {
		if got := pricing.FirehoseBilledBytes(tt.size); got != tt.want {
			t.Errorf("FirehoseBilledBytes(%d) = %v, want %v", tt.size, got, tt.want)
		}
	}
	if p := pricing.Default(); p.Firehose.IngestionGB <= 0 || p.Firehose.S3PutPer1000 <= 0 {
		t.Errorf("the built-in table has no Firehose prices: %+v", p.Firehose)
	}
}
