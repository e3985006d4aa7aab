package ledger

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2/roaring64"
)

// FileName is the ledger's file in a run folder.
const FileName = "ledger.bin"

// The file is a magic line, then events, each a tag byte and fields in
// unsigned varints (u), signed varints (v), fixed little-endian integers
// (u32, u64), single bytes and length-prefixed strings (s). Producers and
// consumers are numbered by their rank among the 'P'/'Q' and 'C' events.
//
//	'P' s                          a producer of the run
//	'Q' s                          a producer known only from deliveries of its ids
//	                               (another segment's); a later 'P' of the same name declares it
//	'C' s                          a consumer
//	'A' u producer, u first, u n   records first..first+n-1 acknowledged
//	'R' u producer, u id, outcome  a record dead-lettered (2) or unfinished (3)
//	'd' u consumer, u producer, u gen, u first, u n
//	                               first deliveries of first..first+n-1 in generation gen,
//	                               each applied, not filtered, in order: the plain fate
//	'E' u consumer, u producer, u id, u gen, flags
//	                               any other delivery; flags: 1 applied, 2 filtered,
//	                               4 first, 8 reordered, 16 a re-delivery of an earlier generation
//	'F' u consumer, u producer, u id  the consumer received the record from a write
//	                               that was not its acknowledged one
//	'N' u consumer                 a delivery whose id names no producer
//	'T' u consumer, v unix µs      the consumer's start position as a time
//	'X' u consumer, u n, n × u producer  the producers whose records the consumer reads
//	'B' u consumer, u producer, u id     a record written before the consumer's start
//	'G' u consumer, v unix µs, u uncheckpointed, u n, n × s shard
//	                               the consumer restarted (n = 0: every shard)
//
// and, written by Close, the state at the end: what tells lost from unread.
//
//	'U' u producer, u id, s shard, s seq, u64 consumers  an acknowledged record still
//	                               to be read by the consumers (a bit each)
//	'W' u consumer, u producer, u id, u32 seq hash  a delivery of a record
//	                               whose outcome the producer side never gave
//	'Z' u consumer, s shard, s seq, ended byte  how far the consumer read a shard
//	'Y'                            the end: the file is complete
//
// and, on every flush and at the end,
//
//	'V' u consumer, v unix µs, v unix µs  the consumer's first and last delivery so far
//
// Runs are written when a stretch of ids is settled (flushWindow below the
// highest id seen), so a clean run's file holds a few runs per stretch.
// Version 1 and 2 files (every event one by one) still load.
const (
	fileMagic   = "kinesim-ledger 3\n"
	fileMagicV2 = "kinesim-ledger 2\n"
	fileMagicV1 = "kinesim-ledger 1\n"
)

// flushEvery is how many ids a set of unwritten ones gathers before its
// settled part is written; flushWindow how far below the highest id an id
// is settled (deliveries from several shards, and acknowledgements of
// calls in flight, arrive out of order within it).
//
// Every optimizeEvery flushes the id sets are run-compressed: a full
// stretch of 65,536 ids then takes a few bytes instead of 8 KiB. Not on
// every flush, since adding to a run-compressed stretch costs more than
// setting a bit.
const (
	flushEvery    = 1 << 16
	flushWindow   = 1 << 16
	optimizeEvery = 16
)

// End says how a loaded ledger file ended.
type End struct {
	// Loaded is true for a ledger read from a file.
	Loaded bool
	// Complete is true when the file ends as Close ends it (or is of a
	// version without an end marker). A file cut short by a crash or a
	// kill is not complete: its undelivered records are not known lost.
	Complete bool
	// Bytes is where the last whole event ends (in the last file read);
	// Events the events read.
	Bytes  int64
	Events int64
	// LastDelivery is the last delivery time the file holds (zero: none).
	LastDelivery time.Time
}

// Note says, for a file cut short, where it ends and what that means for
// the verdicts; "" for a complete file or a ledger not loaded.
func (e End) Note() string {
	if !e.Loaded || e.Complete {
		return ""
	}
	at := "before any delivery"
	if !e.LastDelivery.IsZero() {
		at = "after a delivery at " + e.LastDelivery.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("the ledger ends at byte %d (%d events, %s) without the end its run writes when it finishes: "+
		"the run was killed or crashed, so it is incomplete; records not delivered by then are counted unread, not lost", e.Bytes, e.Events, at)
}

// End says how the ledger's file ended (the zero End for a ledger not
// loaded from a file). With several files, Complete is true only when
// every one is.
func (l *Ledger) End() End { return l.end }

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

func appendUvarints(b []byte, vs ...uint64) []byte {
	for _, v := range vs {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

func (lf *logFile) defineProducer(tag byte, name string) {
	lf.write(func(b []byte) []byte { return appendString(append(b, tag), name) })
}

func (lf *logFile) defineConsumer(name string) {
	lf.write(func(b []byte) []byte { return appendString(append(b, 'C'), name) })
}

func (lf *logFile) acked(producer int, runs [][2]uint64) {
	lf.write(func(b []byte) []byte {
		for _, r := range runs {
			b = appendUvarints(append(b, 'A'), uint64(producer), r[0], r[1])
		}
		return b
	})
}

func (lf *logFile) failed(producer int, id uint64, o Outcome) {
	lf.write(func(b []byte) []byte { return append(appendUvarints(append(b, 'R'), uint64(producer), id), byte(o)) })
}

func (lf *logFile) firstDeliveries(consumer, producer, gen int, runs [][2]uint64) {
	lf.write(func(b []byte) []byte {
		for _, r := range runs {
			b = appendUvarints(append(b, 'd'), uint64(consumer), uint64(producer), uint64(gen), r[0], r[1])
		}
		return b
	})
}

// Delivery flags of an 'E' event.
const (
	flagApplied byte = 1 << iota
	flagFiltered
	flagFirst
	flagReordered
	flagRedelivery
)

func deliveryFlags(d Delivery, first, reordered, redelivery bool) byte {
	var f byte
	for _, set := range []struct {
		on   bool
		flag byte
	}{{d.Applied, flagApplied}, {d.Filtered, flagFiltered}, {first, flagFirst}, {reordered, flagReordered}, {redelivery, flagRedelivery}} {
		if set.on {
			f |= set.flag
		}
	}
	return f
}

func (lf *logFile) delivery(consumer, producer int, id uint64, gen int, flags byte) {
	lf.write(func(b []byte) []byte {
		return append(appendUvarints(append(b, 'E'), uint64(consumer), uint64(producer), id, uint64(gen)), flags)
	})
}

func (lf *logFile) foreign(consumer, producer int, id uint64) {
	lf.write(func(b []byte) []byte { return appendUvarints(append(b, 'F'), uint64(consumer), uint64(producer), id) })
}

func (lf *logFile) unknownDelivery(consumer int) {
	lf.write(func(b []byte) []byte { return appendUvarints(append(b, 'N'), uint64(consumer)) })
}

func (lf *logFile) startAt(consumer int, t time.Time) {
	lf.write(func(b []byte) []byte {
		return binary.AppendVarint(appendUvarints(append(b, 'T'), uint64(consumer)), t.UnixMicro())
	})
}

func (lf *logFile) scope(consumer int, producers []int) {
	lf.write(func(b []byte) []byte {
		b = appendUvarints(append(b, 'X'), uint64(consumer), uint64(len(producers)))
		for _, p := range producers {
			b = binary.AppendUvarint(b, uint64(p))
		}
		return b
	})
}

func (lf *logFile) beforeStart(consumer, producer int, id uint64) {
	lf.write(func(b []byte) []byte { return appendUvarints(append(b, 'B'), uint64(consumer), uint64(producer), id) })
}

func (lf *logFile) restart(consumer int, g generation) {
	lf.write(func(b []byte) []byte {
		b = binary.AppendVarint(appendUvarints(append(b, 'G'), uint64(consumer)), g.at.UnixMicro())
		b = appendUvarints(b, uint64(g.uncheckpointed), uint64(len(g.shards)))
		for _, s := range g.shards {
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

// flushMode says which gathered ids a flush writes as runs.
type flushMode uint8

const (
	// flushSettled writes the ids more than flushWindow below the highest.
	flushSettled flushMode = iota
	// flushSync also writes the ids that were gathered by the previous
	// sync: an interval is long enough for every shard to be read again
	// and the calls in flight to be answered, so they are settled too.
	flushSync
	// flushEverything writes every id (Close, a restart).
	flushEverything
)

// gathered are ids waiting to be written as runs.
type gathered struct {
	ids      *roaring64.Bitmap
	syncMark uint64 // the highest id at the previous sync
}

// take removes the ids mode settles and returns them as runs (first, n).
func (g *gathered) take(mode flushMode) [][2]uint64 {
	if g.ids.IsEmpty() {
		return nil
	}
	top := g.ids.Maximum()
	var upTo uint64
	switch mode {
	case flushEverything:
		upTo = top
	case flushSync:
		upTo = max(g.syncMark, top-min(top, flushWindow))
		g.syncMark = top
	default:
		upTo = top - min(top, flushWindow)
	}
	if upTo == 0 {
		return nil
	}
	var runs [][2]uint64
	it := g.ids.Iterator()
	for it.HasNext() {
		id := it.Next()
		if id > upTo {
			break
		}
		if n := len(runs); n > 0 && runs[n-1][0]+runs[n-1][1] == id {
			runs[n-1][1]++
		} else {
			runs = append(runs, [2]uint64{id, 1})
		}
	}
	g.ids.RemoveRange(0, upTo+1)
	return runs
}

// flushRuns writes the producer's settled acknowledgements as runs, and
// compacts its sets.
func (p *Producer) flushRuns(mode flushMode) {
	p.mu.Lock()
	runs := p.unwritten.take(mode)
	if p.flushes++; p.flushes%optimizeEvery == 0 || mode == flushEverything {
		p.acked.RunOptimize()
	}
	p.mu.Unlock()
	if f := p.l.file; f != nil && len(runs) > 0 {
		f.acked(p.index, runs)
	}
}

// flushRuns writes the consumer's settled plain first deliveries of one
// producer and generation as runs, and compacts its sets.
func (c *Consumer) flushRuns(producer, gen int, mode flushMode) {
	c.mu.Lock()
	cp := c.of(producer)
	var runs [][2]uint64
	if gen < len(cp.unwritten) && cp.unwritten[gen] != nil {
		if gen < len(c.gens)-1 {
			mode = flushEverything // a past generation gets no more first deliveries
		}
		runs = cp.unwritten[gen].take(mode)
	}
	if cp.flushes++; cp.flushes%optimizeEvery == 0 || mode == flushEverything {
		cp.delivered.RunOptimize()
		cp.applied.RunOptimize()
		if gen < len(cp.firstIn) && cp.firstIn[gen] != nil {
			cp.firstIn[gen].RunOptimize()
		}
	}
	c.mu.Unlock()
	if f := c.l.file; f != nil && len(runs) > 0 {
		f.firstDeliveries(c.index, producer, gen, runs)
	}
}

// flushAll flushes every gathered run of the consumer that mode settles.
func (c *Consumer) flushAll(mode flushMode) {
	c.mu.Lock()
	type key struct{ producer, gen int }
	var keys []key
	for p, cp := range c.byProducer {
		if cp == nil {
			continue
		}
		for g, b := range cp.unwritten {
			if b != nil && !b.ids.IsEmpty() {
				keys = append(keys, key{p, g})
			}
		}
	}
	c.mu.Unlock()
	for _, k := range keys {
		c.flushRuns(k.producer, k.gen, mode)
	}
}

// Flush writes the settled runs and the buffered events to the file. Sync
// calls it on an interval, so a killed run's file holds all but the last
// two intervals. The ids gathered since the previous flush wait for the
// next: runs cut at every flush would fragment, since deliveries from
// several shards and acknowledgements of calls in flight arrive out of
// order. A ledger without a file has nothing to flush.
func (l *Ledger) Flush() error {
	if l.file == nil {
		return nil
	}
	l.flushRuns(flushSync)
	l.writeSpans()
	return l.file.flush()
}

// writeSpans writes each consumer's first and last delivery time so far
// ('V'): a file cut short then says when its deliveries end.
func (l *Ledger) writeSpans() {
	for _, c := range l.Consumers() {
		first, last := c.span()
		if last.IsZero() {
			continue
		}
		l.file.write(func(b []byte) []byte {
			b = appendUvarints(append(b, 'V'), uint64(c.index))
			return binary.AppendVarint(binary.AppendVarint(b, first.UnixMicro()), last.UnixMicro())
		})
	}
}

func (l *Ledger) flushRuns(mode flushMode) {
	for _, p := range l.allProducers() {
		p.flushRuns(mode)
	}
	for _, c := range l.Consumers() {
		c.flushAll(mode)
	}
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

// Close writes every run and the state at the end (what tells lost from
// unread), marks the file complete, and closes it, returning the first
// write error.
func (l *Ledger) Close() error {
	if l.file == nil {
		return nil
	}
	l.flushRuns(flushEverything)
	l.writeEnd()
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

// writeEnd writes the backlog, the deliveries still waiting for an
// outcome, the consumers' positions, and the end marker.
func (l *Ledger) writeEnd() {
	for _, p := range l.allProducers() {
		p.mu.Lock()
		l.file.write(func(b []byte) []byte {
			for id, pd := range p.backlog {
				b = appendUvarints(append(b, 'U'), uint64(p.index), id)
				b = appendString(appendString(b, l.shardName(pd.shard)), pd.seq)
				b = binary.LittleEndian.AppendUint64(b, pd.waiting)
			}
			for id, early := range p.early {
				for _, e := range early {
					b = appendUvarints(append(b, 'W'), uint64(e.consumer), uint64(p.index), id)
					b = binary.LittleEndian.AppendUint32(b, e.seqHash)
				}
			}
			return b
		})
		p.mu.Unlock()
	}
	for _, c := range l.Consumers() {
		c.mu.Lock()
		l.file.write(func(b []byte) []byte {
			for shard, seq := range c.readTo {
				b = appendString(appendString(appendUvarints(append(b, 'Z'), uint64(c.index)), shard), seq)
				b = append(b, boolByte(c.ended[shard]))
			}
			for shard := range c.ended {
				if _, read := c.readTo[shard]; !read {
					b = append(appendString(appendString(appendUvarints(append(b, 'Z'), uint64(c.index)), shard), ""), 1)
				}
			}
			return b
		})
		c.mu.Unlock()
	}
	l.writeSpans()
	l.file.write(func(b []byte) []byte { return append(b, 'Y') })
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
