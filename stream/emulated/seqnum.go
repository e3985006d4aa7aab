package emulated

import (
	"math/big"
	"math/bits"
	"time"
)

// Sequence numbers.
//
// Kinesis's sequence numbers are 56-digit decimal strings that encode, read
// as a 188-bit number in hexadecimal (47 digits; the layout kinesalite
// recovered from real Kinesis and which the numbers in AWS's documentation
// decode to):
//
//	2 CCCCCCCCC n IIIIIIIIIIIIIIII BB TTTTTTTTT SSSSSSSS 2
//
// a leading 2; C, the shard's creation time in epoch seconds; n, the low
// hexadecimal digit of the shard's index; I, a 63-bit sequence index (its
// top digit at most 7); B, a byte that is 00 in every number AWS has
// published; T, the record's arrival time in epoch seconds; S, the shard's
// index (32 bits); and the format's version, 2. Every number of this form
// lies between 2·16^46 and 3·16^46, so it has exactly 56 decimal digits and
// string order is numeric order.
//
// The emulator writes exactly this form. I is one atomic counter per stream,
// reserved while the shard's lock is held, so numbers are unique and
// strictly increasing within a shard, and numbers may skip values (a
// throttled record's reservation is not reused), as AWS's do. A shard made
// by a reshard gets a creation second after its parents' (its real creation
// second, or one past theirs when that is not later), so every number of a
// child is above every number of its parents: a partition key's numbers
// keep increasing across a split or a merge, as SequenceNumberForOrdering
// and consumers that compare numbers need.
//
// Reading a number a client sends follows the same layout (parseSeqNum),
// including the older layouts (versions 0 and 1) Kinesis still answers for,
// so that a valid number from another stream or shard gets the answer
// Kinesis gives rather than "invalid".
const (
	seqLen = 56
	// maxShardsPerStream is the most shards (open and closed) whose index
	// fits in a sequence number's 32-bit index, with room to spare.
	maxShardsPerStream = 1_000_000
	// seqVersion is the layout the emulator writes.
	seqVersion = 2
	// maxSeqCreateSecs is the first creation second Kinesis refuses
	// (kinesalite found the bound: "Date too large").
	maxSeqCreateSecs = 16025175000
)

// seqShard is what a shard contributes to its sequence numbers.
type seqShard struct {
	created int64 // epoch seconds
	index   int
}

// seqNum is a decoded sequence number.
type seqNum struct {
	version int
	created int64 // the shard's creation, epoch seconds
	counter uint64
	arrival int64 // epoch seconds; 0 in version 0, which has none
	shard   int64 // may be negative: Kinesis reads the field as signed
}

// appendSeqNum appends the 56-digit number of the record with counter in
// shard sh that arrived at unix nanoseconds arrival. It is on the
// PutRecords and GetRecords hot paths: the 188-bit value is built in three
// words and turned to decimal with two long divisions by 10^19.
func appendSeqNum(buf []byte, sh seqShard, counter uint64, arrival int64) []byte {
	created := uint64(max(sh.created, 0)) & (1<<36 - 1)
	at := uint64(max(arrival/int64(time.Second), 0)) & (1<<36 - 1)
	index := uint64(uint32(sh.index))
	counter &= 1<<63 - 1
	// bits 0-3 version, 4-35 shard index, 36-71 arrival, 72-79 the zero
	// byte, 80-143 counter, 144-147 the index's low digit, 148-183
	// creation, 184-187 the leading 2.
	lo := seqVersion | index<<4 | at<<36
	mid := at>>28 | counter<<16
	hi := counter>>48 | (index&0xf)<<16 | created<<20 | 2<<56
	const chunk = 1e19
	var r0, r1 uint64
	hi, mid, lo, r0 = div3(hi, mid, lo, chunk)
	_, _, top, r1 := div3(hi, mid, lo, chunk)
	buf = appendPadded(buf, top, seqLen-38)
	buf = appendPadded(buf, r1, 19)
	return appendPadded(buf, r0, 19)
}

// div3 divides the 192-bit number hi:mid:lo by d.
func div3(hi, mid, lo, d uint64) (qhi, qmid, qlo, rem uint64) {
	qhi, rem = bits.Div64(0, hi, d)
	qmid, rem = bits.Div64(rem, mid, d)
	qlo, rem = bits.Div64(rem, lo, d)
	return qhi, qmid, qlo, rem
}

func formatSeqNum(sh seqShard, counter uint64, arrival int64) string {
	return string(appendSeqNum(make([]byte, 0, seqLen), sh, counter, arrival))
}

var (
	pow2_124 = new(big.Int).Lsh(big.NewInt(1), 124)
	pow2_129 = new(big.Int).Lsh(big.NewInt(1), 129)
	pow2_185 = new(big.Int).Lsh(big.NewInt(1), 185)
	// seqV12End is 1.5·2^185: numbers of versions 1 and 2 start with hex 2.
	seqV12End = new(big.Int).Mul(big.NewInt(3), new(big.Int).Lsh(big.NewInt(1), 184))
)

// parseSeqNum decodes a sequence number as Kinesis reads one, or reports
// that Kinesis calls it invalid. s has passed the API model's pattern (a
// decimal number of at most 129 digits). A number below 2^129 is of the
// oldest layout (version 0, read after adding 2^124 when below it); one
// between 2·16^46 and 3·16^46 is of version 1 or 2 by its last digit;
// anything else is invalid, as are creation seconds past Kinesis's bound
// and a version 2 index whose top bit is set.
func parseSeqNum(s string) (seqNum, bool) {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok || n.Sign() < 0 {
		return seqNum{}, false
	}
	if n.Cmp(pow2_124) < 0 {
		n.Add(n, pow2_124)
	}
	hex := n.Text(16)
	field := func(from, to int) uint64 {
		var v uint64
		for _, c := range hex[from:to] {
			v = v<<4 | uint64(hexDigit(c))
		}
		return v
	}
	var seq seqNum
	switch {
	case n.Cmp(pow2_129) < 0:
		seq = seqNum{version: 0, created: int64(field(1, 10)), shard: int64(field(28, 32))}
	case n.Cmp(pow2_185) > 0 && n.Cmp(seqV12End) < 0 && hex[46] == '2':
		if hexDigit(rune(hex[11])) > 7 {
			return seqNum{}, false
		}
		seq = seqNum{version: 2, created: int64(field(1, 10)), counter: field(11, 27),
			arrival: int64(field(29, 38)), shard: int64(int32(uint32(field(38, 46))))}
	case n.Cmp(pow2_185) > 0 && n.Cmp(seqV12End) < 0 && hex[46] == '1':
		seq = seqNum{version: 1, created: int64(field(1, 10)), counter: field(36, 38),
			arrival: int64(field(13, 22)), shard: int64(field(38, 46))}
	default:
		return seqNum{}, false
	}
	if seq.created >= maxSeqCreateSecs {
		return seqNum{}, false
	}
	return seq, true
}

func hexDigit(c rune) int {
	if c >= 'a' {
		return int(c-'a') + 10
	}
	return int(c - '0')
}

// appendPadded appends v in decimal, left-padded with zeros to width digits.
// It is on the PutRecords hot path, so it writes two digits a step straight
// into buf.
func appendPadded(buf []byte, v uint64, width int) []byte {
	n := len(buf)
	buf = append(buf, zeros[:width]...)
	i := len(buf)
	for v >= 100 && i-2 >= n {
		d := v % 100 * 2
		v /= 100
		i -= 2
		buf[i], buf[i+1] = digitPairs[d], digitPairs[d+1]
	}
	for ; i > n && v != 0; v /= 10 {
		i--
		buf[i] = byte('0' + v%10)
	}
	return buf
}

// zeros pads numbers; digitPairs holds "00" to "99".
var (
	zeros      = []byte("00000000000000000000000000000000000000000000000000000000")
	digitPairs = func() []byte {
		b := make([]byte, 0, 200)
		for i := range 100 {
			b = append(b, byte('0'+i/10), byte('0'+i%10))
		}
		return b
	}()
)
