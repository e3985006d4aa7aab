package s3dest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
	"github.com/kinesim/kinesim/stream/firehose/s3dest"
	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

// TestFolderListsTheStreamsObjects: the folder store and reader agree:
// keys, sizes and the delivery time as LastModified; other streams'
// objects, files outside the prefix and unfinished files are left out.
func TestFolderListsTheStreamsObjects(t *testing.T) {
	root := t.TempDir()
	store := emulated.FolderStore{Root: root}
	ctx := context.Background()
	at := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	for _, key := range []string{"logs/2026/12/08/10/web-1-a", "logs/2026/12/08/10/other-1-b", "elsewhere/web-1-c", "logs/2026/12/08/11/web-1-d"} {
		_, err := store.PutObject(ctx, "bucket", key, []byte(key), at)
		require.NoError(t, err)
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "bucket", "logs", ".kinesim-123"), []byte("partial"), 0o644))
	folder := s3dest.Folder{Root: root, Bucket: "bucket", Prefix: "logs/"}
	var got []delivery.Object
	require.NoError(t, folder.Objects(ctx, "web", func(o delivery.Object) error { got = append(got, o); return nil }))
	require.Len(t, got, 2)
	assert.Equal(t, "logs/2026/12/08/10/web-1-a", got[0].Key)
	assert.Equal(t, "logs/2026/12/08/11/web-1-d", got[1].Key)
	assert.Equal(t, at, got[0].LastModified, "the delivery time on the emulator's clock")
	assert.Equal(t, int64(len(got[0].Key)), got[0].Size)
	body, err := folder.Read(ctx, got[1])
	require.NoError(t, err)
	assert.Equal(t, got[1].Key, string(body))

	none := s3dest.Folder{Root: t.TempDir(), Bucket: "missing"}
	assert.NoError(t, none.Objects(ctx, "web", func(delivery.Object) error { t.Fatal("no objects"); return nil }), "nothing delivered is no error")
}

// TestBucketAgainstS3rver: put, list (by stream and prefix) and read on a
// real S3-compatible server.
func TestBucketAgainstS3rver(t *testing.T) {
	s3 := kinesistest.StartS3rver(t, "bucket")
	t.Setenv("AWS_ACCESS_KEY_ID", kinesistest.S3AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", kinesistest.S3SecretAccessKey)
	ctx := context.Background()
	b, err := s3dest.OpenBucket(ctx, "bucket", "logs/", s3dest.Options{Endpoint: s3.Endpoint, Region: "us-east-1"})
	require.NoError(t, err)
	defer b.Close()
	for _, key := range []string{"logs/web-1-a.gz", "logs/other-1-b", "elsewhere/web-1-c"} {
		where, err := b.PutObject(ctx, "bucket", key, []byte(key), time.Now())
		require.NoError(t, err)
		assert.Equal(t, "s3://bucket/"+key, where)
	}
	var got []delivery.Object
	require.NoError(t, b.Objects(ctx, "web", func(o delivery.Object) error { got = append(got, o); return nil }))
	require.Len(t, got, 1)
	assert.Equal(t, "logs/web-1-a.gz", got[0].Key)
	assert.WithinDuration(t, time.Now(), got[0].LastModified, time.Minute)
	body, err := b.Read(ctx, got[0])
	require.NoError(t, err)
	assert.Equal(t, "logs/web-1-a.gz", string(body))
	assert.Equal(t, "s3://bucket/logs/ at "+s3.Endpoint, b.String())
}
