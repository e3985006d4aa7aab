package scenarios

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestParseDuration(t *testing.T) {
	checkParse(t, "ParseDuration", ParseDuration, []parseCase[Duration]{
		{"30s", Duration(30 * time.Second), ""},   // seconds
		{"2m", Duration(2 * time.Minute), ""},     // minutes
		{"1h30m", Duration(90 * time.Minute), ""}, // compound
		{"0", 0, ""},                                    // zero needs no unit
		{"-3s", 0, "negative"},                          // negative
		{"30", 0, "not a duration"},                     // a number without a unit
		{"soon", 0, "not a duration"},                   // not a number at all
		{" 50ms ", Duration(50 * time.Millisecond), ""}, // spaces around
		{"1.5s", Duration(1500 * time.Millisecond), ""}, // fractions
		{"100us", Duration(100 * time.Microsecond), ""}, // micro
		{"2562048h", 0, "not a duration"},               // overflow
	})
}

func TestParseRate(t *testing.T) {
	checkParse(t, "ParseRate", ParseRate, []parseCase[Rate]{
		{"800/s", 800, ""},                       // per second
		{"48000/min", 800, ""},                   // per minute
		{"3/ms", 3000, ""},                       // per millisecond
		{"7200/h", 2, ""},                        // per hour
		{"250", 250, ""},                         // bare number: per second
		{"0.5/s", 0.5, ""},                       // fractional
		{"0", 0, ""},                             // zero is a pause
		{"-5/s", 0, "finite number, 0 or more"},  // negative
		{"NaN", 0, "finite number, 0 or more"},   // NaN
		{"Inf/s", 0, "finite number, 0 or more"}, // infinite
		{"800/d", 0, "unknown unit"},             // unknown unit
		{"fast", 0, "not a rate"},                // not a number
	})
}

func TestParseByteSize(t *testing.T) {
	checkParse(t, "ParseByteSize", ParseByteSize, []parseCase[ByteSize]{
		{"512", 512, ""},            // bare bytes
		{"100B", 100, ""},           // bytes with a unit
		{"64KiB", 64 << 10, ""},     // binary kilo
		{"1MiB", 1 << 20, ""},       // binary mega
		{"10MB", 10_000_000, ""},    // decimal mega
		{"1KB", 1000, ""},           // decimal kilo
		{"1.5KiB", 1536, ""},        // a fraction that is whole in bytes
		{"0.3B", 0, "whole number"}, // a fraction of a byte
		{"-1KiB", 0, "negative"},    // negative
		{"1XB", 0, "not a size"},    // unknown unit
		{"big", 0, "not a size"},    // not a number
	})
}

// parseCase is one row of a parse table: the text, and the value or a part
// of the error message it gives.
type parseCase[T any] struct {
	in      string
	want    T
	wantErr string
}

func checkParse[T any](t *testing.T, name string, parse func(string) (T, error), tests []parseCase[T]) {
	t.Helper()
	for _, tt := range tests {
		got, err := parse(tt.in)
		if tt.wantErr != "" {
			assert.ErrorContains(t, err, tt.wantErr, "%s(%q)", name, tt.in)
			continue
		}
		if assert.NoError(t, err, "%s(%q)", name, tt.in) {
			assert.Equal(t, tt.want, got, "%s(%q)", name, tt.in)
		}
	}
}

// roundTrip holds one value of each custom scalar, and a partition key.
type roundTrip struct {
	D Duration `yaml:"d" json:"d"`
	R Rate     `yaml:"r" json:"r"`
	B ByteSize `yaml:"b" json:"b"`
	K KeySpec  `yaml:"k" json:"k"`
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		in       roundTrip
		wantYAML string
	}{
		// Whole units.
		{roundTrip{Duration(2 * time.Minute), 800, MiB, KeySpec{Random: true}}, "d: 2m\nr: 800/s\nb: 1MiB\nk: random\n"},
		// Compound duration, per-minute rate, decimal size, a field key.
		{roundTrip{Duration(90 * time.Minute), Rate(1.0 / 60), 10_000_000, KeySpec{Field: "bike_id"}}, "d: 1h30m\nr: 1/min\nb: 10MB\nk:\n    field: bike_id\n"},
		// Zero values, a Zipf key.
		{roundTrip{0, 0, 0, KeySpec{Zipf: &ZipfKeys{Keys: 300, S: 1.1}}}, "d: 0s\nr: 0/s\nb: 0B\nk:\n    zipf:\n        keys: 300\n        s: 1.1\n"},
		// Odd values: sub-second duration, a rate with no whole unit, bytes.
		{roundTrip{Duration(1500 * time.Millisecond), Rate(math.Pi), 1023, KeySpec{Hot: &HotKey{Share: 0.4, Keys: 10}}}, "d: 1.5s\nr: 3.141592653589793/s\nb: 1023B\nk:\n    hot:\n        share: 0.4\n        keys: 10\n"},
	}
	for _, tt := range tests {
		out, err := yaml.Marshal(tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.wantYAML, string(out))
		var back roundTrip
		require.NoError(t, yaml.Unmarshal(out, &back), "YAML:\n%s", out)
		assert.Equal(t, tt.in, back, "YAML round trip")

		j, err := json.Marshal(tt.in)
		require.NoError(t, err)
		var backJSON roundTrip
		require.NoError(t, json.Unmarshal(j, &backJSON), "JSON: %s", j)
		assert.Equal(t, tt.in, backJSON, "JSON round trip of %s", j)
	}
}

// A rate that ParseRate read from any unit formats back to the same value.
func TestRateStringRoundTrip(t *testing.T) {
	for _, in := range []string{"800/s", "48000/min", "3/ms", "1/min", "1/h", "7/h", "0.25", "2.5/min"} {
		r, err := ParseRate(in)
		require.NoError(t, err)
		back, err := ParseRate(r.String())
		require.NoError(t, err)
		assert.Equal(t, r, back, "%s -> %s", in, r)
	}
}
