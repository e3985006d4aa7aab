package server

import (
	"context"
	"sort"
	"strconv"

	"github.com/kinesim/kinesim/stream/delivery"
)

// Direct PUT is the only source type served; its name in the API.
const directPut = "DirectPut"

// destinationID is the id of a stream's only destination, as Firehose
// numbers them.
const destinationID = "destinationId-000000000001"

func putRecord(ctx context.Context, t delivery.Target, req *putRecordRequest) (any, error) {
	var v validation
	v.streamName(req.DeliveryStreamName)
	if req.Record == nil {
		v.add(nil, "record", "Member must not be null")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	id, err := t.PutRecord(ctx, *req.DeliveryStreamName, delivery.Record{Data: req.Record.Data})
	if err != nil {
		return nil, err
	}
	return putRecordResponse{RecordID: id}, nil
}

func putRecordBatch(ctx context.Context, t delivery.Target, req *putRecordBatchRequest) (any, error) {
	var v validation
	v.streamName(req.DeliveryStreamName)
	if req.Records == nil {
		v.add(nil, "records", "Member must not be null")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	in := &delivery.PutRecordBatchInput{DeliveryStreamName: *req.DeliveryStreamName, Records: make([]delivery.Record, len(req.Records))}
	for i, r := range req.Records {
		in.Records[i].Data = r.Data
	}
	out, err := t.PutRecordBatch(ctx, in)
	if err != nil {
		return nil, err
	}
	resp := putRecordBatchResponse{FailedPutCount: out.FailedPutCount, Encrypted: out.Encrypted, RequestResponses: make([]batchEntryJSON, len(out.Entries))}
	for i, e := range out.Entries {
		resp.RequestResponses[i] = batchEntryJSON{RecordID: e.RecordID, ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage}
	}
	return resp, nil
}

func createDeliveryStream(ctx context.Context, t delivery.Target, req *createRequest) (any, error) {
	cfg, err := configOf(req)
	if err != nil {
		return nil, err
	}
	if err := t.CreateDeliveryStream(ctx, cfg); err != nil {
		return nil, err
	}
	d, err := t.DescribeDeliveryStream(ctx, cfg.Name)
	if err != nil {
		return nil, err
	}
	return createResponse{DeliveryStreamARN: d.ARN}, nil
}

// configOf checks a CreateDeliveryStream request against the API model and
// what kinesim emulates, and turns it into a delivery.Config.
func configOf(req *createRequest) (delivery.Config, error) {
	var v validation
	v.streamName(req.DeliveryStreamName)
	v.oneOf(req.DeliveryStreamType, "deliveryStreamType", "DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource")
	s3, member := req.ExtendedS3DestinationConfiguration, "extendedS3DestinationConfiguration"
	if s3 == nil {
		s3, member = req.S3DestinationConfiguration, "s3DestinationConfiguration"
	}
	if s3 != nil {
		v.s3Config(s3, member)
	}
	if err := v.err(); err != nil {
		return delivery.Config{}, err
	}
	if req.DeliveryStreamType != nil && *req.DeliveryStreamType != directPut {
		return delivery.Config{}, delivery.Errorf(delivery.CodeInvalidArgument, "DeliveryStreamType %s is not emulated: kinesim serves DirectPut streams only", *req.DeliveryStreamType)
	}
	if s3 == nil || req.KinesisStreamSourceConfiguration != nil || otherDestination(req) {
		return delivery.Config{}, delivery.Errorf(delivery.CodeInvalidArgument, "kinesim emulates an ExtendedS3DestinationConfiguration (or S3DestinationConfiguration) destination only")
	}
	cfg := delivery.Config{Name: *req.DeliveryStreamName, BucketARN: *s3.BucketARN, RoleARN: *s3.RoleARN, Tags: map[string]string{}}
	if s3.Prefix != nil {
		cfg.Prefix = *s3.Prefix
	}
	if s3.ErrorOutputPrefix != nil {
		cfg.ErrorOutputPrefix = *s3.ErrorOutputPrefix
	}
	if s3.CompressionFormat != nil {
		cfg.Compression = delivery.Compression(*s3.CompressionFormat)
	}
	if h := s3.BufferingHints; h != nil {
		if h.SizeInMBs != nil {
			cfg.Buffering.SizeInMBs = int(*h.SizeInMBs)
		}
		if h.IntervalInSeconds != nil {
			cfg.Buffering.IntervalInSeconds = int(*h.IntervalInSeconds)
			cfg.Buffering.ZeroBuffering = *h.IntervalInSeconds == 0
		}
	}
	newline, err := appendsNewline(s3.ProcessingConfiguration)
	if err != nil {
		return delivery.Config{}, err
	}
	cfg.AppendNewline = newline
	for _, tag := range req.Tags {
		cfg.Tags[tag.Key] = deref(tag.Value)
	}
	return cfg, nil
}

func otherDestination(req *createRequest) bool {
	for _, raw := range [][]byte{req.RedshiftDestinationConfiguration, req.ElasticsearchDestinationConfig, req.AmazonopensearchserviceDestination, req.SplunkDestinationConfiguration, req.HTTPEndpointDestinationConfiguration} {
		if raw != nil {
			return true
		}
	}
	return false
}

// appendsNewline reads the processing configuration: only the
// AppendDelimiterToRecord processor with the default (newline) delimiter is
// emulated.
func appendsNewline(pc *processingConfigurationJSON) (bool, error) {
	if pc == nil || pc.Enabled == nil || !*pc.Enabled {
		return false, nil
	}
	newline := false
	for _, p := range pc.Processors {
		if p.Type != "AppendDelimiterToRecord" {
			return false, delivery.Errorf(delivery.CodeInvalidArgument, "processor %s is not emulated (kinesim has AppendDelimiterToRecord)", p.Type)
		}
		for _, param := range p.Parameters {
			if param.ParameterName != "Delimiter" || (param.ParameterValue != `\n` && param.ParameterValue != "\n") {
				return false, delivery.Errorf(delivery.CodeInvalidArgument, "AppendDelimiterToRecord parameter %s=%q is not emulated (kinesim appends a newline)", param.ParameterName, param.ParameterValue)
			}
		}
		newline = true
	}
	return newline, nil
}

func describeDeliveryStream(ctx context.Context, t delivery.Target, req *streamNameRequest) (any, error) {
	var v validation
	v.streamName(req.DeliveryStreamName)
	if err := v.err(); err != nil {
		return nil, err
	}
	d, err := t.DescribeDeliveryStream(ctx, *req.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	size, interval := int64(d.Buffering.SizeInMBs), int64(d.Buffering.IntervalInSeconds)
	s3 := &s3DescriptionJSON{
		BucketARN:               d.BucketARN,
		RoleARN:                 d.RoleARN,
		Prefix:                  d.Prefix,
		ErrorOutputPrefix:       d.ErrorOutputPrefix,
		BufferingHints:          bufferingHintsJSON{SizeInMBs: &size, IntervalInSeconds: &interval},
		CompressionFormat:       string(d.Compression),
		EncryptionConfiguration: encryptionJSON{NoEncryptionConfig: "NoEncryption"},
	}
	if d.AppendNewline {
		enabled := true
		s3.ProcessingConfiguration = &processingConfigurationJSON{Enabled: &enabled, Processors: []processorJSON{{Type: "AppendDelimiterToRecord"}}}
	}
	return describeResponse{DeliveryStreamDescription: descriptionJSON{
		DeliveryStreamName:   d.Name,
		DeliveryStreamARN:    d.ARN,
		DeliveryStreamStatus: string(d.Status),
		DeliveryStreamType:   directPut,
		VersionID:            d.VersionID,
		CreateTimestamp:      epochSeconds(d.Created),
		Destinations:         []destinationJSON{{DestinationID: destinationID, ExtendedS3DestinationDescription: s3, S3DestinationDescription: s3}},
	}}, nil
}

func deleteDeliveryStream(ctx context.Context, t delivery.Target, req *streamNameRequest) (any, error) {
	var v validation
	v.streamName(req.DeliveryStreamName)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := t.DeleteDeliveryStream(ctx, *req.DeliveryStreamName); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func listDeliveryStreams(ctx context.Context, t delivery.Target, req *listRequest) (any, error) {
	var v validation
	v.intRange(req.Limit, "limit", 1, 10000)
	v.oneOf(req.DeliveryStreamType, "deliveryStreamType", "DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource")
	v.stringLength(req.ExclusiveStartDeliveryStreamName, "exclusiveStartDeliveryStreamName", 1, 64)
	if err := v.err(); err != nil {
		return nil, err
	}
	names, err := t.ListDeliveryStreams(ctx)
	if err != nil {
		return nil, err
	}
	if req.DeliveryStreamType != nil && *req.DeliveryStreamType != directPut {
		names = nil // every served stream is DirectPut
	}
	sort.Strings(names)
	if start := deref(req.ExclusiveStartDeliveryStreamName); start != "" {
		i := sort.SearchStrings(names, start)
		if i < len(names) && names[i] == start {
			i++
		}
		names = names[i:]
	}
	limit := 10
	if req.Limit != nil {
		limit = int(*req.Limit)
	}
	resp := listResponse{DeliveryStreamNames: names}
	if len(names) > limit {
		resp.DeliveryStreamNames, resp.HasMoreDeliveryStreams = names[:limit], true
	}
	if resp.DeliveryStreamNames == nil {
		resp.DeliveryStreamNames = []string{}
	}
	return resp, nil
}

func listTagsForDeliveryStream(ctx context.Context, t delivery.Target, req *listTagsRequest) (any, error) {
	var v validation
	v.streamName(req.DeliveryStreamName)
	v.intRange(req.Limit, "limit", 1, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	d, err := t.DescribeDeliveryStream(ctx, *req.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(d.Tags))
	for k := range d.Tags {
		if k > deref(req.ExclusiveStartTagKey) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	limit := 50
	if req.Limit != nil {
		limit = int(*req.Limit)
	}
	resp := listTagsResponse{Tags: []tagJSON{}}
	for i, k := range keys {
		if i == limit {
			resp.HasMoreTags = true
			break
		}
		value := d.Tags[k]
		resp.Tags = append(resp.Tags, tagJSON{Key: k, Value: &value})
	}
	return resp, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// itoa64 formats a constraint bound.
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
