package result

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// SeriesFile is the full-resolution series' name in a run folder: JSON
// lines, one SecondLine per second of the run, written as each second
// closes (see RESULT.md, "series.jsonl"). result.json's series is this
// file downsampled.
const SeriesFile = "series.jsonl"

// SeriesFormat is the first line of a series file: what it is, so a reader
// refuses a file that is not one.
type SeriesFormat struct {
	// Format is always "kinesim-series".
	Format string `json:"format"`
	// Version is the format's version (SeriesFormatVersion).
	Version int `json:"version"`
	// StartedAt is the run's start: second 0 begins here (UTC; simulated
	// time on a virtual clock).
	StartedAt string `json:"started_at"`
}

// Series file format identifiers.
const (
	SeriesFormatName    = "kinesim-series"
	SeriesFormatVersion = 1
)

// SecondLine is one second of a run in the series file: the run's counts
// and latencies of that second (SeriesPoint's fields, flattened), and each
// shard's and each consumer's counts of that second. Counts are exact sums
// of the events of the second, so the lines of two segments of a run that
// ran side by side add up field by field; the latency percentiles are
// those of the second's HdrHistograms in latency.hlog, which merge
// exactly where percentiles cannot.
type SecondLine struct {
	SeriesPoint
	// Shards are the shards with any activity in the second, in the order
	// first seen; absent when none had any.
	Shards []ShardSecond `json:"shards,omitempty"`
	// Consumers are the built-in consumers' reading in the second, in name
	// order; absent without consumers.
	Consumers []ConsumerSecond `json:"consumers,omitempty"`
}

// ShardSecond is one shard's activity in one second. Attempts count record
// attempts whose shard is known: acknowledged ones, and throttled ones
// (Kinesis names the shard in the throttling message). Internal failures
// and calls that failed whole name no shard and count in the totals only.
//
// With KPL aggregation, RecordsAcknowledged and BytesAcknowledged count
// Kinesis records (an aggregate once) and UserRecordsAcknowledged the
// user records in them; attempts and throttles count Kinesis records too.
type ShardSecond struct {
	ShardID                 string `json:"shard_id"`
	RecordsAcknowledged     int64  `json:"records_acknowledged,omitempty"`
	BytesAcknowledged       int64  `json:"bytes_acknowledged,omitempty"`
	UserRecordsAcknowledged int64  `json:"user_records_acknowledged,omitempty"`
	PutAttempts             int64  `json:"put_attempts,omitempty"`
	RecordsThrottled        int64  `json:"records_throttled,omitempty"`
	RecordsDeadLettered     int64  `json:"records_dead_lettered,omitempty"`
	GetRecordsCalls         int64  `json:"get_records_calls,omitempty"`
	ReadThrottles           int64  `json:"read_throttles,omitempty"`
}

// Add adds o's counts to s (the shard ids are the caller's business).
func (s *ShardSecond) Add(o ShardSecond) {
	s.RecordsAcknowledged += o.RecordsAcknowledged
	s.BytesAcknowledged += o.BytesAcknowledged
	s.UserRecordsAcknowledged += o.UserRecordsAcknowledged
	s.PutAttempts += o.PutAttempts
	s.RecordsThrottled += o.RecordsThrottled
	s.RecordsDeadLettered += o.RecordsDeadLettered
	s.GetRecordsCalls += o.GetRecordsCalls
	s.ReadThrottles += o.ReadThrottles
}

// ConsumerSecond is one built-in consumer's reading in one second.
type ConsumerSecond struct {
	Consumer string `json:"consumer"`
	// Records are deliveries, re-deliveries included; Bytes their data bytes.
	Records int64 `json:"records,omitempty"`
	Bytes   int64 `json:"bytes,omitempty"`
	// FirstReceived are the deliveries of records the consumer had not
	// received before.
	FirstReceived int64 `json:"first_received,omitempty"`
	// BacklogRecords is, at the end of the second, the records acknowledged
	// so far that the consumer had not yet received.
	BacklogRecords int64 `json:"backlog_records,omitempty"`
}

// ErrNotSeriesFile is returned by ReadSeries for a file whose first line
// is not a kinesim series header.
var ErrNotSeriesFile = errors.New("not a kinesim series file")

// MaxSeriesLine bounds one line of a series file (a second of a run with
// MaxTrackedShards busy shards and a few consumers fits many times over).
const MaxSeriesLine = 4 << 20

// ReadSeries reads a series file from r, calling each with every second in
// file order; it stops at the first error each returns. It holds one line
// at a time, so a file of any length reads in bounded memory.
func ReadSeries(r io.Reader, each func(SecondLine) error) (SeriesFormat, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxSeriesLine)
	var head SeriesFormat
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return head, fmt.Errorf("series line 1: %w", err)
		}
		return head, fmt.Errorf("%w: empty", ErrNotSeriesFile)
	}
	if err := json.Unmarshal(sc.Bytes(), &head); err != nil || head.Format != SeriesFormatName {
		return head, fmt.Errorf("%w: line 1 is not {\"format\":%q,...}", ErrNotSeriesFile, SeriesFormatName)
	}
	if head.Version != SeriesFormatVersion {
		return head, fmt.Errorf("series format version %d is not supported (understood: %d)", head.Version, SeriesFormatVersion)
	}
	for n := 2; sc.Scan(); n++ {
		var line SecondLine
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return head, fmt.Errorf("series line %d: %w", n, err)
		}
		if err := each(line); err != nil {
			return head, err
		}
	}
	if err := sc.Err(); err != nil {
		return head, fmt.Errorf("series: %w", err)
	}
	return head, nil
}

// ReadSeriesFile is ReadSeries of the file at path, its errors naming it.
func ReadSeriesFile(path string, each func(SecondLine) error) (SeriesFormat, error) {
	f, err := os.Open(path)
	if err != nil {
		return SeriesFormat{}, err
	}
	defer f.Close()
	head, err := ReadSeries(f, each)
	if err != nil {
		return head, fmt.Errorf("%s: %w", path, err)
	}
	return head, nil
}
