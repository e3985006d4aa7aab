package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/kinesim/kinesim/stream"
)

// nextTokenLifetime is how long a NextToken stays valid: ListShards in the
// API reference says 300 seconds, after which ExpiredNextTokenException.
const nextTokenLifetime = 300 * time.Second

// ListShards' MaxResults default and bound (API reference).
const (
	defaultListShards = 1000
	maxListShards     = 10000
)

// pageToken is what a NextToken holds: where the next page starts.
type pageToken struct {
	Op     string `json:"o"`
	Stream string `json:"s,omitempty"`
	After  string `json:"a,omitempty"` // the last shard id or stream name returned
	Filter string `json:"f,omitempty"` // ListShards' ShardFilter type
	Issued int64  `json:"t"`           // unix milliseconds
}

func (s *Server) encodeToken(tok pageToken) string {
	tok.Issued = s.opts.now().UnixMilli()
	raw, _ := json.Marshal(tok)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeToken reads a NextToken that op issued.
func (s *Server) decodeToken(token, op string) (pageToken, error) {
	var tok pageToken
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || json.Unmarshal(raw, &tok) != nil || tok.Op != op {
		return pageToken{}, invalidArgument("NextToken %q was not issued by %s", token, op)
	}
	if age := s.opts.now().Sub(time.UnixMilli(tok.Issued)); age > nextTokenLifetime {
		return pageToken{}, stream.Errorf(stream.CodeExpiredNextToken, "NextToken is %v old; tokens expire after %v", age.Truncate(time.Second), nextTokenLifetime)
	}
	return tok, nil
}

// Shard filter types ListShards takes.
const (
	filterAfterShardID    = "AFTER_SHARD_ID"
	filterAtTrimHorizon   = "AT_TRIM_HORIZON"
	filterFromTrimHorizon = "FROM_TRIM_HORIZON"
	filterAtLatest        = "AT_LATEST"
	filterAtTimestamp     = "AT_TIMESTAMP"
	filterFromTimestamp   = "FROM_TIMESTAMP"
)

// listShards pages through a stream's shards by shard id. Shard filters:
// AT_LATEST lists the open shards; AFTER_SHARD_ID those after ShardId;
// AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_TIMESTAMP and FROM_TIMESTAMP list
// every shard, since the emulator keeps closed shards (their records
// expire, the shards do not).
func listShards(ctx context.Context, s *Server, req *listShardsRequest) (any, error) {
	var v validation
	v.str(req.ExclusiveStartShardID, "exclusiveStartShardId", shardIDRule.optional())
	intRange(&v, req.MaxResults, "maxResults", 1, maxListShards)
	stringLength(&v, req.NextToken, "nextToken", 1, 1048576)
	v.streamRef(req.streamRefJSON)
	if f := req.ShardFilter; f != nil {
		oneOf(&v, &f.Type, "shardFilter.type", filterAfterShardID, filterAtTrimHorizon, filterFromTrimHorizon,
			filterAtLatest, filterAtTimestamp, filterFromTimestamp)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	var name, after, filter string
	if req.NextToken != nil {
		if req.StreamName != nil || req.StreamARN != nil || req.ExclusiveStartShardID != nil || req.ShardFilter != nil {
			return nil, invalidArgument("NextToken and StreamName, StreamARN, ExclusiveStartShardId or ShardFilter cannot be provided together.")
		}
		tok, err := s.decodeToken(*req.NextToken, "ListShards")
		if err != nil {
			return nil, err
		}
		name, after, filter = tok.Stream, tok.After, tok.Filter
	} else {
		var err error
		if name, err = streamName(req.streamRefJSON); err != nil {
			return nil, err
		}
		if req.ExclusiveStartShardID != nil {
			after = *req.ExclusiveStartShardID
		}
		if f := req.ShardFilter; f != nil {
			filter = f.Type
			switch {
			case f.Type == filterAfterShardID && f.ShardID == nil:
				return nil, invalidArgument("ShardFilter AFTER_SHARD_ID needs ShardId")
			case f.Type == filterAfterShardID:
				after = max(after, *f.ShardID)
			case (f.Type == filterAtTimestamp || f.Type == filterFromTimestamp) && f.Timestamp == nil:
				return nil, invalidArgument("ShardFilter %s needs Timestamp", f.Type)
			}
		}
	}
	_, shards, err := s.meta(ctx, name)
	if err != nil {
		return nil, err
	}
	if after != "" {
		shards = shardsAfter(shards, after)
	}
	if filter == filterAtLatest {
		open := shards[:0:0]
		for _, sh := range shards {
			if sh.Open() {
				open = append(open, sh)
			}
		}
		shards = open
	}
	out := struct {
		Shards    []shardJSON `json:"Shards"`
		NextToken string      `json:"NextToken,omitempty"`
	}{}
	limit := int(valueOr(req.MaxResults, defaultListShards))
	if len(shards) > limit {
		shards = shards[:limit]
		out.NextToken = s.encodeToken(pageToken{Op: "ListShards", Stream: name, After: shards[limit-1].ShardID, Filter: filter})
	}
	out.Shards = shardsJSON(shards)
	return out, nil
}
