package emulated_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

func records(n, size int) []delivery.Record {
	rs := make([]delivery.Record, n)
	for i := range rs {
		rs[i].Data = make([]byte, size)
	}
	return rs
}

// TestBatchLimits: PutRecordBatch's fixed limits fail the whole call with
// Firehose's codes, and nothing of it is taken.
func TestBatchLimits(t *testing.T) {
	cases := []struct {
		name    string
		stream  string
		records []delivery.Record
		code    string
		message string
	}{
		// 501 records break the API model's 1-500.
		{"too many records", "logs", records(501, 1), delivery.CodeValidation,
			"1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"},
		// An empty batch breaks the lower bound.
		{"no records", "logs", nil, delivery.CodeValidation,
			"1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		// The third record is 1 byte over 1,000 KiB.
		{"record too large", "logs", append(records(2, 10), delivery.Record{Data: make([]byte, 1_024_001)}), delivery.CodeValidation,
			"1 validation error detected: Value at 'records.3.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000"},
		// Five records of 1,000,000 bytes are over 4 MiB together.
		{"batch too large", "logs", records(5, 1_000_000), delivery.CodeInvalidArgument, "Records size exceeds 4 MB limit"},
		// A stream that does not exist.
		{"no such stream", "nope", records(1, 1), delivery.CodeNotFound, "Firehose stream nope under account 111111111111 not found."},
	}
	e, v, _, _ := newVirtual(t)
	create(t, e, delivery.Config{Name: "logs"})
	v.Run(func() {
		for _, tc := range cases {
			_, err := e.PutRecordBatch(context.Background(), &delivery.PutRecordBatchInput{DeliveryStreamName: tc.stream, Records: tc.records})
			require.Error(t, err, tc.name)
			api := asAPI(t, err)
			assert.Equal(t, tc.code, api.Code, tc.name)
			assert.Equal(t, tc.message, api.Message, tc.name)
		}
		// Exactly at the limits is fine: 4 records of 1,000 KiB and 500 records.
		out := put(t, e, "logs", records(4, 1_024_000))
		assert.Zero(t, out.FailedPutCount)
		out = put(t, e, "logs", records(500, 1))
		assert.Len(t, out.Entries, 500)
		require.NoError(t, e.Flush(context.Background(), "logs"))
	})
	st, err := e.Stats("logs")
	require.NoError(t, err)
	assert.Equal(t, int64(504), st.IncomingRecords, "only the valid calls were taken")
}

// TestGzipAndNewlines: a GZIP stream writes .gz objects that decompress to
// the records, each followed by a newline.
func TestGzipAndNewlines(t *testing.T) {
	e, v, seen, root := newVirtual(t)
	create(t, e, delivery.Config{Name: "logs", Compression: delivery.GZIP, AppendNewline: true})
	v.Run(func() {
		put(t, e, "logs", idRecords(0, 500))
		put(t, e, "logs", idRecords(500, 500))
		require.NoError(t, e.Flush(context.Background(), "logs"))
	})
	objs := seen.sorted()
	require.Len(t, objs, 1)
	assert.True(t, strings.HasSuffix(objs[0].Key, ".gz"), "key %s ends in .gz", objs[0].Key)
	assert.Less(t, objs[0].StoredBytes, objs[0].DataBytes, "compressed")
	assertEachIDOnce(t, readLines(t, root), 1000)
}

// TestLifecycle covers Create, Describe, List and Delete and their errors.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	e, v, seen, _ := newVirtual(t, emulated.WithMaxStreams(2), emulated.WithRegion("eu-west-1"))
	create(t, e, delivery.Config{Name: "a"})
	err := e.CreateDeliveryStream(ctx, delivery.Config{Name: "a"})
	assert.Equal(t, delivery.CodeInUse, asAPI(t, err).Code)
	create(t, e, delivery.Config{Name: "b", Buffering: delivery.BufferingHints{SizeInMBs: 64}})
	err = e.CreateDeliveryStream(ctx, delivery.Config{Name: "c"})
	assert.ErrorIs(t, err, delivery.ErrLimitExceeded)

	d, err := e.DescribeDeliveryStream(ctx, "b")
	require.NoError(t, err)
	assert.Equal(t, delivery.StatusActive, d.Status)
	assert.Equal(t, "1", d.VersionID)
	assert.Equal(t, "arn:aws:firehose:eu-west-1:111111111111:deliverystream/b", d.ARN)
	assert.Equal(t, delivery.BufferingHints{SizeInMBs: 64, IntervalInSeconds: 300}, d.Buffering, "defaults filled in")
	assert.Equal(t, delivery.Uncompressed, d.Compression)

	names, err := e.ListDeliveryStreams(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, names)

	v.Run(func() {
		put(t, e, "a", idRecords(0, 3))
		require.NoError(t, e.DeleteDeliveryStream(ctx, "a"))
		require.NoError(t, e.Drain(ctx))
	})
	assert.ErrorIs(t, e.DeleteDeliveryStream(ctx, "a"), delivery.ErrNotFound)
	_, err = e.DescribeDeliveryStream(ctx, "a")
	assert.ErrorIs(t, err, delivery.ErrNotFound)
	require.Len(t, seen.sorted(), 1, "the deleted stream's buffer was still delivered")
}
