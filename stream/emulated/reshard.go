package emulated

import (
	"context"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

var _ stream.Resharder = (*Emulator)(nil)

// Limits of UpdateShardCount (API reference): at most double or half the
// open shard count per call, and ten calls per rolling 24 hours per stream.
const (
	maxScalingCallsPerDay = 10
	scalingWindow         = 24 * time.Hour
)

// reshardOp is one step of a reshard, naming shards by the starting hash key
// of an open shard, because the shards a step works on may be made by the
// steps before it.
type reshardOp struct {
	merge bool
	// split: the shard starting at a, at key (key >= a goes to the second child).
	// merge: the shard starting at a with the adjacent one starting at key.
	a, key hashkey.Key
}

// SplitShard splits an open shard in two at NewStartingHashKey: the child
// with the next free shard number takes the keys below it, the one after
// takes the rest. The parent closes. Blocks for the reshard delay (see
// WithReshardDelay); the split happens even if ctx ends first. A stream
// UPDATING → ResourceInUseException; more than five accepted calls a second
// per account → LimitExceededException (see controlrate.go).
func (e *Emulator) SplitShard(ctx context.Context, in *stream.SplitShardInput) error {
	if in == nil {
		return stream.Errorf(stream.CodeInvalidArgument, "SplitShardInput is nil")
	}
	key, ok := hashkey.Parse(in.NewStartingHashKey)
	if !ok {
		return stream.Errorf(stream.CodeInvalidArgument, "NewStartingHashKey %q is not a decimal integer from 0 to 2^128-1", in.NewStartingHashKey)
	}
	return e.reshard(ctx, opSplitShard, in.StreamName, func(st *streamState, set *shardSet) ([]reshardOp, error) {
		sh, err := openShard(set, in.StreamName, in.ShardToSplit)
		if err != nil {
			return nil, err
		}
		if !sh.start.Less(key) || sh.end.Less(key) {
			return nil, stream.Errorf(stream.CodeInvalidArgument,
				"NewStartingHashKey %s must be above the StartingHashKey %s of %s and at most its EndingHashKey %s",
				in.NewStartingHashKey, sh.startKey, sh.id, sh.endKey)
		}
		return []reshardOp{{a: sh.start, key: key}}, nil
	})
}

// MergeShards merges two open shards whose hash key ranges are adjacent into
// one child (ParentShardId ShardToMerge, AdjacentParentShardId
// AdjacentShardToMerge); both parents close. Blocks, and is refused, as
// SplitShard is (five calls a second per account, its own count).
func (e *Emulator) MergeShards(ctx context.Context, in *stream.MergeShardsInput) error {
	if in == nil {
		return stream.Errorf(stream.CodeInvalidArgument, "MergeShardsInput is nil")
	}
	return e.reshard(ctx, opMergeShards, in.StreamName, func(st *streamState, set *shardSet) ([]reshardOp, error) {
		a, err := openShard(set, in.StreamName, in.ShardToMerge)
		if err != nil {
			return nil, err
		}
		b, err := openShard(set, in.StreamName, in.AdjacentShardToMerge)
		if err != nil {
			return nil, err
		}
		if !precedes(a, b) && !precedes(b, a) {
			return nil, stream.Errorf(stream.CodeInvalidArgument, "Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging",
				a.id, b.id, in.StreamName, account)
		}
		return []reshardOp{{merge: true, a: a.start, key: b.start}}, nil
	})
}

// UpdateShardCount scales a provisioned stream to TargetShardCount open
// shards with even hash key ranges (UNIFORM_SCALING). Like AWS it gets there
// by splits and merges, so shards that exist only for the moment of the
// change (closed, empty) may appear between parents and children when the
// target is not a multiple or a divisor of the current count. At most double
// or half the open count (InvalidArgumentException, as kinesis-mock
// answers), ten calls per rolling 24 hours per stream and ten a second per
// account (LimitExceededException). Blocks, and is refused while UPDATING,
// as SplitShard is.
func (e *Emulator) UpdateShardCount(ctx context.Context, in *stream.UpdateShardCountInput) error {
	if in == nil {
		return stream.Errorf(stream.CodeInvalidArgument, "UpdateShardCountInput is nil")
	}
	return e.reshard(ctx, opUpdateShardCount, in.StreamName, func(st *streamState, set *shardSet) ([]reshardOp, error) {
		n, m := len(set.open), in.TargetShardCount
		switch {
		case st.mode == stream.ModeOnDemand:
			return nil, stream.Errorf(stream.CodeInvalidArgument, "UpdateShardCount is for provisioned streams; %s is ON_DEMAND", in.StreamName)
		case m < 1 || m > 2*n || 2*m < n:
			return nil, stream.Errorf(stream.CodeInvalidArgument,
				"TargetShardCount %d: stream %s has %d open shards; UpdateShardCount goes to at most double and at least half that", m, in.StreamName, n)
		case m == n:
			return nil, stream.Errorf(stream.CodeInvalidArgument, "TargetShardCount %d is the current shard count of stream %s", m, in.StreamName)
		}
		if !st.allowScalingCall(e.cfg.clock.Now().UnixNano()) {
			return nil, stream.Errorf(stream.CodeLimitExceeded,
				"Stream %s under account %s has used its %d UpdateShardCount calls of the last 24 hours", in.StreamName, account, maxScalingCallsPerDay)
		}
		return uniformScalingPlan(set, m), nil
	})
}

// allowScalingCall records an UpdateShardCount call at now unless ten were
// made in the 24 hours before it. Call with ctl held.
func (st *streamState) allowScalingCall(now int64) bool {
	recent := st.scalingCalls[:0]
	for _, at := range st.scalingCalls {
		if now-at < int64(scalingWindow) {
			recent = append(recent, at)
		}
	}
	st.scalingCalls = recent
	if len(recent) >= maxScalingCallsPerDay {
		return false
	}
	st.scalingCalls = append(st.scalingCalls, now)
	return true
}

// uniformScalingPlan returns the splits and merges that turn set's open
// shards into m shards with even ranges: first every open shard is split at
// each target boundary inside it, then the pieces of each target are merged
// in order.
func uniformScalingPlan(set *shardSet, m int) []reshardOp {
	targets := hashkey.EvenRanges(m)
	var ops []reshardOp
	t := 0
	for _, sh := range set.open {
		for t < m && !sh.start.Less(targets[t].Start) {
			t++
		}
		piece := sh.start
		for ; t < m && !sh.end.Less(targets[t].Start); t++ {
			ops = append(ops, reshardOp{a: piece, key: targets[t].Start})
			piece = targets[t].Start
		}
	}
	// Every piece now starts at a target's start or at an open shard's
	// start; a target's pieces after its first are the open shards starting
	// inside it.
	for _, target := range targets {
		for _, sh := range set.open {
			if target.Start.Less(sh.start) && !target.End.Less(sh.start) {
				ops = append(ops, reshardOp{merge: true, a: target.Start, key: sh.start})
			}
		}
	}
	return ops
}

// precedes reports whether b's range starts right after a's.
func precedes(a, b *shard) bool {
	next, ok := a.end.Next()
	return ok && next == b.start
}

func openShard(set *shardSet, streamName, id string) (*shard, error) {
	sh := set.byID(id)
	if sh == nil {
		return nil, shardNotFound(id, streamName)
	}
	if sh.isClosed() {
		return nil, stream.Errorf(stream.CodeInvalidArgument, "Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting",
			id, streamName, account)
	}
	return sh, nil
}

// reshard runs one resharding call: plan checks the request against the
// current shards and returns the steps; the stream is UPDATING (other
// reshards get ResourceInUseException) for the reshard delay, then the steps
// apply at once. A call over op's rate (see controlrate.go) gets
// LimitExceededException.
func (e *Emulator) reshard(ctx context.Context, op controlOp, streamName string, plan func(*streamState, *shardSet) ([]reshardOp, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := e.lookup(streamName)
	if err != nil {
		return err
	}
	clk := e.cfg.clock
	now := clk.Now()
	due := now.Add(e.cfg.reshardDelay) // before the stream shows UPDATING
	st.ctl.Lock()
	if st.updating {
		st.ctl.Unlock()
		return stream.Errorf(stream.CodeInUse, "Stream %s under account %s not ACTIVE, instead in state UPDATING", streamName, account)
	}
	var ops []reshardOp
	admitted, err := e.rates.admit(op, now.UnixNano(), func() error {
		var err error
		ops, err = plan(st, st.shards.Load())
		if err == nil && len(st.shards.Load().all)+2*len(ops) > maxShardsPerStream {
			err = stream.Errorf(stream.CodeLimitExceeded, "stream %s would pass %d shards, open and closed", streamName, maxShardsPerStream)
		}
		return err
	})
	if !admitted {
		err = stream.Errorf(stream.CodeLimitExceeded, "Rate exceeded for stream %s under account %s: %s allows %d calls a second per account.",
			streamName, account, op, op.tps())
	}
	if err != nil {
		st.ctl.Unlock()
		return err
	}
	st.updating = true
	st.ctl.Unlock()

	apply := func() {
		st.ctl.Lock()
		defer st.ctl.Unlock()
		st.apply(ops, e.cfg.clock.Now().UnixNano())
		st.updating = false
	}
	// The caller waits through the clock (so that a virtual clock sees it
	// waiting); if it stops waiting, the change still happens on time, as on
	// AWS.
	if err := clk.Sleep(ctx, due.Sub(clk.Now())); err != nil {
		clock.AfterFunc(clk, due.Sub(clk.Now()), apply)
		return err
	}
	apply()
	return nil
}

// apply carries out ops: parents close (writers routed to them retry), then
// the new shard map is published. Call with ctl held.
func (st *streamState) apply(ops []reshardOp, now int64) {
	old := st.shards.Load()
	all := append([]*shard(nil), old.all...)
	open := map[hashkey.Key]*shard{}
	for _, sh := range old.open {
		open[sh.start] = sh
	}
	newShard := func(start, end hashkey.Key, parent, adjacent *shard) *shard {
		// A child's numbers must sort above its parents' (seqnum.go).
		created := max(now/int64(time.Second), parent.seq.created+1)
		if adjacent != nil {
			created = max(created, adjacent.seq.created+1)
		}
		sh := st.newShard(len(all), start, end, now, created)
		sh.parentID = parent.id
		if adjacent != nil {
			sh.adjacentParentID = adjacent.id
		}
		all = append(all, sh)
		return sh
	}
	closeShard := func(sh *shard, children ...*shard) {
		var cs []stream.ChildShard
		for _, c := range children {
			parents := []string{c.parentID}
			if c.adjacentParentID != "" {
				parents = append(parents, c.adjacentParentID)
			}
			cs = append(cs, stream.ChildShard{ShardID: c.id, ParentShards: parents, HashKeyRange: c.hashKeyRange()})
		}
		sh.close(&st.counter, now, cs)
		delete(open, sh.start)
	}
	for _, op := range ops {
		a := open[op.a]
		if op.merge {
			b := open[op.key]
			lo, hi := a, b
			if b.start.Less(a.start) {
				lo, hi = b, a
			}
			child := newShard(lo.start, hi.end, a, b)
			closeShard(a, child)
			closeShard(b, child)
			open[child.start] = child
			continue
		}
		lo := newShard(a.start, op.key.Prev(), a, nil)
		hi := newShard(op.key, a.end, a, nil)
		closeShard(a, lo, hi)
		open[lo.start], open[hi.start] = lo, hi
	}
	st.shards.Store(newShardSet(all))
}
