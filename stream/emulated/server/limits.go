package server

import (
	"context"
	"maps"
	"slices"

	"github.com/kinesim/kinesim/stream"
)

// Account limits: what one AWS account may hold in one region. The server is
// one account in one region (WithRegion), so its streams share them.

// Kinesis's default shard quota per account and region (Kinesis Data
// Streams "Quotas and limits" page, docs.aws.amazon.com/streams/latest/dev/
// service-sizes-and-limits.html): 20,000 shards in US East (N. Virginia),
// US West (Oregon) and Europe (Ireland); "1,000 or 6,000" elsewhere, of
// which this takes the lower. On-demand streams have their own quota, 50
// per account.
const (
	largeRegionShardLimit    = 20000
	defaultShardLimit        = 1000
	onDemandStreamCountLimit = 50
)

// DefaultShardLimit is Kinesis's default shard quota in region.
func DefaultShardLimit(region string) int {
	switch region {
	case "us-east-1", "us-west-2", "eu-west-1":
		return largeRegionShardLimit
	}
	return defaultShardLimit
}

// WithShardLimit sets the account's shard quota: the open shards of every
// stream together. CreateStream, SplitShard and UpdateShardCount that would
// pass it get LimitExceededException, and DescribeLimits reports it.
// Default: DefaultShardLimit of the region (WithRegion).
func WithShardLimit(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.shardLimit = n
		}
	}
}

// openShards counts the open shards of every stream the emulator holds and
// how many streams are on-demand.
func (s *Server) openShards(ctx context.Context) (open, onDemand int) {
	s.mu.Lock()
	names := slices.Collect(maps.Keys(s.streams))
	s.mu.Unlock()
	for _, name := range names {
		m, shards, err := s.meta(ctx, name)
		if err != nil {
			continue // deleted meanwhile
		}
		for _, sh := range shards {
			if sh.Open() {
				open++
			}
		}
		s.mu.Lock()
		if m.mode == stream.ModeOnDemand {
			onDemand++
		}
		s.mu.Unlock()
	}
	return open, onDemand
}

// checkShardLimit fails with Kinesis's LimitExceededException when adding
// more open shards would pass the account's quota (kinesalite recorded the
// text against Kinesis for CreateStream and SplitShard; UpdateShardCount's
// is taken to be the same).
func (s *Server) checkShardLimit(ctx context.Context, more int) error {
	if more <= 0 {
		return nil
	}
	open, _ := s.openShards(ctx)
	if limit := s.opts.shardLimit; open+more > limit {
		return stream.Errorf(stream.CodeLimitExceeded, "This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. "+
			"Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page "+
			"(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
			account, s.opts.region, open, limit, more)
	}
	return nil
}

func describeLimits(ctx context.Context, s *Server, _ *struct{}) (any, error) {
	open, onDemand := s.openShards(ctx)
	return struct {
		ShardLimit               int `json:"ShardLimit"`
		OpenShardCount           int `json:"OpenShardCount"`
		OnDemandStreamCount      int `json:"OnDemandStreamCount"`
		OnDemandStreamCountLimit int `json:"OnDemandStreamCountLimit"`
	}{s.opts.shardLimit, open, onDemand, onDemandStreamCountLimit}, nil
}
