package emulated

import (
	"bytes"
	"compress/gzip"
	"context"
	"time"

	"github.com/kinesim/kinesim/stream/delivery"
)

// CutReason says why a buffer became an object.
type CutReason string

const (
	// CutSize: the buffer reached BufferingHints.SizeInMBs.
	CutSize CutReason = "size"
	// CutInterval: BufferingHints.IntervalInSeconds passed since the
	// buffer's first record.
	CutInterval CutReason = "interval"
	// CutFlush: Flush or DeleteDeliveryStream.
	CutFlush CutReason = "flush"
)

// Outcome is what a DeliveryFault makes of one delivery attempt.
type Outcome int

const (
	// Deliver: the attempt succeeds.
	Deliver Outcome = iota
	// FailBeforeWrite: the attempt fails and writes nothing; Firehose
	// retries it later (a delay, no duplicate).
	FailBeforeWrite
	// FailAfterWrite: the object is written but the attempt is taken as
	// failed (S3 answered too late), so the retry writes the same records
	// again under a new name: at-least-once delivery's duplicates.
	FailAfterWrite
	// FailProcessing: the records fail processing and go to the error
	// output prefix instead, as records a transformation rejects do.
	FailProcessing
)

// Attempt describes one delivery attempt to a DeliveryFault.
type Attempt struct {
	Stream  string
	Number  int // 1 for the first attempt of an object
	Records int
	Reason  CutReason
	At      time.Time
}

// DeliveryFault decides an attempt's outcome. It is called from the
// delivering goroutine, one attempt at a time per object, concurrently for
// different objects.
type DeliveryFault func(Attempt) Outcome

// Object is one object the emulator wrote.
type Object struct {
	Stream string
	Bucket string
	Key    string
	// Path is the file on disk: root/Bucket/Key.
	Path    string
	Records int
	// DataBytes is the size before compression, delimiters included;
	// StoredBytes the file's size.
	DataBytes   int
	StoredBytes int
	// LastRecordBytes is the last record's size (delimiter included), so a
	// size cut can be checked: DataBytes - LastRecordBytes < the hint.
	LastRecordBytes int
	FirstArrival    time.Time
	LastArrival     time.Time
	DeliveredAt     time.Time
	Reason          CutReason
	Attempt         int
	// Failed is set for an object written by a FailAfterWrite attempt: its
	// records are written again by a later attempt.
	Failed bool
	// ErrorOutput is set for an object under the error output prefix.
	ErrorOutput bool
}

// deliver writes a batch as one object, retrying failed attempts every
// retryEvery until retryWindow has passed since the first.
func (s *deliveryStream) deliver(b buffer, reason CutReason) {
	e := s.emu
	defer func() {
		s.mu.Lock()
		delete(s.inFlight, b.gen)
		s.mu.Unlock()
	}()
	body, err := encode(b.data, s.cfg.Compression)
	if err != nil {
		panic(err) // compressing into memory cannot fail
	}
	start := e.now()
	for number := 1; ; number++ {
		at := e.now()
		outcome := Deliver
		if fault := e.deliveryFault(); fault != nil {
			outcome = fault(Attempt{Stream: s.cfg.Name, Number: number, Records: b.records, Reason: reason, At: at})
		}
		obj := s.object(b, reason, number, outcome)
		if outcome != FailBeforeWrite {
			if err := s.write(&obj, body); err != nil {
				outcome = FailBeforeWrite
			}
		}
		s.count(obj, outcome)
		if outcome == Deliver || outcome == FailProcessing {
			return
		}
		if at.Sub(start) >= e.opts.retryWindow {
			s.mu.Lock()
			s.counts.DroppedRecords += int64(b.records)
			s.mu.Unlock()
			return
		}
		_ = e.opts.clock.Sleep(context.Background(), e.opts.retryEvery)
	}
}

// object names the attempt's object.
func (s *deliveryStream) object(b buffer, reason CutReason, number int, outcome Outcome) Object {
	prefix := evalPrefix(s.cfg.Prefix, b.first, false, s.uuid)
	if outcome == FailProcessing {
		prefix = evalPrefix(s.cfg.ErrorOutputPrefix, b.first, true, s.uuid)
	}
	return Object{
		Stream:          s.cfg.Name,
		Bucket:          delivery.BucketName(s.cfg.BucketARN),
		Key:             prefix + objectName(s.cfg.Name, s.version, b.first, s.uuid(), s.cfg.Compression),
		Records:         b.records,
		DataBytes:       len(b.data),
		LastRecordBytes: b.lastRecord,
		FirstArrival:    b.first,
		LastArrival:     b.last,
		Reason:          reason,
		Attempt:         number,
		Failed:          outcome == FailAfterWrite,
		ErrorOutput:     outcome == FailProcessing,
	}
}

// write stores body as the object through the emulator's ObjectStore.
func (s *deliveryStream) write(obj *Object, body []byte) error {
	deliveredAt := s.emu.now()
	path, err := s.emu.opts.store.PutObject(context.Background(), obj.Bucket, obj.Key, body, deliveredAt)
	if err != nil {
		return err
	}
	obj.Path = path
	obj.StoredBytes = len(body)
	obj.DeliveredAt = deliveredAt
	if s.emu.opts.observe != nil {
		s.emu.opts.observe(*obj)
	}
	return nil
}

func (s *deliveryStream) count(obj Object, outcome Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch outcome {
	case Deliver, FailAfterWrite:
		s.counts.Objects++
		s.counts.DeliveredRecords += int64(obj.Records)
		s.counts.DeliveredBytes += int64(obj.StoredBytes)
		if outcome == FailAfterWrite {
			s.counts.DuplicateRecords += int64(obj.Records)
			s.counts.FailedAttempts++
		}
	case FailBeforeWrite:
		s.counts.FailedAttempts++
	case FailProcessing:
		s.counts.ErrorOutputObjects++
		s.counts.ErrorOutputRecords += int64(obj.Records)
	}
}

func encode(data []byte, c delivery.Compression) ([]byte, error) {
	if c != delivery.GZIP {
		return data, nil
	}
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
