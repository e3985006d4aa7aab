package server

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

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
	// maxRetentionHours is the API model's bound on RetentionPeriodHours:
	// 8760 hours (365 days) since November 2020, when it was 168 (API
	// reference, IncreaseStreamRetentionPeriod).
	maxRetentionHours = 8760
)

func createStream(ctx context.Context, s *Server, req *createStreamRequest) (any, error) {
	var v validation
	intRange(&v, req.ShardCount, "shardCount", 1, 1<<31-1)
	v.str(req.StreamName, "streamName", streamNameRule.required())
	if req.StreamModeDetails != nil {
		mode := req.StreamModeDetails.StreamMode
		oneOf(&v, &mode, "streamModeDetails.streamMode", string(stream.ModeProvisioned), string(stream.ModeOnDemand))
	}
	checkTags(&v, req.Tags, "tags", 0, maxTagsPerStream)
	if err := v.err(); err != nil {
		return nil, err
	}
	in := &stream.CreateStreamInput{StreamName: *req.StreamName, Tags: req.Tags}
	if req.StreamModeDetails != nil {
		in.Mode = stream.Mode(req.StreamModeDetails.StreamMode)
	}
	if req.ShardCount != nil {
		in.ShardCount = int(*req.ShardCount)
	}
	if in.Mode != stream.ModeOnDemand && req.ShardCount == nil {
		return nil, invalidArgument("ShardCount is required for a PROVISIONED stream")
	}
	if err := checkTagCharacters(in.StreamName, in.Tags); err != nil {
		return nil, err
	}
	if err := s.existsAlready(in.StreamName); err != nil {
		return nil, err
	}
	// The account's shard quota, after "already exists" as in Kinesis.
	if _, _, err := s.meta(ctx, in.StreamName); isNotFound(err) {
		if in.Mode != stream.ModeOnDemand {
			if err := s.checkShardLimit(ctx, in.ShardCount); err != nil {
				return nil, err
			}
		}
		if in.ShardCount > maxCreateShards {
			return nil, stream.Errorf(stream.CodeLimitExceeded, "ShardCount %d: this server creates streams of at most %d shards", in.ShardCount, maxCreateShards)
		}
	}
	if s.opts.createDelay > 0 {
		if _, _, err := s.meta(ctx, in.StreamName); !isNotFound(err) {
			return nil, s.emu.CreateStream(ctx, in) // ACTIVE already: the emulator's answer
		}
		s.createAfterDelay(in)
		return noContent{}, nil
	}
	return noContent{}, s.CreateStream(ctx, in)
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
	return noContent{}, s.deleteStreamOp(ctx, name)
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
	var v validation
	intRange(&v, req.Limit, "limit", 1, 10000)
	v.str(req.ExclusiveStartShardID, "exclusiveStartShardId", shardIDRule.optional())
	v.streamRef(req.streamRefJSON)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
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
	if err != nil && !isNotFound(err) { // CREATING and DELETING streams have none
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
	v.str(req.ExclusiveStartStreamName, "exclusiveStartStreamName", streamNameRule)
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
	if i, ok := stream.ParseShardID(id); ok {
		id = stream.ShardID(i) // Kinesis reads short forms too
	}
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
	var v validation
	requiredInt(&v, req.RetentionPeriodHours, "retentionPeriodHours")
	intRange(&v, req.RetentionPeriodHours, "retentionPeriodHours", 1, maxRetentionHours)
	v.streamRef(req.streamRefJSON)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	m, _, err := s.activeMeta(ctx, name)
	if err != nil {
		return nil, err
	}
	hours := *req.RetentionPeriodHours
	s.mu.Lock()
	current := m.retention
	s.mu.Unlock()
	switch {
	case hours < int64(stream.DefaultRetention/time.Hour):
		return nil, invalidArgument("Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", int64(stream.DefaultRetention/time.Hour), hours)
	case increase && hours < current:
		return nil, invalidArgument("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, name, current)
	case !increase && hours > current:
		return nil, invalidArgument("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, name, current)
	}
	if err := s.SetRetentionPeriod(ctx, name, time.Duration(hours)*time.Hour); err != nil {
		return nil, err
	}
	return noContent{}, nil
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

// checkTags applies the API model's constraints on a Tags map: at least
// one tag (AddTagsToStream), at most most, keys of 1 to 128 characters and
// values of at most 256.
func checkTags(v *validation, tags map[string]string, member string, least, most int) {
	if tags == nil {
		if least > 0 {
			v.add(nil, member, "Member must not be null")
		}
		return
	}
	keys := slices.Sorted(maps.Keys(tags))
	pairs := make([]string, len(keys))
	keysOK, valuesOK := true, true
	for i, k := range keys {
		pairs[i] = k + "=" + tags[k]
		keysOK = keysOK && len([]rune(k)) >= 1 && len([]rune(k)) <= maxTagKeyLen
		valuesOK = valuesOK && len([]rune(tags[k])) <= maxTagValueLen
	}
	shown := "{" + strings.Join(pairs, ", ") + "}"
	if len(tags) < least {
		v.add(shown, member, fmt.Sprintf("Member must have length greater than or equal to %d", least))
	}
	if len(tags) > most {
		v.add(shown, member, fmt.Sprintf("Member must have length less than or equal to %d", most))
	}
	if !keysOK {
		v.add(shown, member, fmt.Sprintf("Map keys must satisfy constraint: [Member must have length less than or equal to %d, Member must have length greater than or equal to 1]", maxTagKeyLen))
	}
	if !valuesOK {
		v.add(shown, member, fmt.Sprintf("Map value must satisfy constraint: [Member must have length less than or equal to %d, Member must have length greater than or equal to 0]", maxTagValueLen))
	}
}

// checkTagCharacters refuses tags Kinesis refuses, in its words (kinesalite
// recorded them against Kinesis): keys and values may hold Unicode letters,
// digits and spaces and _ . / = + - @ (tabs and newlines are not white
// space here); '%', which the first message allows, gets a second one.
func checkTagCharacters(streamName string, tags map[string]string) error {
	allowed := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.In(r, unicode.Z) || strings.ContainsRune("_./=+-@%", r)
	}
	percent := false
	for k, v := range tags {
		for _, text := range []string{k, v} {
			if strings.IndexFunc(text, func(r rune) bool { return !allowed(r) }) >= 0 {
				return invalidArgument("Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - %% @.")
			}
			percent = percent || strings.ContainsRune(text, '%')
		}
	}
	if percent {
		return invalidArgument("Failed to add tags to stream %s under account %s because some tags contained illegal characters. "+
			"The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.", streamName, account)
	}
	return nil
}

func addTags(ctx context.Context, s *Server, req *addTagsRequest) (any, error) {
	var v validation
	checkTags(&v, req.Tags, "tags", 1, maxTagsPerCall)
	v.streamRef(req.streamRefJSON)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	m, _, err := s.meta(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := checkTagCharacters(name, req.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	merged := maps.Clone(m.tags)
	maps.Copy(merged, req.Tags)
	if len(merged) > maxTagsPerStream {
		// Kinesis's text (kinesalite recorded it) says 10 though the
		// limit it enforces is 50.
		return nil, invalidArgument("Failed to add tags to stream %s under account %s because a given stream cannot have more than 10 tags associated with it.", name, account)
	}
	m.tags = merged
	return noContent{}, nil
}

func removeTags(ctx context.Context, s *Server, req *removeTagsRequest) (any, error) {
	var v validation
	switch n := len(req.TagKeys); {
	case req.TagKeys == nil:
		v.add(nil, "tagKeys", "Member must not be null")
	case n < 1 || n > maxTagsPerCall:
		bound := "greater than or equal to 1"
		if n > maxTagsPerCall {
			bound = fmt.Sprintf("less than or equal to %d", maxTagsPerCall)
		}
		v.add("["+strings.Join(req.TagKeys, ", ")+"]", "tagKeys", "Member must have length "+bound)
	}
	v.streamRef(req.streamRefJSON)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
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
	return noContent{}, nil
}

func listTags(ctx context.Context, s *Server, req *listTagsRequest) (any, error) {
	var v validation
	v.str(req.ExclusiveStartTagKey, "exclusiveStartTagKey", strRule{minLen: 1, maxLen: maxTagKeyLen})
	intRange(&v, req.Limit, "limit", 1, 50)
	v.streamRef(req.streamRefJSON)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
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
