package runner

import "time"

// batcher groups a producer's records into PutRecords batches of at most
// maxRecords records and maxBytes bytes; a batch is due linger after its
// first record's intended send time. It reads no clock: the caller says
// when each record is due and asks when the open batch is (Expired,
// Deadline), so its decisions are a pure function of the records. Not safe
// for concurrent use.
type batcher struct {
	maxRecords int
	maxBytes   int
	linger     time.Duration

	open  []pending   // the batch being filled
	bytes int         // open's size in bytes
	ready [][]pending // Add's answer, reused between calls
}

func newBatcher(maxRecords, maxBytes int, linger time.Duration) *batcher {
	return &batcher{maxRecords: maxRecords, maxBytes: maxBytes, linger: linger, open: make([]pending, 0, maxRecords)}
}

// Add adds r to the open batch and returns the batches that are complete,
// oldest first: the open batch, when r would take it over maxBytes (r then
// starts the next one), and the batch r fills to maxRecords. The answer is
// valid until the next call; the batches in it are the caller's.
func (b *batcher) Add(r pending) [][]pending {
	b.ready = b.ready[:0]
	size := r.record.Size()
	if len(b.open) > 0 && b.bytes+size > b.maxBytes {
		b.ready = append(b.ready, b.Take())
	}
	b.open = append(b.open, r)
	b.bytes += size
	if len(b.open) >= b.maxRecords {
		b.ready = append(b.ready, b.Take())
	}
	return b.ready
}

// Deadline returns when the open batch's linger runs out; ok is false when
// no batch is open.
func (b *batcher) Deadline() (deadline time.Time, ok bool) {
	if len(b.open) == 0 {
		return time.Time{}, false
	}
	return b.open[0].intended.Add(b.linger), true
}

// Expired reports whether the open batch's linger runs out before t: a
// record due at t must not join it, the batch goes at its deadline.
func (b *batcher) Expired(t time.Time) bool {
	deadline, ok := b.Deadline()
	return ok && deadline.Before(t)
}

// Take returns the open batch (nil when it is empty) and opens a new one.
func (b *batcher) Take() []pending {
	if len(b.open) == 0 {
		return nil
	}
	out := b.open
	// The next batch is likely the size of this one: an aggregating
	// producer's batches hold a few aggregates, not maxRecords.
	b.open = make([]pending, 0, min(b.maxRecords, len(out)+len(out)/4+1))
	b.bytes = 0
	return out
}
