package chaos

import (
	"context"
	"sync"

	"github.com/kinesim/kinesim/generators/recordid"
	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
)

// ApplicationAPI is the data plane an application outside kinesim calls:
// the calls `kinesim emulate` serves it (see stream/emulated/server).
type ApplicationAPI interface {
	stream.Writer
	stream.SingleWriter
	stream.Reader
}

// ApplicationConsumer is the ledger consumer name of a pipeline's
// application ("pipeline:NAME"): the faults on the application count the
// duplicates they caused in its deliveries only.
func ApplicationConsumer(pipeline string) string { return "pipeline:" + pipeline }

// Application wraps api, the data plane the applications under test call,
// with the faults the scenario moved onto them (a fault's application):
// producer_timeout, inject_error and latency act on an application's
// PutRecords and PutRecord calls to its pipeline's output stream; stall,
// expire_iterator and latency on its GetShardIterator and GetRecords
// calls on the input stream. Other calls, and calls on other streams, pass
// through. It returns api itself when no fault names an application.
func (p *Injector) Application(api ApplicationAPI) ApplicationAPI {
	if p == nil {
		return api
	}
	a := &application{inner: api, writers: map[string]*writer{}, readers: map[string]*reader{}, owner: map[string]*reader{}}
	for _, pc := range p.sc.Pipelines {
		var writes, reads []*fault
		for _, f := range p.faults {
			if f.cfg.Application != pc.Name {
				continue
			}
			if f.kind == scenarios.FaultConsumer {
				reads = append(reads, f)
			} else {
				writes = append(writes, f)
			}
		}
		if len(writes) > 0 {
			finder, err := recordid.NewFinder(pc.ID.Field, pc.ID.Regex, pc.ID.List)
			if err != nil {
				finder = nil // validated with the scenario; fall back to kinesim's own metadata
			}
			a.writers[pc.Output] = &writer{plan: p, inner: api, faults: writes, finder: finder}
		}
		if len(reads) > 0 {
			a.readers[pc.Input] = &reader{plan: p, inner: api, faults: reads,
				iterShard: map[string]string{}, expired: map[*fault]map[string]bool{}, lastSeq: map[string]string{}}
		}
	}
	if len(a.writers) == 0 && len(a.readers) == 0 {
		return api
	}
	return a
}

// application routes an application's calls to the faults on it.
type application struct {
	inner   ApplicationAPI
	writers map[string]*writer // by output stream
	readers map[string]*reader // by input stream

	mu    sync.Mutex
	owner map[string]*reader // live iterator → the reader of the input stream it reads
}

var _ ApplicationAPI = (*application)(nil)

// PutRecords goes through the faults on writes to the output stream.
func (a *application) PutRecords(ctx context.Context, in *stream.PutRecordsInput) (*stream.PutRecordsOutput, error) {
	if w := a.writers[in.StreamName]; w != nil {
		return w.PutRecords(ctx, in)
	}
	return a.inner.PutRecords(ctx, in)
}

// PutRecord goes through the faults on writes as a PutRecords call of one record.
func (a *application) PutRecord(ctx context.Context, in *stream.PutRecordInput) (*stream.PutRecordOutput, error) {
	w := a.writers[in.StreamName]
	if w == nil {
		return a.inner.PutRecord(ctx, in)
	}
	single := singleWriter{&writer{plan: w.plan, inner: singleAsWriter{a.inner}, faults: w.faults, finder: w.finder}}
	return single.PutRecord(ctx, in)
}

// ListShards passes through.
func (a *application) ListShards(ctx context.Context, streamName string) ([]stream.Shard, error) {
	return a.inner.ListShards(ctx, streamName)
}

// GetShardIterator goes through the input stream's reader, which then owns the iterator.
func (a *application) GetShardIterator(ctx context.Context, in *stream.GetShardIteratorInput) (string, error) {
	r := a.readers[in.StreamName]
	if r == nil {
		return a.inner.GetShardIterator(ctx, in)
	}
	it, err := r.GetShardIterator(ctx, in)
	if err == nil {
		a.own(it, r)
	}
	return it, err
}

// GetRecords goes through the faults of the reader that owns the iterator.
func (a *application) GetRecords(ctx context.Context, in *stream.GetRecordsInput) (*stream.GetRecordsOutput, error) {
	a.mu.Lock()
	r := a.owner[in.ShardIterator]
	delete(a.owner, in.ShardIterator)
	a.mu.Unlock()
	if r == nil {
		return a.inner.GetRecords(ctx, in)
	}
	out, err := r.GetRecords(ctx, in)
	switch {
	case err != nil:
		a.own(in.ShardIterator, r) // the same iterator may be tried again
	case out.NextShardIterator != "":
		a.own(out.NextShardIterator, r)
	}
	return out, err
}

func (a *application) own(it string, r *reader) {
	a.mu.Lock()
	a.owner[it] = r
	a.mu.Unlock()
}
