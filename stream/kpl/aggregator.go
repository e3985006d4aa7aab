package kpl

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// KPL's documented defaults and Kinesis' limits (KPL default_config.properties;
// Kinesis PutRecords API reference).
const (
	// DefaultMaxBytes is KPL's AggregationMaxSize: an aggregate's data,
	// magic and digest included, is at most 51,200 bytes.
	DefaultMaxBytes = 51200
	// MinMaxBytes is the smallest AggregationMaxSize KPL accepts.
	MinMaxBytes = 64
	// DefaultMaxRecords is KPL's AggregationMaxCount.
	DefaultMaxRecords = 4294967295
	// DefaultRecordLimit is Kinesis' default largest record, data plus
	// partition key: 1 MiB (a stream may raise it up to 10 MiB).
	DefaultRecordLimit = 1 << 20
	// MaxPartitionKeyLength is the longest partition key Kinesis takes, in
	// Unicode characters.
	MaxPartitionKeyLength = 256
)

// AggregatePartitionKey is the partition key KPL gives every aggregated
// record: one byte, because the aggregate's explicit hash key decides its
// shard and its user records carry their own keys (KPL kinesis_record.cc).
const AggregatePartitionKey = "a"

// minEntryLen is the fewest bytes a user record adds to an aggregate: its
// tag and length, the partition key index field and an empty data field.
const minEntryLen = 2 + 2 + 2

// ErrInvalidUserRecord is matched by Add's errors for a user record Kinesis
// would refuse (partition key length, explicit hash key, size).
var ErrInvalidUserRecord = errors.New("invalid user record")

// Aggregate is one Kinesis record an Aggregator completed, with the user
// records it carries in the order they were added, their SubSequenceNumber
// and Aggregated set as a KCL consumer will see them.
type Aggregate struct {
	Record
	UserRecords []UserRecord
}

// Aggregator packs user records bound for one shard into aggregated records,
// as KPL's aggregator does: an aggregate is handed back when the next record
// would not fit under the byte or record limit, when it is full, or on
// Flush. A lone user record goes out as a plain record, not aggregated.
// Sizes are computed exactly as records are added, key tables deduplicated,
// so an aggregate never exceeds the limits. It has no clock: a caller that
// lingers calls Flush when its linger expires. Not safe for concurrent use.
type Aggregator struct {
	maxBytes, maxRecords, recordLimit int

	msg       message
	records   []UserRecord
	pkIndex   map[string]uint64 // partition key -> its index in msg's table
	ehkIndex  map[string]uint64 // explicit hash key -> its index in msg's table
	protoSize int
}

// AggregatorOption configures an Aggregator.
type AggregatorOption func(*Aggregator)

// WithMaxBytes bounds an aggregate's data, magic and digest included
// (KPL's AggregationMaxSize). Default DefaultMaxBytes (51,200).
func WithMaxBytes(n int) AggregatorOption { return func(a *Aggregator) { a.maxBytes = n } }

// WithMaxRecords bounds the user records in one aggregate (KPL's
// AggregationMaxCount); 1 turns aggregation off. Default DefaultMaxRecords.
func WithMaxRecords(n int) AggregatorOption { return func(a *Aggregator) { a.maxRecords = n } }

// WithRecordLimit is the stream's largest record, data plus partition key
// (a stream's MaxRecordSize). Default DefaultRecordLimit (1 MiB).
func WithRecordLimit(n int) AggregatorOption { return func(a *Aggregator) { a.recordLimit = n } }

// NewAggregator returns an empty Aggregator. The byte limit must be at
// least MinMaxBytes and leave room for the aggregate's partition key under
// the record limit (KPL accepts up to 1,048,576, which a 1 MiB stream would
// refuse once the partition key is counted).
func NewAggregator(opts ...AggregatorOption) (*Aggregator, error) {
	a := &Aggregator{
		maxBytes:    DefaultMaxBytes,
		maxRecords:  DefaultMaxRecords,
		recordLimit: DefaultRecordLimit,
		pkIndex:     map[string]uint64{},
		ehkIndex:    map[string]uint64{},
	}
	for _, opt := range opts {
		opt(a)
	}
	switch {
	case a.recordLimit < MinMaxBytes+len(AggregatePartitionKey):
		return nil, fmt.Errorf("record limit %d bytes: must be at least %d", a.recordLimit, MinMaxBytes+len(AggregatePartitionKey))
	case a.maxBytes < MinMaxBytes || a.maxBytes > a.recordLimit-len(AggregatePartitionKey):
		return nil, fmt.Errorf("max bytes %d: must be %d to %d (the record limit less the aggregate's partition key)",
			a.maxBytes, MinMaxBytes, a.recordLimit-len(AggregatePartitionKey))
	case a.maxRecords < 1:
		return nil, fmt.Errorf("max records %d: must be at least 1", a.maxRecords)
	}
	return a, nil
}

// Len is the number of user records waiting in the open aggregate.
func (a *Aggregator) Len() int { return len(a.records) }

// Size is the data size of the Kinesis record Flush would make now: the
// encoded aggregate, or a lone user record's own data; 0 when empty.
func (a *Aggregator) Size() int {
	switch len(a.records) {
	case 0:
		return 0
	case 1:
		return len(a.records[0].Data)
	}
	return Overhead + a.protoSize
}

// Add adds ur to the open aggregate and appends to dst the aggregates it
// completes: the open one when ur does not fit in it or fills it, and ur on
// its own when it is too large to share an aggregate. ur.Data is kept, not
// copied, until its aggregate is handed back. A user record Kinesis would
// refuse is an error matching ErrInvalidUserRecord, and nothing changes.
func (a *Aggregator) Add(dst []Aggregate, ur UserRecord) ([]Aggregate, error) {
	if err := a.check(ur); err != nil {
		return dst, err
	}
	grow, e := a.plan(ur)
	if len(a.records) > 0 && (Overhead+a.protoSize+grow > a.maxBytes || len(a.records) >= a.maxRecords) {
		dst = a.Flush(dst)
		grow, e = a.plan(ur)
	}
	if Overhead+grow > a.maxBytes {
		// Alone it does not fit an aggregate: KPL puts a one-record
		// container as the plain user record.
		return append(dst, plain(ur)), nil
	}
	a.add(ur, e, grow)
	if len(a.records) >= a.maxRecords || Overhead+a.protoSize+minEntryLen > a.maxBytes {
		dst = a.Flush(dst)
	}
	return dst, nil
}

// check refuses what Kinesis (and KPL's addUserRecord) would.
func (a *Aggregator) check(ur UserRecord) error {
	if n := utf8.RuneCountInString(ur.PartitionKey); n < 1 || n > MaxPartitionKeyLength {
		return fmt.Errorf("%w: partition key of %d characters, want 1 to %d", ErrInvalidUserRecord, n, MaxPartitionKeyLength)
	}
	if ur.ExplicitHashKey != "" {
		// Kinesis' pattern is 0|([1-9]\d{0,38}), at most 2^128-1.
		_, inRange, err := parseHashKey(ur.ExplicitHashKey)
		if err != nil || !inRange || !canonicalDecimal(ur.ExplicitHashKey) {
			return fmt.Errorf("%w: explicit hash key %q: want a decimal 0 to 2^128-1 without sign or leading zeros", ErrInvalidUserRecord, ur.ExplicitHashKey)
		}
	}
	if size := len(ur.Data) + len(ur.PartitionKey); size > a.recordLimit {
		return fmt.Errorf("%w: %d bytes of data and partition key, over the %d-byte record limit", ErrInvalidUserRecord, size, a.recordLimit)
	}
	return nil
}

func canonicalDecimal(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s == "0" || (s != "" && s[0] != '0')
}

// plan says how many message bytes ur would add and the entry it would get.
func (a *Aggregator) plan(ur UserRecord) (int, entry) {
	e := entry{data: ur.Data}
	grow := 0
	idx, ok := a.pkIndex[ur.PartitionKey]
	if !ok {
		idx = uint64(len(a.msg.partitionKeys))
		grow += tagLen + protowire.SizeBytes(len(ur.PartitionKey))
	}
	e.partitionKeyIndex = idx
	if ur.ExplicitHashKey != "" {
		idx, ok := a.ehkIndex[ur.ExplicitHashKey]
		if !ok {
			idx = uint64(len(a.msg.explicitHashKeys))
			grow += tagLen + protowire.SizeBytes(len(ur.ExplicitHashKey))
		}
		e.explicitHashKeyIndex, e.hasExplicitHashKey = idx, true
	}
	return grow + tagLen + protowire.SizeBytes(e.size()), e
}

func (a *Aggregator) add(ur UserRecord, e entry, grow int) {
	if e.partitionKeyIndex == uint64(len(a.msg.partitionKeys)) {
		a.pkIndex[ur.PartitionKey] = e.partitionKeyIndex
		a.msg.partitionKeys = append(a.msg.partitionKeys, ur.PartitionKey)
	}
	if e.hasExplicitHashKey && e.explicitHashKeyIndex == uint64(len(a.msg.explicitHashKeys)) {
		a.ehkIndex[ur.ExplicitHashKey] = e.explicitHashKeyIndex
		a.msg.explicitHashKeys = append(a.msg.explicitHashKeys, ur.ExplicitHashKey)
	}
	a.msg.entries = append(a.msg.entries, e)
	ur.SubSequenceNumber, ur.Aggregated = int64(len(a.records)), true
	a.records = append(a.records, ur)
	a.protoSize += grow
}

// Flush appends the open aggregate to dst, if it holds any user record, and
// empties it.
func (a *Aggregator) Flush(dst []Aggregate) []Aggregate {
	switch len(a.records) {
	case 0:
		return dst
	case 1:
		dst = append(dst, plain(a.records[0]))
	default:
		dst = append(dst, Aggregate{
			Record: Record{
				PartitionKey:    AggregatePartitionKey,
				ExplicitHashKey: effectiveHashKey(a.records[0]).String(),
				Data:            a.msg.appendRecord(nil, a.protoSize),
			},
			UserRecords: a.records,
		})
	}
	a.reset()
	return dst
}

func (a *Aggregator) reset() {
	clear(a.pkIndex)
	clear(a.ehkIndex)
	clear(a.msg.entries) // drop the data references
	a.msg = message{
		partitionKeys:    a.msg.partitionKeys[:0],
		explicitHashKeys: a.msg.explicitHashKeys[:0],
		entries:          a.msg.entries[:0],
	}
	a.records = nil // handed out with the aggregate
	a.protoSize = 0
}

// plain is a lone user record put as it is.
func plain(ur UserRecord) Aggregate {
	ur.SubSequenceNumber, ur.Aggregated = 0, false
	return Aggregate{
		Record:      Record{PartitionKey: ur.PartitionKey, ExplicitHashKey: ur.ExplicitHashKey, Data: ur.Data},
		UserRecords: []UserRecord{ur},
	}
}

// effectiveHashKey is the hash key that places a checked user record: its
// explicit hash key, else MD5 of its partition key. The aggregate takes its
// first user record's, in canonical decimal (KPL hash_key_decimal_str), so
// it lands on that record's shard.
func effectiveHashKey(ur UserRecord) hashKey {
	if ur.ExplicitHashKey == "" {
		return partitionHashKey(ur.PartitionKey)
	}
	key, _, _ := parseHashKey(ur.ExplicitHashKey)
	return key
}
