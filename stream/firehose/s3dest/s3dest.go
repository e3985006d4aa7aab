// Package s3dest is a delivery stream's S3 destination on both sides: it
// stores the emulated delivery stream's objects (emulated.ObjectStore) and
// reads delivered objects back (delivery.Destination), from a folder the
// emulator wrote (Folder) or from a bucket on Amazon S3 or any
// S3-compatible server (Bucket, through aws-sdk-go-v2's s3 client with an
// endpoint override and path-style addressing).
//
// Folder and *Bucket are safe for concurrent use.
package s3dest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
)

// Folder is a bucket the emulator wrote to a folder: Root/<Bucket>/<key>,
// each file's modification time the object's LastModified.
type Folder struct {
	Root   string
	Bucket string
	// Prefix limits the objects read to keys that start with it.
	Prefix string
}

var (
	_ delivery.Destination = Folder{}
	_ emulated.ObjectStore = (*Bucket)(nil)
	_ delivery.Destination = (*Bucket)(nil)
)

// Objects lists the folder's objects written by the stream, in the order
// of their paths (WalkDir's lexical order), holding none of them. Files
// the emulator is still writing (.kinesim-*) are skipped.
func (f Folder) Objects(ctx context.Context, streamName string, fn func(delivery.Object) error) error {
	dir := filepath.Join(f.Root, f.Bucket)
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir && os.IsNotExist(err) {
				return fs.SkipAll // nothing delivered
			}
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".kinesim-") {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, f.Prefix) || !delivery.WrittenBy(key, streamName) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(delivery.Object{Bucket: f.Bucket, Key: key, Size: info.Size(), LastModified: info.ModTime().UTC()})
	})
}

// Read reads an object's file.
func (f Folder) Read(_ context.Context, o delivery.Object) ([]byte, error) {
	return os.ReadFile(filepath.Join(f.Root, o.Bucket, filepath.FromSlash(o.Key)))
}

func (f Folder) String() string { return filepath.Join(f.Root, f.Bucket, filepath.FromSlash(f.Prefix)) }
