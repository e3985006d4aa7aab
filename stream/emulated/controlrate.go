package emulated

import (
	"sync"
	"time"
)

// Control-plane call rates, per account (the emulator is one account).
//
//   - SplitShard: "SplitShard has a limit of five transactions per second per
//     account" (API reference, SplitShard).
//   - MergeShards: "MergeShards has a limit of five transactions per second
//     per account" (API reference, MergeShards).
//   - UpdateShardCount: "Make over 10 TPS. TPS over 10 will trigger the
//     LimitExceededException" (API reference, UpdateShardCount). AWS does
//     not say per what; the emulator counts per account, as for the other
//     two (unconfirmed).
//
// Each is a token bucket holding one second's worth of calls. Only calls
// the emulator accepts (the stream exists, is ACTIVE and the request is
// valid) take a token: AWS does not say whether refused calls count, and
// counting them would let a caller probing for the end of an UPDATING
// state lock itself out.
const (
	splitShardTPS       = 5
	mergeShardsTPS      = 5
	updateShardCountTPS = 10
)

// controlOp names a rate-limited control-plane operation.
type controlOp int

const (
	opSplitShard controlOp = iota
	opMergeShards
	opUpdateShardCount
	numControlOps
)

func (op controlOp) String() string {
	return [...]string{"SplitShard", "MergeShards", "UpdateShardCount"}[op]
}

// tps is op's rate in calls a second.
func (op controlOp) tps() int {
	return [...]int{splitShardTPS, mergeShardsTPS, updateShardCountTPS}[op]
}

// controlRates holds the account's control-plane token buckets.
type controlRates struct {
	mu      sync.Mutex
	buckets [numControlOps]tokenBucket
}

func newControlRates(now int64) *controlRates {
	r := &controlRates{}
	for op := range numControlOps {
		r.buckets[op] = newTokenBucket(float64(op.tps()), time.Second, now)
	}
	return r
}

// admit runs accept if op has a token at now, and takes the token when
// accept succeeds. It reports false, without running accept, when op is over
// its rate. accept runs under the rates' lock so that two streams' calls
// cannot both take the last token.
func (r *controlRates) admit(op controlOp, now int64, accept func() error) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := &r.buckets[op]
	b.refill(now)
	if !b.allows(1) {
		return false, nil
	}
	if err := accept(); err != nil {
		return true, err
	}
	b.take(1)
	return true, nil
}
