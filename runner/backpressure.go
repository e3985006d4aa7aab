package runner

import (
	"context"
	"sync/atomic"

	"github.com/kinesim/kinesim/scenarios"
)

// backpressure is what a producer does with a batch that finds every call
// slot taken (scenario backpressure.policy).
type backpressure interface {
	// overflow handles batch and returns the records the producer's loop
	// is to wait for a slot to send: waiting holds the schedule up, and the
	// slip shows as send delay. It returns nothing when it took care of
	// the batch itself.
	overflow(ctx context.Context, s *sender, batch []pending) []pending
}

var (
	_ backpressure = blockPolicy{}
	_ backpressure = dropPolicy{}
	_ backpressure = (*samplePolicy)(nil)
	_ backpressure = (*bufferPolicy)(nil)
)

// newBackpressure returns the scenario's policy; block is the default.
func newBackpressure(bp scenarios.Backpressure) backpressure {
	switch bp.Policy {
	case scenarios.BackpressureDrop:
		return dropPolicy{}
	case scenarios.BackpressureSample:
		return &samplePolicy{share: bp.Share}
	case scenarios.BackpressureBuffer:
		return &bufferPolicy{limit: int64(bp.Buffer)}
	}
	return blockPolicy{}
}

// blockPolicy waits for a slot on the producer's loop.
type blockPolicy struct{}

func (blockPolicy) overflow(_ context.Context, _ *sender, batch []pending) []pending { return batch }

// dropPolicy drops the batch and counts its records as dropped.
type dropPolicy struct{}

func (dropPolicy) overflow(_ context.Context, s *sender, batch []pending) []pending {
	s.dropped(countUsers(batch))
	return nil
}

// samplePolicy keeps share of the records, spread evenly across batches,
// counts the rest as dropped and waits for a slot for the kept ones.
// Loop-owned: not safe for concurrent use.
type samplePolicy struct {
	share   float64
	sampled float64 // the kept share so far
}

func (p *samplePolicy) overflow(_ context.Context, s *sender, batch []pending) []pending {
	kept := batch[:0]
	for _, r := range batch {
		before := int(p.sampled)
		p.sampled += p.share
		if int(p.sampled) > before {
			kept = append(kept, r)
		}
	}
	s.dropped(countUsers(batch) - countUsers(kept))
	return kept
}

// bufferPolicy waits for a slot off the producer's loop, so the schedule
// goes on, as long as at most limit records wait; beyond that it blocks.
type bufferPolicy struct {
	limit    int64
	buffered atomic.Int64 // records waiting for a call slot
}

func (p *bufferPolicy) overflow(ctx context.Context, s *sender, batch []pending) []pending {
	n := int64(countUsers(batch))
	if p.buffered.Add(n) > p.limit {
		p.buffered.Add(-n)
		return batch
	}
	s.calls.Go(func() {
		ok := s.acquire(ctx)
		p.buffered.Add(-n)
		if !ok {
			s.unfinished(batch)
			return
		}
		s.send(ctx, batch)
	})
	return nil
}
