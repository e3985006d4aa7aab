package runner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/kinesim/kinesim/stream"
)

// sent is a batch as the producer's loop sends it: its records' ids and
// when (ms after the start) it goes.
type sent struct {
	ids []uint64
	at  int
}

// batchRecords drives a batcher as the producer's loop does, with records
// due at the given offsets (ms) and sizes (bytes), and returns the batches
// in the order they go.
func batchRecords(b *batcher, dueMs, sizes []int) []sent {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(t time.Time) int { return int(t.Sub(t0) / time.Millisecond) }
	var out []sent
	add := func(batch []pending, at time.Time) {
		if len(batch) == 0 {
			return
		}
		s := sent{at: ms(at)}
		for _, r := range batch {
			s.ids = append(s.ids, r.id)
		}
		out = append(out, s)
	}
	var last time.Time
	for i, off := range dueMs {
		due := t0.Add(time.Duration(off) * time.Millisecond)
		if b.Expired(due) {
			deadline, _ := b.Deadline()
			add(b.Take(), deadline)
		}
		last = due
		r := pending{id: uint64(i + 1), intended: due, record: stream.Record{Data: make([]byte, sizes[i])}}
		for _, full := range b.Add(r) {
			add(full, due)
		}
	}
	add(b.Take(), last)
	return out
}

func TestBatcher(t *testing.T) {
	tests := []struct {
		name                 string
		maxRecords, maxBytes int
		lingerMs             int
		dueMs, sizes         []int
		want                 []sent
	}{
		{
			// A batch goes when it holds max_records, at its last record's due time.
			name: "full by records", maxRecords: 2, maxBytes: 1000, lingerMs: 1000,
			dueMs: []int{0, 10, 20, 30}, sizes: []int{1, 1, 1, 1},
			want: []sent{{[]uint64{1, 2}, 10}, {[]uint64{3, 4}, 30}},
		},
		{
			// A record that would take the batch over max_bytes starts the next one.
			name: "full by bytes", maxRecords: 10, maxBytes: 100, lingerMs: 1000,
			dueMs: []int{0, 10, 20}, sizes: []int{60, 50, 40},
			want: []sent{{[]uint64{1}, 10}, {[]uint64{2, 3}, 20}},
		},
		{
			// Exactly max_bytes still fits.
			name: "bytes to the limit", maxRecords: 10, maxBytes: 100, lingerMs: 1000,
			dueMs: []int{0, 10}, sizes: []int{60, 40},
			want: []sent{{[]uint64{1, 2}, 10}},
		},
		{
			// The linger runs from the batch's first record: the batch goes at its
			// deadline, before a record due later joins it.
			name: "linger", maxRecords: 10, maxBytes: 1000, lingerMs: 50,
			dueMs: []int{0, 40, 100, 120}, sizes: []int{1, 1, 1, 1},
			want: []sent{{[]uint64{1, 2}, 50}, {[]uint64{3, 4}, 120}},
		},
		{
			// A record due exactly at the deadline still joins the batch.
			name: "due at the deadline", maxRecords: 10, maxBytes: 1000, lingerMs: 50,
			dueMs: []int{0, 50, 51}, sizes: []int{1, 1, 1},
			want: []sent{{[]uint64{1, 2}, 50}, {[]uint64{3}, 51}},
		},
		{
			// No linger: each record goes alone unless the next is due at once.
			name: "zero linger", maxRecords: 10, maxBytes: 1000, lingerMs: 0,
			dueMs: []int{0, 0, 5}, sizes: []int{1, 1, 1},
			want: []sent{{[]uint64{1, 2}, 0}, {[]uint64{3}, 5}},
		},
		{
			// One record per batch (PutRecord): over the bytes, then full, in one Add.
			name: "one record per batch", maxRecords: 1, maxBytes: 100, lingerMs: 0,
			dueMs: []int{0, 10}, sizes: []int{80, 80},
			want: []sent{{[]uint64{1}, 0}, {[]uint64{2}, 10}},
		},
		{
			// Bytes and records both full on one record: two batches go at its due time.
			name: "two batches from one record", maxRecords: 2, maxBytes: 100, lingerMs: 1000,
			dueMs: []int{0, 10, 20}, sizes: []int{90, 20, 20},
			want: []sent{{[]uint64{1}, 10}, {[]uint64{2, 3}, 20}},
		},
		{
			// No records, no batches.
			name: "empty", maxRecords: 10, maxBytes: 100, lingerMs: 50,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBatcher(tt.maxRecords, tt.maxBytes, time.Duration(tt.lingerMs)*time.Millisecond)
			got := batchRecords(b, tt.dueMs, tt.sizes)
			assert.Equal(t, tt.want, got, "batches (got, want)")
			_, open := b.Deadline()
			assert.False(t, open, "no batch is left open")
		})
	}
}

func TestBatcherDeadline(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBatcher(10, 1000, 50*time.Millisecond)
	_, ok := b.Deadline()
	assert.False(t, ok, "no deadline without an open batch")
	assert.False(t, b.Expired(t0.Add(time.Hour)), "nothing expires without an open batch")
	assert.Empty(t, b.Add(pending{id: 1, intended: t0}), "one record does not fill the batch")
	assert.Empty(t, b.Add(pending{id: 2, intended: t0.Add(30 * time.Millisecond)}), "nor do two")
	deadline, ok := b.Deadline()
	assert.True(t, ok)
	assert.Equal(t, t0.Add(50*time.Millisecond), deadline, "the first record's time plus the linger")
	assert.False(t, b.Expired(deadline), "at the deadline the batch is still open")
	assert.True(t, b.Expired(deadline.Add(time.Nanosecond)), "after it, it expired")
	assert.Len(t, b.Take(), 2, "take returns the open batch")
	assert.Nil(t, b.Take(), "and leaves none open")
}
