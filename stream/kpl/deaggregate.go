package kpl

import (
	"crypto/md5"
	"fmt"
)

// Outcome says what Deaggregate made of one Kinesis record.
type Outcome struct {
	// Aggregated: the record was a valid aggregate (magic, digest and
	// message all good) and its user records were unpacked.
	Aggregated bool
	// Filtered counts the user records dropped because the aggregate held
	// one outside the shard's hash range (see Deaggregate).
	Filtered int
	// Corrupt, when set, matches ErrCorrupt and one of ErrTruncated,
	// ErrDigestMismatch, ErrMalformed, ErrBadKey, ErrEmpty: the record had
	// the magic bytes but was not a good aggregate. The user records
	// Deaggregate returned anyway are those KCL would have delivered.
	Corrupt error
}

// Deaggregate appends to dst the user records that the Kinesis record rec
// carries, and says what it found. It never panics, whatever rec holds, and
// does what KCL's AggregatorUtil.deaggregate does (amazon-kinesis-client
// 2.x, and UserRecord.deaggregate in 1.x):
//
//   - A record without the magic bytes is one user record, passed through
//     whole, sub-sequence number 0, not aggregated.
//   - A record with the magic that is too short for a message and a digest,
//     whose digest does not match, or whose message is not a valid
//     AggregatedRecord, is passed through whole the same way; Outcome.Corrupt
//     says why (KCL only treats it as a plain record).
//   - Otherwise each user record gets its partition key, explicit hash key
//     and data from the message and its index as sub-sequence number.
//   - When a user record's effective hash key (its explicit hash key, else
//     MD5 of its partition key) is outside shard, the whole aggregate is
//     dropped (KCL removes the user records it already emitted and stops):
//     KPL aggregates only records it predicts for one shard and, when the
//     aggregate lands elsewhere because the shard map changed, puts the
//     user records again, so these would be duplicates. Outcome.Filtered
//     counts them. Plain records are never filtered, as in KCL.
//   - A user record that names a missing key table entry, or whose explicit
//     hash key is not a number, ends the aggregate there: the user records
//     before it are kept (KCL logs the exception and goes on to the next
//     Kinesis record) and Outcome.Corrupt says so.
//
// The user records' Data share rec.Data.
func Deaggregate(dst []UserRecord, rec Record, shard HashRange) ([]UserRecord, Outcome) {
	data := rec.Data
	if len(data) < magicLen || [magicLen]byte(data[:magicLen]) != magic {
		return appendPlain(dst, rec), Outcome{}
	}
	if len(data) <= Overhead {
		return appendPlain(dst, rec), Outcome{Corrupt: corrupt(ErrTruncated, "%d bytes", len(data))}
	}
	body := data[magicLen : len(data)-digestLen]
	if md5.Sum(body) != [digestLen]byte(data[len(data)-digestLen:]) {
		return appendPlain(dst, rec), Outcome{Corrupt: corrupt(ErrDigestMismatch, "over %d message bytes", len(body))}
	}
	m, err := decodeMessage(body)
	if err != nil {
		return appendPlain(dst, rec), Outcome{Corrupt: corrupt(ErrMalformed, "%v", err)}
	}
	return m.appendUserRecords(dst, shard)
}

// IsAggregate says whether data has the magic bytes and a digest that
// matches the message after them: what a KPL aggregate looks like before its
// message is parsed. A consumer that does not de-aggregate uses it to count
// the aggregates it took for plain records.
func IsAggregate(data []byte) bool {
	if len(data) <= Overhead || [magicLen]byte(data[:magicLen]) != magic {
		return false
	}
	return md5.Sum(data[magicLen:len(data)-digestLen]) == [digestLen]byte(data[len(data)-digestLen:])
}

func appendPlain(dst []UserRecord, rec Record) []UserRecord {
	return append(dst, UserRecord{PartitionKey: rec.PartitionKey, ExplicitHashKey: rec.ExplicitHashKey, Data: rec.Data})
}

// appendUserRecords unpacks a decoded aggregate, filtering by shard as
// Deaggregate describes.
func (m *message) appendUserRecords(dst []UserRecord, shard HashRange) ([]UserRecord, Outcome) {
	out := Outcome{Aggregated: true}
	if len(m.entries) == 0 {
		out.Corrupt = corrupt(ErrEmpty, "%d partition keys, %d explicit hash keys", len(m.partitionKeys), len(m.explicitHashKeys))
		return dst, out
	}
	first := len(dst)
	// Explicit hash keys are parsed once per table entry, when first used.
	parsed := make([]parsedKey, len(m.explicitHashKeys))
	for i, e := range m.entries {
		if e.partitionKeyIndex >= uint64(len(m.partitionKeys)) {
			out.Corrupt = corrupt(ErrBadKey, "record %d: partition key index %d, table has %d", i, e.partitionKeyIndex, len(m.partitionKeys))
			return dst, out
		}
		ur := UserRecord{PartitionKey: m.partitionKeys[e.partitionKeyIndex], Data: e.data, SubSequenceNumber: int64(i), Aggregated: true}
		var key hashKey
		inRange := true
		if e.hasExplicitHashKey {
			if e.explicitHashKeyIndex >= uint64(len(m.explicitHashKeys)) {
				out.Corrupt = corrupt(ErrBadKey, "record %d: explicit hash key index %d, table has %d", i, e.explicitHashKeyIndex, len(m.explicitHashKeys))
				return dst, out
			}
			ur.ExplicitHashKey = m.explicitHashKeys[e.explicitHashKeyIndex]
			p := &parsed[e.explicitHashKeyIndex]
			if !p.done {
				p.key, p.inRange, p.err = parseHashKey(ur.ExplicitHashKey)
				p.done = true
			}
			if p.err != nil {
				out.Corrupt = corrupt(ErrBadKey, "record %d: %v", i, p.err)
				return dst, out
			}
			key, inRange = p.key, p.inRange
		} else {
			key = partitionHashKey(ur.PartitionKey)
		}
		if !inRange || !shard.holds(key) {
			out.Filtered = len(m.entries)
			return dst[:first], out
		}
		dst = append(dst, ur)
	}
	return dst, out
}

type parsedKey struct {
	key           hashKey
	inRange, done bool
	err           error
}

// String describes an outcome for logs and test failures.
func (o Outcome) String() string {
	return fmt.Sprintf("aggregated=%t filtered=%d corrupt=%v", o.Aggregated, o.Filtered, o.Corrupt)
}
