package firehose

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/kinesim/kinesim/stream/delivery"
)

// CreateDeliveryStream creates a Direct PUT stream with an extended S3
// destination and waits until it is ACTIVE.
func (t *Target) CreateDeliveryStream(ctx context.Context, cfg delivery.Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.BucketARN == "" || cfg.RoleARN == "" {
		return delivery.Errorf(delivery.CodeInvalidArgument, "delivery stream %s needs a BucketARN and a RoleARN for its S3 destination", cfg.Name)
	}
	h := cfg.Buffering.WithDefaults()
	s3 := &types.ExtendedS3DestinationConfiguration{
		BucketARN:      aws.String(cfg.BucketARN),
		RoleARN:        aws.String(cfg.RoleARN),
		BufferingHints: &types.BufferingHints{SizeInMBs: aws.Int32(int32(h.SizeInMBs)), IntervalInSeconds: aws.Int32(int32(h.IntervalInSeconds))},
	}
	if cfg.Prefix != "" {
		s3.Prefix = aws.String(cfg.Prefix)
	}
	if cfg.ErrorOutputPrefix != "" {
		s3.ErrorOutputPrefix = aws.String(cfg.ErrorOutputPrefix)
	}
	if cfg.Compression != "" {
		s3.CompressionFormat = types.CompressionFormat(cfg.Compression)
	}
	if cfg.AppendNewline {
		s3.ProcessingConfiguration = &types.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []types.Processor{{
			Type:       types.ProcessorTypeAppendDelimiterToRecord,
			Parameters: []types.ProcessorParameter{{ParameterName: types.ProcessorParameterNameDelimiter, ParameterValue: aws.String(`\n`)}},
		}}}
	}
	in := &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 aws.String(cfg.Name),
		DeliveryStreamType:                 types.DeliveryStreamTypeDirectPut,
		ExtendedS3DestinationConfiguration: s3,
	}
	for k, v := range cfg.Tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := t.client.CreateDeliveryStream(ctx, in); err != nil {
		return apiError("CreateDeliveryStream", err)
	}
	return t.waitFor(ctx, cfg.Name, func(d *delivery.Description, err error) (bool, error) {
		if err != nil {
			return false, err
		}
		return d.Status == delivery.StatusActive, nil
	})
}

// DescribeDeliveryStream describes a stream and its S3 destination.
func (t *Target) DescribeDeliveryStream(ctx context.Context, name string) (*delivery.Description, error) {
	out, err := t.client.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
	if err != nil {
		return nil, apiError("DescribeDeliveryStream", err)
	}
	d := out.DeliveryStreamDescription
	desc := &delivery.Description{
		Config:    delivery.Config{Name: aws.ToString(d.DeliveryStreamName)},
		ARN:       aws.ToString(d.DeliveryStreamARN),
		Status:    delivery.Status(d.DeliveryStreamStatus),
		VersionID: aws.ToString(d.VersionId),
		Created:   aws.ToTime(d.CreateTimestamp),
	}
	for _, dest := range d.Destinations {
		if s3 := dest.ExtendedS3DestinationDescription; s3 != nil {
			describeS3(&desc.Config, s3)
			break
		}
	}
	tags, err := t.tags(ctx, name)
	if err != nil {
		return nil, err
	}
	desc.Tags = tags
	return desc, nil
}

func describeS3(c *delivery.Config, s3 *types.ExtendedS3DestinationDescription) {
	c.BucketARN = aws.ToString(s3.BucketARN)
	c.RoleARN = aws.ToString(s3.RoleARN)
	c.Prefix = aws.ToString(s3.Prefix)
	c.ErrorOutputPrefix = aws.ToString(s3.ErrorOutputPrefix)
	c.Compression = delivery.Compression(s3.CompressionFormat)
	if h := s3.BufferingHints; h != nil {
		c.Buffering = delivery.BufferingHints{SizeInMBs: int(aws.ToInt32(h.SizeInMBs)), IntervalInSeconds: int(aws.ToInt32(h.IntervalInSeconds))}
		c.Buffering.ZeroBuffering = h.IntervalInSeconds != nil && *h.IntervalInSeconds == 0
	}
	if pc := s3.ProcessingConfiguration; pc != nil && aws.ToBool(pc.Enabled) {
		for _, p := range pc.Processors {
			c.AppendNewline = c.AppendNewline || p.Type == types.ProcessorTypeAppendDelimiterToRecord
		}
	}
}

// tags lists every tag of a stream, page by page.
func (t *Target) tags(ctx context.Context, name string) (map[string]string, error) {
	tags := map[string]string{}
	var start *string
	for {
		out, err := t.client.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String(name), ExclusiveStartTagKey: start})
		if err != nil {
			return nil, apiError("ListTagsForDeliveryStream", err)
		}
		for _, tag := range out.Tags {
			tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		if !aws.ToBool(out.HasMoreTags) || len(out.Tags) == 0 {
			return tags, nil
		}
		start = out.Tags[len(out.Tags)-1].Key
	}
}

// DeleteDeliveryStream deletes a stream and waits until it is gone.
func (t *Target) DeleteDeliveryStream(ctx context.Context, name string) error {
	if _, err := t.client.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String(name)}); err != nil {
		return apiError("DeleteDeliveryStream", err)
	}
	return t.waitFor(ctx, name, func(_ *delivery.Description, err error) (bool, error) {
		if errors.Is(err, delivery.ErrNotFound) {
			return true, nil
		}
		return false, err
	})
}

// ListDeliveryStreams lists every stream's name, page by page.
func (t *Target) ListDeliveryStreams(ctx context.Context) ([]string, error) {
	var names []string
	var start *string
	for {
		out, err := t.client.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{ExclusiveStartDeliveryStreamName: start})
		if err != nil {
			return nil, apiError("ListDeliveryStreams", err)
		}
		names = append(names, out.DeliveryStreamNames...)
		if !aws.ToBool(out.HasMoreDeliveryStreams) || len(out.DeliveryStreamNames) == 0 {
			return names, nil
		}
		start = aws.String(names[len(names)-1])
	}
}

// waitFor describes the stream until done says so, the wait times out or
// ctx ends.
func (t *Target) waitFor(ctx context.Context, name string, done func(*delivery.Description, error) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, t.opts.waitTimeout)
	defer cancel()
	for {
		ok, err := done(t.DescribeDeliveryStream(ctx, name))
		if err != nil || ok {
			return err
		}
		if err := sleep(ctx, t.opts.pollEvery); err != nil {
			return fmt.Errorf("waiting for delivery stream %s to settle (at most %s): %w", name, t.opts.waitTimeout, err)
		}
	}
}
