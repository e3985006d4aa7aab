package delivery

import (
	"context"
	"time"
)

// Object is one object a delivery stream delivered, as a reader of its
// destination lists it.
type Object struct {
	Bucket string
	Key    string
	// Size is the stored size (after compression).
	Size int64
	// LastModified is when the object was written: S3's LastModified, the
	// time DeliveryToS3.DataFreshness is measured to.
	LastModified time.Time
}

// Destination reads a delivery stream's S3 destination back: a folder the
// emulator wrote, or a bucket on S3 or an S3-compatible server.
// Implementations are safe for concurrent use.
type Destination interface {
	// Objects calls fn for each object under the destination's prefix
	// whose name says the named delivery stream wrote it, in key order,
	// until fn returns an error (which Objects returns).
	Objects(ctx context.Context, streamName string, fn func(Object) error) error
	// Read returns an object's stored bytes.
	Read(ctx context.Context, o Object) ([]byte, error)
	// String names the destination for reports (a path or s3://bucket/prefix).
	String() string
}

// WrittenBy reports whether an object key names the delivery stream as its
// writer: Firehose names objects <prefix><stream>-<version>-<time>-<uuid>.
func WrittenBy(key, streamName string) bool {
	base := key
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '/' {
			base = key[i+1:]
			break
		}
	}
	return len(base) > len(streamName)+1 && base[:len(streamName)] == streamName && base[len(streamName)] == '-'
}
