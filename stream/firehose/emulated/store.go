package emulated

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// ObjectStore is where the emulator puts the objects it delivers: a folder
// (FolderStore, the default) or an S3-compatible server (package
// stream/firehose/s3dest). PutObject is called from delivering goroutines,
// concurrently; modified is the delivery time on the emulator's clock.
type ObjectStore interface {
	// PutObject stores body as bucket/key and returns where it is (a path
	// or an s3:// URL) for Object.Path. An error fails the delivery
	// attempt, which is retried as a failed S3 write is.
	PutObject(ctx context.Context, bucket, key string, body []byte, modified time.Time) (string, error)
}

// FolderStore writes each object to Root/<bucket>/<key>, atomically (temp
// file and rename: a reader never sees part of an object), with the file's
// modification time set to the delivery time, so a reader of the folder
// gets S3's LastModified on the emulator's clock, virtual or not.
type FolderStore struct{ Root string }

// PutObject writes the object's file.
func (f FolderStore) PutObject(_ context.Context, bucket, key string, body []byte, modified time.Time) (string, error) {
	path := filepath.Join(f.Root, bucket, filepath.FromSlash(key))
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".kinesim-*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(tmp.Name(), modified, modified)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return "", err
	}
	return path, nil
}
