package ledger

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"
)

// FileName is the ledger's file in a run folder.
const FileName = "ledger.bin"

// The file is a magic line, then events, each a tag byte and fields in
// unsigned varints (u), fixed little-endian integers (u64, u32) and
// length-prefixed strings (s):
//
//	'P' s                          a producer; its index is its rank among 'P's and 'Q's
//	'Q' s                          a producer known only from deliveries of its ids
//	                               (another segment's); a later 'P' of the same name declares it
//	'C' s                          a consumer, likewise
//	'S' s                          a shard id; its index is its rank + 1
//	'R' u producer, u id, outcome byte, attempts byte, u shard, u64 key hash, u32 seq hash
//	'D' u consumer, u producer, u id, s shard, s seq, s partition key, v unix µs, flags byte (1 applied, 2 filtered), u generation
//	'T' u consumer, v unix µs                   the consumer's start position as a time
//	'X' u consumer, u n, n × u producer         the producers whose records the consumer reads
//	'B' u consumer, u producer, u id            a record written before the consumer's start
//	'K' u consumer, s shard                     the consumer checkpointed the shard
//	'G' u consumer, v unix µs, u n, n × s shard the consumer restarted (n = 0: every shard)
//
// Version 1 files (no 'T', 'X', 'B', 'K', 'G'; 'D' ends with an applied
// byte) still load.
const (
	fileMagic   = "kinesim-ledger 2\n"
	fileMagicV1 = "kinesim-ledger 1\n"
)

// logFile appends ledger events; safe for concurrent use.
type logFile struct {
	mu  sync.Mutex
	f   *os.File
	w   *bufio.Writer
	buf []byte
	err error
}

// Create returns a ledger that also appends every event to path.
func Create(path string) (*Ledger, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	lf := &logFile{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	lf.w.WriteString(fileMagic)
	l := New()
	l.file = lf
	return l, nil
}

func (lf *logFile) write(fn func(b []byte) []byte) {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.err != nil {
		return
	}
	lf.buf = fn(lf.buf[:0])
	_, lf.err = lf.w.Write(lf.buf)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (lf *logFile) defineProducer(tag byte, name string) {
	lf.write(func(b []byte) []byte { return appendString(append(b, tag), name) })
}

func (lf *logFile) defineConsumer(name string) {
	lf.write(func(b []byte) []byte { return appendString(append(b, 'C'), name) })
}

func (lf *logFile) defineShard(id string) {
	lf.write(func(b []byte) []byte { return appendString(append(b, 'S'), id) })
}

func (lf *logFile) record(producer int, id uint64, e entry) {
	lf.write(func(b []byte) []byte {
		b = append(b, 'R')
		b = binary.AppendUvarint(b, uint64(producer))
		b = binary.AppendUvarint(b, id)
		b = append(b, byte(e.outcome), e.attempts)
		b = binary.AppendUvarint(b, uint64(e.shard))
		b = binary.LittleEndian.AppendUint64(b, e.keyHash)
		return binary.LittleEndian.AppendUint32(b, e.seqHash)
	})
}

func (lf *logFile) delivery(consumer, producer int, id uint64, d Delivery) {
	lf.write(func(b []byte) []byte {
		b = append(b, 'D')
		b = binary.AppendUvarint(b, uint64(consumer))
		b = binary.AppendUvarint(b, uint64(producer))
		b = binary.AppendUvarint(b, id)
		b = appendString(b, d.ShardID)
		b = appendString(b, d.SequenceNumber)
		b = appendString(b, d.PartitionKey)
		b = binary.AppendVarint(b, d.At.UnixMicro())
		flags := byte(0)
		if d.Applied {
			flags |= 1
		}
		if d.Filtered {
			flags |= 2
		}
		b = append(b, flags)
		return binary.AppendUvarint(b, uint64(max(d.Generation, 0)))
	})
}

func (lf *logFile) startAt(consumer int, t time.Time) {
	lf.write(func(b []byte) []byte {
		b = binary.AppendUvarint(append(b, 'T'), uint64(consumer))
		return binary.AppendVarint(b, t.UnixMicro())
	})
}

func (lf *logFile) scope(consumer int, producers []int) {
	lf.write(func(b []byte) []byte {
		b = binary.AppendUvarint(append(b, 'X'), uint64(consumer))
		b = binary.AppendUvarint(b, uint64(len(producers)))
		for _, p := range producers {
			b = binary.AppendUvarint(b, uint64(p))
		}
		return b
	})
}

func (lf *logFile) beforeStart(consumer, producer int, id uint64) {
	lf.write(func(b []byte) []byte {
		b = binary.AppendUvarint(append(b, 'B'), uint64(consumer))
		b = binary.AppendUvarint(b, uint64(producer))
		return binary.AppendUvarint(b, id)
	})
}

func (lf *logFile) checkpointed(consumer int, shard string) {
	lf.write(func(b []byte) []byte {
		return appendString(binary.AppendUvarint(append(b, 'K'), uint64(consumer)), shard)
	})
}

func (lf *logFile) restart(consumer int, at time.Time, shards []string) {
	lf.write(func(b []byte) []byte {
		b = binary.AppendUvarint(append(b, 'G'), uint64(consumer))
		b = binary.AppendVarint(b, at.UnixMicro())
		b = binary.AppendUvarint(b, uint64(len(shards)))
		for _, s := range shards {
			b = appendString(b, s)
		}
		return b
	})
}

func (lf *logFile) flush() error {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.err == nil {
		lf.err = lf.w.Flush()
	}
	return lf.err
}

// Flush writes buffered events to the file. A ledger without a file has
// nothing to flush.
func (l *Ledger) Flush() error {
	if l.file == nil {
		return nil
	}
	return l.file.flush()
}

// Sync flushes the file every interval until ctx is done, so a crash loses
// at most the last interval. It blocks; run it in its own goroutine.
func (l *Ledger) Sync(ctx context.Context, every time.Duration) {
	if l.file == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = l.Flush() // the error is kept and returned by Close
		}
	}
}

// Close flushes and closes the file, returning the first write error.
func (l *Ledger) Close() error {
	if l.file == nil {
		return nil
	}
	err := l.file.flush()
	l.file.mu.Lock()
	defer l.file.mu.Unlock()
	if l.file.f == nil {
		return err
	}
	if cerr := l.file.f.Close(); err == nil {
		err = cerr
	}
	l.file.f = nil
	l.file.err = errors.Join(err, os.ErrClosed)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// Load reads a ledger file back into memory. A file cut short by a crash
// loads up to its last whole event.
func Load(path string) (*Ledger, error) {
	l := New()
	if err := l.load(path); err != nil {
		return nil, err
	}
	return l, nil
}

// LoadFiles reads several ledger files into one ledger, as one run: the
// segments of a scenario run on several machines (kinesim merge). Producers
// and consumers are matched by name, so a record produced in one segment and
// consumed in another is judged as delivered; record ids must therefore be
// unique across the files (each segment's producers named apart). A
// consumer's generations are those of every file in turn: a file's first
// generation continues the consumer's current one, and each restart it
// holds begins a new one.
func LoadFiles(paths ...string) (*Ledger, error) {
	l := New()
	for _, path := range paths {
		if err := l.load(path); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// load replays the events of the file at path into l.
func (l *Ledger) load(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	magic := make([]byte, len(fileMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != fileMagic && string(magic) != fileMagicV1 {
		return fmt.Errorf("ledger: %s is not a kinesim ledger file (it does not begin with %q)", path, fileMagic[:len(fileMagic)-1])
	}
	l.loading = &loadState{v1: string(magic) == fileMagicV1}
	defer func() { l.loading = nil }()
	for {
		tag, err := r.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("ledger: %s: %w", path, err)
		}
		if err := l.replay(tag, r); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil // cut short by a crash
			}
			return fmt.Errorf("ledger: %s: %w", path, err)
		}
	}
}

type byteReader interface {
	io.Reader
	io.ByteReader
}

func readString(r byteReader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return "", err
	}
	if n > 1<<16 {
		return "", fmt.Errorf("string of %d bytes: corrupt file", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return string(b), nil
}

// replay applies one event read from a file.
func (l *Ledger) replay(tag byte, r byteReader) error {
	st := l.loading
	switch tag {
	case 'P', 'Q', 'C', 'S':
		s, err := readString(r)
		if err != nil {
			return err
		}
		switch tag {
		case 'P':
			p := l.producer(s, true)
			if !slices.Contains(st.producers, p) {
				st.producers = append(st.producers, p)
			}
		case 'Q':
			st.producers = append(st.producers, l.producer(s, false))
		case 'C':
			c := l.Consumer(s)
			c.mu.Lock()
			// Another segment's worker: a restart here re-delivers only what
			// this file's deliveries left uncheckpointed.
			clear(c.sinceCheckpoint)
			st.consumers = append(st.consumers, c)
			st.gens = append(st.gens, []int{len(c.gens) - 1})
			c.mu.Unlock()
		case 'S':
			st.shards = append(st.shards, l.shard(s))
		}
		return nil
	case 'R':
		return l.replayRecord(r)
	case 'D':
		return l.replayDelivery(r)
	case 'T', 'X', 'B', 'K', 'G':
		return l.replayConsumerEvent(tag, r)
	}
	return fmt.Errorf("unknown event tag %q: corrupt file", tag)
}

// replayRecord applies an 'R' event: one record's outcome.
func (l *Ledger) replayRecord(r byteReader) error {
	var fields [2]uint64
	for i := range fields {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return err
		}
		fields[i] = v
	}
	var fixed [2]byte
	if _, err := io.ReadFull(r, fixed[:]); err != nil {
		return err
	}
	shard, err := binary.ReadUvarint(r)
	if err != nil {
		return err
	}
	var hashes [12]byte
	if _, err := io.ReadFull(r, hashes[:]); err != nil {
		return err
	}
	p, err := l.producerAt(fields[0])
	if err != nil {
		return err
	}
	p.set(fields[1], entry{
		keyHash:  binary.LittleEndian.Uint64(hashes[:8]),
		seqHash:  binary.LittleEndian.Uint32(hashes[8:]),
		shard:    l.loading.shard(shard),
		attempts: fixed[1],
		outcome:  Outcome(fixed[0]),
	})
	return nil
}

// replayDelivery applies a 'D' event: one delivery to a consumer.
func (l *Ledger) replayDelivery(r byteReader) error {
	var fields [3]uint64
	for i := range fields {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return err
		}
		fields[i] = v
	}
	var strs [3]string
	for i := range strs {
		s, err := readString(r)
		if err != nil {
			return err
		}
		strs[i] = s
	}
	us, err := binary.ReadVarint(r)
	if err != nil {
		return err
	}
	flags, err := r.ReadByte()
	if err != nil {
		return err
	}
	var gen uint64
	if !l.loading.v1 {
		if gen, err = binary.ReadUvarint(r); err != nil {
			return err
		}
	}
	c, err := l.loading.consumerAt(fields[0])
	if err != nil {
		return err
	}
	p, err := l.producerAt(fields[1])
	if err != nil {
		return err
	}
	c.Delivered(Delivery{
		RecordID:       p.name + "-" + fmt.Sprint(fields[2]),
		ShardID:        strs[0],
		SequenceNumber: strs[1],
		PartitionKey:   strs[2],
		At:             time.UnixMicro(us),
		Applied:        flags&1 != 0,
		Filtered:       flags&2 != 0,
		Generation:     l.loading.generation(fields[0], gen),
	})
	return nil
}

// replayConsumerEvent applies a consumer's 'T', 'X', 'B', 'K' or 'G' event.
func (l *Ledger) replayConsumerEvent(tag byte, r byteReader) error {
	ci, err := binary.ReadUvarint(r)
	if err != nil {
		return err
	}
	c, err := l.loading.consumerAt(ci)
	if err != nil {
		return err
	}
	switch tag {
	case 'T':
		us, err := binary.ReadVarint(r)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.start = time.UnixMicro(us)
		c.mu.Unlock()
	case 'X':
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return err
		}
		idx := make([]int, 0, min(n, 1<<10))
		for range n {
			pi, err := binary.ReadUvarint(r)
			if err != nil {
				return err
			}
			p, err := l.producerAt(pi)
			if err != nil {
				return err
			}
			idx = append(idx, p.index)
		}
		c.scopeIndexes(idx)
	case 'B':
		var fields [2]uint64
		for i := range fields {
			if fields[i], err = binary.ReadUvarint(r); err != nil {
				return err
			}
		}
		p, err := l.producerAt(fields[0])
		if err != nil {
			return err
		}
		c.setBeforeStart(p.index, fields[1])
	case 'K':
		shard, err := readString(r)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.sinceCheckpoint[shard] = 0
		c.mu.Unlock()
	case 'G':
		us, err := binary.ReadVarint(r)
		if err != nil {
			return err
		}
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return err
		}
		var shards []string
		for range n {
			s, err := readString(r)
			if err != nil {
				return err
			}
			shards = append(shards, s)
		}
		c.mu.Lock()
		g := c.restartLocked(time.UnixMicro(us), shards)
		c.mu.Unlock()
		l.loading.gens[ci] = append(l.loading.gens[ci], g)
	}
	return nil
}

// loadState is what load needs to know while it replays a file: the file's
// producers and consumers by their rank in it, and each consumer's
// generations in the file mapped to the ledger's.
type loadState struct {
	v1        bool // a version 1 file
	producers []*Producer
	consumers []*Consumer
	shards    []uint16 // the ledger's index of the file's shard i+1
	gens      [][]int
}

// shard maps a shard index of the file (its rank + 1, 0: none) to the ledger's.
func (st *loadState) shard(i uint64) uint16 {
	if i == 0 || i > uint64(len(st.shards)) {
		return 0
	}
	return st.shards[i-1]
}

func (st *loadState) consumerAt(i uint64) (*Consumer, error) {
	if i >= uint64(len(st.consumers)) {
		return nil, fmt.Errorf("event of consumer %d, which is not defined", i)
	}
	return st.consumers[i], nil
}

// generation maps consumer i's generation in the file to the ledger's.
func (st *loadState) generation(i, gen uint64) int {
	if i >= uint64(len(st.gens)) {
		return int(gen)
	}
	g := st.gens[i]
	return g[min(gen, uint64(len(g)-1))]
}

// producerAt returns the producer defined i-th in the file being loaded
// (the i-th of the ledger when nothing is loading).
func (l *Ledger) producerAt(i uint64) (*Producer, error) {
	if st := l.loading; st != nil {
		if i >= uint64(len(st.producers)) {
			return nil, fmt.Errorf("record of producer %d, which is not defined", i)
		}
		return st.producers[i], nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if i >= uint64(len(l.producers)) {
		return nil, fmt.Errorf("record of producer %d, which is not defined", i)
	}
	return l.producers[i], nil
}
