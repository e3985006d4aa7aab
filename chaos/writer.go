package chaos

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/generators/recordid"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// TimeoutError is a PutRecords call that timed out on the producer's side.
// With AckLost the records reached the stream before it did.
type TimeoutError struct {
	Fault   int // index in the chaos timeline
	AckLost bool
}

func (e *TimeoutError) Error() string {
	if e.AckLost {
		return fmt.Sprintf("request timed out waiting for the response (chaos[%d]: the write reached the stream, its acknowledgement was lost)", e.Fault)
	}
	return fmt.Sprintf("request timed out (chaos[%d])", e.Fault)
}

// Timeout reports true, as net.Error's Timeout does.
func (e *TimeoutError) Timeout() bool { return true }

// ErrConnectionReset is the error of a call whose connection chaos reset;
// it matches syscall.ECONNRESET.
var ErrConnectionReset = fmt.Errorf("read tcp: connection reset by peer (chaos): %w", syscall.ECONNRESET)

// writer is the producer middleware around one producer's writer.
type writer struct {
	plan   *Injector
	inner  stream.Writer
	faults []*fault
	// finder finds the ids in an application's records (nil: kinesim's own
	// records, whose metadata says their id).
	finder *recordid.Finder
}

var _ stream.Writer = (*writer)(nil)

// Writer wraps the named producer's writer with the faults that hit it; it
// returns w itself when none do.
func (p *Injector) Writer(producer string, w stream.Writer) stream.Writer {
	if p == nil {
		return w
	}
	return &writer{plan: p, inner: p.observeWrites(w), faults: p.producerFaults(producer)}
}

// SingleWriter wraps a producer's PutRecord writer the same way: each call
// is a PutRecords call of one record to the faults.
func (p *Injector) SingleWriter(producer string, w stream.SingleWriter) stream.SingleWriter {
	if p == nil || w == nil {
		return w
	}
	return singleWriter{&writer{plan: p, inner: p.observeWrites(singleAsWriter{w}), faults: p.producerFaults(producer)}}
}

// PutRecords applies the active faults around the inner call.
func (w *writer) PutRecords(ctx context.Context, in *stream.PutRecordsInput) (*stream.PutRecordsOutput, error) {
	now := w.plan.clk.Now()
	var active []*fault
	for _, f := range w.faults {
		if f.active(now) {
			active = append(active, f)
		}
	}
	if len(active) == 0 {
		out, err := w.inner.PutRecords(ctx, in)
		if err == nil {
			w.plan.countWritten(in.StreamName, out)
		}
		return out, err
	}
	n := len(in.Records)
	key := callKey(in.Records)
	var lostAck *fault
	// Call-level faults first: latency, then whatever fails the whole call.
	for _, f := range active {
		switch f.kind {
		case scenarios.FaultLatency:
			if f.pick.pick(key) {
				f.hitCall(n, 0)
				if err := w.plan.sleep(ctx, sampleLatency(f.cfg.Latency, f.seed, key)); err != nil {
					return nil, err
				}
			}
		case scenarios.FaultProducerTimeout:
			if !f.pick.pick(key) {
				continue
			}
			if f.cfg.ProducerTimeout.AckLost {
				if lostAck == nil {
					lostAck = f
				}
				continue
			}
			f.hitCall(n, n)
			if err := w.plan.sleep(ctx, f.cfg.ProducerTimeout.After.D()); err != nil {
				return nil, err
			}
			return nil, &TimeoutError{Fault: f.index}
		case scenarios.FaultInjectError:
			if err := callError(f); err != nil && f.pick.pick(key) {
				f.hitCall(n, n)
				return nil, err
			}
		}
	}

	// Record-level errors: the records picked are not sent and answer the error.
	failed := recordErrors(active, in)
	out, err := w.send(ctx, in, failed)
	if err != nil {
		return nil, err
	}
	w.plan.countWritten(in.StreamName, out)

	for _, f := range active {
		if f.kind == scenarios.FaultDuplicateSend {
			if err := w.duplicate(ctx, f, in, out); err != nil {
				return nil, err
			}
		}
	}
	if lostAck != nil {
		var ids []string
		for i, e := range out.Records {
			if !e.Failed() {
				ids = w.recordIDs(ids, in.Records[i])
			}
		}
		lostAck.storedTwice(ids...)
		lostAck.hitCall(n, n)
		if err := w.plan.sleep(ctx, lostAck.cfg.ProducerTimeout.After.D()); err != nil {
			return nil, err
		}
		return nil, &TimeoutError{Fault: lostAck.index, AckLost: true}
	}
	return out, nil
}

// recordErrors picks the records the active record-level error faults fail;
// nil when none is picked.
func recordErrors(active []*fault, in *stream.PutRecordsInput) []stream.PutRecordsResultEntry {
	n := len(in.Records)
	var failed []stream.PutRecordsResultEntry
	for _, f := range active {
		if f.kind != scenarios.FaultInjectError || callError(f) != nil {
			continue
		}
		code := stream.CodeThrottled
		if f.cfg.InjectError.Kind == scenarios.ErrorInternalFailure {
			code = stream.CodeInternalFailure
		}
		hits := 0
		for i, r := range in.Records {
			if failed != nil && failed[i].Failed() {
				continue
			}
			if f.pick.pick(recordKey(r)) {
				if failed == nil {
					failed = make([]stream.PutRecordsResultEntry, n)
				}
				failed[i] = injectedEntry(code, in.StreamName, f.index)
				hits++
			}
		}
		if hits > 0 {
			f.hitCall(hits, hits)
		}
	}
	return failed
}

// send makes the inner call without the records failed already holds
// failures for, and answers for every record in request order.
func (w *writer) send(ctx context.Context, in *stream.PutRecordsInput, failed []stream.PutRecordsResultEntry) (*stream.PutRecordsOutput, error) {
	if failed == nil {
		return w.inner.PutRecords(ctx, in)
	}
	rest := make([]stream.Record, 0, len(in.Records))
	for i, r := range in.Records {
		if !failed[i].Failed() {
			rest = append(rest, r)
		}
	}
	out := &stream.PutRecordsOutput{Records: failed}
	if len(rest) > 0 {
		sent, err := w.inner.PutRecords(ctx, &stream.PutRecordsInput{StreamName: in.StreamName, Records: rest})
		if err != nil {
			return nil, err
		}
		if len(sent.Records) != len(rest) {
			return nil, stream.Errorf(stream.CodeInternalFailure, "target answered %d results for %d records", len(sent.Records), len(rest))
		}
		j := 0
		for i := range failed {
			if !failed[i].Failed() {
				failed[i] = sent.Records[j]
				j++
			}
		}
	}
	for _, e := range out.Records {
		if e.Failed() {
			out.FailedRecordCount++
		}
	}
	return out, nil
}

// duplicate sends the picked records of an answered call again, in a
// second call whose answer the producer never sees.
func (w *writer) duplicate(ctx context.Context, f *fault, in *stream.PutRecordsInput, out *stream.PutRecordsOutput) error {
	var again []stream.Record
	for i, r := range in.Records {
		if !out.Records[i].Failed() && f.pick.pick(recordKey(r)) {
			again = append(again, r)
		}
	}
	if len(again) == 0 {
		return nil
	}
	sent, err := w.inner.PutRecords(ctx, &stream.PutRecordsInput{StreamName: in.StreamName, Records: again})
	f.calls.Add(1)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return nil // the duplicate was not written: no harm done
	}
	w.plan.countWritten(in.StreamName, sent)
	var ids []string
	for i, e := range sent.Records {
		if i < len(again) && !e.Failed() {
			ids = append(ids, recordID(again[i]))
		}
	}
	f.records.Add(int64(len(ids)))
	f.storedTwice(ids...)
	return nil
}

// callError is the error a call-level inject_error answers, nil for the
// record-level kinds.
func callError(f *fault) error {
	switch f.cfg.InjectError.Kind {
	case scenarios.ErrorHTTP500:
		return stream.Errorf(stream.CodeInternalFailure, "HTTP 500 (injected by chaos[%d])", f.index)
	case scenarios.ErrorHTTP503:
		return stream.Errorf(stream.CodeServiceUnavailable, "HTTP 503 Service Unavailable (injected by chaos[%d])", f.index)
	case scenarios.ErrorConnectionReset:
		return ErrConnectionReset
	}
	return nil
}

func injectedEntry(code, streamName string, index int) stream.PutRecordsResultEntry {
	msg := fmt.Sprintf("Internal service failure (injected by chaos[%d]).", index)
	if code == stream.CodeThrottled {
		msg = fmt.Sprintf("Rate exceeded for shard in stream %s under account 111111111111 (injected by chaos[%d], as aws:kinesis:inject-api-provisioned-throughput-exception).", streamName, index)
	}
	return stream.PutRecordsResultEntry{ErrorCode: code, ErrorMessage: msg}
}

// recordIDs appends the kinesim ids r carries: its own, or those an
// application carried over into it.
func (w *writer) recordIDs(dst []string, r stream.Record) []string {
	if w.finder != nil {
		return w.finder.Find(dst, r.Data)
	}
	return append(dst, recordID(r))
}

// recordID is the kinesim id a generated record carries ("" for others).
func recordID(r stream.Record) string {
	id, _, _ := generators.ParseMeta(r.Data)
	return id
}

// singleAsWriter makes a PutRecord writer a PutRecords one, a call per record.
type singleAsWriter struct{ stream.SingleWriter }

func (s singleAsWriter) PutRecords(ctx context.Context, in *stream.PutRecordsInput) (*stream.PutRecordsOutput, error) {
	out := &stream.PutRecordsOutput{Records: make([]stream.PutRecordsResultEntry, len(in.Records))}
	for i, r := range in.Records {
		res, err := s.PutRecord(ctx, &stream.PutRecordInput{StreamName: in.StreamName, Record: r})
		var api *stream.APIError
		switch {
		case err == nil:
			out.Records[i] = stream.PutRecordsResultEntry{ShardID: res.ShardID, SequenceNumber: res.SequenceNumber}
		case errors.As(err, &api) && (api.Code == stream.CodeThrottled || api.Code == stream.CodeInternalFailure):
			out.Records[i] = stream.PutRecordsResultEntry{ErrorCode: api.Code, ErrorMessage: api.Message}
			out.FailedRecordCount++
		default:
			return nil, err
		}
	}
	return out, nil
}

// singleWriter is the middleware seen as a PutRecord writer.
type singleWriter struct{ w *writer }

func (s singleWriter) PutRecord(ctx context.Context, in *stream.PutRecordInput) (*stream.PutRecordOutput, error) {
	out, err := s.w.PutRecords(ctx, &stream.PutRecordsInput{StreamName: in.StreamName, Records: []stream.Record{in.Record}})
	if err != nil {
		return nil, err
	}
	e := out.Records[0]
	if e.Failed() {
		return nil, &stream.APIError{Code: e.ErrorCode, Message: e.ErrorMessage}
	}
	return &stream.PutRecordOutput{ShardID: e.ShardID, SequenceNumber: e.SequenceNumber}, nil
}
