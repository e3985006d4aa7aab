package s3folder

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/stream/kinesis/kinesistest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Location
		wantErr bool
	}{
		{in: "s3://runs/load/2026/", want: Location{Bucket: "runs", Prefix: "load/2026/"}}, // a prefix
		{in: "s3://runs/load", want: Location{Bucket: "runs", Prefix: "load/"}},            // "/" added
		{in: "s3://runs", want: Location{Bucket: "runs"}},                                  // the bucket's root
		{in: "s3://runs/", want: Location{Bucket: "runs"}},
		{in: "s3:///load/", wantErr: true},     // no bucket
		{in: "/tmp/runs", wantErr: true},       // a folder, not S3
		{in: "s3://runs/a?x=1", wantErr: true}, // no queries
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.wantErr {
			assert.ErrorIs(t, err, ErrBadURL, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	assert.Equal(t, "s3://runs/load/segment-1/", Location{Bucket: "runs", Prefix: "load/"}.Join("segment-1").String())
}

// TestUploadAndDownloadAgainstS3rver round-trips a folder through a real
// S3-compatible server on loopback, with path-style addressing and the
// default credential chain (from the environment).
func TestUploadAndDownloadAgainstS3rver(t *testing.T) {
	srv := kinesistest.StartS3rver(t, "kinesim-runs")
	t.Setenv("AWS_ACCESS_KEY_ID", kinesistest.S3AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", kinesistest.S3SecretAccessKey)
	t.Setenv("AWS_REGION", "us-east-1")
	c, err := New(t.Context(), Options{Endpoint: srv.Endpoint})
	require.NoError(t, err)

	src := t.TempDir()
	files := map[string]string{"result.json": `{"schema_version":1}`, "latency.hlog": "#[StartTime: 1]\n", "ledger.bin": "KSL\x00\x01"}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(src, name), []byte(body), 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(src, "sub"), 0o755), "folders are not uploaded")
	root, err := Parse("s3://kinesim-runs/run-1/")
	require.NoError(t, err)
	require.NoError(t, c.Upload(t.Context(), src, root.Join("segment-0")))
	require.NoError(t, c.Upload(t.Context(), src, root.Join("segment-1")))

	listing, err := c.List(t.Context(), root)
	require.NoError(t, err)
	assert.Equal(t, []string{"segment-0", "segment-1"}, listing.Folders)
	assert.Empty(t, listing.Files)

	dst := filepath.Join(t.TempDir(), "copy")
	require.NoError(t, c.Download(t.Context(), root.Join("segment-1"), dst))
	for name, body := range files {
		got, err := os.ReadFile(filepath.Join(dst, name))
		require.NoError(t, err, name)
		assert.Equal(t, body, string(got), name)
	}
	entries, err := os.ReadDir(dst)
	require.NoError(t, err)
	assert.Len(t, entries, len(files))

	err = c.Upload(t.Context(), src, Location{Bucket: "no-such-bucket", Prefix: "x/"})
	assert.ErrorContains(t, err, "no-such-bucket")
}
