package emulated

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// shard is one shard: its fixed description, its records and its limits.
type shard struct {
	id         string
	index      int
	start, end hashkey.Key
	startKey   string // start and end in decimal, as ListShards reports them
	endKey     string
	startSeq   string
	seq        seqShard // what the shard puts in its sequence numbers
	// parentID and adjacentParentID name the shards this one was made from
	// (a split's parent; a merge's two parents).
	parentID, adjacentParentID string
	// throttleMessage is AWS's ErrorMessage for a throttled record, made once;
	// readThrottleMessage the message of a throttled GetRecords call.
	throttleMessage     string
	readThrottleMessage string

	mu          sync.Mutex
	log         recordLog
	lastArrival int64 // unix nanoseconds; arrival times never go backwards
	writeBytes  tokenBucket
	writeCount  tokenBucket
	reads       readLimiter
	demand      demand // on-demand streams only
	endSeq      string // set when the shard is closed
	deleted     bool   // the stream was deleted; the records are gone
	children    []stream.ChildShard
}

// newShard makes shard index; created is the creation second its sequence
// numbers carry (see seqnum.go).
func (st *streamState) newShard(index int, start, end hashkey.Key, now, created int64) *shard {
	id := stream.ShardID(index)
	burst := st.cfg.writeBurst
	seq := seqShard{created: created, index: index}
	return &shard{
		seq:                 seq,
		id:                  id,
		index:               index,
		start:               start,
		end:                 end,
		startKey:            start.String(),
		endKey:              end.String(),
		startSeq:            formatSeqNum(seq, st.counter.Load(), created*int64(time.Second)),
		throttleMessage:     fmt.Sprintf("Rate exceeded for shard %s in stream %s under account %s.", id, st.name, account),
		readThrottleMessage: fmt.Sprintf("Rate exceeded for shard %s in stream %s under account %s: GetRecords is limited to %d calls and %d bytes a second per shard.", id, st.name, account, stream.ShardReadCallsPerSecond, stream.ShardReadBytesPerSecond),
		reads:               newReadLimiter(now, st.cfg.countThrottledReads),
		demand:              demand{winStart: now},
		writeBytes:          newTokenBucket(stream.ShardWriteBytesPerSecond, burst, now),
		writeCount:          newTokenBucket(stream.ShardWriteRecordsPerSecond, burst, now),
	}
}

func (sh *shard) isClosed() bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.endSeq != ""
}

func (sh *shard) describe() stream.Shard {
	sh.mu.Lock()
	endSeq := sh.endSeq
	sh.mu.Unlock()
	return stream.Shard{
		ShardID:               sh.id,
		ParentShardID:         sh.parentID,
		AdjacentParentShardID: sh.adjacentParentID,
		HashKeyRange:          sh.hashKeyRange(),
		SequenceNumberRange: stream.SequenceNumberRange{
			StartingSequenceNumber: sh.startSeq,
			EndingSequenceNumber:   endSeq,
		},
	}
}

// close closes the shard to writes: it gets its ending sequence number, and
// readers reaching its end are sent to children.
func (sh *shard) close(counter *atomic.Uint64, now int64, children []stream.ChildShard) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	// Read under the lock: every record written to the shard reserved its
	// number under it, so the ending number is at least each of theirs.
	sh.endSeq = formatSeqNum(sh.seq, counter.Load(), max(now, sh.lastArrival))
	sh.children = children
}

func (sh *shard) hashKeyRange() stream.HashKeyRange {
	return stream.HashKeyRange{StartingHashKey: sh.startKey, EndingHashKey: sh.endKey}
}
