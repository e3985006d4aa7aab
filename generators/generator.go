// Package generators makes the records kinesim sends: domain generators
// (bike-sharing telemetry, logs, clickstream, video-fragment metadata) and
// partition key choosers (a record field, random, uniform, Zipf, hot key).
//
// Generators are deterministic for a given seed and are NOT safe for
// concurrent use: each producer owns its own generator and key chooser.
//
// # Making generators
//
// New(kind, options, seed) builds a generator from a scenario's
// `generator:` and `options:`; Kinds lists the kinds and OptionSpecs their
// options. Fake entities (stations, bikes, ...) are made once, at New, with
// gofakeit seeded from the seed; each record is then appended by hand with
// strconv.Append*, without reflection or allocation, so a record costs a
// few hundred nanoseconds.
//
// # Kinds
//
//   - bike: a bike-sharing fleet (stations and bikes in one of several
//     cities) whose trips make bike_checked_out, bike_location GPS pings
//     along a street-grid route, and bike_returned events, among
//     station_status reports and occasional bike_fault events. JSON.
//   - logs: Apache Common or Combined access lines, RFC 3164 or RFC 5424
//     syslog lines, or JSON application logs, with a realistic status and
//     level mix and an optional error burst window.
//   - clickstream: shop sessions moving down a funnel (page_view →
//     product_view → add_to_cart → checkout → purchase) with drop-off at each
//     step and Zipf product popularity. JSON.
//   - video-metadata: Kinesis Video Streams fragment metadata per camera
//     (FragmentNumber increasing per stream, producer and server
//     timestamps, size = bitrate × length) with object detection events. JSON.
//
// Every kind takes record_size (see RecordSizeOption) to pad or trim its
// records to a size or a size distribution.
//
// # Record metadata
//
// Every record carries its record id (Meta.Producer, a dash, Meta.ID, e.g.
// "bikes-42") and its intended send time (Meta.Intended in Unix
// microseconds), so that consumers can measure end-to-end latency and find
// duplicates, losses and reordering. They are reserved fields that leave the
// domain payload as it is:
//
//   - JSON kinds begin every object with two reserved fields:
//     {"kinesim_id":"bikes-42","kinesim_sent_us":1732590000123456,...}
//   - Text kinds whose grammar has a free token carry
//     kinesim:bikes-42:1732590000123456 there (an Apache log's ident field,
//     a syslog message).
//   - RFC 5424 syslog lines carry a structured-data element:
//     [kinesim@32473 id="bikes-42" sent_us="1732590000123456"].
//
// In the id, producer-name bytes outside [A-Za-z0-9._-] are written as '_',
// so no form ever needs quoting. ParseMeta reads every form back without
// decoding the record.
//
// # Partition keys
//
// NewKeyChooser turns a scenario's partition_key into a KeyChooser: a field
// of the record (the generator's KeyFields), random, uniform over N keys,
// Zipf(s) over N keys (any s > 0) or one hot key with a share of the
// traffic. Every key is a precomputed string: choosing one does not allocate.
package generators

import "time"

// Meta is what the runner tells a generator about the record it asks for.
// Generators embed ID, Producer and Intended into the payload so consumers
// can read them back (see ParseMeta).
type Meta struct {
	// Producer names the producer making the record.
	Producer string
	// ID is unique and increasing within the producer.
	ID uint64
	// Intended is the record's intended send time from the rate schedule.
	Intended time.Time
}

// Generator makes one kind of record.
type Generator interface {
	// Kind names the generator, e.g. "bike".
	Kind() string
	// KeyFields names the record fields usable as partition keys ({field: NAME}).
	KeyFields() []string
	// Next appends the next record's payload to dst and returns the extended slice.
	Next(dst []byte, m Meta) []byte
	// KeyField returns the value of KeyFields()[i] for the record Next made last.
	KeyField(i int) string
}
