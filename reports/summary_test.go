package reports

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/result"
)

func TestSummaryGolden(t *testing.T) {
	tests := []struct {
		golden string
		mode   string
		write  func(*bytes.Buffer, *result.Result, ...SummaryOption) error
	}{
		// The terminal summary as `kinesim run` prints it by default.
		{"summary_compact.txt.golden", "compact", func(b *bytes.Buffer, r *result.Result, o ...SummaryOption) error { return WriteSummary(b, r, o...) }},
		// --summary full: producers, distribution, the series condensed.
		{"summary_full.txt.golden", "full", func(b *bytes.Buffer, r *result.Result, o ...SummaryOption) error { return WriteSummary(b, r, o...) }},
		// summary.md as written in the run folder and to $GITHUB_STEP_SUMMARY.
		{"summary_compact.md.golden", "compact", func(b *bytes.Buffer, r *result.Result, o ...SummaryOption) error { return WriteMarkdown(b, r, o...) }},
		// summary.md with --summary full.
		{"summary_full.md.golden", "full", func(b *bytes.Buffer, r *result.Result, o ...SummaryOption) error { return WriteMarkdown(b, r, o...) }},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			opts, err := SummaryMode(tt.mode)
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, tt.write(&b, fixedResult(), opts...))
			assertGolden(t, tt.golden, b.Bytes())
		})
	}
}

func TestSummaryModeRejectsUnknown(t *testing.T) {
	_, err := SummaryMode("verbose")
	assert.EqualError(t, err, `summary "verbose": use compact or full`)
}

func TestMarkdownVerdict(t *testing.T) {
	r := fixedResult()
	assert.Equal(t, "❌ 1 threshold(s) failed", markdownVerdict(r), "a failed threshold")
	r.Thresholds = r.Thresholds[:2]
	assert.Equal(t, "✅ passed", markdownVerdict(r), "passed and skipped only")
	r.Complete, r.StopReason = false, "interrupted"
	assert.Equal(t, "⚠️ incomplete (interrupted)", markdownVerdict(r), "a stopped run")
}

// TestAllDeadLetteredSaysSo is issue 18 item 5: a run whose every record
// was dead-lettered does not look like success.
func TestAllDeadLetteredSaysSo(t *testing.T) {
	r := fixedResult()
	r.Thresholds = nil
	r.Totals.RecordsAcknowledged, r.Totals.RecordsDeadLettered = 0, 1200
	var b bytes.Buffer
	require.NoError(t, WriteSummary(&b, r))
	first, _, _ := bytes.Cut(b.Bytes(), []byte("\n"))
	assert.Equal(t, "kinesim run "+r.Scenario+": complete, but NOTHING WAS WRITTEN: all 1,200 records sent were dead-lettered", string(first))
	assert.Equal(t, "❌ nothing written: all 1,200 records were dead-lettered", markdownVerdict(r))

	r.Totals.RecordsAcknowledged = 1
	b.Reset()
	require.NoError(t, WriteSummary(&b, r))
	first, _, _ = bytes.Cut(b.Bytes(), []byte("\n"))
	assert.Equal(t, "kinesim run "+r.Scenario+": complete", string(first), "some records written")
}

// TestTargetLineSaysOnDemand: an on-demand stream has no shard count to
// print; "0 shard(s)" reads like a broken run.
func TestTargetLineSaysOnDemand(t *testing.T) {
	tests := []struct {
		name   string
		target result.TargetInfo
		want   string
	}{
		// Provisioned: the shard count it was created with.
		{"provisioned", result.TargetInfo{Kind: "emulated", Stream: "s", Shards: 4}, `target     emulated stream "s", 4 shard(s);`},
		// On-demand: sized by the stream itself.
		{"on-demand", result.TargetInfo{Kind: "emulated", Stream: "s", Mode: "on-demand"}, `target     emulated stream "s", on-demand;`},
	}
	for _, tt := range tests {
		r := fixedResult()
		r.Target = tt.target
		var text, md bytes.Buffer
		require.NoError(t, WriteSummary(&text, r))
		require.NoError(t, WriteMarkdown(&md, r))
		assert.Contains(t, text.String(), tt.want, tt.name)
		assert.NotContains(t, text.String()+md.String(), "0 shard(s)", tt.name)
	}
}
