package emulated

import (
	"sort"

	"github.com/kinesim/kinesim/stream"
)

// Layout of a shard's stored records. Records and payloads live in fixed-size
// blocks that hold no pointers, so storing millions of records costs the
// garbage collector nothing to scan and appending never copies what is
// stored. Blocks are allocated at full length and a stored element is never
// written again, so a reader may keep a view taken under the shard's lock and
// read it after unlocking while writers append beyond it. Old blocks leave
// from the front only (retention, the memory cap), by reslicing.
const (
	segmentRecords  = 4096 // records per segment
	storedRecordLen = 32   // bytes of bookkeeping per record: unsafe.Sizeof(storedRecord{})
	segmentBytes    = segmentRecords * storedRecordLen
	chunkBytes      = 256 << 10 // payload bytes per chunk; a larger record gets a chunk of its own
)

// freedBytes is memory a recordLog gave back.
type freedBytes struct{ payloads, records int }

// storedRecord is one record's bookkeeping, 32 bytes. Its payload (partition
// key bytes then data) is chunks[chunk][off:off+keyLen+dataLen] while that
// chunk is kept.
type storedRecord struct {
	counter uint64 // the sequence number's counter part
	arrival int64  // unix nanoseconds
	chunk   uint32 // absolute chunk number
	off     uint32
	dataLen uint32
	keyLen  uint16
}

func (r *storedRecord) size() int { return int(r.keyLen) + int(r.dataLen) }

// recordLog is a shard's records in sequence order. Positions are absolute:
// position p is the p-th record the shard ever stored; start..end-1 are
// retained. It is not safe for concurrent use; the shard's lock guards it,
// and view gives readers a snapshot.
type recordLog struct {
	segments   [][]storedRecord // segments[0][0] is position segBase
	segBase    int64
	start, end int64
	chunks     [][]byte
	chunkFirst []int64 // the first position stored in each chunk
	chunkBase  uint32  // absolute number of chunks[0]
	chunkUsed  int     // bytes used in the last chunk
	readEnd    int64   // the furthest position any reader has reached
	lost       stream.RetentionStats
}

// append stores a copy of the key and data. It returns the size of the chunk
// it allocated for them, 0 if none, and whether it allocated a segment.
func (l *recordLog) append(counter uint64, arrival int64, key string, data []byte) (newChunk int, newSegment bool) {
	n := len(key) + len(data)
	if len(l.chunks) == 0 || chunkBytes-l.chunkUsed < n {
		newChunk = max(chunkBytes, n)
		l.chunks = append(l.chunks, make([]byte, newChunk))
		l.chunkFirst = append(l.chunkFirst, l.end)
		l.chunkUsed = 0
	}
	chunk := l.chunks[len(l.chunks)-1]
	off := l.chunkUsed
	copy(chunk[off:], key)
	copy(chunk[off+len(key):], data)
	l.chunkUsed += n

	i := int(l.end - l.segBase)
	if i == len(l.segments)*segmentRecords {
		l.segments = append(l.segments, make([]storedRecord, segmentRecords))
		newSegment = true
	}
	l.segments[i/segmentRecords][i%segmentRecords] = storedRecord{
		counter: counter,
		arrival: arrival,
		chunk:   l.chunkBase + uint32(len(l.chunks)-1),
		off:     uint32(off),
		dataLen: uint32(len(data)),
		keyLen:  uint16(len(key)),
	}
	l.end++
	return newChunk, newSegment
}

// lastChunk is the absolute number of the chunk append wrote to last.
func (l *recordLog) lastChunk() int64 { return int64(l.chunkBase) + int64(len(l.chunks)-1) }

// lastSegment is the absolute number of the segment append wrote to last.
func (l *recordLog) lastSegment() int64 { return (l.end - 1) / segmentRecords }

// markRead records that a reader has reached pos.
func (l *recordLog) markRead(pos int64) { l.readEnd = max(l.readEnd, pos) }

// unreadIn counts positions from..to-1 that are retained and past readEnd.
func (l *recordLog) unreadIn(from, to int64) int64 {
	return max(0, to-max(from, l.start, l.readEnd))
}

// expire removes the records that arrived before cutoff, and the blocks only
// they used.
func (l *recordLog) expire(cutoff int64) freedBytes {
	if l.start == l.end || l.at(l.start).arrival >= cutoff {
		return freedBytes{}
	}
	v := l.view()
	newStart := v.search(func(r *storedRecord) bool { return r.arrival >= cutoff })
	l.lost.ExpiredRecords += newStart - l.start
	l.lost.ExpiredUnread += l.unreadIn(l.start, newStart)
	return l.trimTo(newStart)
}

// evictSegment removes the records of segment number segment, if it is the
// oldest one kept and full, under the record limit. It reports false when
// the segment is still being filled.
func (l *recordLog) evictSegment(segment int64) (freedBytes, bool) {
	if len(l.segments) == 0 || segment != l.segBase/segmentRecords {
		return freedBytes{}, true // already gone with expired records
	}
	segEnd := l.segBase + segmentRecords
	if segEnd > l.end {
		return freedBytes{}, false
	}
	if l.start < segEnd {
		l.lost.EvictedRecords += segEnd - l.start
		l.lost.EvictedUnread += l.unreadIn(l.start, segEnd)
	}
	return l.trimTo(max(l.start, segEnd)), true
}

// trimTo moves the first retained position to start, dropping the segments
// and chunks that only earlier records used.
func (l *recordLog) trimTo(start int64) freedBytes {
	var freed freedBytes
	l.start = start
	if k := int((l.start - l.segBase) / segmentRecords); k > 0 {
		// Cleared before reslicing: the backing array keeps its front
		// slots until append reallocates it, and they would keep the
		// dropped segments reachable (up to as many again as are retained).
		clear(l.segments[:k])
		l.segments = l.segments[k:]
		l.segBase += int64(k) * segmentRecords
		freed.records = k * segmentBytes
	}
	// Keep the chunk being written to even when every record is gone.
	for len(l.chunks) > 1 && l.chunkFirst[1] <= l.start {
		freed.payloads += l.dropFrontChunk()
	}
	return freed
}

// dropPayloads drops the payloads in chunk number chunk, if it is still the
// oldest one kept, under the memory cap. The records stay, with their sizes.
// It returns the bytes freed.
func (l *recordLog) dropPayloads(chunk int64) (freed int) {
	if len(l.chunks) == 0 || chunk != int64(l.chunkBase) {
		return 0 // already gone with expired records
	}
	next := l.end
	if len(l.chunkFirst) > 1 {
		next = l.chunkFirst[1]
	}
	first := max(l.chunkFirst[0], l.start)
	l.lost.PayloadsDropped += max(0, next-first)
	l.lost.PayloadsDroppedUnread += l.unreadIn(first, next)
	if len(l.chunks) == 1 {
		l.chunkUsed = chunkBytes // the next record starts a new chunk
	}
	return l.dropFrontChunk()
}

func (l *recordLog) dropFrontChunk() int {
	n := len(l.chunks[0])
	l.chunks[0] = nil // as in trimTo: the backing array must not keep it alive
	l.chunks = l.chunks[1:]
	l.chunkFirst = l.chunkFirst[1:]
	l.chunkBase++
	return n
}

// held is the memory the log holds.
func (l *recordLog) held() freedBytes {
	held := freedBytes{records: len(l.segments) * segmentBytes}
	for _, c := range l.chunks {
		held.payloads += len(c)
	}
	return held
}

func (l *recordLog) at(pos int64) *storedRecord {
	i := int(pos - l.segBase)
	return &l.segments[i/segmentRecords][i%segmentRecords]
}

// view returns a snapshot of the records retained so far.
func (l *recordLog) view() logView {
	return logView{segments: l.segments, segBase: l.segBase, start: l.start, end: l.end, chunks: l.chunks, chunkBase: l.chunkBase}
}

// logView is an immutable snapshot of a recordLog: positions start..end-1.
type logView struct {
	segments   [][]storedRecord
	segBase    int64
	start, end int64
	chunks     [][]byte
	chunkBase  uint32
}

func (v *logView) at(pos int64) *storedRecord {
	i := int(pos - v.segBase)
	return &v.segments[i/segmentRecords][i%segmentRecords]
}

// payload returns the record's key and data bytes, or nil when the memory
// cap dropped them.
func (v *logView) payload(r *storedRecord) []byte {
	if r.chunk < v.chunkBase {
		return nil
	}
	chunk := v.chunks[r.chunk-v.chunkBase]
	return chunk[r.off : int(r.off)+r.size()]
}

// search returns the first position in start..end at which pred holds, pred
// being false then true over the positions, as sort.Search does.
func (v *logView) search(pred func(*storedRecord) bool) int64 {
	n := sort.Search(int(v.end-v.start), func(i int) bool { return pred(v.at(v.start + int64(i))) })
	return v.start + int64(n)
}
