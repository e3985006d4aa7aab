package kinesis

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesim/kinesim/stream"
)

// PutRecords writes a batch with one PutRecords call (no retry: the caller
// retries what failed). The output has one entry per record, in request
// order: a sequence number and shard id, or the record's error code
// (ProvisionedThroughputExceededException, InternalFailure, KMS...) and
// message. A non-nil error means the call as a whole failed and no record is
// known to be written.
//
// A batch of no records or more than 500 is refused before any call, with
// ValidationException (matching stream.ErrInvalidArgument), as AWS would.
//
// The request refers to the records' partition keys in place; the caller
// must not change in.Records until PutRecords returns.
func (t *Target) PutRecords(ctx context.Context, in *stream.PutRecordsInput) (*stream.PutRecordsOutput, error) {
	ref, err := parseStreamRef(in.StreamName)
	if err != nil {
		return nil, err
	}
	// The API model allows 1 to 500 records; AWS and kinesalite reject
	// anything else with ValidationException, kinesis-mock accepts it. Checked
	// here so that every endpoint answers alike.
	if n := len(in.Records); n < 1 || n > stream.MaxRecordsPerPutRecords {
		return nil, &stream.APIError{Code: stream.CodeValidation, Message: fmt.Sprintf(
			"PutRecords %s: %d records; a call carries 1 to %d", *ref.name, n, stream.MaxRecordsPerPutRecords)}
	}
	entries := make([]types.PutRecordsRequestEntry, len(in.Records))
	for i := range in.Records {
		r := &in.Records[i]
		entries[i] = types.PutRecordsRequestEntry{Data: r.Data, PartitionKey: &r.PartitionKey}
		if r.Data == nil {
			entries[i].Data = []byte{} // an empty record is valid; nil would leave Data out
		}
		if r.ExplicitHashKey != "" {
			entries[i].ExplicitHashKey = &r.ExplicitHashKey
		}
	}
	resp, err := t.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: ref.name, StreamARN: ref.arn, Records: entries})
	if err != nil {
		return nil, mapError("PutRecords "+*ref.name, err)
	}
	if len(resp.Records) != len(in.Records) {
		// The API promises one result per record; without that no record's
		// fate is known, so the whole call counts as failed.
		return nil, &stream.APIError{Code: stream.CodeInternalFailure,
			Message: fmt.Sprintf("PutRecords %s: %d results for %d records", *ref.name, len(resp.Records), len(in.Records))}
	}
	out := &stream.PutRecordsOutput{Records: make([]stream.PutRecordsResultEntry, len(resp.Records))}
	for i, r := range resp.Records {
		e := &out.Records[i]
		if code := aws.ToString(r.ErrorCode); code != "" {
			if alias, ok := codeAliases[code]; ok {
				code = alias
			}
			e.ErrorCode, e.ErrorMessage = code, aws.ToString(r.ErrorMessage)
			out.FailedRecordCount++
			continue
		}
		e.ShardID, e.SequenceNumber = aws.ToString(r.ShardId), aws.ToString(r.SequenceNumber)
	}
	// FailedRecordCount is counted from the entries rather than trusted from
	// the response, so that it always agrees with them.
	return out, nil
}

// ListShards returns every shard of the stream, open and closed, following
// NextToken pagination. Servers that ignore MaxResults and return every
// shard without a NextToken (kinesalite) are handled alike, and a shard seen
// on two pages is returned once.
func (t *Target) ListShards(ctx context.Context, nameOrARN string) ([]stream.Shard, error) {
	ref, err := parseStreamRef(nameOrARN)
	if err != nil {
		return nil, err
	}
	in := &kinesis.ListShardsInput{StreamName: ref.name, StreamARN: ref.arn}
	if t.opts.listShardsPage > 0 {
		in.MaxResults = aws.Int32(t.opts.listShardsPage)
	}
	var shards []stream.Shard
	seen := map[string]bool{}
	for {
		out, err := t.client.ListShards(ctx, in)
		if err != nil {
			return nil, mapError("ListShards "+*ref.name, err)
		}
		fresh := 0
		for _, s := range out.Shards {
			id := aws.ToString(s.ShardId)
			if seen[id] {
				continue
			}
			seen[id] = true
			fresh++
			shards = append(shards, convertShard(s))
		}
		// A server that keeps answering a token with nothing new would loop
		// forever; stop there.
		if out.NextToken == nil || *out.NextToken == "" || fresh == 0 {
			return shards, nil
		}
		// With NextToken, the stream must not be named again (the API
		// rejects both together).
		in = &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: in.MaxResults}
	}
}

func convertShard(s types.Shard) stream.Shard {
	sh := stream.Shard{
		ShardID:               aws.ToString(s.ShardId),
		ParentShardID:         aws.ToString(s.ParentShardId),
		AdjacentParentShardID: aws.ToString(s.AdjacentParentShardId),
	}
	if r := s.HashKeyRange; r != nil {
		sh.HashKeyRange = stream.HashKeyRange{StartingHashKey: aws.ToString(r.StartingHashKey), EndingHashKey: aws.ToString(r.EndingHashKey)}
	}
	if r := s.SequenceNumberRange; r != nil {
		sh.SequenceNumberRange = stream.SequenceNumberRange{
			StartingSequenceNumber: aws.ToString(r.StartingSequenceNumber),
			EndingSequenceNumber:   aws.ToString(r.EndingSequenceNumber),
		}
	}
	return sh
}

// GetShardIterator returns an iterator on one shard; it expires five
// minutes after it is issued.
func (t *Target) GetShardIterator(ctx context.Context, in *stream.GetShardIteratorInput) (string, error) {
	ref, err := parseStreamRef(in.StreamName)
	if err != nil {
		return "", err
	}
	req := &kinesis.GetShardIteratorInput{
		StreamName:        ref.name,
		StreamARN:         ref.arn,
		ShardId:           aws.String(in.ShardID),
		ShardIteratorType: types.ShardIteratorType(in.Type),
	}
	switch in.Type {
	case stream.AtSequenceNumber, stream.AfterSequenceNumber:
		req.StartingSequenceNumber = aws.String(in.SequenceNumber)
	case stream.AtTimestamp:
		req.Timestamp = aws.Time(in.Timestamp)
	}
	out, err := t.client.GetShardIterator(ctx, req)
	if err != nil {
		return "", mapError("GetShardIterator "+*ref.name+" "+in.ShardID, err)
	}
	return aws.ToString(out.ShardIterator), nil
}

// GetRecords reads from a shard iterator. NextShardIterator is empty once a
// closed shard has been read to its end, and ChildShards then names its
// children.
func (t *Target) GetRecords(ctx context.Context, in *stream.GetRecordsInput) (*stream.GetRecordsOutput, error) {
	req := &kinesis.GetRecordsInput{ShardIterator: aws.String(in.ShardIterator)}
	if in.Limit > 0 {
		req.Limit = aws.Int32(int32(min(in.Limit, 1<<31-1)))
	}
	resp, err := t.client.GetRecords(ctx, req)
	if err != nil {
		return nil, mapError("GetRecords", err)
	}
	out := &stream.GetRecordsOutput{
		NextShardIterator:  aws.ToString(resp.NextShardIterator),
		MillisBehindLatest: aws.ToInt64(resp.MillisBehindLatest),
		Records:            convertRecords(resp.Records),
		ChildShards:        convertChildShards(resp.ChildShards),
	}
	return out, nil
}

// convertRecords converts records as GetRecords and SubscribeToShard return
// them.
func convertRecords(in []types.Record) []stream.StoredRecord {
	out := make([]stream.StoredRecord, len(in))
	for i, r := range in {
		out[i] = stream.StoredRecord{
			SequenceNumber:              aws.ToString(r.SequenceNumber),
			PartitionKey:                aws.ToString(r.PartitionKey),
			Data:                        r.Data,
			ApproximateArrivalTimestamp: aws.ToTime(r.ApproximateArrivalTimestamp),
		}
	}
	return out
}

// convertChildShards converts the children a closed shard's last
// GetRecords or SubscribeToShardEvent names; nil for none.
func convertChildShards(in []types.ChildShard) []stream.ChildShard {
	var out []stream.ChildShard
	for _, c := range in {
		cs := stream.ChildShard{ShardID: aws.ToString(c.ShardId), ParentShards: c.ParentShards}
		if r := c.HashKeyRange; r != nil {
			cs.HashKeyRange = stream.HashKeyRange{StartingHashKey: aws.ToString(r.StartingHashKey), EndingHashKey: aws.ToString(r.EndingHashKey)}
		}
		out = append(out, cs)
	}
	return out
}
