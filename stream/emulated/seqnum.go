package emulated

import (
	"strconv"
)

// Sequence numbers.
//
// AWS sequence numbers are opaque decimal strings (56 digits today). The
// emulator's are 27 decimal digits, fixed width, so string order and numeric
// order agree:
//
//	1 CCCCCCCCCCCCCCCCCCCC SSSSSS
//
// a leading 1 (no leading zeros), a 20-digit per-stream counter, and the
// 6-digit index of the shard that holds the record. The counter is taken from
// one atomic counter per stream while the shard's lock is held, so numbers
// are unique, strictly increasing within a shard, and comparable across the
// stream's shards: a larger number was accepted later. Numbers may skip
// values (a throttled record's reservation is not reused), as AWS's do.
const (
	seqCounterDigits = 20
	seqShardDigits   = 6
	seqLen           = 1 + seqCounterDigits + seqShardDigits
	// maxShardsPerStream is the most shards (open and closed) whose index
	// fits in a sequence number.
	maxShardsPerStream = 1_000_000
)

// seqNum is a decoded sequence number.
type seqNum struct {
	counter uint64
	shard   int
}

func appendSeqNum(buf []byte, counter uint64, shard int) []byte {
	buf = append(buf, '1')
	buf = appendPadded(buf, counter, seqCounterDigits)
	return appendPadded(buf, uint64(shard), seqShardDigits)
}

func formatSeqNum(counter uint64, shard int) string {
	return string(appendSeqNum(make([]byte, 0, seqLen), counter, shard))
}

// parseSeqNum decodes a sequence number made by appendSeqNum.
func parseSeqNum(s string) (seqNum, bool) {
	if len(s) != seqLen || s[0] != '1' {
		return seqNum{}, false
	}
	counter, err := strconv.ParseUint(s[1:1+seqCounterDigits], 10, 64)
	if err != nil {
		return seqNum{}, false
	}
	shard, err := strconv.ParseUint(s[1+seqCounterDigits:], 10, 32)
	if err != nil {
		return seqNum{}, false
	}
	return seqNum{counter: counter, shard: int(shard)}, true
}

// appendPadded appends v in decimal, left-padded with zeros to width digits.
// It is on the PutRecords hot path, so it writes digits straight into buf.
func appendPadded(buf []byte, v uint64, width int) []byte {
	n := len(buf)
	for range width {
		buf = append(buf, '0')
	}
	for i := len(buf) - 1; i >= n && v != 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return buf
}
