package emulated

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRecordLogFreesWhatItDrops checks that the payload chunks and record
// segments a log drops become garbage at once: a dropped block still
// referenced from the front of a slice's backing array would stay in
// memory, uncounted, until append happened to reallocate.
func TestRecordLogFreesWhatItDrops(t *testing.T) {
	var l recordLog
	data := make([]byte, 100<<10)
	for i := range 2*segmentRecords + 10 {
		d := data[:0]
		if i < 8 {
			d = data // the first records fill two payload chunks
		}
		l.append(uint64(i+1), int64(i), "k", d)
	}
	var chunkFreed, segmentFreed atomic.Bool
	runtime.AddCleanup(&l.chunks[0][0], func(*atomic.Bool) { chunkFreed.Store(true) }, &chunkFreed)
	runtime.AddCleanup(&l.segments[0][0], func(*atomic.Bool) { segmentFreed.Store(true) }, &segmentFreed)

	l.trimTo(segmentRecords + 1) // past the first segment and the first chunks
	assert.Eventually(t, func() bool { runtime.GC(); return chunkFreed.Load() && segmentFreed.Load() },
		5e9, 1e7, "dropped blocks are collectable: chunk %v, segment %v", chunkFreed.Load(), segmentFreed.Load())
	l.append(1<<40, 1<<40, "k", nil) // the log lives on: only what it dropped may go
	runtime.KeepAlive(&l)
}
