package kpl

import (
	"crypto/md5"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// magic opens every aggregated record (aggregation-format.md; KCL's
// AggregatorUtil.AGGREGATED_RECORD_MAGIC).
var magic = [magicLen]byte{0xF3, 0x89, 0x9A, 0xC2}

const (
	magicLen  = 4
	digestLen = md5.Size
	// Overhead is what the format adds around the protobuf message: the
	// magic bytes and the MD5 digest (KPL's kFixedOverhead).
	Overhead = magicLen + digestLen
)

// Field numbers of the AggregatedRecord, Record and Tag messages
// (aggregation-format.md). Every one is below 16, so each tag is one byte.
const (
	fieldPartitionKeyTable    protowire.Number = 1
	fieldExplicitHashKeyTable protowire.Number = 2
	fieldRecords              protowire.Number = 3

	fieldPartitionKeyIndex    protowire.Number = 1
	fieldExplicitHashKeyIndex protowire.Number = 2
	fieldData                 protowire.Number = 3
	fieldTags                 protowire.Number = 4

	fieldTagKey protowire.Number = 1

	tagLen = 1
)

// Record is one Kinesis record: what a producer puts, or what a reader got
// (a reader gets no ExplicitHashKey back). Its fields are those of
// stream.Record, so the two convert into each other.
type Record struct {
	PartitionKey    string
	ExplicitHashKey string
	Data            []byte
}

// UserRecord is one record as the application sees it: before aggregation,
// or after de-aggregation.
type UserRecord struct {
	// PartitionKey is the user record's own partition key.
	PartitionKey string
	// ExplicitHashKey is the user record's decimal 128-bit hash key, or "".
	ExplicitHashKey string
	// Data is the payload. Deaggregate's user records share the Kinesis
	// record's Data; the Aggregator keeps the caller's slice until it hands
	// the aggregate back: neither copies.
	Data []byte
	// SubSequenceNumber is the user record's index in its aggregate (KCL's
	// subSequenceNumber); 0 for a record that was not aggregated. With the
	// Kinesis record's sequence number it names the user record (KCL's
	// ExtendedSequenceNumber).
	SubSequenceNumber int64
	// Aggregated says the user record came out of (or went into) an
	// aggregated record rather than a plain one.
	Aggregated bool
}

// ErrCorrupt is matched (errors.Is) by every error Deaggregate reports for a
// record that has the magic bytes but is not a valid aggregate. One of the
// errors below says why.
var ErrCorrupt = errors.New("corrupt aggregated record")

// Why an aggregated record is corrupt.
var (
	// ErrTruncated: the record has the magic but no room for a message and
	// a digest.
	ErrTruncated = errors.New("truncated")
	// ErrDigestMismatch: the MD5 of the message is not the trailing digest.
	ErrDigestMismatch = errors.New("digest mismatch")
	// ErrMalformed: the message is not a valid AggregatedRecord protobuf.
	ErrMalformed = errors.New("malformed message")
	// ErrBadKey: a user record names a key table entry that does not exist,
	// or an explicit hash key that is not a decimal number.
	ErrBadKey = errors.New("bad key")
	// ErrEmpty: the aggregate holds no user records (KPL never writes one).
	ErrEmpty = errors.New("no user records")
)

func corrupt(why error, format string, args ...any) error {
	return fmt.Errorf("%w: %w: %s", ErrCorrupt, why, fmt.Sprintf(format, args...))
}

// entry is one user record as the message encodes it.
type entry struct {
	partitionKeyIndex    uint64
	explicitHashKeyIndex uint64
	hasExplicitHashKey   bool
	data                 []byte
}

// size is the encoded length of the Record message, without its own tag and
// length prefix.
func (e entry) size() int {
	n := tagLen + protowire.SizeVarint(e.partitionKeyIndex)
	if e.hasExplicitHashKey {
		n += tagLen + protowire.SizeVarint(e.explicitHashKeyIndex)
	}
	return n + tagLen + protowire.SizeBytes(len(e.data))
}

// message is an AggregatedRecord: the key tables and the user records.
type message struct {
	partitionKeys    []string
	explicitHashKeys []string
	entries          []entry
}

// appendRecord appends the aggregated record holding m (magic, message,
// digest) to b. protoSize is m's encoded length, known to the caller, so the
// record is written with one allocation at most.
func (m *message) appendRecord(b []byte, protoSize int) []byte {
	if cap(b)-len(b) < Overhead+protoSize {
		grown := make([]byte, len(b), len(b)+Overhead+protoSize)
		copy(grown, b)
		b = grown
	}
	b = append(b, magic[:]...)
	start := len(b)
	// Fields in number order, as KPL's C++ protobuf and protobufjs write them.
	for _, pk := range m.partitionKeys {
		b = protowire.AppendTag(b, fieldPartitionKeyTable, protowire.BytesType)
		b = protowire.AppendString(b, pk)
	}
	for _, ehk := range m.explicitHashKeys {
		b = protowire.AppendTag(b, fieldExplicitHashKeyTable, protowire.BytesType)
		b = protowire.AppendString(b, ehk)
	}
	for _, e := range m.entries {
		b = protowire.AppendTag(b, fieldRecords, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(e.size()))
		b = protowire.AppendTag(b, fieldPartitionKeyIndex, protowire.VarintType)
		b = protowire.AppendVarint(b, e.partitionKeyIndex)
		if e.hasExplicitHashKey {
			b = protowire.AppendTag(b, fieldExplicitHashKeyIndex, protowire.VarintType)
			b = protowire.AppendVarint(b, e.explicitHashKeyIndex)
		}
		b = protowire.AppendTag(b, fieldData, protowire.BytesType)
		b = protowire.AppendBytes(b, e.data)
	}
	sum := md5.Sum(b[start:])
	return append(b, sum[:]...)
}

// decodeMessage parses an AggregatedRecord as proto2 does: fields in any
// order, unknown fields (or known numbers with another wire type) skipped,
// required fields (Record.partition_key_index, Record.data, Tag.key) checked.
// Byte fields alias b.
func decodeMessage(b []byte) (message, error) {
	var m message
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return m, protowire.ParseError(n)
		}
		b = b[n:]
		known := typ == protowire.BytesType &&
			(num == fieldPartitionKeyTable || num == fieldExplicitHashKeyTable || num == fieldRecords)
		if !known {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return m, protowire.ParseError(n)
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return m, protowire.ParseError(n)
		}
		b = b[n:]
		switch num {
		case fieldPartitionKeyTable:
			m.partitionKeys = append(m.partitionKeys, string(v))
		case fieldExplicitHashKeyTable:
			m.explicitHashKeys = append(m.explicitHashKeys, string(v))
		default:
			e, err := decodeEntry(v)
			if err != nil {
				return m, fmt.Errorf("record %d: %w", len(m.entries), err)
			}
			m.entries = append(m.entries, e)
		}
	}
	return m, nil
}

// decodeEntry parses one Record message.
func decodeEntry(b []byte) (entry, error) {
	var e entry
	var hasPartitionKeyIndex, hasData bool
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return e, protowire.ParseError(n)
		}
		b = b[n:]
		switch {
		case num == fieldPartitionKeyIndex && typ == protowire.VarintType:
			e.partitionKeyIndex, n = protowire.ConsumeVarint(b)
			hasPartitionKeyIndex = true
		case num == fieldExplicitHashKeyIndex && typ == protowire.VarintType:
			e.explicitHashKeyIndex, n = protowire.ConsumeVarint(b)
			e.hasExplicitHashKey = true
		case num == fieldData && typ == protowire.BytesType:
			e.data, n = protowire.ConsumeBytes(b)
			hasData = true
		case num == fieldTags && typ == protowire.BytesType:
			var tag []byte
			tag, n = protowire.ConsumeBytes(b)
			if n >= 0 {
				if err := checkTag(tag); err != nil {
					return e, err
				}
			}
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return e, protowire.ParseError(n)
		}
		b = b[n:]
	}
	switch {
	case !hasPartitionKeyIndex:
		return e, errors.New("required partition_key_index missing")
	case !hasData:
		return e, errors.New("required data missing")
	}
	if e.data == nil {
		e.data = []byte{}
	}
	return e, nil
}

// checkTag checks a Tag message, whose key is required. kinesim keeps no
// tags (KCL drops them too).
func checkTag(b []byte) error {
	hasKey := false
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if num == fieldTagKey && typ == protowire.BytesType {
			hasKey = true
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
	}
	if !hasKey {
		return errors.New("tag: required key missing")
	}
	return nil
}
