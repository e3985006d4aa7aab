package plan

import (
	"fmt"
	"math"
	"time"

	"github.com/kinesim/kinesim/reports"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// On-demand scaling over time.
//
// A new on-demand stream starts at 4 MiB/s and 4,000 records/s of writes
// (4 shards) and scales by splitting a shard whose writes stay at or above
// half of its limits for 15 minutes, between the lowest and the highest
// hash key written to it: about doubling toward the traffic, no faster
// than AWS does ("splits a shard above ~500 KB/s within 15 minutes"). The
// emulated stream's on-demand mode does the same (stream/emulated,
// ondemand.go); firstDay runs those rules in the fluid model over the
// scenario, second by second from a new stream, to say when it throttles
// before it has scaled. TestOnDemandFirstDayMatchesEmulator checks it
// against the emulator run through the runner in virtual time.

// Defaults of a new on-demand stream, as AWS and the emulator have them.
const (
	onDemandInitialShards = 4
	onDemandSplitDelay    = 15 * time.Minute
)

// FirstDay is a new on-demand stream's first run of the scenario: it
// starts at 4 shards and splits busy shards as it goes.
type FirstDay struct {
	// WriteThrottleRatio is the share of the run's first write attempts
	// throttled while the stream scales.
	WriteThrottleRatio float64 `json:"write_throttle_ratio"`
	// FirstThrottleAtS and LastThrottleAtS bound the seconds with throttles
	// (from the scenario's start); absent when none throttle.
	FirstThrottleAtS *int `json:"first_throttle_at_s,omitempty"`
	LastThrottleAtS  *int `json:"last_throttle_at_s,omitempty"`
	// ThrottledSeconds counts the seconds with throttles.
	ThrottledSeconds int `json:"throttled_seconds"`
	// Shards is the shard count at the end; Splits lists when each split
	// happened, in seconds from the start.
	Shards int   `json:"shards"`
	Splits []int `json:"splits,omitempty"`
}

// demandShard is one shard of the simulated on-demand stream.
type demandShard struct {
	span     hashkey.Range // the shard's hash keys
	recShare []float64
	byteRate []float64
	weighted []int32 // weighted keys in the range
	buckets  bucketPair
	hotSince int // second the shard became hot; -1 when not hot
}

// firstDay runs the on-demand scaling rules over the scenario from a new
// stream, splitting a shard hot for splitDelay.
func firstDay(t *traffic, splitDelay time.Duration) FirstDay {
	delay := int(math.Ceil(splitDelay.Seconds()))
	var shards []*demandShard
	for _, r := range hashkey.EvenRanges(onDemandInitialShards) {
		shards = append(shards, newDemandShard(t, r))
	}
	fd := FirstDay{}
	throttled := 0.0
	for s := range t.seconds {
		next := shards[:0:0]
		for _, sh := range shards {
			var dr, db float64
			for pi, p := range t.producers {
				dr += p.due[s] * sh.recShare[pi]
				db += p.due[s] * sh.byteRate[pi]
			}
			th := fluidStep(&sh.buckets, dr, db)
			if th > 0.5 { // a whole record
				throttled += th
				if fd.FirstThrottleAtS == nil {
					fd.FirstThrottleAtS = &s
				}
				last := s
				fd.LastThrottleAtS = &last
				fd.ThrottledSeconds++
			}
			hot := 2*dr >= shardRecordsPerSecond || 2*db >= shardBytesPerSecond
			switch {
			case !hot:
				sh.hotSince = -1
			case sh.hotSince < 0:
				sh.hotSince = s
			}
			if hot && s+1-sh.hotSince >= delay {
				if a, b, ok := sh.split(t); ok {
					fd.Splits = append(fd.Splits, s)
					next = append(next, a, b)
					continue
				}
			}
			next = append(next, sh)
		}
		shards = next
	}
	fd.Shards = len(shards)
	if t.total > 0 {
		fd.WriteThrottleRatio = throttled / t.total
	}
	return fd
}

// newDemandShard routes every producer's share of the keys in r.
func newDemandShard(t *traffic, r hashkey.Range) *demandShard {
	sh := &demandShard{span: r, hotSince: -1,
		recShare: make([]float64, len(t.producers)), byteRate: make([]float64, len(t.producers)),
		buckets: bucketPair{records: shardRecordsPerSecond, bytes: shardBytesPerSecond}}
	seen := map[int32]bool{}
	for pi, p := range t.producers {
		if p.random {
			f := r.Share()
			sh.recShare[pi], sh.byteRate[pi] = f, f*p.meanBytes
			continue
		}
		for _, w := range p.weights {
			k := t.keys[w.key].hash
			if !r.Contains(k) {
				continue
			}
			sh.recShare[pi] += w.records
			sh.byteRate[pi] += w.bytes * p.meanBytes
			if !seen[w.key] {
				seen[w.key] = true
				sh.weighted = append(sh.weighted, w.key)
			}
		}
	}
	return sh
}

// split halves the shard between the lowest and highest hash key written
// to it (the whole range under random keys), as the emulator does; a
// shard with a single key is never split.
func (sh *demandShard) split(t *traffic) (a, b *demandShard, ok bool) {
	written := sh.span // the keys written to the shard
	random := false
	for pi, p := range t.producers {
		random = random || (p.random && sh.recShare[pi] > 0)
	}
	if !random {
		if len(sh.weighted) < 2 {
			return nil, nil, false
		}
		first := t.keys[sh.weighted[0]].hash
		written = hashkey.Range{Start: first, End: first}
		for _, k := range sh.weighted[1:] {
			h := t.keys[k].hash
			if h.Less(written.Start) {
				written.Start = h
			}
			if written.End.Less(h) {
				written.End = h
			}
		}
	}
	mid := written.Mid() // above its start, at most its end
	if !sh.span.Start.Less(mid) || sh.span.End.Less(mid) {
		return nil, nil, false
	}
	return newDemandShard(t, hashkey.Range{Start: sh.span.Start, End: mid.Prev()}),
		newDemandShard(t, hashkey.Range{Start: mid, End: sh.span.End}), true
}

// firstDayNote says in a sentence what a new on-demand stream does.
func firstDayNote(fd FirstDay, steady float64) string {
	if fd.FirstThrottleAtS == nil && len(fd.Splits) == 0 {
		return fmt.Sprintf("a new on-demand stream (%d shards: 4 MiB/s, 4,000 records/s) carries this traffic on its first day without splitting a shard", onDemandInitialShards)
	}
	if fd.FirstThrottleAtS == nil {
		return fmt.Sprintf("a new on-demand stream (%d shards: 4 MiB/s, 4,000 records/s) keeps ahead of this traffic on its first day: it splits %s as the traffic grows and ends with %d shards",
			onDemandInitialShards, splitCount(len(fd.Splits)), fd.Shards)
	}
	return fmt.Sprintf("a new on-demand stream starts at 4 MiB/s and 4,000 records/s and splits a shard only after 15 minutes above half its limits; on its first day it first throttles at %s, throttles in %d seconds up to %s (%s of writes, against %s once scaled) and ends with %d shards: warm it up (run traffic at the expected peak for 15 minutes or more beforehand) or start provisioned",
		clockTime(*fd.FirstThrottleAtS), fd.ThrottledSeconds, clockTime(*fd.LastThrottleAtS), pct(fd.WriteThrottleRatio), pct(steady), fd.Shards)
}

// splitCount says "a shard once" or "shards N times".
func splitCount(n int) string {
	if n == 1 {
		return "a shard once"
	}
	return fmt.Sprintf("shards %s times", reports.Thousands(int64(n)))
}
