// Package emulated is kinesim's built-in Kinesis Data Streams emulator: an
// in-process implementation of the stream contract (stream.Target, plus
// stream.Resharder, stream.FanOut, stream.RetentionSetter,
// stream.RetentionReporter, stream.SingleWriter and stream.Describer) that
// behaves as Amazon Kinesis does, limits included:
//
//   - Records route by MD5 of the partition key (or an ExplicitHashKey) to
//     shards with the hash key ranges CreateStream gives on AWS.
//   - Each shard enforces the write limits (1 MiB/s and 1,000 records/s) as
//     token buckets and throttles per record with AWS's error code and
//     message; reads share 5 GetRecords calls/s and 2 MiB/s per shard;
//     iterators expire after 5 minutes.
//   - SplitShard, MergeShards and UpdateShardCount close parents with an
//     ending sequence number and send readers on to the children; the
//     stream is UPDATING meanwhile, and the calls have AWS's rate limits.
//   - InternalFailure can be injected at a fixed rate
//     (WithInternalFailureRate).
//   - Enhanced fan-out consumers each get 2 MiB/s per shard, pushed.
//   - Records leave after the retention period; memory is bounded
//     (WithPayloadMemoryLimit, WithRecordLimit) and every record lost to
//     either is counted (RetentionStats).
//   - ON_DEMAND streams start with 4 shards and split busy ones.
//
// All timing reads and waits on the clock given by WithClock, so the
// emulator runs in wall-clock or virtual time (clock.Virtual); calls that
// wait (a reshard delay, service latency, a subscription) wait only through
// the clock.
//
// An *Emulator is safe for concurrent use by many goroutines. Writes to
// different shards do not contend: each shard has its own lock, taken once
// per PutRecords call and shard, and a stream's shard map is an immutable
// snapshot swapped atomically. Records and slices returned to callers are
// their own copies.
package emulated

import (
	"context"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinesim/kinesim/clock"
	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// account is the AWS account id the emulator names in error messages.
const account = "111111111111"

// onDemandInitialShards is how many shards an ON_DEMAND stream starts with:
// AWS starts on-demand streams at 4 MiB/s of write capacity.
const onDemandInitialShards = 4

// Emulator hosts any number of emulated streams, addressed by name.
type Emulator struct {
	cfg     config
	mem     *memory
	latency *latencyModel
	rates   *controlRates
	failure *failureInjector

	mu              sync.RWMutex
	streams         map[string]*streamState
	nextIncarnation uint64
}

var _ stream.Target = (*Emulator)(nil)

// New returns an emulator with no streams.
func New(opts ...Option) *Emulator {
	cfg := defaultConfig()
	for _, opt := range opts {
		opt(&cfg)
	}
	return &Emulator{
		cfg:     cfg,
		mem:     &memory{payloads: budget{limit: cfg.memoryLimit}, records: budget{limit: cfg.recordLimit * storedRecordLen}},
		latency: &latencyModel{byOp: cfg.latency, rng: rand.New(rand.NewPCG(cfg.seed, cfg.seed))},
		rates:   newControlRates(cfg.clock.Now().UnixNano()),
		failure: newFailureInjector(cfg.internalFailureRate, cfg.seed),
		streams: make(map[string]*streamState),
	}
}

// streamState is one stream. Its shard map is replaced, never modified, so
// PutRecords routes without a lock.
type streamState struct {
	name        string
	incarnation uint64 // tells a recreated stream's iterators from the old one's
	mode        stream.Mode
	created     time.Time
	clock       clock.Clock
	cfg         *config
	mem         *memory
	failure     *failureInjector
	retention   atomic.Int64 // nanoseconds

	// ctl serializes control-plane changes (resharding).
	ctl          sync.Mutex
	updating     bool    // a reshard is under way
	scalingCalls []int64 // times of recent UpdateShardCount calls
	consumers    map[string]*consumer

	// counter feeds sequence numbers; see seqnum.go.
	counter atomic.Uint64
	shards  atomic.Pointer[shardSet]
}

// shardSet is an immutable view of a stream's shards.
type shardSet struct {
	all  []*shard // every shard, by index (= the number in its id)
	open []*shard // open shards sorted by starting hash key, covering the key space
}

// routeIndex returns the index in set.open of the shard whose hash key range
// holds k.
func (set *shardSet) routeIndex(k hashkey.Key) int {
	open := set.open
	lo, hi := 0, len(open)-1
	for lo < hi { // find the last shard starting at or before k
		mid := (lo + hi + 1) / 2
		if k.Less(open[mid].start) {
			hi = mid - 1
		} else {
			lo = mid
		}
	}
	return lo
}

// byID returns the shard id names, read as Kinesis reads ids (see
// stream.ParseShardID), or nil.
func (set *shardSet) byID(id string) *shard {
	i, ok := stream.ParseShardID(id)
	if !ok || i >= len(set.all) {
		return nil
	}
	return set.all[i]
}

func newShardSet(all []*shard) *shardSet {
	set := &shardSet{all: all}
	for _, sh := range all {
		if !sh.isClosed() {
			set.open = append(set.open, sh)
		}
	}
	sort.Slice(set.open, func(i, j int) bool { return set.open[i].start.Less(set.open[j].start) })
	return set
}

func streamNotFound(name string) error {
	return stream.Errorf(stream.CodeNotFound, "Stream %s under account %s not found.", name, account)
}

func (e *Emulator) lookup(name string) (*streamState, error) {
	e.mu.RLock()
	st := e.streams[name]
	e.mu.RUnlock()
	if st == nil {
		return nil, streamNotFound(name)
	}
	return st, nil
}

// validStreamName reports whether name matches the API's pattern
// [a-zA-Z0-9_.-]+ with 1 to 128 characters.
func validStreamName(name string) bool {
	if len(name) < 1 || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// CreateStream creates a stream that is ACTIVE at once. A PROVISIONED stream
// (the default when Mode is empty) gets ShardCount shards with even hash key
// ranges; an ON_DEMAND stream starts with 4 shards and must not set
// ShardCount. A stream of the same name → ResourceInUseException.
func (e *Emulator) CreateStream(ctx context.Context, in *stream.CreateStreamInput) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if in == nil || !validStreamName(in.StreamName) {
		return stream.Errorf(stream.CodeInvalidArgument, "StreamName must match [a-zA-Z0-9_.-]+ and have 1 to 128 characters")
	}
	n := in.ShardCount
	switch in.Mode {
	case "", stream.ModeProvisioned:
		if n < 1 || n > maxShardsPerStream {
			return stream.Errorf(stream.CodeInvalidArgument, "ShardCount %d: a provisioned stream needs 1 to %d shards", n, maxShardsPerStream)
		}
	case stream.ModeOnDemand:
		if n != 0 {
			return stream.Errorf(stream.CodeInvalidArgument, "ShardCount must not be set for an ON_DEMAND stream")
		}
		n = onDemandInitialShards
	default:
		return stream.Errorf(stream.CodeInvalidArgument, "StreamMode %q: want PROVISIONED or ON_DEMAND", in.Mode)
	}
	mode := in.Mode
	if mode == "" {
		mode = stream.ModeProvisioned
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.streams[in.StreamName]; ok {
		return stream.Errorf(stream.CodeInUse, "Stream %s under account %s already exists.", in.StreamName, account)
	}
	e.nextIncarnation++
	st := &streamState{
		name:        in.StreamName,
		incarnation: e.nextIncarnation,
		mode:        mode,
		created:     e.cfg.clock.Now(),
		clock:       e.cfg.clock,
		cfg:         &e.cfg,
		mem:         e.mem,
		failure:     e.failure,
	}
	st.retention.Store(int64(stream.DefaultRetention))
	now := e.cfg.clock.Now().UnixNano()
	shards := make([]*shard, n)
	for i, r := range hashkey.EvenRanges(n) {
		shards[i] = st.newShard(i, r.Start, r.End, now, now/int64(time.Second))
	}
	st.shards.Store(newShardSet(shards))
	e.streams[in.StreamName] = st
	return nil
}

// DeleteStream deletes a stream and its records at once. Iterators on it
// then fail with ResourceNotFoundException.
func (e *Emulator) DeleteStream(ctx context.Context, streamName string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	st, ok := e.streams[streamName]
	delete(e.streams, streamName)
	e.mu.Unlock()
	if !ok {
		return streamNotFound(streamName)
	}
	for _, sh := range st.shards.Load().all {
		sh.mu.Lock()
		e.mem.freed(sh.log.held())
		sh.log = recordLog{}
		sh.deleted = true
		sh.mu.Unlock()
	}
	return nil
}

// ListShards lists every shard of the stream, open and closed, by shard id.
func (e *Emulator) ListShards(ctx context.Context, streamName string) ([]stream.Shard, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := e.lookup(streamName)
	if err != nil {
		return nil, err
	}
	set := st.shards.Load()
	out := make([]stream.Shard, len(set.all))
	for i, sh := range set.all {
		out[i] = sh.describe()
	}
	return out, nil
}
