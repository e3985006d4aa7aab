package pacing

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// TracePoint is one row of a trace: from At, measured from the trace's
// first row, the rate is Rate records per second.
type TracePoint struct {
	At   time.Duration
	Rate float64
}

// TraceError is a trace that cannot be replayed: which file, which line
// (0 when the error is not about one line) and why.
type TraceError struct {
	File string
	Line int
	Err  error
}

func (e *TraceError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("trace %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("trace %s:%d: %v", e.File, e.Line, e.Err)
}

func (e *TraceError) Unwrap() error { return e.Err }

// timestampLayouts are the dated timestamps a trace may use: RFC 3339 (what
// the AWS CLI and GetMetricData print) and the spreadsheet forms.
var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"}

// ReadTrace reads a trace: CSV rows of `timestamp,records_per_second`, in
// increasing time order. A timestamp is a date and time (RFC 3339, such as
// 2024-06-04T07:00:00Z, or 2024-06-04 07:00:00, read as UTC) or a number of
// seconds (Unix time, or seconds from any origin); only differences between
// rows matter. An optional header line, blank lines and lines starting with
// # are skipped; fields may be quoted. name is the file's name for errors,
// which are *TraceError with the line number.
func ReadTrace(r io.Reader, name string) ([]TracePoint, error) {
	rows := csv.NewReader(r)
	rows.FieldsPerRecord = -1
	rows.TrimLeadingSpace = true
	rows.Comment = '#'
	rows.ReuseRecord = true

	var (
		points    []TracePoint
		first     time.Time
		numeric   bool // the first row's timestamp is a number
		lastLine  int
		lastStamp string
	)
	for row := 0; ; row++ {
		record, err := rows.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var parse *csv.ParseError
			if errors.As(err, &parse) {
				return nil, &TraceError{name, parse.Line, parse.Err}
			}
			return nil, &TraceError{name, 0, err}
		}
		line, _ := rows.FieldPos(0)
		fail := func(format string, args ...any) error {
			return &TraceError{name, line, fmt.Errorf(format, args...)}
		}
		if len(record) != 2 {
			return nil, fail("%d fields; want 2: timestamp,records_per_second", len(record))
		}
		stamp, isNumber, stampErr := parseTimestamp(record[0])
		rate, rateErr := strconv.ParseFloat(strings.TrimSpace(record[1]), 64)
		switch {
		case row == 0 && stampErr != nil && rateErr != nil:
			continue // a header
		case stampErr != nil:
			return nil, fail("timestamp %q: %v", record[0], stampErr)
		case rateErr != nil || rate < 0 || math.IsNaN(rate) || math.IsInf(rate, 0):
			return nil, fail("records_per_second %q is not a rate; want a number of 0 or more", record[1])
		}
		if len(points) == 0 {
			first, numeric = stamp, isNumber
		} else if isNumber != numeric {
			return nil, fail("timestamp %q mixes numbers and dates; use one kind throughout", record[0])
		}
		at := stamp.Sub(first)
		if len(points) > 0 && at <= points[len(points)-1].At {
			return nil, fail("timestamp %q is not after %q on line %d; sort the rows by time, without repeats", record[0], lastStamp, lastLine)
		}
		points = append(points, TracePoint{At: at, Rate: rate})
		lastLine, lastStamp = line, record[0]
	}
	if len(points) == 0 {
		return nil, &TraceError{name, 0, errors.New("has no rows; want timestamp,records_per_second rows")}
	}
	return points, nil
}

// parseTimestamp reads a trace timestamp; a number of seconds becomes that
// long after the Unix epoch.
func parseTimestamp(s string) (t time.Time, isNumber bool, err error) {
	s = strings.TrimSpace(s)
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(secs) || math.IsInf(secs, 0) || math.Abs(secs) > 1e11 {
			return time.Time{}, true, errors.New("want seconds within a few thousand years")
		}
		whole, frac := math.Modf(secs)
		return time.Unix(int64(whole), int64(frac*1e9)), true, nil
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, false, nil
		}
	}
	return time.Time{}, false, errors.New("want a date and time such as 2024-06-04T07:00:00Z or 2024-06-04 07:00:00, or seconds")
}

// readTrace opens and reads a trace file named in a scenario: an absolute
// name from the operating system, a relative one from WithTraceFS's fsys.
func (o *options) readTrace(name string) ([]TracePoint, error) {
	var (
		f   io.ReadCloser
		err error
	)
	if o.traces != nil && !filepath.IsAbs(name) {
		f, err = o.traces.Open(name)
	} else {
		f, err = os.Open(name)
	}
	if err != nil {
		if pathErr := (*fs.PathError)(nil); errors.As(err, &pathErr) {
			err = pathErr.Err // the path is in the TraceError already
		}
		return nil, &TraceError{name, 0, err}
	}
	defer f.Close()
	return ReadTrace(f, name)
}
