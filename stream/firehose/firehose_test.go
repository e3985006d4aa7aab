package firehose_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
	"github.com/kinesim/kinesim/stream/firehose/emulated/server"
)

// newDriver serves emu on loopback and returns the driver pointed at it.
func newDriver(t *testing.T, emu *emulated.Emulator) *firehose.Target {
	t.Helper()
	hs := httptest.NewServer(server.New(emu))
	t.Cleanup(hs.Close)
	t.Cleanup(func() { _ = emu.Drain(context.Background()) })
	tg, err := firehose.New(t.Context(),
		firehose.WithEndpoint(hs.URL),
		firehose.WithRegion("us-east-1"),
		firehose.WithStaticCredentials("AKIDEXAMPLE", "secret", ""),
		firehose.WithWait(10*time.Second, 10*time.Millisecond),
	)
	require.NoError(t, err)
	return tg
}

func config(name string) delivery.Config {
	return delivery.Config{
		Name:          name,
		BucketARN:     delivery.BucketARN("bucket"),
		RoleARN:       "arn:aws:iam::111111111111:role/firehose",
		Buffering:     delivery.BufferingHints{SizeInMBs: 1, IntervalInSeconds: 60},
		Compression:   delivery.GZIP,
		AppendNewline: true,
		Tags:          map[string]string{"kinesim:run": "r1"},
	}
}

// TestAdmin: create waits for ACTIVE and the description reads back what
// was created; list and delete.
func TestAdmin(t *testing.T) {
	ctx := t.Context()
	tg := newDriver(t, emulated.New(t.TempDir()))
	require.NoError(t, tg.CreateDeliveryStream(ctx, config("logs")))
	d, err := tg.DescribeDeliveryStream(ctx, "logs")
	require.NoError(t, err)
	want := config("logs")
	assert.Equal(t, want, d.Config)
	assert.Equal(t, delivery.StatusActive, d.Status)
	assert.Equal(t, "1", d.VersionID)
	assert.Equal(t, "arn:aws:firehose:us-east-1:111111111111:deliverystream/logs", d.ARN)

	err = tg.CreateDeliveryStream(ctx, config("logs"))
	assert.ErrorIs(t, err, delivery.ErrInUse)
	for i := range 12 { // more than one page of ListDeliveryStreams (10)
		require.NoError(t, tg.CreateDeliveryStream(ctx, config(fmt.Sprintf("s%02d", i))))
	}
	names, err := tg.ListDeliveryStreams(ctx)
	require.NoError(t, err)
	assert.Len(t, names, 13)
	assert.Equal(t, "logs", names[0])

	require.NoError(t, tg.DeleteDeliveryStream(ctx, "logs"))
	_, err = tg.DescribeDeliveryStream(ctx, "logs")
	assert.ErrorIs(t, err, delivery.ErrNotFound)
	var api *delivery.APIError
	require.True(t, errors.As(err, &api))
	assert.Equal(t, "Firehose stream logs under account 111111111111 not found.", api.Message)
	assert.ErrorIs(t, tg.DeleteDeliveryStream(ctx, "logs"), delivery.ErrNotFound)
}

// TestPutsArriveOnce: records put through the driver land in the
// emulator's folder exactly once; over the quota, PutRecordBatch answers
// per record and PutRecord fails as a whole, both matching ErrThrottled.
func TestPutsArriveOnce(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	// 800 records of burst refilling at 100 a second (one per 10 ms, far
	// slower than a loopback call), so the puts below drain it.
	emu := emulated.New(root,
		emulated.WithQuota(delivery.Quota{RecordsPerSecond: 100, RequestsPerSecond: 1000, BytesPerSecond: 1 << 20}),
		emulated.WithBurst(8*time.Second))
	tg := newDriver(t, emu)
	require.NoError(t, tg.CreateDeliveryStream(ctx, config("logs")))

	in := &delivery.PutRecordBatchInput{DeliveryStreamName: "logs"}
	for i := range 500 {
		in.Records = append(in.Records, delivery.Record{Data: fmt.Appendf(nil, "%d", i)})
	}
	out, err := tg.PutRecordBatch(ctx, in)
	require.NoError(t, err)
	assert.Zero(t, out.FailedPutCount)
	ids := map[string]bool{}
	for _, e := range out.Entries {
		require.False(t, e.Failed())
		ids[e.RecordID] = true
	}
	assert.Len(t, ids, 500, "record ids are unique")

	out, err = tg.PutRecordBatch(ctx, in)
	require.NoError(t, err, "a throttled batch still answers 200")
	assert.Positive(t, out.FailedPutCount, "the second 500 are over what is left of the burst")
	ok := len(out.Entries) - out.FailedPutCount
	for i, e := range out.Entries {
		if i < ok {
			assert.False(t, e.Failed(), "records are admitted in order: %d is in", i)
			continue
		}
		assert.Equal(t, delivery.CodeServiceUnavailable, e.ErrorCode, "record %d", i)
		assert.Equal(t, delivery.SlowDown, e.ErrorMessage, "record %d", i)
	}
	accepted := 1000 - out.FailedPutCount
	for range 5000 { // drain the records quota, then PutRecord fails as a whole
		_, err = tg.PutRecord(ctx, "logs", delivery.Record{Data: []byte("one")})
		if err != nil {
			break
		}
		accepted++
	}
	assert.ErrorIs(t, err, delivery.ErrThrottled)

	require.NoError(t, emu.Flush(ctx, "logs"))
	st, err := emu.Stats("logs")
	require.NoError(t, err)
	assert.Equal(t, int64(accepted), st.DeliveredRecords, "every accepted record delivered once")
	files := 0
	require.NoError(t, filepath.WalkDir(filepath.Join(root, "bucket"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
			assert.True(t, strings.HasSuffix(p, ".gz"))
		}
		return err
	}))
	assert.Equal(t, int(st.Objects), files)
}

// TestCallErrors: the whole-call failures come back as *delivery.APIError.
func TestCallErrors(t *testing.T) {
	ctx := t.Context()
	tg := newDriver(t, emulated.New(t.TempDir()))
	_, err := tg.PutRecordBatch(ctx, &delivery.PutRecordBatchInput{DeliveryStreamName: "nope", Records: []delivery.Record{{Data: []byte("x")}}})
	assert.ErrorIs(t, err, delivery.ErrNotFound)
	require.NoError(t, tg.CreateDeliveryStream(ctx, config("logs")))
	big := make([]delivery.Record, 501) // empty records: the driver sends empty blobs
	_, err = tg.PutRecordBatch(ctx, &delivery.PutRecordBatchInput{DeliveryStreamName: "logs", Records: big})
	assert.ErrorIs(t, err, delivery.ErrInvalidArgument, "501 records: ValidationException")
	cfg := config("bad")
	cfg.RoleARN = ""
	assert.ErrorIs(t, tg.CreateDeliveryStream(ctx, cfg), delivery.ErrInvalidArgument)
}
