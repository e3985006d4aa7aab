package pacing

import (
	"math/rand/v2"
	"time"
)

// Backoff returns the wait before retry number retry (1 for the first retry):
// exponential backoff with full jitter, a uniform random duration in
// [0, min(ceiling, base·2^(retry−1))] (AWS Architecture Blog, "Exponential
// Backoff And Jitter"). u is a uniform random number in [0, 1).
func Backoff(retry int, base, ceiling time.Duration, u float64) time.Duration {
	if retry < 1 || base <= 0 {
		return 0
	}
	limit := base
	for i := 1; i < retry && limit < ceiling; i++ {
		limit *= 2
	}
	limit = min(limit, ceiling)
	return time.Duration(u * float64(limit))
}

// Jitter is the uniform source for Backoff's u; safe for concurrent use.
func Jitter() float64 { return rand.Float64() }
