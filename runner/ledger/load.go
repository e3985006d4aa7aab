package ledger

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2/roaring64"
)

// Load reads a ledger file back into memory. A file cut short by a crash
// loads up to its last whole event, and End says it is incomplete.
func Load(path string) (*Ledger, error) {
	return LoadFiles(path)
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
	l.end = End{Loaded: true, Complete: true}
	for _, path := range paths {
		if err := l.load(path); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// countingReader counts the bytes read, to say where a file ends.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (cr *countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.n += int64(n)
	return n, err
}

func (cr *countingReader) ReadByte() (byte, error) {
	b, err := cr.r.ReadByte()
	if err == nil {
		cr.n++
	}
	return b, err
}

// load replays the events of the file at path into l.
func (l *Ledger) load(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	defer f.Close()
	r := &countingReader{r: bufio.NewReaderSize(f, 1<<20)}
	magic := make([]byte, len(fileMagic))
	_, err = io.ReadFull(r, magic)
	version := map[string]int{fileMagic: 3, fileMagicV2: 2, fileMagicV1: 1}[string(magic)]
	if err != nil || version == 0 {
		return fmt.Errorf("ledger: %s is not a kinesim ledger file (it does not begin with %q; versions 1 to 3 are understood)", path, fileMagic[:len(fileMagic)-1])
	}
	st := &loadState{version: version}
	l.loading = st
	defer func() { l.loading = nil }()
	complete := version < 3 // older files have no end marker
	var events int64
	whole := r.n // the end of the last whole event
	for {
		tag, err := r.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("ledger: %s: %w", path, err)
		}
		if tag == 'Y' && version == 3 {
			complete = true
			whole = r.n
			continue
		}
		if version < 3 {
			err = l.replayLegacy(tag, r)
		} else {
			err = l.replay(tag, r)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break // cut short by a crash: the torn last event is dropped
		}
		if err != nil {
			return fmt.Errorf("ledger: %s: byte %d: %w", path, r.n, err)
		}
		events++
		whole = r.n
	}
	l.end.Complete = l.end.Complete && complete
	l.end.Bytes, l.end.Events = whole, events
	for _, c := range st.consumers {
		_, last := c.span()
		if last.After(l.end.LastDelivery) {
			l.end.LastDelivery = last
		}
	}
	return nil
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

func readUvarints(r byteReader, n int) ([]uint64, error) {
	out := make([]uint64, n)
	for i := range out {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func readTime(r byteReader) (time.Time, error) {
	us, err := binary.ReadVarint(r)
	if err != nil || us == (time.Time{}).UnixMicro() {
		return time.Time{}, err
	}
	return time.UnixMicro(us), nil
}

// loadState is what load needs to know while it replays a file: the file's
// producers and consumers by their rank in it, and each consumer's
// generations in the file mapped to the ledger's.
type loadState struct {
	version   int
	producers []*Producer
	consumers []*Consumer
	shards    []uint16 // the ledger's index of the file's shard i+1 (versions 1 and 2)
	gens      [][]int
}

func (st *loadState) consumerAt(i uint64) (*Consumer, error) {
	if i >= uint64(len(st.consumers)) {
		return nil, fmt.Errorf("event of consumer %d, which is not defined", i)
	}
	return st.consumers[i], nil
}

func (st *loadState) producerAt(i uint64) (*Producer, error) {
	if i >= uint64(len(st.producers)) {
		return nil, fmt.Errorf("record of producer %d, which is not defined", i)
	}
	return st.producers[i], nil
}

// generation maps consumer i's generation in the file to the ledger's.
func (st *loadState) generation(i, gen uint64) int {
	if i >= uint64(len(st.gens)) {
		return int(gen)
	}
	g := st.gens[i]
	return g[min(gen, uint64(len(g)-1))]
}

// define replays a 'P', 'Q' or 'C' event.
func (l *Ledger) define(tag byte, r byteReader) error {
	s, err := readString(r)
	if err != nil {
		return err
	}
	st := l.loading
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
	}
	return nil
}

// replay applies one event of a version 3 file.
func (l *Ledger) replay(tag byte, r byteReader) error {
	switch tag {
	case 'P', 'Q', 'C':
		return l.define(tag, r)
	case 'A', 'R':
		return l.replayOutcome(tag, r)
	case 'd', 'E', 'F', 'N', 'W':
		return l.replayDelivery(tag, r)
	case 'T', 'X', 'B', 'G', 'Z', 'V':
		return l.replayConsumerEvent(tag, r)
	case 'U':
		return l.replayBacklog(r)
	}
	return fmt.Errorf("unknown event tag %q: corrupt file", tag)
}

// replayOutcome applies an 'A' (a run acknowledged) or 'R' (a failure) event.
func (l *Ledger) replayOutcome(tag byte, r byteReader) error {
	f, err := readUvarints(r, 2)
	if err != nil {
		return err
	}
	p, err := l.loading.producerAt(f[0])
	if err != nil {
		return err
	}
	if tag == 'R' {
		o, err := r.ReadByte()
		if err != nil {
			return err
		}
		p.fail(f[1], Outcome(o))
		return nil
	}
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.acked.AddRange(f[1], f[1]+n)
	p.maxID = max(p.maxID, f[1]+n-1)
	p.mu.Unlock()
	return nil
}

// replayBacklog applies a 'U' event: a record still to be read at the end.
func (l *Ledger) replayBacklog(r byteReader) error {
	f, err := readUvarints(r, 2)
	if err != nil {
		return err
	}
	shard, err := readString(r)
	if err != nil {
		return err
	}
	seq, err := readString(r)
	if err != nil {
		return err
	}
	var mask [8]byte
	if _, err := io.ReadFull(r, mask[:]); err != nil {
		return err
	}
	p, err := l.loading.producerAt(f[0])
	if err != nil {
		return err
	}
	// Consumer bits are the file's; a merged ledger's consumers may rank
	// otherwise, so map them.
	var waiting uint64
	for i, c := range l.loading.consumers {
		if i < maxWaiting && binary.LittleEndian.Uint64(mask[:])&(1<<i) != 0 && c.index < maxWaiting {
			waiting |= 1 << c.index
		}
	}
	idx := l.shard(shard)
	p.mu.Lock()
	p.backlog[f[1]] = &pending{shard: idx, seqHash: SeqHash(seq), seq: seq, waiting: waiting}
	p.mu.Unlock()
	return nil
}

// replayDelivery applies a 'd', 'E', 'F', 'N' or 'W' event.
func (l *Ledger) replayDelivery(tag byte, r byteReader) error {
	n := map[byte]int{'d': 5, 'E': 4, 'F': 3, 'N': 1, 'W': 3}[tag]
	f, err := readUvarints(r, n)
	if err != nil {
		return err
	}
	var flags byte
	var seqHash [4]byte
	switch tag {
	case 'E':
		if flags, err = r.ReadByte(); err != nil {
			return err
		}
	case 'W':
		if _, err = io.ReadFull(r, seqHash[:]); err != nil {
			return err
		}
	}
	c, err := l.loading.consumerAt(f[0])
	if err != nil {
		return err
	}
	if tag == 'N' {
		c.mu.Lock()
		c.deliveries++
		c.unknown++
		c.mu.Unlock()
		return nil
	}
	p, err := l.loading.producerAt(f[1])
	if err != nil {
		return err
	}
	switch tag {
	case 'd':
		c.replayRun(p.index, l.loading.generation(f[0], f[2]), f[3], f[4])
	case 'E':
		c.replayOne(p.index, f[2], l.loading.generation(f[0], f[3]), flags)
	case 'F':
		c.mu.Lock()
		c.of(p.index).foreign.Add(f[2])
		c.mu.Unlock()
	case 'W':
		p.mu.Lock()
		p.early[f[2]] = append(p.early[f[2]], earlyDelivery{consumer: c.index, seqHash: binary.LittleEndian.Uint32(seqHash[:])})
		p.mu.Unlock()
	}
	return nil
}

// replayRun applies n plain first deliveries from id first on.
func (c *Consumer) replayRun(producer, gen int, first, n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := c.of(producer)
	c.deliveries += int64(n)
	cp.deliveries += int64(n)
	c.gens[gen].deliveries += int64(n)
	// Rarely any overlap: deliveries the file holds as exceptions, written
	// before this run.
	run := roaring64.New()
	run.AddRange(first, first+n)
	again := roaring64.And(run, cp.delivered)
	for it := again.Iterator(); it.HasNext(); {
		cp.extra[it.Next()]++
	}
	cp.appliedTwice.Or(roaring64.And(run, cp.applied))
	cp.delivered.AddRange(first, first+n)
	cp.applied.AddRange(first, first+n)
	if gen > 0 {
		cp.firstInGen(gen).AddRange(first, first+n)
	}
}

// replayOne applies one delivery the file holds as an exception.
func (c *Consumer) replayOne(producer int, id uint64, gen int, flags byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := c.of(producer)
	c.deliveries++
	cp.deliveries++
	c.gens[gen].deliveries++
	if addNew(cp.delivered, id) {
		if gen > 0 {
			cp.firstInGen(gen).Add(id)
		}
	} else {
		cp.extra[id]++
	}
	if flags&flagRedelivery != 0 {
		c.gens[gen].redeliveries++
	}
	if flags&flagApplied != 0 && !addNew(cp.applied, id) {
		cp.appliedTwice.Add(id)
	}
	if flags&flagFiltered != 0 {
		cp.filtered.Add(id)
	}
	if flags&flagReordered != 0 {
		c.reordered++
	}
}

// replayConsumerEvent applies a consumer's 'T', 'X', 'B', 'G', 'Z' or 'V' event.
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
		t, err := readTime(r)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.start = t
		c.mu.Unlock()
		if f := l.file; f != nil { // a legacy file copied into a new one
			f.startAt(c.index, t)
		}
	case 'X':
		return l.replayScope(c, r)
	case 'B':
		f, err := readUvarints(r, 2)
		if err != nil {
			return err
		}
		p, err := l.loading.producerAt(f[0])
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.setBeforeStartLocked(p.index, f[1], 0)
		c.mu.Unlock()
		if lf := l.file; lf != nil {
			lf.beforeStart(c.index, p.index, f[1])
		}
	case 'G':
		return l.replayRestart(c, ci, r)
	case 'Z':
		return c.replayPosition(r)
	case 'V':
		first, err := readTime(r)
		if err != nil {
			return err
		}
		last, err := readTime(r)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.firstAt, c.lastAt = minTime(c.firstAt, first), maxTime(c.lastAt, last)
		c.mu.Unlock()
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (l *Ledger) replayScope(c *Consumer, r byteReader) error {
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
		p, err := l.loading.producerAt(pi)
		if err != nil {
			return err
		}
		idx = append(idx, p.index)
	}
	c.scopeIndexes(idx)
	if f := l.file; f != nil {
		f.scope(c.index, idx)
	}
	return nil
}

func (l *Ledger) replayRestart(c *Consumer, ci uint64, r byteReader) error {
	at, err := readTime(r)
	if err != nil {
		return err
	}
	f, err := readUvarints(r, 2)
	if err != nil {
		return err
	}
	var shards []string
	for range f[1] {
		s, err := readString(r)
		if err != nil {
			return err
		}
		shards = append(shards, s)
	}
	c.mu.Lock()
	c.gens = append(c.gens, generation{at: at, shards: shards, uncheckpointed: int64(f[0])})
	g := len(c.gens) - 1
	c.mu.Unlock()
	l.loading.gens[ci] = append(l.loading.gens[ci], g)
	return nil
}

func (c *Consumer) replayPosition(r byteReader) error {
	shard, err := readString(r)
	if err != nil {
		return err
	}
	seq, err := readString(r)
	if err != nil {
		return err
	}
	ended, err := r.ReadByte()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readAt(Delivery{ShardID: shard, SequenceNumber: seq})
	if ended != 0 {
		c.ended[shard] = true
	}
	return nil
}

// span returns the times of the consumer's first and last delivery.
func (c *Consumer) span() (first, last time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.firstAt, c.lastAt
}
