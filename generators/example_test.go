package generators_test

import (
	"fmt"
	"time"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/scenarios"
)

// A producer makes each record with Next, then asks its key chooser for the
// record's partition key.
func ExampleNew() {
	g, err := generators.New("bike", map[string]any{"city": "Paris", "stations": 50, "bikes": 400}, 42)
	if err != nil {
		panic(err)
	}
	keys, err := generators.NewKeyChooser(scenarios.KeySpec{Field: "station_id"}, g, 42)
	if err != nil {
		panic(err)
	}
	start := time.Date(2024, 11, 26, 8, 0, 0, 0, time.UTC)
	var record []byte
	for i := range 2 {
		record = g.Next(record[:0], generators.Meta{Producer: "bikes", ID: uint64(i + 1), Intended: start.Add(time.Duration(i) * time.Millisecond)})
		fmt.Printf("%s %s\n", keys.Key(), record)
	}
	// Output:
	// st-0011 {"kinesim_id":"bikes-1","kinesim_sent_us":1732608000000000,"event_type":"bike_checked_out","ts":"2024-11-26T08:00:00.000Z","city":"Paris","bike_id":"bike-0183","bike_type":"classic","station_id":"st-0011","station_name":"Lake & Square","lat":48.844428,"lon":2.316914,"trip_id":"trip-1","rider_id":"r-641","plan":"member","destination_station_id":"st-0047","bikes_available":7,"docks_available":37}
	// st-0047 {"kinesim_id":"bikes-2","kinesim_sent_us":1732608000001000,"event_type":"bike_location","ts":"2024-11-26T08:00:00.001Z","city":"Paris","bike_id":"bike-0183","bike_type":"classic","trip_id":"trip-1","station_id":"st-0047","lat":48.844073,"lon":2.316879,"speed_kmh":13.6,"elapsed_s":10.0}
}

func ExampleNew_logs() {
	for _, format := range []string{"apache_combined", "rfc3164", "rfc5424", "json"} {
		g, err := generators.New("logs", map[string]any{"format": format}, 1)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s\n", g.Next(nil, generators.Meta{Producer: "web", ID: 1, Intended: time.Date(2024, 11, 26, 8, 0, 0, 0, time.UTC)}))
	}
	// Output:
	// 80.101.112.207 kinesim:web-1:1732608000000000 benton113 [26/Nov/2024:08:00:00 +0000] "GET /healthz HTTP/1.1" 200 4342 "http://www.vicefrictionless.com/seize/architectures" "Mozilla/5.0 (Macintosh; PPC Mac OS X 10_5_5) AppleWebKit/5322 (KHTML, like Gecko) Chrome/38.0.830.0 Mobile Safari/5322"
	// <134>Nov 26 08:00:00 web-11 inventory[14788]: INFO request completed method=GET path=/healthz status=200 latency_ms=25.2 kinesim:web-1:1732608000000000
	// <134>1 2024-11-26T08:00:00.000000Z web-11.humanpartnerships.info inventory 14788 REQ [kinesim@32473 id="web-1" sent_us="1732608000000000"] INFO request completed method=GET path=/healthz status=200 latency_ms=25.2
	// {"kinesim_id":"web-1","kinesim_sent_us":1732608000000000,"ts":"2024-11-26T08:00:00.000Z","level":"INFO","service":"inventory","host":"web-11.humanpartnerships.info","trace_id":"fb10f19a94614adaf42ebe0dc4ac69b3","span_id":"3c7fd4c2b2400690","client_ip":"80.101.112.207","method":"GET","path":"/healthz","status":200,"latency_ms":25.180,"bytes":4342,"user_agent":"Mozilla/5.0 (Macintosh; PPC Mac OS X 10_5_5) AppleWebKit/5322 (KHTML, like Gecko) Chrome/38.0.830.0 Mobile Safari/5322","message":"request completed"}
}

func ExampleNew_clickstreamAndVideo() {
	for _, kind := range []string{"clickstream", "video-metadata"} {
		g, err := generators.New(kind, nil, 1)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s\n", g.Next(nil, generators.Meta{Producer: kind, ID: 1, Intended: time.Date(2024, 11, 26, 8, 0, 0, 0, time.UTC)}))
	}
	// Output:
	// {"kinesim_id":"clickstream-1","kinesim_sent_us":1732608000000000,"event_type":"page_view","ts":"2024-11-26T08:00:00.000Z","session_id":"s-7e","seq":1,"user_id":"u-108323","device":"mobile","user_agent":"Mozilla/5.0 (Windows NT 6.2; en-US; rv:1.9.3.20) Gecko/1988-12-11 Firefox/37.0","country":"GU","city":"Washington","page":"/category/craft-and-diy-supplies","referrer":"https://duckduckgo.com/"}
	// {"kinesim_id":"video-metadata-1","kinesim_sent_us":1732608000000000,"record_type":"fragment","camera_id":"cam-0027","StreamName":"metlife-rubbish-0027","StreamARN":"arn:aws:kinesisvideo:us-west-2:146276005875:stream/metlife-rubbish-0027/1707237297972","site":"metlife","FragmentNumber":"59405343266813324224648144666084846000000000001","FragmentSizeInBytes":823816,"ProducerTimestamp":"2024-11-26T07:59:57.971Z","ServerTimestamp":"2024-11-26T07:59:58.219Z","FragmentLengthInMilliseconds":2000,"detections":0}
}

// A consumer reads the record id and intended send time back from any
// kind's records without decoding them.
func ExampleParseMeta() {
	id, sent, ok := generators.ParseMeta([]byte(`{"kinesim_id":"bikes-42","kinesim_sent_us":1732608000123456,"event_type":"bike_returned"}`))
	fmt.Println(id, sent.UTC().Format(time.RFC3339Nano), ok)
	id, sent, ok = generators.ParseMeta([]byte(`<134>1 2024-11-26T08:00:00.123456Z web-01 checkout 812 REQ [kinesim@32473 id="web-7" sent_us="1732608000123456"] INFO request completed`))
	fmt.Println(id, sent.UTC().Format(time.RFC3339Nano), ok)
	// Output:
	// bikes-42 2024-11-26T08:00:00.123456Z true
	// web-7 2024-11-26T08:00:00.123456Z true
}

// A record_size option pads (or trims) every kind's records.
func ExampleNew_recordSize() {
	g, err := generators.New("bike", map[string]any{"record_size": "1KiB"}, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(g.Next(nil, generators.Meta{Producer: "bikes", ID: 1})))
	// Output: 1024
}
