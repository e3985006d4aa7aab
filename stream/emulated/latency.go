package emulated

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Operation names a data-plane call for WithServiceLatency.
type Operation string

// Operations whose service latency can be modelled.
const (
	OpPutRecords Operation = "PutRecords"
	OpGetRecords Operation = "GetRecords"
)

// Latency is a log-normal distribution of how long a call takes inside the
// service, given by its median and 99th percentile (the figures latency
// reports give). A P99 at or below the median makes every call take Median.
type Latency struct {
	Median, P99 time.Duration
}

// z99 is the standard normal's 99th percentile.
const z99 = 2.3263478740408408

// sample draws one latency with a standard normal draw z.
func (l Latency) sample(z float64) time.Duration {
	if l.Median <= 0 {
		return 0
	}
	if l.P99 <= l.Median {
		return l.Median
	}
	sigma := math.Log(float64(l.P99)/float64(l.Median)) / z99
	return time.Duration(float64(l.Median) * math.Exp(sigma*z))
}

// latencyModel draws service latencies from a seeded source. Safe for
// concurrent use.
type latencyModel struct {
	byOp map[Operation]Latency
	mu   sync.Mutex
	rng  *rand.Rand
}

// wait sleeps one draw of op's latency on the clock. Called after the call's
// work is done: a caller whose ctx ends meanwhile gets ctx.Err() although
// the work happened, as a client timeout on AWS leaves a write it never
// heard about.
func (e *Emulator) wait(ctx context.Context, op Operation) error {
	m := e.latency
	lat, ok := m.byOp[op]
	if !ok {
		return nil
	}
	m.mu.Lock()
	z := m.rng.NormFloat64()
	m.mu.Unlock()
	return e.cfg.clock.Sleep(ctx, lat.sample(z))
}
