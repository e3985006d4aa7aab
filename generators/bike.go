package generators

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

// Bike event types.
const (
	BikeCheckedOut    = "bike_checked_out"
	BikeLocation      = "bike_location"
	BikeReturned      = "bike_returned"
	BikeStationStatus = "station_status"
	BikeFault         = "bike_fault"
)

var bikeKind = kind{
	name: "bike",
	doc:  "SmartCity bike-sharing telemetry: trips (checkout, GPS pings, return), station status, faults; JSON",
	options: []OptionSpec{
		{Name: "city", Type: OptionString, Default: "New York", Doc: "city whose bounding box holds the stations", Allowed: cityNames()},
		{Name: "stations", Type: OptionInt, Default: 300, Doc: "number of docking stations", Min: 2, Max: 100_000},
		{Name: "bikes", Type: OptionInt, Default: 5000, Doc: "number of bikes in the fleet", Min: 1, Max: 1_000_000},
		{Name: "ping_interval", Type: OptionDuration, Default: "10s", Doc: "time between a riding bike's GPS pings", Min: float64(100 * time.Millisecond), Max: float64(time.Hour)},
	},
	build: func(o options, seed int64) (Generator, error) {
		c, _ := lookupCity(o.str("city")) // decodeOptions checked Allowed
		return newBikeGenerator(c, o.int("stations"), o.int("bikes"), o.duration("ping_interval"), seed), nil
	},
}

// Shares of events that are not trip steps.
const (
	bikeStatusShare = 0.04
	bikeFaultShare  = 0.004
	// bikeRidingShare is the share of the fleet riding at once in the steady state.
	bikeRidingShare = 0.15
)

var (
	bikeFaultCodes = []string{"flat_tire", "brake_wear", "chain_slip", "battery_low", "lock_jammed", "display_error", "bell_missing"}
	bikeSeverities = []string{"low", "low", "medium", "medium", "high", "critical"}
	bikeRiderPlans = []string{`"member"`, `"member"`, `"member"`, `"casual"`, `"day_pass"`}
)

type bikeStation struct {
	id       string
	json     string // ,"station_id":"…","station_name":"…","lat":…,"lon":…
	address  string // JSON-quoted
	lat, lon float64
	capacity int
	docked   []int32 // bikes in the docks
	incoming int     // docks reserved by riding bikes headed here
}

func (s *bikeStation) freeDocks() int { return s.capacity - len(s.docked) - s.incoming }

type bike struct {
	id       string
	electric bool
	battery  float64 // percent, electric bikes only
	station  int32   // docked at, or -1 while riding
}

type bikeTrip struct {
	id       uint64
	bike     int32
	from, to int32
	// The route runs from the origin along the latitude to a corner, then
	// along the longitude to the destination, as streets on a grid do.
	cornerLat, cornerLon float64
	leg1, length         float64 // meters
	speed                float64 // km/h
	pings, ping          int
	rider                uint64
}

type bikeGenerator struct {
	city         city
	cityJSON     string
	mPerDegLon   float64
	pingInterval time.Duration
	stations     []bikeStation
	popularity   []float64 // cumulative station weights, for picking trip ends
	bikes        []bike
	trips        []bikeTrip
	maxRiding    int
	nextTrip     uint64

	rng   *rand.Rand
	meta  metaWriter
	clock clockFormatter

	recordKeys
}

// The bike kind's key fields, by index. bike_id of a station_status event,
// which has no bike, is the station's id; station_id is the station of the
// event (a riding bike's destination for pings and faults).
const (
	bikeKeyBike = iota
	bikeKeyStation
	bikeKeyEvent
)

var (
	_ Generator = (*bikeGenerator)(nil)
	_ resizable = (*bikeGenerator)(nil)
)

// newBikeGenerator builds the fleet once: stations with gofakeit names and
// addresses at seeded positions inside the city, bikes docked among them.
func newBikeGenerator(c city, stations, bikes int, pingInterval time.Duration, seed int64) *bikeGenerator {
	fleet := newRand(seed, "bike/fleet")
	faker := gofakeit.NewFaker(newPCG(seed, "bike/names"), false)
	g := &bikeGenerator{
		city:         c,
		cityJSON:     `,"city":` + jsonString(c.name),
		mPerDegLon:   c.metersPerDegreeLon(),
		pingInterval: pingInterval,
		stations:     make([]bikeStation, stations),
		popularity:   make([]float64, stations),
		bikes:        make([]bike, bikes),
		maxRiding:    max(1, int(float64(bikes)*bikeRidingShare)),
		rng:          newRand(seed, "bike/events"),
		recordKeys:   newRecordKeys("bike_id", "station_id", "event_type"),
	}
	// Enough docks for every bike and room to return them.
	minCapacity := (bikes*13/10 + stations - 1) / stations
	names := make(map[string]bool, stations)
	total := 0.0
	for i := range g.stations {
		s := &g.stations[i]
		name := faker.StreetName() + " & " + faker.StreetName()
		for n := 2; names[name]; n++ {
			name = faker.StreetName() + " & " + faker.StreetName() + " " + strconv.Itoa(n)
		}
		names[name] = true
		s.id = "st-" + pad4(i+1)
		s.lat = c.minLat + fleet.Float64()*(c.maxLat-c.minLat)
		s.lon = c.minLon + fleet.Float64()*(c.maxLon-c.minLon)
		s.address = jsonString(faker.Street() + ", " + c.name + " " + faker.Zip())
		s.capacity = max(minCapacity, 15+fleet.IntN(31))
		frag := append([]byte(`,"station_id":"`), s.id...)
		frag = append(frag, `","station_name":`...)
		frag = appendJSONString(frag, name)
		frag = append(frag, `,"lat":`...)
		frag = appendFixed(frag, s.lat, 6)
		frag = append(frag, `,"lon":`...)
		frag = appendFixed(frag, s.lon, 6)
		s.json = string(frag)
		// A few stations (a transit hub, a park) are far busier than most.
		total += math.Exp(fleet.NormFloat64())
		g.popularity[i] = total
	}
	for i := range g.popularity {
		g.popularity[i] /= total
	}
	for i := range g.bikes {
		b := &g.bikes[i]
		b.id = "bike-" + pad4(i+1)
		b.electric = fleet.Float64() < 0.3
		if b.electric {
			b.battery = 20 + fleet.Float64()*80
		}
		s := fleet.IntN(stations)
		for len(g.stations[s].docked) >= g.stations[s].capacity {
			s = (s + 1) % stations
		}
		b.station = int32(s)
		g.stations[s].docked = append(g.stations[s].docked, int32(i))
	}
	return g
}

// pad4 formats n with at least four digits.
func pad4(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

func (g *bikeGenerator) resizer() resizer { return jsonResizer{} }

func (g *bikeGenerator) Kind() string { return "bike" }

// Next appends one event: a station status or a fault now and then, and
// otherwise the next step of a trip (a checkout, a ping, a return).
func (g *bikeGenerator) Next(dst []byte, m Meta) []byte {
	u := g.rng.Float64()
	switch {
	case u < bikeStatusShare:
		return g.stationStatus(dst, m, g.popularStation())
	case u < bikeStatusShare+bikeFaultShare:
		return g.fault(dst, m)
	}
	if len(g.trips) < g.maxRiding && (len(g.trips) == 0 || g.rng.IntN(2) == 0) {
		if out, ok := g.checkOut(dst, m); ok {
			return out
		}
	}
	if len(g.trips) == 0 { // every dock full or every bike out: report a station
		return g.stationStatus(dst, m, g.popularStation())
	}
	t := g.rng.IntN(len(g.trips))
	if g.trips[t].ping < g.trips[t].pings {
		return g.location(dst, m, t)
	}
	return g.returnBike(dst, m, t)
}

// popularStation draws a station by popularity.
func (g *bikeGenerator) popularStation() int {
	return searchCDF(g.popularity, g.rng.Float64())
}

// begin writes the fields every event starts with.
func (g *bikeGenerator) begin(dst []byte, m Meta, event string) []byte {
	g.values[bikeKeyEvent] = event
	dst = g.meta.appendJSON(dst, m)
	dst = append(dst, `,"event_type":"`...)
	dst = append(dst, event...)
	dst = append(dst, `","ts":"`...)
	dst = g.clock.appendISOMillis(dst, m.Intended)
	dst = append(dst, '"')
	return append(dst, g.cityJSON...)
}

func (g *bikeGenerator) appendBike(dst []byte, b *bike) []byte {
	g.values[bikeKeyBike] = b.id
	dst = append(dst, `,"bike_id":"`...)
	dst = append(dst, b.id...)
	if b.electric {
		dst = append(dst, `","bike_type":"electric","battery_pct":`...)
		return strconv.AppendInt(dst, int64(b.battery), 10)
	}
	return append(dst, `","bike_type":"classic"`...)
}

func (g *bikeGenerator) appendStation(dst []byte, s int) []byte {
	st := &g.stations[s]
	g.values[bikeKeyStation] = st.id
	return append(dst, st.json...)
}

func appendAvailability(dst []byte, st *bikeStation) []byte {
	dst = append(dst, `,"bikes_available":`...)
	dst = strconv.AppendInt(dst, int64(len(st.docked)), 10)
	dst = append(dst, `,"docks_available":`...)
	return strconv.AppendInt(dst, int64(st.capacity-len(st.docked)), 10)
}

func appendTripID(dst []byte, id uint64) []byte {
	dst = append(dst, `,"trip_id":"trip-`...)
	dst = strconv.AppendUint(dst, id, 10)
	return append(dst, '"')
}

func (g *bikeGenerator) stationStatus(dst []byte, m Meta, s int) []byte {
	st := &g.stations[s]
	dst = g.begin(dst, m, BikeStationStatus)
	dst = g.appendStation(dst, s)
	// No bike is involved; a partition key must not be empty, so the
	// bike_id key of a station event is the station's id.
	g.values[bikeKeyBike] = st.id
	dst = append(dst, `,"address":`...)
	dst = append(dst, st.address...)
	dst = append(dst, `,"capacity":`...)
	dst = strconv.AppendInt(dst, int64(st.capacity), 10)
	dst = appendAvailability(dst, st)
	dst = append(dst, `,"docks_reserved":`...)
	dst = strconv.AppendInt(dst, int64(st.incoming), 10)
	return append(dst, `,"is_renting":true}`...)
}

// checkOut starts a trip from a popular station that has a bike to one with
// a free dock at a plausible riding distance. ok is false when no trip can
// start (no bike docked or no dock free where it was looked for).
func (g *bikeGenerator) checkOut(dst []byte, m Meta) ([]byte, bool) {
	from := -1
	for range 8 {
		if s := g.popularStation(); len(g.stations[s].docked) > 0 {
			from = s
			break
		}
	}
	if from < 0 {
		return dst, false
	}
	to, length := g.destination(from)
	if to < 0 {
		return dst, false
	}
	origin, dest := &g.stations[from], &g.stations[to]
	k := g.rng.IntN(len(origin.docked))
	b := origin.docked[k]
	origin.docked[k] = origin.docked[len(origin.docked)-1]
	origin.docked = origin.docked[:len(origin.docked)-1]
	dest.incoming++
	g.bikes[b].station = -1
	g.nextTrip++
	speed := 10 + g.rng.Float64()*10
	if g.bikes[b].electric {
		speed += 4
	}
	leg1 := math.Abs(dest.lat-origin.lat) * metersPerDegreeLat
	stepMeters := speed / 3.6 * g.pingInterval.Seconds()
	t := bikeTrip{
		id: g.nextTrip, bike: b, from: int32(from), to: int32(to),
		cornerLat: dest.lat, cornerLon: origin.lon,
		leg1: leg1, length: length, speed: speed,
		pings: int(length / stepMeters),
		rider: uint64(g.rng.IntN(10 * len(g.bikes))),
	}
	g.trips = append(g.trips, t)

	dst = g.begin(dst, m, BikeCheckedOut)
	dst = g.appendBike(dst, &g.bikes[b])
	dst = g.appendStation(dst, from)
	dst = appendTripID(dst, t.id)
	dst = append(dst, `,"rider_id":"r-`...)
	dst = strconv.AppendUint(dst, t.rider, 10)
	dst = append(dst, `","plan":`...)
	dst = append(dst, pick(g.rng, bikeRiderPlans)...)
	dst = append(dst, `,"destination_station_id":"`...)
	dst = append(dst, dest.id...)
	dst = append(dst, '"')
	dst = appendAvailability(dst, origin)
	return append(dst, '}'), true
}

// destination picks, among a few stations drawn by popularity that have a
// free dock, the one whose route length is nearest a drawn trip length
// (log-normal, median 2 km). It returns -1 when none of them has a dock.
func (g *bikeGenerator) destination(from int) (int, float64) {
	want := 2000 * math.Exp(0.6*g.rng.NormFloat64())
	best, bestLength, bestGap := -1, 0.0, math.Inf(1)
	for range 8 {
		s := g.popularStation()
		if s == from || g.stations[s].freeDocks() <= 0 {
			continue
		}
		length := g.routeLength(from, s)
		if gap := math.Abs(length - want); gap < bestGap {
			best, bestLength, bestGap = s, length, gap
		}
	}
	return best, bestLength
}

func (g *bikeGenerator) routeLength(from, to int) float64 {
	a, b := &g.stations[from], &g.stations[to]
	return math.Abs(b.lat-a.lat)*metersPerDegreeLat + math.Abs(b.lon-a.lon)*g.mPerDegLon
}

// position returns the point at distance d along the trip's route, with a
// few meters of GPS noise, inside the city.
func (g *bikeGenerator) position(t *bikeTrip, d float64) (lat, lon float64) {
	origin, dest := &g.stations[t.from], &g.stations[t.to]
	if d <= t.leg1 && t.leg1 > 0 {
		f := d / t.leg1
		lat, lon = origin.lat+f*(t.cornerLat-origin.lat), origin.lon
	} else {
		leg2 := t.length - t.leg1
		f := 1.0
		if leg2 > 0 {
			f = (d - t.leg1) / leg2
		}
		lat, lon = t.cornerLat, t.cornerLon+f*(dest.lon-t.cornerLon)
	}
	const noise = 4 / metersPerDegreeLat // about 4 m
	lat += (g.rng.Float64()*2 - 1) * noise
	lon += (g.rng.Float64()*2 - 1) * noise
	return g.city.clamp(lat, lon)
}

func (g *bikeGenerator) location(dst []byte, m Meta, i int) []byte {
	t := &g.trips[i]
	t.ping++
	elapsed := float64(t.ping) * g.pingInterval.Seconds()
	b := &g.bikes[t.bike]
	if b.electric {
		b.battery = max(0, b.battery-0.01*g.pingInterval.Seconds())
	}
	dst = g.begin(dst, m, BikeLocation)
	dst = g.appendBike(dst, b)
	dst = g.appendRiding(dst, t, t.speed/3.6*elapsed)
	dst = append(dst, `,"speed_kmh":`...)
	dst = appendFixed(dst, t.speed*(0.85+0.3*g.rng.Float64()), 1)
	dst = append(dst, `,"elapsed_s":`...)
	dst = appendFixed(dst, elapsed, 1)
	return append(dst, '}')
}

// appendRiding appends a riding bike's trip, destination station and
// position after distance meters of its route.
func (g *bikeGenerator) appendRiding(dst []byte, t *bikeTrip, distance float64) []byte {
	lat, lon := g.position(t, distance)
	dest := &g.stations[t.to]
	g.values[bikeKeyStation] = dest.id
	dst = appendTripID(dst, t.id)
	dst = append(dst, `,"station_id":"`...)
	dst = append(dst, dest.id...)
	dst = append(dst, `","lat":`...)
	dst = appendFixed(dst, lat, 6)
	dst = append(dst, `,"lon":`...)
	return appendFixed(dst, lon, 6)
}

func (g *bikeGenerator) returnBike(dst []byte, m Meta, i int) []byte {
	t := g.trips[i]
	g.trips[i] = g.trips[len(g.trips)-1]
	g.trips = g.trips[:len(g.trips)-1]
	dest := &g.stations[t.to]
	dest.incoming--
	dest.docked = append(dest.docked, t.bike)
	b := &g.bikes[t.bike]
	b.station = t.to
	duration := t.length / (t.speed / 3.6)

	dst = g.begin(dst, m, BikeReturned)
	dst = g.appendBike(dst, b)
	dst = g.appendStation(dst, int(t.to))
	dst = appendTripID(dst, t.id)
	dst = append(dst, `,"duration_s":`...)
	dst = strconv.AppendInt(dst, int64(duration), 10)
	dst = append(dst, `,"distance_m":`...)
	dst = strconv.AppendInt(dst, int64(t.length), 10)
	dst = appendAvailability(dst, dest)
	return append(dst, '}')
}

// fault reports a problem with a random bike, docked or riding.
func (g *bikeGenerator) fault(dst []byte, m Meta) []byte {
	bi := g.rng.IntN(len(g.bikes))
	b := &g.bikes[bi]
	dst = g.begin(dst, m, BikeFault)
	dst = g.appendBike(dst, b)
	if b.station >= 0 {
		dst = g.appendStation(dst, int(b.station))
	} else {
		t := g.tripOf(int32(bi))
		dst = g.appendRiding(dst, t, t.speed/3.6*float64(t.ping)*g.pingInterval.Seconds())
	}
	dst = append(dst, `,"fault_code":"`...)
	dst = append(dst, pick(g.rng, bikeFaultCodes)...)
	dst = append(dst, `","severity":"`...)
	dst = append(dst, pick(g.rng, bikeSeverities)...)
	return append(dst, `"}`...)
}

// tripOf finds the trip of a riding bike (a linear scan: faults are rare).
func (g *bikeGenerator) tripOf(b int32) *bikeTrip {
	for i := range g.trips {
		if g.trips[i].bike == b {
			return &g.trips[i]
		}
	}
	panic("generators: riding bike without a trip")
}
