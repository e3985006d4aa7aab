package emulated

import (
	"math/rand/v2"
	"sync"

	"github.com/kinesim/kinesim/stream"
)

// internalFailureMessage is the ErrorMessage AWS gives a PutRecords record
// that failed with InternalFailure.
const internalFailureMessage = "Internal service failure."

// failureInjector fails calls and records with InternalFailure at a fixed
// rate (WithInternalFailureRate), from its own seeded generator so that a run
// repeats exactly. Safe for concurrent use.
type failureInjector struct {
	rate float64 // 0 disables it: no draws, no locking

	mu  sync.Mutex
	rng *rand.Rand
}

func newFailureInjector(rate float64, seed uint64) *failureInjector {
	// A stream of its own, apart from the latency model's: turning failures
	// on does not change the latencies drawn.
	return &failureInjector{rate: rate, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// fails draws whether the next call or record fails.
func (f *failureInjector) fails() bool {
	if f.rate == 0 {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rng.Float64() < f.rate
}

func internalFailure() error {
	return stream.Errorf(stream.CodeInternalFailure, "%s", internalFailureMessage)
}
