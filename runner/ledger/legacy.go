package ledger

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Versions 1 and 2 of the file held every acknowledgement and every
// delivery one by one:
//
//	'P' s, 'C' s, 'S' s            a producer, a consumer, a shard id (its index is its rank + 1)
//	'R' u producer, u id, outcome byte, attempts byte, u shard, u64 key hash, u32 seq hash
//	'D' u consumer, u producer, u id, s shard, s seq, s partition key, v unix µs,
//	    flags byte (1 applied, 2 filtered), u generation (version 2)
//	'T' u consumer, v unix µs; 'X' u consumer, u n, n × u producer;
//	'B' u consumer, u producer, u id; 'K' u consumer, s shard;
//	'G' u consumer, v unix µs, u n, n × s shard (version 2)
//
// replayLegacy feeds them to the ledger as the run did. Their sequence
// numbers are hashes, so an undelivered record is lost, never unread.

// replayLegacy applies one event of a version 1 or 2 file.
func (l *Ledger) replayLegacy(tag byte, r byteReader) error {
	st := l.loading
	switch tag {
	case 'P', 'C':
		return l.define(tag, r)
	case 'S':
		s, err := readString(r)
		if err != nil {
			return err
		}
		st.shards = append(st.shards, l.shard(s))
		return nil
	case 'R':
		return l.replayLegacyRecord(r)
	case 'D':
		return l.replayLegacyDelivery(r)
	case 'T', 'X', 'B':
		return l.replayConsumerEvent(tag, r)
	case 'K', 'G':
		return l.replayLegacyCheckpoint(tag, r)
	}
	return fmt.Errorf("unknown event tag %q: corrupt file", tag)
}

func (l *Ledger) replayLegacyRecord(r byteReader) error {
	f, err := readUvarints(r, 2)
	if err != nil {
		return err
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
	p, err := l.loading.producerAt(f[0])
	if err != nil {
		return err
	}
	if f[1] == 0 {
		return nil
	}
	switch o := Outcome(fixed[0]); o {
	case Acknowledged:
		idx := uint16(0)
		if shard > 0 && shard <= uint64(len(l.loading.shards)) {
			idx = l.loading.shards[shard-1]
		}
		p.acknowledge(f[1], binary.LittleEndian.Uint64(hashes[:8]), idx, "", binary.LittleEndian.Uint32(hashes[8:]), fixed[1] > 1)
	case DeadLettered, Unfinished:
		p.fail(f[1], o)
	}
	return nil
}

func (l *Ledger) replayLegacyDelivery(r byteReader) error {
	f, err := readUvarints(r, 3)
	if err != nil {
		return err
	}
	var strs [3]string
	for i := range strs {
		if strs[i], err = readString(r); err != nil {
			return err
		}
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
	if l.loading.version >= 2 {
		if gen, err = binary.ReadUvarint(r); err != nil {
			return err
		}
	}
	c, err := l.loading.consumerAt(f[0])
	if err != nil {
		return err
	}
	p, err := l.loading.producerAt(f[1])
	if err != nil {
		return err
	}
	c.Delivered(Delivery{
		RecordID:       p.name + "-" + fmt.Sprint(f[2]),
		ShardID:        strs[0],
		SequenceNumber: strs[1],
		PartitionKey:   strs[2],
		At:             time.UnixMicro(us),
		Applied:        flags&1 != 0,
		Filtered:       flags&2 != 0,
		Generation:     l.loading.generation(f[0], gen),
	})
	return nil
}

func (l *Ledger) replayLegacyCheckpoint(tag byte, r byteReader) error {
	ci, err := binary.ReadUvarint(r)
	if err != nil {
		return err
	}
	c, err := l.loading.consumerAt(ci)
	if err != nil {
		return err
	}
	if tag == 'K' {
		shard, err := readString(r)
		if err != nil {
			return err
		}
		c.Checkpointed(shard)
		return nil
	}
	at, err := readTime(r)
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
	l.loading.gens[ci] = append(l.loading.gens[ci], c.Restart(at, shards...))
	return nil
}
