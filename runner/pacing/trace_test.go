package pacing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadTrace(t *testing.T) {
	m := time.Minute
	for _, tc := range []struct {
		name string
		csv  string
		want []TracePoint
	}{
		{
			// A CloudWatch export converted to per second, with its header.
			name: "cloudwatch",
			csv:  "timestamp,records_per_second\n2024-06-04T07:00:00Z,1200.5\n2024-06-04T07:01:00Z,1800\n2024-06-04T07:02:00+00:00,0\n",
			want: []TracePoint{{0, 1200.5}, {m, 1800}, {2 * m, 0}},
		},
		{
			// Spreadsheet dates, quoted fields, spaces, a comment and a blank line.
			name: "spreadsheet",
			csv:  "# exported by hand\n\"2024-06-04 07:00:00\", \"10\"\n\n\"2024-06-04 07:00:30\",\"20\"\n2024-06-04 07:02,30\n",
			want: []TracePoint{{0, 10}, {30 * time.Second, 20}, {2 * m, 30}},
		},
		{
			// Unix seconds, CRLF line ends, no header.
			name: "unix seconds",
			csv:  "1717484400,5\r\n1717484401.5,6\r\n",
			want: []TracePoint{{0, 5}, {1500 * time.Millisecond, 6}},
		},
		{
			// One row is a trace too: its rate holds.
			name: "one row",
			csv:  "0,42\n",
			want: []TracePoint{{0, 42}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadTrace(strings.NewReader(tc.csv), "t.csv")
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestReadTraceRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		csv  string
		line int    // 0: the file as a whole
		says string // part of the message
	}{
		// A row without its rate.
		{"missing field", "timestamp,records_per_second\n0,1\n60\n", 3, "1 fields; want 2"},
		// A row with a third field.
		{"extra field", "0,1\n60,2,3\n", 2, "3 fields"},
		// A timestamp that is neither a date nor seconds.
		{"bad timestamp", "0,1\nnoon,2\n", 2, `timestamp "noon"`},
		// A rate that is not a number.
		{"bad rate", "timestamp,records_per_second\n0,1\n60,lots\n", 3, `records_per_second "lots"`},
		// A negative rate.
		{"negative rate", "0,1\n60,-2\n", 2, "not a rate"},
		// Rows out of order, as get-metric-statistics prints them.
		{"out of order", "2024-06-04T07:01:00Z,1\n2024-06-04T07:00:00Z,2\n", 2, "not after \"2024-06-04T07:01:00Z\" on line 1"},
		// The same timestamp twice.
		{"repeated", "0,1\n0,2\n", 2, "not after"},
		// Numbers and dates mixed.
		{"mixed", "0,1\n2024-06-04T07:00:00Z,2\n", 2, "mixes numbers and dates"},
		// A broken quote, as the csv reader finds it.
		{"bad quote", "0,1\n\"60,2\n", 2, "quote"},
		// A header that is not on the first line is just a bad row.
		{"late header", "0,1\ntimestamp,records_per_second\n", 2, "timestamp"},
		// Nothing to replay.
		{"empty", "timestamp,records_per_second\n", 0, "no rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadTrace(strings.NewReader(tc.csv), "t.csv")
			assert.Nil(t, got)
			var te *TraceError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "t.csv", te.File)
			assert.Equal(t, tc.line, te.Line, "line of %v", err)
			assert.Contains(t, err.Error(), tc.says)
		})
	}
}

// TestExampleTrace replays the example shipped with the scenarios: two hours
// of a CloudWatch IncomingRecords export, sped up 60 times.
func TestExampleTrace(t *testing.T) {
	const folder = "../../scenarios/traces"
	f, err := os.Open(folder + "/example-cloudwatch.csv")
	require.NoError(t, err)
	defer f.Close()
	points, err := ReadTrace(f, "example-cloudwatch.csv")
	require.NoError(t, err)
	require.Len(t, points, 120, "one row a minute for two hours")
	assert.Equal(t, 119*time.Minute, points[len(points)-1].At)

	s, err := New(segs(trace("example-cloudwatch.csv", 60, 0)), 2*time.Minute, 1, WithTraceFS(os.DirFS(folder)))
	require.NoError(t, err)
	// Row k plays from second k; its rate holds for that second.
	for _, k := range []int{0, 45, 92, 119} {
		assert.Equal(t, points[k].Rate, s.Rate(time.Duration(k)*time.Second+time.Millisecond), "rate of row %d", k)
	}
	var want float64
	for _, p := range points {
		want += p.Rate
	}
	assert.InDelta(t, want, s.Due(s.End()), 1e-6, "Due(End) is one second of every row")

	// An absolute path is read from the operating system, whatever the FS.
	absolute, err := filepath.Abs(folder + "/example-cloudwatch.csv")
	require.NoError(t, err)
	again, err := New(segs(trace(absolute, 60, 0)), 2*time.Minute, 1, WithTraceFS(traces))
	require.NoError(t, err)
	assert.Equal(t, s.Due(s.End()), again.Due(again.End()), "Due(End) read by absolute path")
}
