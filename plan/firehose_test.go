package plan

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/pricing"
	"github.com/kinesim/kinesim/scenarios"
)

func TestFirehosePlan(t *testing.T) {
	tests := []struct {
		name        string
		rate        int
		freshness   string
		wantSize    int
		wantIntv    int
		wantCut     string
		wantFresh   float64 // worst wait at the mean rate, s
		wantObjPerH float64
	}{
		// 100 records/s of 1,000 B: 100 KB/s fill 6 MiB in a minute; the
		// interval cuts every object.
		{"interval binds", 100, "60s", 6, 60, "interval", 60, 60},
		// 5,000 records/s of 1,000 B cannot wait 900 s under 128 MiB: the
		// size cuts every 26.8 s.
		{"size binds", 5000, "900s", 128, 900, "size", 128 << 20 / 5e6, 3600 / (128 << 20 / 5e6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fmt.Sprintf(`name: fh
duration: 1m
target:
  kind: firehose
  stream: fh
producers:
  - {name: p, generator: logs, options: {record_size: 1000}, rate: [{constant: %d/s}]}
objectives: {max_data_freshness: %s}
`, tt.rate, tt.freshness)
			sc, err := scenarios.Parse([]byte(src), "fh.yaml", scenarios.WithGenerators(generators.Kinds()...))
			require.NoError(t, err)
			p, err := Firehose(sc, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.wantSize, p.SizeMB)
			assert.Equal(t, tt.wantIntv, p.IntervalS)
			assert.Equal(t, tt.wantCut, p.CutAtPeak)
			assert.InEpsilon(t, tt.wantFresh, p.WorstFreshnessS, 0.01)
			assert.InEpsilon(t, tt.wantObjPerH, p.ObjectsPerHour, 0.01)
			assert.InDelta(t, 1000, p.MeanRecordBytes, 1)
			assert.Equal(t, 5120.0, p.BilledBytesPerRecord, "a 1,000 B record is billed 5 KB")
			// A month of 730 hours at the mean rate, billed in 5 KB units.
			records := float64(tt.rate) * 730 * 3600
			assert.InEpsilon(t, records, p.MonthlyRecords, 0.001)
			assert.InEpsilon(t, records*5120/pricing.GiB, p.MonthlyBilledGB, 0.001)
			assert.InEpsilon(t, p.MonthlyBilledGB*pricing.Default().Firehose.IngestionGB, p.MonthlyIngestion, 1e-9)
			assert.InEpsilon(t, p.ObjectsPerHour*730/1000*pricing.Default().Firehose.S3PutPer1000, p.MonthlyS3Puts, 1e-9)
		})
	}
}
