package chaos

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kinesim/kinesim/result"
)

// second is one second of a run's series: records acknowledged and
// consumed, send delay p99 and iterator age (ms; negative for none read).
type second struct {
	acked, consumed int64
	delay, age      float64
}

func seriesOf(secs []second) []result.SeriesPoint {
	out := make([]result.SeriesPoint, len(secs))
	for i, s := range secs {
		out[i] = result.SeriesPoint{Second: i, RecordsAcknowledged: s.acked, RecordsConsumed: s.consumed}
		out[i].SendDelayMs.P99 = s.delay
		if s.age >= 0 {
			age := s.age
			out[i].IteratorAgeMs = &age
		}
	}
	return out
}

// steady is a second of 100 records/s read as they come, at the tip.
var steady = second{acked: 100, consumed: 100, delay: 1, age: 0}

func TestRecovery(t *testing.T) {
	none := -1.0 // no iterator age: nothing read that second
	tests := []struct {
		name     string
		secs     []second
		consumer bool
		at, end  float64
		peak     int64
		recovery float64 // seconds after the end; -1: never
	}{
		// A stall from 2 s to 4 s: nothing read, backlog 200; the first read
		// at 4 s takes everything and is at the tip.
		{"stall caught up at once", []second{steady, steady, {100, 0, 1, none}, {100, 0, 1, none}, {100, 300, 1, 0}, steady},
			true, 2, 4, 200, 0},
		// The backlog is read by 4 s but the reader is still 5 s behind the
		// tip (MillisBehindLatest); it catches up at 6 s: iterator age decides.
		{"iterator age recovers last", []second{steady, steady, {100, 0, 1, none}, {100, 0, 1, none}, {100, 300, 1, 5000}, {100, 100, 1, 800}, steady},
			true, 2, 4, 200, 2},
		// No read at 4 s (a 2 s poll): the age before the fault does not
		// count; the read at 5 s is at the tip.
		{"first read after the end", []second{steady, steady, {100, 0, 1, none}, {100, 0, 1, none}, {100, 200, 1, none}, {100, 200, 1, 0}, steady},
			true, 2, 4, 200, 1},
		// Iterator age 20% above its level is not back.
		{"iterator age never back", []second{{100, 100, 1, 1000}, {100, 100, 1, 1000}, {100, 0, 1, none}, {100, 200, 1, 1200}, {100, 100, 1, 1200}},
			true, 2, 3, 100, -1},
		// Send delay recovers at 3 s, a second after the fault's end.
		{"send delay", []second{steady, steady, {100, 100, 90, 0}, {100, 100, 2, 0}, steady},
			true, 2, 2, 0, 1},
		// Without consumers only send delay counts (and no iterator age is read).
		{"no consumers", []second{{100, 0, 1, none}, {100, 0, 1, none}, {100, 0, 40, none}, {100, 0, 1, none}},
			false, 2, 3, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			consumers := 0
			if tt.consumer {
				consumers = 1
			}
			peak, recovery := newLevels(seriesOf(tt.secs), consumers).recovery(tt.at, tt.end)
			assert.Equal(t, tt.peak, peak, "peak backlog")
			if tt.recovery < 0 {
				assert.Nil(t, recovery, "never recovered")
				return
			}
			if assert.NotNil(t, recovery, "recovered") {
				assert.Equal(t, tt.recovery, *recovery, "recovery seconds")
			}
		})
	}
}
