package pipeline

import (
	"sync"
	"time"

	"github.com/kinesim/kinesim/generators/recordid"
)

// SendTimes keeps each producer's latest records' intended send times, so a
// record that comes out of an application can be timed from the moment the
// schedule said it was due. Per producer it is a ring of window slots (8
// bytes each, grown as records are made), so its memory is bounded by the
// window, not by the records sent. Safe for concurrent use.
type SendTimes struct {
	window uint64

	mu        sync.Mutex
	producers map[string]*ProducerTimes // by safe name
}

// NewSendTimes keeps the intended send times of each producer's latest
// window records (at least 1).
func NewSendTimes(window int) *SendTimes {
	return &SendTimes{window: uint64(max(window, 1)), producers: map[string]*ProducerTimes{}}
}

// ProducerTimes is one producer's ring. The nil *ProducerTimes notes nothing.
type ProducerTimes struct {
	window uint64

	mu    sync.Mutex
	times []int64 // unix nanoseconds, slot (id-1) % window; 0: none
	maxID uint64
}

// Producer returns the named producer's ring, adding it on first use.
func (s *SendTimes) Producer(name string) *ProducerTimes {
	if s == nil {
		return nil
	}
	safe := recordid.SafeName(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.producers[safe]
	if p == nil {
		p = &ProducerTimes{window: s.window}
		s.producers[safe] = p
	}
	return p
}

// Note records that record id was due at intended. A producer makes its
// records in id order, so the ring holds the latest window of them.
func (p *ProducerTimes) Note(id uint64, intended time.Time) {
	if p == nil || id == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	slot := (id - 1) % p.window
	for uint64(len(p.times)) <= slot {
		p.times = append(p.times, 0)
	}
	p.times[slot] = intended.UnixNano()
	p.maxID = max(p.maxID, id)
}

// Lookup returns the intended send time of the record with the given id
// (PRODUCER-N), and false when it was never noted or has left the window.
func (s *SendTimes) Lookup(recordID string) (time.Time, bool) {
	name, id, ok := recordid.Parse(recordID)
	if !ok {
		return time.Time{}, false
	}
	s.mu.Lock()
	p := s.producers[name]
	s.mu.Unlock()
	if p == nil {
		return time.Time{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if id > p.maxID || p.maxID-id >= p.window {
		return time.Time{}, false
	}
	slot := (id - 1) % p.window
	if slot >= uint64(len(p.times)) || p.times[slot] == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, p.times[slot]), true
}

// Made reports whether the producer named by the id (PRODUCER-N) has made
// record N yet.
func (s *SendTimes) Made(recordID string) bool {
	name, id, ok := recordid.Parse(recordID)
	if !ok {
		return false
	}
	s.mu.Lock()
	p := s.producers[name]
	s.mu.Unlock()
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return id <= p.maxID
}
