package generators

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
)

func scenariosFieldSpec(field string) scenarios.KeySpec { return scenarios.KeySpec{Field: field} }

func TestKeyShares(t *testing.T) {
	const draws = 200_000
	zipfShare := func(n int, s float64, rank int) float64 { // exact probability of key-rank
		total := 0.0
		for k := 1; k <= n; k++ {
			total += math.Pow(float64(k), -s)
		}
		return math.Pow(float64(rank+1), -s) / total
	}
	tests := []struct {
		name      string
		spec      scenarios.KeySpec
		wantKeys  int                // distinct keys seen (0: do not check)
		wantShare map[string]float64 // key → expected share of draws
	}{
		// Zipf with s < 1, which math/rand/v2 cannot draw.
		{name: "zipf s=0.8", spec: scenarios.KeySpec{Zipf: &scenarios.ZipfKeys{Keys: 300, S: 0.8}},
			wantShare: map[string]float64{"key-0": zipfShare(300, 0.8, 0), "key-1": zipfShare(300, 0.8, 1), "key-9": zipfShare(300, 0.8, 9)}},
		// Zipf with s = 1 exactly.
		{name: "zipf s=1", spec: scenarios.KeySpec{Zipf: &scenarios.ZipfKeys{Keys: 100, S: 1}},
			wantShare: map[string]float64{"key-0": zipfShare(100, 1, 0), "key-4": zipfShare(100, 1, 4)}},
		// Steep Zipf: the top key dominates.
		{name: "zipf s=2", spec: scenarios.KeySpec{Zipf: &scenarios.ZipfKeys{Keys: 50, S: 2}},
			wantShare: map[string]float64{"key-0": zipfShare(50, 2, 0), "key-1": zipfShare(50, 2, 1)}},
		// The hot key takes its share; the rest spread over the other keys.
		{name: "hot 40%", spec: scenarios.KeySpec{Hot: &scenarios.HotKey{Share: 0.4, Keys: 10}},
			wantKeys: 11, wantShare: map[string]float64{HotKeyName: 0.4, "key-3": 0.06}},
		// Hot with the default number of other keys.
		{name: "hot default keys", spec: scenarios.KeySpec{Hot: &scenarios.HotKey{Share: 0.9}},
			wantKeys: DefaultHotKeys + 1, wantShare: map[string]float64{HotKeyName: 0.9}},
		// Uniform keys share evenly.
		{name: "uniform", spec: scenarios.KeySpec{Uniform: &scenarios.KeySet{Keys: 4}},
			wantKeys: 4, wantShare: map[string]float64{"key-0": 0.25, "key-3": 0.25}},
		// Random keys hardly repeat.
		{name: "random", spec: scenarios.KeySpec{Random: true}, wantKeys: 60_000},
	}
	g, err := New("bike", nil, 1)
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kc, err := NewKeyChooser(tt.spec, g, 3)
			require.NoError(t, err)
			counts := map[string]int{}
			for range draws {
				counts[kc.Key()]++
			}
			if tt.wantKeys > 0 && tt.spec.Random {
				assert.GreaterOrEqual(t, len(counts), tt.wantKeys, "distinct random keys")
			} else if tt.wantKeys > 0 {
				assert.Equal(t, tt.wantKeys, len(counts), "distinct keys")
			}
			for key, want := range tt.wantShare {
				got := float64(counts[key]) / draws
				// Four standard deviations of a binomial share, at least 0.2 points.
				tol := max(0.002, 4*math.Sqrt(want*(1-want)/draws))
				assert.InDelta(t, want, got, tol, "share of %s: got %.4f, want %.4f", key, got, want)
			}
		})
	}
}

func TestFieldKeyFollowsRecord(t *testing.T) {
	g, err := New("bike", nil, 9)
	require.NoError(t, err)
	tests := []struct {
		field string
		json  string // the record field the key must equal
	}{
		{field: "bike_id", json: `"bike_id":"`},       // the bike of the event (station id for station_status)
		{field: "station_id", json: `"station_id":"`}, // the station of the event (destination for pings)
		{field: "event_type", json: `"event_type":"`}, // the event type
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			kc, err := NewKeyChooser(scenarios.KeySpec{Field: tt.field}, g, 1)
			require.NoError(t, err)
			for i := range 2000 {
				rec := g.Next(nil, Meta{Producer: "p", ID: uint64(i), Intended: testStart})
				key := kc.Key()
				require.NotEmpty(t, key)
				if tt.field == "bike_id" && !strings.Contains(string(rec), `"bike_id":"`) {
					assert.Contains(t, string(rec), `"station_id":"`+key+`"`, "station event keyed by station")
					continue
				}
				assert.Contains(t, string(rec), tt.json+key+`"`, "record %d", i)
			}
		})
	}
}

func TestKeyChooserErrors(t *testing.T) {
	g, err := New("bike", nil, 1)
	require.NoError(t, err)
	tests := []struct {
		name    string
		spec    scenarios.KeySpec
		wantErr string
	}{
		// A field the generator lacks names the allowed fields.
		{name: "unknown field", spec: scenarios.KeySpec{Field: "rider"}, wantErr: `bike has no field "rider"; allowed: bike_id, station_id, event_type`},
		// Zipf needs s > 0.
		{name: "zipf s=0", spec: scenarios.KeySpec{Zipf: &scenarios.ZipfKeys{Keys: 10}}, wantErr: "zipf wants keys ≥ 1 and s > 0"},
		// Zipf needs keys.
		{name: "zipf no keys", spec: scenarios.KeySpec{Zipf: &scenarios.ZipfKeys{S: 1.1}}, wantErr: "zipf wants keys ≥ 1"},
		// A hot share above 1 is impossible.
		{name: "hot share > 1", spec: scenarios.KeySpec{Hot: &scenarios.HotKey{Share: 1.5}}, wantErr: "hot wants share in (0, 1]"},
		// Uniform needs keys.
		{name: "uniform no keys", spec: scenarios.KeySpec{Uniform: &scenarios.KeySet{}}, wantErr: "uniform.keys is 0"},
		// Two forms at once.
		{name: "two forms", spec: scenarios.KeySpec{Field: "bike_id", Random: true}, wantErr: "set exactly one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewKeyChooser(tt.spec, g, 1)
			require.ErrorIs(t, err, ErrKeySpec)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func BenchmarkZipfKey(b *testing.B) {
	g, err := New("bike", nil, 1)
	require.NoError(b, err)
	kc, err := NewKeyChooser(scenarios.KeySpec{Zipf: &scenarios.ZipfKeys{Keys: 10_000, S: 0.9}}, g, 1)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		_ = kc.Key()
	}
}
