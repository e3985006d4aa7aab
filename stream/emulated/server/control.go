package server

import (
	"context"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/kinesim/kinesim/stream"
)

// Control plane: stream lifecycle, descriptions, listings, retention, tags.

// API model bounds of the control plane (Kinesis API reference).
const (
	maxTagsPerCall   = 10
	maxTagsPerStream = 50
	maxTagKeyLen     = 128
	maxTagValueLen   = 256
	defaultListLimit = 100 // DescribeStream's Limit, ListStreams' Limit
	// maxCreateShards bounds CreateStream's ShardCount so that one request
	// cannot make the process allocate without end. AWS's default account
	// quota is lower still (500 shards in the largest regions).
	maxCreateShards = 10000
)

func createStream(ctx context.Context, s *Server, req *createStreamRequest) (any, error) {
	var v validation
	requiredString(&v, req.StreamName, "streamName")
	stringLength(&v, req.StreamName, "streamName", 1, 128)
	intRange(&v, req.ShardCount, "shardCount", 1, 1<<31-1)
	if req.StreamModeDetails != nil {
		mode := req.StreamModeDetails.StreamMode
		oneOf(&v, &mode, "streamModeDetails.streamMode", string(stream.ModeProvisioned), string(stream.ModeOnDemand))
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkTags(req.Tags, maxTagsPerStream); err != nil {
		return nil, err
	}
	in := &stream.CreateStreamInput{StreamName: *req.StreamName, Tags: req.Tags}
	if req.StreamModeDetails != nil {
		in.Mode = stream.StreamMode(req.StreamModeDetails.StreamMode)
	}
	if req.ShardCount != nil {
		in.ShardCount = int(*req.ShardCount)
	}
	if in.Mode != stream.ModeOnDemand && req.ShardCount == nil {
		return nil, invalidArgument("ShardCount is required for a PROVISIONED stream")
	}
	if in.ShardCount > maxCreateShards {
		return nil, stream.Errorf(stream.CodeLimitExceeded, "ShardCount %d: this server creates streams of at most %d shards", in.ShardCount, maxCreateShards)
	}
	return struct{}{}, s.CreateStream(ctx, in)
}

// CreateStream creates a stream on the emulator and records its mode and
// tags, as the CreateStream operation does.
func (s *Server) CreateStream(ctx context.Context, in *stream.CreateStreamInput) error {
	if err := s.emu.CreateStream(ctx, in); err != nil {
		return err
	}
	mode := in.Mode
	if mode == "" {
		mode = stream.ModeProvisioned
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMeta(in.StreamName, mode)
	maps.Copy(m.tags, in.Tags)
	s.streams[in.StreamName] = m
	return nil
}

func deleteStream(ctx context.Context, s *Server, req *deleteStreamRequest) (any, error) {
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	return struct{}{}, s.DeleteStream(ctx, name)
}

// DeleteStream deletes a stream from the emulator and forgets its tags. The
// stream is gone at once (AWS shows it DELETING for a while).
func (s *Server) DeleteStream(ctx context.Context, name string) error {
	err := s.emu.DeleteStream(ctx, name)
	s.mu.Lock()
	delete(s.streams, name)
	s.mu.Unlock()
	return err
}

func describeStream(ctx context.Context, s *Server, req *describeStreamRequest) (any, error) {
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	var v validation
	intRange(&v, req.Limit, "limit", 1, 10000)
	stringLength(&v, req.ExclusiveStartShardID, "exclusiveStartShardId", 1, 128)
	if err := v.err(); err != nil {
		return nil, err
	}
	m, shards, err := s.meta(ctx, name)
	if err != nil {
		return nil, err
	}
	if req.ExclusiveStartShardID != nil {
		shards = shardsAfter(shards, *req.ExclusiveStartShardID)
	}
	limit := int(valueOr(req.Limit, defaultListLimit))
	more := len(shards) > limit
	shards = shards[:min(limit, len(shards))]
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]streamDescription{"StreamDescription": {
		StreamName:              m.name,
		StreamARN:               m.arn,
		StreamStatus:            m.status(),
		StreamModeDetails:       streamModeDetails{StreamMode: string(m.mode)},
		Shards:                  shardsJSON(shards),
		HasMoreShards:           more,
		RetentionPeriodHours:    m.retention,
		StreamCreationTimestamp: epochPtr(m.created),
		EnhancedMonitoring:      []enhancedMetrics{{ShardLevelMetrics: []string{}}},
		EncryptionType:          "NONE",
	}}, nil
}

func describeStreamSummary(ctx context.Context, s *Server, req *streamRefJSON) (any, error) {
	name, err := streamName(*req)
	if err != nil {
		return nil, err
	}
	m, shards, err := s.meta(ctx, name)
	if err != nil {
		return nil, err
	}
	open := 0
	for _, sh := range shards {
		if sh.Open() {
			open++
		}
	}
	consumers, err := s.emu.ListStreamConsumers(ctx, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]streamDescriptionSummary{"StreamDescriptionSummary": {
		StreamName:              m.name,
		StreamARN:               m.arn,
		StreamStatus:            m.status(),
		StreamModeDetails:       streamModeDetails{StreamMode: string(m.mode)},
		RetentionPeriodHours:    m.retention,
		StreamCreationTimestamp: epochPtr(m.created),
		EnhancedMonitoring:      []enhancedMetrics{{ShardLevelMetrics: []string{}}},
		EncryptionType:          "NONE",
		OpenShardCount:          int64(open),
		ConsumerCount:           int64(len(consumers)),
	}}, nil
}

func listStreams(ctx context.Context, s *Server, req *listStreamsRequest) (any, error) {
	var v validation
	intRange(&v, req.Limit, "limit", 1, 10000)
	stringLength(&v, req.ExclusiveStartStreamName, "exclusiveStartStreamName", 1, 128)
	stringLength(&v, req.NextToken, "nextToken", 1, 1048576)
	if err := v.err(); err != nil {
		return nil, err
	}
	after := ""
	if req.ExclusiveStartStreamName != nil {
		after = *req.ExclusiveStartStreamName
	}
	if req.NextToken != nil {
		tok, err := s.decodeToken(*req.NextToken, "ListStreams")
		if err != nil {
			return nil, err
		}
		after = tok.After
	}
	s.mu.Lock()
	names := slices.Sorted(maps.Keys(s.streams))
	s.mu.Unlock()
	type summary = streamSummaryJSON
	out := struct {
		StreamNames     []string  `json:"StreamNames"`
		HasMoreStreams  bool      `json:"HasMoreStreams"`
		NextToken       string    `json:"NextToken,omitempty"`
		StreamSummaries []summary `json:"StreamSummaries"`
	}{StreamNames: []string{}, StreamSummaries: []summary{}}
	limit := int(valueOr(req.Limit, defaultListLimit))
	for _, name := range names {
		if name <= after {
			continue
		}
		m, _, err := s.meta(ctx, name) // drops streams deleted on the emulator
		if err != nil {
			continue
		}
		if len(out.StreamNames) == limit {
			out.HasMoreStreams = true
			out.NextToken = s.encodeToken(pageToken{Op: "ListStreams", After: out.StreamNames[limit-1]})
			break
		}
		s.mu.Lock()
		out.StreamNames = append(out.StreamNames, name)
		out.StreamSummaries = append(out.StreamSummaries, summary{
			StreamName: m.name, StreamARN: m.arn, StreamStatus: m.status(),
			StreamModeDetails:       streamModeDetails{StreamMode: string(m.mode)},
			StreamCreationTimestamp: epochPtr(m.created),
		})
		s.mu.Unlock()
	}
	return out, nil
}

// shardsAfter returns the shards whose id sorts after id. Shard ids are
// fixed width, so string order is creation order.
func shardsAfter(shards []stream.Shard, id string) []stream.Shard {
	i := sort.Search(len(shards), func(i int) bool { return shards[i].ShardID > id })
	return shards[i:]
}

func shardsJSON(shards []stream.Shard) []shardJSON {
	out := make([]shardJSON, len(shards))
	for i, sh := range shards {
		out[i] = shardJSON{
			ShardID:               sh.ShardID,
			ParentShardID:         sh.ParentShardID,
			AdjacentParentShardID: sh.AdjacentParentShardID,
			HashKeyRange:          hashKeyRangeJSON(sh.HashKeyRange),
			SequenceNumberRange:   sequenceNumberRangeJSON(sh.SequenceNumberRange),
		}
	}
	return out
}

func valueOr(n *int64, def int64) int64 {
	if n == nil {
		return def
	}
	return *n
}

func increaseRetention(ctx context.Context, s *Server, req *retentionRequest) (any, error) {
	return s.changeRetention(ctx, req, true)
}

func decreaseRetention(ctx context.Context, s *Server, req *retentionRequest) (any, error) {
	return s.changeRetention(ctx, req, false)
}

// changeRetention serves Increase- and DecreaseStreamRetentionPeriod: the
// new period must move the way the operation says.
func (s *Server) changeRetention(ctx context.Context, req *retentionRequest, increase bool) (any, error) {
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	var v validation
	if req.RetentionPeriodHours == nil {
		v.add(nil, "retentionPeriodHours", "Member must not be null")
	}
	intRange(&v, req.RetentionPeriodHours, "retentionPeriodHours", 1, 1<<31-1)
	if err := v.err(); err != nil {
		return nil, err
	}
	m, _, err := s.meta(ctx, name)
	if err != nil {
		return nil, err
	}
	hours := *req.RetentionPeriodHours
	s.mu.Lock()
	current := m.retention
	s.mu.Unlock()
	switch {
	case increase && hours < current:
		return nil, invalidArgument("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, name, current)
	case !increase && hours > current:
		return nil, invalidArgument("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, name, current)
	}
	if err := s.SetRetentionPeriod(ctx, name, time.Duration(hours)*time.Hour); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// SetRetentionPeriod sets a stream's retention on the emulator and records
// it for DescribeStream.
func (s *Server) SetRetentionPeriod(ctx context.Context, name string, period time.Duration) error {
	if err := s.emu.SetRetentionPeriod(ctx, name, period); err != nil {
		return err
	}
	m, _, err := s.meta(ctx, name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	m.retention = int64(period / time.Hour)
	s.mu.Unlock()
	return nil
}

// checkTags applies the API's tag rules to tags to add.
func checkTags(tags map[string]string, most int) error {
	if len(tags) > most {
		return invalidArgument("%d tags: at most %d in one call", len(tags), most)
	}
	for k, val := range tags {
		if len(k) < 1 || len(k) > maxTagKeyLen {
			return invalidArgument("tag key %q: keys have 1 to %d characters", k, maxTagKeyLen)
		}
		if len(val) > maxTagValueLen {
			return invalidArgument("tag %q: values have at most %d characters", k, maxTagValueLen)
		}
	}
	return nil
}

func addTags(ctx context.Context, s *Server, req *addTagsRequest) (any, error) {
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	if req.Tags == nil {
		var v validation
		v.add(nil, "tags", "Member must not be null")
		return nil, v.err()
	}
	if err := checkTags(req.Tags, maxTagsPerCall); err != nil {
		return nil, err
	}
	m, _, err := s.meta(ctx, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	merged := maps.Clone(m.tags)
	maps.Copy(merged, req.Tags)
	if len(merged) > maxTagsPerStream {
		return nil, stream.Errorf(stream.CodeLimitExceeded, "Stream %s under account %s would have %d tags; at most %d", name, account, len(merged), maxTagsPerStream)
	}
	m.tags = merged
	return struct{}{}, nil
}

func removeTags(ctx context.Context, s *Server, req *removeTagsRequest) (any, error) {
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	if len(req.TagKeys) < 1 || len(req.TagKeys) > maxTagsPerCall {
		var v validation
		v.add(len(req.TagKeys), "tagKeys", "Member must have length between 1 and 10, inclusive")
		return nil, v.err()
	}
	m, _, err := s.meta(ctx, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range req.TagKeys {
		delete(m.tags, k)
	}
	return struct{}{}, nil
}

func listTags(ctx context.Context, s *Server, req *listTagsRequest) (any, error) {
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	var v validation
	intRange(&v, req.Limit, "limit", 1, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	m, _, err := s.meta(ctx, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	keys := slices.Sorted(maps.Keys(m.tags))
	tags := maps.Clone(m.tags)
	s.mu.Unlock()
	if req.ExclusiveStartTagKey != nil {
		keys = keys[sort.SearchStrings(keys, *req.ExclusiveStartTagKey+"\x00"):]
	}
	limit := int(valueOr(req.Limit, maxTagsPerStream))
	out := struct {
		Tags        []tagJSON `json:"Tags"`
		HasMoreTags bool      `json:"HasMoreTags"`
	}{Tags: []tagJSON{}, HasMoreTags: len(keys) > limit}
	for _, k := range keys[:min(limit, len(keys))] {
		out.Tags = append(out.Tags, tagJSON{Key: k, Value: tags[k]})
	}
	return out, nil
}
