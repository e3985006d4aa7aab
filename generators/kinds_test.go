package generators

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
)

// kindCases are option sets that together cover every kind and format.
var kindCases = []struct {
	kind string
	opts map[string]any
	json bool // records are JSON objects
}{
	{kind: "bike", opts: map[string]any{"city": "Tokyo", "stations": 30, "bikes": 200}, json: true},
	{kind: "logs", opts: map[string]any{"format": LogApacheCommon}},
	{kind: "logs", opts: map[string]any{"format": LogApacheCombined}},
	{kind: "logs", opts: map[string]any{"format": LogRFC3164}},
	{kind: "logs", opts: map[string]any{"format": LogRFC5424}},
	{kind: "logs", opts: map[string]any{"format": LogJSON}, json: true},
	{kind: "clickstream", opts: map[string]any{"sessions": 50, "products": 100}, json: true},
	{kind: "video-metadata", opts: map[string]any{"cameras": 10, "detections": 2}, json: true},
}

func caseName(kind string, opts map[string]any) string {
	if f, ok := opts["format"]; ok {
		return kind + "/" + fmt.Sprint(f)
	}
	return kind
}

func TestKindsAreRegistered(t *testing.T) {
	assert.Equal(t, []string{"bike", "logs", "clickstream", "video-metadata"}, Kinds())
	for _, k := range Kinds() {
		specs, err := OptionSpecs(k)
		require.NoError(t, err)
		assert.Equal(t, RecordSizeOption, specs[len(specs)-1].Name, "%s takes record_size", k)
		doc, err := Describe(k)
		require.NoError(t, err)
		assert.NotEmpty(t, doc)
	}
}

func TestEveryKindIsDeterministic(t *testing.T) {
	for _, tc := range kindCases {
		t.Run(caseName(tc.kind, tc.opts), func(t *testing.T) {
			a := generate(t, tc.kind, tc.opts, 42, 2000)
			b := generate(t, tc.kind, tc.opts, 42, 2000)
			c := generate(t, tc.kind, tc.opts, 43, 2000)
			assert.True(t, equalRecords(a, b), "same seed, same bytes")
			assert.False(t, equalRecords(a, c), "other seed, other bytes")
		})
	}
}

func TestEveryKindCarriesMetaAndKeys(t *testing.T) {
	for _, tc := range kindCases {
		t.Run(caseName(tc.kind, tc.opts), func(t *testing.T) {
			g, err := New(tc.kind, tc.opts, 5)
			require.NoError(t, err)
			seen := map[string]bool{}
			for i := range 3000 {
				intended := testStart.Add(time.Duration(i) * 250 * time.Microsecond)
				rec := g.Next(nil, Meta{Producer: "prod", ID: uint64(i), Intended: intended})
				id, sent, ok := ParseMeta(rec)
				require.True(t, ok, "record %d: no metadata: %s", i, rec)
				require.False(t, seen[id], "record %d: id %s repeats", i, id)
				seen[id] = true
				assert.Equal(t, fmt.Sprintf("prod-%d", i), id)
				assert.True(t, intended.Equal(sent), "record %d: sent %v, want %v", i, sent, intended)
				if tc.json {
					require.True(t, json.Valid(rec), "record %d is not JSON: %s", i, rec)
				}
				for f, name := range g.KeyFields() {
					require.NotEmpty(t, g.KeyField(f), "record %d: key field %s empty: %s", i, name, rec)
				}
			}
		})
	}
}

func TestEveryKindHonoursRecordSize(t *testing.T) {
	for _, tc := range kindCases {
		for _, target := range []int{2000, 300} {
			t.Run(fmt.Sprintf("%s/%d", caseName(tc.kind, tc.opts), target), func(t *testing.T) {
				opts := map[string]any{RecordSizeOption: target}
				for k, v := range tc.opts {
					opts[k] = v
				}
				plain := generate(t, tc.kind, tc.opts, 6, 1000)
				sized := generate(t, tc.kind, opts, 6, 1000)
				for i, rec := range sized {
					if len(plain[i]) <= target || target >= 300 && tc.json {
						// Padding is exact; JSON records trim down to 300 bytes exactly.
						require.Equal(t, target, len(rec), "record %d: %s", i, rec)
					} else {
						require.Less(t, len(rec), len(plain[i]), "record %d trimmed", i)
					}
					if tc.json {
						require.True(t, json.Valid(rec), "record %d is not JSON: %s", i, rec)
					}
					_, _, ok := ParseMeta(rec)
					require.True(t, ok, "record %d lost its metadata: %s", i, rec)
				}
			})
		}
	}
}

// BenchmarkKinds measures every kind and format, reusing dst as a producer does.
func BenchmarkKinds(b *testing.B) {
	for _, tc := range kindCases {
		b.Run(caseName(tc.kind, tc.opts), func(b *testing.B) {
			benchmarkGenerator(b, tc.kind, tc.opts, scenarios.KeySpec{})
		})
	}
}

// BenchmarkClickstream is one clickstream record and its key. Issue #4
// targets ≤ 1 µs and ≤ 2 allocations.
func BenchmarkClickstream(b *testing.B) {
	benchmarkGenerator(b, "clickstream", nil, scenarios.KeySpec{Field: "session_id"})
}

func BenchmarkLogs(b *testing.B) {
	benchmarkGenerator(b, "logs", nil, scenarios.KeySpec{Field: "host"})
}

func BenchmarkVideoMetadata(b *testing.B) {
	benchmarkGenerator(b, "video-metadata", nil, scenarios.KeySpec{Field: "camera_id"})
}

// BenchmarkRecordSize pads bike records to 4KiB and trims them to 200 bytes.
func BenchmarkRecordSize(b *testing.B) {
	for _, size := range []any{"4KiB", 200} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			benchmarkGenerator(b, "bike", map[string]any{RecordSizeOption: size}, scenarios.KeySpec{})
		})
	}
}

// benchmarkGenerator makes records (and keys, by the spec's chooser; a zero
// spec takes the first key field) reusing dst as a producer does.
func benchmarkGenerator(b *testing.B, kind string, opts map[string]any, spec scenarios.KeySpec) {
	g, err := New(kind, opts, 1)
	require.NoError(b, err)
	keys, err := NewKeyChooser(spec, g, 1)
	require.NoError(b, err)
	var dst []byte
	m := Meta{Producer: "bench", Intended: testStart}
	size := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.ID = uint64(i)
		m.Intended = m.Intended.Add(100 * time.Microsecond)
		dst = g.Next(dst[:0], m)
		_ = keys.Key()
		size += len(dst)
	}
	b.ReportMetric(float64(size)/float64(b.N), "bytes/record")
}
