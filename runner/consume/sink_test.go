package consume

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/scenarios"
)

func TestWindowSlides(t *testing.T) {
	s := newSink(scenarios.Consumer{Processor: scenarios.ProcessorWindow, Window: &scenarios.Window{Field: "v", Size: scenarios.Duration(10 * time.Second)}})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, v := range []int{5, 1, 9, 3} {
		assert.True(t, s.apply(fmt.Sprint("p-", i+1), "s", fmt.Sprint(i+1), "k", []byte(fmt.Sprintf(`{"v":%d}`, v)), t0.Add(time.Duration(i)*5*time.Second)))
	}
	// Points at 0, 5, 10, 15 s: the window of 10 s before 15 s holds 5, 10, 15.
	got, ok := s.windowStats("k")
	require.True(t, ok)
	assert.Equal(t, WindowStats{Count: 3, Min: 1, Max: 9, Avg: 13.0 / 3}, got)
	_, ok = s.windowStats("other")
	assert.False(t, ok, "a key without records has no window")
}

func TestSinkModes(t *testing.T) {
	type delivery struct{ id, shard, seq string }
	replay := []delivery{{"p-1", "s0", "10"}, {"p-2", "s0", "11"}, {"p-1", "s0", "10"}, {"p-3", "s1", "12"}}
	retry := []delivery{{"p-1", "s0", "10"}, {"p-1", "s0", "13"}}
	tests := []struct {
		name       string
		mode       string
		deliveries []delivery
		applied    int64
	}{
		// Naive applies every delivery.
		{"naive replay", scenarios.SinkNaive, replay, 4},
		// Record ids catch a replay.
		{"id replay", scenarios.SinkIdempotent, replay, 3},
		// So does the sequence high-water mark.
		{"sequence replay", scenarios.SinkIdempotentSequence, replay, 3},
		// A producer retry is a new write: the id catches it...
		{"id retry", scenarios.SinkIdempotent, retry, 1},
		// ...the sequence number does not.
		{"sequence retry", scenarios.SinkIdempotentSequence, retry, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSink(scenarios.Consumer{Processor: scenarios.ProcessorAggregate, Sink: tt.mode})
			for _, d := range tt.deliveries {
				s.apply(d.id, d.shard, d.seq, "k", nil, time.Time{})
			}
			check := s.check(nil)
			assert.Equal(t, tt.applied, check.ActualTotal, "applied")
		})
	}
}
