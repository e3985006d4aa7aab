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
