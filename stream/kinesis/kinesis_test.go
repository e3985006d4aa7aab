package kinesis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/kinesis"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// serverCaps says what each server implements, so that every difference is
// asserted as such instead of skipped. It is the capability matrix of doc.go.
type serverCaps struct {
	onDemand         bool   // CreateStream with StreamModeDetails ON_DEMAND
	updateShardCount bool   // UpdateShardCount
	childShards      bool   // GetRecords returns ChildShards at a closed shard's end
	tagsOnCreate     bool   // CreateStream honours Tags (else the driver adds them)
	bogusIterator    string // the code a malformed shard iterator gets
	limitTooLarge    string // the code GetRecords with Limit > 10,000 gets
}

var capsByKind = map[kinesistest.Kind]serverCaps{
	kinesistest.Kinesalite: {
		onDemand: false, updateShardCount: false, childShards: false, tagsOnCreate: false,
		bogusIterator: stream.CodeInvalidArgument, limitTooLarge: stream.CodeValidation,
	},
	kinesistest.KinesisMock: {
		onDemand: true, updateShardCount: true, childShards: true, tagsOnCreate: true,
		// kinesis-mock answers HTTP 500 with no error code; the driver maps
		// any 5xx it cannot name to InternalFailure.
		bogusIterator: stream.CodeInternalFailure, limitTooLarge: stream.CodeInvalidArgument,
	},
}

// TestDriver runs the driver against each real server, one server process
// per kind shared by the subtests, each subtest on streams of its own.
func TestDriver(t *testing.T) {
	for _, kind := range kinesistest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			srv := kinesistest.Start(t, kind)
			caps := capsByKind[kind]
			tg := newTarget(t, srv.Endpoint)
			ctx := t.Context()

			t.Run("Lifecycle", func(t *testing.T) { testLifecycle(ctx, t, tg) })
			t.Run("OnDemand", func(t *testing.T) { testOnDemand(ctx, t, tg, caps) })
			t.Run("PutAndReadBack", func(t *testing.T) { testPutAndReadBack(ctx, t, tg) })
			t.Run("ExplicitHashKey", func(t *testing.T) { testExplicitHashKey(ctx, t, tg) })
			t.Run("SequenceNumberIterators", func(t *testing.T) { testSequenceNumberIterators(ctx, t, tg) })
			t.Run("ListShardsPagination", func(t *testing.T) { testListShardsPagination(ctx, t, srv.Endpoint) })
			t.Run("ErrorMapping", func(t *testing.T) { testErrorMapping(ctx, t, tg, caps) })
			t.Run("SplitAndMerge", func(t *testing.T) { testSplitAndMerge(ctx, t, tg, caps) })
			t.Run("UpdateShardCount", func(t *testing.T) { testUpdateShardCount(ctx, t, tg, caps) })
			t.Run("Tags", func(t *testing.T) { testTags(ctx, t, tg, caps) })
			t.Run("ByARN", func(t *testing.T) { testByARN(ctx, t, tg) })
			t.Run("PutRecord", func(t *testing.T) { testPutRecord(ctx, t, tg) })
			t.Run("Retention", func(t *testing.T) { testRetention(ctx, t, tg) })
		})
	}
}

func newTarget(t testing.TB, endpoint string, opts ...kinesis.Option) *kinesis.Target {
	t.Helper()
	opts = append([]kinesis.Option{
		kinesis.WithEndpoint(endpoint),
		kinesis.WithRegion(kinesistest.Region),
		kinesis.WithStaticCredentials(kinesistest.AccessKeyID, kinesistest.SecretAccessKey, kinesistest.SessionToken),
		kinesis.WithWaitTimeout(30 * time.Second),
	}, opts...)
	tg, err := kinesis.New(t.Context(), opts...)
	require.NoError(t, err, "kinesis.New")
	return tg
}

var streamSeq atomic.Int64

// createStream creates a provisioned stream with a name of its own and
// deletes it when the test ends.
func createStream(ctx context.Context, t testing.TB, tg *kinesis.Target, shards int) string {
	t.Helper()
	name := fmt.Sprintf("kinesim-test-%d-%d", time.Now().UnixNano()%1e9, streamSeq.Add(1))
	require.NoError(t, tg.CreateStream(ctx, &stream.CreateStreamInput{StreamName: name, ShardCount: shards}), "CreateStream %s", name)
	t.Cleanup(func() {
		err := tg.DeleteStream(context.WithoutCancel(ctx), name)
		if err != nil && !errors.Is(err, stream.ErrNotFound) {
			t.Errorf("DeleteStream %s: %v", name, err)
		}
	})
	return name
}

func testLifecycle(ctx context.Context, t *testing.T, tg *kinesis.Target) {
	name := fmt.Sprintf("kinesim-lifecycle-%d", streamSeq.Add(1))
	require.NoError(t, tg.CreateStream(ctx, &stream.CreateStreamInput{StreamName: name, ShardCount: 3}))

	sum, err := tg.DescribeStreamSummary(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, stream.StatusActive, sum.Status, "CreateStream returns once the stream is ACTIVE")
	assert.Equal(t, 3, sum.OpenShardCount)
	assert.Equal(t, stream.ModeProvisioned, sum.Mode)

	shards, err := tg.ListShards(ctx, name)
	require.NoError(t, err)
	require.Len(t, shards, 3)
	// The split every server (and AWS) uses for N = 3, from KINESIS-FACTS.md.
	want := []stream.HashKeyRange{
		{StartingHashKey: "0", EndingHashKey: "113427455640312821154458202477256070484"},
		{StartingHashKey: "113427455640312821154458202477256070485", EndingHashKey: "226854911280625642308916404954512140969"},
		{StartingHashKey: "226854911280625642308916404954512140970", EndingHashKey: "340282366920938463463374607431768211455"},
	}
	for i, s := range shards {
		assert.Equal(t, fmt.Sprintf("shardId-%012d", i), s.ShardID)
		assert.Equal(t, want[i], s.HashKeyRange, "shard %d hash key range", i)
		assert.True(t, s.Open(), "shard %d of a new stream is open", i)
		assert.NotEmpty(t, s.SequenceNumberRange.StartingSequenceNumber)
	}

	err = tg.CreateStream(ctx, &stream.CreateStreamInput{StreamName: name, ShardCount: 1})
	assert.ErrorIs(t, err, stream.ErrInUse, "creating a stream that exists")

	names, err := tg.ListStreams(ctx)
	require.NoError(t, err)
	assert.Contains(t, names, name)

	require.NoError(t, tg.DeleteStream(ctx, name))
	_, err = tg.DescribeStreamSummary(ctx, name)
	assert.ErrorIs(t, err, stream.ErrNotFound, "DeleteStream returns once the stream is gone")
	assert.ErrorIs(t, tg.DeleteStream(ctx, name), stream.ErrNotFound, "deleting a stream that is gone")
}

func testOnDemand(ctx context.Context, t *testing.T, tg *kinesis.Target, caps serverCaps) {
	name := fmt.Sprintf("kinesim-ondemand-%d", streamSeq.Add(1))
	err := tg.CreateStream(ctx, &stream.CreateStreamInput{StreamName: name, Mode: stream.ModeOnDemand})
	if !caps.onDemand {
		// kinesalite predates capacity modes and insists on a shard count.
		var apiErr *stream.APIError
		require.ErrorAs(t, err, &apiErr, "on-demand on a server without it")
		assert.Equal(t, stream.CodeValidation, apiErr.Code)
		return
	}
	require.NoError(t, err)
	defer func() { assert.NoError(t, tg.DeleteStream(context.WithoutCancel(ctx), name)) }()
	sum, err := tg.DescribeStreamSummary(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, stream.ModeOnDemand, sum.Mode)
	assert.Positive(t, sum.OpenShardCount, "an on-demand stream starts with shards")
}

// payload makes a 100-byte record that names its index.
func payload(i int) []byte {
	b := bytes.Repeat([]byte{'.'}, 100)
	copy(b, fmt.Sprintf("record-%06d", i))
	return b
}

func testPutAndReadBack(ctx context.Context, t *testing.T, tg *kinesis.Target) {
	name := createStream(ctx, t, tg, 4)
	const n = stream.MaxRecordsPerPutRecords
	recs := make([]stream.Record, n)
	for i := range recs {
		recs[i] = stream.Record{PartitionKey: fmt.Sprintf("key-%d", i), Data: payload(i)}
	}
	recs[7].Data = nil // an empty record is valid

	out, err := tg.PutRecords(ctx, &stream.PutRecordsInput{StreamName: name, Records: recs})
	require.NoError(t, err)
	require.Len(t, out.Records, n, "one result per record")
	assert.Zero(t, out.FailedRecordCount)
	wantShard := map[string]string{} // data -> shard the put said
	seqs := map[string]bool{}
	for i, r := range out.Records {
		require.False(t, r.Failed(), "record %d: %s %s", i, r.ErrorCode, r.ErrorMessage)
		assert.NotEmpty(t, r.ShardID)
		assert.False(t, seqs[r.ShardID+"/"+r.SequenceNumber], "record %d: sequence number %s used twice", i, r.SequenceNumber)
		seqs[r.ShardID+"/"+r.SequenceNumber] = true
		wantShard[string(recs[i].Data)] = r.ShardID
	}

	got := readAll(ctx, t, tg, name)
	total := 0
	for shardID, rs := range got {
		total += len(rs)
		for _, r := range rs {
			assert.Equal(t, wantShard[string(r.Data)], shardID, "record %q read from the shard PutRecords named", r.Data)
			assert.False(t, r.ApproximateArrivalTimestamp.IsZero(), "arrival timestamp set")
		}
		for i := 1; i < len(rs); i++ {
			assert.Equal(t, 1, seqCompare(rs[i].SequenceNumber, rs[i-1].SequenceNumber), "sequence numbers increase within %s", shardID)
		}
	}
	assert.Equal(t, n, total, "every record read back once")
}

// readAll reads every shard from TRIM_HORIZON until a call returns nothing.
func readAll(ctx context.Context, t *testing.T, tg *kinesis.Target, name string) map[string][]stream.StoredRecord {
	t.Helper()
	shards, err := tg.ListShards(ctx, name)
	require.NoError(t, err)
	got := map[string][]stream.StoredRecord{}
	for _, s := range shards {
		it, err := tg.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: name, ShardID: s.ShardID, Type: stream.TrimHorizon})
		require.NoError(t, err)
		for range 100 {
			out, err := tg.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it, Limit: 200})
			require.NoError(t, err)
			got[s.ShardID] = append(got[s.ShardID], out.Records...)
			if len(out.Records) == 0 || out.NextShardIterator == "" {
				break
			}
			it = out.NextShardIterator
		}
	}
	return got
}

func seqCompare(a, b string) int {
	x, _ := new(big.Int).SetString(a, 10)
	y, _ := new(big.Int).SetString(b, 10)
	return x.Cmp(y)
}

func testExplicitHashKey(ctx context.Context, t *testing.T, tg *kinesis.Target) {
	name := createStream(ctx, t, tg, 2)
	out, err := tg.PutRecords(ctx, &stream.PutRecordsInput{StreamName: name, Records: []stream.Record{
		{PartitionKey: "same", ExplicitHashKey: "0", Data: []byte("low")},
		{PartitionKey: "same", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("high")},
	}})
	require.NoError(t, err)
	assert.Equal(t, "shardId-000000000000", out.Records[0].ShardID, "hash key 0 goes to the first shard")
	assert.Equal(t, "shardId-000000000001", out.Records[1].ShardID, "hash key 2^128-1 goes to the last shard")
}

func testSequenceNumberIterators(ctx context.Context, t *testing.T, tg *kinesis.Target) {
	name := createStream(ctx, t, tg, 1)
	out, err := tg.PutRecords(ctx, &stream.PutRecordsInput{StreamName: name, Records: []stream.Record{
		{PartitionKey: "k", Data: []byte("a")}, {PartitionKey: "k", Data: []byte("b")}, {PartitionKey: "k", Data: []byte("c")},
	}})
	require.NoError(t, err)
	second := out.Records[1].SequenceNumber
	tests := []struct {
		typ  stream.IteratorType
		want []string
	}{
		{stream.AtSequenceNumber, []string{"b", "c"}}, // includes the record itself
		{stream.AfterSequenceNumber, []string{"c"}},   // starts past it
		{stream.TrimHorizon, []string{"a", "b", "c"}}, // the oldest record
	}
	for _, tt := range tests {
		it, err := tg.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: name, ShardID: out.Records[0].ShardID, Type: tt.typ, SequenceNumber: second})
		require.NoError(t, err, "%s", tt.typ)
		got, err := tg.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
		require.NoError(t, err, "%s", tt.typ)
		var data []string
		for _, r := range got.Records {
			data = append(data, string(r.Data))
		}
		assert.Equal(t, tt.want, data, "%s", tt.typ)
		assert.NotEmpty(t, got.NextShardIterator, "an open shard always has a next iterator")
	}

	// LATEST sees only what comes after it.
	it, err := tg.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: name, ShardID: out.Records[0].ShardID, Type: stream.Latest})
	require.NoError(t, err)
	_, err = tg.PutRecords(ctx, &stream.PutRecordsInput{StreamName: name, Records: []stream.Record{{PartitionKey: "k", Data: []byte("d")}}})
	require.NoError(t, err)
	got, err := tg.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
	require.NoError(t, err)
	require.Len(t, got.Records, 1)
	assert.Equal(t, "d", string(got.Records[0].Data))
	assert.Zero(t, got.MillisBehindLatest, "caught up")
}

func testListShardsPagination(ctx context.Context, t *testing.T, endpoint string) {
	// Pages of 2 for 5 shards: kinesis-mock pages with NextToken, kinesalite
	// ignores MaxResults and answers everything at once.
	tg := newTarget(t, endpoint, kinesis.WithListShardsPageSize(2))
	name := createStream(ctx, t, tg, 5)
	shards, err := tg.ListShards(ctx, name)
	require.NoError(t, err)
	var ids []string
	for _, s := range shards {
		ids = append(ids, s.ShardID)
	}
	assert.Equal(t, []string{
		"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003", "shardId-000000000004",
	}, ids, "every shard once, in order")
}

func testErrorMapping(ctx context.Context, t *testing.T, tg *kinesis.Target, caps serverCaps) {
	name := createStream(ctx, t, tg, 1)
	it, err := tg.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: name, ShardID: "shardId-000000000000", Type: stream.TrimHorizon})
	require.NoError(t, err)

	tests := []struct {
		name     string
		call     func() error
		wantCode string
	}{
		{"PutRecords to a missing stream", func() error {
			_, err := tg.PutRecords(ctx, &stream.PutRecordsInput{StreamName: "kinesim-missing", Records: []stream.Record{{PartitionKey: "k", Data: []byte("x")}}})
			return err
		}, stream.CodeNotFound},
		{"ListShards of a missing stream", func() error {
			_, err := tg.ListShards(ctx, "kinesim-missing")
			return err
		}, stream.CodeNotFound},
		{"GetShardIterator on a missing shard", func() error {
			_, err := tg.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: name, ShardID: "shardId-000000000099", Type: stream.TrimHorizon})
			return err
		}, stream.CodeNotFound},
		{"GetRecords with a malformed iterator", func() error {
			_, err := tg.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: "bogus"})
			return err
		}, caps.bogusIterator},
		{"GetRecords with Limit above 10,000", func() error {
			_, err := tg.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it, Limit: stream.MaxGetRecordsLimit + 1})
			return err
		}, caps.limitTooLarge},
		{"a malformed stream ARN", func() error {
			_, err := tg.ListShards(ctx, "arn:aws:kinesis:us-east-1:000000000000:table/x")
			return err
		}, stream.CodeInvalidArgument},
	}
	for _, tt := range tests {
		err := tt.call()
		var apiErr *stream.APIError
		if assert.ErrorAs(t, err, &apiErr, "%s", tt.name) {
			assert.Equal(t, tt.wantCode, apiErr.Code, "%s: %v", tt.name, err)
		}
	}

	// A canceled context is the caller's doing, not the service's answer.
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = tg.PutRecords(canceled, &stream.PutRecordsInput{StreamName: name, Records: []stream.Record{{PartitionKey: "k", Data: []byte("x")}}})
	assert.ErrorIs(t, err, context.Canceled)
	var apiErr *stream.APIError
	assert.False(t, errors.As(err, &apiErr), "a canceled call is no APIError: %v", err)
}

func testSplitAndMerge(ctx context.Context, t *testing.T, tg *kinesis.Target, caps serverCaps) {
	name := createStream(ctx, t, tg, 2)
	_, err := tg.PutRecords(ctx, &stream.PutRecordsInput{StreamName: name, Records: []stream.Record{
		{PartitionKey: "k", ExplicitHashKey: "1", Data: []byte("before split")},
	}})
	require.NoError(t, err)

	// Split shard 0 in the middle of its range.
	require.NoError(t, tg.SplitShard(ctx, &stream.SplitShardInput{
		StreamName: name, ShardToSplit: "shardId-000000000000", NewStartingHashKey: "85070591730234615865843651857942052864",
	}))
	shards, err := tg.ListShards(ctx, name)
	require.NoError(t, err)
	require.Len(t, shards, 4, "two parents and two children")
	assert.False(t, shards[0].Open(), "the split parent is closed")
	for _, child := range shards[2:] {
		assert.Equal(t, "shardId-000000000000", child.ParentShardID, "%s's parent", child.ShardID)
		assert.True(t, child.Open())
	}

	// The closed parent reads to its end: no next iterator, and the
	// children where the server reports them.
	it, err := tg.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: name, ShardID: "shardId-000000000000", Type: stream.TrimHorizon})
	require.NoError(t, err)
	var read []string
	var last *stream.GetRecordsOutput
	for range 10 {
		last, err = tg.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
		require.NoError(t, err)
		for _, r := range last.Records {
			read = append(read, string(r.Data))
		}
		if last.NextShardIterator == "" {
			break
		}
		it = last.NextShardIterator
	}
	assert.Equal(t, []string{"before split"}, read)
	assert.Empty(t, last.NextShardIterator, "a closed shard read to its end has no next iterator")
	if caps.childShards {
		var ids []string
		for _, c := range last.ChildShards {
			ids = append(ids, c.ShardID)
			assert.Equal(t, []string{"shardId-000000000000"}, c.ParentShards)
		}
		slices.Sort(ids)
		assert.Equal(t, []string{"shardId-000000000002", "shardId-000000000003"}, ids, "ChildShards at the parent's end")
	}

	// Merge the two children back.
	require.NoError(t, tg.MergeShards(ctx, &stream.MergeShardsInput{
		StreamName: name, ShardToMerge: "shardId-000000000002", AdjacentShardToMerge: "shardId-000000000003",
	}))
	shards, err = tg.ListShards(ctx, name)
	require.NoError(t, err)
	require.Len(t, shards, 5)
	merged := shards[4]
	assert.True(t, merged.Open())
	assert.Equal(t, "shardId-000000000002", merged.ParentShardID)
	assert.Equal(t, "shardId-000000000003", merged.AdjacentParentShardID)
	assert.Equal(t, shards[0].HashKeyRange, merged.HashKeyRange, "the merged shard covers the split parent's range")
}

func testUpdateShardCount(ctx context.Context, t *testing.T, tg *kinesis.Target, caps serverCaps) {
	name := createStream(ctx, t, tg, 2)
	err := tg.UpdateShardCount(ctx, &stream.UpdateShardCountInput{StreamName: name, TargetShardCount: 4})
	if !caps.updateShardCount {
		var apiErr *stream.APIError
		require.ErrorAs(t, err, &apiErr, "UpdateShardCount on a server without it")
		assert.Equal(t, "UnknownOperationException", apiErr.Code)
		return
	}
	require.NoError(t, err)
	sum, err := tg.DescribeStreamSummary(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, stream.StatusActive, sum.Status, "UpdateShardCount returns once the stream is ACTIVE again")
	assert.Equal(t, 4, sum.OpenShardCount)
	shards, err := tg.ListShards(ctx, name)
	require.NoError(t, err)
	open := 0
	for _, s := range shards {
		if s.Open() {
			open++
		}
	}
	assert.Equal(t, 4, open, "open shards after scaling 2 -> 4")
}

func testTags(ctx context.Context, t *testing.T, tg *kinesis.Target, caps serverCaps) {
	name := fmt.Sprintf("kinesim-tags-%d", streamSeq.Add(1))
	runID := fmt.Sprintf("run-%d", time.Now().UnixNano())
	require.NoError(t, tg.CreateStream(ctx, &stream.CreateStreamInput{
		StreamName: name, ShardCount: 1, Tags: map[string]string{stream.TagRunID: runID},
	}))
	defer func() { assert.NoError(t, tg.DeleteStream(context.WithoutCancel(ctx), name)) }()
	tags, err := tg.StreamTags(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, runID, tags[stream.TagRunID], "tagged at creation (tags on create: %v)", caps.tagsOnCreate)

	tagged, err := tg.StreamsTagged(ctx, stream.TagRunID, runID)
	require.NoError(t, err)
	assert.Equal(t, []string{name}, tagged, "StreamsTagged finds the stream by its run id")
}

func testByARN(ctx context.Context, t *testing.T, tg *kinesis.Target) {
	name := createStream(ctx, t, tg, 1)
	sum, err := tg.DescribeStreamSummary(ctx, name)
	require.NoError(t, err)
	arn := sum.ARN
	require.Equal(t, "arn:aws:kinesis:us-east-1:000000000000:stream/"+name, arn)

	out, err := tg.PutRecords(ctx, &stream.PutRecordsInput{StreamName: arn, Records: []stream.Record{{PartitionKey: "k", Data: []byte("by arn")}}})
	require.NoError(t, err)
	require.Zero(t, out.FailedRecordCount)
	shards, err := tg.ListShards(ctx, arn)
	require.NoError(t, err)
	require.Len(t, shards, 1)
	it, err := tg.GetShardIterator(ctx, &stream.GetShardIteratorInput{StreamName: arn, ShardID: shards[0].ShardID, Type: stream.TrimHorizon})
	require.NoError(t, err)
	got, err := tg.GetRecords(ctx, &stream.GetRecordsInput{ShardIterator: it})
	require.NoError(t, err)
	require.Len(t, got.Records, 1)
	assert.Equal(t, "by arn", string(got.Records[0].Data))
}

func testPutRecord(ctx context.Context, t *testing.T, tg *kinesis.Target) {
	name := createStream(ctx, t, tg, 2)
	out, err := tg.PutRecord(ctx, &stream.PutRecordInput{StreamName: name, Record: stream.Record{
		PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("single"),
	}})
	require.NoError(t, err)
	assert.Equal(t, "shardId-000000000001", out.ShardID, "the explicit hash key routes it")
	assert.NotEmpty(t, out.SequenceNumber)

	got := readAll(ctx, t, tg, name)
	require.Len(t, got[out.ShardID], 1)
	assert.Equal(t, out.SequenceNumber, got[out.ShardID][0].SequenceNumber)
	assert.Equal(t, "single", string(got[out.ShardID][0].Data))

	_, err = tg.PutRecord(ctx, &stream.PutRecordInput{StreamName: "kinesim-missing", Record: stream.Record{PartitionKey: "k", Data: []byte("x")}})
	assert.ErrorIs(t, err, stream.ErrNotFound)
}

func testRetention(ctx context.Context, t *testing.T, tg *kinesis.Target) {
	name := createStream(ctx, t, tg, 1)
	for _, period := range []time.Duration{48 * time.Hour, 36 * time.Hour, stream.DefaultRetention} {
		require.NoError(t, tg.SetRetentionPeriod(ctx, name, period), "to %v", period)
		sum, err := tg.DescribeStreamSummary(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, period, sum.Retention, "after setting %v", period)
	}
	assert.ErrorIs(t, tg.SetRetentionPeriod(ctx, name, 90*time.Minute), stream.ErrInvalidArgument, "not whole hours")
	assert.ErrorIs(t, tg.SetRetentionPeriod(ctx, name, time.Hour), stream.ErrInvalidArgument, "below 24 h")
}
