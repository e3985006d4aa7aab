package merge

import (
	"reflect"
	"slices"
	"strings"

	"github.com/kinesim/kinesim/result"
)

// sumCounts adds the segments' counts: totals, the series second by second
// on absolute time, each consumer's and each shard's seconds, each
// producer's totals and each fault's effects.
func sumCounts(res *result.Result, parts []part) {
	for _, p := range parts {
		r := p.res
		addInts(&res.Totals, r.Totals)
		off := offset(res, r)
		for _, point := range r.Series {
			sec := point.Second + off
			for len(res.Series) <= sec {
				res.Series = append(res.Series, result.SeriesPoint{Second: len(res.Series)})
			}
			addPoint(&res.Series[sec], point)
		}
		for _, c := range r.Consumers {
			addConsumer(res, c, off)
		}
		for _, sh := range r.Shards {
			addShard(res, sh, off)
		}
		res.ShardsTruncated = res.ShardsTruncated || r.ShardsTruncated
		addProducers(res, r.Producers)
		addFaults(res, r.Chaos)
	}
	if res.Series == nil {
		res.Series = []result.SeriesPoint{}
	}
	slices.SortFunc(res.Shards, func(a, b result.ShardLoad) int { return strings.Compare(a.ShardID, b.ShardID) })
	for i := range res.Shards {
		sh := &res.Shards[i]
		sh.PeakRecordsPerS, sh.PeakBytesPerS = slices.Max(append(sh.RecordsPerS, 0)), slices.Max(append(sh.BytesPerS, 0))
	}
	res.ThrottledRatio = res.Totals.ThrottledRatio()
}

// addPoint adds a second's counts; its latencies come from the merged
// interval logs, and the iterator age is the larger.
func addPoint(dst *result.SeriesPoint, src result.SeriesPoint) {
	second := dst.Second
	addInts(dst, src)
	dst.Second = second
	if src.IteratorAgeMs != nil && (dst.IteratorAgeMs == nil || *src.IteratorAgeMs > *dst.IteratorAgeMs) {
		v := *src.IteratorAgeMs
		dst.IteratorAgeMs = &v
	}
}

// addInts adds every int64 field of src to dst's (both the same struct
// type, given dst as a pointer), through embedded and nested structs, so a
// count result.json gains is summed without this package changing.
func addInts(dst, src any) {
	addValue(reflect.ValueOf(dst).Elem(), reflect.ValueOf(src))
}

func addValue(dst, src reflect.Value) {
	switch dst.Kind() {
	case reflect.Int64:
		dst.SetInt(dst.Int() + src.Int())
	case reflect.Struct:
		for i := range dst.NumField() {
			if dst.Type().Field(i).IsExported() {
				addValue(dst.Field(i), src.Field(i))
			}
		}
	}
}

// addAt adds src to dst from index off, growing dst.
func addAt(dst []int64, src []int64, off int) []int64 {
	for len(dst) < off+len(src) {
		dst = append(dst, 0)
	}
	for i, v := range src {
		dst[off+i] += v
	}
	return dst
}

func addConsumer(res *result.Result, c result.ConsumerLoad, off int) {
	i := slices.IndexFunc(res.Consumers, func(x result.ConsumerLoad) bool { return x.Consumer == c.Consumer })
	if i < 0 {
		res.Consumers = append(res.Consumers, result.ConsumerLoad{Consumer: c.Consumer})
		i = len(res.Consumers) - 1
	}
	dst := &res.Consumers[i]
	dst.RecordsPerS = addAt(dst.RecordsPerS, c.RecordsPerS, off)
	dst.BytesPerS = addAt(dst.BytesPerS, c.BytesPerS, off)
	// Each segment's backlog is what it acknowledged less what its
	// readers received; over the segments that adds up to the stream's.
	dst.BacklogRecords = addAt(dst.BacklogRecords, c.BacklogRecords, off)
}

func addShard(res *result.Result, sh result.ShardLoad, off int) {
	i := slices.IndexFunc(res.Shards, func(x result.ShardLoad) bool { return x.ShardID == sh.ShardID })
	if i < 0 {
		res.Shards = append(res.Shards, result.ShardLoad{ShardID: sh.ShardID})
		i = len(res.Shards) - 1
	}
	dst := &res.Shards[i]
	dst.RecordsAcknowledged += sh.RecordsAcknowledged
	dst.BytesAcknowledged += sh.BytesAcknowledged
	dst.UserRecordsAcknowledged += sh.UserRecordsAcknowledged
	dst.RecordsPerS = addAt(dst.RecordsPerS, sh.RecordsPerS, off)
	dst.BytesPerS = addAt(dst.BytesPerS, sh.BytesPerS, off)
}

// addProducers sums each producer's totals. Per-producer percentiles are
// not merged (the interval log is per metric, not per producer).
func addProducers(res *result.Result, producers []result.ProducerInfo) {
	for _, p := range producers {
		i := slices.IndexFunc(res.Producers, func(x result.ProducerInfo) bool { return x.Name == p.Name })
		if i < 0 {
			res.Producers = append(res.Producers, result.ProducerInfo{Name: p.Name, Generator: p.Generator, PartitionKey: p.PartitionKey})
			i = len(res.Producers) - 1
		}
		dst := &res.Producers[i]
		if p.Totals == nil {
			continue
		}
		if dst.Totals == nil {
			dst.Totals = &result.ProducerTotals{}
		}
		addInts(dst.Totals, *p.Totals)
		ratio := dst.Totals.ThrottledRatio()
		dst.ThrottledRatio = &ratio
	}
}

// addFaults sums what each fault did in each segment, matched by kind and
// time (a segment's timeline holds only the faults it took part in).
func addFaults(res *result.Result, faults []result.FaultResult) {
	for _, f := range faults {
		i := slices.IndexFunc(res.Chaos, func(x result.FaultResult) bool {
			return x.Fault == f.Fault && x.AtS == f.AtS && x.ForS == f.ForS
		})
		if i < 0 {
			f.Index = len(res.Chaos)
			res.Chaos = append(res.Chaos, f)
			continue
		}
		dst := &res.Chaos[i]
		dst.CallsAffected += f.CallsAffected
		dst.RecordsAffected += f.RecordsAffected
		dst.RetriesCaused += f.RetriesCaused
		dst.DuplicatesCaused += f.DuplicatesCaused
		dst.PeakBacklogRecords += f.PeakBacklogRecords
		if f.RecoveryS != nil && (dst.RecoveryS == nil || *f.RecoveryS > *dst.RecoveryS) {
			dst.RecoveryS = f.RecoveryS
		}
		if dst.Error == "" {
			dst.Error = f.Error
		}
	}
}

// finishThroughput derives the throughput from the merged totals and series.
func finishThroughput(res *result.Result) {
	if res.ElapsedS > 0 {
		res.Throughput.RecordsAcknowledgedPerS = float64(res.Totals.RecordsAcknowledged) / res.ElapsedS
		res.Throughput.BytesAcknowledgedPerS = float64(res.Totals.BytesAcknowledged) / res.ElapsedS
		res.Throughput.KinesisRecordsAcknowledgedPerS = float64(res.Totals.KinesisRecordsAcknowledged) / res.ElapsedS
		res.Throughput.KinesisBytesAcknowledgedPerS = float64(res.Totals.KinesisBytesAcknowledged) / res.ElapsedS
	}
	for _, p := range res.Series {
		res.Throughput.PeakRecordsAcknowledgedPerS = max(res.Throughput.PeakRecordsAcknowledgedPerS, p.RecordsAcknowledged)
	}
}
