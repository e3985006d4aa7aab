package emulated

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kinesim/kinesim/stream"
)

// iteratorLifetime is how long a shard iterator stays valid (GetShardIterator
// in the API reference: "A shard iterator expires 5 minutes after it is
// returned to the requester").
const iteratorLifetime = 5 * time.Minute

// maxGetRecordsBytes is the most bytes one GetRecords response carries.
const maxGetRecordsBytes = 10 << 20

// iterator is a decoded shard iterator: a position in one shard of one
// incarnation of a stream, and when it was issued.
type iterator struct {
	stream      string
	incarnation uint64
	shard       int
	pos         int64 // absolute: the number of records the shard held before it
	issued      int64 // unix nanoseconds
}

// encode makes the opaque string callers pass back to GetRecords.
func (it iterator) encode() string {
	buf := make([]byte, 0, len(it.stream)+64)
	buf = append(buf, it.stream...)
	for _, v := range [...]int64{int64(it.incarnation), int64(it.shard), it.pos, it.issued} {
		buf = append(buf, '|')
		buf = strconv.AppendInt(buf, v, 10)
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}

func decodeIterator(s string) (iterator, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return iterator{}, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 5 {
		return iterator{}, false
	}
	var nums [4]int64
	for i, p := range parts[1:] {
		if nums[i], err = strconv.ParseInt(p, 10, 64); err != nil || nums[i] < 0 {
			return iterator{}, false
		}
	}
	return iterator{stream: parts[0], incarnation: uint64(nums[0]), shard: int(nums[1]), pos: nums[2], issued: nums[3]}, true
}

// shardNotFound is Kinesis's answer for a shard id that names no shard of
// the stream: the id as Kinesis read it (canonical), or, for an id that
// names no shard at all, the id as given.
func shardNotFound(shardID, streamName string) error {
	i, ok := stream.ParseShardID(shardID)
	if !ok {
		return stream.Errorf(stream.CodeNotFound, "Could not find shard %s in stream %s under account %s.", shardID, streamName, account)
	}
	shardID = stream.ShardID(i)
	return stream.Errorf(stream.CodeNotFound, "Shard %s in stream %s under account %s does not exist", shardID, streamName, account)
}

// GetShardIterator returns an iterator on one shard, valid for five minutes.
// AT_ and AFTER_SEQUENCE_NUMBER need a sequence number of that shard;
// AT_TIMESTAMP starts at the first record that arrived at or after Timestamp.
func (e *Emulator) GetShardIterator(ctx context.Context, in *stream.GetShardIteratorInput) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if in == nil {
		return "", stream.Errorf(stream.CodeInvalidArgument, "GetShardIteratorInput is nil")
	}
	st, err := e.lookup(in.StreamName)
	if err != nil {
		return "", err
	}
	sh := st.shards.Load().byID(in.ShardID)
	if sh == nil {
		return "", shardNotFound(in.ShardID, in.StreamName)
	}
	now := e.cfg.clock.Now().UnixNano()
	pos, err := st.position(sh, now, stream.StartingPosition{Type: in.Type, SequenceNumber: in.SequenceNumber, Timestamp: in.Timestamp})
	if err != nil {
		return "", err
	}
	it := iterator{stream: st.name, incarnation: st.incarnation, shard: sh.index, pos: pos, issued: now}
	return it.encode(), nil
}

// position finds where an iterator or a subscription starting at from
// starts in sh, at now.
func (st *streamState) position(sh *shard, now int64, from stream.StartingPosition) (int64, error) {
	sh.mu.Lock()
	st.expire(sh, now)
	view := sh.log.view()
	sh.mu.Unlock()
	if err := checkStartingPosition(from); err != nil {
		return 0, err
	}
	switch from.Type {
	case stream.TrimHorizon:
		return view.start, nil
	case stream.Latest:
		return view.end, nil
	case stream.AtSequenceNumber, stream.AfterSequenceNumber:
		seq, err := st.startingSequence(sh, from.SequenceNumber)
		if err != nil {
			return 0, err
		}
		after := from.Type == stream.AfterSequenceNumber
		return view.search(func(r *storedRecord) bool {
			return r.counter > seq.counter || (!after && r.counter == seq.counter)
		}), nil
	case stream.AtTimestamp:
		ts := from.Timestamp.UnixNano()
		return view.search(func(r *storedRecord) bool { return r.arrival >= ts }), nil
	}
	return 0, stream.Errorf(stream.CodeInvalidArgument, "ShardIteratorType %q: want TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER or AT_TIMESTAMP", from.Type)
}

// GetRecords reads up to Limit records (10,000 when Limit is 0) and at most
// 10 MiB from an iterator. An iterator older than five minutes →
// ExpiredIteratorException; one of a deleted stream →
// ResourceNotFoundException.
func (e *Emulator) GetRecords(ctx context.Context, in *stream.GetRecordsInput) (*stream.GetRecordsOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in == nil {
		return nil, stream.Errorf(stream.CodeInvalidArgument, "GetRecordsInput is nil")
	}
	limit := in.Limit
	if limit == 0 {
		limit = stream.MaxGetRecordsLimit
	}
	if limit < 1 || limit > stream.MaxGetRecordsLimit {
		return nil, stream.Errorf(stream.CodeInvalidArgument, "Limit %d: want 1 to %d", in.Limit, stream.MaxGetRecordsLimit)
	}
	it, ok := decodeIterator(in.ShardIterator)
	if !ok {
		return nil, stream.Errorf(stream.CodeInvalidArgument, "Invalid ShardIterator")
	}
	st, err := e.lookup(it.stream)
	if err != nil {
		return nil, err
	}
	set := st.shards.Load()
	if st.incarnation != it.incarnation || it.shard >= len(set.all) {
		return nil, shardNotFound(stream.ShardID(it.shard), it.stream)
	}
	now := e.cfg.clock.Now()
	if age := now.UnixNano() - it.issued; age > int64(iteratorLifetime) {
		return nil, stream.Errorf(stream.CodeExpiredIterator,
			"Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			time.Unix(0, it.issued).UTC().Format(time.UnixDate), now.UTC().Format(time.UnixDate), iteratorLifetime.Milliseconds())
	}
	sh := set.all[it.shard]
	if e.failure.fails() {
		return nil, internalFailure()
	}

	sh.mu.Lock()
	st.expire(sh, now.UnixNano())
	view := sh.log.view()
	// A position trimmed away by retention reads from the trim horizon.
	pos := min(max(it.pos, view.start), view.end)
	next, size := view.page(pos, limit, maxGetRecordsBytes)
	if !sh.reads.admit(now.UnixNano(), size) {
		sh.mu.Unlock()
		return nil, stream.Errorf(stream.CodeThrottled, "%s", sh.readThrottleMessage)
	}
	sh.log.markRead(next)
	closed, children := sh.endSeq != "", sh.children
	sh.mu.Unlock()

	out := &stream.GetRecordsOutput{Records: view.copyRecords(pos, next, size, sh.seq)}
	if next < view.end {
		out.MillisBehindLatest = max(0, (now.UnixNano()-view.at(next).arrival)/int64(time.Millisecond))
	}
	if closed && next == view.end {
		// The end of a closed shard: no next iterator; read the children.
		out.ChildShards = cloneChildShards(children)
	} else {
		it.pos = next
		it.issued = now.UnixNano()
		out.NextShardIterator = it.encode()
	}
	if err := e.wait(ctx, OpGetRecords); err != nil {
		return nil, err
	}
	return out, nil
}

// page returns the end and payload bytes of the response that starts at pos:
// at most limit records and maxBytes, but at least one record when there is
// one.
func (v *logView) page(pos int64, limit, maxBytes int) (next int64, size int) {
	next = pos
	for next < v.end && next-pos < int64(limit) {
		n := v.at(next).size()
		if next > pos && size+n > maxBytes {
			break
		}
		size += n
		next++
	}
	return next, size
}

// copyRecords returns positions from..to-1 (size payload bytes) as the
// caller's own copies, with three allocations for the whole response besides
// the slice: one for the data, one string for the partition keys and one for
// the sequence numbers. Records whose payload the memory cap dropped come
// back marked, with zeroed data of their size.
func (v *logView) copyRecords(from, to int64, size int, shard seqShard) []stream.StoredRecord {
	if from == to {
		return nil
	}
	out := make([]stream.StoredRecord, to-from)
	data := make([]byte, 0, size) // zeroed: dropped payloads need only a length
	var keys, seqs strings.Builder
	seqs.Grow(len(out) * seqLen)
	keys.Grow(size - int(to-from)) // room for the keys, roughly
	keyEnds := make([]int, len(out))
	var seq [seqLen]byte
	for i := range out {
		r := v.at(from + int64(i))
		start := len(data)
		data = data[:start+int(r.dataLen)]
		if payload := v.payload(r); payload != nil {
			keys.Write(payload[:r.keyLen])
			copy(data[start:], payload[r.keyLen:])
		} else {
			out[i].PayloadDropped = true
		}
		keyEnds[i] = keys.Len()
		out[i].Data = data[start:len(data):len(data)]
		seqs.Write(appendSeqNum(seq[:0], shard, r.counter, r.arrival))
		out[i].ApproximateArrivalTimestamp = time.UnixMilli(r.arrival / int64(time.Millisecond))
	}
	allKeys, allSeqs := keys.String(), seqs.String()
	keyStart := 0
	for i := range out {
		out[i].PartitionKey = allKeys[keyStart:keyEnds[i]]
		keyStart = keyEnds[i]
		out[i].SequenceNumber = allSeqs[i*seqLen : (i+1)*seqLen]
	}
	return out
}

// checkStartingPosition checks that from has what its type needs, and only
// that, in Kinesis's words (kinesalite recorded them against Kinesis). A
// timestamp in the future is allowed here (kinesim's own consumers start at
// a time a run has not reached yet); the server refuses it as Kinesis does.
func checkStartingPosition(from stream.StartingPosition) error {
	switch from.Type {
	case stream.AtSequenceNumber, stream.AfterSequenceNumber, stream.TrimHorizon, stream.Latest:
		needs := from.Type == stream.AtSequenceNumber || from.Type == stream.AfterSequenceNumber
		if has := from.SequenceNumber != ""; has != needs {
			what := "and no StartingSequenceNumber"
			if has {
				what = "and also a StartingSequenceNumber"
			}
			return stream.Errorf(stream.CodeInvalidArgument, "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "+
				"(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s %s.", from.Type, what)
		}
	case stream.AtTimestamp:
		if from.Timestamp.IsZero() {
			return stream.Errorf(stream.CodeInvalidArgument, "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
		}
	}
	return nil
}

// startingSequence reads an AT_ or AFTER_SEQUENCE_NUMBER starting number
// for sh and answers, for one that is not of sh, what Kinesis answers
// (kinesalite recorded these against Kinesis): a number Kinesis cannot
// read is invalid; one that encodes another shard index names it; one of
// the same index from another shard or stream (another creation time or
// layout) "did not come from this stream", except that the oldest layout
// gets InternalFailure.
func (st *streamState) startingSequence(sh *shard, s string) (seqNum, error) {
	seq, ok := parseSeqNum(s)
	if !ok {
		return seq, stream.Errorf(stream.CodeInvalidArgument, "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid.",
			s, sh.id, st.name, account)
	}
	if seq.shard != int64(sh.index) {
		return seq, stream.Errorf(stream.CodeInvalidArgument,
			"Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", seqShardName(seq.shard), sh.id)
	}
	if seq.version != seqVersion || seq.created != sh.seq.created {
		if seq.version == 0 {
			return seq, internalFailure()
		}
		return seq, stream.Errorf(stream.CodeInvalidArgument, "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid because it did not come from this stream.",
			s, sh.id, st.name, account)
	}
	return seq, nil
}

// seqShardName names the shard index a sequence number encodes as Kinesis
// does, a negative one included ("shardId--02147483648").
func seqShardName(index int64) string {
	if index < 0 {
		return fmt.Sprintf("shardId--%011d", -index)
	}
	return stream.ShardID(int(index))
}
