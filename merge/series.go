package merge

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/kinesim/kinesim/metrics"
	"github.com/kinesim/kinesim/result"
)

// mergeSeries adds the segments' full-resolution series files
// (result.SeriesFile) second by second on absolute time into OutDir's, and
// fills the result's series, consumers and shards from it and the merged
// latency.hlog exactly as a single run's (metrics.Downsample). It returns
// false when no segment has a series file (results written before kinesim
// kept one), leaving what sumCounts added from the result.json files.
func mergeSeries(res *result.Result, parts []part, outDir string) (bool, error) {
	seconds := map[int]*result.SecondLine{}
	found := false
	for _, p := range parts {
		path := filepath.Join(p.Dir, result.SeriesFile)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		found = true
		// A segment without a common start is shifted by whole seconds,
		// as its result.json's series would be.
		head, _ := result.ReadSeriesFile(path, func(result.SecondLine) error { return errHeadOnly })
		off := 0
		if started, err := time.Parse(time.RFC3339Nano, head.StartedAt); err == nil {
			off = int(started.Sub(res.StartedAt) / time.Second)
		}
		_, err := result.ReadSeriesFile(path, func(l result.SecondLine) error {
			l.Second += off
			addSecond(seconds, l)
			return nil
		})
		if err != nil {
			return false, fmt.Errorf("merge: %s: %w", p.Source, err)
		}
	}
	if !found {
		return false, nil
	}
	n, err := writeSeries(seconds, res.StartedAt, filepath.Join(outDir, result.SeriesFile))
	if err != nil {
		return false, err
	}
	series, err := os.Open(filepath.Join(outDir, result.SeriesFile))
	if err != nil {
		return false, fmt.Errorf("merge: %w", err)
	}
	defer series.Close()
	hlog, err := os.Open(filepath.Join(outDir, metrics.IntervalLogFile))
	if err != nil {
		return false, fmt.Errorf("merge: %w", err)
	}
	defer hlog.Close()
	d, err := metrics.Downsample(series, hlog, n)
	if err != nil {
		return false, fmt.Errorf("merge: %w", err)
	}
	res.Series, res.Consumers, res.Shards = d.Series, d.Consumers, d.Shards
	res.SeriesBucketS, res.ShardsBucketS = d.BucketS, d.ShardsBucketS
	res.Throughput.PeakRecordsAcknowledgedPerS = d.PeakRecordsAcknowledgedPerS
	return true, nil
}

// errHeadOnly stops a read after the series file's header.
var errHeadOnly = errors.New("header only")

// addSecond adds one segment's second to the merged one.
func addSecond(seconds map[int]*result.SecondLine, l result.SecondLine) {
	dst, ok := seconds[l.Second]
	if !ok {
		dst = &result.SecondLine{}
		dst.Second = l.Second
		seconds[l.Second] = dst
	}
	addPoint(&dst.SeriesPoint, l.SeriesPoint)
	for _, sh := range l.Shards {
		i := slices.IndexFunc(dst.Shards, func(x result.ShardSecond) bool { return x.ShardID == sh.ShardID })
		if i < 0 {
			dst.Shards = append(dst.Shards, result.ShardSecond{ShardID: sh.ShardID})
			i = len(dst.Shards) - 1
		}
		dst.Shards[i].Add(sh)
	}
	for _, c := range l.Consumers {
		i := slices.IndexFunc(dst.Consumers, func(x result.ConsumerSecond) bool { return x.Consumer == c.Consumer })
		if i < 0 {
			dst.Consumers = append(dst.Consumers, result.ConsumerSecond{Consumer: c.Consumer})
			i = len(dst.Consumers) - 1
		}
		// Each segment's backlog is what it acknowledged less what its
		// readers received: summed, the stream's.
		name := dst.Consumers[i].Consumer
		addInts(&dst.Consumers[i], c)
		dst.Consumers[i].Consumer = name
	}
}

// writeSeries writes the merged seconds, every second from 0 to the last,
// and returns how many.
func writeSeries(seconds map[int]*result.SecondLine, start time.Time, path string) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("merge: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	last := -1
	for s := range seconds {
		last = max(last, s)
	}
	err = enc.Encode(result.SeriesFormat{Format: result.SeriesFormatName, Version: result.SeriesFormatVersion, StartedAt: start.UTC().Format(time.RFC3339Nano)})
	for s := 0; s <= last && err == nil; s++ {
		line, ok := seconds[s]
		if !ok {
			line = &result.SecondLine{}
			line.Second = s
		}
		err = enc.Encode(line)
	}
	if err = errors.Join(err, w.Flush(), f.Close()); err != nil {
		return 0, fmt.Errorf("merge: %w", err)
	}
	return last + 1, nil
}
