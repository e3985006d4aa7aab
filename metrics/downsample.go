package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kinesim/kinesim/result"
)

// MaxSeriesPoints bounds result.json's series and each consumer's arrays:
// a longer run's seconds are grouped into buckets of whole seconds
// (result.Result.SeriesBucketS), so a day's result.json stays a few MB.
const MaxSeriesPoints = 2000

// MaxShardCells bounds result.json's per-shard arrays over all shards
// together (shards x points): 2,000 points each up to 24 shards, fewer
// beyond (result.Result.ShardsBucketS).
const MaxShardCells = 48_000

// BucketSeconds is the width of the buckets that fit seconds into at most
// points buckets: 1 when they already fit.
func BucketSeconds(seconds, points int) int {
	if points < 1 || seconds <= points {
		return 1
	}
	return (seconds + points - 1) / points
}

// Downsampled is a run's series grouped into buckets, each exact for its
// seconds: counts are sums, backlogs and iterator ages maxima, latency
// percentiles those of the bucket's HdrHistograms merged.
type Downsampled struct {
	// BucketS is the width of Series' and Consumers' points, in seconds.
	BucketS int
	Series  []result.SeriesPoint
	// Consumers are in name order.
	Consumers []result.ConsumerLoad
	// ShardsBucketS is the width of Shards' per-second arrays' points.
	ShardsBucketS int
	// Shards, in shard id order, have their totals, peaks and arrays.
	Shards []result.ShardLoad
	// PeakRecordsAcknowledgedPerS is the busiest whole second.
	PeakRecordsAcknowledgedPerS int64
}

// Downsample reads a run's full-resolution series (result.SeriesFile) and
// its interval log (latency.hlog) and groups their seconds into at most
// MaxSeriesPoints buckets. seconds is the number of seconds in the series
// (the last second + 1). It holds one bucket's histograms and the
// downsampled points, never the whole run.
func Downsample(series, hlog io.Reader, seconds int) (*Downsampled, error) {
	return downsampleTo(series, hlog, seconds, MaxSeriesPoints)
}

// downsampleTo is Downsample to at most maxPoints points.
func downsampleTo(series, hlog io.Reader, seconds, maxPoints int) (*Downsampled, error) {
	d := &Downsampled{BucketS: BucketSeconds(seconds, maxPoints)}
	latencies, err := bucketLatencies(hlog, d.BucketS, []Metric{RecordLatency, SendDelay})
	if err != nil {
		return nil, err
	}
	shards := map[string]*shardBuckets{}
	consumers := map[string]*result.ConsumerLoad{}
	points := (seconds + d.BucketS - 1) / d.BucketS
	_, err = result.ReadSeries(series, func(line result.SecondLine) error {
		b := line.Second / d.BucketS
		if b >= points {
			return fmt.Errorf("series second %d is past the %d seconds expected", line.Second, seconds)
		}
		d.PeakRecordsAcknowledgedPerS = max(d.PeakRecordsAcknowledgedPerS, line.RecordsAcknowledged)
		d.Series = growPoints(d.Series, b, d.BucketS, seconds)
		addPoint(&d.Series[b], line.SeriesPoint)
		for _, s := range line.Shards {
			sb := shards[s.ShardID]
			if sb == nil {
				sb = &shardBuckets{total: result.ShardSecond{ShardID: s.ShardID}}
				shards[s.ShardID] = sb
			}
			sb.add(b, points, s)
		}
		for _, c := range line.Consumers {
			l := consumers[c.Consumer]
			if l == nil {
				l = &result.ConsumerLoad{Consumer: c.Consumer, RecordsPerS: make([]int64, points),
					BytesPerS: make([]int64, points), BacklogRecords: make([]int64, points)}
				consumers[c.Consumer] = l
			}
			l.RecordsPerS[b] += c.Records
			l.BytesPerS[b] += c.Bytes
			l.BacklogRecords[b] = max(l.BacklogRecords[b], c.BacklogRecords)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range d.Series {
		if i < len(latencies) {
			d.Series[i].RecordLatencyMs = latencies[i][0]
			d.Series[i].SendDelayMs = latencies[i][1]
		}
	}
	for _, name := range sortedKeys(consumers) {
		d.Consumers = append(d.Consumers, *consumers[name])
	}
	d.ShardsBucketS = d.BucketS
	if len(shards) > 0 {
		// A multiple of the series' buckets, so shard points merge whole ones.
		per := BucketSeconds(points, max(MaxShardCells/len(shards), 1))
		d.ShardsBucketS = d.BucketS * per
		for _, id := range sortedKeys(shards) {
			d.Shards = append(d.Shards, shards[id].regroup(per))
		}
	}
	return d, nil
}

// growPoints extends series to hold bucket b, each new point starting at
// its bucket's first second and covering bucket seconds (the last one up
// to the end of the run).
func growPoints(series []result.SeriesPoint, b, bucket, seconds int) []result.SeriesPoint {
	for len(series) <= b {
		first := len(series) * bucket
		p := result.SeriesPoint{Second: first}
		if bucket > 1 {
			p.Seconds = min(bucket, seconds-first)
		}
		series = append(series, p)
	}
	return series
}

// addPoint adds one second's counts to a bucket's point.
func addPoint(p *result.SeriesPoint, s result.SeriesPoint) {
	p.RecordsScheduled += s.RecordsScheduled
	p.RecordsSent += s.RecordsSent
	p.RecordsAcknowledged += s.RecordsAcknowledged
	p.RecordsThrottled += s.RecordsThrottled
	p.RecordsFailed += s.RecordsFailed
	p.RecordsDeadLettered += s.RecordsDeadLettered
	p.RecordsDropped += s.RecordsDropped
	p.RecordsConsumed += s.RecordsConsumed
	p.ReadThrottles += s.ReadThrottles
	p.BacklogRecords = max(p.BacklogRecords, s.BacklogRecords)
	if s.IteratorAgeMs != nil && (p.IteratorAgeMs == nil || *s.IteratorAgeMs > *p.IteratorAgeMs) {
		v := *s.IteratorAgeMs
		p.IteratorAgeMs = &v
	}
}

// shardBuckets gathers one shard's totals, peaks and bucket sums.
type shardBuckets struct {
	total                     result.ShardSecond
	peakRecords, peakBytes    int64
	records, bytes, throttled []int64
}

func (s *shardBuckets) add(b, points int, sec result.ShardSecond) {
	if s.records == nil {
		s.records, s.bytes, s.throttled = make([]int64, points), make([]int64, points), make([]int64, points)
	}
	s.records[b] += sec.RecordsAcknowledged
	s.bytes[b] += sec.BytesAcknowledged
	s.throttled[b] += sec.RecordsThrottled
	s.total.Add(sec)
	s.peakRecords = max(s.peakRecords, sec.RecordsAcknowledged)
	s.peakBytes = max(s.peakBytes, sec.BytesAcknowledged)
}

// regroup returns the shard's load with its arrays summed per buckets.
func (s *shardBuckets) regroup(per int) result.ShardLoad {
	sum := func(in []int64) []int64 {
		out := make([]int64, (len(in)+per-1)/per)
		for i, v := range in {
			out[i/per] += v
		}
		return out
	}
	t := s.total
	return result.ShardLoad{ShardID: t.ShardID,
		RecordsAcknowledged: t.RecordsAcknowledged, BytesAcknowledged: t.BytesAcknowledged,
		UserRecordsAcknowledged: t.UserRecordsAcknowledged,
		PeakRecordsPerS:         s.peakRecords, PeakBytesPerS: s.peakBytes,
		PutAttempts: t.PutAttempts, RecordsThrottled: t.RecordsThrottled, RecordsDeadLettered: t.RecordsDeadLettered,
		GetRecordsCalls: t.GetRecordsCalls, ReadThrottles: t.ReadThrottles,
		RecordsPerS: sum(s.records), BytesPerS: sum(s.bytes), RecordsThrottledPerS: sum(s.throttled)}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// bucketLatencies reads an interval log and returns, per bucket of bucket
// seconds, the percentiles of each of metrics' intervals merged. Intervals
// must come in time order, as the recorder writes them.
func bucketLatencies(hlog io.Reader, bucket int, metrics []Metric) ([][]result.Percentiles, error) {
	want := map[string]int{}
	for i, m := range metrics {
		want[m.Name()] = i
	}
	merged := make([]*hdrhistogram.Histogram, len(metrics))
	for i := range merged {
		merged[i] = newHistogram()
	}
	var out [][]result.Percentiles
	current := -1
	flush := func() {
		for len(out) <= current {
			out = append(out, make([]result.Percentiles, len(metrics)))
		}
		if current >= 0 {
			for i, h := range merged {
				out[current][i] = percentilesOf(h)
				h.Reset()
			}
		}
	}
	sc := bufio.NewScanner(hlog)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		tag, startS, encoded, ok := parseIntervalLine(sc.Text())
		i, wanted := want[tag]
		if !ok || !wanted {
			continue
		}
		b := int(math.Round(startS*1000)) / 1000 / bucket
		if b < current {
			return nil, fmt.Errorf("interval log line %d: interval at %.3fs is out of time order", n, startS)
		}
		if b > current {
			flush()
			current = b
		}
		h, err := hdrhistogram.Decode([]byte(encoded))
		if err != nil {
			return nil, fmt.Errorf("interval log line %d: %w", n, err)
		}
		merged[i].Merge(h)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("interval log: %w", err)
	}
	flush()
	return out, nil
}

// parseIntervalLine splits an interval log line "Tag=T,start,length,max,histogram";
// ok is false for comments, the legend and lines without a tag.
func parseIntervalLine(line string) (tag string, startS float64, encoded string, ok bool) {
	rest, found := strings.CutPrefix(line, "Tag=")
	if !found {
		return "", 0, "", false
	}
	fields := strings.Split(rest, ",")
	if len(fields) != 5 {
		return "", 0, "", false
	}
	start, err := strconv.ParseFloat(fields[1], 64)
	if err != nil {
		return "", 0, "", false
	}
	return fields[0], start, fields[4], true
}
