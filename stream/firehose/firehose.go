// Package firehose is kinesim's driver for Amazon Data Firehose (or any
// Firehose-compatible endpoint, such as kinesim's own emulator served by
// stream/firehose/emulated/server), through aws-sdk-go-v2's firehose client.
// It satisfies delivery.Target: PutRecordBatch with per-record results
// (FailedPutCount, ErrorCode, ErrorMessage), PutRecord, and
// Create/Describe/Delete/List of Direct PUT streams with an extended S3
// destination.
//
// The SDK's own retries are off: kinesim's producer retries failed records
// itself, with its own backoff, and counts every attempt. Errors the service
// answers come back as *delivery.APIError with the service's code, so
// errors.Is(err, delivery.ErrThrottled) works as with the emulator.
//
// A *Target is safe for concurrent use.
package firehose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"

	"github.com/kinesim/kinesim/stream/delivery"
)

// Target is a Firehose endpoint.
type Target struct {
	client *firehose.Client
	opts   options
}

var _ delivery.Target = (*Target)(nil)

// New loads the AWS configuration (default chain unless options say
// otherwise) and returns a Target.
func New(ctx context.Context, opts ...Option) (*Target, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns = max(tr.MaxIdleConns, o.maxInFlight)
		tr.MaxIdleConnsPerHost = o.maxInFlight
	})
	loadOpts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	}
	if o.region != "" {
		loadOpts = append(loadOpts, config.WithRegion(o.region))
	}
	if o.profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(o.profile))
	}
	if o.staticCreds {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.accessKeyID, o.secretAccessKey, o.sessionToken)))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set one with AWS_REGION, a profile or the target's region")
	}
	client := firehose.NewFromConfig(cfg, func(fo *firehose.Options) {
		// Wrapped here, after LoadDefaultConfig has set up the buildable
		// client (an AWS_CA_BUNDLE needs its transport options).
		fo.HTTPClient = bodyWithoutWriteTo{fo.HTTPClient}
		if o.endpoint != "" {
			fo.BaseEndpoint = aws.String(o.endpoint)
		}
	})
	return &Target{client: client, opts: o}, nil
}

// bodyWithoutWriteTo hides request bodies' WriteTo from net/http; see
// stream/kinesis's httpclient.go for the smithy-go behaviour this avoids
// (calls to a fast server failing after the server took the records).
type bodyWithoutWriteTo struct{ next aws.HTTPClient }

func (c bodyWithoutWriteTo) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return c.next.Do(req)
}

// PutRecordBatch puts up to 500 records, answering each in request order.
func (t *Target) PutRecordBatch(ctx context.Context, in *delivery.PutRecordBatchInput) (*delivery.PutRecordBatchOutput, error) {
	records := make([]types.Record, len(in.Records))
	for i, r := range in.Records {
		records[i].Data = nonNil(r.Data)
	}
	out, err := t.client.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(in.DeliveryStreamName), Records: records})
	if err != nil {
		return nil, apiError("PutRecordBatch", err)
	}
	if len(out.RequestResponses) != len(in.Records) {
		return nil, fmt.Errorf("PutRecordBatch answered %d results for %d records", len(out.RequestResponses), len(in.Records))
	}
	res := &delivery.PutRecordBatchOutput{FailedPutCount: int(aws.ToInt32(out.FailedPutCount)), Encrypted: aws.ToBool(out.Encrypted), Entries: make([]delivery.PutRecordBatchEntry, len(out.RequestResponses))}
	for i, r := range out.RequestResponses {
		res.Entries[i] = delivery.PutRecordBatchEntry{RecordID: aws.ToString(r.RecordId), ErrorCode: aws.ToString(r.ErrorCode), ErrorMessage: aws.ToString(r.ErrorMessage)}
	}
	return res, nil
}

// PutRecord puts one record and returns its RecordId.
func (t *Target) PutRecord(ctx context.Context, name string, r delivery.Record) (string, error) {
	out, err := t.client.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String(name), Record: &types.Record{Data: nonNil(r.Data)}})
	if err != nil {
		return "", apiError("PutRecord", err)
	}
	return aws.ToString(out.RecordId), nil
}

// nonNil makes an empty record's data non-nil: the SDK rejects a nil Data
// as a missing member, where Firehose takes an empty blob.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// apiError turns an error the service answered into a *delivery.APIError
// (wrapped with the operation's name); transport errors are wrapped as they
// are.
func apiError(op string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %w", op, &delivery.APIError{Code: ae.ErrorCode(), Message: ae.ErrorMessage()})
	}
	return fmt.Errorf("%s: %w", op, err)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
