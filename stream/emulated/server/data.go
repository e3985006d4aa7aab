package server

import (
	"context"
	"fmt"
	"time"

	"github.com/kinesim/kinesim/stream"
)

// Data plane: PutRecord(s), GetShardIterator, GetRecords. The emulator
// enforces the limits and answers the errors; the server checks the API
// model's constraints first, as AWS's front end does.

// maxDataBytes is the API model's bound on one record's Data (1 MiB); a
// stream may accept more (UpdateMaxRecordSize), which the emulator checks.
const maxDataBytes = stream.MaxSettableRecordBytes

// checkEntry checks a record's members in Kinesis's order: PartitionKey,
// ExplicitHashKey, Data.
func checkEntry(v *validation, e *putRecordsEntry, prefix string) {
	v.str(e.PartitionKey, prefix+"partitionKey", partitionKeyRule)
	v.str(e.ExplicitHashKey, prefix+"explicitHashKey", hashKeyRule)
	if e.Data == nil {
		v.add(nil, prefix+"data", "Member must not be null")
	} else if len(e.Data) > maxDataBytes {
		v.add(fmt.Sprintf("java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", len(e.Data), len(e.Data)), prefix+"data", fmt.Sprintf("Member must have length less than or equal to %d", maxDataBytes))
	}
}

func (e *putRecordsEntry) record() stream.Record {
	r := stream.Record{PartitionKey: *e.PartitionKey, Data: e.Data}
	if e.ExplicitHashKey != nil {
		r.ExplicitHashKey = *e.ExplicitHashKey
	}
	return r
}

func putRecords(ctx context.Context, s *Server, req *putRecordsRequest) (any, error) {
	var v validation
	switch n := len(req.Records); {
	case req.Records == nil:
		v.add(nil, "records", "Member must not be null")
	case n < 1:
		v.add("[]", "records", "Member must have length greater than or equal to 1")
	case n > stream.MaxRecordsPerPutRecords:
		v.add(fmt.Sprintf("%d records", n), "records", fmt.Sprintf("Member must have length less than or equal to %d", stream.MaxRecordsPerPutRecords))
	}
	recs := make([]stream.Record, len(req.Records))
	for i := range req.Records {
		e := &req.Records[i]
		before := len(v.problems)
		checkEntry(&v, e, fmt.Sprintf("records.%d.member.", i+1))
		if len(v.problems) == before {
			recs[i] = e.record()
		}
	}
	v.streamRef(req.streamRefJSON)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	out, err := s.data.PutRecords(ctx, &stream.PutRecordsInput{StreamName: name, Records: recs})
	if err != nil {
		return nil, err
	}
	results := make([]putRecordsResultJSON, len(out.Records))
	for i, r := range out.Records {
		results[i] = putRecordsResultJSON(r)
	}
	return struct {
		FailedRecordCount int                    `json:"FailedRecordCount"`
		Records           []putRecordsResultJSON `json:"Records"`
		EncryptionType    string                 `json:"EncryptionType"`
	}{out.FailedRecordCount, results, "NONE"}, nil
}

func putRecord(ctx context.Context, s *Server, req *putRecordRequest) (any, error) {
	var v validation
	v.str(req.SequenceNumberForOrdering, "sequenceNumberForOrdering", sequenceRule)
	checkEntry(&v, &req.putRecordsEntry, "")
	v.streamRef(req.streamRefJSON)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	in := &stream.PutRecordInput{StreamName: name, Record: req.record()}
	if req.SequenceNumberForOrdering != nil {
		in.SequenceNumberForOrdering = *req.SequenceNumberForOrdering
	}
	out, err := s.data.PutRecord(ctx, in)
	if err != nil {
		return nil, err
	}
	return struct {
		ShardID        string `json:"ShardId"`
		SequenceNumber string `json:"SequenceNumber"`
		EncryptionType string `json:"EncryptionType"`
	}{out.ShardID, out.SequenceNumber, "NONE"}, nil
}

func getShardIterator(ctx context.Context, s *Server, req *getShardIteratorRequest) (any, error) {
	var v validation
	v.str(req.ShardID, "shardId", shardIDRule)
	requiredString(&v, req.ShardIteratorType, "shardIteratorType")
	oneOf(&v, req.ShardIteratorType, "shardIteratorType", string(stream.AfterSequenceNumber), string(stream.Latest),
		string(stream.AtTimestamp), string(stream.AtSequenceNumber), string(stream.TrimHorizon))
	v.str(req.StartingSequenceNumber, "startingSequenceNumber", sequenceRule)
	v.streamRef(req.streamRefJSON)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	// Which of StartingSequenceNumber and Timestamp the type needs is the
	// emulator's check, after the shard's existence, as in Kinesis.
	in := &stream.GetShardIteratorInput{StreamName: name, ShardID: *req.ShardID, Type: stream.IteratorType(*req.ShardIteratorType)}
	if req.StartingSequenceNumber != nil {
		in.SequenceNumber = *req.StartingSequenceNumber
	}
	if req.Timestamp != nil {
		in.Timestamp = time.Time(*req.Timestamp)
	}
	// Kinesis also refuses an AT_TIMESTAMP later than its clock
	// ("timestampInMillis parameter cannot be greater than the
	// currentTimestampInMillis"); not here yet: kinesim's own pipeline
	// readers, served through this API, ask for a run's start before the
	// server's clock has reached it.
	it, err := s.data.GetShardIterator(ctx, in)
	if err != nil {
		return nil, err
	}
	return map[string]string{"ShardIterator": it}, nil
}

func getRecords(ctx context.Context, s *Server, req *getRecordsRequest) (any, error) {
	var v validation
	requiredString(&v, req.ShardIterator, "shardIterator")
	stringLength(&v, req.ShardIterator, "shardIterator", 1, 512)
	// Limit above 10,000 is the emulator's InvalidArgumentException, as on AWS.
	intRange(&v, req.Limit, "limit", 1, 1<<31-1)
	if err := v.err(); err != nil {
		return nil, err
	}
	out, err := s.data.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: *req.ShardIterator, Limit: int(valueOr(req.Limit, 0))})
	if err != nil {
		return nil, err
	}
	records := make([]recordJSON, len(out.Records))
	for i, r := range out.Records {
		records[i] = toRecordJSON(r)
	}
	resp := struct {
		Records            []recordJSON     `json:"Records"`
		NextShardIterator  *string          `json:"NextShardIterator"`
		MillisBehindLatest int64            `json:"MillisBehindLatest"`
		ChildShards        []childShardJSON `json:"ChildShards,omitempty"`
	}{Records: records, MillisBehindLatest: out.MillisBehindLatest}
	if out.NextShardIterator != "" {
		resp.NextShardIterator = &out.NextShardIterator
	}
	resp.ChildShards = toChildShardsJSON(out.ChildShards)
	return resp, nil
}

// toRecordJSON is a record as GetRecords and SubscribeToShardEvent carry it.
func toRecordJSON(r stream.StoredRecord) recordJSON {
	out := recordJSON{
		SequenceNumber:              r.SequenceNumber,
		ApproximateArrivalTimestamp: epochTime(r.ApproximateArrivalTimestamp),
		Data:                        r.Data,
		PartitionKey:                r.PartitionKey,
	}
	if out.Data == nil {
		out.Data = []byte{} // an empty record's Data is "", not null
	}
	return out
}

// toChildShardsJSON is a closed shard's children; nil (left out) for none.
func toChildShardsJSON(children []stream.ChildShard) []childShardJSON {
	var out []childShardJSON
	for _, c := range children {
		out = append(out, childShardJSON{ShardID: c.ShardID, ParentShards: c.ParentShards, HashKeyRange: hashKeyRangeJSON(c.HashKeyRange)})
	}
	return out
}
