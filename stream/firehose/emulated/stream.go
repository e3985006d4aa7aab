package emulated

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream/delivery"
)

// deliveryStream is one delivery stream: its quota, its buffer and its
// deliveries in flight. mu guards every mutable field.
type deliveryStream struct {
	emu     *Emulator
	cfg     delivery.Config // immutable after creation
	arn     string
	created time.Time
	version int
	group   *clock.Group // the stream's deliveries

	quota delivery.Quota // the stream's own Direct PUT quota

	mu        sync.Mutex
	limiter   quotaLimiter
	rng       *rand.Rand
	idPrefix  string
	nextID    uint64
	buf       buffer
	nextGen   uint64
	stopTimer func() bool
	inFlight  map[uint64]time.Time // batch generation -> its oldest record's arrival
	counts    Stats
}

// buffer is the records waiting to be cut into an object.
type buffer struct {
	gen        uint64 // tells a buffer's interval timer from a later buffer's
	data       []byte
	records    int
	lastRecord int // bytes of the last record appended, delimiter included
	first      time.Time
	last       time.Time
}

func newDeliveryStream(e *Emulator, cfg delivery.Config, seed uint64) *deliveryStream {
	q := delivery.DefaultQuota(e.opts.region)
	if e.opts.quota != nil {
		q = *e.opts.quota
	}
	now := e.now()
	return &deliveryStream{
		emu:      e,
		cfg:      cfg,
		arn:      fmt.Sprintf("arn:aws:firehose:%s:%s:deliverystream/%s", e.opts.region, Account, cfg.Name),
		created:  now,
		version:  1,
		group:    clock.NewGroup(e.opts.clock),
		quota:    q,
		limiter:  newQuotaLimiter(q, e.opts.burst, now.UnixNano()),
		rng:      rand.New(rand.NewPCG(seed, seed>>1|1)),
		idPrefix: fmt.Sprintf("%016x", seed),
		inFlight: map[uint64]time.Time{},
	}
}

func (s *deliveryStream) describe() *delivery.Description {
	return &delivery.Description{
		Config:    s.cfg,
		ARN:       s.arn,
		Status:    delivery.StatusActive,
		VersionID: strconv.Itoa(s.version),
		Created:   s.created,
	}
}

// put admits records against the quota and buffers the admitted ones. With
// single (PutRecord) a throttled record fails the call.
func (s *deliveryStream) put(records []delivery.Record, single bool) (*delivery.PutRecordBatchOutput, error) {
	now := s.emu.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	throttled := s.quotaInForce(now)
	if !s.limiter.admitCall(now.UnixNano()) {
		s.counts.ThrottledCalls++
		s.counts.ThrottledRecords += int64(len(records))
		throttled(1, len(records))
		return nil, delivery.Errorf(delivery.CodeServiceUnavailable, delivery.SlowDown)
	}
	out := &delivery.PutRecordBatchOutput{Entries: make([]delivery.PutRecordBatchEntry, len(records))}
	for i, r := range records {
		if !s.limiter.admitRecord(len(r.Data)) {
			s.counts.ThrottledRecords++
			if single {
				s.counts.ThrottledCalls++
				throttled(1, 1)
				return nil, delivery.Errorf(delivery.CodeServiceUnavailable, delivery.SlowDown)
			}
			throttled(0, 1)
			out.Entries[i] = delivery.PutRecordBatchEntry{ErrorCode: delivery.CodeServiceUnavailable, ErrorMessage: delivery.SlowDown}
			out.FailedPutCount++
			continue
		}
		out.Entries[i].RecordID = s.recordID()
		s.counts.IncomingRecords++
		s.counts.IncomingBytes += int64(len(r.Data))
		s.appendLocked(r.Data, now)
	}
	return out, nil
}

// appendLocked buffers one record, starting the interval timer for a new
// buffer and cutting the buffer once it holds the size hint.
func (s *deliveryStream) appendLocked(data []byte, now time.Time) {
	if s.buf.records == 0 {
		s.nextGen++
		s.buf.gen = s.nextGen
		s.buf.first = now
		gen := s.buf.gen
		interval := time.Duration(s.cfg.Buffering.IntervalInSeconds) * time.Second
		s.stopTimer = clock.AfterFunc(s.emu.opts.clock, interval, func() { s.cutOnTimer(gen) })
	}
	n := len(s.buf.data)
	s.buf.data = append(s.buf.data, data...)
	if s.cfg.AppendNewline {
		s.buf.data = append(s.buf.data, '\n')
	}
	s.buf.records++
	s.buf.lastRecord = len(s.buf.data) - n
	s.buf.last = now
	if len(s.buf.data) >= s.cfg.Buffering.SizeBytes() {
		s.cutLocked(CutSize)
	}
}

func (s *deliveryStream) cutOnTimer(gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buf.gen == gen && s.buf.records > 0 {
		s.cutLocked(CutInterval)
	}
}

// cutNow cuts whatever is buffered (Flush, DeleteDeliveryStream).
func (s *deliveryStream) cutNow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buf.records > 0 {
		s.cutLocked(CutFlush)
	}
}

// cutLocked turns the buffer into a batch and starts its delivery.
func (s *deliveryStream) cutLocked(reason CutReason) {
	b := s.buf
	s.buf = buffer{}
	if s.stopTimer != nil {
		s.stopTimer()
		s.stopTimer = nil
	}
	s.inFlight[b.gen] = b.first
	s.group.Go(func() { s.deliver(b, reason) })
}

// wait blocks until the stream's deliveries so far have ended. A Group
// cannot be abandoned halfway, so ctx is only checked first.
func (s *deliveryStream) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.group.Wait()
	return nil
}

func (s *deliveryStream) stats() Stats {
	now := s.emu.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.counts
	st.BufferedRecords = int64(s.buf.records)
	oldest := time.Time{}
	if s.buf.records > 0 {
		oldest = s.buf.first
	}
	for _, t := range s.inFlight {
		if oldest.IsZero() || t.Before(oldest) {
			oldest = t
		}
	}
	if !oldest.IsZero() {
		st.DataFreshness = now.Sub(oldest)
	}
	return st
}

// recordID is the next RecordId: the stream's seed and a counter, 32 hex
// digits. Call with mu held.
func (s *deliveryStream) recordID() string {
	s.nextID++
	var b [32]byte
	copy(b[:16], s.idPrefix)
	const digits = "0123456789abcdef"
	for i, n := 31, s.nextID; i >= 16; i, n = i-1, n>>4 {
		b[i] = digits[n&0xf]
	}
	return string(b[:])
}

// uuid returns a random (version 4) UUID from the stream's seeded source.
func (s *deliveryStream) uuid() string {
	s.mu.Lock()
	hi, lo := s.rng.Uint64(), s.rng.Uint64()
	s.mu.Unlock()
	hi = hi&^0xf000 | 0x4000     // version 4
	lo = lo&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}
