package generators

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendJSONString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{in: "plain", want: `"plain"`},                  // nothing to escape
		{in: `say "hi"\now`, want: `"say \"hi\"\\now"`}, // quotes and backslashes
		{in: "a\nb\tc\rd", want: `"a\nb\tc\rd"`},        // common control characters
		{in: "bell\x07", want: `"bell\u0007"`},          // other control characters
		{in: "Vélib' 東京", want: `"Vélib' 東京"`},          // valid UTF-8 passes through
		{in: "bad\xffbyte", want: `"bad\ufffdbyte"`},    // invalid UTF-8 is replaced
		{in: "<tag>&", want: `"<tag>&"`},                // no HTML escaping
	}
	for _, tt := range tests {
		got := string(appendJSONString([]byte("x"), tt.in))
		assert.Equal(t, "x"+tt.want, got, "appendJSONString(%q)", tt.in)
		var back string
		require.NoError(t, json.Unmarshal([]byte(got[1:]), &back), "valid JSON for %q", tt.in)
	}
}

func TestAppendFixed(t *testing.T) {
	tests := []struct {
		v        float64
		decimals int
		want     string
	}{
		{v: 40.7128, decimals: 6, want: "40.712800"},      // a latitude
		{v: -74.0060001, decimals: 6, want: "-74.006000"}, // a negative longitude
		{v: 0.00049, decimals: 3, want: "0.000"},          // rounds down
		{v: 0.0005, decimals: 3, want: "0.001"},           // rounds half up
		{v: 19.999, decimals: 2, want: "20.00"},           // carries into the integer
		{v: 12.7, decimals: 0, want: "13"},                // no decimals
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(appendFixed(nil, tt.v, tt.decimals)), "appendFixed(%v, %d)", tt.v, tt.decimals)
	}
}

func TestClockFormatter(t *testing.T) {
	var c clockFormatter
	at := time.Date(2024, 11, 26, 8, 0, 59, 987654321, time.FixedZone("CET", 3600))
	assert.Equal(t, "2024-11-26T07:00:59.987Z", string(c.appendISOMillis(nil, at)), "UTC with milliseconds")
	assert.Equal(t, "2024-11-26T07:01:00.000Z", string(c.appendISOMillis(nil, at.Add(12345679))), "the next second")
	assert.Equal(t, ".987654", string(appendFraction(nil, at, 6)))
}

func TestOptionNumberTypes(t *testing.T) {
	tests := []struct {
		name  string
		value any
		ok    bool
	}{
		{name: "int", value: 30, ok: true},
		{name: "int64", value: int64(30), ok: true},
		{name: "uint32", value: uint32(30), ok: true},
		{name: "float64 whole", value: 30.0, ok: true}, // YAML and JSON decoders give float64
		{name: "float32 whole", value: float32(30), ok: true},
		{name: "numeric string", value: " 30 ", ok: true}, // the command line gives strings
		{name: "bool", value: true, ok: false},
		{name: "float64 fraction", value: 30.5, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New("bike", map[string]any{"stations": tt.value}, 1)
			if !tt.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, g.(*bikeGenerator).stations, 30)
		})
	}
}
