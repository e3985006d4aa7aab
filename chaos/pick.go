package chaos

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// picker decides which records or calls a fault hits: each with a
// probability (a hash of the seed and the key against a threshold), or the
// first count keys; every key at most once.
type picker struct {
	seed  uint64
	all   bool    // neither probability nor count: every key, retries too
	prob  float64 // when count is 0
	count int64

	mu    sync.Mutex
	taken int64
	hit   map[uint64]struct{}
}

func newPicker(seed uint64, probability float64, count int) *picker {
	return &picker{
		seed:  seed,
		all:   probability == 0 && count == 0,
		prob:  probability,
		count: int64(count),
		hit:   map[uint64]struct{}{},
	}
}

// pick reports whether the fault hits key.
func (p *picker) pick(key uint64) bool {
	if p.all {
		return true
	}
	if p.count == 0 && unit(mix(p.seed^key)) >= p.prob {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.hit[key]; ok {
		return false
	}
	if p.count > 0 && p.taken >= p.count {
		return false
	}
	p.taken++
	p.hit[key] = struct{}{}
	return true
}

// mix is splitmix64's finalizer: a well-spread 64-bit hash of x.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// recordKey identifies a record: generated records carry a unique id in
// their data, so equal keys are the same record (sent again).
func recordKey(r stream.Record) uint64 {
	h := fnv.New64a()
	h.Write([]byte(r.PartitionKey))
	h.Write([]byte{0})
	h.Write(r.Data)
	return h.Sum64()
}

// callKey identifies a call by its first record: a retry of a whole call
// starts with the same record.
func callKey(records []stream.Record) uint64 {
	if len(records) == 0 {
		return 0
	}
	return recordKey(records[0])
}

// sampleLatency draws a delay of l for key, deterministically.
func sampleLatency(l *scenarios.LatencyFault, seed, key uint64) time.Duration {
	rng := rand.New(rand.NewPCG(seed, key))
	switch {
	case l.Uniform != nil:
		lo, hi := l.Uniform.Min.D(), l.Uniform.Max.D()
		return lo + time.Duration(rng.Float64()*float64(hi-lo))
	case l.LogNormal != nil:
		return time.Duration(float64(l.LogNormal.Median.D()) * math.Exp(l.LogNormal.Sigma*rng.NormFloat64()))
	}
	return l.Fixed.D()
}
