package emulated

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// putScratch is the per-call working memory of PutRecords, pooled so that a
// call allocates only what it returns.
type putScratch struct {
	keys    []hashkey.Key // each record's hash key
	shardOf []int32       // each record's index in shardSet.open
	pending []int32       // records still to place, in request order
	order   []int32       // pending, grouped by shard (stable)
	retry   []int32       // records whose shard closed under them
	seqOff  []int32       // each record's offset in the sequence number string, -1 if failed
	bounds  []int32       // group boundaries of order, one per open shard plus one
}

var putScratchPool = sync.Pool{New: func() any { return new(putScratch) }}

func (s *putScratch) reset(n int) {
	s.keys = resize(s.keys, n)
	s.shardOf = resize(s.shardOf, n)
	s.order = resize(s.order, n)
	s.seqOff = resize(s.seqOff, n)
	s.pending = s.pending[:0]
	for i := range n {
		s.pending = append(s.pending, int32(i))
		s.seqOff[i] = -1
	}
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// PutRecords writes a batch. The call fails as a whole (an *stream.APIError)
// when the stream does not exist (ResourceNotFoundException) or the request
// breaks the API's rules (InvalidArgumentException): no records or more than
// 500, more than 10 MiB, a record over the maximum record size, an empty or
// too long partition key, or a malformed ExplicitHashKey. Otherwise each
// record succeeds or fails on its own: a record over its shard's write limits
// gets ProvisionedThroughputExceededException while the rest are written.
func (e *Emulator) PutRecords(ctx context.Context, in *stream.PutRecordsInput) (*stream.PutRecordsOutput, error) {
	return e.putBatch(ctx, in, recordsMember)
}

// memberName names a record's member in an error message: PutRecords'
// records are Records[i], PutRecord's one record is the request itself.
type memberName func(i int, member string) string

func recordsMember(i int, member string) string {
	if member == "" {
		return fmt.Sprintf("Records[%d]", i)
	}
	return fmt.Sprintf("Records[%d].%s", i, member)
}

func singleMember(_ int, member string) string {
	if member == "" {
		return "the record"
	}
	return member
}

// putBatch serves PutRecords, and PutRecord as a batch of one whose errors
// name members by name.
func (e *Emulator) putBatch(ctx context.Context, in *stream.PutRecordsInput, name memberName) (*stream.PutRecordsOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in == nil {
		return nil, stream.Errorf(stream.CodeInvalidArgument, "PutRecordsInput is nil")
	}
	recs := in.Records
	n := len(recs)
	if n == 0 || n > stream.MaxRecordsPerPutRecords {
		return nil, stream.Errorf(stream.CodeInvalidArgument,
			"Records has %d records; PutRecords takes 1 to %d", n, stream.MaxRecordsPerPutRecords)
	}
	scr := putScratchPool.Get().(*putScratch)
	defer putScratchPool.Put(scr)
	scr.reset(n)
	if err := e.validateRecords(recs, scr.keys, name); err != nil {
		return nil, err
	}
	st, err := e.lookup(in.StreamName)
	if err != nil {
		return nil, err
	}

	now := e.cfg.clock.Now().UnixNano()
	out := &stream.PutRecordsOutput{Records: make([]stream.PutRecordsResultEntry, n)}
	batch := &putBatch{recs: recs, keys: scr.keys, results: out.Records, seqOff: scr.seqOff}
	batch.seqs.Grow(n * seqLen)
	var splitDue []*shard
	for len(scr.pending) > 0 {
		set := st.shards.Load()
		scr.groupByShard(set)
		scr.retry = scr.retry[:0]
		for g, sh := range set.open {
			group := scr.order[scr.bounds[g]:scr.bounds[g+1]]
			if len(group) == 0 {
				continue
			}
			switch sh.put(st, now, batch, group) {
			case putClosed:
				scr.retry = append(scr.retry, group...)
			case putDeleted:
				return nil, streamNotFound(in.StreamName)
			case putSplitDue:
				splitDue = append(splitDue, sh)
			}
		}
		scr.pending, scr.retry = scr.retry, scr.pending
		if len(scr.pending) > 0 {
			runtime.Gosched() // a reshard is publishing the new shard map
		}
	}
	for _, sh := range splitDue {
		st.autoSplit(sh, now)
	}
	e.mem.enforce()

	all := batch.seqs.String()
	for i := range out.Records {
		entry := &out.Records[i]
		if off := scr.seqOff[i]; off >= 0 {
			entry.SequenceNumber = all[off : int(off)+seqLen]
		} else {
			out.FailedRecordCount++
		}
	}
	if err := e.wait(ctx, OpPutRecords); err != nil {
		return nil, err
	}
	return out, nil
}

// validateRecords checks every record against the API's rules and stores
// each one's hash key in keys.
func (e *Emulator) validateRecords(recs []stream.Record, keys []hashkey.Key, name memberName) error {
	total := 0
	for i := range recs {
		r := &recs[i]
		if r.PartitionKey == "" {
			return stream.Errorf(stream.CodeInvalidArgument, "%s is empty; partition keys have 1 to %d characters", name(i, "PartitionKey"), stream.MaxPartitionKeyLength)
		}
		if len(r.PartitionKey) > stream.MaxPartitionKeyLength && utf8.RuneCountInString(r.PartitionKey) > stream.MaxPartitionKeyLength {
			return stream.Errorf(stream.CodeInvalidArgument, "%s has %d characters; partition keys have 1 to %d",
				name(i, "PartitionKey"), utf8.RuneCountInString(r.PartitionKey), stream.MaxPartitionKeyLength)
		}
		size := r.Size()
		if size > e.cfg.maxRecordSize {
			return stream.Errorf(stream.CodeInvalidArgument, "%s is %d bytes (data plus partition key); the stream's maximum record size is %d bytes",
				name(i, ""), size, e.cfg.maxRecordSize)
		}
		total += size
		k, ok := hashkey.Route(r.PartitionKey, r.ExplicitHashKey)
		if !ok {
			// Kinesis's words for a key outside the hash key space.
			return stream.Errorf(stream.CodeInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", r.ExplicitHashKey)
		}
		keys[i] = k
	}
	if total > stream.MaxPutRecordsRequestBytes {
		return stream.Errorf(stream.CodeInvalidArgument, "the request carries %d bytes (data plus partition keys); PutRecords takes at most %d",
			total, stream.MaxPutRecordsRequestBytes)
	}
	return nil
}

// groupByShard routes the pending records and orders them by shard, keeping
// request order within each shard (a stable counting sort): the records for
// set.open[g] are order[bounds[g]:bounds[g+1]].
func (s *putScratch) groupByShard(set *shardSet) {
	s.bounds = resize(s.bounds, len(set.open)+1)
	clear(s.bounds)
	for _, i := range s.pending {
		g := int32(set.routeIndex(s.keys[i]))
		s.shardOf[i] = g
		s.bounds[g+1]++
	}
	for g := 1; g < len(s.bounds); g++ {
		s.bounds[g] += s.bounds[g-1]
	}
	next := s.order[:len(s.pending)]
	for _, i := range s.pending {
		g := s.shardOf[i]
		next[s.bounds[g]] = i
		s.bounds[g]++
	}
	// Each bounds[g] now holds the end of group g; shift to get the starts.
	copy(s.bounds[1:], s.bounds[:len(s.bounds)-1])
	s.bounds[0] = 0
}

// putBatch is one PutRecords call's records and results.
type putBatch struct {
	recs    []stream.Record
	keys    []hashkey.Key // each record's hash key
	results []stream.PutRecordsResultEntry
	seqOff  []int32         // each record's offset in seqs, -1 if failed
	seqs    strings.Builder // the sequence numbers of the records written
}

// putStatus says how shard.put went.
type putStatus int

const (
	putDone     putStatus = iota
	putClosed             // the shard closed since the caller routed the records: route again
	putDeleted            // the stream was deleted meanwhile
	putSplitDue           // done, and the on-demand stream should split the shard
)

// put writes the records b.recs[i] for i in group, all routed to sh, under
// one hold of the shard's lock. It writes nothing when it returns putClosed
// or putDeleted.
func (sh *shard) put(st *streamState, now int64, b *putBatch, group []int32) putStatus {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	switch {
	case sh.deleted:
		return putDeleted
	case sh.endSeq != "":
		return putClosed
	}
	st.expire(sh, now)
	sh.writeBytes.refill(now)
	sh.writeCount.refill(now)
	arrival := max(now, sh.lastArrival)
	sh.lastArrival = arrival
	// Reserve counters for the whole group with one atomic add while holding
	// the lock, so numbers increase within the shard; throttled records leave
	// gaps.
	counter := st.counter.Add(uint64(len(group))) - uint64(len(group))
	onDemand := st.mode == stream.ModeOnDemand
	if onDemand {
		sh.demand.roll(now)
	}
	var seq [seqLen]byte
	for _, i := range group {
		r := &b.recs[i]
		if onDemand {
			sh.demand.observe(r.Size(), b.keys[i])
		}
		if st.failure.fails() {
			b.results[i].ErrorCode = stream.CodeInternalFailure
			b.results[i].ErrorMessage = internalFailureMessage
			continue
		}
		size := float64(r.Size())
		if !sh.writeCount.allows(1) || !sh.writeBytes.allows(size) {
			b.results[i].ErrorCode = stream.CodeThrottled
			b.results[i].ErrorMessage = sh.throttleMessage
			continue
		}
		sh.writeCount.take(1)
		sh.writeBytes.take(size)
		counter++
		newChunk, newSegment := sh.log.append(counter, arrival, r.PartitionKey, r.Data)
		st.mem.allocated(sh, newChunk, newSegment)
		b.results[i].ShardID = sh.id
		b.seqOff[i] = int32(b.seqs.Len())
		b.seqs.Write(appendSeqNum(seq[:0], sh.seq, counter, arrival))
	}
	if onDemand {
		if _, due := sh.demand.splitKey(now, st.cfg.onDemandSplitDelay); due {
			return putSplitDue
		}
	}
	return putDone
}
