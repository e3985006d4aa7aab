package plan

import (
	"cmp"
	"math"
	"slices"

	"github.com/kinesim/kinesim/stream/hashkey"
)

// HotKey is a partition key heavy enough to matter to the plan.
type HotKey struct {
	Key string `json:"key"`
	// Producers names the producers writing the key.
	Producers []string `json:"producers"`
	// PeakRecordsPerS and PeakBytesPerS are the key's load at its
	// producers' peaks (the peaks added when several producers share it).
	PeakRecordsPerS float64 `json:"peak_records_per_s"`
	PeakBytesPerS   float64 `json:"peak_bytes_per_s"`
	// Utilisation is the share of one shard's write limit the key takes
	// alone at its peak: over 1, no shard count can hold it.
	Utilisation float64 `json:"utilisation"`
	// ThrottledAlone is the records the key throttles on a shard of its
	// own: a floor no shard count can go below.
	ThrottledAlone float64 `json:"throttled_alone"`
	// HashKey is the key's hash key (decimal), for SplitShard or
	// ExplicitHashKey.
	HashKey string `json:"hash_key"`
}

// hotKeyFloor is the share of a shard a key must reach at its peak to be
// reported as hot.
const hotKeyFloor = 0.25

// keyLoads sums each weighted key's share over the producers and returns
// the keys that take at least hotKeyFloor of a shard at their peak, the
// heaviest first, with what each throttles alone (fluid model).
func keyLoads(t *traffic) (hot []HotKey, peakUtil map[int32]float64) {
	type load struct {
		recs, bytes float64 // at the peak
		producers   []int
	}
	loads := map[int32]*load{}
	for pi, p := range t.producers {
		for _, w := range p.weights {
			l := loads[w.key]
			if l == nil {
				l = &load{}
				loads[w.key] = l
			}
			// With KPL aggregation the key's records share aggregates (at
			// least with each other): fewer Kinesis records.
			r, b := p.agg.kinesis(w.records*p.peakRate, w.bytes*p.meanBytes*p.peakRate)
			l.recs += r
			l.bytes += b
			l.producers = append(l.producers, pi)
		}
	}
	peakUtil = make(map[int32]float64, len(loads))
	for k, l := range loads {
		u := max(l.recs/shardRecordsPerSecond, l.bytes/shardBytesPerSecond)
		peakUtil[k] = u
		if u < hotKeyFloor {
			continue
		}
		hk := HotKey{
			Key: t.keys[k].name, PeakRecordsPerS: l.recs, PeakBytesPerS: l.bytes,
			Utilisation: u, HashKey: t.keys[k].hash.String(),
		}
		for _, pi := range l.producers {
			hk.Producers = append(hk.Producers, t.producers[pi].name)
		}
		hk.ThrottledAlone = throttledAlone(t, k)
		hot = append(hot, hk)
	}
	slices.SortFunc(hot, func(a, b HotKey) int {
		return cmp.Or(cmp.Compare(b.Utilisation, a.Utilisation), cmp.Compare(a.Key, b.Key))
	})
	return hot, peakUtil
}

// throttledAlone runs key k's own records through a shard of its own, in
// the fluid model. A shard's throttles are at least the sum of those of
// its keys alone (sharing a bucket never admits more), so the sum over
// keys is a floor for every shard count.
func throttledAlone(t *traffic, k int32) float64 {
	type share struct{ recs, bytes float64 }
	shares := make([]share, len(t.producers))
	for pi, p := range t.producers {
		for _, w := range p.weights {
			if w.key == k {
				shares[pi].recs += w.records
				shares[pi].bytes += w.bytes * p.meanBytes
			}
		}
	}
	b := bucketPair{records: shardRecordsPerSecond, bytes: shardBytesPerSecond}
	throttled := 0.0
	for s := range t.seconds {
		var du, dr, db float64
		for pi, p := range t.producers {
			r, by := p.agg.kinesis(p.due[s]*shares[pi].recs, p.due[s]*shares[pi].bytes)
			du += p.due[s] * shares[pi].recs
			dr += r
			db += by
		}
		throttled += throttledUsers(fluidStep(&b, dr, db), dr, du)
	}
	return math.Max(throttled, 0)
}

// hottestKeyOn returns the weighted key with the highest peak load on
// shard j of n, or -1 when the shard's records spread over keys evenly.
func hottestKeyOn(t *traffic, peakUtil map[int32]float64, j, n int) (int32, float64) {
	best, bestUtil := int32(-1), 0.0
	for k, u := range peakUtil {
		if u > bestUtil || (u == bestUtil && k < best) {
			if hashkey.ShardOf(t.keys[k].hash, n) == j {
				best, bestUtil = k, u
			}
		}
	}
	return best, bestUtil
}
