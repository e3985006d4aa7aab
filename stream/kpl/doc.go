// Package kpl reads and writes the Kinesis Producer Library's aggregated
// record format, which packs many user records into one Kinesis record so a
// shard's 1,000 records/s limit stops binding before its 1 MiB/s does.
//
// An aggregated record is the 4 magic bytes F3 89 9A C2, a protobuf
// AggregatedRecord message (a partition key table, an explicit hash key table
// and the user records, each naming its keys by index into the tables), then
// the 16-byte MD5 digest of the message. The format is specified in the KPL
// repository's aggregation-format.md (awslabs/amazon-kinesis-producer); the
// message is encoded and decoded here with google.golang.org/protobuf's
// protowire, field by field, so no generated code is needed.
//
// Three pieces:
//
//   - An [Aggregator] packs user records bound for one shard into aggregated
//     records under a byte and a record limit, as KPL's aggregator does
//     (defaults AggregationMaxSize 51,200 bytes, AggregationMaxCount
//     4,294,967,295). It has no clock: lingering is the caller's.
//   - [Deaggregate] turns one Kinesis record back into its user records, with
//     sub-sequence numbers, as KCL's AggregatorUtil.deaggregate does: a record
//     without the magic passes through as one user record, and so does a
//     record with the magic whose digest or message is bad (KCL's behaviour),
//     which Deaggregate also reports as corrupt so the caller can count it.
//   - A [HashRange] is a shard's hash key range; Deaggregate drops the
//     aggregates that hold a user record outside it (KCL's filter after a
//     reshard), and [HashRange.Contains] tests one user record.
//
// Concurrency: an Aggregator is not safe for concurrent use (give each
// producer goroutine, or each shard, its own). Deaggregate and the HashRange
// methods are pure and safe for concurrent use.
package kpl
