package generators

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

// Video-metadata record types.
const (
	VideoFragment  = "fragment"
	VideoDetection = "detection"
)

var videoKind = kind{
	name: "video-metadata",
	doc:  "Kinesis Video Streams fragment metadata from a camera fleet, with object detection events; JSON",
	options: []OptionSpec{
		{Name: "cameras", Type: OptionInt, Default: 50, Doc: "number of cameras (one video stream each)", Min: 1, Max: 1_000_000},
		{Name: "fragment_length", Type: OptionDuration, Default: "2s", Doc: "length of a fragment (FragmentLengthInMilliseconds)", Min: float64(100 * time.Millisecond), Max: float64(time.Minute)},
		{Name: "bitrate_kbps", Type: OptionInt, Default: 2500, Doc: "mean video bitrate; FragmentSizeInBytes is bitrate × length", Min: 16, Max: 200_000},
		{Name: "detections", Type: OptionFloat, Default: 0.4, Doc: "mean detection events per fragment (an analytics service's output)", Min: 0, Max: 50},
	},
	build: func(o options, seed int64) (Generator, error) {
		return newVideoGenerator(o, seed), nil
	},
}

var videoLabels = []string{"person", "person", "person", "car", "car", "truck", "bicycle", "dog", "forklift", "package", "motorcycle"}

type videoCamera struct {
	id       string
	json     string // ,"camera_id":…,"StreamName":…,"StreamARN":…,"site":…
	prefix   string // the fixed leading digits of its fragment numbers
	bitrate  float64
	fragment uint64        // fragments made so far
	offset   time.Duration // when its first fragment started, after the fleet's start
	pending  int           // detections still to report for the last fragment
	tracks   uint64
}

type videoGenerator struct {
	cameras    []videoCamera
	fragLength time.Duration
	detections float64
	start      time.Time
	started    bool

	rng  *rand.Rand
	meta metaWriter
	// One formatter per timestamp field, each caching its own second.
	producerClock, serverClock, frameClock clockFormatter

	recordKeys
	sites      []string
	cameraSite []int32
}

// The video-metadata kind's key fields, by index: camera_id (one video
// stream each), site, record_type.
const (
	videoKeyCamera = iota
	videoKeySite
	videoKeyType
)

var (
	_ Generator = (*videoGenerator)(nil)
	_ resizable = (*videoGenerator)(nil)
)

// fragmentNumberWidth is the width of the per-camera counter at the end of
// a fragment number, so that numbers of one stream grow in both numeric and
// lexical order, like KVS's 47-digit fragment numbers.
const fragmentNumberWidth = 12

func newVideoGenerator(o options, seed int64) *videoGenerator {
	faker := gofakeit.NewFaker(newPCG(seed, "video/names"), false)
	fleet := newRand(seed, "video/fleet")
	g := &videoGenerator{
		cameras:    make([]videoCamera, o.int("cameras")),
		fragLength: o.duration("fragment_length"),
		detections: o.float("detections"),
		rng:        newRand(seed, "video/events"),
		recordKeys: newRecordKeys("camera_id", "site", "record_type"),
	}
	account := strconv.FormatUint(100000000000+fleet.Uint64()%900000000000, 10)
	region := pick(fleet, []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1"})
	nSites := max(1, len(g.cameras)/8)
	for range nSites {
		g.sites = append(g.sites, slug(faker.Company()))
	}
	for i := range g.cameras {
		c := &g.cameras[i]
		site := fleet.IntN(nSites)
		g.cameraSite = append(g.cameraSite, int32(site))
		c.id = "cam-" + pad4(i+1)
		stream := g.sites[site] + "-" + slug(faker.Noun()) + "-" + pad4(i+1)
		arn := "arn:aws:kinesisvideo:" + region + ":" + account + ":stream/" + stream + "/" + strconv.FormatInt(1700000000000+fleet.Int64N(1e10), 10)
		c.json = `,"camera_id":"` + c.id + `","StreamName":` + jsonString(stream) + `,"StreamARN":` + jsonString(arn) + `,"site":` + jsonString(g.sites[site])
		var prefix []byte
		prefix = append(prefix, byte('1'+fleet.IntN(9)))
		for range 34 {
			prefix = append(prefix, byte('0'+fleet.IntN(10)))
		}
		c.prefix = string(prefix)
		c.bitrate = float64(o.int("bitrate_kbps")) * 1000 * (0.7 + 0.6*fleet.Float64())
		c.offset = time.Duration(fleet.Int64N(int64(g.fragLength)))
	}
	return g
}

func (g *videoGenerator) Kind() string     { return "video-metadata" }
func (g *videoGenerator) resizer() resizer { return jsonResizer{} }

// Next reports, for a random camera, a detection in its last fragment if
// any is pending, or else its next fragment. Each camera's timeline
// advances one fragment length per fragment, so a stream's timestamps and
// fragment numbers always increase; it begins two fragment lengths (less a
// per-camera offset) before the first record, so that a fragment is
// reported after it ends.
func (g *videoGenerator) Next(dst []byte, m Meta) []byte {
	if !g.started {
		// Every camera's first fragment has ended before the first record.
		g.start, g.started = m.Intended.Add(-2*g.fragLength), true
	}
	ci := g.rng.IntN(len(g.cameras))
	c := &g.cameras[ci]
	g.values[videoKeyCamera], g.values[videoKeySite] = c.id, g.sites[g.cameraSite[ci]]
	if c.pending > 0 && c.fragment > 0 {
		c.pending--
		return g.detection(dst, m, c)
	}
	return g.fragment(dst, m, c)
}

func (g *videoGenerator) begin(dst []byte, m Meta, recordType string, c *videoCamera) []byte {
	g.values[videoKeyType] = recordType
	dst = g.meta.appendJSON(dst, m)
	dst = append(dst, `,"record_type":"`...)
	dst = append(dst, recordType...)
	dst = append(dst, '"')
	return append(dst, c.json...)
}

func (g *videoGenerator) appendFragmentNumber(dst []byte, c *videoCamera) []byte {
	dst = append(dst, `,"FragmentNumber":"`...)
	dst = append(dst, c.prefix...)
	var digits [fragmentNumberWidth]byte
	n := c.fragment
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + n%10)
		n /= 10
	}
	dst = append(dst, digits[:]...)
	return append(dst, '"')
}

// fragmentStart is when the camera's current fragment began.
func (g *videoGenerator) fragmentStart(c *videoCamera) time.Time {
	return g.start.Add(c.offset + time.Duration(c.fragment-1)*g.fragLength)
}

func (g *videoGenerator) fragment(dst []byte, m Meta, c *videoCamera) []byte {
	c.fragment++
	// Poisson-distributed detections with the configured mean.
	c.pending = 0
	for limit, p := math.Exp(-g.detections), g.rng.Float64(); p > limit; p *= g.rng.Float64() {
		c.pending++
	}
	producer := g.fragmentStart(c)
	// The server stamps the fragment when its first frame arrives.
	server := producer.Add(time.Duration(20+g.rng.IntN(280)) * time.Millisecond)
	lengthMS := g.fragLength.Milliseconds()
	// Keyframe-heavy fragments run larger; quiet scenes smaller.
	size := c.bitrate / 8 * g.fragLength.Seconds() * (0.8 + 0.4*g.rng.Float64())

	dst = g.begin(dst, m, VideoFragment, c)
	dst = g.appendFragmentNumber(dst, c)
	dst = append(dst, `,"FragmentSizeInBytes":`...)
	dst = strconv.AppendInt(dst, int64(size), 10)
	dst = append(dst, `,"ProducerTimestamp":"`...)
	dst = g.producerClock.appendISOMillis(dst, producer)
	dst = append(dst, `","ServerTimestamp":"`...)
	dst = g.serverClock.appendISOMillis(dst, server)
	dst = append(dst, `","FragmentLengthInMilliseconds":`...)
	dst = strconv.AppendInt(dst, lengthMS, 10)
	dst = append(dst, `,"detections":`...)
	dst = strconv.AppendInt(dst, int64(c.pending), 10)
	return append(dst, '}')
}

func (g *videoGenerator) detection(dst []byte, m Meta, c *videoCamera) []byte {
	offset := time.Duration(g.rng.Int64N(int64(g.fragLength)))
	frameTime := g.fragmentStart(c).Add(offset)
	w := 0.05 + 0.35*g.rng.Float64()
	h := 0.05 + 0.5*g.rng.Float64()
	left := g.rng.Float64() * (1 - w)
	top := g.rng.Float64() * (1 - h)
	c.tracks++

	dst = g.begin(dst, m, VideoDetection, c)
	dst = g.appendFragmentNumber(dst, c)
	dst = append(dst, `,"frame_timestamp":"`...)
	dst = g.frameClock.appendISOMillis(dst, frameTime)
	dst = append(dst, `","frame_offset_ms":`...)
	dst = strconv.AppendInt(dst, offset.Milliseconds(), 10)
	dst = append(dst, `,"label":"`...)
	dst = append(dst, pick(g.rng, videoLabels)...)
	dst = append(dst, `","confidence":`...)
	dst = appendFixed(dst, 0.5+0.5*math.Sqrt(g.rng.Float64()), 3)
	dst = append(dst, `,"bounding_box":{"left":`...)
	dst = appendFixed(dst, left, 4)
	dst = append(dst, `,"top":`...)
	dst = appendFixed(dst, top, 4)
	dst = append(dst, `,"width":`...)
	dst = appendFixed(dst, w, 4)
	dst = append(dst, `,"height":`...)
	dst = appendFixed(dst, h, 4)
	dst = append(dst, `},"track_id":"`...)
	dst = append(dst, c.id...)
	dst = append(dst, '-')
	dst = strconv.AppendUint(dst, c.tracks, 10)
	return append(dst, `"}`...)
}
