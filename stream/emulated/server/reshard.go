package server

import (
	"context"
	"time"

	"github.com/kinesim/kinesim/stream"
)

// reshardAnswerWait is how long a resharding operation waits for the
// emulator before answering. The emulator checks a request and fails at
// once, then keeps the stream UPDATING for its reshard delay
// (emulated.WithReshardDelay, 0 by default); a call still running after this
// wait was accepted, so the server answers 200 and reports the stream
// UPDATING until the change is done, as AWS does.
const reshardAnswerWait = 200 * time.Millisecond

// reshard runs one resharding call on the emulator, in the background when
// it outlasts reshardAnswerWait.
func (s *Server) reshard(ctx context.Context, name string, call func(context.Context) error) error {
	m, _, err := s.activeMeta(ctx, name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	m.updating++
	s.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		// The change goes on when the client stops waiting, as on AWS.
		err := call(context.WithoutCancel(ctx))
		s.mu.Lock()
		m.updating--
		s.mu.Unlock()
		if err != nil {
			s.opts.log.Debug("reshard failed", "stream", name, "error", err)
		}
		done <- err
	}()
	timer := time.NewTimer(reshardAnswerWait)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return nil
	}
}

func splitShard(ctx context.Context, s *Server, req *splitShardRequest) (any, error) {
	var v validation
	v.str(req.NewStartingHashKey, "newStartingHashKey", hashKeyRule.required())
	v.streamRef(req.streamRefJSON)
	v.str(req.ShardToSplit, "shardToSplit", shardIDRule)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	if err := s.checkSplitLimit(ctx, name, *req.ShardToSplit); err != nil {
		return nil, err
	}
	in := &stream.SplitShardInput{StreamName: name, ShardToSplit: *req.ShardToSplit, NewStartingHashKey: *req.NewStartingHashKey}
	return noContent{}, s.reshard(ctx, name, func(ctx context.Context) error { return s.emu.SplitShard(ctx, in) })
}

func mergeShards(ctx context.Context, s *Server, req *mergeShardsRequest) (any, error) {
	var v validation
	v.str(req.ShardToMerge, "shardToMerge", shardIDRule)
	v.str(req.AdjacentShardToMerge, "adjacentShardToMerge", shardIDRule)
	v.streamRef(req.streamRefJSON)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	in := &stream.MergeShardsInput{StreamName: name, ShardToMerge: *req.ShardToMerge, AdjacentShardToMerge: *req.AdjacentShardToMerge}
	return noContent{}, s.reshard(ctx, name, func(ctx context.Context) error { return s.emu.MergeShards(ctx, in) })
}

func updateShardCount(ctx context.Context, s *Server, req *updateShardCountRequest) (any, error) {
	var v validation
	requiredInt(&v, req.TargetShardCount, "targetShardCount")
	intRange(&v, req.TargetShardCount, "targetShardCount", 1, 1<<31-1)
	requiredString(&v, req.ScalingType, "scalingType")
	oneOf(&v, req.ScalingType, "scalingType", "UNIFORM_SCALING")
	v.streamRef(req.streamRefJSON)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, err := streamName(req.streamRefJSON)
	if err != nil {
		return nil, err
	}
	_, shards, err := s.meta(ctx, name)
	if err != nil {
		return nil, err
	}
	current := 0
	for _, sh := range shards {
		if sh.Open() {
			current++
		}
	}
	in := &stream.UpdateShardCountInput{StreamName: name, TargetShardCount: int(*req.TargetShardCount)}
	if err := s.checkShardLimit(ctx, in.TargetShardCount-current); err != nil {
		return nil, err
	}
	if err := s.reshard(ctx, name, func(ctx context.Context) error { return s.emu.UpdateShardCount(ctx, in) }); err != nil {
		return nil, err
	}
	return struct {
		StreamName        string `json:"StreamName"`
		StreamARN         string `json:"StreamARN"`
		CurrentShardCount int    `json:"CurrentShardCount"`
		TargetShardCount  int    `json:"TargetShardCount"`
	}{name, s.arn(name), current, in.TargetShardCount}, nil
}

// checkSplitLimit checks the account's shard quota for a split of an open
// shard that exists (a split adds one open shard); for any other the
// emulator answers what is wrong.
func (s *Server) checkSplitLimit(ctx context.Context, name, shardID string) error {
	_, shards, err := s.meta(ctx, name)
	if err != nil {
		return nil
	}
	i, ok := stream.ParseShardID(shardID)
	if !ok || i >= len(shards) || !shards[i].Open() {
		return nil
	}
	return s.checkShardLimit(ctx, 1)
}
