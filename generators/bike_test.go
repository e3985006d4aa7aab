package generators

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
)

// testStart is the intended send time of the first record in tests.
var testStart = time.Date(2024, 11, 26, 8, 0, 0, 0, time.UTC)

// generate makes n records of a kind, one every millisecond from testStart.
func generate(t testing.TB, kindName string, opts map[string]any, seed int64, n int) [][]byte {
	t.Helper()
	g, err := New(kindName, opts, seed)
	require.NoError(t, err)
	records := make([][]byte, n)
	for i := range records {
		records[i] = g.Next(nil, Meta{Producer: "p", ID: uint64(i), Intended: testStart.Add(time.Duration(i) * time.Millisecond)})
	}
	return records
}

func TestBikeRecordsAreJSONWithTheirFields(t *testing.T) {
	want := map[string][]string{
		BikeCheckedOut:    {"bike_id", "station_id", "trip_id", "rider_id", "lat", "lon", "bikes_available", "docks_available"},
		BikeLocation:      {"bike_id", "station_id", "trip_id", "lat", "lon", "speed_kmh", "elapsed_s"},
		BikeReturned:      {"bike_id", "station_id", "trip_id", "duration_s", "distance_m", "bikes_available", "docks_available"},
		BikeStationStatus: {"station_id", "station_name", "address", "capacity", "bikes_available", "docks_available"},
		BikeFault:         {"bike_id", "station_id", "fault_code", "severity"},
	}
	seen := map[string]int{}
	for i, rec := range generate(t, "bike", map[string]any{"stations": 50, "bikes": 400}, 7, 20_000) {
		var fields map[string]any
		require.NoError(t, json.Unmarshal(rec, &fields), "record %d: %s", i, rec)
		event, _ := fields["event_type"].(string)
		require.Contains(t, want, event, "record %d: %s", i, rec)
		seen[event]++
		for _, f := range append([]string{"kinesim_id", "kinesim_sent_us", "ts", "city"}, want[event]...) {
			require.Contains(t, fields, f, "record %d (%s) lacks %s: %s", i, event, f, rec)
		}
	}
	for event := range want {
		assert.Positive(t, seen[event], "no %s in 20,000 records", event)
	}
}

func TestBikeTripsAreConsistent(t *testing.T) {
	c, ok := lookupCity("Berlin")
	require.True(t, ok)
	type tripState struct {
		bike, dest string
		pings      int
	}
	trips := map[string]*tripState{}
	riding := map[string]string{} // bike → trip
	for i, rec := range generate(t, "bike", map[string]any{"city": "berlin", "stations": 40, "bikes": 300, "ping_interval": "5s"}, 11, 50_000) {
		var e struct {
			Event   string   `json:"event_type"`
			Bike    string   `json:"bike_id"`
			Station string   `json:"station_id"`
			Trip    string   `json:"trip_id"`
			Dest    string   `json:"destination_station_id"`
			Lat     *float64 `json:"lat"`
			Lon     *float64 `json:"lon"`
		}
		require.NoError(t, json.Unmarshal(rec, &e))
		if e.Lat != nil {
			require.True(t, c.contains(*e.Lat, *e.Lon), "record %d outside Berlin: %s", i, rec)
		}
		switch e.Event {
		case BikeCheckedOut:
			require.NotContains(t, riding, e.Bike, "record %d: %s checked out while riding", i, e.Bike)
			require.NotContains(t, trips, e.Trip, "record %d: trip id reused", i)
			riding[e.Bike] = e.Trip
			trips[e.Trip] = &tripState{bike: e.Bike, dest: e.Dest}
		case BikeLocation:
			tr := trips[e.Trip]
			require.NotNil(t, tr, "record %d: ping of a trip never started: %s", i, rec)
			assert.Equal(t, tr.bike, e.Bike, "record %d: ping bike", i)
			assert.Equal(t, tr.dest, e.Station, "record %d: ping station is the destination", i)
			tr.pings++
		case BikeReturned:
			tr := trips[e.Trip]
			require.NotNil(t, tr, "record %d: return of a trip never started: %s", i, rec)
			require.Equal(t, e.Trip, riding[e.Bike], "record %d: %s returned without being checked out", i, e.Bike)
			assert.Equal(t, tr.dest, e.Station, "record %d: returned at the destination", i)
			delete(riding, e.Bike)
			delete(trips, e.Trip)
		}
	}
	assert.NotEmpty(t, riding, "some trips are under way at the end")
}

func TestBikeSameSeedSameBytes(t *testing.T) {
	tests := []struct {
		name         string
		seedA, seedB int64
		optsA, optsB map[string]any
		wantEqual    bool
	}{
		// The same seed twice makes byte-identical records.
		{name: "same seed", seedA: 42, seedB: 42, wantEqual: true},
		// Seed 0 is a seed like any other (gofakeit's own 0 means random).
		{name: "zero seed", seedA: 0, seedB: 0, wantEqual: true},
		// Another seed makes other records.
		{name: "other seed", seedA: 42, seedB: 43, wantEqual: false},
		// Options given as YAML floats and as strings mean the same.
		{name: "same seed, float options", seedA: 5, seedB: 5, wantEqual: true,
			optsA: map[string]any{"stations": 20.0, "bikes": "100"}, optsB: map[string]any{"stations": 20, "bikes": 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := generate(t, "bike", tt.optsA, tt.seedA, 3000)
			b := generate(t, "bike", tt.optsB, tt.seedB, 3000)
			assert.Equal(t, tt.wantEqual, equalRecords(a, b), "records equal")
		})
	}
}

func equalRecords(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if string(a[i]) != string(b[i]) {
			return false
		}
	}
	return true
}

func TestBikeOptionErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    map[string]any
		wantErr string
	}{
		// A misspelt option is named, with the allowed ones.
		{name: "unknown option", opts: map[string]any{"statoins": 3}, wantErr: `bike has no option "statoins"; did you mean "stations"? allowed: bikes, city, ping_interval, record_size, stations`},
		// Nothing near: no guess, only the allowed ones.
		{name: "unknown option, nothing near", opts: map[string]any{"colour": "red"}, wantErr: `bike has no option "colour"; allowed: bikes,`},
		// An unknown city lists the cities.
		{name: "unknown city", opts: map[string]any{"city": "Atlantis"}, wantErr: `option "city": got "Atlantis", want one of New York, London, Paris, Berlin, Barcelona, Tokyo, San Francisco`},
		// A fractional count is not an integer.
		{name: "fractional stations", opts: map[string]any{"stations": 2.5}, wantErr: `option "stations": got 2.5 (float64), want an integer in [2, 100000]`},
		// A count below the minimum.
		{name: "too few stations", opts: map[string]any{"stations": 1}, wantErr: `want an integer in [2, 100000]`},
		// A word is not a number.
		{name: "bikes not a number", opts: map[string]any{"bikes": "many"}, wantErr: `option "bikes": got "many", want an integer`},
		// A bare number is not a duration.
		{name: "ping interval without unit", opts: map[string]any{"ping_interval": 10}, wantErr: `option "ping_interval": got 10 (int), want a duration such as "10s"`},
		// A list is not a string.
		{name: "city of wrong type", opts: map[string]any{"city": []any{"Paris"}}, wantErr: `option "city": got [Paris] ([]interface {})`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("bike", tt.opts, 1)
			require.Error(t, err)
			var optErr *OptionError
			assert.ErrorAs(t, err, &optErr)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestNewUnknownKind(t *testing.T) {
	_, err := New("bicycle", nil, 1)
	require.ErrorIs(t, err, ErrUnknownKind)
	assert.Contains(t, err.Error(), `"bicycle"; allowed: bike`)
}

// BenchmarkBike is one bike record and its partition key, as a producer
// makes them (dst reused). Issue #4 targets ≤ 1 µs and ≤ 2 allocations.
func BenchmarkBike(b *testing.B) {
	benchmarkGenerator(b, "bike", nil, scenarios.KeySpec{Field: "bike_id"})
}
