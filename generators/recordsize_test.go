package generators

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sizeCheck says what the sizes of many records must show.
type sizeCheck struct {
	exact    int     // every record has this size (0: not checked)
	min, max int     // every size lies in [min, max] (0, 0: not checked)
	mean     float64 // the mean size, within 3% (0: not checked)
	median   float64 // the median size, within 3% (0: not checked)
}

func (c sizeCheck) assert(t *testing.T, sizes []int) {
	t.Helper()
	sum := 0.0
	for i, n := range sizes {
		if c.exact > 0 {
			require.Equal(t, c.exact, n, "record %d size", i)
		}
		if c.max > 0 {
			require.True(t, c.min <= n && n <= c.max, "record %d size %d outside [%d, %d]", i, n, c.min, c.max)
		}
		sum += float64(n)
	}
	if c.mean > 0 {
		got := sum / float64(len(sizes))
		assert.InEpsilon(t, c.mean, got, 0.03, "mean size: got %.0f, want %.0f", got, c.mean)
	}
	if c.median > 0 {
		sorted := append([]int(nil), sizes...)
		sort.Ints(sorted)
		got := float64(sorted[len(sorted)/2])
		assert.InEpsilon(t, c.median, got, 0.03, "median size: got %.0f, want %.0f", got, c.median)
	}
}

func TestRecordSizeJSON(t *testing.T) {
	tests := []struct {
		name string
		size any
		want sizeCheck
	}{
		// Larger than any bike record: padded with a kinesim_pad field.
		{name: "pad to 4KiB", size: "4KiB", want: sizeCheck{exact: 4096}},
		// Smaller than every bike record: trailing fields dropped, then padded.
		{name: "trim to 160", size: 160, want: sizeCheck{exact: 160}},
		// Between: some records grow by a few bytes only (spaces before the brace).
		{name: "fixed 330", size: map[string]any{"fixed": 330}, want: sizeCheck{exact: 330}},
		// Below the metadata itself: the smallest record the kind can make.
		{name: "below metadata", size: 10, want: sizeCheck{min: 40, max: 90}},
		// Uniform sizes stay in range and average its middle.
		{name: "uniform", size: map[string]any{"uniform": map[string]any{"min": 200, "max": "2KiB"}}, want: sizeCheck{min: 200, max: 2048, mean: 1124}},
		// Normal sizes average their mean.
		{name: "normal", size: map[string]any{"normal": map[string]any{"mean": "1KiB", "stddev": 100}}, want: sizeCheck{mean: 1024}},
		// Log-normal sizes have their median (YAML v2 style keys).
		{name: "lognormal", size: map[any]any{"lognormal": map[any]any{"median": 800, "sigma": 0.5}}, want: sizeCheck{median: 800}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records := generate(t, "bike", map[string]any{"record_size": tt.size}, 4, 5000)
			sizes := make([]int, len(records))
			for i, rec := range records {
				sizes[i] = len(rec)
				require.True(t, json.Valid(rec), "record %d is not JSON: %s", i, rec)
				_, _, ok := ParseMeta(rec)
				require.True(t, ok, "record %d lost its metadata: %s", i, rec)
			}
			tt.want.assert(t, sizes)
		})
	}
}

func TestRecordSizeKeepsKeysAndPrefix(t *testing.T) {
	plain, err := New("bike", nil, 8)
	require.NoError(t, err)
	sized, err := New("bike", map[string]any{"record_size": 100}, 8)
	require.NoError(t, err)
	prefix := []byte("earlier records|")
	for i := range 500 {
		m := Meta{Producer: "p", ID: uint64(i), Intended: testStart}
		_ = plain.Next(nil, m)
		out := sized.Next(append([]byte(nil), prefix...), m)
		require.Equal(t, string(prefix), string(out[:len(prefix)]), "record %d: dst prefix kept", i)
		assert.Equal(t, plain.KeyField(0), sized.KeyField(0), "record %d: same key", i)
	}
}

func TestRecordSizeErrors(t *testing.T) {
	tests := []struct {
		name    string
		size    any
		wantErr string
	}{
		// A word is not a size.
		{name: "not a size", size: "big", wantErr: `"big" is not a size`},
		// Two distributions at once.
		{name: "two shapes", size: map[string]any{"fixed": 1, "uniform": 2}, wantErr: "want exactly one of fixed, uniform, normal, lognormal; got {fixed, uniform}"},
		// An unknown shape lists the forms.
		{name: "unknown shape", size: map[string]any{"pareto": 1}, wantErr: `"pareto" is not a size distribution`},
		// A shape missing a parameter names both.
		{name: "missing parameter", size: map[string]any{"uniform": map[string]any{"min": 1}}, wantErr: "want {uniform: {min: …, max: …}}"},
		// max below min.
		{name: "inverted uniform", size: map[string]any{"uniform": map[string]any{"min": 100, "max": 10}}, wantErr: "max 10 is below min 100"},
		// Above the Kinesis record limit.
		{name: "too large", size: "11MiB", wantErr: "above the 10MiB record limit"},
		// A negative sigma.
		{name: "negative sigma", size: map[string]any{"lognormal": map[string]any{"median": 100, "sigma": -1}}, wantErr: "lognormal.sigma: want a number ≥ 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("bike", map[string]any{"record_size": tt.size}, 1)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `option "record_size"`)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestSizeDistDrawBounds(t *testing.T) {
	r := newRand(1, "t")
	d := sizeDist{shape: "normal", a: 10, b: 1000}
	for range 10_000 {
		n := d.draw(r)
		require.True(t, n >= 1 && n <= MaxRecordSize, "size %d", n)
	}
	assert.Equal(t, MaxRecordSize, sizeDist{shape: "fixed", a: 2 * MaxRecordSize}.draw(r), "clamped to the record limit")
}
