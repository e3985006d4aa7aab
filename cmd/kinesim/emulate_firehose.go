package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/kinesim/kinesim/stream/firehose/emulated"
	fhserver "github.com/kinesim/kinesim/stream/firehose/emulated/server"
	"github.com/kinesim/kinesim/stream/firehose/s3dest"
)

// DefaultFirehoseDir is the folder `kinesim emulate` delivers Firehose
// objects to unless --firehose-dir or --firehose-s3-endpoint says otherwise.
const DefaultFirehoseDir = "firehose-s3"

// firehoseFlags are emulate's say in the Firehose API it serves beside Kinesis.
type firehoseFlags struct {
	dir        string
	s3Endpoint string
}

// withFirehose serves the Firehose API (X-Amz-Target Firehose_20150804.*,
// JSON 1.1) from an emulated delivery stream beside kinesis on one port:
// requests are routed by their X-Amz-Target. Objects go to f.dir, or to
// the S3-compatible server f.s3Endpoint (buckets must exist there).
func withFirehose(ctx context.Context, kinesis http.Handler, f firehoseFlags, region string, logger *slog.Logger, out io.Writer) (http.Handler, error) {
	opts := []emulated.Option{emulated.WithRegion(region)}
	where := "folder " + f.dir
	if f.s3Endpoint != "" {
		bucket, err := s3dest.OpenBucket(ctx, "", "", s3dest.Options{Endpoint: f.s3Endpoint, Region: region})
		if err != nil {
			return nil, err
		}
		opts = append(opts, emulated.WithObjectStore(bucket))
		where = "S3 at " + f.s3Endpoint
	}
	fh := fhserver.New(emulated.New(f.dir, opts...), fhserver.WithLogger(logger))
	fmt.Fprintf(out, "serving the Firehose API on the same address (delivery streams write objects to %s)\n", where)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fhserver.Handles(r) {
			fh.ServeHTTP(w, r)
			return
		}
		kinesis.ServeHTTP(w, r)
	}), nil
}
