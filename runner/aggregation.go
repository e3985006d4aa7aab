package runner

import (
	"context"
	"time"

	"github.com/kinesim/kinesim/scenarios"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
	"github.com/kinesim/kinesim/stream/kpl"
)

// userRecord is one user record inside a KPL aggregate on its way: what
// the ledger, the latencies and a dead letter need of it.
type userRecord struct {
	record   stream.Record
	id       uint64
	intended time.Time
	slip     time.Duration
}

// users returns the user records a pending Kinesis record carries: its
// aggregated ones, or itself.
func (r pending) userRecords() []userRecord {
	if r.users != nil {
		return r.users
	}
	return []userRecord{{record: r.record, id: r.id, intended: r.intended, slip: r.slip}}
}

// userCount is how many user records r carries.
func (r pending) userCount() int {
	if r.users != nil {
		return len(r.users)
	}
	return 1
}

// asPending is u on its own, attempted attempts times, for the dead-letter
// file and the ledger.
func (u userRecord) asPending(attempts int) pending {
	return pending{record: u.record, id: u.id, intended: u.intended, slip: u.slip, attempts: attempts}
}

// countUsers is the number of user records in a batch.
func countUsers(batch []pending) int {
	n := 0
	for _, r := range batch {
		n += r.userCount()
	}
	return n
}

// aggregating packs a producer's user records into KPL aggregates, one
// open aggregate per predicted shard, as KPL's aggregator does. An
// aggregate is handed back full, or once its first user record has waited
// the linger (the producer's loop asks with deadline and flushDue). When
// the shard map changes, the open aggregates' user records are routed
// again. It reads no clock. Not safe for concurrent use.
type aggregating struct {
	cfg         scenarios.Aggregation
	recordLimit int
	shards      *shardMap
	version     uint64
	open        map[string]*openAggregate

	// earliest is the first deadline of the open aggregates, recomputed
	// when dirty.
	earliest time.Time
	dirty    bool

	kplOut []kpl.Aggregate // the aggregator's answers, reused
}

// openAggregate is the aggregate being filled for one predicted shard.
type openAggregate struct {
	shard string
	agg   *kpl.Aggregator
	users []userRecord // in the order added, as agg holds them
	// last is how many user records the last aggregate held: the next
	// one's first guess, so its slice is allocated once.
	last int
}

func newAggregating(cfg scenarios.Aggregation, recordLimit int, shards *shardMap) *aggregating {
	return &aggregating{cfg: cfg, recordLimit: recordLimit, shards: shards, open: map[string]*openAggregate{}, version: shards.version()}
}

// add adds u and appends to out the Kinesis records it completes, made
// at at. A user record the aggregator refuses (a partition key Kinesis
// would refuse) is an error matching kpl.ErrInvalidUserRecord.
func (a *aggregating) add(out []pending, u userRecord, at time.Time) ([]pending, error) {
	if v := a.shards.version(); v != a.version {
		var err error
		if out, err = a.reroute(out, at); err != nil {
			return out, err
		}
	}
	key, _ := hashkey.Route(u.record.PartitionKey, u.record.ExplicitHashKey)
	shard := a.shards.predict(key)
	o := a.open[shard]
	if o == nil {
		agg, err := kpl.NewAggregator(kpl.WithMaxBytes(int(a.cfg.MaxBytes)), kpl.WithMaxRecords(int(a.cfg.MaxRecords)), kpl.WithRecordLimit(a.recordLimit))
		if err != nil {
			return out, err
		}
		o = &openAggregate{shard: shard, agg: agg}
		a.open[shard] = o
	}
	if len(o.users) == 0 {
		a.dirty = true // a new first record: a new deadline
		if o.users == nil {
			o.users = make([]userRecord, 0, max(o.last, 1))
		}
	}
	o.users = append(o.users, u)
	var err error
	a.kplOut, err = o.agg.Add(a.kplOut[:0], kpl.UserRecord{PartitionKey: u.record.PartitionKey, ExplicitHashKey: u.record.ExplicitHashKey, Data: u.record.Data})
	if err != nil {
		o.users = o.users[:len(o.users)-1]
		return out, err
	}
	for _, done := range a.kplOut {
		out = append(out, a.take(o, done, at))
	}
	return out, nil
}

// take turns a completed aggregate of o into a pending Kinesis record,
// ready at at; its user records are the first ones o holds.
func (a *aggregating) take(o *openAggregate, done kpl.Aggregate, at time.Time) pending {
	n := len(done.UserRecords)
	o.last = n
	users := o.users[:n:n]
	o.users = o.users[n:]
	if len(o.users) == 0 {
		o.users = nil
	}
	a.dirty = true
	return pending{record: stream.Record(done.Record), intended: at, users: users, predicted: o.shard}
}

// reroute empties every open aggregate and adds its user records again
// under the refreshed shard map.
func (a *aggregating) reroute(out []pending, at time.Time) ([]pending, error) {
	var held []userRecord
	for _, o := range a.open {
		held = append(held, o.users...)
		o.agg.Flush(nil) // the encoded aggregate is dropped: its records are re-added
		o.users = nil
	}
	clear(a.open)
	a.version = a.shards.version()
	a.dirty = true
	for _, u := range held {
		var err error
		if out, err = a.add(out, u, at); err != nil {
			return out, err
		}
	}
	return out, nil
}

// deadline returns when the open aggregate that waited longest is due:
// its first user record's intended time plus the linger.
func (a *aggregating) deadline() (time.Time, bool) {
	if a.dirty {
		a.earliest = time.Time{}
		for _, o := range a.open {
			if len(o.users) > 0 && (a.earliest.IsZero() || o.users[0].intended.Before(a.earliest)) {
				a.earliest = o.users[0].intended
			}
		}
		a.dirty = false
	}
	if a.earliest.IsZero() {
		return time.Time{}, false
	}
	return a.earliest.Add(a.cfg.Linger.D()), true
}

// flushDue appends the aggregates due at or before at, made at at.
func (a *aggregating) flushDue(out []pending, at time.Time) []pending {
	linger := a.cfg.Linger.D()
	for _, o := range a.open {
		if len(o.users) > 0 && !o.users[0].intended.Add(linger).After(at) {
			out = a.flushOne(out, o, at)
		}
	}
	return out
}

// flushAll appends every open aggregate, made at at.
func (a *aggregating) flushAll(out []pending, at time.Time) []pending {
	for _, o := range a.open {
		out = a.flushOne(out, o, at)
	}
	return out
}

func (a *aggregating) flushOne(out []pending, o *openAggregate, at time.Time) []pending {
	for _, done := range o.agg.Flush(a.kplOut[:0]) {
		out = append(out, a.take(o, done, at))
	}
	return out
}

// reaggregator packs again, under a refreshed shard map, the user records
// of Kinesis records that were acknowledged on another shard than
// predicted: KPL's retrier puts such user records again ("Wrong Shard").
// Safe for concurrent use: each call aggregates on its own.
type reaggregator struct {
	cfg         scenarios.Aggregation
	recordLimit int
	shards      *shardMap
}

// repack refreshes the shard map unless it was listed since sent, and
// returns wrong's user records in new Kinesis records, each attempted as
// often as the most attempted record they came from. User records the
// aggregator refuses (none that it took before) come back in refused.
func (r *reaggregator) repack(ctx context.Context, wrong []pending, sent, now time.Time) (out []pending, refused []pending) {
	r.shards.refreshIfOlder(ctx, sent, now)
	a := newAggregating(r.cfg, r.recordLimit, r.shards)
	attempts := 0
	for _, w := range wrong {
		attempts = max(attempts, w.attempts)
		for _, u := range w.userRecords() {
			var err error
			if out, err = a.add(out, u, now); err != nil {
				refused = append(refused, u.asPending(w.attempts))
			}
		}
	}
	out = a.flushAll(out, now)
	for i := range out {
		out[i].attempts = attempts
	}
	return out, refused
}
