package s3dest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kinesim/kinesim/stream/delivery"
)

// Bucket is a bucket on Amazon S3 or an S3-compatible server.
type Bucket struct {
	client *s3.Client
	// transport is the HTTP transport the SDK built, for Close.
	transport *atomic.Pointer[http.Transport]
	name      string
	prefix    string
	where     string
}

// Options say how to reach a bucket.
type Options struct {
	// Endpoint is an S3-compatible server's URL (path-style requests);
	// empty for Amazon S3 (the SDK's resolution).
	Endpoint string
	// Region; default the SDK's resolution, else us-east-1.
	Region  string
	Profile string
	// AccessKeyID and SecretAccessKey, when set, sign instead of the
	// default credential chain (local servers and tests).
	AccessKeyID, SecretAccessKey string
}

// OpenBucket returns the bucket name, reading objects under prefix.
func OpenBucket(ctx context.Context, name, prefix string, o Options) (*Bucket, error) {
	transport := &atomic.Pointer[http.Transport]{}
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { transport.Store(tr) })
	load := []func(*config.LoadOptions) error{config.WithHTTPClient(httpClient)}
	if o.Region != "" {
		load = append(load, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		load = append(load, config.WithSharedConfigProfile(o.Profile))
	}
	if o.AccessKeyID != "" {
		load = append(load, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.SecretAccessKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("s3: load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
			so.UsePathStyle = true
		}
		// S3-compatible servers do not all know the SDK's newer
		// checksums; ask for them only where an operation requires one.
		so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	where := "s3://" + name + "/" + prefix
	if o.Endpoint != "" {
		where += " at " + o.Endpoint
	}
	return &Bucket{client: client, transport: transport, name: name, prefix: prefix, where: where}, nil
}

// Close closes the bucket's idle connections (a server that stops waits
// for them). The Bucket may still be used; it reconnects.
func (b *Bucket) Close() {
	if tr := b.transport.Load(); tr != nil {
		tr.CloseIdleConnections()
	}
}

// PutObject stores an object the emulator delivers (emulated.ObjectStore).
// The server sets LastModified; bucket is the emulated stream's bucket.
func (b *Bucket) PutObject(ctx context.Context, bucket, key string, body []byte, _ time.Time) (string, error) {
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body)))})
	if err != nil {
		return "", fmt.Errorf("s3: put s3://%s/%s: %w", bucket, key, err)
	}
	return "s3://" + bucket + "/" + key, nil
}

// Objects lists the bucket's objects under the prefix written by the
// stream, a page (up to 1,000 keys) at a time, in key order.
func (b *Bucket) Objects(ctx context.Context, streamName string, fn func(delivery.Object) error) error {
	pages := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{Bucket: aws.String(b.name), Prefix: aws.String(b.prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("s3: list %s: %w", b.where, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if !delivery.WrittenBy(key, streamName) {
				continue
			}
			if err := fn(delivery.Object{Bucket: b.name, Key: key, Size: aws.ToInt64(o.Size), LastModified: aws.ToTime(o.LastModified).UTC()}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Read gets an object's bytes.
func (b *Bucket) Read(ctx context.Context, o delivery.Object) ([]byte, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key)})
	if err != nil {
		return nil, fmt.Errorf("s3: get s3://%s/%s: %w", o.Bucket, o.Key, err)
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func (b *Bucket) String() string { return b.where }
