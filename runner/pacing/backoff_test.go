package pacing

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoff(t *testing.T) {
	base, ceiling := 100*time.Millisecond, time.Second
	tests := []struct {
		name  string
		retry int
		u     float64
		want  time.Duration
	}{
		// No retry, no wait.
		{"first attempt", 0, 0.9, 0},
		// The first retry waits up to base.
		{"first retry, top of range", 1, 0.999999999, 99999999},
		// Full jitter: u scales the ceiling.
		{"second retry, half", 2, 0.5, 100 * time.Millisecond},
		// The ceiling doubles: 100, 200, 400, 800 ms...
		{"fourth retry, top", 4, 0.5, 400 * time.Millisecond},
		// ...up to the cap.
		{"tenth retry is capped", 10, 0.5, 500 * time.Millisecond},
		// u = 0 can wait nothing at all.
		{"zero jitter", 3, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Backoff(tt.retry, base, ceiling, tt.u))
		})
	}
}
