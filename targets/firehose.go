package targets

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/runner"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream/delivery"
	"github.com/kinesim/kinesim/stream/delivery/asstream"
	"github.com/kinesim/kinesim/stream/firehose"
	"github.com/kinesim/kinesim/stream/firehose/emulated"
	"github.com/kinesim/kinesim/stream/firehose/s3dest"
)

// DestinationFolder is the run folder's subfolder the emulated delivery
// stream writes its bucket to unless firehose.dir says otherwise.
const DestinationFolder = "s3"

// DefaultSettleGrace is what a run on Amazon Data Firehose waits past the
// buffering interval before reading the bucket back, unless firehose.settle
// says: Firehose delivers "when either is reached", and its delivery takes
// a little longer than the interval.
const DefaultSettleGrace = time.Minute

// PlaceholderRoleARN is the role given to a Firehose-compatible endpoint
// (target.endpoint) when the scenario names none: such endpoints check none.
const PlaceholderRoleARN = "arn:aws:iam::111111111111:role/kinesim-firehose"

// DestinationConfig is the delivery stream configuration a firehose target
// creates (its name and tags are the run's).
func DestinationConfig(t scenarios.Target) delivery.Config {
	f := t.Firehose
	cfg := delivery.Config{
		BucketARN:         delivery.BucketARN(f.Bucket),
		RoleARN:           f.RoleARN,
		Prefix:            f.Prefix,
		ErrorOutputPrefix: f.ErrorPrefix,
		Buffering: delivery.BufferingHints{
			SizeInMBs:         f.Buffering.SizeOrDefault(),
			IntervalInSeconds: int(f.Buffering.IntervalOrDefault() / time.Second),
			ZeroBuffering:     f.Buffering.IntervalOrDefault() == 0,
		},
		Compression:   delivery.Uncompressed,
		AppendNewline: f.Newline,
	}
	if f.Compression == scenarios.CompressionGZIP {
		cfg.Compression = delivery.GZIP
	}
	if cfg.RoleARN == "" && t.Endpoint != "" {
		cfg.RoleARN = PlaceholderRoleARN
	}
	return cfg
}

// openFirehose opens a firehose target: the emulated delivery stream, or
// Amazon Data Firehose (or a compatible endpoint) behind the cost guard,
// each with the DeliveryCheck that reads its destination back.
func openFirehose(ctx context.Context, sc *scenarios.Scenario, o Options) (*Opened, error) {
	t := sc.Target
	f := t.Firehose
	cfg := DestinationConfig(t)
	check := &runner.DeliveryCheck{BufferSizeMB: cfg.Buffering.SizeInMBs,
		BufferInterval: time.Duration(cfg.Buffering.IntervalInSeconds) * time.Second, Compression: f.Compression}
	if f.Service == scenarios.FirehoseEmulated {
		emu, dest, err := openEmulatedFirehose(ctx, sc, o)
		if err != nil {
			return nil, err
		}
		check.Destination = dest
		// Everything accepted is delivered before the read-back, even
		// after a Ctrl-C: the emulator's buffers are the run's own.
		check.Settle = func(ctx context.Context) error { return emu.Drain(context.WithoutCancel(ctx)) }
		return &Opened{Target: asstream.New(emu, cfg), Delivery: check, close: closeDestination(dest)}, nil
	}
	opts := []firehose.Option{firehose.WithMaxInFlight(totalInFlight(sc))}
	if t.Endpoint != "" {
		opts = append(opts, firehose.WithEndpoint(t.Endpoint))
	}
	if t.Region != "" {
		opts = append(opts, firehose.WithRegion(t.Region))
	}
	if t.Profile != "" {
		opts = append(opts, firehose.WithProfile(t.Profile))
	}
	if t.Endpoint == "" && !t.Existing && !o.Yes && !t.AllowRealAWS {
		est, err := EstimateFirehoseCost(sc, nil)
		if err != nil {
			return nil, err
		}
		return nil, &CostGuardError{Endpoint: "Amazon Data Firehose", Estimate: est}
	}
	fh, err := firehose.New(ctx, opts...)
	if err != nil {
		return nil, err
	}
	bucket, err := s3dest.OpenBucket(ctx, f.Bucket, StaticPrefix(f.Prefix), s3dest.Options{Endpoint: f.S3Endpoint, Region: t.Region, Profile: t.Profile})
	if err != nil {
		return nil, err
	}
	check.Destination = bucket
	settle := f.Settle.D()
	if settle == 0 {
		settle = check.BufferInterval + DefaultSettleGrace
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	check.Settle = func(ctx context.Context) error {
		// A Ctrl-C cuts the wait short; what is there is read.
		_ = clk.Sleep(ctx, settle)
		return nil
	}
	endpoint := "Amazon Data Firehose"
	if t.Endpoint != "" {
		endpoint = t.Endpoint
	}
	return &Opened{Target: asstream.New(fh, cfg), Endpoint: endpoint, Delivery: check, close: bucket.Close}, nil
}

// closeDestination closes a bucket's connections; a folder has none.
func closeDestination(d delivery.Destination) func() {
	if b, ok := d.(*s3dest.Bucket); ok {
		return b.Close
	}
	return func() {}
}

// openEmulatedFirehose makes the emulated delivery stream on o.Clock,
// storing objects in a folder (firehose.dir, else the run folder's s3/) or
// on the S3-compatible server firehose.s3_endpoint, and the destination
// that reads them back.
func openEmulatedFirehose(ctx context.Context, sc *scenarios.Scenario, o Options) (*emulated.Emulator, delivery.Destination, error) {
	t := sc.Target
	f := t.Firehose
	region := t.Region
	if region == "" {
		region = "us-east-1"
	}
	opts := []emulated.Option{emulated.WithRegion(region), emulated.WithSeed(uint64(sc.Seed))}
	if o.Clock != nil {
		opts = append(opts, emulated.WithClock(o.Clock))
	}
	if q := f.Quota; q != nil {
		opts = append(opts, emulated.WithQuota(delivery.Quota{RecordsPerSecond: q.RecordsPerS, RequestsPerSecond: q.RequestsPerS, BytesPerSecond: int(q.BytesPerS)}))
	}
	dir := f.Dir
	if dir == "" {
		dir = filepath.Join(o.RunDir, DestinationFolder)
	}
	var dest delivery.Destination = s3dest.Folder{Root: dir, Bucket: f.Bucket, Prefix: StaticPrefix(f.Prefix)}
	if f.S3Endpoint != "" {
		bucket, err := s3dest.OpenBucket(ctx, f.Bucket, StaticPrefix(f.Prefix), s3dest.Options{Endpoint: f.S3Endpoint, Region: region, Profile: t.Profile})
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, emulated.WithObjectStore(bucket))
		dest = bucket
	}
	return emulated.New(dir, opts...), dest, nil
}

// StaticPrefix is the part of an S3 prefix before its first !{...}
// expression: every object key starts with it.
func StaticPrefix(prefix string) string {
	if i := strings.Index(prefix, "!{"); i >= 0 {
		return prefix[:i]
	}
	return prefix
}
