// Package generators makes the records kinesim sends: domain generators
// (bike-sharing telemetry, logs, clickstream, video-fragment metadata) and
// partition key choosers (a record field, random, uniform, Zipf, hot key).
//
// Generators are deterministic for a given seed and are NOT safe for
// concurrent use: each producer owns its own generator and key chooser.
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
