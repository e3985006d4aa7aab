// Package forwarder is a small stream-processing application of the kind
// kinesim's pipelines put under test: a KCL-style forwarder, written with
// aws-sdk-go-v2, that reads every shard of an input stream (one worker per
// shard, parents read to their end before their children, as KCL does),
// enriches each record and writes it to an output stream. It stands for
// the user's own application; kinesim knows nothing of it but the output.
//
// The enriched record is a JSON object {"source": INPUT, "enriched_by":
// "forwarder", "input_shard": ..., "input_sequence": ...}, INPUT being the
// input record as it was when it is JSON, or its text as a string; so the
// input's kinesim_id stays at source.kinesim_id.
//
// How it handles a failed write is the variant under test (OnWriteError):
// retry (at least once: a write whose answer was lost is written again,
// so the output holds it twice) or skip (at most once: a record whose write
// failed is dropped). The SDK's own retries are off, so the policy is the
// forwarder's alone.
//
// Concurrency: Run blocks until ctx is done, reading each shard in its own
// goroutine; a Forwarder is used by one Run at a time.
package forwarder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Write-error policies.
const (
	// Retry writes a failed record (or call) again until it is acknowledged.
	Retry = "retry"
	// Skip drops the records whose write failed.
	Skip = "skip"
)

// Config is one forwarder.
type Config struct {
	// Input and Output are the streams read and written.
	Input, Output string
	// Poll is the wait between GetRecords calls per shard (KCL's default is 1s).
	Poll time.Duration
	// OnWriteError is Retry or Skip.
	OnWriteError string
}

// Stats are what a forwarder did.
type Stats struct {
	Read, Written, Skipped, Retried int64
}

// Forwarder forwards records from Input to Output.
type Forwarder struct {
	cfg    Config
	client *kinesis.Client

	mu       sync.Mutex
	stats    Stats
	finished map[string]bool // shards read to their end
}

// ErrPolicy is New's error for an unknown OnWriteError.
var ErrPolicy = errors.New("on-write-error must be retry or skip")

// New returns a forwarder calling Kinesis with awsCfg; endpoint, when not
// empty, overrides the Kinesis endpoint (the SDK also reads
// AWS_ENDPOINT_URL_KINESIS by itself).
func New(awsCfg aws.Config, endpoint string, cfg Config) (*Forwarder, error) {
	if cfg.OnWriteError != Retry && cfg.OnWriteError != Skip {
		return nil, fmt.Errorf("%w, not %q", ErrPolicy, cfg.OnWriteError)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	client := kinesis.NewFromConfig(awsCfg, func(o *kinesis.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		// The forwarder's own policy decides what a failed write becomes.
		o.Retryer = aws.NopRetryer{}
	})
	return &Forwarder{cfg: cfg, client: client, finished: map[string]bool{}}, nil
}

// Stats returns what the forwarder did so far.
func (f *Forwarder) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

// Run forwards until ctx is done, starting a worker for each shard whose
// parents are read to their end.
func (f *Forwarder) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	started := map[string]bool{}
	for {
		out, err := f.client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(f.cfg.Input)})
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			listed := map[string]bool{}
			for _, sh := range out.Shards {
				listed[aws.ToString(sh.ShardId)] = true
			}
			for _, sh := range out.Shards {
				id := aws.ToString(sh.ShardId)
				if started[id] || !f.parentsDone(listed, sh) {
					continue
				}
				started[id] = true
				wg.Go(func() { f.readShard(ctx, id) })
			}
		}
		if sleep(ctx, f.cfg.Poll) != nil {
			return nil
		}
	}
}

// parentsDone reports that every parent of sh the stream still lists is read to its end.
func (f *Forwarder) parentsDone(listed map[string]bool, sh types.Shard) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
		if id := aws.ToString(p); id != "" && listed[id] && !f.finished[id] {
			return false
		}
	}
	return true
}

// readShard reads one shard to its end (or until ctx is done), forwarding
// each response's records before reading on.
func (f *Forwarder) readShard(ctx context.Context, shardID string) {
	var lastSeq string
	iter, err := f.iterator(ctx, shardID, lastSeq)
	for err == nil && ctx.Err() == nil {
		out, gerr := f.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(iter)})
		var expired *types.ExpiredIteratorException
		switch {
		case errors.As(gerr, &expired):
			iter, err = f.iterator(ctx, shardID, lastSeq)
			continue
		case gerr != nil: // throttled or failed: read again after a pause
			_ = sleep(ctx, f.cfg.Poll)
			continue
		}
		if n := len(out.Records); n > 0 {
			f.forward(ctx, shardID, out.Records)
			lastSeq = aws.ToString(out.Records[n-1].SequenceNumber)
		}
		if out.NextShardIterator == nil {
			f.mu.Lock()
			f.finished[shardID] = true
			f.mu.Unlock()
			return
		}
		iter = aws.ToString(out.NextShardIterator)
		err = sleep(ctx, f.cfg.Poll)
	}
}

// iterator starts after lastSeq, or at the trim horizon.
func (f *Forwarder) iterator(ctx context.Context, shardID, lastSeq string) (string, error) {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(f.cfg.Input), ShardId: aws.String(shardID), ShardIteratorType: types.ShardIteratorTypeTrimHorizon}
	if lastSeq != "" {
		in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(lastSeq)
	}
	for {
		out, err := f.client.GetShardIterator(ctx, in)
		if err == nil {
			return aws.ToString(out.ShardIterator), nil
		}
		if sleep(ctx, f.cfg.Poll) != nil {
			return "", ctx.Err()
		}
	}
}

// enriched is the record the forwarder writes.
type enriched struct {
	Source        json.RawMessage `json:"source"`
	EnrichedBy    string          `json:"enriched_by"`
	InputShard    string          `json:"input_shard"`
	InputSequence string          `json:"input_sequence"`
}

// forward enriches records and writes them to the output stream.
func (f *Forwarder) forward(ctx context.Context, shardID string, records []types.Record) {
	entries := make([]types.PutRecordsRequestEntry, 0, len(records))
	for _, r := range records {
		source := json.RawMessage(r.Data)
		if !json.Valid(r.Data) {
			source, _ = json.Marshal(string(r.Data))
		}
		data, _ := json.Marshal(enriched{Source: source, EnrichedBy: "forwarder", InputShard: shardID, InputSequence: aws.ToString(r.SequenceNumber)})
		entries = append(entries, types.PutRecordsRequestEntry{Data: data, PartitionKey: r.PartitionKey})
	}
	f.mu.Lock()
	f.stats.Read += int64(len(records))
	f.mu.Unlock()
	for len(entries) > 0 && ctx.Err() == nil {
		n := min(len(entries), 500)
		entries = append(f.write(ctx, entries[:n]), entries[n:]...)
	}
}

// write makes one PutRecords call and returns the entries to write again
// under the policy.
func (f *Forwarder) write(ctx context.Context, batch []types.PutRecordsRequestEntry) (again []types.PutRecordsRequestEntry) {
	out, err := f.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(f.cfg.Output), Records: batch})
	if err != nil {
		again = batch // the whole call failed, or its answer was lost
	} else {
		for i, e := range out.Records {
			if e.ErrorCode != nil {
				again = append(again, batch[i])
			}
		}
	}
	f.mu.Lock()
	f.stats.Written += int64(len(batch) - len(again))
	if f.cfg.OnWriteError == Skip {
		f.stats.Skipped += int64(len(again))
		again = nil
	} else {
		f.stats.Retried += int64(len(again))
	}
	f.mu.Unlock()
	if len(again) > 0 {
		_ = sleep(ctx, 50*time.Millisecond)
	}
	return again
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
