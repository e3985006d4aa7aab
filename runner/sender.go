package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/runner/ledger"
	"github.com/kinesim/kinesim/runner/pacing"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// sender makes a producer's calls: it waits for a call slot (applying the
// backpressure policy when none is free), puts a batch, settles each
// record's result, retries the failed ones with backoff and dead-letters
// the ones out of attempts. Its methods are safe for concurrent use except
// dispatch, which the producer's loop calls.
type sender struct {
	producer   string
	streamName string
	retry      scenarios.Retry
	target     stream.Writer
	single     stream.SingleWriter // set when the producer uses PutRecord
	rec        *metrics.ProducerRecorder
	clk        clock.Clock
	dead       *deadLetters
	ledger     *ledger.Producer
	policy     backpressure

	inFlight *clock.Semaphore
	// calls holds the goroutines making calls (and waiting to).
	calls *clock.Group
}

// dispatch sends a batch once a call slot is free, applying the
// backpressure policy when none is.
func (s *sender) dispatch(ctx context.Context, batch []pending) {
	if s.inFlight.TryAcquire() {
		s.launch(ctx, batch)
		return
	}
	batch = s.policy.overflow(ctx, s, batch)
	if len(batch) == 0 {
		return
	}
	if !s.acquire(ctx) {
		s.unfinished(batch)
		return
	}
	s.launch(ctx, batch)
}

// launch sends a batch in its own goroutine; the caller holds a call slot.
func (s *sender) launch(ctx context.Context, batch []pending) {
	s.calls.Go(func() { s.send(ctx, batch) })
}

// send puts a batch, retrying failed records with backoff until they are
// acknowledged, out of attempts (dead-lettered) or the run is out of time.
// It holds a call slot on entry and gives it back while it waits to retry.
func (s *sender) send(ctx context.Context, batch []pending) {
	records := make([]stream.Record, 0, len(batch))
	for retry := 0; ; retry++ {
		records = records[:0]
		for _, r := range batch {
			records = append(records, r.record)
		}
		callStart := s.clk.Now()
		if retry == 0 {
			s.rec.Add(metrics.RecordsSent, int64(len(batch)), callStart)
		} else {
			s.rec.Add(metrics.RecordsRetried, int64(len(batch)), callStart)
		}
		out, err := s.put(ctx, records)
		callEnd := s.clk.Now()
		s.rec.Add(metrics.PutCalls, 1, callEnd)
		s.rec.Add(metrics.PutAttempts, int64(len(batch)), callEnd)
		s.rec.Observe(metrics.PutRecordsLatency, callEnd, callEnd.Sub(callStart))
		batch = s.settle(batch, out, err, callStart, callEnd)
		s.release()
		if len(batch) == 0 {
			return
		}
		wait := pacing.Backoff(retry+1, s.retry.Base.D(), s.retry.Cap.D(), pacing.Jitter())
		if s.clk.Sleep(ctx, wait) != nil || !s.acquire(ctx) {
			s.unfinished(batch)
			return
		}
	}
}

// put makes one call: PutRecords, or PutRecord for a producer using it
// (its batches hold one record). PutRecord's throttling and internal
// failures are that record's outcome, as a PutRecords entry would say.
func (s *sender) put(ctx context.Context, records []stream.Record) (*stream.PutRecordsOutput, error) {
	if s.single == nil {
		return s.target.PutRecords(ctx, &stream.PutRecordsInput{StreamName: s.streamName, Records: records})
	}
	out, err := s.single.PutRecord(ctx, &stream.PutRecordInput{StreamName: s.streamName, Record: records[0]})
	var api *stream.APIError
	switch {
	case err == nil:
		return &stream.PutRecordsOutput{Records: []stream.PutRecordsResultEntry{{ShardID: out.ShardID, SequenceNumber: out.SequenceNumber}}}, nil
	case errors.As(err, &api) && (api.Code == stream.CodeThrottled || api.Code == stream.CodeInternalFailure):
		return &stream.PutRecordsOutput{FailedRecordCount: 1, Records: []stream.PutRecordsResultEntry{{ErrorCode: api.Code, ErrorMessage: api.Message}}}, nil
	}
	return nil, err
}

// settle records the outcome of a call made at sent and answered at now,
// and returns the records to retry.
func (s *sender) settle(batch []pending, out *stream.PutRecordsOutput, err error, sent, now time.Time) []pending {
	if err == nil && (out == nil || len(out.Records) != len(batch)) {
		err = stream.Errorf(stream.CodeInternalFailure, "target answered %d results for %d records", resultCount(out), len(batch))
	}
	retry := batch[:0]
	if err != nil {
		s.rec.Add(metrics.PutCallErrors, 1, now)
		code, msg := errorCode(err), err.Error()
		if errors.Is(err, stream.ErrThrottled) {
			s.rec.Add(metrics.RecordsThrottled, int64(len(batch)), now)
		} else {
			s.rec.Add(metrics.RecordsFailed, int64(len(batch)), now)
		}
		retryable := stream.Retryable(err)
		for _, r := range batch {
			r.attempts++
			if !retryable || r.attempts >= s.retry.MaxAttempts {
				s.deadLetter(r, code, "%s", msg)
				continue
			}
			retry = append(retry, r)
		}
		s.rec.Add(metrics.RecordsDeadLettered, int64(len(batch)-len(retry)), now)
		return retry
	}
	var (
		acked, ackedBytes, throttled, failed, dead int64
		shards                                     metrics.ShardCounts // for the report's per-shard load and throttles
	)
	latencies := make([]time.Duration, 0, len(batch))
	for i, r := range batch {
		res := out.Records[i]
		r.attempts++
		if !res.Failed() {
			s.ledger.AcknowledgedAt(r.id, r.record.PartitionKey, res.ShardID, res.SequenceNumber, r.attempts, sent)
			acked++
			ackedBytes += int64(r.record.Size())
			shards.Add(res.ShardID, r.record.Size())
			latencies = append(latencies, now.Sub(r.intended))
			continue
		}
		last := r.attempts >= s.retry.MaxAttempts
		if res.ErrorCode == stream.CodeThrottled {
			throttled++
			shards.Throttled(metrics.ThrottledShard(res.ErrorMessage), last)
		} else {
			failed++
		}
		if last {
			s.deadLetter(r, res.ErrorCode, "%s", res.ErrorMessage)
			dead++
			continue
		}
		retry = append(retry, r)
	}
	s.rec.Add(metrics.RecordsDeadLettered, dead, now)
	s.rec.Add(metrics.RecordsAcknowledged, acked, now)
	s.rec.Add(metrics.BytesAcknowledged, ackedBytes, now)
	s.rec.AddShards(&shards, now)
	s.rec.Add(metrics.RecordsThrottled, throttled, now)
	s.rec.Add(metrics.RecordsFailed, failed, now)
	s.rec.Observe(metrics.RecordLatency, now, latencies...)
	return retry
}

func resultCount(out *stream.PutRecordsOutput) int {
	if out == nil {
		return 0
	}
	return len(out.Records)
}

// deadLetter keeps a record that failed every attempt; the caller counts
// it (once per call, off the per-record path).
func (s *sender) deadLetter(r pending, code, format string, args ...any) {
	s.dead.write(s.letter(r, code, format, args...))
	s.ledger.Failed(r.id, r.record.PartitionKey, r.attempts, ledger.DeadLettered)
}

// unfinished counts and keeps records the run stopped waiting for.
func (s *sender) unfinished(batch []pending) {
	s.rec.Add(metrics.RecordsUnfinished, int64(len(batch)), s.clk.Now())
	for _, r := range batch {
		s.dead.write(s.letter(r, ReasonUnfinished, "the run stopped before the record was acknowledged"))
		s.ledger.Failed(r.id, r.record.PartitionKey, r.attempts, ledger.Unfinished)
	}
}

// ReasonCallFailed is the dead-letter code of a call that failed without an
// API error code (a timeout, a reset connection).
const ReasonCallFailed = "kinesim.CallFailed"

func errorCode(err error) string {
	var api *stream.APIError
	if errors.As(err, &api) {
		return api.Code
	}
	return ReasonCallFailed
}

func (s *sender) letter(r pending, code, format string, args ...any) DeadLetter {
	return DeadLetter{
		Producer:        s.producer,
		RecordID:        r.id,
		PartitionKey:    r.record.PartitionKey,
		ExplicitHashKey: r.record.ExplicitHashKey,
		Attempts:        r.attempts,
		ErrorCode:       code,
		ErrorMessage:    fmt.Sprintf(format, args...),
		IntendedSend:    r.intended,
		Data:            r.record.Data,
	}
}

// dropped counts records a backpressure policy dropped.
func (s *sender) dropped(n int) { s.rec.Add(metrics.RecordsDropped, int64(n), s.clk.Now()) }

func (s *sender) acquire(ctx context.Context) bool { return s.inFlight.Acquire(ctx) == nil }

func (s *sender) release() { s.inFlight.Release() }
