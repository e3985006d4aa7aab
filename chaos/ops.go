package chaos

import (
	"context"
	"fmt"
	"slices"

	"github.com/kinesim/kinesim/clock"

	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// Run makes the timeline's scheduled operations at their times: reshards,
// and network faults on and off. It blocks until all are done or ctx ends
// (the operations not yet made are then skipped and say so).
func (p *Injector) Run(ctx context.Context) {
	if p == nil {
		return
	}
	wg := clock.NewGroup(p.clk)
	for _, f := range p.faults {
		switch {
		case f.cfg.IsStreamOperation():
			wg.Go(func() {
				if p.sleep(ctx, f.from.Sub(p.clk.Now())) != nil {
					f.fail(fmt.Errorf("the run stopped before %s", f.kind))
					return
				}
				began := p.clk.Now()
				detail, err := p.reshard(ctx, f)
				f.mu.Lock()
				f.detail, f.took = detail, p.clk.Now().Sub(began)
				f.mu.Unlock()
				f.calls.Add(1)
				if err != nil {
					f.fail(err)
				}
			})
		case f.kind == scenarios.FaultNetwork:
			wg.Go(func() { p.network(ctx, f) })
		}
	}
	wg.Wait()
}

func (f *fault) fail(err error) {
	f.mu.Lock()
	f.errText = err.Error()
	f.mu.Unlock()
}

// reshard makes one stream operation on the target's stream.
func (p *Injector) reshard(ctx context.Context, f *fault) (string, error) {
	rs := p.target.(stream.Resharder) // New checked it
	name := p.sc.Target.Stream
	if f.kind == scenarios.FaultUpdateShardCount {
		n := f.cfg.UpdateShardCount
		err := rs.UpdateShardCount(ctx, &stream.UpdateShardCountInput{StreamName: name, TargetShardCount: n})
		return fmt.Sprintf("to %d shards", n), wrapOp(f, err)
	}
	shards, err := p.target.ListShards(ctx, name)
	if err != nil {
		return "", wrapOp(f, err)
	}
	open := slices.DeleteFunc(shards, func(s stream.Shard) bool { return !s.Open() })
	written := p.Written(name)
	switch f.kind {
	case scenarios.FaultSplitShard:
		hot, ok := hottest(open, written)
		if !ok {
			return "", wrapOp(f, fmt.Errorf("stream %s has no open shard with a hash key range to split", name))
		}
		key := middle(hot.HashKeyRange)
		err := rs.SplitShard(ctx, &stream.SplitShardInput{StreamName: name, ShardToSplit: hot.ShardID, NewStartingHashKey: key})
		return fmt.Sprintf("split %s, the hottest with %d records written", hot.ShardID, written[hot.ShardID]), wrapOp(f, err)
	case scenarios.FaultMergeShards:
		a, b, ok := coldestPair(open, written)
		if !ok {
			return "", wrapOp(f, fmt.Errorf("stream %s has no two adjacent open shards to merge", name))
		}
		err := rs.MergeShards(ctx, &stream.MergeShardsInput{StreamName: name, ShardToMerge: a.ShardID, AdjacentShardToMerge: b.ShardID})
		return fmt.Sprintf("merged %s and %s, the coldest pair with %d records written", a.ShardID, b.ShardID,
			written[a.ShardID]+written[b.ShardID]), wrapOp(f, err)
	}
	return "", nil
}

func wrapOp(f *fault, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("chaos[%d] %s: %w", f.index, f.kind, err)
}

// hottest is the open shard with the most records written (the lowest id on a tie).
func hottest(open []stream.Shard, written map[string]int64) (stream.Shard, bool) {
	var best stream.Shard
	found := false
	for _, s := range open {
		if _, ok := keyRange(s); !ok {
			continue
		}
		if !found || written[s.ShardID] > written[best.ShardID] ||
			written[s.ShardID] == written[best.ShardID] && s.ShardID < best.ShardID {
			best, found = s, true
		}
	}
	return best, found && best.HashKeyRange.StartingHashKey != best.HashKeyRange.EndingHashKey
}

// coldestPair is the adjacent pair of open shards with the fewest records
// written, lower hash keys first.
func coldestPair(open []stream.Shard, written map[string]int64) (a, b stream.Shard, ok bool) {
	sorted := slices.Clone(open)
	slices.SortFunc(sorted, func(x, y stream.Shard) int {
		kx, _ := hashkey.Parse(x.HashKeyRange.StartingHashKey)
		ky, _ := hashkey.Parse(y.HashKeyRange.StartingHashKey)
		return kx.Compare(ky)
	})
	best := int64(-1)
	for i := 0; i+1 < len(sorted); i++ {
		x, y := sorted[i], sorted[i+1]
		rx, ok1 := keyRange(x)
		ry, ok2 := keyRange(y)
		if !ok1 || !ok2 || !rx.Precedes(ry) {
			continue
		}
		if n := written[x.ShardID] + written[y.ShardID]; best < 0 || n < best {
			a, b, best, ok = x, y, n, true
		}
	}
	return a, b, ok
}

func keyRange(s stream.Shard) (hashkey.Range, bool) {
	return hashkey.ParseRange(s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey)
}

// middle is the hash key halfway through r, where a split starts its second child.
func middle(r stream.HashKeyRange) string {
	keys, _ := hashkey.ParseRange(r.StartingHashKey, r.EndingHashKey)
	return keys.Mid().String()
}
