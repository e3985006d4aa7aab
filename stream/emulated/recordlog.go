package emulated

import "sort"

// Layout of a shard's stored records. Records and payloads live in fixed-size
// blocks that hold no pointers, so storing millions of records costs the
// garbage collector nothing to scan and appending never copies what is
// stored. Blocks are allocated at full length and a stored element is never
// written again, so a reader may keep a view taken under the shard's lock and
// read it after unlocking while writers append beyond it.
const (
	segmentRecords  = 4096      // records per segment
	chunkBytes      = 256 << 10 // payload bytes per chunk; a larger record gets a chunk of its own
	storedRecordLen = 32        // bytes of bookkeeping per record (see storedRecord)
)

// storedRecord is one record's bookkeeping. Its payload (partition key bytes
// then data) is chunks[chunk][off:off+keyLen+dataLen].
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
// position p is the p-th record the shard ever stored. It is not safe for
// concurrent use; the shard's lock guards it, and view gives readers a
// snapshot.
type recordLog struct {
	segments  [][]storedRecord // segments[0][0] is position segBase
	segBase   int64
	end       int64 // one past the last position
	chunks    [][]byte
	chunkBase uint32 // absolute number of chunks[0]
	chunkUsed int    // bytes used in the last chunk
}

// append stores a copy of the key and data.
func (l *recordLog) append(counter uint64, arrival int64, key string, data []byte) {
	n := len(key) + len(data)
	if len(l.chunks) == 0 || chunkBytes-l.chunkUsed < n {
		l.chunks = append(l.chunks, make([]byte, max(chunkBytes, n)))
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
}

// view returns a snapshot of the records stored so far.
func (l *recordLog) view() logView {
	return logView{segments: l.segments, segBase: l.segBase, start: l.segBase, end: l.end, chunks: l.chunks, chunkBase: l.chunkBase}
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

func (v *logView) payload(r *storedRecord) []byte {
	chunk := v.chunks[r.chunk-v.chunkBase]
	return chunk[r.off : int(r.off)+r.size()]
}

// search returns the first position in start..end at which pred holds, pred
// being false then true over the positions, as sort.Search does.
func (v *logView) search(pred func(*storedRecord) bool) int64 {
	n := sort.Search(int(v.end-v.start), func(i int) bool { return pred(v.at(v.start + int64(i))) })
	return v.start + int64(n)
}
