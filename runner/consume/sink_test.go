package consume

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators/recordid"
	"github.com/kinesim/kinesim/scenarios"
)

func TestWindowSlides(t *testing.T) {
	s := newSink(scenarios.Consumer{Processor: scenarios.ProcessorWindow, Window: &scenarios.Window{Field: "v", Size: scenarios.Duration(10 * time.Second)}})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, v := range []int{5, 1, 9, 3} {
		assert.True(t, s.apply(fmt.Sprint("p-", i+1), "s", position{seq: fmt.Sprint(i + 1)}, "k", []byte(fmt.Sprintf(`{"v":%d}`, v)), t0.Add(time.Duration(i)*5*time.Second)))
	}
	// Points at 0, 5, 10, 15 s: the window of 10 s before 15 s holds 5, 10, 15.
	got, ok := s.windowStats("k")
	require.True(t, ok)
	assert.Equal(t, WindowStats{Count: 3, Min: 1, Max: 9, Avg: 13.0 / 3}, got)
	_, ok = s.windowStats("other")
	assert.False(t, ok, "a key without records has no window")
}

func TestSinkModes(t *testing.T) {
	type delivery struct {
		id, shard, seq string
		sub            int64
	}
	replay := []delivery{{"p-1", "s0", "10", 0}, {"p-2", "s0", "11", 0}, {"p-1", "s0", "10", 0}, {"p-3", "s1", "12", 0}}
	retry := []delivery{{"p-1", "s0", "10", 0}, {"p-1", "s0", "13", 0}}
	// Three user records of one KPL aggregate, then a replay of it.
	aggregate := []delivery{{"p-1", "s0", "10", 0}, {"p-2", "s0", "10", 1}, {"p-3", "s0", "10", 2}, {"p-2", "s0", "10", 1}}
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
		// The user records of an aggregate share a sequence number: the
		// sub-sequence number tells them apart, and catches the replay.
		{"sequence aggregate", scenarios.SinkIdempotentSequence, aggregate, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSink(scenarios.Consumer{Processor: scenarios.ProcessorAggregate, Sink: tt.mode})
			for _, d := range tt.deliveries {
				s.apply(d.id, d.shard, position{d.seq, d.sub}, "k", nil, time.Time{})
			}
			check := s.check(nil)
			assert.Equal(t, tt.applied, check.ActualTotal, "applied")
		})
	}
}

// TestIdempotentSinkKeepsDenseIDsCompact applies a million dense record ids
// of one producer, each twice: every repeat is skipped, and the id set
// holds them in well under a MiB (a map of strings would take tens).
func TestIdempotentSinkKeepsDenseIDsCompact(t *testing.T) {
	s := newSink(scenarios.Consumer{Sink: scenarios.SinkIdempotent})
	const n = 1_000_000
	for i := uint64(1); i <= n; i++ {
		id := recordid.Format("bikes", i)
		require.True(t, s.apply(id, "s", position{seq: "1"}, "k", nil, time.Time{}))
		require.False(t, s.apply(id, "s", position{seq: "1"}, "k", nil, time.Time{}), "repeat of %s", id)
	}
	size := s.seen.sizeInBytes()
	assert.Less(t, size, uint64(1<<20), "bytes for %d dense ids", n)
	t.Logf("%d dense ids: %d bytes", n, size)
}

// TestIdempotentSinkLooseIDs checks ids that are not PRODUCER-N: kept as
// strings up to the cap, then as hashes, and deduplicated either way.
func TestIdempotentSinkLooseIDs(t *testing.T) {
	s := newIDSet()
	for _, id := range []string{"no-number-x", "-5", "p-0", "plain"} {
		assert.True(t, s.add(id), id)
		assert.False(t, s.add(id), id)
	}
	for i := range maxLooseIDs + 10 {
		s.add(fmt.Sprint("loose:", i))
	}
	assert.Len(t, s.loose, maxLooseIDs, "the string map is bounded")
	require.NotNil(t, s.hashed)
	assert.Equal(t, uint64(14), s.hashed.GetCardinality())
	assert.False(t, s.add(fmt.Sprint("loose:", maxLooseIDs+5)), "a hashed id is still a repeat")
	assert.False(t, s.add("plain"), "an early loose id is still a repeat")
}
