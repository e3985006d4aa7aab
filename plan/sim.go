package plan

import (
	"math"

	"github.com/kinesim/kinesim/stream"
	"github.com/kinesim/kinesim/stream/hashkey"
)

// A shard's limits, as the emulator enforces them.
const (
	shardRecordsPerSecond = float64(stream.ShardWriteRecordsPerSecond)
	shardBytesPerSecond   = float64(stream.ShardWriteBytesPerSecond)
	shardReadBytes        = float64(stream.ShardReadBytesPerSecond)
	shardReadCalls        = float64(stream.ShardReadCallsPerSecond)
	// sigmas is how many standard deviations of a shard's random share of
	// the records the fluid model's safety test allows for.
	sigmas = 4
	// utilSlack forgives floating-point sums when a load is compared with
	// a limit: a shard at exactly its limit is full, not over it.
	utilSlack = 1e-9
)

// evaluation is what simulating one shard count found.
type evaluation struct {
	shards     int
	throttled  float64 // first attempts throttled (records)
	errorBound float64 // records: how far the fluid seconds' throttles may be off
	peakWrite  float64 // the highest write utilisation of any shard in any second
	peakShard  int
	peakAt     int // second
	peakRead   float64
	// perRecordSeconds and unsafeFluidSeconds count shard-seconds.
	perRecordSeconds, unsafeFluidSeconds int
}

// bucketPair is one shard's write capacity: a records bucket and a bytes
// bucket, each holding one second's worth (the emulator's default burst).
type bucketPair struct {
	records, bytes float64 // tokens
	last           float64 // seconds: the last refill, per-record windows only
}

// evaluate simulates the traffic on n shards with even hash ranges.
// Seconds inside the per-record windows are simulated record by record;
// the others with the fluid model (see the package comment for its error
// bound). It reads t only, so evaluations run in parallel.
func evaluate(t *traffic, n int, fluidOnly bool) evaluation {
	ev := evaluation{shards: n}
	np := len(t.producers)
	// Per producer and shard: the share of the producer's records, the
	// bytes per record of the producer that land there, and the mean
	// square size share (for the variance of the shard's bytes).
	recShare := make([]float64, np*n)
	byteRate := make([]float64, np*n)
	sqRate := make([]float64, np*n)
	keyShard := make([]int32, len(t.keys))
	for k := range t.keys {
		keyShard[k] = int32(hashkey.ShardOf(t.keys[k].hash, n))
	}
	for pi, p := range t.producers {
		row := pi * n
		if p.random {
			for j := range n {
				recShare[row+j] = 1 / float64(n)
				byteRate[row+j] = p.meanBytes / float64(n)
			}
		} else {
			for _, w := range p.weights {
				j := int(keyShard[w.key])
				recShare[row+j] += w.records
				byteRate[row+j] += w.bytes * p.meanBytes
			}
		}
		for j := range n {
			sqRate[row+j] = recShare[row+j] * p.meanSq
		}
	}

	buckets := make([]bucketPair, n)
	for j := range buckets {
		buckets[j] = bucketPair{records: shardRecordsPerSecond, bytes: shardBytesPerSecond}
	}
	for s := 0; s < t.seconds; {
		if wi := t.windowAt[s]; wi >= 0 && !fluidOnly {
			w := &t.windows[wi]
			ev.throttled += perRecordWindow(t, w, buckets, keyShard, recShare)
			// Utilisation is a property of the rate, not of the records: it
			// comes from the schedule in every second.
			for ; s < w.end; s++ {
				ev.utilisation(t, s, recShare, byteRate)
			}
			ev.perRecordSeconds += (w.end - w.start) * n
			continue
		}
		ev.utilisation(t, s, recShare, byteRate)
		for j := range n {
			// du are user records; dr and db what the shard takes: fewer
			// records when a producer aggregates (KPL).
			var du, dr, db, pr, pb, vb float64
			for pi, p := range t.producers {
				c := pi*n + j
				r, b := p.agg.kinesis(p.due[s]*recShare[c], p.due[s]*byteRate[c])
				du += p.due[s] * recShare[c]
				dr += r
				db += b
				vb += p.due[s] * sqRate[c]
				r, b = p.agg.kinesis(p.peak[s]*recShare[c], p.peak[s]*byteRate[c])
				pr += r
				pb += b
			}
			b := &buckets[j]
			if !safe(dr, pr, b.records, shardRecordsPerSecond) || !safe(vb, pb, b.bytes, shardBytesPerSecond) {
				ev.unsafeFluidSeconds++
				bound := sigmas * math.Sqrt(dr)
				if db > 0 {
					bound = max(bound, sigmas*math.Sqrt(vb)*dr/db) // bytes, as records of the mean size
				}
				ev.errorBound += min(bound, dr)
			}
			ev.throttled += throttledUsers(fluidStep(b, dr, db), dr, du)
		}
		s++
	}
	return ev
}

// utilisation records the highest write and read loads of second s.
func (ev *evaluation) utilisation(t *traffic, s int, recShare, byteRate []float64) {
	n := ev.shards
	for j := range n {
		var pr, pb float64
		for pi, p := range t.producers {
			r, b := p.agg.kinesis(p.peak[s]*recShare[pi*n+j], p.peak[s]*byteRate[pi*n+j])
			pr += r
			pb += b
		}
		if u := max(pr/shardRecordsPerSecond, pb/shardBytesPerSecond); u > ev.peakWrite {
			ev.peakWrite, ev.peakShard, ev.peakAt = u, j, s
		}
		ev.peakRead = max(ev.peakRead, readUtilisation(t, pb))
	}
}

// readUtilisation is a shard's shared read load when writesBytes a second
// land on it: every polling consumer reads every byte, and their calls
// share 5 a second. Enhanced fan-out consumers have their own 2 MiB/s.
func readUtilisation(t *traffic, writeBytes float64) float64 {
	if t.polling == 0 {
		return 0
	}
	return max(t.pollCallsPerShard/shardReadCalls, float64(t.polling)*writeBytes/shardReadBytes)
}

// safe reports whether a bucket at level, refilled at limit a second, can
// be trusted not to throttle a random load with per-second variance v whose
// rate peaks at peak: the peak is under the limit and the load's random
// excess over any horizon, sigmas standard deviations of it, stays within
// the level. The excess of a random walk with per-second variance v and
// drift -g over T seconds is at most sigmas*sqrt(v*T) - g*T, whose largest
// value over every T is sigmas²·v/(4g).
func safe(v, peak, level, limit float64) bool {
	g := limit - peak
	return g > 0 && sigmas*sigmas*v/(4*g) <= level
}

// fluidStep runs one second of a shard's two buckets with the records and
// bytes due spread evenly over it, and returns the records throttled. With
// a constant demand d and refill c over one second, a bucket at level L
// admits min(d, L + c): it drains at d - c until empty and then admits c.
// The admitted share is the smaller of the two buckets'.
func fluidStep(b *bucketPair, dr, db float64) float64 {
	if dr <= 0 {
		b.records = min(shardRecordsPerSecond, b.records+shardRecordsPerSecond)
		b.bytes = min(shardBytesPerSecond, b.bytes+shardBytesPerSecond)
		return 0
	}
	f := min(1, (b.records+shardRecordsPerSecond)/dr)
	if db > 0 {
		f = min(f, (b.bytes+shardBytesPerSecond)/db)
	}
	b.records = min(max(b.records+shardRecordsPerSecond-f*dr, 0), shardRecordsPerSecond)
	b.bytes = min(max(b.bytes+shardBytesPerSecond-f*db, 0), shardBytesPerSecond)
	return (1 - f) * dr
}

// perRecordWindow runs the window's records through the shards' buckets
// one by one, as the emulator does: a bucket refills continuously, a record
// needs one record token and its size in byte tokens (a record larger than
// the whole bucket passes when the bucket is full and leaves it in debt),
// and a throttled record takes nothing. It returns the records throttled
// and leaves the buckets as they are at the window's end.
//
// A user record of an aggregating producer (KPL) takes its share of an
// aggregate's tokens instead: 1/k of a record token and its bytes in the
// aggregate, k the user records an aggregate holds at the shard's rate.
func perRecordWindow(t *traffic, w *window, buckets []bucketPair, keyShard []int32, recShare []float64) float64 {
	for j := range buckets {
		buckets[j].last = float64(w.start)
	}
	n := len(buckets)
	throttled := 0
	for _, r := range t.records[w.first:w.limit] {
		shard := keyShard[r.key]
		b := &buckets[shard]
		refill(b, r.at)
		recs, size := 1.0, float64(r.size)
		if p := t.producers[r.producer]; p.agg != nil {
			sec := min(int(r.at), len(p.due)-1)
			recs, size = p.agg.cost(p.due[sec]*recShare[int(r.producer)*n+int(shard)], r.size)
		}
		if b.records >= recs && b.bytes >= min(size, shardBytesPerSecond) {
			b.records -= recs
			b.bytes -= size
		} else {
			throttled++
		}
	}
	for j := range buckets {
		refill(&buckets[j], float64(w.end))
		buckets[j].bytes = max(buckets[j].bytes, 0) // the fluid model has no debt
	}
	return float64(throttled)
}

func refill(b *bucketPair, at float64) {
	if dt := at - b.last; dt > 0 {
		b.records = min(shardRecordsPerSecond, b.records+dt*shardRecordsPerSecond)
		b.bytes = min(shardBytesPerSecond, b.bytes+dt*shardBytesPerSecond)
		b.last = at
	}
}
