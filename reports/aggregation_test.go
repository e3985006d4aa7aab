package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

// TestSummaryShowsKinesisRecords: with KPL aggregation the summary says how
// many Kinesis records carried the user records; without, it adds nothing.
func TestSummaryShowsKinesisRecords(t *testing.T) {
	tests := []struct {
		name             string
		kinesis, wrong   int64
		want, wantMarkMD string
	}{
		{"plain records", 0, 0, "", ""},
		{"one user record each", -1, 0, "", ""},
		{"aggregated", 24, 0, "kinesis    24 records acknowledged (KPL aggregates, 50.0 user records each), 2 records/s mean, 0.01 MiB/s\n",
			"| kinesis records | 24 records acknowledged (KPL aggregates, 50.0 user records each), 2 records/s mean, 0.01 MiB/s |"},
		{"put again", 24, 7, "; 7 user records put again after landing on another shard than predicted\n", "put again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixedResult()
			r.Totals.RecordsAcknowledged = 1200
			switch tt.kinesis {
			case -1:
				r.Totals.KinesisRecordsAcknowledged = 1200
			default:
				r.Totals.KinesisRecordsAcknowledged = tt.kinesis
			}
			r.Totals.RecordsWrongShard = tt.wrong
			r.Throughput.KinesisRecordsAcknowledgedPerS = float64(r.Totals.KinesisRecordsAcknowledged) / 10
			r.Throughput.KinesisBytesAcknowledgedPerS = 12000
			var text, md, page bytes.Buffer
			require.NoError(t, WriteSummary(&text, r))
			require.NoError(t, WriteMarkdown(&md, r))
			require.NoError(t, WriteHTML(&page, r))
			if tt.want == "" {
				assert.NotContains(t, text.String(), "kinesis ")
				assert.NotContains(t, md.String(), "kinesis records")
				assert.NotContains(t, page.String(), "Kinesis records:")
				return
			}
			assert.Contains(t, text.String(), tt.want)
			assert.Contains(t, md.String(), tt.wantMarkMD)
			assert.Contains(t, page.String(), "Kinesis records: 24 records acknowledged (KPL aggregates")
		})
	}
}

// TestVerdictSaysAConsumerDidNotDeaggregate: a consumer that took KPL
// aggregates for single records is told so, with how many user records
// it missed; the KCL-like one reports what its filter dropped.
func TestVerdictSaysAConsumerDidNotDeaggregate(t *testing.T) {
	v := &result.Verification{Consumers: []result.ConsumerVerdict{
		{Consumer: "naive", Acknowledged: 5000, DistinctRecords: 100, Lost: 4900, AggregatesNotDeaggregated: 100, UserRecordsNotDeaggregated: 5000, Failures: []string{"lost 4900 > 0"}},
		{Consumer: "kcl", Acknowledged: 5000, DistinctRecords: 5000, FilteredByHashRange: 49, AggregatesCorrupt: 2, Passed: true},
		{Consumer: "plain", Acknowledged: 5000, DistinctRecords: 5000, Passed: true},
	}}
	var b strings.Builder
	require.NoError(t, WriteVerification(&b, v))
	lines := strings.Split(b.String(), "\n")
	require.Len(t, lines, 7)
	assert.Equal(t, "               did not de-aggregate: took 100 KPL aggregates as single records, 5,000 user records inside (50.0 per record seen)", lines[2])
	assert.Equal(t, "               KPL aggregates corrupt 2 (passed on whole, as KCL does)  user records outside the shard's hash range dropped 49 (put again by the producer)", lines[4])
	assert.True(t, strings.HasPrefix(lines[5], "  plain "), "a consumer without aggregates gets no extra line")
}
