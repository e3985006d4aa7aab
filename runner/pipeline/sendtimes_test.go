package pipeline

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSendTimesWindow(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	s := NewSendTimes(3)
	p := s.Producer("bikes")
	for id := uint64(1); id <= 5; id++ {
		p.Note(id, base.Add(time.Duration(id)*time.Second))
	}
	for _, tc := range []struct {
		id   string
		want time.Time
		ok   bool
	}{
		{"bikes-5", base.Add(5 * time.Second), true}, // the latest
		{"bikes-3", base.Add(3 * time.Second), true}, // the oldest still in the window
		{"bikes-2", time.Time{}, false},              // pushed out by bikes-5
		{"bikes-6", time.Time{}, false},              // never made
		{"dockets-1", time.Time{}, false},            // another producer
		{"not-an-id", time.Time{}, false},            // not PRODUCER-N
	} {
		got, ok := s.Lookup(tc.id)
		assert.Equal(t, tc.ok, ok, tc.id)
		assert.True(t, tc.want.Equal(got), "%s: got %v, want %v", tc.id, got, tc.want)
	}
	assert.True(t, s.Made("bikes-1"), "made, though out of the window")
	assert.False(t, s.Made("bikes-6"), "not made yet")
	assert.False(t, s.Made("dockets-1"), "no such producer")
	var none *ProducerTimes
	none.Note(1, base) // the nil ring notes nothing, without a panic
}
