package ledger

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// FileName is the ledger's file in a run folder.
const FileName = "ledger.bin"

// The file is a magic line, then events, each a tag byte and fields in
// unsigned varints (u), fixed little-endian integers (u64, u32) and
// length-prefixed strings (s):
//
//	'P' s                          a producer; its index is its rank among 'P's
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

func (lf *logFile) defineProducer(name string) {
	lf.write(func(b []byte) []byte { return appendString(append(b, 'P'), name) })
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
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	magic := make([]byte, len(fileMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != fileMagic && string(magic) != fileMagicV1 {
		return nil, fmt.Errorf("ledger: %s is not a kinesim ledger file", path)
	}
	l := New()
	l.loading = &loadState{v1: string(magic) == fileMagicV1}
	defer func() { l.loading = nil }()
	var consumers []*Consumer
	for {
		tag, err := r.ReadByte()
		if err == io.EOF {
			return l, nil
		}
		if err != nil {
			return nil, fmt.Errorf("ledger: %s: %w", path, err)
		}
		if err := l.replay(tag, r, &consumers); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return l, nil // cut short by a crash
			}
			return nil, fmt.Errorf("ledger: %s: %w", path, err)
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
func (l *Ledger) replay(tag byte, r byteReader, consumers *[]*Consumer) error {
	switch tag {
	case 'P', 'C', 'S':
		s, err := readString(r)
		if err != nil {
			return err
		}
		switch tag {
		case 'P':
			l.Producer(s)
		case 'C':
			*consumers = append(*consumers, l.Consumer(s))
		case 'S':
			l.shard(s)
		}
		return nil
	case 'R':
		return l.replayRecord(r)
	case 'D':
		return l.replayDelivery(r, *consumers)
	case 'T', 'X', 'B', 'K', 'G':
		return l.replayConsumerEvent(tag, r, *consumers)
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
		shard:    uint16(shard),
		attempts: fixed[1],
		outcome:  Outcome(fixed[0]),
	})
	return nil
}

// replayDelivery applies a 'D' event: one delivery to a consumer.
func (l *Ledger) replayDelivery(r byteReader, consumers []*Consumer) error {
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
	c, err := consumerAt(consumers, fields[0])
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
		Generation:     int(gen),
	})
	return nil
}

// replayConsumerEvent applies a consumer's 'T', 'X', 'B', 'K' or 'G' event.
func (l *Ledger) replayConsumerEvent(tag byte, r byteReader, consumers []*Consumer) error {
	ci, err := binary.ReadUvarint(r)
	if err != nil {
		return err
	}
	c, err := consumerAt(consumers, ci)
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
			p, err := binary.ReadUvarint(r)
			if err != nil {
				return err
			}
			idx = append(idx, int(p))
		}
		c.scopeIndexes(idx)
	case 'B':
		var fields [2]uint64
		for i := range fields {
			if fields[i], err = binary.ReadUvarint(r); err != nil {
				return err
			}
		}
		if _, err := l.producerAt(fields[0]); err != nil {
			return err
		}
		c.setBeforeStart(int(fields[0]), fields[1])
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
		c.restartLocked(time.UnixMicro(us), shards)
		c.mu.Unlock()
	}
	return nil
}

func consumerAt(consumers []*Consumer, i uint64) (*Consumer, error) {
	if i >= uint64(len(consumers)) {
		return nil, fmt.Errorf("event of consumer %d, which is not defined", i)
	}
	return consumers[i], nil
}

// loadState is what Load needs to know while it replays a file.
type loadState struct {
	v1 bool // a version 1 file
}

func (l *Ledger) producerAt(i uint64) (*Producer, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i >= uint64(len(l.producers)) {
		return nil, fmt.Errorf("record of producer %d, which is not defined", i)
	}
	return l.producers[i], nil
}
