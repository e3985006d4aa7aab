package chaos

import (
	"context"
	"hash/fnv"
	"sync"

	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// reader is the consumer middleware around one consumer's reader.
type reader struct {
	plan   *Injector
	inner  stream.Reader
	faults []*fault

	mu        sync.Mutex
	iterShard map[string]string          // live iterator → its shard
	expired   map[*fault]map[string]bool // shards each expire fault has hit
	lastSeq   map[string]string          // highest sequence number delivered, by shard
}

var _ stream.Reader = (*reader)(nil)

// Reader wraps the named consumer's reader with the faults that hit it
// (stall, expire_iterator, latency on GetRecords), counts re-deliveries
// after its crashes, and counts the reads network faults affected.
func (p *Injector) Reader(consumer string, r stream.Reader) stream.Reader {
	if p == nil {
		return r
	}
	r = p.observeReads(r)
	faults := p.consumerFaults(consumer)
	if len(faults) == 0 {
		return r
	}
	return &reader{plan: p, inner: r, faults: faults,
		iterShard: map[string]string{}, expired: map[*fault]map[string]bool{}, lastSeq: map[string]string{}}
}

// ListShards passes through.
func (r *reader) ListShards(ctx context.Context, streamName string) ([]stream.Shard, error) {
	return r.inner.ListShards(ctx, streamName)
}

// GetShardIterator passes through, remembering the iterator's shard.
func (r *reader) GetShardIterator(ctx context.Context, in *stream.GetShardIteratorInput) (string, error) {
	it, err := r.inner.GetShardIterator(ctx, in)
	if err == nil {
		r.mu.Lock()
		r.iterShard[it] = in.ShardID
		r.mu.Unlock()
	}
	return it, err
}

// GetRecords applies the active faults, then reads.
func (r *reader) GetRecords(ctx context.Context, in *stream.GetRecordsInput) (*stream.GetRecordsOutput, error) {
	r.mu.Lock()
	shard := r.iterShard[in.ShardIterator]
	delete(r.iterShard, in.ShardIterator)
	r.mu.Unlock()
	now := r.plan.clk.Now()
	var crash *fault // the latest crash so far: re-deliveries are its damage
	for _, f := range r.faults {
		switch {
		case f.cfg.ConsumerFault == scenarios.ConsumerCrash:
			if !now.Before(f.from) && (crash == nil || crash.from.Before(f.from)) {
				crash = f
			}
		case f.cfg.ConsumerFault == scenarios.ConsumerStall:
			if f.active(now) {
				// A stalled worker makes no call until the window ends.
				f.calls.Add(1)
				if err := r.plan.sleep(ctx, f.to.Sub(now)); err != nil {
					return nil, err
				}
			}
		case f.cfg.ConsumerFault == scenarios.ConsumerExpireIterator:
			if shard != "" && !now.Before(f.from) && r.expire(f, shard) {
				f.calls.Add(1)
				return nil, stream.Errorf(stream.CodeExpiredIterator, "Iterator expired (chaos[%d]).", f.index)
			}
		case f.kind == scenarios.FaultLatency && f.active(now):
			key := iteratorKey(in.ShardIterator)
			if f.pick.pick(key) {
				f.calls.Add(1)
				if err := r.plan.sleep(ctx, sampleLatency(f.cfg.Latency, f.seed, key)); err != nil {
					return nil, err
				}
			}
		}
	}
	out, err := r.inner.GetRecords(ctx, in)
	if err != nil {
		r.remember(in.ShardIterator, shard) // the same iterator may be tried again
		return out, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if out.NextShardIterator != "" && shard != "" {
		r.iterShard[out.NextShardIterator] = shard
	}
	if shard == "" {
		return out, nil
	}
	last := r.lastSeq[shard]
	var again int64
	for _, rec := range out.Records {
		if last != "" && !stream.SequenceLess(last, rec.SequenceNumber) {
			again++
			continue
		}
		last = rec.SequenceNumber
	}
	r.lastSeq[shard] = last
	if again > 0 && crash != nil {
		crash.redelivered.Add(again)
		crash.records.Add(again)
	}
	return out, nil
}

func (r *reader) remember(iter, shard string) {
	if shard == "" {
		return
	}
	r.mu.Lock()
	r.iterShard[iter] = shard
	r.mu.Unlock()
}

// expire reports whether f has yet to expire shard's iterator, marking it.
func (r *reader) expire(f *fault, shard string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.expired[f]
	if m == nil {
		m = map[string]bool{}
		r.expired[f] = m
	}
	if m[shard] {
		return false
	}
	m[shard] = true
	return true
}

func iteratorKey(it string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(it))
	return h.Sum64()
}
