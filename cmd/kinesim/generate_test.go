package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/kpl"
)

func TestGeneratePrintsJSONLines(t *testing.T) {
	tests := []struct {
		name     string
		kind     string
		flags    generateFlags
		wantKey  string // a pattern every partition key matches
		wantJSON bool   // data is a JSON object (else a string)
	}{
		// JSON kinds embed the record as is, keyed by the first key field (bike_id; a station's id for station events).
		{name: "bike", kind: "bike", flags: generateFlags{count: 20, seed: 3, options: []string{"city=Paris", "stations=20"}}, wantKey: `^(bike|st)-\d+$`, wantJSON: true},
		// Text kinds embed the line as a string.
		{name: "syslog", kind: "logs", flags: generateFlags{count: 20, seed: 3, options: []string{"format=rfc5424"}, partitionKey: "{field: service}"}, wantKey: `^[a-z-]+$`},
		// A YAML mapping option and a key distribution.
		{name: "sized zipf", kind: "clickstream", flags: generateFlags{count: 20, seed: 3, options: []string{"record_size={uniform: {min: 600, max: 1KiB}}"}, partitionKey: "{zipf: {keys: 10, s: 1.1}}"}, wantKey: `^key-\d$`, wantJSON: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.flags.rate = 100
			tt.flags.start = "2024-11-26T08:00:00Z"
			var out bytes.Buffer
			require.NoError(t, generate(&out, tt.kind, tt.flags))
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			require.Len(t, lines, tt.flags.count)
			for i, line := range lines {
				var rec struct {
					Key  string          `json:"partition_key"`
					Data json.RawMessage `json:"data"`
				}
				require.NoError(t, json.Unmarshal([]byte(line), &rec), "line %d: %s", i, line)
				assert.Regexp(t, tt.wantKey, rec.Key, "line %d", i)
				assert.Equal(t, tt.wantJSON, rec.Data[0] == '{', "line %d data: %s", i, rec.Data)
			}
			var again bytes.Buffer
			require.NoError(t, generate(&again, tt.kind, tt.flags))
			assert.Equal(t, out.String(), again.String(), "same flags, same bytes")
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name    string
		kind    string
		flags   generateFlags
		wantErr string
	}{
		// An unknown kind lists the kinds.
		{name: "unknown kind", kind: "bikes", flags: generateFlags{count: 1, rate: 1}, wantErr: "allowed: bike, logs, clickstream, video-metadata"},
		// A typo of a kind gets a did-you-mean.
		{name: "misspelt kind", kind: "bikes", flags: generateFlags{count: 1, rate: 1}, wantErr: `unknown generator "bikes"; did you mean "bike"?`},
		// A name near no kind gets none.
		{name: "far kind", kind: "spaceships", flags: generateFlags{count: 1, rate: 1}, wantErr: `unknown generator "spaceships" (allowed: `},
		// An option without a value.
		{name: "bad option", kind: "bike", flags: generateFlags{count: 1, rate: 1, options: []string{"stations"}}, wantErr: "want NAME=VALUE"},
		// An unknown option names the allowed ones.
		{name: "unknown option", kind: "bike", flags: generateFlags{count: 1, rate: 1, options: []string{"colour=red"}}, wantErr: `bike has no option "colour"`},
		// A key field the kind lacks.
		{name: "bad key field", kind: "bike", flags: generateFlags{count: 1, rate: 1, partitionKey: "{field: colour}"}, wantErr: `no field "colour"`},
		// A start that is not a time.
		{name: "bad start", kind: "bike", flags: generateFlags{count: 1, rate: 1, start: "yesterday"}, wantErr: "RFC 3339"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := generate(&bytes.Buffer{}, tt.kind, tt.flags)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			var ee *exitError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, exitUsage, ee.code)
		})
	}
}

func TestGenerateDoesNotEscapeHTML(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, generate(&out, "logs", generateFlags{count: 5, rate: 100, seed: 3, options: []string{"format=rfc5424"}, start: "2024-11-26T08:00:00Z"}))
	assert.Contains(t, out.String(), `"data":"<134>`, "syslog's priority is written as is")
	assert.NotContains(t, out.String(), `\u003c`)
	assert.NotContains(t, out.String(), `\u003e`)
}

// TestGenerateAggregates: --aggregate packs the same records generate
// prints plain into KPL aggregates of at most N user records; each line's
// base64 data de-aggregates back to them, keys and order included.
func TestGenerateAggregates(t *testing.T) {
	flags := generateFlags{count: 120, seed: 3, rate: 100, start: "2024-11-26T08:00:00Z", options: []string{"city=Paris"}}
	var plain bytes.Buffer
	require.NoError(t, generate(&plain, "bike", flags))
	type plainLine struct {
		Key  string          `json:"partition_key"`
		Data json.RawMessage `json:"data"`
	}
	var want []plainLine
	for _, line := range strings.Split(strings.TrimSuffix(plain.String(), "\n"), "\n") {
		var p plainLine
		require.NoError(t, json.Unmarshal([]byte(line), &p))
		want = append(want, p)
	}

	flags.aggregate, flags.aggregateBytes = 50, kpl.DefaultMaxBytes
	var out bytes.Buffer
	require.NoError(t, generate(&out, "bike", flags))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 3, "120 records at 50 an aggregate: 3 Kinesis records")
	var got []plainLine
	for i, line := range lines {
		var a aggregateLine
		require.NoError(t, json.Unmarshal([]byte(line), &a), "line %d", i)
		assert.Equal(t, "a", a.PartitionKey)
		assert.Equal(t, []int{50, 50, 20}[i], a.UserRecords)
		assert.Equal(t, len(a.Data), a.Bytes)
		users, outcome := kpl.Deaggregate(nil, kpl.Record{PartitionKey: a.PartitionKey, Data: a.Data}, kpl.AllHashKeys)
		require.True(t, outcome.Aggregated, "line %d: %v", i, outcome)
		require.NoError(t, outcome.Corrupt)
		require.Len(t, users, a.UserRecords)
		for _, u := range users {
			got = append(got, plainLine{Key: u.PartitionKey, Data: u.Data})
		}
	}
	assert.Equal(t, want, got, "the aggregates carry the records generate prints")

	flags.aggregate, flags.aggregateBytes = 50, 2000
	out.Reset()
	require.NoError(t, generate(&out, "bike", flags))
	for i, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var a aggregateLine
		require.NoError(t, json.Unmarshal([]byte(line), &a))
		assert.LessOrEqual(t, a.Bytes, 2000, "line %d: under --aggregate-bytes", i)
	}
}
