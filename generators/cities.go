package generators

import (
	"math"
	"strings"
)

// city is a bounding box that every generated coordinate stays inside.
type city struct {
	name                           string
	minLat, maxLat, minLon, maxLon float64
}

// cities are central boxes of cities with real bike-sharing schemes (Citi
// Bike, Santander Cycles, Vélib', Bicing, Docomo, Bay Wheels, ...).
var cities = []city{
	{name: "New York", minLat: 40.680, maxLat: 40.820, minLon: -74.020, maxLon: -73.930},
	{name: "London", minLat: 51.470, maxLat: 51.550, minLon: -0.200, maxLon: -0.030},
	{name: "Paris", minLat: 48.815, maxLat: 48.902, minLon: 2.255, maxLon: 2.415},
	{name: "Berlin", minLat: 52.470, maxLat: 52.560, minLon: 13.300, maxLon: 13.480},
	{name: "Barcelona", minLat: 41.360, maxLat: 41.440, minLon: 2.120, maxLon: 2.220},
	{name: "Tokyo", minLat: 35.640, maxLat: 35.720, minLon: 139.690, maxLon: 139.800},
	{name: "San Francisco", minLat: 37.740, maxLat: 37.810, minLon: -122.480, maxLon: -122.390},
}

func cityNames() []string {
	names := make([]string, len(cities))
	for i, c := range cities {
		names[i] = c.name
	}
	return names
}

func lookupCity(name string) (city, bool) {
	for _, c := range cities {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return city{}, false
}

// contains reports whether the point lies inside the box.
func (c city) contains(lat, lon float64) bool {
	return c.minLat <= lat && lat <= c.maxLat && c.minLon <= lon && lon <= c.maxLon
}

// clamp moves a point onto the box if it strayed outside.
func (c city) clamp(lat, lon float64) (float64, float64) {
	return min(max(lat, c.minLat), c.maxLat), min(max(lon, c.minLon), c.maxLon)
}

const metersPerDegreeLat = 111_320.0

// metersPerDegreeLon is the length of one degree of longitude at the box's
// middle latitude (an equirectangular approximation, exact enough inside a city).
func (c city) metersPerDegreeLon() float64 {
	return metersPerDegreeLat * math.Cos((c.minLat+c.maxLat)/2*math.Pi/180)
}
