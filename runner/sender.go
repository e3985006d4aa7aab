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
	// maxRecords and maxBytes bound one call (the scenario's batch).
	maxRecords, maxBytes int
	// repacker, set when the producer aggregates, packs again the user
	// records of an aggregate acknowledged on another shard than predicted.
	repacker *reaggregator
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
func (s *sender) send(ctx context.Context, batch []pending) { s.sendFrom(ctx, batch, 0) }

// sendFrom is send for a batch whose next call is retry number retry (0:
// its records' first). Counts are in user records: one per record, or per
// user record in a KPL aggregate.
func (s *sender) sendFrom(ctx context.Context, batch []pending, retry int) {
	records := make([]stream.Record, 0, len(batch))
	for ; ; retry++ {
		batch = s.splitOff(ctx, batch, retry)
		records = records[:0]
		for _, r := range batch {
			records = append(records, r.record)
		}
		users := int64(countUsers(batch))
		callStart := s.clk.Now()
		if retry == 0 {
			s.rec.Add(metrics.RecordsSent, users, callStart)
		} else {
			s.rec.Add(metrics.RecordsRetried, users, callStart)
		}
		out, err := s.put(ctx, records)
		callEnd := s.clk.Now()
		s.rec.Add(metrics.PutCalls, 1, callEnd)
		s.rec.Add(metrics.PutAttempts, users, callEnd)
		s.rec.Observe(metrics.PutRecordsLatency, callEnd, callEnd.Sub(callStart))
		var wrong []pending
		batch, wrong = s.settle(batch, out, err, callStart, callEnd)
		if len(wrong) > 0 {
			batch = s.repack(ctx, batch, wrong, callStart, callEnd)
		}
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

// splitOff returns the part of batch one call takes, and sends the rest
// in calls of their own: a retry of repacked aggregates can hold more
// records than the batch it came from. The caller holds a call slot.
func (s *sender) splitOff(ctx context.Context, batch []pending, retry int) []pending {
	if s.repacker == nil || len(batch) <= 1 {
		return batch
	}
	n, bytes := 0, 0
	for n < len(batch) && n < s.maxRecords && (n == 0 || bytes+batch[n].record.Size() <= s.maxBytes) {
		bytes += batch[n].record.Size()
		n++
	}
	if n == len(batch) {
		return batch
	}
	rest := batch[n:]
	s.calls.Go(func() {
		if !s.acquire(ctx) {
			s.unfinished(rest)
			return
		}
		s.sendFrom(ctx, rest, retry)
	})
	return batch[:n:n]
}

// repack adds to retry the user records of the records acknowledged on
// another shard than predicted, packed again under a refreshed shard map.
func (s *sender) repack(ctx context.Context, retry, wrong []pending, sent, now time.Time) []pending {
	s.rec.Add(metrics.RecordsWrongShard, int64(countUsers(wrong)), now)
	again, refused := s.repacker.repack(ctx, wrong, sent, now)
	for _, r := range refused {
		s.deadLetter(r, ReasonInvalidRecord, "the aggregator refused the user record when packing it again")
	}
	s.rec.Add(metrics.RecordsDeadLettered, int64(len(refused)), now)
	return append(retry, again...)
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
// and returns the records to retry, and those acknowledged on another
// shard than their aggregates were predicted for (to pack again).
func (s *sender) settle(batch []pending, out *stream.PutRecordsOutput, err error, sent, now time.Time) (retry, wrong []pending) {
	if err == nil && (out == nil || len(out.Records) != len(batch)) {
		err = stream.Errorf(stream.CodeInternalFailure, "target answered %d results for %d records", resultCount(out), len(batch))
	}
	if err != nil {
		return s.callFailed(batch, err, now), nil
	}
	retry = batch[:0]
	var (
		t         tally
		latencies = make([]time.Duration, 0, len(batch))
	)
	for i, r := range batch {
		res := out.Records[i]
		r.attempts++
		if !res.Failed() {
			if r.predicted != "" && res.ShardID != r.predicted {
				wrong = append(wrong, r)
				continue
			}
			latencies = s.acknowledged(&t, r, res, sent, now, latencies)
			continue
		}
		users := int64(r.userCount())
		last := r.attempts >= s.retry.MaxAttempts
		if res.ErrorCode == stream.CodeThrottled {
			t.throttled += users
			t.shards.Throttled(metrics.ThrottledShard(res.ErrorMessage), last)
		} else {
			t.failed += users
		}
		if last {
			s.deadLetter(r, res.ErrorCode, "%s", res.ErrorMessage)
			t.dead += users
			continue
		}
		retry = append(retry, r)
	}
	t.record(s.rec, now)
	s.rec.Observe(metrics.RecordLatency, now, latencies...)
	return retry, wrong
}

// tally is one call's counts, added to the recorder once per call.
type tally struct {
	acked, ackedBytes, kinesisAcked, kinesisBytes, throttled, failed, dead int64
	shards                                                                 metrics.ShardCounts // for the report's per-shard load and throttles
}

func (t *tally) record(rec *metrics.ProducerRecorder, now time.Time) {
	rec.Add(metrics.RecordsDeadLettered, t.dead, now)
	rec.Add(metrics.RecordsAcknowledged, t.acked, now)
	rec.Add(metrics.BytesAcknowledged, t.ackedBytes, now)
	rec.Add(metrics.KinesisRecordsAcknowledged, t.kinesisAcked, now)
	rec.Add(metrics.KinesisBytesAcknowledged, t.kinesisBytes, now)
	rec.AddShards(&t.shards, now)
	rec.Add(metrics.RecordsThrottled, t.throttled, now)
	rec.Add(metrics.RecordsFailed, t.failed, now)
}

// acknowledged settles a record the target wrote, and each user record in
// it, and appends their latencies.
func (s *sender) acknowledged(t *tally, r pending, res stream.PutRecordsResultEntry, sent, now time.Time, latencies []time.Duration) []time.Duration {
	size := r.record.Size()
	t.kinesisAcked++
	t.kinesisBytes += int64(size)
	if r.users == nil {
		s.ledger.AcknowledgedAt(r.id, r.record.PartitionKey, res.ShardID, res.SequenceNumber, r.attempts, sent)
		t.acked++
		t.ackedBytes += int64(size)
		t.shards.Add(res.ShardID, size)
		return append(latencies, now.Sub(r.intended))
	}
	t.shards.AddAggregate(res.ShardID, size, len(r.users))
	for _, u := range r.users {
		s.ledger.AcknowledgedAt(u.id, u.record.PartitionKey, res.ShardID, res.SequenceNumber, r.attempts, sent)
		t.acked++
		t.ackedBytes += int64(u.record.Size())
		latencies = append(latencies, now.Sub(u.intended))
	}
	return latencies
}

// callFailed settles a batch whose call failed as a whole and returns the
// records to retry.
func (s *sender) callFailed(batch []pending, err error, now time.Time) []pending {
	retry := batch[:0]
	users := int64(countUsers(batch))
	s.rec.Add(metrics.PutCallErrors, 1, now)
	code, msg := errorCode(err), err.Error()
	if errors.Is(err, stream.ErrThrottled) {
		s.rec.Add(metrics.RecordsThrottled, users, now)
	} else {
		s.rec.Add(metrics.RecordsFailed, users, now)
	}
	retryable := stream.Retryable(err)
	var dead int64
	for _, r := range batch {
		r.attempts++
		if !retryable || r.attempts >= s.retry.MaxAttempts {
			s.deadLetter(r, code, "%s", msg)
			dead += int64(r.userCount())
			continue
		}
		retry = append(retry, r)
	}
	s.rec.Add(metrics.RecordsDeadLettered, dead, now)
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
	if r.users != nil {
		for _, u := range r.users {
			s.deadLetter(u.asPending(r.attempts), code, format, args...)
		}
		return
	}
	s.dead.write(s.letter(r, code, format, args...))
	s.ledger.Failed(r.id, r.record.PartitionKey, r.attempts, ledger.DeadLettered)
}

// unfinished counts and keeps records the run stopped waiting for.
func (s *sender) unfinished(batch []pending) {
	s.rec.Add(metrics.RecordsUnfinished, int64(countUsers(batch)), s.clk.Now())
	for _, r := range batch {
		for _, u := range r.userRecords() {
			kept := u.asPending(r.attempts)
			s.dead.write(s.letter(kept, ReasonUnfinished, "the run stopped before the record was acknowledged"))
			s.ledger.Failed(u.id, u.record.PartitionKey, r.attempts, ledger.Unfinished)
		}
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
